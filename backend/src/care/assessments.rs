//! Care assessments: a person's self-care level, carer situation and preferred mode,
//! recorded by county care staff. A placement rests on one; whoever recorded it may not
//! approve that placement (four eyes).

use diesel::prelude::*;
use shared::api::AuditAction;
use shared::care::{CareAssessment, CareAssessmentCreate, CareAssessmentInput};
use shared::FieldErrors;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{care_assessments, persons, users};
use crate::db::{code, now, today, uuid, write_tx, DbConn};
use crate::error::ApiError;

type Backend = <DbConn as diesel::Connection>::Backend;

/// A row of `care_assessments`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = care_assessments)]
pub struct AssessmentRow {
    /// Id.
    pub id: String,
    /// Person.
    pub person_id: String,
    /// County.
    pub county_code: String,
    /// Date.
    pub assessed_on: chrono::NaiveDate,
    /// Assessor.
    pub assessor: String,
    /// Self-care level.
    pub self_care: String,
    /// Carer situation.
    pub carer: String,
    /// Preferred mode.
    pub preferred_mode: String,
    /// Note.
    pub note: Option<String>,
    /// Version.
    pub version: i64,
    /// Recorded by (user id).
    pub created_by: String,
}

/// Live assessments in `scope`.
pub fn visible(scope: &Scope) -> care_assessments::BoxedQuery<'static, Backend> {
    crate::scope_filter!(
        care_assessments::table.into_boxed(),
        scope,
        care_assessments
    )
    .filter(care_assessments::deleted_at.is_null())
}

/// An assessment's row in `scope`.
pub fn row(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<AssessmentRow, ApiError> {
    Ok(visible(scope)
        .filter(care_assessments::id.eq(id))
        .select(AssessmentRow::as_select())
        .first(conn)?)
}

fn to_api(conn: &mut DbConn, scope: &Scope, r: AssessmentRow) -> Result<CareAssessment, ApiError> {
    let person_name: String = crate::persons::queries::live(scope)
        .filter(persons::id.eq(&r.person_id))
        .select(persons::name)
        .first(conn)
        .optional()?
        .unwrap_or_default();
    let recorded_by: String = users::table
        .filter(users::id.eq(&r.created_by))
        .select(users::username)
        .first(conn)
        .optional()?
        .unwrap_or_default();
    Ok(CareAssessment {
        id: uuid(&r.id)?,
        version: r.version,
        fields: CareAssessmentInput {
            person_id: uuid(&r.person_id)?,
            assessed_on: r.assessed_on,
            assessor: r.assessor,
            self_care: code(&r.self_care)?,
            carer: code(&r.carer)?,
            preferred_mode: code(&r.preferred_mode)?,
            note: r.note,
        },
        person_name,
        county_code: r.county_code,
        recorded_by,
    })
}

/// An assessment in the user's scope.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<CareAssessment, ApiError> {
    let r = row(conn, &user.scope, &id.to_string())?;
    to_api(conn, &user.scope, r)
}

/// Filters of `GET /api/v1/care/assessments`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    /// Only this person's assessments.
    pub person_id: Option<Uuid>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// A page of assessments in the user's scope.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &AssessmentQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<CareAssessment>, ApiError> {
    let mut q = visible(&user.scope);
    if let Some(p) = f.person_id {
        q = q.filter(care_assessments::person_id.eq(p.to_string()));
    }
    if let Some(a) = after {
        q = q.filter(care_assessments::id.gt(a.to_owned()));
    }
    let rows: Vec<AssessmentRow> = q
        .order(care_assessments::id.asc())
        .limit(limit)
        .select(AssessmentRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|r| to_api(conn, &user.scope, r))
        .collect()
}

/// Records a care assessment (county care staff) of a person of their county.
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &CareAssessmentCreate,
) -> Result<(bool, CareAssessment), ApiError> {
    super::require_county_writer(user)?;
    let f = &body.fields;
    let hash = crate::record::create_digest(pii, "care_assessment", f)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, care_assessments, id, &hash, user)? {
            return Ok((false, get(conn, user, id)?));
        }
        let mut errs = FieldErrors(f.validate(today()).err().unwrap_or_default());
        let person = match crate::persons::queries::get(conn, &user.scope, f.person_id) {
            Ok(p) => Some(p),
            Err(ApiError::NotFound) => {
                errs.add("person_id", "not_found", "no such person in your area");
                None
            }
            Err(e) => return Err(e),
        };
        let (Some(p), true) = (person, errs.is_empty()) else {
            return Err(ApiError::Validation(errs.0));
        };
        let at = now();
        diesel::insert_into(care_assessments::table)
            .values((
                care_assessments::id.eq(id.to_string()),
                care_assessments::person_id.eq(&p.id),
                care_assessments::county_code.eq(&p.county_code),
                care_assessments::city_code.eq(&p.city_code),
                care_assessments::assessed_on.eq(f.assessed_on),
                care_assessments::assessor.eq(f.assessor.trim()),
                care_assessments::self_care.eq(f.self_care.as_str()),
                care_assessments::carer.eq(f.carer.as_str()),
                care_assessments::preferred_mode.eq(f.preferred_mode.as_str()),
                care_assessments::note.eq(f.note.as_deref().map(str::trim)),
                care_assessments::create_hash.eq(&hash),
                care_assessments::version.eq(1),
                care_assessments::created_at.eq(at),
                care_assessments::created_by.eq(user.id.to_string()),
                care_assessments::updated_at.eq(at),
                care_assessments::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "care_assessment",
                entity_id: id,
                owner_region: &p.county_code,
                reason: None,
                before: None,
                after: Some(serde_json::json!({"person_id": p.id,
                    "self_care": f.self_care, "carer": f.carer,
                    "preferred_mode": f.preferred_mode})),
            },
        )?;
        Ok((true, get(conn, user, id)?))
    })
}
