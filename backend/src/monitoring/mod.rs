//! Dynamic monitoring (measures 8 and 11): poverty status changes with their history,
//! the watch list computed from statuses and flags, and the "no one falls back" KPI.
//! See `shared::monitoring` for who is watched and why.

pub mod routes;
#[cfg(test)]
mod tests;
pub mod visits;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Text};
use shared::api::{AuditAction, Page};
use shared::auth::Capability;
use shared::codes::PovertyStatus;
use shared::monitoring::{
    FallBackKpi, StatusChange, StatusChangeInput, WatchCount, WatchItem, WatchQuery, WatchReason,
};
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{persons, status_changes};
use crate::db::{now, today, utc, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::pagination::{limit_of, Cursor};

/// Records a change of a person's status from `from` to `to` (inside the caller's
/// transaction): by the status endpoint, and by a registry edit that changes it.
#[expect(
    clippy::too_many_arguments,
    reason = "a status change is its person, place, two statuses, day and reason; a struct would only rename them"
)]
pub fn record(
    conn: &mut DbConn,
    user: &AuthUser,
    person: &str,
    (county, city): (&str, &str),
    from: PovertyStatus,
    to: PovertyStatus,
    on: chrono::NaiveDate,
    reason: &str,
) -> Result<Uuid, ApiError> {
    let id = Uuid::now_v7();
    diesel::insert_into(status_changes::table)
        .values((
            status_changes::id.eq(id.to_string()),
            status_changes::person_id.eq(person),
            status_changes::county_code.eq(county),
            status_changes::city_code.eq(city),
            status_changes::from_status.eq(from.as_str()),
            status_changes::to_status.eq(to.as_str()),
            status_changes::changed_on.eq(on),
            status_changes::reason.eq(reason),
            status_changes::created_at.eq(now()),
            status_changes::created_by.eq(user.id.to_string()),
            status_changes::created_by_name.eq(&user.username),
        ))
        .execute(conn)?;
    Ok(id)
}

fn status(s: &str) -> Result<PovertyStatus, ApiError> {
    s.parse()
        .map_err(|e: shared::codes::UnknownCode| ApiError::Internal(anyhow::anyhow!("{e}")))
}

/// Changes a person's status with a day and a reason (registry staff of their area).
pub fn change(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    input: &StatusChangeInput,
) -> Result<StatusChange, ApiError> {
    user.require(Capability::WritePersons)?;
    input.validate(today()).map_err(ApiError::Validation)?;
    write_tx(conn, |conn| {
        let row = crate::persons::queries::get(conn, &user.scope, id)?;
        if row.version != input.version {
            return Err(ApiError::stale_version());
        }
        let from = status(&row.poverty_status)?;
        if from == input.status {
            return Err(ApiError::field(
                "status",
                "unchanged",
                "the person has this status already",
            ));
        }
        let version = row.version + 1;
        let at = now();
        let n = diesel::update(
            persons::table
                .filter(persons::id.eq(&row.id))
                .filter(persons::version.eq(row.version)),
        )
        .set((
            persons::poverty_status.eq(input.status.as_str()),
            persons::version.eq(version),
            persons::updated_at.eq(at),
            persons::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        let change = record(
            conn,
            user,
            &row.id,
            (&row.county_code, &row.city_code),
            from,
            input.status,
            input.on,
            input.reason.trim(),
        )?;
        crate::sync::record(
            conn,
            crate::sync::Entity::Person,
            (&row.id, version, at),
            &[&row.county_code],
        )?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "person",
                entity_id: id,
                owner_region: &row.county_code,
                reason: Some(input.reason.trim()),
                before: Some(serde_json::json!({"poverty_status": from})),
                after: Some(serde_json::json!({"poverty_status": input.status, "on": input.on})),
            },
        )?;
        Ok(StatusChange {
            id: change,
            person_id: id,
            from,
            to: input.status,
            on: input.on,
            reason: input.reason.trim().to_owned(),
            recorded_by: user.username.clone(),
            recorded_at: utc(at),
            person_version: version,
        })
    })
}

type ChangeRow = (
    String,
    String,
    String,
    chrono::NaiveDate,
    String,
    String,
    chrono::NaiveDateTime,
);

/// A person's status history, oldest first (the person must be in the caller's area).
pub fn history(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<Vec<StatusChange>, ApiError> {
    let person = crate::persons::queries::get(conn, scope, id)?;
    let rows: Vec<ChangeRow> = status_changes::table
        .filter(status_changes::person_id.eq(&person.id))
        .order((
            status_changes::changed_on.asc(),
            status_changes::created_at.asc(),
        ))
        .select((
            status_changes::id,
            status_changes::from_status,
            status_changes::to_status,
            status_changes::changed_on,
            status_changes::reason,
            status_changes::created_by_name,
            status_changes::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(cid, from, to, on, reason, by, at)| {
            Ok(StatusChange {
                id: uuid(&cid)?,
                person_id: id,
                from: status(&from)?,
                to: status(&to)?,
                on,
                reason,
                recorded_by: by,
                recorded_at: utc(at),
                person_version: person.version,
            })
        })
        .collect()
}

/// The SQL condition of each reason (on `persons p`).
fn reason_sql(reason: WatchReason) -> &'static str {
    match reason {
        // In poverty now, and lifted at some time before (directly or through another
        // status: lifted → marginal → in poverty falls back too).
        WatchReason::FellBack => {
            "(p.poverty_status = 'in_poverty' AND EXISTS (SELECT 1 FROM status_changes s
                WHERE s.person_id = p.id
                  AND (s.from_status = 'lifted' OR s.to_status = 'lifted')))"
        }
        WatchReason::Unstable => "p.poverty_status = 'unstable'",
        WatchReason::Marginal => "p.poverty_status = 'marginal'",
        WatchReason::Severe => "(p.poverty_status <> 'none' AND p.disability_level <= 2)",
        WatchReason::MultiDisabled => {
            "(p.poverty_status <> 'none' AND p.multi_disabled_household = TRUE)"
        }
        WatchReason::ElderlyDisabled => {
            "(p.poverty_status <> 'none' AND p.elderly_disabled = TRUE)"
        }
    }
}

/// Whether a person is on the watch list at all.
fn member_sql() -> String {
    let all: Vec<&str> = WatchReason::ALL.iter().map(|r| reason_sql(*r)).collect();
    format!("({})", all.join(" OR "))
}

#[derive(QueryableByName)]
struct WatchRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    masked: String,
    #[diesel(sql_type = Text)]
    county: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Integer)]
    level: i32,
    #[diesel(sql_type = Bool)]
    multi: bool,
    #[diesel(sql_type = Bool)]
    elderly: bool,
    #[diesel(sql_type = Integer)]
    fell_back: i32,
}

/// One page of the watch list of the caller's area (or an area inside it), by person.
pub fn watch_list(
    conn: &mut DbConn,
    scope: &Scope,
    q: &WatchQuery,
) -> Result<Page<WatchItem>, ApiError> {
    let limit = limit_of(q.limit)?;
    let area = scope.area(q.area.as_deref())?;
    let after = Cursor::after_uuid_sql(q.cursor.as_deref(), "p.id")?;
    let filter = q
        .reason
        .map_or_else(member_sql, |r| reason_sql(r).to_owned());
    let sql = format!(
        "SELECT p.id AS id, p.name AS name, p.id_number_masked AS masked,
            p.county_code AS county, p.poverty_status AS status, p.disability_level AS level,
            p.multi_disabled_household AS multi, p.elderly_disabled AS elderly,
            CASE WHEN {fell} THEN 1 ELSE 0 END AS fell_back
         FROM persons p
         WHERE p.deleted_at IS NULL AND {area} AND {filter} AND {after}
         ORDER BY p.id LIMIT {n}",
        fell = reason_sql(WatchReason::FellBack),
        area = crate::auth::area_sql("p.county_code", &area),
        n = limit + 1,
    );
    let mut rows: Vec<WatchRow> = diesel::sql_query(sql).load(conn)?;
    let next_cursor = Cursor::next_page(&mut rows, limit, |r| Cursor {
        ts: None,
        id: r.id.clone(),
    });
    let items = rows
        .into_iter()
        .map(|r| {
            let status = status(&r.status)?;
            let touched = status != PovertyStatus::None;
            let reasons = WatchReason::ALL
                .iter()
                .copied()
                .filter(|reason| match reason {
                    WatchReason::FellBack => r.fell_back == 1,
                    WatchReason::Unstable => status == PovertyStatus::Unstable,
                    WatchReason::Marginal => status == PovertyStatus::Marginal,
                    WatchReason::Severe => touched && r.level <= 2,
                    WatchReason::MultiDisabled => touched && r.multi,
                    WatchReason::ElderlyDisabled => touched && r.elderly,
                })
                .collect();
            Ok(WatchItem {
                person_id: uuid(&r.id)?,
                name: r.name,
                id_number_masked: r.masked,
                county_code: r.county,
                poverty_status: status,
                disability_level: u8::try_from(r.level).unwrap_or(0),
                reasons,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Page { items, next_cursor })
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// "No one falls back" in the caller's area (or one inside it) in `year`, and who is
/// watched.
pub fn kpi(
    conn: &mut DbConn,
    scope: &Scope,
    year: i32,
    area: Option<&str>,
) -> Result<FallBackKpi, ApiError> {
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::field("year", "out_of_range", "2000 to 2100"));
    }
    let area = scope.area(area)?;
    let count = |conn: &mut DbConn, sql: String| -> Result<i64, ApiError> {
        Ok(diesel::sql_query(sql).get_result::<N>(conn)?.n)
    };
    let lifted = count(
        conn,
        format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM persons p
             WHERE p.deleted_at IS NULL AND p.poverty_status = 'lifted' AND {}",
            crate::auth::area_sql("p.county_code", &area)
        ),
    )?;
    let first = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let last = chrono::NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    let fell_back = count(
        conn,
        format!(
            "SELECT CAST(COUNT(DISTINCT s.person_id) AS BIGINT) AS n FROM status_changes s
             JOIN persons p ON p.id = s.person_id AND p.deleted_at IS NULL
             WHERE s.to_status = 'in_poverty'
               AND s.changed_on BETWEEN '{first}' AND '{last}' AND {}
               AND (s.from_status = 'lifted' OR EXISTS (SELECT 1 FROM status_changes e
                    WHERE e.person_id = s.person_id AND e.id <> s.id
                      AND e.changed_on <= s.changed_on
                      AND (e.from_status = 'lifted' OR e.to_status = 'lifted')))",
            crate::auth::area_sql("s.county_code", &area)
        ),
    )?;
    let mut watched = Vec::new();
    for reason in WatchReason::ALL.iter().copied() {
        let n = count(
            conn,
            format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM persons p
                 WHERE p.deleted_at IS NULL AND {} AND {}",
                crate::auth::area_sql("p.county_code", &area),
                reason_sql(reason)
            ),
        )?;
        watched.push(WatchCount { reason, count: n });
    }
    Ok(FallBackKpi {
        year,
        lifted,
        fell_back,
        watched,
    })
}
