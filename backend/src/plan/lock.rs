//! Locking of data entry: a unit's data of a period cannot be entered or changed once
//! the period is approved (for the unit or a unit above it), once the plan's entry
//! deadline has passed, or once the year's plan is closed — unless a lock exception
//! (unit, period, granted by, reason, until) reopens it.
//!
//! Modules call [`ensure_open`] in their write transactions (training enrolments and
//! loans do); the plan's own reported values and milestone deliveries call
//! [`ensure_open_period`].

use chrono::NaiveDate;
use diesel::prelude::*;
use shared::plan::{LockReason, Period, PlanStatus, ReportStatus};

use crate::db::schema::{lock_exceptions, period_reports, plans};
use crate::db::{code, today, DbConn};
use crate::error::ApiError;

/// Why data of `region` (a county, city or the province) for `period` is locked now,
/// if it is. An approval of the period, or of the year of a quarter, for the region or
/// any region above it locks; so do a passed entry deadline and a closed plan. A lock
/// exception for the region or a region above it and one of those periods, still
/// running, reopens.
pub fn lock_reason(
    conn: &mut DbConn,
    region: &str,
    period: Period,
) -> Result<Option<LockReason>, ApiError> {
    let units = super::chain(region);
    let periods: Vec<String> = period.locking().iter().map(Period::to_string).collect();
    let today = today();
    let plan: Option<(String, Option<NaiveDate>)> = plans::table
        .find(period.year)
        .select((plans::status, plans::entry_deadline))
        .first(conn)
        .optional()?;
    let mut reason = None;
    if let Some((status, deadline)) = plan {
        if code::<PlanStatus>(&status)? == PlanStatus::Closed {
            reason = Some(LockReason::Closed);
        } else if deadline.is_some_and(|d| d < today) {
            reason = Some(LockReason::Expired);
        }
    }
    if reason.is_none() {
        let approved: i64 = period_reports::table
            .filter(period_reports::unit_code.eq_any(&units))
            .filter(period_reports::period.eq_any(&periods))
            .filter(period_reports::status.eq(ReportStatus::Approved.as_str()))
            .count()
            .get_result(conn)?;
        if approved > 0 {
            reason = Some(LockReason::Approved);
        }
    }
    if reason.is_some() {
        let exceptions: i64 = lock_exceptions::table
            .filter(lock_exceptions::unit_code.eq_any(&units))
            .filter(lock_exceptions::period.eq_any(&periods))
            .filter(lock_exceptions::until.ge(today))
            .count()
            .get_result(conn)?;
        if exceptions > 0 {
            return Ok(None);
        }
    }
    Ok(reason)
}

/// The error of a locked period: 409 `period_locked`, with the reason as the field
/// error's code (`locked_approved`, `locked_expired`, `locked_closed`).
pub fn locked(region: &str, period: Period, reason: LockReason) -> ApiError {
    let why = match reason {
        LockReason::Approved => "it has been approved",
        LockReason::Expired => "its entry deadline has passed",
        LockReason::Closed => "the year's plan is closed",
    };
    ApiError::Locked {
        reason,
        detail: format!(
            "the data of {region} for {period} is locked because {why}; a lock exception reopens it"
        ),
    }
}

/// Fails with [`locked`] when data of `region` for `period` is locked.
pub fn ensure_open_period(conn: &mut DbConn, region: &str, period: Period) -> Result<(), ApiError> {
    match lock_reason(conn, region, period)? {
        Some(reason) => Err(locked(region, period, reason)),
        None => Ok(()),
    }
}

/// For module writes: fails with 409 `period_locked` when a record of `county_code`
/// dated `date` (the day it counts on) falls in a locked period (the quarter of `date`
/// or its year). Call it inside the write transaction.
pub fn ensure_open(conn: &mut DbConn, county_code: &str, date: NaiveDate) -> Result<(), ApiError> {
    ensure_open_period(conn, county_code, Period::quarter_of(date))
}
