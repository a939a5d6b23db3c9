//! `/api/v1/courses`, rosters and enrolments.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use shared::api::{Page, Problem};
use shared::auth::Capability;
use shared::employment::{
    Course, CourseCreate, CourseInput, CourseUpdate, Enrolment, EnrolmentCreate, EnrolmentUpdate,
};
use uuid::Uuid;

use super::queries;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{from_value, Json, Query};
use crate::pagination::Paging;
use crate::persons::routes::DeleteQuery;
use crate::state::AppState;

/// Filters of `GET /api/v1/courses`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CourseQuery {
    /// Programme year (of the start date).
    pub year: Option<i32>,
    /// County.
    pub county_code: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// Courses in the caller's scope.
#[utoipa::path(get, path = "/api/v1/courses", tag = "training", params(CourseQuery),
    responses((status = 200, body = Page<Course>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<CourseQuery>,
) -> Result<web::Json<Page<Course>>, ApiError> {
    user.require(Capability::ReadPersons)?;
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| {
            queries::list(
                conn,
                &user.scope,
                q.year,
                q.county_code.as_deref(),
                after.as_deref(),
                fetch,
            )
        })
        .await?;
    Ok(web::Json(paging.page(items, |c| c.id.to_string())))
}

/// Creates a course in a county of the caller's area.
#[utoipa::path(post, path = "/api/v1/courses", tag = "training", request_body = CourseCreate,
    responses((status = 201, body = Course), (status = 200, description = "retry of an earlier create", body = Course),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WriteTraining)?;
    from_value::<CourseInput>(raw.clone())?;
    let body: CourseCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, course) = state
        .db(move |conn| queries::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/courses/{}", course.id),
        &course,
    ))
}

/// One course.
#[utoipa::path(get, path = "/api/v1/courses/{id}", tag = "training", params(("id" = Uuid, Path, description = "course id")),
    responses((status = 200, body = Course), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Course>, ApiError> {
    user.require(Capability::ReadPersons)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::get(conn, &user.scope, id))
            .await?,
    ))
}

/// Replaces a course's fields; the version must be current.
#[utoipa::path(put, path = "/api/v1/courses/{id}", tag = "training", params(("id" = Uuid, Path, description = "course id")),
    request_body = CourseUpdate,
    responses((status = 200, body = Course), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<Course>, ApiError> {
    user.require(Capability::WriteTraining)?;
    from_value::<CourseInput>(raw.clone())?;
    let body: CourseUpdate = from_value(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::update(conn, &user, id, version, &body.fields))
            .await?,
    ))
}

/// Deletes a course whose roster is empty.
#[utoipa::path(delete, path = "/api/v1/courses/{id}", tag = "training", params(("id" = Uuid, Path, description = "course id"), DeleteQuery),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Query(q): Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WriteTraining)?;
    let version = crate::extract::version_of(q.version, &req)?;
    let id = path.into_inner();
    state
        .db(move |conn| queries::delete(conn, &user, id, version))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A course's roster.
#[utoipa::path(get, path = "/api/v1/courses/{id}/enrolments", tag = "training", params(("id" = Uuid, Path, description = "course id")),
    responses((status = 200, body = Vec<Enrolment>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn roster(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Vec<Enrolment>>, ApiError> {
    user.require(Capability::ReadPersons)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::roster(conn, &user.scope, id))
            .await?,
    ))
}

/// Puts a person of the caller's area on a course's roster (once).
#[utoipa::path(post, path = "/api/v1/courses/{id}/enrolments", tag = "training", params(("id" = Uuid, Path, description = "course id")),
    request_body = EnrolmentCreate,
    responses((status = 201, body = Enrolment), (status = 200, description = "retry of an earlier enrolment", body = Enrolment),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn enrol(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<EnrolmentCreate>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WriteTraining)?;
    let id = path.into_inner();
    let pii = state.pii.clone();
    let (created, e) = state
        .db(move |conn| queries::enrol(conn, &pii, &user, id, &body))
        .await?;
    Ok(if created {
        HttpResponse::Created().json(e)
    } else {
        HttpResponse::Ok().json(e)
    })
}

/// Records progress and outcome; completion needs a date not in the future.
#[utoipa::path(put, path = "/api/v1/enrolments/{id}", tag = "training", params(("id" = Uuid, Path, description = "enrolment id")),
    request_body = EnrolmentUpdate,
    responses((status = 200, body = Enrolment), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_enrolment(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<EnrolmentUpdate>,
) -> Result<web::Json<Enrolment>, ApiError> {
    user.require(Capability::WriteTraining)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::update_enrolment(conn, &user, id, &body))
            .await?,
    ))
}

/// Records the progress of several trainees of the course at once (a roster completed in
/// bulk): all written, or none and the field errors named by item (`items[3].hours_attended`).
#[utoipa::path(put, path = "/api/v1/courses/{id}/enrolments", tag = "training", params(("id" = Uuid, Path, description = "course id")),
    request_body = shared::employment::EnrolmentBatch,
    responses((status = 200, body = Vec<Enrolment>), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_enrolments(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<shared::employment::EnrolmentBatch>,
) -> Result<web::Json<Vec<Enrolment>>, ApiError> {
    user.require(Capability::WriteTraining)?;
    let course = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::update_enrolments(conn, &user, course, &body))
            .await?,
    ))
}

/// Takes a person off a roster.
#[utoipa::path(delete, path = "/api/v1/enrolments/{id}", tag = "training", params(("id" = Uuid, Path, description = "enrolment id"), DeleteQuery),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn delete_enrolment(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Query(q): Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WriteTraining)?;
    let version = crate::extract::version_of(q.version, &req)?;
    let id = path.into_inner();
    state
        .db(move |conn| queries::delete_enrolment(conn, &user, id, version))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A person's training history.
#[utoipa::path(get, path = "/api/v1/persons/{id}/enrolments", tag = "training", params(("id" = Uuid, Path, description = "person id")),
    responses((status = 200, body = Vec<Enrolment>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn history(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Vec<Enrolment>>, ApiError> {
    user.require(Capability::ReadPersons)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::history(conn, &user.scope, id))
            .await?,
    ))
}

/// Format of a download or upload.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `xlsx` or `csv`.
    pub format: crate::tabular::Format,
}

/// The roster import template (Chinese headers).
#[utoipa::path(get, path = "/api/v1/roster-template", tag = "training", params(FormatQuery),
    responses((status = 200, description = "the template file")), security(("bearer" = [])))]
pub async fn template(
    user: AuthUser,
    Query(q): Query<FormatQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WriteTraining)?;
    let bytes = crate::tabular::write(&super::transfer::template(), q.format)?;
    Ok(crate::tabular::download(bytes, q.format, "roster-template"))
}

/// Options of a roster export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `xlsx` or `csv`.
    pub format: crate::tabular::Format,
    /// Full identity numbers (needs the reveal permission and a reason).
    #[serde(default)]
    pub reveal: bool,
    /// Why the full numbers are needed.
    pub reason: Option<String>,
}

/// A course's roster as a spreadsheet; identity numbers masked unless revealed with a
/// reason. Every export is audited.
#[utoipa::path(get, path = "/api/v1/courses/{id}/roster/export", tag = "training", params(("id" = Uuid, Path, description = "course id"), ExportQuery),
    responses((status = 200, description = "the roster file"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn export_roster(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Query(q): Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::ReadPersons)?;
    let reason = q
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    if q.reveal {
        user.require(Capability::RevealIdNumber)?;
        if reason.as_ref().is_none_or(|r| r.chars().count() < 4) {
            return Err(ApiError::field(
                "reason",
                "required",
                "give a reason of at least 4 characters to export full identity numbers",
            ));
        }
    }
    let id = path.into_inner();
    let pii = state.pii.clone();
    let table = state
        .db(move |conn| {
            crate::db::write_tx(conn, |conn| {
                let course = queries::get_row(conn, &user.scope, id)?;
                let roster = queries::roster(conn, &user.scope, id)?;
                let full = if q.reveal {
                    use crate::db::schema::persons;
                    use diesel::prelude::*;
                    let ids: Vec<String> = roster.iter().map(|e| e.person_id.to_string()).collect();
                    let rows: Vec<(String, String, String)> = persons::table
                        .filter(persons::id.eq_any(&ids))
                        .select((persons::id, persons::id_number_enc, persons::county_code))
                        .load(conn)?;
                    let mut map = std::collections::HashMap::new();
                    let mut revealed = Vec::with_capacity(rows.len());
                    for (pid, enc, county) in rows {
                        let pid = crate::db::uuid(&pid)?;
                        map.insert(pid, pii.decrypt(&enc)?);
                        revealed.push((pid, county));
                    }
                    // One reveal per person, under the person's own county, so that each
                    // county's auditor sees who revealed its people, and why.
                    crate::audit::record_many(
                        conn,
                        revealed
                            .iter()
                            .map(|(pid, county)| crate::audit::Event {
                                actor: &user,
                                action: shared::api::AuditAction::Reveal,
                                entity_type: "person",
                                entity_id: *pid,
                                owner_region: county,
                                reason: reason.as_deref(),
                                before: None,
                                after: Some(serde_json::json!({"export_of_course": id})),
                            })
                            .collect(),
                    )?;
                    Some(map)
                } else {
                    None
                };
                crate::audit::record(
                    conn,
                    crate::audit::Event {
                        actor: &user,
                        action: shared::api::AuditAction::Export,
                        entity_type: "training_course",
                        entity_id: id,
                        owner_region: &course.county_code,
                        reason: reason.as_deref(),
                        before: None,
                        after: Some(
                            serde_json::json!({"rows": roster.len(), "revealed": q.reveal}),
                        ),
                    },
                )?;
                Ok(super::transfer::roster_table(&roster, full.as_ref()))
            })
        })
        .await?;
    let bytes = crate::tabular::write(&table, q.format)?;
    Ok(crate::tabular::download(
        bytes,
        q.format,
        &format!("roster-{id}"),
    ))
}

/// Uploads a roster file (XLSX or CSV, the template's columns) for a course. Answers
/// 202 with a job that checks every row in the background; poll it for progress and
/// the report, then commit.
#[utoipa::path(post, path = "/api/v1/courses/{id}/roster/import", tag = "training", params(("id" = Uuid, Path, description = "course id"), FormatQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file"),
    responses((status = 202, body = super::transfer::ImportStatus), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn import_roster(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Query(q): Query<FormatQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WriteTraining)?;
    let course_id = path.into_inner();
    let scope = user.scope.clone();
    let course = state
        .db(move |conn| queries::facts(conn, &scope, course_id))
        .await?;
    let table = web::block(move || crate::tabular::read(&body, q.format)).await??;
    let rows = table.rows.len();
    let (starter, local) = (user.clone(), state.imports.clone());
    let job = state
        .db(move |conn| crate::jobs::start(conn, "roster", course_id, &starter, rows, &local))
        .await?;
    let (pool, pii, en) = (
        state.pool.clone(),
        state.pii.clone(),
        crate::extract::english(&req),
    );
    let owner = user.clone();
    let slots = state.clone();
    actix_web::rt::spawn(async move {
        let slot = slots.job_slot().await;
        let outcome = web::block(move || {
            let _slot = slot?;
            let mut conn = pool.get()?;
            let result =
                super::transfer::validate(job, &mut conn, &pii, &user, &course, &table, en);
            if let Err(e) = &result {
                crate::jobs::fail(&mut conn, job, &e.to_string())?;
            }
            result
        })
        .await;
        if let Ok(Err(e)) | Err(e) = outcome.map_err(ApiError::from) {
            tracing::error!(error = %e, "roster import validation failed");
        }
    });
    let local = state.imports.clone();
    let status = state
        .db(move |conn| crate::jobs::status(conn, job, &owner, &local))
        .await?;
    Ok(HttpResponse::Accepted().json(status))
}

/// An import job's state, progress and report.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "training", params(("id" = Uuid, Path, description = "job id")),
    responses((status = 200, body = super::transfer::ImportStatus), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn import_status(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<super::transfer::ImportStatus>, ApiError> {
    let job = path.into_inner();
    let local = state.imports.clone();
    Ok(web::Json(
        state
            .db(move |conn| crate::jobs::status(conn, job, &user, &local))
            .await?,
    ))
}

/// Writes a fully valid import, all rows or none, in the background; poll the job.
#[utoipa::path(post, path = "/api/v1/imports/{id}/commit", tag = "training", params(("id" = Uuid, Path, description = "job id")),
    responses((status = 202, body = super::transfer::ImportStatus), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn import_commit(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WriteTraining)?;
    let job = path.into_inner();
    let (claimer, local) = (user.clone(), state.imports.clone());
    // The course is checked against the caller's scope before anything is claimed.
    let (course, rows) = state
        .db(move |conn| {
            let course_id: Uuid = {
                use crate::db::schema::import_jobs;
                use diesel::prelude::*;
                let target: String = import_jobs::table
                    .filter(import_jobs::id.eq(job.to_string()))
                    .filter(import_jobs::owner_id.eq(claimer.id.to_string()))
                    .select(import_jobs::target_id)
                    .first(conn)?;
                crate::db::uuid(&target)?
            };
            let course = queries::facts(conn, &claimer.scope, course_id)?;
            let (_, rows): (Uuid, Vec<super::transfer::GoodRow>) =
                crate::jobs::claim(conn, job, &claimer, &local)?;
            Ok((course, rows))
        })
        .await?;
    let pool = state.pool.clone();
    let local = state.imports.clone();
    let progress = local.track(job);
    let committer = user.clone();
    let slots = state.clone();
    actix_web::rt::spawn(async move {
        let slot = slots.job_slot().await;
        let outcome = web::block(move || {
            let _slot = slot?;
            let r = super::transfer::commit(job, rows, &pool, &committer, &course, &progress);
            local.done(job);
            r
        })
        .await;
        if let Ok(Err(e)) | Err(e) = outcome.map_err(ApiError::from) {
            tracing::warn!(error = %e, "roster import commit failed; nothing was written");
        }
    });
    let local = state.imports.clone();
    let status = state
        .db(move |conn| crate::jobs::status(conn, job, &user, &local))
        .await?;
    Ok(HttpResponse::Accepted().json(status))
}

/// Filters and format of the course-list export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CourseExportQuery {
    /// `xlsx` or `csv`.
    pub format: crate::tabular::Format,
    /// Programme year.
    pub year: Option<i32>,
    /// County.
    pub county_code: Option<String>,
}

/// The courses in the caller's scope as a spreadsheet (audited).
#[utoipa::path(get, path = "/api/v1/courses/export", tag = "training", params(CourseExportQuery),
    responses((status = 200, description = "the course list file"), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn export_courses(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<CourseExportQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::ReadPersons)?;
    let table = state
        .db(move |conn| {
            crate::db::write_tx(conn, |conn| {
                let courses = queries::list(conn, &user.scope, q.year, q.county_code.as_deref(), None, 100_000)?;
                crate::audit::record(conn, crate::audit::Event {
                    actor: &user,
                    action: shared::api::AuditAction::Export,
                    entity_type: "training_course_list",
                    entity_id: Uuid::nil(),
                    owner_region: user.scope.region(),
                    reason: None,
                    before: None,
                    after: Some(serde_json::json!({"rows": courses.len(), "year": q.year, "county_code": q.county_code})),
                })?;
                Ok(super::transfer::course_table(&courses))
            })
        })
        .await?;
    Ok(crate::tabular::download(
        crate::tabular::write(&table, q.format)?,
        q.format,
        "courses",
    ))
}

/// A person's training history as a spreadsheet (audited).
#[utoipa::path(get, path = "/api/v1/persons/{id}/enrolments/export", tag = "training", params(("id" = Uuid, Path, description = "person id"), FormatQuery),
    responses((status = 200, description = "the history file"), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn export_history(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Query(q): Query<FormatQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::ReadPersons)?;
    let id = path.into_inner();
    let table = state
        .db(move |conn| {
            crate::db::write_tx(conn, |conn| {
                let person = crate::persons::queries::get(conn, &user.scope, id)?;
                let history = queries::history(conn, &user.scope, id)?;
                let mut names = std::collections::HashMap::new();
                for e in &history {
                    if let std::collections::hash_map::Entry::Vacant(v) = names.entry(e.course_id) {
                        v.insert(queries::get_row(conn, &user.scope, e.course_id)?);
                    }
                }
                crate::audit::record(
                    conn,
                    crate::audit::Event {
                        actor: &user,
                        action: shared::api::AuditAction::Export,
                        entity_type: "person",
                        entity_id: id,
                        owner_region: &person.county_code,
                        reason: None,
                        before: None,
                        after: Some(
                            serde_json::json!({"rows": history.len(), "what": "training history"}),
                        ),
                    },
                )?;
                Ok(super::transfer::history_table(&history, &names))
            })
        })
        .await?;
    Ok(crate::tabular::download(
        crate::tabular::write(&table, q.format)?,
        q.format,
        &format!("training-{id}"),
    ))
}
