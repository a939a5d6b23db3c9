//! Monitoring visits of watched persons (measures 8 and 11), the visiting cadence per
//! risk level (data, kept by the provincial poverty office) and the overdue visits.
//!
//! A person's **current risk** is that of their latest visit; the next visit is due that
//! many days later. A watched person never visited is due now. The overdue test is one
//! cut-off day per level, computed here and compared in SQL, so it reads the same on
//! both databases.

use diesel::prelude::*;
use diesel::sql_types::{Date, Integer, Nullable, Text};
use shared::api::{AuditAction, Page};
use shared::auth::Capability;
use shared::monitoring::{
    Cadence, CadencePut, MonitoringVisit, MonitoringVisitCreate, MonitoringVisitInput,
    OverdueVisit, RiskLevel,
};
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{monitoring_visits, persons, visit_cadences};
use crate::db::{code, now, today, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::pagination::{limit_of, Cursor};

type Backend = <DbConn as diesel::Connection>::Backend;

type VisitRow = (
    String,
    String,
    String,
    chrono::NaiveDate,
    String,
    bool,
    bool,
    bool,
    String,
    String,
    Option<String>,
    String,
);

fn load(
    conn: &mut DbConn,
    filter: impl FnOnce(
        monitoring_visits::BoxedQuery<'static, Backend>,
    ) -> monitoring_visits::BoxedQuery<'static, Backend>,
) -> Result<Vec<MonitoringVisit>, ApiError> {
    let rows: Vec<VisitRow> = filter(
        monitoring_visits::table
            .filter(monitoring_visits::deleted_at.is_null())
            .into_boxed(),
    )
    .order((
        monitoring_visits::visited_on.asc(),
        monitoring_visits::id.asc(),
    ))
    .select((
        monitoring_visits::id,
        monitoring_visits::person_id,
        monitoring_visits::county_code,
        monitoring_visits::visited_on,
        monitoring_visits::income_change,
        monitoring_visits::illness,
        monitoring_visits::disaster,
        monitoring_visits::covid,
        monitoring_visits::risk_level,
        monitoring_visits::measures,
        monitoring_visits::note,
        monitoring_visits::created_by,
    ))
    .load(conn)?;
    rows.into_iter()
        .map(
            |(
                id,
                person,
                county,
                on,
                income,
                illness,
                disaster,
                covid,
                risk,
                measures,
                note,
                by,
            )| {
                let recorded_by = crate::users::queries::login_of(conn, &by)?;
                Ok(MonitoringVisit {
                    id: uuid(&id)?,
                    fields: MonitoringVisitInput {
                        person_id: uuid(&person)?,
                        visited_on: on,
                        income_change: code(&income)?,
                        illness,
                        disaster,
                        covid,
                        risk_level: code(&risk)?,
                        measures,
                        note,
                    },
                    county_code: county,
                    recorded_by,
                })
            },
        )
        .collect()
}

/// A person's monitoring visits, oldest first (the person in the caller's area).
pub fn of_person(
    conn: &mut DbConn,
    user: &AuthUser,
    person: Uuid,
) -> Result<Vec<MonitoringVisit>, ApiError> {
    user.require(Capability::ReadPersons)?;
    let p = crate::persons::queries::get(conn, &user.scope, person)?;
    load(conn, |q| q.filter(monitoring_visits::person_id.eq(p.id)))
}

/// Records a monitoring visit (registry staff of the person's area). A re-send with the
/// same client id and body answers the stored visit (`false`).
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &MonitoringVisitCreate,
) -> Result<(bool, MonitoringVisit), ApiError> {
    user.require(Capability::WritePersons)?;
    let f = &body.fields;
    let hash = crate::record::create_digest(pii, "monitoring_visit", f)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, monitoring_visits, id, &hash, user)? {
            return Ok((false, one(conn, id)?));
        }
        let mut errs = shared::FieldErrors(f.validate(today()).err().unwrap_or_default());
        let person: Option<(String, String)> = crate::persons::queries::live(&user.scope)
            .filter(persons::id.eq(f.person_id.to_string()))
            .select((persons::county_code, persons::city_code))
            .first(conn)
            .optional()?;
        if person.is_none() {
            errs.add("person_id", "not_found", "no such person in your area");
        }
        let Some((county, city)) = person.filter(|_| errs.is_empty()) else {
            return Err(ApiError::Validation(errs.0));
        };
        diesel::insert_into(monitoring_visits::table)
            .values((
                monitoring_visits::id.eq(id.to_string()),
                monitoring_visits::person_id.eq(f.person_id.to_string()),
                monitoring_visits::county_code.eq(&county),
                monitoring_visits::city_code.eq(&city),
                monitoring_visits::visited_on.eq(f.visited_on),
                monitoring_visits::income_change.eq(f.income_change.as_str()),
                monitoring_visits::illness.eq(f.illness),
                monitoring_visits::disaster.eq(f.disaster),
                monitoring_visits::covid.eq(f.covid),
                monitoring_visits::risk_level.eq(f.risk_level.as_str()),
                monitoring_visits::measures.eq(f.measures.trim()),
                monitoring_visits::note.eq(f
                    .note
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())),
                monitoring_visits::create_hash.eq(&hash),
                monitoring_visits::created_at.eq(now()),
                monitoring_visits::created_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let v = one(conn, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "monitoring_visit",
                entity_id: id,
                owner_region: &county,
                reason: None,
                before: None,
                after: Some(serde_json::json!({"person_id": f.person_id,
                    "visited_on": f.visited_on, "risk_level": f.risk_level,
                    "income_change": f.income_change, "illness": f.illness,
                    "disaster": f.disaster, "covid": f.covid})),
            },
        )?;
        Ok((true, v))
    })
}

/// One monitoring visit of a person in the caller's area; 404 otherwise.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<MonitoringVisit, ApiError> {
    user.require(Capability::ReadPersons)?;
    let v = one(conn, id)?;
    if user.scope.covers_region(&v.county_code) {
        Ok(v)
    } else {
        Err(ApiError::NotFound)
    }
}

fn one(conn: &mut DbConn, id: Uuid) -> Result<MonitoringVisit, ApiError> {
    load(conn, |q| q.filter(monitoring_visits::id.eq(id.to_string())))?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// The cadence of each risk level, from the highest risk.
pub fn cadence(conn: &mut DbConn) -> Result<Vec<Cadence>, ApiError> {
    let rows: Vec<(String, i32)> = visit_cadences::table
        .select((visit_cadences::risk_level, visit_cadences::days))
        .load(conn)?;
    let mut out = rows
        .into_iter()
        .map(|(level, days)| {
            Ok(Cadence {
                risk_level: code(&level)?,
                days,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    out.sort_by_key(|c| std::cmp::Reverse(c.risk_level));
    Ok(out)
}

/// Replaces the cadence (the provincial poverty office, which keeps the plan).
pub fn put_cadence(
    conn: &mut DbConn,
    user: &AuthUser,
    body: &CadencePut,
) -> Result<Vec<Cadence>, ApiError> {
    user.require(Capability::ManagePlan)?;
    if user.scope != Scope::Province {
        return Err(ApiError::Forbidden(
            "the cadence is set for the province".into(),
        ));
    }
    body.validate().map_err(ApiError::Validation)?;
    write_tx(conn, |conn| {
        let before = cadence(conn)?;
        for c in &body.cadence {
            diesel::update(visit_cadences::table.find(c.risk_level.as_str()))
                .set((
                    visit_cadences::days.eq(c.days),
                    visit_cadences::updated_at.eq(now()),
                    visit_cadences::updated_by.eq(user.id.to_string()),
                ))
                .execute(conn)?;
        }
        let after = cadence(conn)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "visit_cadence",
                entity_id: Uuid::nil(),
                owner_region: "43",
                reason: Some(body.reason.trim()),
                before: Some(serde_json::json!(before)),
                after: Some(serde_json::json!(after)),
            },
        )?;
        Ok(after)
    })
}

/// A risk level's rank in the overdue query.
fn rank_of(level: RiskLevel) -> i32 {
    match level {
        RiskLevel::High => 3,
        RiskLevel::Medium => 2,
        RiskLevel::Low => 1,
    }
}

#[derive(QueryableByName)]
struct OverdueRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    county: String,
    /// The latest visit's risk: 3 high, 2 medium, 1 low.
    #[diesel(sql_type = Nullable<Integer>)]
    rank: Option<i32>,
    #[diesel(sql_type = Nullable<Date>)]
    last: Option<chrono::NaiveDate>,
}

/// Query of `GET /api/v1/monitoring/overdue`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverdueQuery {
    /// Only this area inside the caller's (a city or county code).
    pub area: Option<String>,
    /// Page size (1–500, default 50).
    pub limit: Option<i64>,
    /// Page cursor.
    pub cursor: Option<String>,
}

/// One page (by person) of the watched persons of the caller's area whose monitoring
/// visit is due: never visited, or the latest visit longer ago than its risk level's
/// cadence.
pub fn overdue(
    conn: &mut DbConn,
    user: &AuthUser,
    q: &OverdueQuery,
) -> Result<Page<OverdueVisit>, ApiError> {
    user.require(Capability::ReadPersons)?;
    let limit = limit_of(q.limit)?;
    let area = user.scope.area(q.area.as_deref())?;
    let after = Cursor::after_uuid_sql(q.cursor.as_deref(), "p.id")?;
    let day = today();
    let cadence = cadence(conn)?;
    let days_of = |level: RiskLevel| {
        cadence
            .iter()
            .find(|c| c.risk_level == level)
            .map_or(30, |c| c.days)
    };
    // Overdue at level L: the latest visit lies before today − cadence(L).
    let late: Vec<String> = RiskLevel::ALL
        .iter()
        .map(|l| {
            let cut = day - chrono::TimeDelta::days(i64::from(days_of(*l)));
            format!("(lv.rank = {} AND lv.last < '{cut}')", rank_of(*l))
        })
        .collect();
    // The latest visit of each person: its day, and the highest risk found that day.
    let sql = format!(
        "SELECT p.id AS id, p.name AS name, p.county_code AS county, lv.rank AS rank,
                lv.last AS last
         FROM persons p
         LEFT JOIN (
             SELECT v.person_id AS person_id, v.visited_on AS last,
                    MAX(CASE v.risk_level WHEN 'high' THEN 3 WHEN 'medium' THEN 2
                        ELSE 1 END) AS rank
             FROM monitoring_visits v
             WHERE v.deleted_at IS NULL AND v.visited_on = (
                 SELECT MAX(w.visited_on) FROM monitoring_visits w
                 WHERE w.person_id = v.person_id AND w.deleted_at IS NULL)
             GROUP BY v.person_id, v.visited_on
         ) lv ON lv.person_id = p.id
         WHERE p.deleted_at IS NULL AND {area} AND {member} AND {after}
           AND (lv.last IS NULL OR {late})
         ORDER BY p.id LIMIT {n}",
        area = crate::auth::area_sql("p.county_code", &area),
        member = super::member_sql(),
        late = late.join(" OR "),
        n = limit + 1,
    );
    let mut rows: Vec<OverdueRow> = diesel::sql_query(sql).load(conn)?;
    let next_cursor = Cursor::next_page(&mut rows, limit, |r| Cursor {
        ts: None,
        id: r.id.clone(),
    });
    let items = rows
        .into_iter()
        .map(|r| {
            let risk = r
                .rank
                .and_then(|n| RiskLevel::ALL.iter().copied().find(|l| rank_of(*l) == n));
            let due_on = match (risk, r.last) {
                (Some(l), Some(last)) => {
                    Some(last + chrono::TimeDelta::days(i64::from(days_of(l))))
                }
                _ => None,
            };
            Ok(OverdueVisit {
                person_id: uuid(&r.id)?,
                name: r.name,
                county_code: r.county,
                risk_level: risk,
                last_visit_on: r.last,
                due_on,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Page { items, next_cursor })
}
