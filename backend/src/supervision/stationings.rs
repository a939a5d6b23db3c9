//! Stationed supervision (蹲点督战, attachment 3): which provincial leader is stationed in
//! which county, with which departments tasked alongside, and the stationing's log.

use diesel::prelude::*;
use shared::api::AuditAction;
use shared::auth::{Capability, Role};
use shared::supervision::{
    Stationing, StationingCreate, StationingInput, StationingLogEntry, StationingLogInput,
};
use shared::FieldErrors;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::AuthUser;
use crate::db::schema::{stationing_departments, stationing_logs, stationings};
use crate::db::{now, today, uuid, write_tx, DbConn};
use crate::error::ApiError;

type Backend = <DbConn as diesel::Connection>::Backend;

/// A row of `stationings`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = stationings)]
pub struct StationingRow {
    /// Id.
    pub id: String,
    /// The stationed leader.
    pub leader_id: String,
    /// County.
    pub county_code: String,
    /// First day.
    pub from_on: chrono::NaiveDate,
    /// Last day.
    pub to_on: Option<chrono::NaiveDate>,
    /// Remark.
    pub note: Option<String>,
    /// Version.
    pub version: i64,
}

/// The stationings `user` may see: those of counties in scope, for holders of
/// `read_inspections` or `manage_stationings`; nothing otherwise.
pub fn visible(user: &AuthUser) -> Result<stationings::BoxedQuery<'static, Backend>, ApiError> {
    if !(user.can(Capability::ReadInspections) || user.can(Capability::ManageStationings)) {
        return Err(ApiError::Forbidden(
            "your roles do not allow read_inspections".into(),
        ));
    }
    let q = stationings::table.into_boxed();
    Ok(crate::scope_filter!(q, &user.scope, stationings))
}

fn row(conn: &mut DbConn, user: &AuthUser, id: &str) -> Result<StationingRow, ApiError> {
    Ok(visible(user)?
        .filter(stationings::id.eq(id))
        .select(StationingRow::as_select())
        .first(conn)?)
}

fn to_api(conn: &mut DbConn, r: StationingRow) -> Result<Stationing, ApiError> {
    let mut departments: Vec<String> = stationing_departments::table
        .filter(stationing_departments::stationing_id.eq(&r.id))
        .select(stationing_departments::department_code)
        .load(conn)?;
    departments.sort();
    let logs: Vec<(String, chrono::NaiveDate, String, String)> = stationing_logs::table
        .filter(stationing_logs::stationing_id.eq(&r.id))
        .order((stationing_logs::on_day.asc(), stationing_logs::id.asc()))
        .select((
            stationing_logs::id,
            stationing_logs::on_day,
            stationing_logs::text,
            stationing_logs::created_by,
        ))
        .load(conn)?;
    let log = logs
        .into_iter()
        .map(|(id, on, text, by)| {
            Ok(StationingLogEntry {
                id: uuid(&id)?,
                on,
                text,
                written_by: super::user_name(conn, &by)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Stationing {
        id: uuid(&r.id)?,
        version: r.version,
        leader_name: super::user_name(conn, &r.leader_id)?,
        county_name: super::unit_name(conn, &r.county_code)?,
        fields: StationingInput {
            leader_id: uuid(&r.leader_id)?,
            county_code: r.county_code,
            departments,
            from_on: r.from_on,
            to_on: r.to_on,
            note: r.note,
        },
        log,
    })
}

/// A stationing visible to `user`.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Stationing, ApiError> {
    let r = row(conn, user, &id.to_string())?;
    to_api(conn, r)
}

/// Filters of `GET /api/v1/stationings`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StationingQuery {
    /// Only stationings in force at some time of this year.
    pub year: Option<i32>,
    /// Only this city (4 digits) or county (6 digits).
    pub area: Option<String>,
}

/// The first and last day of `year` (422 on the field `year` when out of range).
pub(crate) fn year_bounds(year: i32) -> Result<(chrono::NaiveDate, chrono::NaiveDate), ApiError> {
    let bad = || ApiError::field("year", "out_of_range", "a year from 2000 to 2100");
    if !(2000..=2100).contains(&year) {
        return Err(bad());
    }
    let first = chrono::NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad)?;
    let last = chrono::NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(bad)?;
    Ok((first, last))
}

/// The stationings visible to `user` (at most a province's worth: no paging).
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &StationingQuery,
) -> Result<Vec<Stationing>, ApiError> {
    let mut q = visible(user)?;
    if let Some(area) = f.area.as_deref() {
        q = q.filter(stationings::county_code.like(crate::org::queries::area_pattern(area)?));
    }
    if let Some(year) = f.year {
        let (first, last) = year_bounds(year)?;
        q = q.filter(stationings::from_on.le(last)).filter(
            stationings::to_on
                .is_null()
                .or(stationings::to_on.ge(first)),
        );
    }
    let rows: Vec<StationingRow> = q
        .order((stationings::county_code.asc(), stationings::from_on.asc()))
        .limit(1000)
        .select(StationingRow::as_select())
        .load(conn)?;
    rows.into_iter().map(|r| to_api(conn, r)).collect()
}

/// Checks a stationing against the database: the leader, the county, the departments,
/// and no other stationing of the county overlapping it. Answers the county's city.
fn check(conn: &mut DbConn, f: &StationingInput, except: &str) -> Result<String, ApiError> {
    let mut errs = FieldErrors(f.validate().err().unwrap_or_default());
    super::check_provincial_user(
        conn,
        &mut errs,
        "leader_id",
        f.leader_id,
        Some(Role::Leader),
    )?;
    let city = super::check_county(conn, &mut errs, "county_code", &f.county_code)?;
    for (i, d) in f.departments.iter().enumerate() {
        if !super::is_department(conn, d)? {
            errs.add(
                &format!("departments[{i}]"),
                "not_found",
                "no such department of the provincial DPF",
            );
        }
    }
    // Two stationings of one county written at once see each other.
    crate::db::advisory_lock(conn, &[format!("stationing:{}", f.county_code)])?;
    let others: Vec<(chrono::NaiveDate, Option<chrono::NaiveDate>)> = stationings::table
        .filter(stationings::county_code.eq(&f.county_code))
        .filter(stationings::id.ne(except))
        .select((stationings::from_on, stationings::to_on))
        .load(conn)?;
    let overlaps = others
        .iter()
        .any(|(from, to)| f.to_on.is_none_or(|t| t >= *from) && to.is_none_or(|t| f.from_on <= t));
    if overlaps {
        errs.add(
            "county_code",
            "duplicate",
            "a leader is already stationed in this county then",
        );
    }
    match (city, errs.is_empty()) {
        (Some(city), true) => Ok(city),
        _ => Err(ApiError::Validation(errs.0)),
    }
}

fn write_departments(conn: &mut DbConn, id: &str, f: &StationingInput) -> Result<(), ApiError> {
    diesel::delete(
        stationing_departments::table.filter(stationing_departments::stationing_id.eq(id)),
    )
    .execute(conn)?;
    for d in &f.departments {
        diesel::insert_into(stationing_departments::table)
            .values((
                stationing_departments::stationing_id.eq(id),
                stationing_departments::department_code.eq(d),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn audit_stationing(
    conn: &mut DbConn,
    user: &AuthUser,
    action: AuditAction,
    s: &Stationing,
    before: Option<&Stationing>,
) -> Result<(), ApiError> {
    let json = |s: &Stationing| serde_json::to_value(&s.fields).ok();
    audit::record(
        conn,
        Event {
            actor: user,
            action,
            entity_type: "stationing",
            entity_id: s.id,
            owner_region: &s.fields.county_code,
            reason: None,
            before: before.and_then(json),
            after: json(s),
        },
    )
}

/// Stations a leader in a county (the poverty office).
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &StationingCreate,
) -> Result<(bool, Stationing), ApiError> {
    user.require(Capability::ManageStationings)?;
    let f = &body.fields;
    let hash = crate::record::create_digest(pii, "stationing", f)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        crate::record::lock_id(conn, &id)?;
        let stored: Option<(Option<String>, String, String)> = stationings::table
            .find(id.to_string())
            .select((
                stationings::create_hash,
                stationings::created_by,
                stationings::county_code,
            ))
            .first(conn)
            .optional()?;
        if let Some((h, by, county)) = stored {
            crate::record::replay(
                crate::record::Existing {
                    create_hash: h.as_deref(),
                    created_by: &by,
                    deleted: false,
                    in_scope: user.scope.covers_region(&county),
                },
                &hash,
                user,
            )?;
            return Ok((false, get(conn, user, id)?));
        }
        let city = check(conn, f, "")?;
        let at = now();
        diesel::insert_into(stationings::table)
            .values((
                stationings::id.eq(id.to_string()),
                stationings::leader_id.eq(f.leader_id.to_string()),
                stationings::county_code.eq(&f.county_code),
                stationings::city_code.eq(&city),
                stationings::from_on.eq(f.from_on),
                stationings::to_on.eq(f.to_on),
                stationings::note.eq(f.note.as_deref().map(str::trim).filter(|n| !n.is_empty())),
                stationings::create_hash.eq(&hash),
                stationings::version.eq(1),
                stationings::created_at.eq(at),
                stationings::created_by.eq(user.id.to_string()),
                stationings::updated_at.eq(at),
                stationings::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        write_departments(conn, &id.to_string(), f)?;
        let s = get(conn, user, id)?;
        audit_stationing(conn, user, AuditAction::Create, &s, None)?;
        Ok((true, s))
    })
}

/// Changes a stationing (the poverty office) against the version seen.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    f: &StationingInput,
) -> Result<Stationing, ApiError> {
    user.require(Capability::ManageStationings)?;
    write_tx(conn, |conn| {
        let before = get(conn, user, id)?;
        if before.version != version {
            return Err(ApiError::stale_with(&before));
        }
        let city = check(conn, f, &id.to_string())?;
        let n = diesel::update(
            stationings::table
                .filter(stationings::id.eq(id.to_string()))
                .filter(stationings::version.eq(version)),
        )
        .set((
            stationings::leader_id.eq(f.leader_id.to_string()),
            stationings::county_code.eq(&f.county_code),
            stationings::city_code.eq(&city),
            stationings::from_on.eq(f.from_on),
            stationings::to_on.eq(f.to_on),
            stationings::note.eq(f.note.as_deref().map(str::trim).filter(|n| !n.is_empty())),
            stationings::version.eq(version + 1),
            stationings::updated_at.eq(now()),
            stationings::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        write_departments(conn, &id.to_string(), f)?;
        let after = get(conn, user, id)?;
        audit_stationing(conn, user, AuditAction::Update, &after, Some(&before))?;
        Ok(after)
    })
}

/// Adds an entry to a stationing's log: the stationed leader or the poverty office. A
/// re-send with the same client id and body answers the stationing unchanged.
pub fn add_log(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    id: Uuid,
    body: &StationingLogInput,
) -> Result<(bool, Stationing), ApiError> {
    let hash = crate::record::create_digest(pii, "stationing_log", &(id, &body.on, &body.text))?;
    write_tx(conn, |conn| {
        let s = get(conn, user, id)?;
        let mine = s.fields.leader_id == user.id;
        if !mine && !user.can(Capability::ManageStationings) {
            return Err(ApiError::Forbidden(
                "only the stationed leader or the poverty office write the log".into(),
            ));
        }
        let entry = body.id.unwrap_or_else(Uuid::now_v7);
        crate::record::lock_id(conn, &entry)?;
        let stored: Option<(Option<String>, String, String)> = stationing_logs::table
            .find(entry.to_string())
            .select((
                stationing_logs::create_hash,
                stationing_logs::created_by,
                stationing_logs::stationing_id,
            ))
            .first(conn)
            .optional()?;
        if let Some((h, by, of)) = stored {
            crate::record::replay(
                crate::record::Existing {
                    create_hash: h.as_deref(),
                    created_by: &by,
                    deleted: false,
                    in_scope: of == id.to_string(),
                },
                &hash,
                user,
            )?;
            return Ok((false, s));
        }
        let mut errs = FieldErrors(body.validate(today()).err().unwrap_or_default());
        let within = s.fields.from_on <= body.on && s.fields.to_on.is_none_or(|t| body.on <= t);
        if !within {
            errs.add(
                "on",
                "out_of_range",
                "the day lies outside the stationing's period",
            );
        }
        errs.into_result(()).map_err(ApiError::Validation)?;
        diesel::insert_into(stationing_logs::table)
            .values((
                stationing_logs::id.eq(entry.to_string()),
                stationing_logs::stationing_id.eq(id.to_string()),
                stationing_logs::on_day.eq(body.on),
                stationing_logs::text.eq(body.text.trim()),
                stationing_logs::create_hash.eq(&hash),
                stationing_logs::created_at.eq(now()),
                stationing_logs::created_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "stationing_log",
                entity_id: entry,
                owner_region: &s.fields.county_code,
                reason: None,
                before: None,
                after: Some(serde_json::json!({"stationing_id": id, "on": body.on})),
            },
        )?;
        Ok((true, get(conn, user, id)?))
    })
}

/// The departments tasked and the counties stationed in during `[first, last]`.
pub(crate) fn tasked(
    conn: &mut DbConn,
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
) -> Result<(Vec<String>, Vec<String>), ApiError> {
    let active = stationings::table
        .filter(stationings::from_on.le(last))
        .filter(
            stationings::to_on
                .is_null()
                .or(stationings::to_on.ge(first)),
        );
    let mut counties: Vec<String> = active.select(stationings::county_code).load(conn)?;
    counties.sort();
    counties.dedup();
    let ids: Vec<String> = active.select(stationings::id).load(conn)?;
    let mut departments: Vec<String> = stationing_departments::table
        .filter(stationing_departments::stationing_id.eq_any(ids))
        .select(stationing_departments::department_code)
        .load(conn)?;
    departments.sort();
    departments.dedup();
    Ok((departments, counties))
}
