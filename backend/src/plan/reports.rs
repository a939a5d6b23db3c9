//! Reporting, approval and locking, as DHIS2 does it but with its pitfalls avoided.
//!
//! A unit (county, city, province) submits its period; the level above accepts it or
//! returns it with a reason, and approves it — only once every child of the unit has
//! been approved. Approval freezes a snapshot of every indicator's figure for the
//! unit and period (value, numerator, denominator, computed at, record count), so that
//! a record changed later shows as "live ≠ approved" instead of silently changing an
//! approved figure, and locks data entry ([`super::lock`]). The level that approved may
//! withdraw it (with a reason) until the level above has acted on its own report. A lock
//! exception reopens entry. Every step is audited (entity `period_report`, the step in
//! the entry's `after.step`; lock exceptions as `lock_exception`).

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::json;
use shared::api::AuditAction;
use shared::auth::Capability;
use shared::plan::{
    LockException, LockExceptionInput, Period, PeriodReport, PeriodReportView, ReportAction,
    ReportActionInput, ReportStatus,
};
use uuid::Uuid;

use super::{check_text, key_id, region_in_scope};
use crate::audit::{self, Event};
use crate::auth::AuthUser;
use crate::db::schema::{lock_exceptions, period_reports, report_snapshots};
use crate::db::{code, now, today, utc, uuid, write_tx, DbConn};
use crate::error::ApiError;

type ReportRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<chrono::NaiveDateTime>,
    Option<String>,
    Option<String>,
    Option<chrono::NaiveDateTime>,
    i64,
);

macro_rules! report_columns {
    () => {
        (
            period_reports::unit_code,
            period_reports::period,
            period_reports::status,
            period_reports::last_action,
            period_reports::acted_by,
            period_reports::acted_at,
            period_reports::reason,
            period_reports::approved_by,
            period_reports::approved_at,
            period_reports::version,
        )
    };
}

fn report_of(r: ReportRow) -> Result<PeriodReport, ApiError> {
    Ok(PeriodReport {
        unit_code: r.0,
        period: code(&r.1)?,
        status: code(&r.2)?,
        last_action: r.3.as_deref().map(code).transpose()?,
        acted_by: r.4,
        acted_at: r.5.map(utc),
        reason: r.6,
        approved_by: r.7,
        approved_at: r.8.map(utc),
        version: r.9,
    })
}

fn untouched(unit: &str, period: Period) -> PeriodReport {
    PeriodReport {
        unit_code: unit.to_owned(),
        period,
        status: ReportStatus::Open,
        last_action: None,
        acted_by: None,
        acted_at: None,
        reason: None,
        approved_by: None,
        approved_at: None,
        version: 0,
    }
}

/// The reports of `units` for `period` (units never touched are `open`, version 0).
pub fn reports_of(
    conn: &mut DbConn,
    units: &[String],
    period: Period,
) -> Result<Vec<PeriodReport>, ApiError> {
    let rows: Vec<ReportRow> = period_reports::table
        .filter(period_reports::unit_code.eq_any(units))
        .filter(period_reports::period.eq(period.to_string()))
        .select(report_columns!())
        .load(conn)?;
    let mut found: std::collections::BTreeMap<String, PeriodReport> = rows
        .into_iter()
        .map(|r| report_of(r).map(|r| (r.unit_code.clone(), r)))
        .collect::<Result<_, _>>()?;
    Ok(units
        .iter()
        .map(|u| found.remove(u).unwrap_or_else(|| untouched(u, period)))
        .collect())
}

fn report(conn: &mut DbConn, unit: &str, period: Period) -> Result<PeriodReport, ApiError> {
    Ok(reports_of(conn, &[unit.to_owned()], period)?
        .pop()
        .unwrap_or_else(|| untouched(unit, period)))
}

/// The region whose users act on `unit`'s report as "the level above": its parent,
/// and the province for itself.
fn reviewer_of(unit: &str) -> &str {
    super::parent_region(unit).unwrap_or(unit)
}

/// Why `action` may not be taken on `r` by `user` now (an error), given the children's
/// reports and the parent's.
fn check_step(
    user: &AuthUser,
    r: &PeriodReport,
    action: ReportAction,
    children: &[PeriodReport],
    parent: Option<&PeriodReport>,
) -> Result<ReportStatus, ApiError> {
    use ReportStatus as S;
    let unit = r.unit_code.as_str();
    let here = user.scope.region();
    let (cap_ok, level_ok, from, to): (bool, bool, &[S], S) = match action {
        ReportAction::Submit => (
            user.can(Capability::SubmitReports),
            here == unit,
            &[S::Open, S::Returned],
            S::Submitted,
        ),
        ReportAction::Accept => (
            user.can(Capability::SubmitReports) || user.can(Capability::ApproveReports),
            here == reviewer_of(unit),
            &[S::Submitted],
            S::Accepted,
        ),
        ReportAction::Return => (
            user.can(Capability::SubmitReports) || user.can(Capability::ApproveReports),
            here == reviewer_of(unit),
            &[S::Submitted, S::Accepted],
            S::Returned,
        ),
        ReportAction::Approve => (
            user.can(Capability::ApproveReports),
            here == reviewer_of(unit),
            &[S::Submitted, S::Accepted],
            S::Approved,
        ),
        ReportAction::Unapprove => (
            user.can(Capability::ApproveReports),
            here == reviewer_of(unit),
            &[S::Approved],
            S::Accepted,
        ),
    };
    if !cap_ok {
        return Err(ApiError::Forbidden(format!(
            "your roles do not allow the step {action}"
        )));
    }
    if !level_ok {
        return Err(ApiError::Denied {
            code: "not_your_level",
            detail: match action {
                ReportAction::Submit => "a unit submits its own report".into(),
                _ => "this step is taken by the level above the unit".into(),
            },
        });
    }
    if !from.contains(&r.status) {
        return Err(ApiError::Conflict {
            code: "invalid_transition",
            detail: format!("a {} report cannot be {action}ed", r.status),
        });
    }
    if action == ReportAction::Approve {
        let waiting: Vec<&str> = children
            .iter()
            .filter(|c| c.status != S::Approved)
            .map(|c| c.unit_code.as_str())
            .collect();
        if !waiting.is_empty() {
            return Err(ApiError::Conflict {
                code: "children_not_approved",
                detail: format!(
                    "every unit below must be approved first; not yet: {}",
                    waiting.join(", ")
                ),
            });
        }
    }
    if action == ReportAction::Unapprove {
        if let Some(p) = parent.filter(|p| matches!(p.status, S::Accepted | S::Approved)) {
            return Err(ApiError::Conflict {
                code: "upper_level_acted",
                detail: format!(
                    "the level above has {} the report of {}; it must return or unapprove it first",
                    p.status, p.unit_code
                ),
            });
        }
    }
    Ok(to)
}

fn children_of(conn: &mut DbConn, unit: &str) -> Result<Vec<String>, ApiError> {
    Ok(super::units_below(conn, unit)?
        .1
        .into_iter()
        .map(|(c, _)| c)
        .collect())
}

/// A unit's report for a period with its children's and the steps the caller may take.
pub fn view(
    conn: &mut DbConn,
    user: &AuthUser,
    unit: &str,
    period: Period,
) -> Result<PeriodReportView, ApiError> {
    user.require(Capability::ReadKpi)?;
    region_in_scope(conn, user, unit)?;
    let r = report(conn, unit, period)?;
    let below = children_of(conn, unit)?;
    let children = reports_of(conn, &below, period)?;
    let parent = match super::parent_region(unit) {
        Some(p) => Some(report(conn, p, period)?),
        None => None,
    };
    let allowed = ReportAction::ALL
        .iter()
        .copied()
        .filter(|a| check_step(user, &r, *a, &children, parent.as_ref()).is_ok())
        .collect();
    Ok(PeriodReportView {
        report: r,
        children,
        allowed,
    })
}

/// Freezes the figures of every indicator of the period's plan for `unit`.
fn freeze(conn: &mut DbConn, unit: &str, period: Period) -> Result<usize, ApiError> {
    let at = chrono::Utc::now();
    let stamp = now();
    diesel::delete(
        report_snapshots::table
            .filter(report_snapshots::unit_code.eq(unit))
            .filter(report_snapshots::period.eq(period.to_string())),
    )
    .execute(conn)?;
    let mut n = 0;
    for (_, def) in super::queries::indicator_defs(conn, period.year)? {
        let figures = super::indicators::figures(conn, &def, unit, &[], period, at)?;
        if let Some(f) = figures.get(unit) {
            diesel::insert_into(report_snapshots::table)
                .values((
                    report_snapshots::indicator.eq(&def.code),
                    report_snapshots::unit_code.eq(unit),
                    report_snapshots::period.eq(period.to_string()),
                    report_snapshots::value.eq(f.value),
                    report_snapshots::numerator.eq(f.numerator),
                    report_snapshots::denominator.eq(f.denominator),
                    report_snapshots::computed_at.eq(stamp),
                    report_snapshots::record_count.eq(f.record_count),
                ))
                .execute(conn)?;
            n += 1;
        }
    }
    Ok(n)
}

/// The approved snapshots of `units` for `period`, by (indicator, unit).
pub fn snapshots(
    conn: &mut DbConn,
    units: &[String],
    period: Period,
) -> Result<std::collections::BTreeMap<(String, String), shared::plan::Figure>, ApiError> {
    #[expect(clippy::type_complexity, reason = "a row of report_snapshots")]
    let rows: Vec<(
        String,
        String,
        Option<i64>,
        i64,
        Option<i64>,
        chrono::NaiveDateTime,
        i64,
    )> = report_snapshots::table
        .filter(report_snapshots::unit_code.eq_any(units))
        .filter(report_snapshots::period.eq(period.to_string()))
        .select((
            report_snapshots::indicator,
            report_snapshots::unit_code,
            report_snapshots::value,
            report_snapshots::numerator,
            report_snapshots::denominator,
            report_snapshots::computed_at,
            report_snapshots::record_count,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                (r.0, r.1),
                shared::plan::Figure {
                    value: r.2,
                    numerator: r.3,
                    denominator: r.4,
                    computed_at: utc(r.5),
                    record_count: r.6,
                },
            )
        })
        .collect())
}

/// Takes a step of the workflow on `unit`'s report for `period`.
pub fn act(
    conn: &mut DbConn,
    user: &AuthUser,
    unit: &str,
    period: Period,
    input: &ReportActionInput,
    version: i64,
) -> Result<PeriodReportView, ApiError> {
    region_in_scope(conn, user, unit)?;
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let Some(r) = reason {
        check_text("reason", r, 2000)?;
    }
    if matches!(input.action, ReportAction::Return | ReportAction::Unapprove) && reason.is_none() {
        return Err(ApiError::field("reason", "required", "say why"));
    }
    super::queries::plan(conn, period.year).map_err(|e| match e {
        ApiError::NotFound => {
            ApiError::field("period", "no_plan", "there is no plan for that year")
        }
        other => other,
    })?;
    write_tx(conn, |conn| {
        let before = report(conn, unit, period)?;
        if before.version != version {
            return Err(ApiError::stale_version());
        }
        let below = children_of(conn, unit)?;
        let children = reports_of(conn, &below, period)?;
        let parent = match super::parent_region(unit) {
            Some(p) => Some(report(conn, p, period)?),
            None => None,
        };
        let to = check_step(user, &before, input.action, &children, parent.as_ref())?;
        let at = now();
        let (approved_by, approved_at) = match input.action {
            ReportAction::Approve => (Some(user.username.clone()), Some(at)),
            ReportAction::Unapprove => (None, None),
            _ => (
                before.approved_by.clone(),
                before.approved_at.map(|t| t.naive_utc()),
            ),
        };
        let values = (
            period_reports::status.eq(to.as_str()),
            period_reports::last_action.eq(Some(input.action.as_str())),
            period_reports::acted_by.eq(Some(&user.username)),
            period_reports::acted_at.eq(Some(at)),
            period_reports::reason.eq(reason),
            period_reports::approved_by.eq(approved_by),
            period_reports::approved_at.eq(approved_at),
            period_reports::version.eq(version + 1),
        );
        if version == 0 {
            diesel::insert_into(period_reports::table)
                .values((
                    period_reports::unit_code.eq(unit),
                    period_reports::period.eq(period.to_string()),
                    values,
                ))
                .execute(conn)?;
        } else {
            let n = diesel::update(
                period_reports::table
                    .find((unit, period.to_string()))
                    .filter(period_reports::version.eq(version)),
            )
            .set(values)
            .execute(conn)?;
            crate::record::changed(n)?;
        }
        let frozen = match input.action {
            ReportAction::Approve => Some(freeze(conn, unit, period)?),
            ReportAction::Unapprove => {
                diesel::delete(
                    report_snapshots::table
                        .filter(report_snapshots::unit_code.eq(unit))
                        .filter(report_snapshots::period.eq(period.to_string())),
                )
                .execute(conn)?;
                None
            }
            _ => None,
        };
        let after = report(conn, unit, period)?;
        let mut after_json = serde_json::to_value(&after).unwrap_or_default();
        after_json["step"] = json!(input.action);
        if let Some(n) = frozen {
            after_json["snapshots"] = json!(n);
        }
        audit::record(
            conn,
            Event {
                actor: user,
                action: if version == 0 {
                    AuditAction::Create
                } else {
                    AuditAction::Update
                },
                entity_type: "period_report",
                entity_id: key_id("period_report", &[unit, &period.to_string()]),
                owner_region: unit,
                reason,
                before: (version > 0).then(|| serde_json::to_value(&before).unwrap_or_default()),
                after: Some(after_json),
            },
        )?;
        Ok(())
    })?;
    view(conn, user, unit, period)
}

type ExceptionRow = (
    String,
    String,
    String,
    String,
    chrono::NaiveDateTime,
    String,
    NaiveDate,
);

fn exception_of(r: ExceptionRow) -> Result<LockException, ApiError> {
    Ok(LockException {
        id: uuid(&r.0)?,
        unit_code: r.1,
        period: code(&r.2)?,
        granted_by: r.3,
        granted_at: utc(r.4),
        reason: r.5,
        until: r.6,
    })
}

/// The lock exceptions of `unit` (and the units above it) for `period`.
pub fn list_exceptions(
    conn: &mut DbConn,
    user: &AuthUser,
    unit: &str,
    period: Period,
) -> Result<Vec<LockException>, ApiError> {
    user.require(Capability::ReadKpi)?;
    region_in_scope(conn, user, unit)?;
    let periods: Vec<String> = period.locking().iter().map(Period::to_string).collect();
    let rows: Vec<ExceptionRow> = lock_exceptions::table
        .filter(lock_exceptions::unit_code.eq_any(super::chain(unit)))
        .filter(lock_exceptions::period.eq_any(&periods))
        .order(lock_exceptions::granted_at.desc())
        .select((
            lock_exceptions::id,
            lock_exceptions::unit_code,
            lock_exceptions::period,
            lock_exceptions::granted_by,
            lock_exceptions::granted_at,
            lock_exceptions::reason,
            lock_exceptions::until,
        ))
        .load(conn)?;
    rows.into_iter().map(exception_of).collect()
}

/// Grants a lock exception: by a leader of the level that approves the unit's report
/// (its parent; the province for itself), or of a level above it.
pub fn grant_exception(
    conn: &mut DbConn,
    user: &AuthUser,
    input: &LockExceptionInput,
) -> Result<LockException, ApiError> {
    user.require(Capability::ApproveReports)?;
    let unit = input.unit_code.as_str();
    region_in_scope(conn, user, unit)?;
    let here = user.scope.region();
    if !reviewer_of(unit).starts_with(here) {
        return Err(ApiError::Denied {
            code: "not_your_level",
            detail: "a lock exception is granted by the level that approves the unit".into(),
        });
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(ApiError::field("reason", "required", "say why"));
    }
    check_text("reason", reason, 2000)?;
    let today = today();
    let latest = today + chrono::TimeDelta::days(366);
    if input.until < today || input.until > latest {
        return Err(ApiError::field(
            "until",
            "out_of_range",
            "today to a year ahead",
        ));
    }
    let id = Uuid::now_v7();
    write_tx(conn, |conn| {
        diesel::insert_into(lock_exceptions::table)
            .values((
                lock_exceptions::id.eq(id.to_string()),
                lock_exceptions::unit_code.eq(unit),
                lock_exceptions::period.eq(input.period.to_string()),
                lock_exceptions::granted_by.eq(&user.username),
                lock_exceptions::granted_at.eq(now()),
                lock_exceptions::reason.eq(reason),
                lock_exceptions::until.eq(input.until),
            ))
            .execute(conn)?;
        let row: ExceptionRow = lock_exceptions::table
            .find(id.to_string())
            .select((
                lock_exceptions::id,
                lock_exceptions::unit_code,
                lock_exceptions::period,
                lock_exceptions::granted_by,
                lock_exceptions::granted_at,
                lock_exceptions::reason,
                lock_exceptions::until,
            ))
            .first(conn)?;
        let e = exception_of(row)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "lock_exception",
                entity_id: id,
                owner_region: unit,
                reason: Some(reason),
                before: None,
                after: serde_json::to_value(&e).ok(),
            },
        )?;
        Ok(e)
    })
}
