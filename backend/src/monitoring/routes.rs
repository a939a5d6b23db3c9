//! `/api/v1/persons/{id}/poverty-status`, `/api/v1/monitoring/watch-list` and
//! `/api/v1/monitoring/kpi`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use shared::api::{Page, Problem};
use shared::auth::Capability;
use shared::monitoring::{FallBackKpi, StatusChange, StatusChangeInput, WatchItem, WatchQuery};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{Json, Query};
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
