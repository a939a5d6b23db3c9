//! `/api/v1/pairings/…`, `/api/v1/visits/…` and `/api/v1/kpi/pairing`.

use actix_web::{web, HttpRequest, HttpResponse};
use shared::api::{Page, Problem};
use shared::auth::Capability;
use shared::visits::{
    Pairing, PairingCreate, PairingInput, PairingKpi, PairingUpdate, Visit, VisitCreate,
    VisitInput, VisitUpdate,
};
use uuid::Uuid;

use super::pairings::{self, CadreOption, PairingQuery};
use super::records::{self, VisitQuery};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{from_value, Json, Query};
use crate::pagination::Paging;
use crate::state::AppState;

/// Pairings the caller may see: their county's (`read_pairings`) and their own.
#[utoipa::path(get, path = "/api/v1/pairings", tag = "visits", params(PairingQuery),
    responses((status = 200, body = Page<Pairing>), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_pairings(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<PairingQuery>,
) -> Result<web::Json<Page<Pairing>>, ApiError> {
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| pairings::list(conn, &user, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, |p| p.id.to_string())))
}

/// Pairs a cadre with a registered-poor household of the caller's county (county staff).
#[utoipa::path(post, path = "/api/v1/pairings", tag = "visits", request_body = PairingCreate,
    responses((status = 201, body = Pairing), (status = 200, description = "retry of an earlier create", body = Pairing),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_pairing(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    from_value::<PairingInput>(raw.clone())?;
    let body: PairingCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, p) = state
        .db(move |conn| pairings::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/pairings/{}", p.id),
        &p,
    ))
}

/// The cadres county staff may pair (enabled users of the county's, the city's and the
/// province's DPF units).
#[utoipa::path(get, path = "/api/v1/pairings/cadres", tag = "visits",
    responses((status = 200, body = Vec<CadreOption>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn cadres(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<Vec<CadreOption>>, ApiError> {
    Ok(web::Json(
        state.db(move |conn| pairings::cadres(conn, &user)).await?,
    ))
}

/// One pairing.
#[utoipa::path(get, path = "/api/v1/pairings/{id}", tag = "visits", params(("id" = Uuid, Path, description = "pairing id")),
    responses((status = 200, body = Pairing), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_pairing(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Pairing>, ApiError> {
    let id = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| pairings::get(conn, &user, id)).await?,
    ))
}

/// Changes a pairing's post or period (county staff); the version must be current.
#[utoipa::path(put, path = "/api/v1/pairings/{id}", tag = "visits", params(("id" = Uuid, Path, description = "pairing id")),
    request_body = PairingUpdate,
    responses((status = 200, body = Pairing), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_pairing(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<Pairing>, ApiError> {
    from_value::<PairingInput>(raw.clone())?;
    let body: PairingUpdate = from_value(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| pairings::update(conn, &user, id, version, &body.fields))
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

/// Deletes a pairing without visits (county staff).
#[utoipa::path(delete, path = "/api/v1/pairings/{id}", tag = "visits",
    params(("id" = Uuid, Path, description = "pairing id"), DeleteQuery),
    responses((status = 204, description = "deleted"), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn delete_pairing(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Query(q): Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    let version = crate::extract::version_of(q.version, &req)?;
    let id = path.into_inner();
    state
        .db(move |conn| pairings::delete(conn, &user, id, version))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Visits the caller may see: a pairing's, a unit's (`read_pairings`), or their own.
#[utoipa::path(get, path = "/api/v1/visits", tag = "visits", params(VisitQuery),
    responses((status = 200, body = Page<Visit>), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_visits(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<VisitQuery>,
) -> Result<web::Json<Page<Visit>>, ApiError> {
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| records::list(conn, &user, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, |v| v.id.to_string())))
}

/// Records a visit (the pairing's cadre, or county staff). Idempotent by client id: a
/// re-send answers the stored visit with 200 and opens no second rectification item.
#[utoipa::path(post, path = "/api/v1/visits", tag = "visits", request_body = VisitCreate,
    responses((status = 201, body = Visit), (status = 200, description = "retry of an earlier create", body = Visit),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_visit(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    from_value::<VisitInput>(raw.clone())?;
    let body: VisitCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, v) = state
        .db(move |conn| records::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/visits/{}", v.id),
        &v,
    ))
}

/// One visit.
#[utoipa::path(get, path = "/api/v1/visits/{id}", tag = "visits", params(("id" = Uuid, Path, description = "visit id")),
    responses((status = 200, body = Visit), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_visit(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Visit>, ApiError> {
    let id = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| records::get(conn, &user, id)).await?,
    ))
}

/// Changes a visit against the version the client saw: a stale version is 409
/// `stale_version` with the visit as the server holds it in the problem's `current`.
#[utoipa::path(put, path = "/api/v1/visits/{id}", tag = "visits", params(("id" = Uuid, Path, description = "visit id")),
    request_body = VisitUpdate,
    responses((status = 200, body = Visit), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_visit(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<Visit>, ApiError> {
    from_value::<VisitInput>(raw.clone())?;
    let body: VisitUpdate = from_value(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| records::update(conn, &user, id, version, &body.fields))
            .await?,
    ))
}

/// Parameters of the pairing KPI.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PairingKpiQuery {
    /// Region or unit code (province, city or county); default the caller's area.
    pub region: Option<String>,
    /// The day counted (pairings in force that day, visits in its quarter); default
    /// today.
    pub on: Option<chrono::NaiveDate>,
}

/// Measure 4 for a unit and its children: DPF cadres with at least one pairing in force
/// ÷ all DPF cadres (target 100%), households paired, households visited this quarter.
#[utoipa::path(get, path = "/api/v1/kpi/pairing", tag = "kpi", params(PairingKpiQuery),
    responses((status = 200, body = PairingKpi), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn kpi(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<PairingKpiQuery>,
) -> Result<web::Json<PairingKpi>, ApiError> {
    user.require(Capability::ReadKpi)?;
    let unit = q.region.unwrap_or_else(|| user.scope.region().to_owned());
    let on = q.on.unwrap_or_else(crate::db::today);
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                crate::kpi::pairing::pairing(conn, &user.scope, &unit, on)
            })
            .await?,
    ))
}
