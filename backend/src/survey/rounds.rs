//! Survey rounds: opening one, reading them, and each round's progress, work list and
//! problem list per unit.

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;
use shared::api::AuditAction;
use shared::auth::Capability;
use shared::rectification::RectificationStatus;
use shared::survey::{
    ProgressRow, RoundCreate, RoundPerson, RoundProgress, SurveyProblem, SurveyRound,
};
use shared::FieldErrors;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::AuthUser;
use crate::db::schema::{
    org_units, persons, rectification_items, survey_checks, survey_round_units, survey_rounds,
    surveys, villages,
};
use crate::db::{code, now, uuid, write_tx, DbConn};
use crate::error::ApiError;

/// A row of `survey_rounds`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = survey_rounds)]
pub struct RoundRow {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// First day.
    pub from_on: chrono::NaiveDate,
    /// Last day.
    pub to_on: chrono::NaiveDate,
    /// Area.
    pub area_code: String,
    /// Version.
    pub version: i64,
    /// Creator (user id).
    pub created_by: String,
}

/// A live round whose area overlaps `user`'s scope; 404 otherwise.
pub fn row(conn: &mut DbConn, user: &AuthUser, id: &str) -> Result<RoundRow, ApiError> {
    let r: RoundRow = survey_rounds::table
        .find(id)
        .filter(survey_rounds::deleted_at.is_null())
        .select(RoundRow::as_select())
        .first(conn)?;
    if super::overlaps(user.scope.region(), &r.area_code) {
        Ok(r)
    } else {
        Err(ApiError::NotFound)
    }
}

/// The counties assigned to round `id`, sorted.
pub fn units(conn: &mut DbConn, id: &str) -> Result<Vec<String>, ApiError> {
    Ok(survey_round_units::table
        .filter(survey_round_units::round_id.eq(id))
        .order(survey_round_units::county_code.asc())
        .select(survey_round_units::county_code)
        .load(conn)?)
}

fn to_api(conn: &mut DbConn, r: RoundRow) -> Result<SurveyRound, ApiError> {
    Ok(SurveyRound {
        id: uuid(&r.id)?,
        version: r.version,
        units: units(conn, &r.id)?,
        created_by: crate::users::queries::login_of(conn, &r.created_by)?,
        title: r.title,
        from_on: r.from_on,
        to_on: r.to_on,
        area_code: r.area_code,
    })
}

/// A round `user` may see.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<SurveyRound, ApiError> {
    super::reader(user)?;
    let r = row(conn, user, &id.to_string())?;
    to_api(conn, r)
}

/// A page of the rounds `user` may see, latest first (by first day, then id); the
/// cursor's key is `first day/id` (a `|` would read as the cursor's timestamp).
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<SurveyRound>, ApiError> {
    super::reader(user)?;
    let region = user.scope.region().to_owned();
    // Rounds of the caller's area or below, and of the areas above it.
    let above: Vec<String> = [2, 4]
        .into_iter()
        .filter(|n| *n < region.len())
        .map(|n| region[..n].to_owned())
        .collect();
    let mut q = survey_rounds::table
        .filter(survey_rounds::deleted_at.is_null())
        .filter(
            survey_rounds::area_code
                .like(format!("{region}%"))
                .or(survey_rounds::area_code.eq_any(above)),
        )
        .into_boxed();
    if let Some(a) = after {
        let bad = || ApiError::field("cursor", "invalid_cursor", "not a cursor of this list");
        let (day, id) = a.split_once('/').ok_or_else(bad)?;
        let day: chrono::NaiveDate = day.parse().map_err(|_| bad())?;
        // Rounds lie in 2000–2100: a day outside is no cursor of ours (and a year such as
        // -100000 is outside PostgreSQL's dates).
        if !(2000..=2100).contains(&chrono::Datelike::year(&day)) {
            return Err(bad());
        }
        q = q.filter(
            survey_rounds::from_on.lt(day).or(survey_rounds::from_on
                .eq(day)
                .and(survey_rounds::id.lt(id.to_owned()))),
        );
    }
    let rows: Vec<RoundRow> = q
        .order((survey_rounds::from_on.desc(), survey_rounds::id.desc()))
        .limit(limit)
        .select(RoundRow::as_select())
        .load(conn)?;
    rows.into_iter().map(|r| to_api(conn, r)).collect()
}

/// The cursor key of a round in [`list`].
pub fn cursor_key(r: &SurveyRound) -> String {
    format!("{}/{}", r.from_on, r.id)
}

/// Opens a round (`manage_surveys`) for an area inside the caller's scope. With no
/// counties named, every county of the area is assigned. A re-send with the same client
/// id and body answers the stored round (`false`).
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &RoundCreate,
) -> Result<(bool, SurveyRound), ApiError> {
    user.require(Capability::ManageSurveys)?;
    let f = &body.fields;
    f.validate().map_err(ApiError::Validation)?;
    let hash = crate::record::create_digest(pii, "survey_round", f)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        crate::record::lock_id(conn, &id)?;
        let stored: Option<(Option<String>, String, bool, String)> = survey_rounds::table
            .find(id.to_string())
            .select((
                survey_rounds::create_hash,
                survey_rounds::created_by,
                survey_rounds::deleted_at.is_not_null(),
                survey_rounds::area_code,
            ))
            .first(conn)
            .optional()?;
        if let Some((h, by, deleted, area)) = stored {
            crate::record::replay(
                crate::record::Existing {
                    create_hash: h.as_deref(),
                    created_by: &by,
                    deleted,
                    in_scope: user.scope.covers_region(&area),
                },
                &hash,
                user,
            )?;
            return Ok((false, get(conn, user, id)?));
        }
        let mut errs = FieldErrors::new();
        if !user.scope.covers_region(&f.area_code) {
            errs.add("area_code", "outside_scope", "an area inside your own");
        }
        let counties: Vec<String> = org_units::table
            .filter(org_units::kind.eq(shared::OrgUnitKind::County.as_str()))
            .filter(org_units::code.like(format!("{}%", f.area_code)))
            .select(org_units::code)
            .load(conn)?;
        if counties.is_empty() && errs.is_empty() {
            errs.add("area_code", "invalid_region", "no county lies in this area");
        }
        for (i, u) in f.units.iter().enumerate() {
            if !counties.contains(u) {
                errs.add(&format!("units[{i}]"), "not_found", "no such county");
            }
        }
        errs.into_result(()).map_err(ApiError::Validation)?;
        let assigned = if f.units.is_empty() {
            counties
        } else {
            f.units.clone()
        };
        let at = now();
        let me = user.id.to_string();
        diesel::insert_into(survey_rounds::table)
            .values((
                survey_rounds::id.eq(id.to_string()),
                survey_rounds::title.eq(f.title.trim()),
                survey_rounds::from_on.eq(f.from_on),
                survey_rounds::to_on.eq(f.to_on),
                survey_rounds::area_code.eq(&f.area_code),
                survey_rounds::create_hash.eq(&hash),
                survey_rounds::version.eq(1),
                survey_rounds::created_at.eq(at),
                survey_rounds::created_by.eq(&me),
                survey_rounds::updated_at.eq(at),
                survey_rounds::updated_by.eq(&me),
            ))
            .execute(conn)?;
        let rows: Vec<_> = assigned
            .iter()
            .map(|c| {
                (
                    survey_round_units::round_id.eq(id.to_string()),
                    survey_round_units::county_code.eq(c.as_str()),
                )
            })
            .collect();
        crate::db::batch_insert!(conn, survey_round_units::table, rows)?;
        let r = get(conn, user, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "survey_round",
                entity_id: r.id,
                owner_region: &r.area_code,
                reason: None,
                before: None,
                after: Some(serde_json::json!({"title": r.title, "from_on": r.from_on,
                    "to_on": r.to_on, "area_code": r.area_code, "units": r.units.len()})),
            },
        )?;
        Ok((true, r))
    })
}

/// The area of a round's list or count: the one asked for (or the caller's own), which
/// must lie in the caller's scope; and the round's counties inside it.
fn area_units(
    conn: &mut DbConn,
    user: &AuthUser,
    r: &RoundRow,
    area: Option<&str>,
) -> Result<(String, Vec<String>), ApiError> {
    let area = user.scope.area(area)?;
    let units = units(conn, &r.id)?
        .into_iter()
        .filter(|u| u.starts_with(&area))
        .collect();
    Ok((area, units))
}

/// Counts of one county.
#[derive(Default)]
struct Counts {
    in_poverty: i64,
    surveyed: i64,
    surveyed_not_poor: i64,
    problems: i64,
    closed: i64,
}

/// `GET /survey-rounds/{id}/progress`: the unit of `area` (the caller's own by default)
/// and its cities or counties.
pub fn progress(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    area: Option<&str>,
) -> Result<RoundProgress, ApiError> {
    super::reader(user)?;
    let r = row(conn, user, &id.to_string())?;
    let (area, units) = area_units(conn, user, &r, area)?;
    let mut by_county: BTreeMap<String, Counts> = units
        .iter()
        .map(|u| (u.clone(), Counts::default()))
        .collect();
    let poor: Vec<(String, i64)> = persons::table
        .filter(persons::deleted_at.is_null())
        .filter(persons::poverty_status.eq("in_poverty"))
        .filter(persons::county_code.eq_any(&units))
        .group_by(persons::county_code)
        .select((persons::county_code, diesel::dsl::count_star()))
        .load(conn)?;
    let done = || {
        surveys::table
            .filter(surveys::round_id.eq(r.id.clone()))
            .filter(surveys::deleted_at.is_null())
            .filter(surveys::county_code.like(format!("{area}%")))
    };
    let surveyed: Vec<(String, i64)> = done()
        .group_by(surveys::county_code)
        .select((surveys::county_code, diesel::dsl::count_star()))
        .load(conn)?;
    let not_poor: Vec<(String, i64)> = done()
        .inner_join(persons::table.on(persons::id.eq(surveys::person_id)))
        .filter(persons::poverty_status.ne("in_poverty"))
        .group_by(surveys::county_code)
        .select((surveys::county_code, diesel::dsl::count_star()))
        .load(conn)?;
    let problems: Vec<(String, i64)> = done()
        .inner_join(survey_checks::table)
        .filter(survey_checks::result.eq("problem"))
        .group_by(surveys::county_code)
        .select((surveys::county_code, diesel::dsl::count_star()))
        .load(conn)?;
    let closed: Vec<(String, i64)> = done()
        .inner_join(survey_checks::table)
        .inner_join(
            rectification_items::table.on(rectification_items::id
                .nullable()
                .eq(survey_checks::rectification_id)),
        )
        .filter(survey_checks::result.eq("problem"))
        .filter(rectification_items::status.eq(RectificationStatus::Closed.as_str()))
        .group_by(surveys::county_code)
        .select((surveys::county_code, diesel::dsl::count_star()))
        .load(conn)?;
    let mut add = |rows: Vec<(String, i64)>, f: fn(&mut Counts) -> &mut i64| {
        for (county, n) in rows {
            *f(by_county.entry(county).or_default()) += n;
        }
    };
    add(poor, |c| &mut c.in_poverty);
    add(surveyed, |c| &mut c.surveyed);
    add(not_poor, |c| &mut c.surveyed_not_poor);
    add(problems, |c| &mut c.problems);
    add(closed, |c| &mut c.closed);
    // The units below the area: its cities under the province, its counties under a city.
    let child_len = match area.len() {
        2 => Some(4),
        4 => Some(6),
        _ => None,
    };
    let mut total = ProgressRow {
        unit_code: area.clone(),
        ..ProgressRow::default()
    };
    let mut children: BTreeMap<String, ProgressRow> = BTreeMap::new();
    for (county, c) in &by_county {
        let rows =
            std::iter::once(&mut total).chain(child_len.filter(|n| county.len() >= *n).map(|n| {
                let key = county[..n].to_owned();
                children.entry(key.clone()).or_insert_with(|| ProgressRow {
                    unit_code: key,
                    ..ProgressRow::default()
                })
            }));
        for row in rows {
            row.to_survey += c.in_poverty + c.surveyed_not_poor;
            row.surveyed += c.surveyed;
            row.problems += c.problems;
            row.problems_closed += c.closed;
        }
    }
    let mut codes: Vec<String> = children.keys().cloned().collect();
    codes.push(area.clone());
    let names: HashMap<String, String> = org_units::table
        .filter(org_units::code.eq_any(&codes))
        .select((org_units::code, org_units::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let name = |code: &str| names.get(code).cloned().unwrap_or_default();
    total.unit_name = name(&total.unit_code);
    Ok(RoundProgress {
        round_id: id,
        total,
        children: children
            .into_values()
            .map(|mut row| {
                row.unit_name = name(&row.unit_code);
                row
            })
            .collect(),
    })
}

/// Filters of a round's work list.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// A city or county inside the caller's area (default: the caller's own).
    pub area: Option<String>,
    /// Only those surveyed (`true`) or still to survey (`false`).
    pub surveyed: Option<bool>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// A page of a round's work list (by person id): the persons in poverty of the assigned
/// counties in the area, and those surveyed in the round.
pub fn persons(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    q: &PersonQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<RoundPerson>, ApiError> {
    super::reader(user)?;
    user.require(Capability::ReadPersons)?;
    let r = row(conn, user, &id.to_string())?;
    let (_, units) = area_units(conn, user, &r, q.area.as_deref())?;
    let mut query = persons::table
        .left_join(
            surveys::table.on(surveys::person_id
                .eq(persons::id)
                .and(surveys::round_id.eq(r.id.clone()))
                .and(surveys::deleted_at.is_null())),
        )
        .filter(persons::deleted_at.is_null())
        .filter(persons::county_code.eq_any(units))
        .filter(
            persons::poverty_status
                .eq("in_poverty")
                .or(surveys::id.is_not_null()),
        )
        .into_boxed();
    match q.surveyed {
        Some(true) => query = query.filter(surveys::id.is_not_null()),
        Some(false) => query = query.filter(surveys::id.is_null()),
        None => {}
    }
    if let Some(a) = after {
        query = query.filter(persons::id.gt(a.to_owned()));
    }
    type Row = (
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i64>,
    );
    let rows: Vec<Row> = query
        .order(persons::id.asc())
        .limit(limit)
        .select((
            persons::id,
            persons::name,
            persons::county_code,
            persons::village_code,
            persons::address_detail,
            persons::household_number,
            surveys::id.nullable(),
            surveys::version.nullable(),
        ))
        .load(conn)?;
    let village_codes: Vec<String> = rows.iter().filter_map(|r| r.3.clone()).collect();
    let village_names: HashMap<String, String> = villages::table
        .filter(villages::code.eq_any(village_codes))
        .select((villages::code, villages::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let survey_ids: Vec<String> = rows.iter().filter_map(|r| r.6.clone()).collect();
    let problems: HashMap<String, i64> = survey_checks::table
        .filter(survey_checks::survey_id.eq_any(survey_ids))
        .filter(survey_checks::result.eq("problem"))
        .group_by(survey_checks::survey_id)
        .select((survey_checks::survey_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(
            |(pid, name, county, village, detail, household, sid, sversion)| {
                let village = village.and_then(|v| village_names.get(&v).cloned());
                let address = match (village, detail) {
                    (Some(v), Some(d)) => Some(format!("{v} {d}")),
                    (v, d) => v.or(d),
                };
                Ok(RoundPerson {
                    person_id: uuid(&pid)?,
                    name,
                    county_code: county,
                    address,
                    household_number: household,
                    problems: sid
                        .as_ref()
                        .and_then(|s| problems.get(s).copied())
                        .unwrap_or(0),
                    survey_id: sid.as_deref().map(uuid).transpose()?,
                    survey_version: sversion,
                })
            },
        )
        .collect()
}

/// Filters of a round's problem list.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemQuery {
    /// A city or county inside the caller's area (default: the caller's own).
    pub area: Option<String>,
    /// Only problems still open (`true`: not closed) or closed (`false`).
    pub open: Option<bool>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// A page of the problems a round's surveys found in the area, by survey and check;
/// the cursor's key is `survey id/check`.
pub fn problems(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    q: &ProblemQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<SurveyProblem>, ApiError> {
    super::reader(user)?;
    let r = row(conn, user, &id.to_string())?;
    let area = user.scope.area(q.area.as_deref())?;
    let closed = RectificationStatus::Closed.as_str();
    let mut query = survey_checks::table
        .inner_join(surveys::table)
        .inner_join(
            rectification_items::table.on(rectification_items::id
                .nullable()
                .eq(survey_checks::rectification_id)),
        )
        .filter(surveys::round_id.eq(r.id.clone()))
        .filter(surveys::deleted_at.is_null())
        .filter(surveys::county_code.like(format!("{area}%")))
        .filter(survey_checks::result.eq("problem"))
        .into_boxed();
    match q.open {
        Some(true) => query = query.filter(rectification_items::status.ne(closed)),
        Some(false) => query = query.filter(rectification_items::status.eq(closed)),
        None => {}
    }
    if let Some(a) = after {
        let (sid, item) = a.split_once('/').ok_or_else(|| {
            ApiError::field("cursor", "invalid_cursor", "not a cursor of this list")
        })?;
        query = query.filter(
            surveys::id.gt(sid.to_owned()).or(surveys::id
                .eq(sid.to_owned())
                .and(survey_checks::item.gt(item.to_owned()))),
        );
    }
    type Row = (
        String,
        String,
        String,
        String,
        Option<String>,
        chrono::NaiveDate,
        String,
        String,
        chrono::NaiveDate,
    );
    let rows: Vec<Row> = query
        .order((surveys::id.asc(), survey_checks::item.asc()))
        .limit(limit)
        .select((
            surveys::id,
            surveys::person_id,
            surveys::county_code,
            survey_checks::item,
            survey_checks::note,
            surveys::surveyed_on,
            rectification_items::id,
            rectification_items::status,
            rectification_items::deadline,
        ))
        .load(conn)?;
    let person_ids: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    let names: HashMap<String, String> = persons::table
        .filter(persons::id.eq_any(person_ids))
        .select((persons::id, persons::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(
            |(sid, pid, county, item, note, on, rect, status, deadline)| {
                Ok(SurveyProblem {
                    survey_id: uuid(&sid)?,
                    person_id: uuid(&pid)?,
                    person_name: names.get(&pid).cloned().unwrap_or_default(),
                    county_code: county,
                    item: code(&item)?,
                    note: note.unwrap_or_default(),
                    surveyed_on: on,
                    rectification_id: uuid(&rect)?,
                    status: code(&status)?,
                    deadline,
                })
            },
        )
        .collect()
}

/// The cursor key of a problem in [`problems`].
pub fn problem_key(p: &SurveyProblem) -> String {
    format!("{}/{}", p.survey_id, p.item.as_str())
}
