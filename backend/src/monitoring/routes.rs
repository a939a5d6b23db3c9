//! `/api/v1/persons/{id}/poverty-status`, `/api/v1/monitoring/watch-list` and
//! `/api/v1/monitoring/kpi`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use shared::api::{Page, Problem};
use shared::auth::Capability;
use shared::monitoring::{
    Cadence, CadencePut, FallBackKpi, MonitoringVisit, MonitoringVisitCreate, MonitoringVisitInput,
    OverdueVisit, StatusChange, StatusChangeInput, WatchItem, WatchQuery,
};
use uuid::Uuid;

use super::visits::{self, OverdueQuery};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{from_value, Json, Query};
use crate::state::AppState;

/// Changes a person's poverty status with the day it took effect and why; the change
/// joins the person's history.
#[utoipa::path(post, path = "/api/v1/persons/{id}/poverty-status", tag = "monitoring",
    params(("id" = Uuid, Path, description = "person id")), request_body = StatusChangeInput,
    responses((status = 201, body = StatusChange), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn change_status(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<StatusChangeInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let change = state
        .db(move |conn| super::change(conn, &user, id, &body))
        .await?;
    Ok(HttpResponse::Created().json(change))
}

/// A person's poverty status history, oldest first.
#[utoipa::path(get, path = "/api/v1/persons/{id}/poverty-status", tag = "monitoring",
    params(("id" = Uuid, Path, description = "person id")),
    responses((status = 200, body = Vec<StatusChange>), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn history(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Vec<StatusChange>>, ApiError> {
    user.require(Capability::ReadPersons)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| super::history(conn, &user.scope, id))
            .await?,
    ))
}

/// The persons watched in the caller's area: fell back, unstable, marginal, and the
/// severely disabled, several disabled in one household and elderly disabled among
/// those the programme has touched.
#[utoipa::path(get, path = "/api/v1/monitoring/watch-list", tag = "monitoring", params(WatchQuery),
    responses((status = 200, body = Page<WatchItem>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn watch_list(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<WatchQuery>,
) -> Result<web::Json<Page<WatchItem>>, ApiError> {
    user.require(Capability::ReadPersons)?;
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                super::watch_list(conn, &user.scope, &q)
            })
            .await?,
    ))
}

/// Query of `GET /api/v1/monitoring/kpi`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// Programme year.
    pub year: i32,
    /// Only this area inside the caller's.
    pub area: Option<String>,
}

/// "No one falls back": persons lifted, persons who fell back in the year (target 0),
/// and persons watched per reason, in the caller's area.
#[utoipa::path(get, path = "/api/v1/monitoring/kpi", tag = "monitoring", params(KpiQuery),
    responses((status = 200, body = FallBackKpi), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn kpi(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<KpiQuery>,
) -> Result<web::Json<FallBackKpi>, ApiError> {
    if !user.can(Capability::ReadKpi) {
        user.require(Capability::ReadPersons)?;
    }
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                super::kpi(conn, &user.scope, q.year, q.area.as_deref())
            })
            .await?,
    ))
}

/// Records a monitoring visit of a person (registry staff of the person's area): income
/// change, illness, disaster, COVID-19, the risk found and the measures taken. A re-send
/// with the same client id answers the stored visit.
#[utoipa::path(post, path = "/api/v1/monitoring/visits", tag = "monitoring", request_body = MonitoringVisitCreate,
    responses((status = 201, body = MonitoringVisit), (status = 200, description = "retry of an earlier create", body = MonitoringVisit),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_visit(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    from_value::<MonitoringVisitInput>(raw.clone())?;
    let body: MonitoringVisitCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, v) = state
        .db(move |conn| visits::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/monitoring/visits/{}", v.id),
        &v,
    ))
}

/// One monitoring visit.
#[utoipa::path(get, path = "/api/v1/monitoring/visits/{id}", tag = "monitoring",
    params(("id" = Uuid, Path, description = "visit id")),
    responses((status = 200, body = MonitoringVisit), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_visit(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<MonitoringVisit>, ApiError> {
    let id = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| visits::get(conn, &user, id)).await?,
    ))
}

/// A person's monitoring visits, oldest first.
#[utoipa::path(get, path = "/api/v1/persons/{id}/monitoring-visits", tag = "monitoring",
    params(("id" = Uuid, Path, description = "person id")),
    responses((status = 200, body = Vec<MonitoringVisit>), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn person_visits(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Vec<MonitoringVisit>>, ApiError> {
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| visits::of_person(conn, &user, id))
            .await?,
    ))
}

/// How often each risk level is visited (days between two visits).
#[utoipa::path(get, path = "/api/v1/monitoring/cadence", tag = "monitoring",
    responses((status = 200, body = Vec<Cadence>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn cadence(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<Vec<Cadence>>, ApiError> {
    user.require(Capability::ReadPersons)?;
    Ok(web::Json(state.db(visits::cadence).await?))
}

/// Sets how often each risk level is visited (the provincial poverty office), with why.
#[utoipa::path(put, path = "/api/v1/monitoring/cadence", tag = "monitoring", request_body = CadencePut,
    responses((status = 200, body = Vec<Cadence>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn put_cadence(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<CadencePut>,
) -> Result<web::Json<Vec<Cadence>>, ApiError> {
    Ok(web::Json(
        state
            .db(move |conn| visits::put_cadence(conn, &user, &body))
            .await?,
    ))
}

/// The watched persons of the caller's area whose monitoring visit is due: never
/// visited, or visited longer ago than their risk level's cadence.
#[utoipa::path(get, path = "/api/v1/monitoring/overdue", tag = "monitoring", params(OverdueQuery),
    responses((status = 200, body = Page<OverdueVisit>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn overdue(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<OverdueQuery>,
) -> Result<web::Json<Page<OverdueVisit>>, ApiError> {
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                visits::overdue(conn, &user, &q)
            })
            .await?,
    ))
}
