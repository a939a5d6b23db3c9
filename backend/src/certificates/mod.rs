//! Disability certificates (measure 3): applications, the assessment's outcome (issue or
//! refusal, fee waived), and the checks of registered-poor persons whose certificate is
//! missing, expired or at odds with the registry. See `shared::certificates`.

pub mod routes;
#[cfg(test)]
mod tests;

use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use shared::api::{AuditAction, Page};
use shared::auth::Capability;
use shared::certificates::{
    Certificate, CertificateApply, CertificateCheck, CertificateDecide, CertificateGap,
    CertificateStatus, CheckQuery,
};
use shared::DisabilityCategory;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{certificates, persons};
use crate::db::{now, today, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::pagination::{limit_of, Cursor};

type Row = (
    String,
    i64,
    String,
    String,
    String,
    String,
    chrono::NaiveDate,
    bool,
    Option<String>,
    Option<i32>,
    Option<chrono::NaiveDate>,
    Option<chrono::NaiveDate>,
    bool,
    String,
);

fn internal(e: shared::codes::UnknownCode) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("{e}"))
}

/// A certificate as the API shows it; `masked` is the holder's masked identity number.
fn view(row: Row, masked: &str) -> Result<Certificate, ApiError> {
    let (
        id,
        version,
        person,
        county,
        kind,
        status,
        applied,
        visit,
        cat,
        level,
        decided,
        until,
        waived,
        note,
    ) = row;
    let category: Option<DisabilityCategory> = cat
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(internal)?;
    let level = level.and_then(|l| u8::try_from(l).ok());
    let status: CertificateStatus = status.parse().map_err(internal)?;
    Ok(Certificate {
        id: uuid(&id)?,
        version,
        person_id: uuid(&person)?,
        county_code: county,
        kind: kind.parse().map_err(internal)?,
        status,
        applied_on: applied,
        found_on_visit: visit,
        number_masked: match (status, category, level) {
            (CertificateStatus::Issued, Some(c), Some(l)) => {
                Some(format!("{masked}{}{l}", c.digit()))
            }
            _ => None,
        },
        category,
        level,
        decided_on: decided,
        valid_until: until,
        fee_waived: waived,
        note,
    })
}

/// The columns of a [`Row`].
type Columns = (
    certificates::id,
    certificates::version,
    certificates::person_id,
    certificates::county_code,
    certificates::kind,
    certificates::status,
    certificates::applied_on,
    certificates::found_on_visit,
    certificates::category,
    certificates::level,
    certificates::decided_on,
    certificates::valid_until,
    certificates::fee_waived,
    certificates::note,
);

const COLUMNS: Columns = (
    certificates::id,
    certificates::version,
    certificates::person_id,
    certificates::county_code,
    certificates::kind,
    certificates::status,
    certificates::applied_on,
    certificates::found_on_visit,
    certificates::category,
    certificates::level,
    certificates::decided_on,
    certificates::valid_until,
    certificates::fee_waived,
    certificates::note,
);

/// Records an application for a person of the caller's area; one open at a time. A
/// retry of the same create (client-chosen id) answers the first with `false`.
pub fn apply(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &CertificateApply,
) -> Result<(bool, Certificate), ApiError> {
    user.require(Capability::WritePersons)?;
    body.validate(today()).map_err(ApiError::Validation)?;
    let digest = crate::record::create_digest(pii, "certificate", body)?;
    write_tx(conn, |conn| {
        if let Some(id) = body.id {
            crate::record::lock_id(conn, &id)?;
            let found: Option<(Option<String>, String, String)> = certificates::table
                .filter(certificates::id.eq(id.to_string()))
                .select((
                    certificates::create_hash,
                    certificates::created_by,
                    certificates::county_code,
                ))
                .first(conn)
                .optional()?;
            if let Some((hash, by, county)) = found {
                crate::record::replay(
                    crate::record::Existing {
                        create_hash: hash.as_deref(),
                        created_by: &by,
                        deleted: false,
                        in_scope: user.scope.covers_region(&county),
                    },
                    &digest,
                    user,
                )?;
                return Ok((false, one(conn, &user.scope, id)?));
            }
        }
        let person = crate::persons::queries::get(conn, &user.scope, body.person_id).map_err(
            |e| match e {
                ApiError::NotFound => {
                    ApiError::field("person_id", "not_found", "no such person in your area")
                }
                other => other,
            },
        )?;
        crate::db::advisory_lock(conn, &[format!("certificate:{}", person.id)])?;
        let open: i64 = certificates::table
            .filter(certificates::person_id.eq(&person.id))
            .filter(certificates::status.eq(CertificateStatus::Applied.as_str()))
            .count()
            .get_result(conn)?;
        if open > 0 {
            return Err(ApiError::Conflict {
                code: "duplicate",
                detail: "the person has an application awaiting assessment".into(),
            });
        }
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        let at = now();
        diesel::insert_into(certificates::table)
            .values((
                certificates::id.eq(id.to_string()),
                certificates::person_id.eq(&person.id),
                certificates::county_code.eq(&person.county_code),
                certificates::city_code.eq(&person.city_code),
                certificates::kind.eq(body.kind.as_str()),
                certificates::status.eq(CertificateStatus::Applied.as_str()),
                certificates::applied_on.eq(body.applied_on),
                certificates::found_on_visit.eq(body.found_on_visit),
                certificates::fee_waived.eq(false),
                certificates::note.eq(body.note.trim()),
                certificates::create_hash.eq(&digest),
                certificates::version.eq(1_i64),
                certificates::created_at.eq(at),
                certificates::created_by.eq(user.id.to_string()),
                certificates::updated_at.eq(at),
                certificates::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let cert = one(conn, &user.scope, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "certificate",
                entity_id: id,
                owner_region: &person.county_code,
                reason: None,
                before: None,
                after: Some(serde_json::to_value(&cert).unwrap_or_default()),
            },
        )?;
        Ok((true, cert))
    })
}

/// A certificate of a person of the caller's area (404 otherwise).
pub fn one(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<Certificate, ApiError> {
    let row: Row = crate::scope_filter!(certificates::table.into_boxed(), scope, certificates)
        .filter(certificates::id.eq(id.to_string()))
        .select(COLUMNS)
        .first(conn)?;
    let masked: String = persons::table
        .filter(persons::id.eq(&row.2))
        .select(persons::id_number_masked)
        .first(conn)?;
    view(row, &masked)
}

/// A person's certificates, newest application first.
pub fn of_person(
    conn: &mut DbConn,
    scope: &Scope,
    person: Uuid,
) -> Result<Vec<Certificate>, ApiError> {
    let p = crate::persons::queries::get(conn, scope, person)?;
    let rows: Vec<Row> = certificates::table
        .filter(certificates::person_id.eq(&p.id))
        .order((
            certificates::applied_on.desc(),
            certificates::created_at.desc(),
        ))
        .select(COLUMNS)
        .load(conn)?;
    rows.into_iter()
        .map(|r| view(r, &p.id_number_masked))
        .collect()
}

/// The assessment's outcome: issued for the category and level the registry holds (a
/// different one is refused: correct the registry first), or refused.
pub fn decide(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    body: &CertificateDecide,
) -> Result<Certificate, ApiError> {
    user.require(Capability::WritePersons)?;
    body.validate(today()).map_err(ApiError::Validation)?;
    write_tx(conn, |conn| {
        let before = one(conn, &user.scope, id)?;
        if before.version != body.version {
            return Err(ApiError::stale_version());
        }
        if before.status != CertificateStatus::Applied {
            return Err(ApiError::Conflict {
                code: "invalid_transition",
                detail: "only an application awaiting assessment can be decided".into(),
            });
        }
        if body.decided_on < before.applied_on {
            return Err(ApiError::field(
                "decided_on",
                "before_start",
                "not before the application",
            ));
        }
        let person = crate::persons::queries::get(conn, &user.scope, before.person_id)?;
        let at = now();
        let by = user.id.to_string();
        if body.issue {
            let mut errs = shared::FieldErrors::new();
            if body.category.map(|c| c.as_str()) != Some(person.disability_category.as_str()) {
                errs.add(
                    "category",
                    "differs_from_registry",
                    "correct the registry first",
                );
            }
            if body.level.map(i32::from) != Some(person.disability_level) {
                errs.add(
                    "level",
                    "differs_from_registry",
                    "correct the registry first",
                );
            }
            if !errs.is_empty() {
                return Err(ApiError::Validation(errs.0));
            }
            if !person.has_certificate {
                let version = person.version + 1;
                let n = diesel::update(
                    persons::table
                        .filter(persons::id.eq(&person.id))
                        .filter(persons::version.eq(person.version)),
                )
                .set((
                    persons::has_certificate.eq(true),
                    persons::version.eq(version),
                    persons::updated_at.eq(at),
                    persons::updated_by.eq(&by),
                ))
                .execute(conn)?;
                crate::record::changed(n)?;
                crate::sync::record(
                    conn,
                    crate::sync::Entity::Person,
                    (&person.id, version, at),
                    &[&person.county_code],
                )?;
            }
        }
        let status = if body.issue {
            CertificateStatus::Issued
        } else {
            CertificateStatus::Refused
        };
        let n = diesel::update(
            certificates::table
                .filter(certificates::id.eq(id.to_string()))
                .filter(certificates::version.eq(body.version)),
        )
        .set((
            certificates::status.eq(status.as_str()),
            certificates::category.eq(body.category.filter(|_| body.issue).map(|c| c.as_str())),
            certificates::level.eq(body.level.filter(|_| body.issue).map(i32::from)),
            certificates::decided_on.eq(Some(body.decided_on)),
            certificates::valid_until.eq(body.valid_until.filter(|_| body.issue)),
            certificates::fee_waived.eq(body.fee_waived),
            certificates::version.eq(body.version + 1),
            certificates::updated_at.eq(at),
            certificates::updated_by.eq(&by),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        let after = one(conn, &user.scope, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "certificate",
                entity_id: id,
                owner_region: &after.county_code,
                reason: None,
                before: Some(serde_json::to_value(&before).unwrap_or_default()),
                after: Some(serde_json::to_value(&after).unwrap_or_default()),
            },
        )?;
        Ok(after)
    })
}

#[derive(QueryableByName)]
struct CheckRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    masked: String,
    #[diesel(sql_type = Text)]
    county: String,
    #[diesel(sql_type = Nullable<Text>)]
    cert: Option<String>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Date>)]
    until: Option<chrono::NaiveDate>,
}

/// One page of the registered-poor persons of the caller's area whose certificate is
/// missing, expired or at odds with the registry, by person.
pub fn checks(
    conn: &mut DbConn,
    scope: &Scope,
    q: &CheckQuery,
) -> Result<Page<CertificateCheck>, ApiError> {
    let limit = limit_of(q.limit)?;
    let after = Cursor::after_uuid_sql(q.cursor.as_deref(), "p.id")?;
    let area = match scope {
        Scope::Province => "TRUE".to_owned(),
        Scope::City(c) | Scope::County(c) => format!("p.county_code LIKE '{c}%'"),
    };
    // The day is the server's own; the in-force certificate is the one valid longest.
    let today = today();
    let in_force = format!(
        "(SELECT c.id FROM certificates c WHERE c.person_id = p.id AND c.status = 'issued'
            AND c.valid_until >= '{today}' ORDER BY c.valid_until DESC, c.id LIMIT 1)"
    );
    let last = "(SELECT c.id FROM certificates c WHERE c.person_id = p.id AND c.status = 'issued'
            ORDER BY c.valid_until DESC, c.id LIMIT 1)";
    let (cert, condition) = match q.gap {
        CertificateGap::Missing => (
            "NULL".to_owned(),
            format!("p.has_certificate = FALSE AND {last} IS NULL"),
        ),
        CertificateGap::Expired => (
            last.to_owned(),
            format!("{in_force} IS NULL AND {last} IS NOT NULL"),
        ),
        CertificateGap::Inconsistent => (
            in_force.clone(),
            format!(
                "EXISTS (SELECT 1 FROM certificates c WHERE c.id = {in_force}
                    AND (c.category <> p.disability_category OR c.level <> p.disability_level
                         OR p.has_certificate = FALSE))"
            ),
        ),
    };
    let sql = format!(
        "SELECT p.id AS id, p.name AS name, p.id_number_masked AS masked, p.county_code AS county,
            {cert} AS cert,
            (SELECT c.valid_until FROM certificates c WHERE c.id = {cert}) AS until
         FROM persons p
         WHERE p.deleted_at IS NULL AND p.registered_poor = TRUE AND {area} AND {condition}
            AND {after}
         ORDER BY p.id LIMIT {n}",
        n = limit + 1
    );
    let mut rows: Vec<CheckRow> = diesel::sql_query(sql).load(conn)?;
    let next_cursor = Cursor::next_page(&mut rows, limit, |r| Cursor {
        ts: None,
        id: r.id.clone(),
    });
    let items = rows
        .into_iter()
        .map(|r| {
            Ok(CertificateCheck {
                gap: q.gap,
                person_id: uuid(&r.id)?,
                name: r.name,
                id_number_masked: r.masked,
                county_code: r.county,
                certificate_id: r.cert.as_deref().map(uuid).transpose()?,
                valid_until: r.until,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Page { items, next_cursor })
}
