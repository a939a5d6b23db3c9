//! Queries on the person registry. Every read goes through [`visible`], which applies
//! the caller's scope, so that no handler can forget it.

use chrono::Datelike;
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::person::Person;
use shared::person::{
    PersonCreate, PersonInput, PersonItem, PersonQuery, RevealResponse, Tombstone,
};
use shared::{FieldErrors, IdNumber};
use uuid::Uuid;

use super::model::{PersonRow, PersonUpdateRow, ProtectedId, Stamp};
use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::persons;
use crate::db::{now, today, utc, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::pagination::Cursor;
use crate::pii::Pii;
use crate::record;

type Backend = <DbConn as diesel::Connection>::Backend;

/// Persons in `scope`, deleted ones included (for sync); the base of every read.
pub fn visible(scope: &Scope) -> persons::BoxedQuery<'static, Backend> {
    crate::scope_filter!(persons::table.into_boxed(), scope, persons)
}

/// Live persons in `scope`.
pub fn live(scope: &Scope) -> persons::BoxedQuery<'static, Backend> {
    visible(scope).filter(persons::deleted_at.is_null())
}

/// A live person in scope; 404 otherwise, whether it exists elsewhere or not at all.
pub fn get(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<PersonRow, ApiError> {
    Ok(live(scope)
        .filter(persons::id.eq(id.to_string()))
        .select(PersonRow::as_select())
        .first(conn)?)
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// A page of persons in scope matching `q`, plus the next cursor.
pub fn list(
    conn: &mut DbConn,
    pii: &Pii,
    scope: &Scope,
    q: &PersonQuery,
    after: Option<Cursor>,
    limit: i64,
) -> Result<(Vec<PersonItem>, Option<String>), ApiError> {
    let mut query = match q.updated_since {
        Some(_) => visible(scope),
        None => live(scope),
    };
    if let Some(name) = q.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        query = query.filter(persons::name.like(escape_like(name)).escape('\\'));
    }
    if let Some(id) = q.id_number.as_deref() {
        let parsed = IdNumber::parse(id, chrono::NaiveDate::MAX)
            .map_err(|e| ApiError::field("id_number", e.code, e.message))?;
        query = query.filter(persons::id_number_hmac.eq(pii.lookup_hash(parsed.as_str())));
    }
    if let Some(tail) = q.id_tail.as_deref().map(str::trim) {
        let tail = tail.to_ascii_uppercase();
        if tail.len() != 4 || !tail.bytes().all(|b| b.is_ascii_digit() || b == b'X') {
            return Err(ApiError::field(
                "id_tail",
                "invalid_format",
                "the last four characters of an identity number: digits, or X last",
            ));
        }
        // The masked number keeps the last four characters in clear, as the list shows.
        query = query.filter(persons::id_number_masked.like(format!("%{tail}")));
    }
    if let Some(c) = &q.county_code {
        query = query.filter(persons::county_code.eq(c.clone()));
    }
    if let Some(c) = &q.town_code {
        query = query.filter(persons::town_code.eq(c.clone()));
    }
    if let Some(c) = &q.village_code {
        query = query.filter(persons::village_code.eq(c.clone()));
    }
    if let Some(s) = q.poverty_status {
        query = query.filter(persons::poverty_status.eq(s.as_str()));
    }
    if let Some(c) = q.disability_category {
        query = query.filter(persons::disability_category.eq(c.as_str()));
    }
    match q.severe {
        Some(true) => query = query.filter(persons::disability_level.le(2)),
        Some(false) => query = query.filter(persons::disability_level.gt(2)),
        None => {}
    }
    if let Some(b) = q.registered_poor {
        query = query.filter(persons::registered_poor.eq(b));
    }
    if let Some(b) = q.multi_disabled_household {
        query = query.filter(persons::multi_disabled_household.eq(b));
    }
    if let Some(b) = q.elderly_disabled {
        query = query.filter(persons::elderly_disabled.eq(b));
    }
    let bad_cursor = || {
        ApiError::field(
            "cursor",
            "invalid_cursor",
            "the cursor does not fit this list",
        )
    };
    let mut rows: Vec<PersonRow> = if let Some(since) = q.updated_since {
        // Sync order: by change time, then id; tombstones included.
        query = query.filter(persons::updated_at.gt(since.naive_utc()));
        if let Some(c) = after {
            let ts =
                c.ts.and_then(chrono::DateTime::from_timestamp_micros)
                    .ok_or_else(bad_cursor)?
                    .naive_utc();
            query = query.filter(
                persons::updated_at
                    .gt(ts)
                    .or(persons::updated_at.eq(ts).and(persons::id.gt(c.id))),
            );
        }
        query
            .order((persons::updated_at.asc(), persons::id.asc()))
            .limit(limit + 1)
            .select(PersonRow::as_select())
            .load(conn)?
    } else {
        if let Some(c) = after {
            if c.ts.is_some() {
                return Err(bad_cursor());
            }
            query = query.filter(persons::id.gt(c.id));
        }
        query
            .order(persons::id.asc())
            .limit(limit + 1)
            .select(PersonRow::as_select())
            .load(conn)?
    };
    let sync = q.updated_since.is_some();
    let next = Cursor::next_page(&mut rows, limit, |r| Cursor {
        ts: sync.then(|| r.updated_at.and_utc().timestamp_micros()),
        id: r.id.clone(),
    });
    let items = rows
        .iter()
        .map(|r| {
            Ok(if r.deleted_at.is_some() {
                PersonItem::Tombstone(Tombstone {
                    id: uuid(&r.id)?,
                    version: r.version,
                    deleted: true,
                    updated_at: utc(r.updated_at),
                    reason: None,
                })
            } else {
                PersonItem::Person(Box::new(r.to_api()?))
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok((items, next))
}

/// Records a search by identity number that found persons as a reveal of each (the
/// number is confirmed to the searcher), under the person's county.
pub fn audit_number_search(
    conn: &mut DbConn,
    user: &AuthUser,
    found: &[PersonItem],
) -> Result<(), ApiError> {
    for item in found {
        if let PersonItem::Person(p) = item {
            audit::record(
                conn,
                Event {
                    actor: user,
                    action: AuditAction::Reveal,
                    entity_type: "person",
                    entity_id: p.id,
                    owner_region: &p.county_code,
                    reason: Some("search by identity number"),
                    before: None,
                    after: None,
                },
            )?;
        }
    }
    Ok(())
}

fn duplicate_id_number() -> ApiError {
    ApiError::Conflict {
        code: "duplicate_id_number",
        detail: "a person with this identity number is already registered".into(),
    }
}

/// Fails with 409 if another live person has this identity number.
fn check_unique(conn: &mut DbConn, hmac: &str, except: Option<&str>) -> Result<(), ApiError> {
    let taken: i64 = persons::table
        .filter(persons::id_number_hmac.eq(hmac))
        .filter(persons::deleted_at.is_null())
        .filter(persons::id.ne(except.unwrap_or("").to_owned()))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        Err(duplicate_id_number())
    } else {
        Ok(())
    }
}

/// Validates the address against reference data and the caller's scope; returns the city.
fn check_place(
    conn: &mut DbConn,
    user: &AuthUser,
    input: &shared::person::ValidPerson,
    errs: &mut FieldErrors,
) -> Result<Option<String>, ApiError> {
    if !user.scope.covers_region(&input.county_code) {
        errs.add(
            "county_code",
            "outside_scope",
            "this county lies outside your unit's area",
        );
        return Ok(None);
    }
    crate::org::queries::check_address(
        conn,
        &input.county_code,
        input.town_code.as_deref(),
        input.village_code.as_deref(),
        errs,
    )
}

/// What a create led to.
#[derive(Debug)]
pub enum Created {
    /// A new record.
    New(Person),
    /// A retry of an earlier create with the same id and body.
    Existing(Person),
}

/// Creates a registry entry, or answers an idempotent retry.
pub fn create(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    body: &PersonCreate,
) -> Result<Created, ApiError> {
    let valid = body.fields.validate(today(), true);
    let body_hash = record::create_digest(pii, "person", &body.fields)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, persons, id, &body_hash, user)? {
            return Ok(Created::Existing(get(conn, &user.scope, id)?.to_api()?));
        }
        let mut errs = FieldErrors(valid.as_ref().err().cloned().unwrap_or_default());
        let Ok(v) = valid.as_ref() else {
            return Err(ApiError::Validation(errs.0));
        };
        let city = check_place(conn, user, v, &mut errs)?;
        let (Some(city), Some(id_number), true) = (city, v.id_number.as_ref(), errs.is_empty())
        else {
            return Err(ApiError::Validation(errs.0));
        };
        let protected = ProtectedId::new(pii, id_number)?;
        check_unique(conn, &protected.hmac, None)?;
        let at = now();
        let row = PersonUpdateRow::new(
            v,
            protected,
            city,
            Stamp {
                version: 1,
                at,
                by: user.id.to_string(),
            },
        )
        .into_insert(id.to_string(), false, Some(body_hash.clone()));
        diesel::insert_into(persons::table)
            .values(&row)
            .execute(conn)
            .map_err(|e| match ApiError::from(e) {
                ApiError::Conflict { .. } => duplicate_id_number(),
                other => other,
            })?;
        let created = get(conn, &user.scope, id)?.to_api()?;
        crate::sync::record(
            conn,
            crate::sync::Entity::Person,
            (&row.id, created.version, created.updated_at.naive_utc()),
            &[&created.county_code],
        )?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "person",
                entity_id: id,
                owner_region: &created.county_code,
                reason: None,
                before: None,
                after: Some(audit_view(&created)),
            },
        )?;
        Ok(Created::New(created))
    })
}

/// The audit form of a person: the masked API view without bookkeeping.
fn audit_view(p: &Person) -> serde_json::Value {
    let mut v = serde_json::to_value(p).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        for k in [
            "created_at",
            "created_by",
            "updated_at",
            "updated_by",
            "deleted",
            "severe",
        ] {
            o.remove(k);
        }
    }
    v
}

/// Replaces a registry entry, if `version` is still current.
pub fn update(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    input: &PersonInput,
) -> Result<Person, ApiError> {
    let valid = input.validate(today(), false);
    write_tx(conn, |conn| {
        let row = get(conn, &user.scope, id)?;
        if row.version != version {
            return Err(ApiError::stale_version());
        }
        let mut errs = FieldErrors(valid.as_ref().err().cloned().unwrap_or_default());
        let Ok(v) = valid.as_ref() else {
            return Err(ApiError::Validation(errs.0));
        };
        let city = check_place(conn, user, v, &mut errs)?;
        let (id_number, protected) = match &v.id_number {
            Some(n) => (n.clone(), ProtectedId::new(pii, n)?),
            None => {
                let stored =
                    IdNumber::parse(&pii.decrypt(&row.id_number_enc)?, chrono::NaiveDate::MAX)
                        .map_err(|e| {
                            ApiError::Internal(anyhow::anyhow!(
                                "stored identity number invalid: {e}"
                            ))
                        })?;
                // Keep the stored ciphertext: re-encrypting would change it for nothing.
                let p = ProtectedId {
                    enc: row.id_number_enc.clone(),
                    hmac: row.id_number_hmac.clone(),
                    masked: row.id_number_masked.clone(),
                    birth_year: stored.birth_date().year(),
                    sex: stored.sex(),
                };
                (stored, p)
            }
        };
        if v.id_number.is_none() && v.has_certificate {
            if let Some(cert) = input
                .certificate_number
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                if let Err(e) = shared::person::check_certificate_against(
                    cert,
                    &id_number,
                    v.disability_category,
                    v.disability_level,
                    today(),
                ) {
                    errs.add("certificate_number", e.code, e.message);
                }
            }
        }
        let Some(city) = city.filter(|_| errs.is_empty()) else {
            return Err(ApiError::Validation(errs.0));
        };
        check_unique(conn, &protected.hmac, Some(&row.id))?;
        let before = row.to_api()?;
        let change = PersonUpdateRow::new(
            v,
            protected,
            city,
            Stamp {
                version: row.version + 1,
                at: now(),
                by: user.id.to_string(),
            },
        );
        let n = diesel::update(
            persons::table
                .filter(persons::id.eq(&row.id))
                .filter(persons::version.eq(version)),
        )
        .set(&change)
        .execute(conn)
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict { .. } => duplicate_id_number(),
            other => other,
        })?;
        record::changed(n)?;
        let after = get(conn, &user.scope, id)?.to_api()?;
        // The county it left (if it moved) learns to forget it.
        crate::sync::record(
            conn,
            crate::sync::Entity::Person,
            (&row.id, after.version, after.updated_at.naive_utc()),
            &[&before.county_code, &after.county_code],
        )?;
        if after.poverty_status != before.poverty_status {
            // A registry edit that changes the status joins the status history too.
            crate::monitoring::record(
                conn,
                user,
                &row.id,
                (
                    &after.county_code,
                    after.county_code.get(..4).unwrap_or("43"),
                ),
                before.poverty_status,
                after.poverty_status,
                today(),
                "登记信息修改 (registry edit)",
            )?;
        }
        if after.county_code != before.county_code {
            // Open work follows the person to the county that now serves them.
            crate::rehab::needs::follow_person(conn, &row.id, &after.county_code)?;
        }
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "person",
                entity_id: id,
                owner_region: &after.county_code,
                reason: None,
                before: Some(audit_view(&before)),
                after: Some(audit_view(&after)),
            },
        )?;
        Ok(after)
    })
}

/// Soft-deletes a registry entry, if `version` is still current. The record stays as a
/// tombstone for sync and its identity number becomes free for a new entry.
pub fn delete(conn: &mut DbConn, user: &AuthUser, id: Uuid, version: i64) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let row = get(conn, &user.scope, id)?;
        if row.version != version {
            return Err(ApiError::stale_version());
        }
        let at = now();
        let n = diesel::update(
            persons::table
                .filter(persons::id.eq(&row.id))
                .filter(persons::version.eq(version)),
        )
        .set((
            persons::deleted_at.eq(Some(at)),
            persons::deleted_by.eq(Some(user.id.to_string())),
            persons::version.eq(version + 1),
            persons::updated_at.eq(at),
            persons::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        record::changed(n)?;
        crate::sync::record(
            conn,
            crate::sync::Entity::Person,
            (&row.id, version + 1, at),
            &[&row.county_code],
        )?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Delete,
                entity_type: "person",
                entity_id: id,
                owner_region: &row.county_code,
                reason: None,
                before: Some(audit_view(&row.to_api()?)),
                after: None,
            },
        )
    })
}

/// Shows the full identity and certificate numbers, recording who asked and why.
pub fn reveal(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    id: Uuid,
    reason: &str,
) -> Result<RevealResponse, ApiError> {
    write_tx(conn, |conn| {
        let row = get(conn, &user.scope, id)?;
        let id_number = pii.decrypt(&row.id_number_enc)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Reveal,
                entity_type: "person",
                entity_id: id,
                owner_region: &row.county_code,
                reason: Some(reason),
                before: None,
                after: None,
            },
        )?;
        let birth_date = IdNumber::parse(&id_number, chrono::NaiveDate::MAX)
            .map_err(|e| {
                ApiError::Internal(anyhow::anyhow!("stored identity number invalid: {e}"))
            })?
            .birth_date();
        Ok(RevealResponse {
            certificate_number: row.certificate_number(&id_number),
            birth_date,
            id_number,
        })
    })
}
