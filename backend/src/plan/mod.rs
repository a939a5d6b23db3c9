//! The plan as data (issue 11): a year's plan with its measures, responsible units,
//! indicators and milestones; targets set top-down; hand-reported values; the period
//! reports that units submit and the level above accepts, returns and approves; the
//! snapshots frozen at approval; locking of approved periods; and the leaders'
//! dashboard. The API is described in [`shared::plan`].
//!
//! Figures come from one place: [`indicators::figures`], which answers for a parent
//! region and all its children at once, through the modules' registered computations
//! ([`indicators::Computation`]) or the reported values. The plan layer never reads a
//! module's tables.

pub mod aggregates;
pub mod dashboard;
pub mod indicators;
pub mod lock;
pub mod queries;
pub mod reports;
pub mod routes;

#[cfg(test)]
mod aggregate_tests;
#[cfg(test)]
mod tests;

use diesel::prelude::*;
use sha2::{Digest, Sha256};
use shared::plan::Period;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::schema::org_units;
use crate::db::DbConn;
use crate::error::ApiError;

/// A stable id for a record keyed by text (a target, a reported value, a period
/// report), for the audit log, whose entries name records by UUID.
pub fn key_id(kind: &str, parts: &[&str]) -> Uuid {
    let mut h = Sha256::new();
    h.update(kind.as_bytes());
    for p in parts {
        h.update([0u8]);
        h.update(p.as_bytes());
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// Parses a period from a path or query (422 when malformed).
pub fn period_of(s: &str) -> Result<Period, ApiError> {
    Period::parse(s).ok_or_else(|| {
        ApiError::field(
            "period",
            "invalid_format",
            "a year (2020) or a quarter (2020Q1)",
        )
    })
}

/// Whether `code` is a region code the plan knows: the province, a city or a county.
pub fn is_region(code: &str) -> bool {
    code.starts_with("43")
        && matches!(code.len(), 2 | 4 | 6)
        && code.bytes().all(|b| b.is_ascii_digit())
}

/// The region above `region` (none above the province).
pub fn parent_region(region: &str) -> Option<&str> {
    match region.len() {
        6 => Some(&region[..4]),
        4 => Some(&region[..2]),
        _ => None,
    }
}

/// `region` and the regions above it, nearest first.
pub fn chain(region: &str) -> Vec<String> {
    let mut out = vec![region.to_owned()];
    let mut r = region;
    while let Some(p) = parent_region(r) {
        out.push(p.to_owned());
        r = p;
    }
    out
}

/// A region in the caller's scope that exists in the org tree; 404 otherwise.
pub fn region_in_scope(conn: &mut DbConn, user: &AuthUser, code: &str) -> Result<(), ApiError> {
    if !is_region(code) || !user.scope.covers_region(code) {
        return Err(ApiError::NotFound);
    }
    let n: i64 = org_units::table
        .filter(org_units::code.eq(code))
        .count()
        .get_result(conn)?;
    if n == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

/// A region's name and its children as (code, name).
pub fn units_below(
    conn: &mut DbConn,
    region: &str,
) -> Result<(String, Vec<(String, String)>), ApiError> {
    crate::kpi::units_below(conn, region)
}

/// Checks free text: at most `max` characters.
pub(crate) fn check_text(field: &str, text: &str, max: usize) -> Result<(), ApiError> {
    if text.chars().count() > max {
        return Err(ApiError::field(
            field,
            "too_long",
            format!("at most {max} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ApiError::field(
            field,
            "invalid_characters",
            "no control characters",
        ));
    }
    Ok(())
}

/// Largest target or reported value (far above any count or sum of fen the plan has).
pub const MAX_VALUE: i64 = 10_000_000_000_000;

/// Checks a target or reported value: 0 to [`MAX_VALUE`], a rate at most 100 %.
pub(crate) fn check_value(field: &str, value: i64, ratio: bool) -> Result<(), ApiError> {
    let max = if ratio { 10_000 } else { MAX_VALUE };
    if !(0..=max).contains(&value) {
        return Err(ApiError::field(
            field,
            "out_of_range",
            format!("0 to {max}"),
        ));
    }
    Ok(())
}
