//! Queries on employment bases; reads start from [`visible`].

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::employment::BaseInput;
pub use shared::employment::{Base, BaseCreate, BaseUpdate};
use shared::FieldErrors;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{base_employees, employment_bases, persons};
use crate::db::{code, now, today, utc, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::pii::Pii;
use crate::record;

type Backend = <DbConn as diesel::Connection>::Backend;

type Row = (
    String,
    i64,
    String,
    String,
    String,
    String,
    NaiveDate,
    Option<String>,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
);

/// Live bases in `scope`.
pub fn visible(scope: &Scope) -> employment_bases::BoxedQuery<'static, Backend> {
    crate::scope_filter!(
        employment_bases::table.into_boxed(),
        scope,
        employment_bases
    )
    .filter(employment_bases::deleted_at.is_null())
}

fn load(
    conn: &mut DbConn,
    q: employment_bases::BoxedQuery<'static, Backend>,
) -> Result<Vec<Base>, ApiError> {
    let rows: Vec<Row> = q
        .order(employment_bases::id.asc())
        .select((
            employment_bases::id,
            employment_bases::version,
            employment_bases::name,
            employment_bases::credit_code,
            employment_bases::county_code,
            employment_bases::kind,
            employment_bases::recognised_on,
            employment_bases::contact_name,
            employment_bases::contact_phone,
            employment_bases::created_at,
            employment_bases::updated_at,
        ))
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let counts: Vec<(String, i64)> = base_employees::table
        .filter(base_employees::base_id.eq_any(&ids))
        .group_by(base_employees::base_id)
        .select((base_employees::base_id, diesel::dsl::count_star()))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(
                id,
                version,
                name,
                credit_code,
                county_code,
                kind,
                recognised_on,
                contact_name,
                contact_phone,
                created,
                updated,
            )| {
                let employees = counts.iter().find(|c| c.0 == id).map_or(0, |c| c.1);
                Ok(Base {
                    id: uuid(&id)?,
                    version,
                    fields: BaseInput {
                        name,
                        credit_code,
                        county_code,
                        kind: code(&kind)?,
                        recognised_on,
                        contact_name,
                        contact_phone,
                    },
                    employees,
                    created_at: utc(created),
                    updated_at: utc(updated),
                })
            },
        )
        .collect()
}

/// A base in scope.
pub fn get(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<Base, ApiError> {
    load(
        conn,
        visible(scope).filter(employment_bases::id.eq(id.to_string())),
    )?
    .pop()
    .ok_or(ApiError::NotFound)
}

/// A page of bases in scope.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Base>, ApiError> {
    let mut q = visible(scope).limit(limit);
    if let Some(a) = after {
        q = q.filter(employment_bases::id.gt(a.to_owned()));
    }
    load(conn, q)
}

/// Validates a base against the rules, the caller's scope and uniqueness; returns the
/// normalised credit code and the city.
fn check(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &BaseInput,
    except: Option<&str>,
) -> Result<(String, String), ApiError> {
    let valid = f.validate(today());
    let mut errs = FieldErrors(valid.as_ref().err().cloned().unwrap_or_default());
    let county = f.county_code.trim();
    if errs.is_empty() && !user.scope.covers_region(county) {
        errs.add(
            "county_code",
            "outside_scope",
            "this county lies outside your unit's area",
        );
    }
    let city = if errs.is_empty() {
        crate::org::queries::check_address(conn, county, None, None, &mut errs)?
    } else {
        None
    };
    let (Ok(credit), Some(city), true) = (valid, city, errs.is_empty()) else {
        return Err(ApiError::Validation(errs.0));
    };
    let taken: i64 = employment_bases::table
        .filter(employment_bases::credit_code.eq(&credit))
        .filter(employment_bases::deleted_at.is_null())
        .filter(employment_bases::id.ne(except.unwrap_or("").to_owned()))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::Conflict {
            code: "duplicate_credit_code",
            detail: "a base with this credit code is already registered".into(),
        });
    }
    Ok((credit, city))
}

fn json(b: &Base) -> serde_json::Value {
    serde_json::to_value(&b.fields).unwrap_or_default()
}

/// Registers a base.
pub fn create(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    body: &BaseCreate,
) -> Result<(bool, Base), ApiError> {
    let hash = record::create_digest(pii, "employment_base", &body.fields)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, employment_bases, id, &hash, user)? {
            return Ok((false, get(conn, &user.scope, id)?));
        }
        let (credit, city) = check(conn, user, &body.fields, None)?;
        let f = &body.fields;
        let at = now();
        diesel::insert_into(employment_bases::table)
            .values((
                employment_bases::id.eq(id.to_string()),
                employment_bases::name.eq(f.name.trim()),
                employment_bases::credit_code.eq(&credit),
                employment_bases::county_code.eq(f.county_code.trim()),
                employment_bases::city_code.eq(&city),
                employment_bases::kind.eq(f.kind.as_str()),
                employment_bases::recognised_on.eq(f.recognised_on),
                employment_bases::contact_name.eq(&f.contact_name),
                employment_bases::contact_phone.eq(&f.contact_phone),
                employment_bases::create_hash.eq(&hash),
                employment_bases::version.eq(1),
                employment_bases::created_at.eq(at),
                employment_bases::created_by.eq(user.id.to_string()),
                employment_bases::updated_at.eq(at),
                employment_bases::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let base = get(conn, &user.scope, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "employment_base",
                entity_id: id,
                owner_region: &base.fields.county_code,
                reason: None,
                before: None,
                after: Some(json(&base)),
            },
        )?;
        Ok((true, base))
    })
}

/// Replaces a base's fields if `version` is current.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    body: &BaseUpdate,
) -> Result<Base, ApiError> {
    write_tx(conn, |conn| {
        let before = get(conn, &user.scope, id)?;
        if before.version != body.version {
            return Err(ApiError::stale_version());
        }
        let (credit, city) = check(conn, user, &body.fields, Some(&id.to_string()))?;
        // Employees are persons of the base's county: no move while it has any.
        if body.fields.county_code.trim() != before.fields.county_code && before.employees > 0 {
            return Err(ApiError::Conflict {
                code: "links_in_county",
                detail: "unlink the base's employees before moving it to another county".into(),
            });
        }
        let f = &body.fields;
        let n = diesel::update(
            employment_bases::table
                .filter(employment_bases::id.eq(id.to_string()))
                .filter(employment_bases::version.eq(body.version)),
        )
        .set((
            employment_bases::name.eq(f.name.trim()),
            employment_bases::credit_code.eq(&credit),
            employment_bases::county_code.eq(f.county_code.trim()),
            employment_bases::city_code.eq(&city),
            employment_bases::kind.eq(f.kind.as_str()),
            employment_bases::recognised_on.eq(f.recognised_on),
            employment_bases::contact_name.eq(&f.contact_name),
            employment_bases::contact_phone.eq(&f.contact_phone),
            employment_bases::version.eq(body.version + 1),
            employment_bases::updated_at.eq(now()),
            employment_bases::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        let after = get(conn, &user.scope, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "employment_base",
                entity_id: id,
                owner_region: &after.fields.county_code,
                reason: None,
                before: Some(json(&before)),
                after: Some(json(&after)),
            },
        )?;
        Ok(after)
    })
}

/// Links a registered person (in scope) to a base as a disabled employee.
pub fn add_employee(
    conn: &mut DbConn,
    user: &AuthUser,
    base: Uuid,
    person: Uuid,
) -> Result<Base, ApiError> {
    write_tx(conn, |conn| {
        let b = get(conn, &user.scope, base)?;
        let Ok(p) = crate::persons::queries::get(conn, &user.scope, person) else {
            return Err(ApiError::field(
                "person_id",
                "not_found",
                "no such person in your area",
            ));
        };
        // The link makes the person visible to the base's county: only its own people.
        if p.county_code != b.fields.county_code {
            return Err(crate::training::queries::not_in_unit());
        }
        let exists: i64 = base_employees::table
            .filter(base_employees::base_id.eq(base.to_string()))
            .filter(base_employees::person_id.eq(person.to_string()))
            .count()
            .get_result(conn)?;
        if exists == 0 {
            diesel::insert_into(base_employees::table)
                .values((
                    base_employees::base_id.eq(base.to_string()),
                    base_employees::person_id.eq(person.to_string()),
                    base_employees::added_at.eq(now()),
                ))
                .execute(conn)?;
            audit::record(
                conn,
                Event {
                    actor: user,
                    action: AuditAction::Update,
                    entity_type: "employment_base",
                    entity_id: base,
                    owner_region: &b.fields.county_code,
                    reason: None,
                    before: Some(serde_json::json!({"employees": b.employees})),
                    after: Some(
                        serde_json::json!({"employees": b.employees + 1, "added_person_id": person}),
                    ),
                },
            )?;
        }
        get(conn, &user.scope, base)
    })
}

/// Unlinks a person from a base (a link made in error, or the person left).
pub fn remove_employee(
    conn: &mut DbConn,
    user: &AuthUser,
    base: Uuid,
    person: Uuid,
) -> Result<Base, ApiError> {
    write_tx(conn, |conn| {
        let b = get(conn, &user.scope, base)?;
        let n = diesel::delete(
            base_employees::table
                .filter(base_employees::base_id.eq(base.to_string()))
                .filter(base_employees::person_id.eq(person.to_string())),
        )
        .execute(conn)?;
        if n == 0 {
            return Err(ApiError::NotFound);
        }
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "employment_base",
                entity_id: base,
                owner_region: &b.fields.county_code,
                reason: None,
                before: Some(serde_json::json!({"employees": b.employees})),
                after: Some(
                    serde_json::json!({"employees": b.employees - 1, "removed_person_id": person}),
                ),
            },
        )?;
        get(conn, &user.scope, base)
    })
}

/// The disabled employees of a base: (person id, name, masked identity number); only
/// live persons that the caller may see.
pub fn employees(
    conn: &mut DbConn,
    scope: &Scope,
    base: Uuid,
) -> Result<Vec<(Uuid, String, String)>, ApiError> {
    get(conn, scope, base)?;
    let q = base_employees::table
        .inner_join(persons::table)
        .into_boxed();
    let rows: Vec<(String, String, String)> = crate::scope_filter!(q, scope, persons)
        .filter(base_employees::base_id.eq(base.to_string()))
        .filter(persons::deleted_at.is_null())
        .order(persons::name.asc())
        .select((persons::id, persons::name, persons::id_number_masked))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, name, masked)| Ok((uuid(&id)?, name, masked)))
        .collect()
}
