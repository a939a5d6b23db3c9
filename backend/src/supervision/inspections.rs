//! Unannounced inspections (四不两直, measure 22, attachment 2) and their KPI matrix.

use diesel::prelude::*;
use shared::api::AuditAction;
use shared::auth::{Capability, PLAN_OFFICE};
use shared::supervision::{
    Inspection, InspectionCreate, InspectionInput, InspectionMatrix, InspectionStatus, MatrixUnit,
};
use shared::visits::{CheckResult, VisitCheck};
use shared::FieldErrors;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{inspection_villages, inspections, org_units, villages};
use crate::db::{code, now, today, uuid, write_tx, DbConn};
use crate::error::ApiError;

type Backend = <DbConn as diesel::Connection>::Backend;

/// Days a county has to rectify a problem an inspection found.
pub const PROBLEM_DAYS: i64 = 30;

/// A row of `inspections`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inspections)]
pub struct InspectionRow {
    /// Id.
    pub id: String,
    /// Status.
    pub status: String,
    /// Department.
    pub department_code: String,
    /// Leader.
    pub leader_id: String,
    /// County.
    pub county_code: String,
    /// Planned day.
    pub planned_on: Option<chrono::NaiveDate>,
    /// Day of the visit.
    pub visited_on: Option<chrono::NaiveDate>,
    /// Households visited.
    pub households_visited: i32,
    /// Findings.
    pub findings: Option<String>,
    /// Filed at.
    pub filed_at: Option<chrono::NaiveDateTime>,
    /// Version.
    pub version: i64,
}

/// The inspections `user` may see: with `read_inspections`, those of counties in scope;
/// planned ones only when the user's scope is the whole province (never the inspected
/// county or its city).
pub fn visible(user: &AuthUser) -> Result<inspections::BoxedQuery<'static, Backend>, ApiError> {
    user.require(Capability::ReadInspections)?;
    let q = inspections::table
        .into_boxed()
        .filter(inspections::deleted_at.is_null());
    Ok(match &user.scope {
        Scope::Province => q,
        scope => crate::scope_filter!(q, scope, inspections)
            .filter(inspections::status.eq(InspectionStatus::Filed.as_str())),
    })
}

fn row(conn: &mut DbConn, user: &AuthUser, id: &str) -> Result<InspectionRow, ApiError> {
    Ok(visible(user)?
        .filter(inspections::id.eq(id))
        .select(InspectionRow::as_select())
        .first(conn)?)
}

fn to_api(conn: &mut DbConn, r: InspectionRow) -> Result<Inspection, ApiError> {
    let mut villages: Vec<String> = inspection_villages::table
        .filter(inspection_villages::inspection_id.eq(&r.id))
        .select(inspection_villages::village_code)
        .load(conn)?;
    villages.sort();
    let (checks, policies) = crate::read_checks!(
        conn,
        &r.id,
        inspection_checks(inspection_id),
        inspection_policies(inspection_id)
    );
    Ok(Inspection {
        id: uuid(&r.id)?,
        version: r.version,
        status: code(&r.status)?,
        department_name: super::unit_name(conn, &r.department_code)?,
        department_code: r.department_code,
        leader_name: super::user_name(conn, &r.leader_id)?,
        leader_id: uuid(&r.leader_id)?,
        county_name: super::unit_name(conn, &r.county_code)?,
        county_code: r.county_code,
        planned_on: r.planned_on,
        visited_on: r.visited_on,
        villages,
        households_visited: r.households_visited,
        checks,
        policies,
        findings: r.findings,
        filed_at: r.filed_at,
    })
}

/// An inspection visible to `user`.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Inspection, ApiError> {
    let r = row(conn, user, &id.to_string())?;
    to_api(conn, r)
}

/// Filters of `GET /api/v1/inspections`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InspectionQuery {
    /// Only planned or only filed ones.
    pub status: Option<InspectionStatus>,
    /// Only this department's.
    pub department: Option<String>,
    /// Only this city (4 digits) or county (6 digits).
    pub area: Option<String>,
    /// Only those visited (or, when planned, planned) in this year.
    pub year: Option<i32>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// A page of the inspections visible to `user`.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &InspectionQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Inspection>, ApiError> {
    let mut q = visible(user)?;
    if let Some(s) = f.status {
        q = q.filter(inspections::status.eq(s.as_str()));
    }
    if let Some(d) = f.department.as_deref() {
        if !shared::supervision::is_department_code(d) {
            return Err(ApiError::field(
                "department",
                "invalid_value",
                "a department's code, such as 43.rights",
            ));
        }
        q = q.filter(inspections::department_code.eq(d.to_owned()));
    }
    if let Some(area) = f.area.as_deref() {
        q = q.filter(inspections::county_code.like(crate::org::queries::area_pattern(area)?));
    }
    if let Some(year) = f.year {
        let (first, last) = super::stationings::year_bounds(year)?;
        q = q.filter(
            inspections::visited_on
                .between(first, last)
                .or(inspections::visited_on
                    .is_null()
                    .and(inspections::planned_on.between(first, last))),
        );
    }
    if let Some(a) = after {
        q = q.filter(inspections::id.gt(a.to_owned()));
    }
    let rows: Vec<InspectionRow> = q
        .order(inspections::id.asc())
        .limit(limit)
        .select(InspectionRow::as_select())
        .load(conn)?;
    rows.into_iter().map(|r| to_api(conn, r)).collect()
}

/// Whether `user` records the inspections of `department`: its own users holding
/// `inspect`, and the poverty office for any department.
fn may_write(user: &AuthUser, department: &str) -> bool {
    user.can(Capability::Inspect) && (user.unit_code == department || user.unit_code == PLAN_OFFICE)
}

/// Checks an inspection against the database; answers the county's city.
fn check(conn: &mut DbConn, user: &AuthUser, f: &InspectionInput) -> Result<String, ApiError> {
    let mut errs = FieldErrors(f.validate(today()).err().unwrap_or_default());
    if !super::is_department(conn, &f.department_code)? {
        errs.add(
            "department_code",
            "not_found",
            "no such department of the provincial DPF",
        );
    } else if !may_write(user, &f.department_code) {
        errs.add(
            "department_code",
            "outside_scope",
            "you record your own department's inspections",
        );
    }
    check_leader(conn, &mut errs, f)?;
    let city = super::check_county(conn, &mut errs, "county_code", &f.county_code)?;
    let shaped = f.villages.len() <= shared::supervision::MAX_VILLAGES
        && f.villages
            .iter()
            .all(|v| shared::supervision::is_village_code(v));
    if city.is_some() && !f.villages.is_empty() && shaped {
        let found: Vec<String> = villages::table
            .filter(villages::code.eq_any(&f.villages))
            .select(villages::code)
            .load(conn)?;
        for (i, v) in f.villages.iter().enumerate() {
            if !found.contains(v) {
                errs.add(&format!("villages[{i}]"), "not_found", "no such village");
            } else if !v.starts_with(&f.county_code) {
                errs.add(
                    &format!("villages[{i}]"),
                    "inconsistent",
                    "the village lies in another county",
                );
            }
        }
    }
    match (city, errs.is_empty()) {
        (Some(city), true) => Ok(city),
        _ => Err(ApiError::Validation(errs.0)),
    }
}

/// Checks the inspection's leader: an enabled cadre of the inspecting department, or a
/// leader of the provincial DPF.
fn check_leader(
    conn: &mut DbConn,
    errs: &mut FieldErrors,
    f: &InspectionInput,
) -> Result<(), ApiError> {
    use crate::db::schema::users;
    let found: Option<(String, bool, String)> = users::table
        .find(f.leader_id.to_string())
        .select((users::unit_code, users::disabled, users::roles))
        .first(conn)
        .optional()?;
    let Some((unit, disabled, roles)) = found else {
        errs.add("leader_id", "not_found", "no such user");
        return Ok(());
    };
    if disabled {
        errs.add("leader_id", "account_disabled", "the account is disabled");
        return Ok(());
    }
    let roles = crate::users::queries::parse_roles(&roles)?;
    let cadre = roles
        .iter()
        .any(|r| !matches!(r, shared::auth::Role::Admin | shared::auth::Role::Auditor));
    let of_department = unit == f.department_code && cadre;
    let provincial_leader =
        (unit == "43" || unit.starts_with("43.")) && roles.contains(&shared::auth::Role::Leader);
    if !(of_department || provincial_leader) {
        errs.add(
            "leader_id",
            "invalid_value",
            "a cadre of the inspecting department or a leader of the provincial DPF",
        );
    }
    Ok(())
}

/// Writes the villages, checks and policies of inspection `id`; when `filing`, opens a
/// rectification item for each check that found a problem.
fn write_details(
    conn: &mut DbConn,
    user: &AuthUser,
    id: &str,
    f: &InspectionInput,
) -> Result<(), ApiError> {
    let filing = f.status == InspectionStatus::Filed;
    diesel::delete(inspection_villages::table.filter(inspection_villages::inspection_id.eq(id)))
        .execute(conn)?;
    for v in &f.villages {
        diesel::insert_into(inspection_villages::table)
            .values((
                inspection_villages::inspection_id.eq(id),
                inspection_villages::village_code.eq(v),
            ))
            .execute(conn)?;
    }
    crate::write_checks!(
        conn,
        id,
        inspection_checks(inspection_id),
        inspection_policies(inspection_id),
        f,
        |conn: &mut DbConn, c: &VisitCheck| {
            if filing && c.result == CheckResult::Problem {
                open_item(conn, user, id, f, c).map(Some)
            } else {
                Ok(None)
            }
        }
    );
    Ok(())
}

/// Opens the rectification item of a problem an inspection found (source
/// `inspection`, measure 22), for the inspected county, due a month after the visit.
fn open_item(
    conn: &mut DbConn,
    user: &AuthUser,
    id: &str,
    f: &InspectionInput,
    c: &VisitCheck,
) -> Result<String, ApiError> {
    use crate::rectification::items::{days_after, open_in, NewItem};
    use shared::rectification::ProblemSource;
    let day = f.visited_on.unwrap_or_else(today);
    let item = open_in(
        conn,
        user,
        NewItem {
            id: None,
            source: ProblemSource::Inspection,
            source_id: Some(uuid(id)?),
            source_ref: Some(format!("{day} {}", c.item.as_str())),
            county_code: f.county_code.clone(),
            person_id: None,
            household: None,
            category: crate::visits::records::category_of(c.item),
            description: c.note.as_deref().unwrap_or_default().trim().to_owned(),
            measure: Some(22),
            found_on: day,
            deadline: days_after(day, PROBLEM_DAYS),
        },
    )
    .map_err(|e| e.prefixed(&format!("checks.{}.", c.item.as_str())))?;
    Ok(item.to_string())
}

fn audit_inspection(
    conn: &mut DbConn,
    user: &AuthUser,
    action: AuditAction,
    i: &Inspection,
) -> Result<(), ApiError> {
    let problems: Vec<&str> = i
        .checks
        .iter()
        .filter(|c| c.check.result == CheckResult::Problem)
        .map(|c| c.check.item.as_str())
        .collect();
    // Planned inspections are logged at the province, so that the inspected county's
    // auditors do not learn of them before they are filed.
    let region = match i.status {
        InspectionStatus::Planned => "43",
        InspectionStatus::Filed => i.county_code.as_str(),
    };
    audit::record(
        conn,
        Event {
            actor: user,
            action,
            entity_type: "inspection",
            entity_id: i.id,
            owner_region: region,
            reason: None,
            before: None,
            after: Some(
                serde_json::json!({"status": i.status, "department_code": i.department_code,
                "county_code": i.county_code, "planned_on": i.planned_on, "visited_on": i.visited_on,
                "problems": problems}),
            ),
        },
    )
}

/// Plans or records an inspection (the department's users, the poverty office). A
/// re-send with the same client id and body answers the stored record and opens
/// nothing twice.
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &InspectionCreate,
) -> Result<(bool, Inspection), ApiError> {
    user.require(Capability::Inspect)?;
    let f = &body.fields;
    let hash = crate::record::create_digest(pii, "inspection", f)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, inspections, id, &hash, user)? {
            return Ok((false, get(conn, user, id)?));
        }
        let city = check(conn, user, f)?;
        let at = now();
        let filed = f.status == InspectionStatus::Filed;
        diesel::insert_into(inspections::table)
            .values((
                inspections::id.eq(id.to_string()),
                inspections::status.eq(f.status.as_str()),
                inspections::department_code.eq(&f.department_code),
                inspections::leader_id.eq(f.leader_id.to_string()),
                inspections::county_code.eq(&f.county_code),
                inspections::city_code.eq(&city),
                inspections::planned_on.eq(f.planned_on),
                inspections::visited_on.eq(f.visited_on),
                inspections::households_visited.eq(f.households_visited),
                inspections::findings.eq(f
                    .findings
                    .as_deref()
                    .map(str::trim)
                    .filter(|t| !t.is_empty())),
                inspections::filed_at.eq(filed.then_some(at)),
                inspections::filed_by.eq(filed.then(|| user.id.to_string())),
                inspections::create_hash.eq(&hash),
                inspections::version.eq(1),
                inspections::created_at.eq(at),
                inspections::created_by.eq(user.id.to_string()),
                inspections::updated_at.eq(at),
                inspections::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        write_details(conn, user, &id.to_string(), f)?;
        let i = get(conn, user, id)?;
        audit_inspection(conn, user, AuditAction::Create, &i)?;
        Ok((true, i))
    })
}

/// The planned inspection `id` that `user` may change (409 once filed).
fn planned(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
) -> Result<Inspection, ApiError> {
    let before = get(conn, user, id)?;
    if !may_write(user, &before.department_code) {
        return Err(ApiError::Forbidden(
            "only the inspecting department changes its inspection".into(),
        ));
    }
    if before.version != version {
        return Err(ApiError::stale_with(&before));
    }
    if before.status == InspectionStatus::Filed {
        return Err(ApiError::Conflict {
            code: "not_editable",
            detail: "a filed inspection is final".into(),
        });
    }
    Ok(before)
}

/// Changes a planned inspection against the version seen; status `filed` files it
/// (final; the problems become rectification items in the same transaction).
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    f: &InspectionInput,
) -> Result<Inspection, ApiError> {
    user.require(Capability::Inspect)?;
    write_tx(conn, |conn| {
        planned(conn, user, id, version)?;
        let city = check(conn, user, f)?;
        let at = now();
        let filed = f.status == InspectionStatus::Filed;
        let n = diesel::update(
            inspections::table
                .filter(inspections::id.eq(id.to_string()))
                .filter(inspections::version.eq(version)),
        )
        .set((
            inspections::status.eq(f.status.as_str()),
            inspections::department_code.eq(&f.department_code),
            inspections::leader_id.eq(f.leader_id.to_string()),
            inspections::county_code.eq(&f.county_code),
            inspections::city_code.eq(&city),
            inspections::planned_on.eq(f.planned_on),
            inspections::visited_on.eq(f.visited_on),
            inspections::households_visited.eq(f.households_visited),
            inspections::findings.eq(f
                .findings
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())),
            inspections::filed_at.eq(filed.then_some(at)),
            inspections::filed_by.eq(filed.then(|| user.id.to_string())),
            inspections::version.eq(version + 1),
            inspections::updated_at.eq(at),
            inspections::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        write_details(conn, user, &id.to_string(), f)?;
        let after = get(conn, user, id)?;
        audit_inspection(conn, user, AuditAction::Update, &after)?;
        Ok(after)
    })
}

/// Deletes a planned inspection (the department's users).
pub fn delete(conn: &mut DbConn, user: &AuthUser, id: Uuid, version: i64) -> Result<(), ApiError> {
    user.require(Capability::Inspect)?;
    write_tx(conn, |conn| {
        let before = planned(conn, user, id, version)?;
        let n = diesel::update(
            inspections::table
                .filter(inspections::id.eq(id.to_string()))
                .filter(inspections::version.eq(version)),
        )
        .set((
            inspections::deleted_at.eq(Some(now())),
            inspections::deleted_by.eq(Some(user.id.to_string())),
            inspections::version.eq(version + 1),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        audit_inspection(conn, user, AuditAction::Delete, &before)
    })
}

/// Measure 22's matrix for `year` and `area` (a region `user` covers): the departments
/// tasked in a stationing in force during the year × the area's counties no one was
/// stationed in, each cell the inspections filed that year.
pub fn matrix(
    conn: &mut DbConn,
    user: &AuthUser,
    year: i32,
    area: &str,
) -> Result<InspectionMatrix, ApiError> {
    if !(user.can(Capability::ReadKpi) || user.can(Capability::ReadInspections)) {
        return Err(ApiError::Forbidden(
            "your roles do not allow read_kpi".into(),
        ));
    }
    if Scope::from_region(area).is_none() || !user.scope.covers_region(area) {
        return Err(ApiError::NotFound);
    }
    let known: Option<String> = org_units::table
        .filter(org_units::code.eq(area))
        .filter(org_units::region_code.eq(area))
        .select(org_units::code)
        .first(conn)
        .optional()?;
    if known.is_none() {
        return Err(ApiError::NotFound);
    }
    let (first, last) = super::stationings::year_bounds(year)?;
    let (departments, stationed) = super::stationings::tasked(conn, first, last)?;
    let counties: Vec<(String, String)> = org_units::table
        .filter(org_units::region_code.like(format!("{area}%")))
        .filter(org_units::code.eq(org_units::region_code))
        .select((org_units::code, org_units::name))
        .order(org_units::code.asc())
        .load::<(String, String)>(conn)?
        .into_iter()
        .filter(|(c, _)| c.len() == 6)
        .collect();
    let filed: Vec<(String, String)> = inspections::table
        .filter(inspections::deleted_at.is_null())
        .filter(inspections::status.eq(InspectionStatus::Filed.as_str()))
        .filter(inspections::visited_on.between(first, last))
        .filter(inspections::county_code.like(format!("{area}%")))
        .filter(inspections::department_code.eq_any(&departments))
        .select((inspections::department_code, inspections::county_code))
        .load(conn)?;
    let mut counts: std::collections::HashMap<(String, String), i64> = Default::default();
    for key in filed {
        *counts.entry(key).or_default() += 1;
    }
    let unit = |conn: &mut DbConn, code: &str| -> Result<MatrixUnit, ApiError> {
        Ok(MatrixUnit {
            code: code.to_owned(),
            name: super::unit_name(conn, code)?,
        })
    };
    let (open, stationed_here): (Vec<_>, Vec<_>) = counties
        .into_iter()
        .partition(|(c, _)| !stationed.contains(c));
    let grid: Vec<Vec<i64>> = departments
        .iter()
        .map(|d| {
            open.iter()
                .map(|(c, _)| counts.get(&(d.clone(), c.clone())).copied().unwrap_or(0))
                .collect()
        })
        .collect();
    let covered = grid.iter().flatten().filter(|n| **n > 0).count();
    let cells = departments.len() * open.len();
    Ok(InspectionMatrix {
        year,
        area: area.to_owned(),
        departments: departments
            .iter()
            .map(|d| unit(conn, d))
            .collect::<Result<_, _>>()?,
        counties: open
            .into_iter()
            .map(|(code, name)| MatrixUnit { code, name })
            .collect(),
        filed: grid,
        covered: i64::try_from(covered).unwrap_or(i64::MAX),
        cells: i64::try_from(cells).unwrap_or(i64::MAX),
        stationed: stationed_here
            .into_iter()
            .map(|(code, name)| MatrixUnit { code, name })
            .collect(),
    })
}
