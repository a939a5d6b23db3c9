//! `/api/v1/loans` and `/api/v1/programme-years`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use shared::api::{Page, Problem};
use shared::auth::Capability;
use shared::employment::{Loan, LoanAction, LoanCreate, LoanInput, LoanStatus, LoanUpdate};
use uuid::Uuid;

use super::budget::{self, AllocationSet, ProgrammeYear, ProgrammeYearSet};
use super::queries;
use crate::auth::{AuthUser, Scope};
use crate::error::ApiError;
use crate::extract::{from_value, Json, Query};
use crate::pagination::Paging;
use crate::state::AppState;

/// Filters of `GET /api/v1/loans`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoanQuery {
    /// Only this status.
    pub status: Option<LoanStatus>,
    /// Only this programme year.
    pub year: Option<i32>,
    /// Only applications with a step the caller can take ("waiting for me").
    pub waiting: Option<bool>,
    /// Only this city (4 digits) or county (6 digits), inside the caller's scope.
    pub county: Option<String>,
    /// Only loans taken on or after this date.
    pub loan_date_from: Option<chrono::NaiveDate>,
    /// Only loans taken on or before this date.
    pub loan_date_to: Option<chrono::NaiveDate>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// Applications in the caller's scope.
#[utoipa::path(get, path = "/api/v1/loans", tag = "employment", params(LoanQuery),
    responses((status = 200, body = Page<Loan>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<LoanQuery>,
) -> Result<web::Json<Page<Loan>>, ApiError> {
    user.require(Capability::ReadPersons)?;
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| queries::list(conn, &user, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, |l| l.id.to_string())))
}

/// Creates a draft (county staff); the subsidy is computed by the year's rule and held to
/// the per-person cap across the person's applications of the year.
#[utoipa::path(post, path = "/api/v1/loans", tag = "employment", request_body = LoanCreate,
    responses((status = 201, body = Loan), (status = 200, description = "retry of an earlier create", body = Loan),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WriteLoans)?;
    from_value::<LoanInput>(raw.clone())?;
    let body: LoanCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, loan) = state
        .db(move |conn| queries::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/loans/{}", loan.id),
        &loan,
    ))
}

/// One application with its timeline.
#[utoipa::path(get, path = "/api/v1/loans/{id}", tag = "employment", params(("id" = Uuid, Path, description = "application id")),
    responses((status = 200, body = Loan), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Loan>, ApiError> {
    user.require(Capability::ReadPersons)?;
    let id = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| queries::get(conn, &user, id)).await?,
    ))
}

/// Corrects a draft or returned application (county staff); the version must be current.
#[utoipa::path(put, path = "/api/v1/loans/{id}", tag = "employment", params(("id" = Uuid, Path, description = "application id")),
    request_body = LoanUpdate,
    responses((status = 200, body = Loan), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<Loan>, ApiError> {
    user.require(Capability::WriteLoans)?;
    from_value::<LoanInput>(raw.clone())?;
    let body: LoanUpdate = from_value(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::update(conn, &user, id, version, &body.fields))
            .await?,
    ))
}

/// One workflow step, as `shared::workflow` lays it down: submit (county), review (city),
/// approve (provincial employment department, within the city's allocation and the
/// per-person cap), disburse (county, at most the approved amount), return with a reason
/// (the reviewer of the current step), resubmit or withdraw a returned application
/// (county; a draft may be withdrawn too). Nobody takes two consecutive steps of one
/// application.
#[utoipa::path(post, path = "/api/v1/loans/{id}/actions", tag = "employment", params(("id" = Uuid, Path, description = "application id")),
    request_body = LoanAction,
    responses((status = 200, body = Loan), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn act(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<LoanAction>,
) -> Result<web::Json<Loan>, ApiError> {
    // Nobody without a part in the workflow learns whether a loan exists.
    if !(user.can(Capability::WriteLoans) || user.can(Capability::ApproveLoans)) {
        return Err(ApiError::Forbidden(
            "your roles take no step of a loan application".into(),
        ));
    }
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::act(conn, &user, id, &body))
            .await?,
    ))
}

/// A programme year: rule, budget, targets, allocations.
#[utoipa::path(get, path = "/api/v1/programme-years/{year}", tag = "employment", params(("year" = i32, Path, description = "programme year")),
    responses((status = 200, body = ProgrammeYear), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn programme_year(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<i32>,
) -> Result<web::Json<ProgrammeYear>, ApiError> {
    if !(user.can(Capability::ReadKpi) || user.can(Capability::WriteLoans)) {
        return Err(ApiError::Forbidden(
            "your roles do not allow reading the programme".into(),
        ));
    }
    let y = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| budget::programme_year(conn, y))
            .await?,
    ))
}

/// Sets a city's allocation of a year's budget (provincial employment department).
#[utoipa::path(put, path = "/api/v1/programme-years/{year}/allocations/{city}", tag = "employment",
    params(("year" = i32, Path, description = "programme year"), ("city" = String, Path, description = "city code")),
    request_body = AllocationSet,
    responses((status = 200, body = ProgrammeYear), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_allocation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(i32, String)>,
    Json(body): Json<AllocationSet>,
) -> Result<web::Json<ProgrammeYear>, ApiError> {
    user.require(Capability::ApproveLoans)?;
    if user.scope != Scope::Province {
        return Err(ApiError::Forbidden(
            "the budget is allocated by the province".into(),
        ));
    }
    let (y, city) = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| budget::set_allocation(conn, Some(&user), y, &city, body.allocated_fen))
            .await?,
    ))
}

/// Creates or replaces a programme year's rule, budget and targets (provincial
/// employment department), so that next year's plan is data, not code.
#[utoipa::path(put, path = "/api/v1/programme-years/{year}", tag = "employment", params(("year" = i32, Path, description = "programme year")),
    request_body = ProgrammeYearSet,
    responses((status = 200, body = ProgrammeYear), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn set_programme_year(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<i32>,
    Json(body): Json<ProgrammeYearSet>,
) -> Result<web::Json<ProgrammeYear>, ApiError> {
    user.require(Capability::ApproveLoans)?;
    if user.scope != Scope::Province {
        return Err(ApiError::Forbidden(
            "programme years are set by the province".into(),
        ));
    }
    let y = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| budget::set_year(conn, &user, y, &body))
            .await?,
    ))
}
