//! The eligibility rules of the cross-checks, per programme year (`crosscheck_rules`).

use diesel::prelude::*;
use shared::api::AuditAction;
use shared::auth::Capability;
use shared::codes::PovertyStatus;
use shared::crosscheck::{EligibilityRule, RuleSet, RuleSetPut};
use uuid::Uuid;

use super::check_year;
use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::crosscheck_rules;
use crate::db::{now, write_tx, DbConn};
use crate::error::ApiError;

type RuleRow = (String, bool, String, Option<i32>, bool, String);

/// The rules of `year`, by scheme.
pub fn load(conn: &mut DbConn, year: i32) -> Result<Vec<EligibilityRule>, ApiError> {
    let rows: Vec<RuleRow> = crosscheck_rules::table
        .filter(crosscheck_rules::year.eq(year))
        .order(crosscheck_rules::scheme.asc())
        .select((
            crosscheck_rules::scheme,
            crosscheck_rules::registered_poor_only,
            crosscheck_rules::poverty_statuses,
            crosscheck_rules::max_level,
            crosscheck_rules::recipients_registered,
            crosscheck_rules::note,
        ))
        .load(conn)?;
    let internal = |e: shared::codes::UnknownCode| ApiError::Internal(anyhow::anyhow!("{e}"));
    rows.into_iter()
        .map(|(scheme, poor, statuses, level, registered, note)| {
            Ok(EligibilityRule {
                scheme: scheme.parse().map_err(internal)?,
                registered_poor_only: poor,
                poverty_statuses: statuses
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse::<PovertyStatus>().map_err(internal))
                    .collect::<Result<_, _>>()?,
                max_level: level.and_then(|l| u8::try_from(l).ok()),
                recipients_registered: registered,
                note,
            })
        })
        .collect()
}

/// `GET /crosscheck/rules/{year}`.
pub fn get(conn: &mut DbConn, year: i32) -> Result<RuleSet, ApiError> {
    check_year(year)?;
    Ok(RuleSet {
        year,
        rules: load(conn, year)?,
    })
}

/// The audit id of a year's rule set.
fn entity_id(year: i32) -> Uuid {
    // "rules" in ASCII, then the year.
    Uuid::from_u128((0x0072_756c_6573_u128 << 80) | u128::from(year.unsigned_abs()))
}

/// Replaces the rules of `year` (the province's poverty office, with a reason).
pub fn put(
    conn: &mut DbConn,
    user: &AuthUser,
    year: i32,
    body: &RuleSetPut,
) -> Result<RuleSet, ApiError> {
    user.require(Capability::SetEligibility)?;
    if user.scope != Scope::Province {
        return Err(ApiError::Forbidden(
            "only the province sets the eligibility rules".into(),
        ));
    }
    check_year(year)?;
    body.validate().map_err(ApiError::Validation)?;
    write_tx(conn, |conn| {
        crate::db::advisory_lock(conn, &[format!("crosscheck_rules:{year}")])?;
        let before = load(conn, year)?;
        diesel::delete(crosscheck_rules::table.filter(crosscheck_rules::year.eq(year)))
            .execute(conn)?;
        let at = now();
        for r in &body.rules {
            let statuses: Vec<&str> = r.poverty_statuses.iter().map(|s| s.as_str()).collect();
            diesel::insert_into(crosscheck_rules::table)
                .values((
                    crosscheck_rules::year.eq(year),
                    crosscheck_rules::scheme.eq(r.scheme.as_str()),
                    crosscheck_rules::registered_poor_only.eq(r.registered_poor_only),
                    crosscheck_rules::poverty_statuses.eq(statuses.join(",")),
                    crosscheck_rules::max_level.eq(r.max_level.map(i32::from)),
                    crosscheck_rules::recipients_registered.eq(r.recipients_registered),
                    crosscheck_rules::note.eq(r.note.trim()),
                    crosscheck_rules::updated_at.eq(at),
                    crosscheck_rules::updated_by.eq(user.id.to_string()),
                ))
                .execute(conn)?;
        }
        let after = get(conn, year)?;
        if before != after.rules {
            audit::record(
                conn,
                Event {
                    actor: user,
                    action: AuditAction::Update,
                    entity_type: "crosscheck_rules",
                    entity_id: entity_id(year),
                    owner_region: "43",
                    reason: Some(body.reason.trim()),
                    before: Some(serde_json::json!({"year": year, "rules": before})),
                    after: Some(serde_json::json!({"year": year, "rules": after.rules})),
                },
            )?;
        }
        Ok(after)
    })
}

/// The SQL condition (on `persons p`) of who should receive by `rule`: only enum codes
/// and a level go into it.
pub fn condition(rule: &EligibilityRule) -> String {
    let mut parts = vec!["p.deleted_at IS NULL".to_owned()];
    if rule.registered_poor_only {
        parts.push("p.registered_poor = TRUE".into());
    }
    if !rule.poverty_statuses.is_empty() {
        let list: Vec<String> = rule
            .poverty_statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        parts.push(format!("p.poverty_status IN ({})", list.join(", ")));
    }
    if let Some(level) = rule.max_level {
        parts.push(format!("p.disability_level <= {level}"));
    }
    parts.join(" AND ")
}
