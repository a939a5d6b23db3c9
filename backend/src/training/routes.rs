//! `/api/v1/courses`, rosters and enrolments.

use actix_web::http::header;
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
use crate::pagination::{limit_of, Cursor};
use crate::persons::routes::{if_match, DeleteQuery};
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
    let limit = limit_of(q.limit)?;
    let after = Cursor::decode_opt(q.cursor.as_deref())?;
    let mut items = state
        .db(move |conn| {
            queries::list(
                conn,
                &user.scope,
                q.year,
                q.county_code.as_deref(),
                after.as_ref().map(|c| c.id.as_str()),
                limit + 1,
            )
        })
        .await?;
    let next_cursor = Cursor::next_page(&mut items, limit, |c| Cursor {
        ts: None,
        id: c.id.to_string(),
    });
    Ok(web::Json(Page { items, next_cursor }))
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
    let (created, course) = state
        .db(move |conn| queries::create(conn, &user, &body))
        .await?;
    Ok(if created {
        HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/api/v1/courses/{}", course.id)))
            .json(course)
    } else {
        HttpResponse::Ok().json(course)
    })
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
    let version = body
        .version
        .or(if_match(&req)?)
        .ok_or_else(|| ApiError::field("version", "required", "send the version you last saw"))?;
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
    let version = q
        .version
        .or(if_match(&req)?)
        .ok_or_else(|| ApiError::field("version", "required", "send the version you last saw"))?;
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
    let (created, e) = state
        .db(move |conn| queries::enrol(conn, &user, id, &body))
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
    let version = q
        .version
        .or(if_match(&req)?)
        .ok_or_else(|| ApiError::field("version", "required", "send the version you last saw"))?;
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
