//! The audit log: every write and every reveal, appended in the transaction of the
//! change itself, and read by admins and auditors within their scope.

pub mod routes;
#[cfg(test)]
mod tests;

use diesel::prelude::*;
use shared::api::{AuditAction, AuditEntry};
use uuid::Uuid;

use crate::auth::{AuthUser, Scope};
use crate::db::schema::{audit_log, users};
use crate::db::{code, now, utc, uuid, DbConn};
use crate::error::ApiError;

/// One thing to write to the log.
#[derive(Debug)]
pub struct Event<'a> {
    /// Who did it.
    pub actor: &'a AuthUser,
    /// What.
    pub action: AuditAction,
    /// Kind of record.
    pub entity_type: &'a str,
    /// Which record.
    pub entity_id: Uuid,
    /// The region code (province, city or county) or unit code of the record's owner.
    pub owner_region: &'a str,
    /// Reason given, if any.
    pub reason: Option<&'a str>,
    /// Record before (sensitive values masked).
    pub before: Option<serde_json::Value>,
    /// Record after (sensitive values masked).
    pub after: Option<serde_json::Value>,
}

/// The city and county codes of a region code, for scoped reading.
pub fn location(region: &str) -> (Option<String>, Option<String>) {
    let digits = region.bytes().take_while(u8::is_ascii_digit).count();
    match digits {
        6.. => (Some(region[..4].to_owned()), Some(region[..6].to_owned())),
        4 | 5 => (Some(region[..4].to_owned()), None),
        _ => (None, None),
    }
}

/// Keys whose values never enter an audit snapshot: identity and certificate numbers
/// (even masked: the log outlives any one screen and is read by admins and auditors)
/// and full birth dates.
const DROPPED: [&str; 5] = [
    "id_number",
    "person_id_number",
    "certificate_number",
    "birth_date",
    "id_number_masked",
];

/// Makes a snapshot safe for the log, whatever module made it: drops identity numbers and
/// birth dates at any depth and keeps only the last four digits of phone numbers. Every
/// entry passes through here, so no module can forget it.
pub fn redact(mut v: serde_json::Value) -> serde_json::Value {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                map.retain(|k, _| !DROPPED.contains(&k.as_str()));
                for (k, val) in map.iter_mut() {
                    if k.ends_with("phone") {
                        if let Some(s) = val.as_str() {
                            *val = serde_json::Value::String(mask_phone(s));
                        }
                    } else {
                        walk(val);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

/// `13812345678` → `*******5678`.
fn mask_phone(s: &str) -> String {
    let n = s.chars().count();
    s.chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < n { '*' } else { c })
        .collect()
}

/// Appends an entry; call it inside the transaction of the change it records.
pub fn record(conn: &mut DbConn, e: Event<'_>) -> Result<(), ApiError> {
    touch(&e);
    let (city, county) = location(e.owner_region);
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(Uuid::now_v7().to_string()),
            audit_log::at.eq(now()),
            audit_log::actor_id.eq(e.actor.id.to_string()),
            audit_log::actor_username.eq(&e.actor.username),
            audit_log::actor_unit.eq(&e.actor.unit_code),
            audit_log::action.eq(e.action.as_str()),
            audit_log::entity_type.eq(e.entity_type),
            audit_log::entity_id.eq(e.entity_id.to_string()),
            audit_log::unit_code.eq(e.owner_region),
            audit_log::city_code.eq(city),
            audit_log::county_code.eq(county),
            audit_log::reason.eq(e.reason),
            audit_log::before_json.eq(e.before.map(|v| redact(v).to_string())),
            audit_log::after_json.eq(e.after.map(|v| redact(v).to_string())),
        ))
        .execute(conn)?;
    Ok(())
}

/// A write names its record to the KPI aggregates, which follow it when the
/// transaction commits (reads and reveals change no figure).
fn touch(e: &Event<'_>) {
    if matches!(
        e.action,
        AuditAction::Create | AuditAction::Update | AuditAction::Delete
    ) {
        crate::plan::aggregates::touch(e.entity_type, e.entity_id);
    }
}

/// Appends many entries in few statements (imports write thousands of records at once).
pub fn record_many(conn: &mut DbConn, events: Vec<Event<'_>>) -> Result<(), ApiError> {
    events.iter().for_each(touch);
    let at = now();
    let rows: Vec<_> = events
        .into_iter()
        .map(|e| {
            let (city, county) = location(e.owner_region);
            (
                audit_log::id.eq(Uuid::now_v7().to_string()),
                audit_log::at.eq(at),
                audit_log::actor_id.eq(e.actor.id.to_string()),
                audit_log::actor_username.eq(e.actor.username.clone()),
                audit_log::actor_unit.eq(e.actor.unit_code.clone()),
                audit_log::action.eq(e.action.as_str()),
                audit_log::entity_type.eq(e.entity_type.to_owned()),
                audit_log::entity_id.eq(e.entity_id.to_string()),
                audit_log::unit_code.eq(e.owner_region.to_owned()),
                audit_log::city_code.eq(city),
                audit_log::county_code.eq(county),
                audit_log::reason.eq(e.reason.map(str::to_owned)),
                audit_log::before_json.eq(e.before.map(|v| redact(v).to_string())),
                audit_log::after_json.eq(e.after.map(|v| redact(v).to_string())),
            )
        })
        .collect();
    // 14 columns × 1,000 rows stays under SQLite's 32,766 bound parameters.
    for chunk in rows.chunks(1000) {
        crate::db::batch_insert!(conn, audit_log::table, chunk)?;
    }
    Ok(())
}

type Row = (
    String,
    chrono::NaiveDateTime,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Checks the filters that need no database: 422 when `to` lies before `from`.
pub fn check_query(q: &shared::api::AuditQuery) -> Result<(), ApiError> {
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if to < from {
            return Err(ApiError::field(
                "to",
                "before_start",
                "the end of the date range lies before its start",
            ));
        }
    }
    Ok(())
}

/// The first instant (naive UTC, as stored) of a calendar day in China Standard Time.
fn start_of_china_day(day: chrono::NaiveDate) -> chrono::NaiveDateTime {
    day.and_time(chrono::NaiveTime::MIN) - chrono::TimeDelta::hours(8)
}

/// Entries about records in `scope`, newest first. A `unit` filter outside the scope (or
/// unknown) is 404.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    q: &shared::api::AuditQuery,
    before_id: Option<&str>,
    limit: i64,
) -> Result<Vec<AuditEntry>, ApiError> {
    let mut query = crate::scope_filter!(audit_log::table.into_boxed(), scope, audit_log);
    if let Some(id) = q.entity_id {
        query = query.filter(audit_log::entity_id.eq(id.to_string()));
    }
    if let Some(id) = q.actor_id {
        query = query.filter(audit_log::actor_id.eq(id.to_string()));
    }
    if let Some(name) = q.actor.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        query = query.filter(audit_log::actor_username.eq(name.to_lowercase()));
    }
    if let Some(a) = q.action {
        query = query.filter(audit_log::action.eq(a.as_str()));
    }
    if let Some(c) = q.category {
        let actions: Vec<&str> = c.actions().into_iter().map(AuditAction::as_str).collect();
        query = query.filter(audit_log::action.eq_any(actions));
    }
    if let Some(unit) = q.unit.as_deref().filter(|u| !u.is_empty()) {
        let region = crate::org::queries::region_of(conn, unit)?.ok_or(ApiError::NotFound)?;
        if !scope.covers_region(&region) {
            return Err(ApiError::NotFound);
        }
        let by_actor = audit_log::actor_unit.eq(unit.to_owned());
        let digits = unit.bytes().all(|b| b.is_ascii_digit());
        query = match unit.len() {
            6 if digits => query.filter(audit_log::county_code.eq(unit.to_owned()).or(by_actor)),
            4 if digits => query.filter(audit_log::city_code.eq(unit.to_owned()).or(by_actor)),
            _ => query.filter(audit_log::unit_code.eq(unit.to_owned()).or(by_actor)),
        };
    }
    if let Some(from) = q.from {
        query = query.filter(audit_log::at.ge(start_of_china_day(from)));
    }
    if let Some(to) = q.to.and_then(|d| d.succ_opt()) {
        query = query.filter(audit_log::at.lt(start_of_china_day(to)));
    }
    if let Some(b) = before_id {
        query = query.filter(audit_log::id.lt(b.to_owned()));
    }
    let rows: Vec<Row> = query
        .order(audit_log::id.desc())
        .limit(limit)
        .select((
            audit_log::id,
            audit_log::at,
            audit_log::actor_id,
            audit_log::actor_username,
            audit_log::actor_unit,
            audit_log::action,
            audit_log::entity_type,
            audit_log::entity_id,
            audit_log::unit_code,
            audit_log::reason,
            audit_log::before_json,
            audit_log::after_json,
        ))
        .load(conn)?;
    // Display names of the actors, in one query for the page.
    let mut actor_ids: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    actor_ids.sort_unstable();
    actor_ids.dedup();
    let names: std::collections::HashMap<String, String> = users::table
        .filter(users::id.eq_any(actor_ids))
        .select((users::id, users::display_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(
            |(
                id,
                at,
                actor_id,
                actor_username,
                actor_unit,
                action,
                entity_type,
                entity_id,
                unit_code,
                reason,
                before,
                after,
            )| {
                let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
                Ok(AuditEntry {
                    id: uuid(&id)?,
                    at: utc(at),
                    actor_name: names.get(&actor_id).cloned(),
                    actor_id: uuid(&actor_id)?,
                    actor_username,
                    actor_unit,
                    action: code(&action)?,
                    entity_type,
                    entity_id: uuid(&entity_id)?,
                    unit_code,
                    reason,
                    before: json(before),
                    after: json(after),
                })
            },
        )
        .collect()
}

#[cfg(test)]
mod unit_tests {
    #[test]
    fn redacts_at_any_depth() {
        let v = super::redact(serde_json::json!({
            "name": "张三", "id_number": "430381********1234", "phone": "13812345678",
            "rows": [{"person_id_number": "x", "birth_date": "1990-01-01", "contact_phone": "0731-1234567"}]
        }));
        assert_eq!(
            v,
            serde_json::json!({"name": "张三", "phone": "*******5678", "rows": [{"contact_phone": "********4567"}]})
        );
    }

    #[test]
    fn locations() {
        assert_eq!(
            super::location("430381"),
            (Some("4303".into()), Some("430381".into()))
        );
        assert_eq!(super::location("4303"), (Some("4303".into()), None));
        assert_eq!(super::location("43"), (None, None));
        assert_eq!(super::location("43.rights"), (None, None));
    }
}
