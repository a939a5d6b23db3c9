//! `/api/v1/survey-rounds/…`, `/api/v1/surveys/…` and
//! `/api/v1/persons/{id}/household-plan`.

use actix_web::{web, HttpRequest, HttpResponse};
use shared::api::{Page, Problem};
use shared::survey::{
    HouseholdPlan, HouseholdPlanInput, HouseholdPlanUpdate, RoundCreate, RoundInput, RoundPerson,
    RoundProgress, Survey, SurveyCreate, SurveyInput, SurveyProblem, SurveyRound, SurveyUpdate,
};
use uuid::Uuid;

use super::rounds::{PersonQuery, ProblemQuery};
use super::{plans, records, rounds};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{from_value, Json, Query};
use crate::pagination::Paging;
use crate::state::AppState;

/// Paging of the round list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundQuery {
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// The survey rounds whose area overlaps the caller's, latest first.
#[utoipa::path(get, path = "/api/v1/survey-rounds", tag = "survey", params(RoundQuery),
    responses((status = 200, body = Page<SurveyRound>), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_rounds(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<RoundQuery>,
) -> Result<web::Json<Page<SurveyRound>>, ApiError> {
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| rounds::list(conn, &user, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, rounds::cursor_key)))
}

/// Opens a survey round (the provincial data update office) for an area inside the
/// caller's, assigning counties to survey (every county of the area when none is named).
#[utoipa::path(post, path = "/api/v1/survey-rounds", tag = "survey", request_body = RoundCreate,
    responses((status = 201, body = SurveyRound), (status = 200, description = "retry of an earlier create", body = SurveyRound),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_round(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    from_value::<RoundInput>(raw.clone())?;
    let body: RoundCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, r) = state
        .db(move |conn| rounds::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/survey-rounds/{}", r.id),
        &r,
    ))
}

/// One survey round.
#[utoipa::path(get, path = "/api/v1/survey-rounds/{id}", tag = "survey",
    params(("id" = Uuid, Path, description = "round id")),
    responses((status = 200, body = SurveyRound), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get_round(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<SurveyRound>, ApiError> {
    let id = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| rounds::get(conn, &user, id)).await?,
    ))
}

/// Area of a round's progress.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// A city or county inside the caller's area (default: the caller's own).
    pub area: Option<String>,
}

/// A round's progress for a unit and the units below it: persons to survey, surveyed,
/// problems found and closed.
#[utoipa::path(get, path = "/api/v1/survey-rounds/{id}/progress", tag = "survey",
    params(("id" = Uuid, Path, description = "round id"), ProgressQuery),
    responses((status = 200, body = RoundProgress), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn progress(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Query(q): Query<ProgressQuery>,
) -> Result<web::Json<RoundProgress>, ApiError> {
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| rounds::progress(conn, &user, id, q.area.as_deref()))
            .await?,
    ))
}

/// A round's work list: the persons to survey in the caller's area (in poverty, in the
/// assigned counties) and those surveyed, with their survey.
#[utoipa::path(get, path = "/api/v1/survey-rounds/{id}/persons", tag = "survey",
    params(("id" = Uuid, Path, description = "round id"), PersonQuery),
    responses((status = 200, body = Page<RoundPerson>), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn persons(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Query(q): Query<PersonQuery>,
) -> Result<web::Json<Page<RoundPerson>>, ApiError> {
    let id = path.into_inner();
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| rounds::persons(conn, &user, id, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, |p| p.person_id.to_string())))
}

/// A round's problem list in the caller's area: each problem a survey found, with its
/// rectification item's state and deadline.
#[utoipa::path(get, path = "/api/v1/survey-rounds/{id}/problems", tag = "survey",
    params(("id" = Uuid, Path, description = "round id"), ProblemQuery),
    responses((status = 200, body = Page<SurveyProblem>), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn problems(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Query(q): Query<ProblemQuery>,
) -> Result<web::Json<Page<SurveyProblem>>, ApiError> {
    let id = path.into_inner();
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| rounds::problems(conn, &user, id, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, rounds::problem_key)))
}

/// Records a survey of a person of an assigned county (staff of the person's county).
/// A re-send with the same client id answers the stored survey; a second survey of the
/// person in the round is 409 `duplicate`.
#[utoipa::path(post, path = "/api/v1/surveys", tag = "survey", request_body = SurveyCreate,
    responses((status = 201, body = Survey), (status = 200, description = "retry of an earlier create", body = Survey),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_survey(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    from_value::<SurveyInput>(raw.clone())?;
    let body: SurveyCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, s) = state
        .db(move |conn| records::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/surveys/{}", s.id),
        &s,
    ))
}

/// One survey.
#[utoipa::path(get, path = "/api/v1/surveys/{id}", tag = "survey",
    params(("id" = Uuid, Path, description = "survey id")),
    responses((status = 200, body = Survey), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get_survey(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Survey>, ApiError> {
    let id = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| records::get(conn, &user, id)).await?,
    ))
}

/// Changes a survey against the version the client saw (409 `stale_version` with the
/// survey in `current` otherwise).
#[utoipa::path(put, path = "/api/v1/surveys/{id}", tag = "survey",
    params(("id" = Uuid, Path, description = "survey id")), request_body = SurveyUpdate,
    responses((status = 200, body = Survey), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_survey(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<Survey>, ApiError> {
    from_value::<SurveyInput>(raw.clone())?;
    let body: SurveyUpdate = from_value(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| records::update(conn, &user, id, version, &body.fields))
            .await?,
    ))
}

/// The plan of a person's household (一户一策); 404 when it has none.
#[utoipa::path(get, path = "/api/v1/persons/{id}/household-plan", tag = "survey",
    params(("id" = Uuid, Path, description = "person id")),
    responses((status = 200, body = HouseholdPlan), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get_plan(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<HouseholdPlan>, ApiError> {
    let id = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| plans::get(conn, &user, id)).await?,
    ))
}

/// Makes or replaces the plan of a person's household: without a version for a new
/// plan, with the version last seen (body or `If-Match`) for a change.
#[utoipa::path(put, path = "/api/v1/persons/{id}/household-plan", tag = "survey",
    params(("id" = Uuid, Path, description = "person id")), request_body = HouseholdPlanUpdate,
    responses((status = 200, body = HouseholdPlan), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn put_plan(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<HouseholdPlan>, ApiError> {
    from_value::<HouseholdPlanInput>(raw.clone())?;
    let body: HouseholdPlanUpdate = from_value(raw)?;
    let version = match body.version {
        Some(v) => Some(v),
        None if req
            .headers()
            .contains_key(actix_web::http::header::IF_MATCH) =>
        {
            Some(crate::extract::version_of(None, &req)?)
        }
        None => None,
    };
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| plans::put(conn, &user, id, version, &body.fields))
            .await?,
    ))
}
