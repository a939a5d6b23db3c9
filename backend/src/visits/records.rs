//! Visits of a pairing: recorded by the cadre (often later, from a phone that had no
//! signal), with the six checks, the policies that reached the household and the help
//! given. A check marked problem opens one rectification item in the same transaction.

use diesel::prelude::*;
use shared::api::AuditAction;
use shared::auth::Capability;
use shared::visits::{
    CheckResult, RecordedCheck, Visit, VisitCheck, VisitCheckItem, VisitCreate, VisitInput,
    VisitPolicy,
};
use shared::FieldErrors;
use uuid::Uuid;

use super::pairings::{self, PairingRow};
use crate::audit::{self, Event};
use crate::auth::AuthUser;
use crate::db::schema::{pairings as pairings_t, visit_checks, visits};
use crate::db::{code, now, today, uuid, write_tx, DbConn};
use crate::error::ApiError;

/// A row of `visits`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = visits)]
pub struct VisitRow {
    /// Id.
    pub id: String,
    /// Pairing.
    pub pairing_id: String,
    /// County.
    pub county_code: String,
    /// City.
    pub city_code: String,
    /// Day.
    pub visited_on: chrono::NaiveDate,
    /// Mode.
    pub mode: String,
    /// Help given.
    pub help_given: Option<String>,
    /// Version.
    pub version: i64,
    /// Recorded by (user id).
    pub created_by: String,
}

/// A live visit whose pairing `user` may see, with that pairing; 404 otherwise.
fn row(conn: &mut DbConn, user: &AuthUser, id: &str) -> Result<(VisitRow, PairingRow), ApiError> {
    let v: VisitRow = visits::table
        .filter(visits::id.eq(id))
        .filter(visits::deleted_at.is_null())
        .select(VisitRow::as_select())
        .first(conn)?;
    let p = pairings::row(conn, user, &v.pairing_id)?;
    Ok((v, p))
}

fn to_api(conn: &mut DbConn, r: VisitRow) -> Result<Visit, ApiError> {
    let (checks, policies) = crate::read_checks!(
        conn,
        &r.id,
        visit_checks(visit_id),
        visit_policies(visit_id)
    );
    let recorded_by: String = crate::users::queries::login_of(conn, &r.created_by)?;
    Ok(Visit {
        id: uuid(&r.id)?,
        version: r.version,
        pairing_id: uuid(&r.pairing_id)?,
        visited_on: r.visited_on,
        mode: code(&r.mode)?,
        checks,
        policies,
        help_given: r.help_given,
        county_code: r.county_code,
        recorded_by,
    })
}

/// Reads the checks (in the order of [`VisitCheckItem::ALL`], with their rectification
/// items) and the policies of a record of the six checks (a visit, an inspection, a
/// survey): `$checks` keyed by its `$owner` column, `$policies` by `$powner`.
#[macro_export]
macro_rules! read_checks {
    ($conn:expr, $id:expr, $checks:ident($owner:ident), $policies:ident($powner:ident)) => {{
        use diesel::prelude::*;
        use $crate::db::schema::{$checks, $policies};
        let checks = $crate::visits::records::recorded_checks(
            $checks::table
                .filter($checks::$owner.eq($id))
                .select((
                    $checks::item,
                    $checks::result,
                    $checks::note,
                    $checks::rectification_id,
                ))
                .load(&mut *$conn)?,
        )?;
        let policies = $crate::visits::records::policies_in_order(
            $policies::table
                .filter($policies::$powner.eq($id))
                .select($policies::policy)
                .load(&mut *$conn)?,
        )?;
        (checks, policies)
    }};
}

/// Stored checks (item, result, note, rectification item) in the order of
/// [`VisitCheckItem::ALL`]: a visit's or an inspection's.
pub fn recorded_checks(
    rows: Vec<(String, String, Option<String>, Option<String>)>,
) -> Result<Vec<RecordedCheck>, ApiError> {
    let mut checks = rows
        .into_iter()
        .map(|(item, result, note, rect)| {
            Ok(RecordedCheck {
                check: VisitCheck {
                    item: code(&item)?,
                    result: code(&result)?,
                    note,
                },
                rectification_id: rect.as_deref().map(uuid).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    checks.sort_by_key(|c| VisitCheckItem::ALL.iter().position(|i| *i == c.check.item));
    Ok(checks)
}

/// Stored policies in the order of [`VisitPolicy::ALL`].
pub fn policies_in_order(rows: Vec<String>) -> Result<Vec<VisitPolicy>, ApiError> {
    let mut policies = rows
        .iter()
        .map(|p| code::<VisitPolicy>(p))
        .collect::<Result<Vec<_>, ApiError>>()?;
    policies.sort_by_key(|p| VisitPolicy::ALL.iter().position(|x| x == p));
    Ok(policies)
}

/// A visit whose pairing `user` may see.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Visit, ApiError> {
    let (v, _) = row(conn, user, &id.to_string())?;
    to_api(conn, v)
}

/// Whether `user` may record and edit the visits of pairing `p`: its cadre, or staff of
/// the household's county.
fn may_write(user: &AuthUser, p: &PairingRow) -> bool {
    p.cadre_id == user.id.to_string() || super::manages(user, &p.county_code)
}

/// For attachments of owner kind `visit`: the visit's county when `user` may see it
/// (and, with `write`, record it); 404 otherwise.
pub fn owner_county(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    write: bool,
) -> Result<String, ApiError> {
    let (v, p) = row(conn, user, &id.to_string())?;
    if write && !may_write(user, &p) {
        return Err(ApiError::Forbidden(
            "only the pairing's cadre or the county's staff add to a visit".into(),
        ));
    }
    Ok(v.county_code)
}

/// Filters of `GET /api/v1/visits`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitQuery {
    /// Only this pairing's visits.
    pub pairing_id: Option<Uuid>,
    /// Only visits of households of this city (4 digits) or county (6 digits), for
    /// holders of `read_pairings`.
    pub area: Option<String>,
    /// Only visits on or after this day.
    pub from: Option<chrono::NaiveDate>,
    /// Only visits on or before this day.
    pub to: Option<chrono::NaiveDate>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// A page of visits (newest id last) that `user` may see: a pairing's, or a unit's
/// (`read_pairings`), or else the caller's own pairings'.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &VisitQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Visit>, ApiError> {
    let mut q = visits::table
        .into_boxed()
        .filter(visits::deleted_at.is_null());
    if let Some(p) = f.pairing_id {
        pairings::row(conn, user, &p.to_string())?;
        q = q.filter(visits::pairing_id.eq(p.to_string()));
    } else if user.can(Capability::ReadPairings) {
        let area = match f.area.as_deref() {
            Some(a) => crate::org::queries::area_pattern(a)?,
            None => format!("{}%", user.scope.region()),
        };
        if !user.scope.covers_region(area.trim_end_matches('%')) {
            return Ok(Vec::new());
        }
        q = q.filter(visits::county_code.like(area));
    } else {
        let mine: Vec<String> = pairings::visible(user).select(pairings_t::id).load(conn)?;
        q = q.filter(visits::pairing_id.eq_any(mine));
    }
    if let Some(d) = f.from {
        q = q.filter(visits::visited_on.ge(d));
    }
    if let Some(d) = f.to {
        q = q.filter(visits::visited_on.le(d));
    }
    if let Some(a) = after {
        q = q.filter(visits::id.gt(a.to_owned()));
    }
    let rows: Vec<VisitRow> = q
        .order(visits::id.asc())
        .limit(limit)
        .select(VisitRow::as_select())
        .load(conn)?;
    rows.into_iter().map(|r| to_api(conn, r)).collect()
}

/// Validates a visit against its pairing: the fields, the pairing (visible, writable by
/// `user`) and the day within the pairing's period.
fn check(conn: &mut DbConn, user: &AuthUser, f: &VisitInput) -> Result<PairingRow, ApiError> {
    let mut errs = FieldErrors(f.validate(today()).err().unwrap_or_default());
    let pairing = match pairings::row(conn, user, &f.pairing_id.to_string()) {
        Ok(p) => Some(p),
        Err(ApiError::NotFound) => {
            errs.add("pairing_id", "not_found", "no such pairing of yours");
            None
        }
        Err(e) => return Err(e),
    };
    if let Some(p) = &pairing {
        if !may_write(user, p) {
            return Err(ApiError::Forbidden(
                "only the pairing's cadre or the county's staff record its visits".into(),
            ));
        }
        let within = p.from_on <= f.visited_on && p.to_on.is_none_or(|t| f.visited_on <= t);
        if !within {
            errs.add(
                "visited_on",
                "out_of_range",
                "the day lies outside the pairing's period",
            );
        }
    }
    match (pairing, errs.is_empty()) {
        (Some(p), true) => Ok(p),
        _ => Err(ApiError::Validation(errs.0)),
    }
}

/// Deletes and writes again the checks and policies of a record of the six checks (a
/// visit, an inspection, a survey): `$checks` keyed by its `$owner` column, `$policies`
/// by `$powner`. `$rect` (`|conn, check| -> Result<Option<String>, ApiError>`) answers
/// the rectification item each check keeps or opens; it runs in the caller's
/// transaction.
#[macro_export]
macro_rules! write_checks {
    ($conn:expr, $id:expr, $checks:ident($owner:ident), $policies:ident($powner:ident), $input:expr, $rect:expr) => {{
        use diesel::prelude::*;
        use $crate::db::schema::{$checks, $policies};
        let rect = $rect;
        diesel::delete($checks::table.filter($checks::$owner.eq($id))).execute(&mut *$conn)?;
        diesel::delete($policies::table.filter($policies::$powner.eq($id))).execute(&mut *$conn)?;
        for c in &$input.checks {
            let r: Option<String> = rect(&mut *$conn, c)?;
            diesel::insert_into($checks::table)
                .values((
                    $checks::$owner.eq($id),
                    $checks::item.eq(c.item.as_str()),
                    $checks::result.eq(c.result.as_str()),
                    $checks::note.eq(c.note.as_deref().map(str::trim).filter(|n| !n.is_empty())),
                    $checks::rectification_id.eq(r),
                ))
                .execute(&mut *$conn)?;
        }
        for p in &$input.policies {
            diesel::insert_into($policies::table)
                .values(($policies::$powner.eq($id), $policies::policy.eq(p.as_str())))
                .execute(&mut *$conn)?;
        }
    }};
}

/// A check as stored before an edit: item, result and rectification item.
pub type StoredCheck = (String, String, Option<String>);

/// The rectification item a check keeps or opens on an edit, given the checks as
/// `stored` before it:
///
/// - a problem found before keeps its item, whatever became of it (the record says what
///   was found that day; an edit of its note or day is not a new problem);
/// - a check that newly finds a problem keeps the item it once had only while that item
///   is still being worked on (not closed, not a duplicate); otherwise `open` opens one,
///   so that a problem found again is never hidden behind a closed item;
/// - an ok check keeps the link to the item it once had, as history.
pub fn kept_or_opened(
    conn: &mut DbConn,
    stored: &[StoredCheck],
    c: &VisitCheck,
    open: impl FnOnce(&mut DbConn) -> Result<String, ApiError>,
) -> Result<Option<String>, ApiError> {
    use crate::db::schema::rectification_items;
    use shared::rectification::RectificationStatus;
    let before = stored.iter().find(|(item, _, _)| item == c.item.as_str());
    let kept = before.and_then(|(_, _, r)| r.clone());
    let was_problem = before.is_some_and(|(_, result, _)| result == CheckResult::Problem.as_str());
    if c.result != CheckResult::Problem || (was_problem && kept.is_some()) {
        return Ok(kept);
    }
    if let Some(k) = &kept {
        let status: Option<String> = rectification_items::table
            .find(k)
            .select(rectification_items::status)
            .first(conn)
            .optional()?;
        let done =
            [RectificationStatus::Closed, RectificationStatus::Duplicate].map(|s| s.as_str());
        if status.is_some_and(|s| !done.contains(&s.as_str())) {
            return Ok(kept);
        }
    }
    Ok(Some(open(conn)?))
}

/// Writes the checks and policies of visit `id`, with the rectification item each
/// check keeps or opens ([`kept_or_opened`]).
fn write_details(
    conn: &mut DbConn,
    user: &AuthUser,
    id: &str,
    p: &PairingRow,
    f: &VisitInput,
) -> Result<(), ApiError> {
    let stored: Vec<StoredCheck> = visit_checks::table
        .filter(visit_checks::visit_id.eq(id))
        .select((
            visit_checks::item,
            visit_checks::result,
            visit_checks::rectification_id,
        ))
        .load(conn)?;
    crate::write_checks!(
        conn,
        id,
        visit_checks(visit_id),
        visit_policies(visit_id),
        f,
        |conn: &mut DbConn, c: &VisitCheck| {
            kept_or_opened(conn, &stored, c, |conn| open_item(conn, user, id, p, f, c))
        }
    );
    Ok(())
}

/// Opens the rectification item of a problem found on visit `id` (source `visit`, the
/// measure 4 check as its category), for the household's county, in the caller's
/// transaction, due a month after the visit; answers its id.
fn open_item(
    conn: &mut DbConn,
    user: &AuthUser,
    id: &str,
    p: &PairingRow,
    f: &VisitInput,
    c: &VisitCheck,
) -> Result<String, ApiError> {
    use crate::rectification::items::{days_after, open_in, NewItem};
    use shared::rectification::ProblemSource;
    let category = category_of(c.item);
    let item = open_in(
        conn,
        user,
        NewItem {
            id: None,
            source: ProblemSource::Visit,
            source_id: Some(uuid(id)?),
            source_ref: Some(format!("{} {}", f.visited_on, c.item.as_str())),
            county_code: p.county_code.clone(),
            person_id: Some(uuid(&p.person_id)?),
            household: p.household_number.clone(),
            category,
            description: c.note.as_deref().unwrap_or_default().trim().to_owned(),
            measure: Some(4),
            found_on: f.visited_on,
            deadline: days_after(f.visited_on, PROBLEM_DAYS),
        },
    )
    .map_err(|e| e.prefixed(&format!("checks.{}.", c.item.as_str())))?;
    Ok(item.to_string())
}

/// The rectification category of a problem found by a check (on a visit or an
/// inspection).
pub fn category_of(item: VisitCheckItem) -> shared::rectification::ProblemCategory {
    use shared::rectification::ProblemCategory;
    match item {
        VisitCheckItem::Food | VisitCheckItem::Clothing => ProblemCategory::FoodClothing,
        VisitCheckItem::Education => ProblemCategory::Education,
        VisitCheckItem::Medical => ProblemCategory::Medical,
        VisitCheckItem::Housing => ProblemCategory::Housing,
        VisitCheckItem::DrinkingWater => ProblemCategory::DrinkingWater,
    }
}

/// Days a county has to rectify a problem found on a visit.
pub const PROBLEM_DAYS: i64 = 30;

fn visit_json(v: &Visit) -> serde_json::Value {
    let problems: Vec<&str> = v
        .checks
        .iter()
        .filter(|c| c.check.result == CheckResult::Problem)
        .map(|c| c.check.item.as_str())
        .collect();
    serde_json::json!({"pairing_id": v.pairing_id, "visited_on": v.visited_on,
        "mode": v.mode, "problems": problems, "policies": v.policies})
}

fn audit_visit(
    conn: &mut DbConn,
    user: &AuthUser,
    action: AuditAction,
    v: &Visit,
    before: Option<serde_json::Value>,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Event {
            actor: user,
            action,
            entity_type: "visit",
            entity_id: v.id,
            owner_region: &v.county_code,
            reason: None,
            before,
            after: Some(visit_json(v)),
        },
    )
}

/// Records a visit (the pairing's cadre, or county staff). A re-send with the same
/// client id and body answers the stored visit (`false`) and opens nothing.
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &VisitCreate,
) -> Result<(bool, Visit), ApiError> {
    let f = &body.fields;
    let hash = crate::record::create_digest(pii, "visit", f)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, visits, id, &hash, user)? {
            return Ok((false, get(conn, user, id)?));
        }
        let p = check(conn, user, f)?;
        let at = now();
        diesel::insert_into(visits::table)
            .values((
                visits::id.eq(id.to_string()),
                visits::pairing_id.eq(&p.id),
                visits::county_code.eq(&p.county_code),
                visits::city_code.eq(&p.city_code),
                visits::visited_on.eq(f.visited_on),
                visits::mode.eq(f.mode.as_str()),
                visits::help_given.eq(f
                    .help_given
                    .as_deref()
                    .map(str::trim)
                    .filter(|h| !h.is_empty())),
                visits::create_hash.eq(&hash),
                visits::version.eq(1),
                visits::created_at.eq(at),
                visits::created_by.eq(user.id.to_string()),
                visits::updated_at.eq(at),
                visits::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        write_details(conn, user, &id.to_string(), &p, f)?;
        let v = get(conn, user, id)?;
        audit_visit(conn, user, AuditAction::Create, &v, None)?;
        Ok((true, v))
    })
}

/// Changes a visit (its cadre, or county staff) against the version the client saw: a
/// stale one is 409 `stale_version` with the visit as it is now in `current`, and
/// nothing is written. A check newly marked problem opens its rectification item.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    f: &VisitInput,
) -> Result<Visit, ApiError> {
    write_tx(conn, |conn| {
        let before = get(conn, user, id)?;
        if before.version != version {
            return Err(ApiError::stale_with(&before));
        }
        if f.pairing_id != before.pairing_id {
            return Err(ApiError::field(
                "pairing_id",
                "immutable",
                "a visit stays with its pairing",
            ));
        }
        let p = check(conn, user, f)?;
        let n = diesel::update(
            visits::table
                .filter(visits::id.eq(id.to_string()))
                .filter(visits::version.eq(version)),
        )
        .set((
            visits::visited_on.eq(f.visited_on),
            visits::mode.eq(f.mode.as_str()),
            visits::help_given.eq(f
                .help_given
                .as_deref()
                .map(str::trim)
                .filter(|h| !h.is_empty())),
            visits::version.eq(version + 1),
            visits::updated_at.eq(now()),
            visits::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(ApiError::stale_with(&get(conn, user, id)?));
        }
        write_details(conn, user, &id.to_string(), &p, f)?;
        let after = get(conn, user, id)?;
        audit_visit(
            conn,
            user,
            AuditAction::Update,
            &after,
            Some(visit_json(&before)),
        )?;
        Ok(after)
    })
}
