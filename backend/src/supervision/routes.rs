//! `/api/v1/stationings/…`, `/api/v1/inspections/…`, `/api/v1/kpi/inspections` and
//! `/api/v1/clues/…`.

use actix_web::{web, HttpRequest, HttpResponse};
use shared::api::{Page, Problem};
use shared::supervision::{
    Clue, ClueCreate, ClueInput, ClueStep, Inspection, InspectionCreate, InspectionInput,
    InspectionMatrix, InspectionUpdate, Stationing, StationingCreate, StationingInput,
    StationingLogInput, StationingUpdate,
};
use uuid::Uuid;

use super::clues::{self, ClueQuery};
use super::inspections::{self, InspectionQuery};
use super::stationings::{self, StationingQuery};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{from_value, Json, Query};
use crate::pagination::Paging;
use crate::state::AppState;

/// The stationings in the caller's area (`read_inspections`).
#[utoipa::path(get, path = "/api/v1/stationings", tag = "supervision", params(StationingQuery),
    responses((status = 200, body = Vec<Stationing>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_stationings(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<StationingQuery>,
) -> Result<web::Json<Vec<Stationing>>, ApiError> {
    Ok(web::Json(
        state
            .db(move |conn| stationings::list(conn, &user, &q))
            .await?,
    ))
}

/// Stations a provincial leader in a county, with the departments tasked alongside
/// (the poverty office).
#[utoipa::path(post, path = "/api/v1/stationings", tag = "supervision", request_body = StationingCreate,
    responses((status = 201, body = Stationing), (status = 200, description = "retry of an earlier create", body = Stationing),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_stationing(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    from_value::<StationingInput>(raw.clone())?;
    let body: StationingCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, s) = state
        .db(move |conn| stationings::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/stationings/{}", s.id),
        &s,
    ))
}

/// One stationing, with its log.
#[utoipa::path(get, path = "/api/v1/stationings/{id}", tag = "supervision", params(("id" = Uuid, Path, description = "stationing id")),
    responses((status = 200, body = Stationing), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_stationing(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Stationing>, ApiError> {
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| stationings::get(conn, &user, id))
            .await?,
    ))
}

/// Changes a stationing (the poverty office); the version must be current (409 with the
/// stationing as it is otherwise).
#[utoipa::path(put, path = "/api/v1/stationings/{id}", tag = "supervision", params(("id" = Uuid, Path, description = "stationing id")),
    request_body = StationingUpdate,
    responses((status = 200, body = Stationing), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_stationing(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<Stationing>, ApiError> {
    from_value::<StationingInput>(raw.clone())?;
    let body: StationingUpdate = from_value(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| stationings::update(conn, &user, id, version, &body.fields))
            .await?,
    ))
}

/// Adds an entry to a stationing's log (the stationed leader or the poverty office);
/// idempotent by client id. Answers the stationing.
#[utoipa::path(post, path = "/api/v1/stationings/{id}/log", tag = "supervision", params(("id" = Uuid, Path, description = "stationing id")),
    request_body = StationingLogInput,
    responses((status = 201, body = Stationing), (status = 200, description = "retry of an earlier entry", body = Stationing),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn add_log(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<StationingLogInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let pii = state.pii.clone();
    let (created, s) = state
        .db(move |conn| stationings::add_log(conn, &pii, &user, id, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/stationings/{}", s.id),
        &s,
    ))
}

/// Inspections the caller may see: filed ones of their area; at the province also the
/// planned ones.
#[utoipa::path(get, path = "/api/v1/inspections", tag = "supervision", params(InspectionQuery),
    responses((status = 200, body = Page<Inspection>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_inspections(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<InspectionQuery>,
) -> Result<web::Json<Page<Inspection>>, ApiError> {
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| inspections::list(conn, &user, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, |i| i.id.to_string())))
}

/// Plans or records an inspection of the caller's department. Status `filed` files it
/// at once: final, and each check that found a problem opens a rectification item for
/// the county. Idempotent by client id.
#[utoipa::path(post, path = "/api/v1/inspections", tag = "supervision", request_body = InspectionCreate,
    responses((status = 201, body = Inspection), (status = 200, description = "retry of an earlier create", body = Inspection),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_inspection(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    from_value::<InspectionInput>(raw.clone())?;
    let body: InspectionCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, i) = state
        .db(move |conn| inspections::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/inspections/{}", i.id),
        &i,
    ))
}

/// One inspection (a planned one only at the province).
#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "supervision", params(("id" = Uuid, Path, description = "inspection id")),
    responses((status = 200, body = Inspection), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_inspection(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Inspection>, ApiError> {
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| inspections::get(conn, &user, id))
            .await?,
    ))
}

/// Changes a planned inspection, or files it (status `filed`); the version must be
/// current (409 `stale_version` with the inspection in `current`); a filed one is final
/// (409 `not_editable`).
#[utoipa::path(put, path = "/api/v1/inspections/{id}", tag = "supervision", params(("id" = Uuid, Path, description = "inspection id")),
    request_body = InspectionUpdate,
    responses((status = 200, body = Inspection), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_inspection(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<Inspection>, ApiError> {
    from_value::<InspectionInput>(raw.clone())?;
    let body: InspectionUpdate = from_value(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| inspections::update(conn, &user, id, version, &body.fields))
            .await?,
    ))
}

/// The version of a delete.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// The version last seen (or send `If-Match`).
    pub version: Option<i64>,
}

/// Deletes a planned inspection (its department).
#[utoipa::path(delete, path = "/api/v1/inspections/{id}", tag = "supervision",
    params(("id" = Uuid, Path, description = "inspection id"), DeleteQuery),
    responses((status = 204, description = "deleted"), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn delete_inspection(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Query(q): Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    let version = crate::extract::version_of(q.version, &req)?;
    let id = path.into_inner();
    state
        .db(move |conn| inspections::delete(conn, &user, id, version))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Parameters of the inspection matrix.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatrixQuery {
    /// The year (default this year).
    pub year: Option<i32>,
    /// Province, city or county code (default the caller's area).
    pub region: Option<String>,
}

/// Measure 22: the tasked departments × the counties no one is stationed in, each cell
/// the inspections filed in the year (target ≥ 1 each).
#[utoipa::path(get, path = "/api/v1/kpi/inspections", tag = "kpi", params(MatrixQuery),
    responses((status = 200, body = InspectionMatrix), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn matrix(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<MatrixQuery>,
) -> Result<web::Json<InspectionMatrix>, ApiError> {
    use chrono::Datelike;
    let year = q.year.unwrap_or_else(|| crate::db::today().year());
    let area = q.region.unwrap_or_else(|| user.scope.region().to_owned());
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                inspections::matrix(conn, &user, year, &area)
            })
            .await?,
    ))
}

/// Misconduct clues the caller may see (leaders and the poverty office; never those
/// implicating the caller's unit or the caller). Every clue answered is an audited read.
#[utoipa::path(get, path = "/api/v1/clues", tag = "supervision", params(ClueQuery),
    responses((status = 200, body = Page<Clue>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_clues(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<ClueQuery>,
) -> Result<web::Json<Page<Clue>>, ApiError> {
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| clues::list(conn, &user, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, |c| c.id.to_string())))
}

/// Records a misconduct clue (the poverty office). Idempotent by client id.
#[utoipa::path(post, path = "/api/v1/clues", tag = "supervision", request_body = ClueCreate,
    responses((status = 201, body = Clue), (status = 200, description = "retry of an earlier create", body = Clue),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_clue(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    from_value::<ClueInput>(raw.clone())?;
    let body: ClueCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, c) = state
        .db(move |conn| clues::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/clues/{}", c.id),
        &c,
    ))
}

/// One clue (404 to the implicated unit and user); the read is audited.
#[utoipa::path(get, path = "/api/v1/clues/{id}", tag = "supervision", params(("id" = Uuid, Path, description = "clue id")),
    responses((status = 200, body = Clue), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_clue(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Clue>, ApiError> {
    let id = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| clues::get(conn, &user, id)).await?,
    ))
}

/// Refers a clue to the discipline inspectors, records their feedback, or closes it
/// (the poverty office), against the version seen.
#[utoipa::path(post, path = "/api/v1/clues/{id}/actions", tag = "supervision", params(("id" = Uuid, Path, description = "clue id")),
    request_body = ClueStep,
    responses((status = 200, body = Clue), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn act_clue(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(step): Json<ClueStep>,
) -> Result<web::Json<Clue>, ApiError> {
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| clues::act(conn, &user, id, &step))
            .await?,
    ))
}

/// Whom a stationing's leader (`kind=leaders`, the poverty office) or an inspection's
/// leader (`kind=inspectors`: the department's cadres and the provincial leaders) may
/// be: enabled users of the provincial DPF, by name.
#[utoipa::path(get, path = "/api/v1/supervision/people", tag = "supervision", params(super::PeopleQuery),
    responses((status = 200, body = Vec<crate::visits::pairings::CadreOption>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn people(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<super::PeopleQuery>,
) -> Result<web::Json<Vec<crate::visits::pairings::CadreOption>>, ApiError> {
    Ok(web::Json(
        state.db(move |conn| super::people(conn, &user, &q)).await?,
    ))
}
