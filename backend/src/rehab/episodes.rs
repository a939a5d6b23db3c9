//! Rehabilitation service episodes: a person served by an institution under a project
//! for some months at a monthly standard. Children's rehabilitation (0–6) allows one
//! disability category of institutional training per child per year; a child who turns
//! 7 during the year may only continue last year's episode.

use chrono::{Datelike, NaiveDateTime};
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::rehab::{self, ChildAge, Episode, EpisodeCreate, EpisodeInput, RehabProject};
use shared::FieldErrors;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{persons, rehab_episodes};
use crate::db::{code, now, today, utc, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::persons::model::PersonRow;

type Backend = <DbConn as diesel::Connection>::Backend;

/// A row of `rehab_episodes`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rehab_episodes)]
pub struct EpisodeRow {
    /// Id.
    pub id: String,
    /// Person.
    pub person_id: String,
    /// Need served.
    pub need_id: Option<String>,
    /// County.
    pub county_code: String,
    /// Institution.
    pub institution: String,
    /// Project.
    pub project: String,
    /// Category.
    pub category: String,
    /// Start.
    pub start_on: chrono::NaiveDate,
    /// End.
    pub end_on: Option<chrono::NaiveDate>,
    /// Months.
    pub months: i32,
    /// Monthly standard.
    pub monthly_fen: i64,
    /// Total.
    pub total_fen: i64,
    /// Guardian.
    pub guardian: Option<String>,
    /// Outcome.
    pub outcome: Option<String>,
    /// Continues.
    pub continues: Option<String>,
    /// Year.
    pub year: i32,
    /// Version.
    pub version: i64,
    /// Created at.
    pub created_at: NaiveDateTime,
    /// Updated at.
    pub updated_at: NaiveDateTime,
}

/// Live episodes in `scope`.
pub fn visible(scope: &Scope) -> rehab_episodes::BoxedQuery<'static, Backend> {
    crate::scope_filter!(rehab_episodes::table.into_boxed(), scope, rehab_episodes)
        .filter(rehab_episodes::deleted_at.is_null())
}

fn to_api(conn: &mut DbConn, r: &EpisodeRow, scope: &Scope) -> Result<Episode, ApiError> {
    let person_name: String = crate::persons::queries::live(scope)
        .filter(persons::id.eq(&r.person_id))
        .select(persons::name)
        .first(conn)
        .optional()?
        .unwrap_or_default();
    Ok(Episode {
        id: uuid(&r.id)?,
        version: r.version,
        fields: EpisodeInput {
            person_id: uuid(&r.person_id)?,
            need_id: r.need_id.as_deref().map(uuid).transpose()?,
            institution: r.institution.clone(),
            project: code(&r.project)?,
            category: code(&r.category)?,
            start_on: r.start_on,
            end_on: r.end_on,
            months: r.months,
            monthly_fen: r.monthly_fen,
            guardian: r.guardian.clone(),
            outcome: r.outcome.clone(),
            continues: r.continues.as_deref().map(uuid).transpose()?,
        },
        person_name,
        county_code: r.county_code.clone(),
        year: r.year,
        total_fen: r.total_fen,
        created_at: utc(r.created_at),
        updated_at: utc(r.updated_at),
    })
}

/// An episode in the user's scope.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Episode, ApiError> {
    let r: EpisodeRow = visible(&user.scope)
        .filter(rehab_episodes::id.eq(id.to_string()))
        .select(EpisodeRow::as_select())
        .first(conn)?;
    to_api(conn, &r, &user.scope)
}

/// Filters of `GET /api/v1/rehab/episodes`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EpisodeQuery {
    /// Only this person's episodes.
    pub person_id: Option<Uuid>,
    /// Only this programme year.
    pub year: Option<i32>,
    /// Only this project.
    pub project: Option<RehabProject>,
    /// Only this city (4 digits) or county (6 digits), inside the caller's scope.
    pub county: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// A page of episodes in the user's scope.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &EpisodeQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Episode>, ApiError> {
    let mut q = visible(&user.scope);
    if let Some(p) = f.person_id {
        q = q.filter(rehab_episodes::person_id.eq(p.to_string()));
    }
    if let Some(y) = f.year {
        q = q.filter(rehab_episodes::year.eq(y));
    }
    if let Some(p) = f.project {
        q = q.filter(rehab_episodes::project.eq(p.as_str()));
    }
    if let Some(area) = f.county.as_deref() {
        q = q.filter(rehab_episodes::county_code.like(crate::org::queries::area_pattern(area)?));
    }
    if let Some(a) = after {
        q = q.filter(rehab_episodes::id.gt(a.to_owned()));
    }
    let rows: Vec<EpisodeRow> = q
        .order(rehab_episodes::id.asc())
        .limit(limit)
        .select(EpisodeRow::as_select())
        .load(conn)?;
    rows.iter().map(|r| to_api(conn, r, &user.scope)).collect()
}

/// Checks an episode for the user: the person in the caller's county, the need of the
/// same person, and the children's rules. `except` is the episode itself.
fn check(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &EpisodeInput,
    except: &str,
) -> Result<PersonRow, ApiError> {
    let mut errs = FieldErrors(f.validate(today()).err().unwrap_or_default());
    let person = match crate::persons::queries::get(conn, &user.scope, f.person_id) {
        Ok(p) => Some(p),
        Err(ApiError::NotFound) => {
            errs.add("person_id", "not_found", "no such person in your area");
            None
        }
        Err(e) => return Err(e),
    };
    let year = f.start_on.year();
    if let (Some(need), Some(p)) = (f.need_id, &person) {
        let owner: Option<String> = super::needs::visible(&user.scope)
            .filter(crate::db::schema::rehab_needs::id.eq(need.to_string()))
            .select(crate::db::schema::rehab_needs::person_id)
            .first(conn)
            .optional()?;
        if owner.as_deref() != Some(p.id.as_str()) {
            errs.add("need_id", "not_found", "no such need of this person");
        }
    }
    if let (RehabProject::ChildRehab, Some(p)) = (f.project, &person) {
        let continued_last_year = match f.continues {
            Some(prev) => {
                visible(&user.scope)
                    .filter(rehab_episodes::id.eq(prev.to_string()))
                    .filter(rehab_episodes::person_id.eq(&p.id))
                    .filter(rehab_episodes::project.eq(RehabProject::ChildRehab.as_str()))
                    .filter(rehab_episodes::year.eq(year - 1))
                    .count()
                    .get_result::<i64>(conn)?
                    > 0
            }
            None => false,
        };
        if f.continues.is_some() && !continued_last_year {
            errs.add(
                "continues",
                "not_found",
                "no child rehabilitation episode of this child in the year before",
            );
        }
        match rehab::child_age(p.birth_year, year) {
            ChildAge::Eligible => {}
            ChildAge::TurnsSeven if continued_last_year => {}
            ChildAge::TurnsSeven => errs.add(
                "continues",
                "turns_seven",
                "the child turns 7 this year: only last year's episode may be continued",
            ),
            ChildAge::Ineligible => errs.add(
                "person_id",
                "not_a_child",
                "children's rehabilitation is for children aged 0 to 6",
            ),
        }
        let other: Vec<String> = visible(&user.scope)
            .filter(rehab_episodes::person_id.eq(&p.id))
            .filter(rehab_episodes::project.eq(RehabProject::ChildRehab.as_str()))
            .filter(rehab_episodes::year.eq(year))
            .filter(rehab_episodes::id.ne(except))
            .select(rehab_episodes::category)
            .load(conn)?;
        if other.iter().any(|c| c != f.category.as_str()) {
            errs.add(
                "category",
                "one_category_per_year",
                "a child is trained in one disability category per year",
            );
        }
    }
    match (person, errs.is_empty()) {
        (Some(p), true) => Ok(p),
        _ => Err(ApiError::Validation(errs.0)),
    }
}

fn episode_json(e: &Episode) -> serde_json::Value {
    serde_json::json!({"person_id": e.fields.person_id, "project": e.fields.project,
        "institution": e.fields.institution, "start_on": e.fields.start_on,
        "end_on": e.fields.end_on, "months": e.fields.months,
        "monthly_fen": e.fields.monthly_fen, "total_fen": e.total_fen})
}

fn total(f: &EpisodeInput) -> i64 {
    // Bounded by validation: ≤ 12 × 10^7.
    i64::from(f.months).saturating_mul(f.monthly_fen)
}

/// Records an episode (county rehab staff).
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &EpisodeCreate,
) -> Result<(bool, Episode), ApiError> {
    super::require_county_writer(user)?;
    let f = &body.fields;
    let hash = crate::record::create_digest(pii, "rehab_episode", f)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, rehab_episodes, id, &hash, user)? {
            return Ok((false, get(conn, user, id)?));
        }
        let p = check(conn, user, f, &id.to_string())?;
        let at = now();
        diesel::insert_into(rehab_episodes::table)
            .values((
                rehab_episodes::id.eq(id.to_string()),
                rehab_episodes::person_id.eq(&p.id),
                rehab_episodes::need_id.eq(f.need_id.map(|n| n.to_string())),
                rehab_episodes::county_code.eq(&p.county_code),
                rehab_episodes::city_code.eq(&p.city_code),
                rehab_episodes::institution.eq(f.institution.trim()),
                rehab_episodes::project.eq(f.project.as_str()),
                rehab_episodes::category.eq(f.category.as_str()),
                rehab_episodes::start_on.eq(f.start_on),
                rehab_episodes::end_on.eq(f.end_on),
                rehab_episodes::months.eq(f.months),
                rehab_episodes::monthly_fen.eq(f.monthly_fen),
                rehab_episodes::total_fen.eq(total(f)),
                rehab_episodes::guardian.eq(f.guardian.as_deref().map(str::trim)),
                rehab_episodes::outcome.eq(f.outcome.as_deref().map(str::trim)),
                rehab_episodes::continues.eq(f.continues.map(|c| c.to_string())),
                rehab_episodes::year.eq(f.start_on.year()),
                rehab_episodes::create_hash.eq(&hash),
                rehab_episodes::version.eq(1),
                rehab_episodes::created_at.eq(at),
                rehab_episodes::created_by.eq(user.id.to_string()),
                rehab_episodes::updated_at.eq(at),
                rehab_episodes::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let e = get(conn, user, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "rehab_episode",
                entity_id: id,
                owner_region: &p.county_code,
                reason: None,
                before: None,
                after: Some(episode_json(&e)),
            },
        )?;
        Ok((true, e))
    })
}

/// Corrects an episode (county rehab staff); the version must be current.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    f: &EpisodeInput,
) -> Result<Episode, ApiError> {
    super::require_county_writer(user)?;
    write_tx(conn, |conn| {
        let before = get(conn, user, id)?;
        if before.version != version {
            return Err(ApiError::stale_version());
        }
        if before.fields.person_id != f.person_id {
            return Err(ApiError::field(
                "person_id",
                "immutable",
                "an episode stays with its person; record a new one",
            ));
        }
        let p = check(conn, user, f, &id.to_string())?;
        let n = diesel::update(
            rehab_episodes::table
                .filter(rehab_episodes::id.eq(id.to_string()))
                .filter(rehab_episodes::version.eq(version)),
        )
        .set((
            rehab_episodes::need_id.eq(f.need_id.map(|n| n.to_string())),
            rehab_episodes::institution.eq(f.institution.trim()),
            rehab_episodes::project.eq(f.project.as_str()),
            rehab_episodes::category.eq(f.category.as_str()),
            rehab_episodes::start_on.eq(f.start_on),
            rehab_episodes::end_on.eq(f.end_on),
            rehab_episodes::months.eq(f.months),
            rehab_episodes::monthly_fen.eq(f.monthly_fen),
            rehab_episodes::total_fen.eq(total(f)),
            rehab_episodes::guardian.eq(f.guardian.as_deref().map(str::trim)),
            rehab_episodes::outcome.eq(f.outcome.as_deref().map(str::trim)),
            rehab_episodes::continues.eq(f.continues.map(|c| c.to_string())),
            rehab_episodes::year.eq(f.start_on.year()),
            rehab_episodes::version.eq(version + 1),
            rehab_episodes::updated_at.eq(now()),
            rehab_episodes::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        let after = get(conn, user, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "rehab_episode",
                entity_id: id,
                owner_region: &p.county_code,
                reason: None,
                before: Some(episode_json(&before)),
                after: Some(episode_json(&after)),
            },
        )?;
        Ok(after)
    })
}
