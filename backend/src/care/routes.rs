//! `/api/v1/care/…` and `/api/v1/kpi/care`.

use actix_web::{web, HttpRequest, HttpResponse};
use shared::api::{Page, Problem};
use shared::auth::Capability;
use shared::care::{
    CareAssessment, CareAssessmentCreate, CareAssessmentInput, CareKpi, Placement, PlacementAction,
    PlacementCreate, PlacementInput, PlacementTransfer, Provider, ProviderCreate, ProviderInput,
    ProviderUpdate, ServiceLog, ServiceLogInput,
};
use uuid::Uuid;

use super::assessments::{self, AssessmentQuery};
use super::placements::{self, PlacementQuery};
use super::providers::{self, ProviderQuery};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{from_value, Json, Query};
use crate::pagination::Paging;
use crate::state::AppState;

/// Providers in the caller's scope.
#[utoipa::path(get, path = "/api/v1/care/providers", tag = "care", params(ProviderQuery),
    responses((status = 200, body = Page<Provider>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_providers(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<ProviderQuery>,
) -> Result<web::Json<Page<Provider>>, ApiError> {
    super::require_reader(&user)?;
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| providers::list(conn, &user, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, |p| p.id.to_string())))
}

/// Adds a provider of the caller's county (county care staff).
#[utoipa::path(post, path = "/api/v1/care/providers", tag = "care", request_body = ProviderCreate,
    responses((status = 201, body = Provider), (status = 200, description = "retry of an earlier create", body = Provider),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_provider(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    from_value::<ProviderInput>(raw.clone())?;
    let body: ProviderCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, p) = state
        .db(move |conn| providers::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/care/providers/{}", p.id),
        &p,
    ))
}

/// One provider, with the places held now.
#[utoipa::path(get, path = "/api/v1/care/providers/{id}", tag = "care", params(("id" = Uuid, Path, description = "provider id")),
    responses((status = 200, body = Provider), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_provider(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Provider>, ApiError> {
    super::require_reader(&user)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| providers::get(conn, &user, id))
            .await?,
    ))
}

/// Changes a provider (county care staff); the version must be current, and the places
/// may not drop below those held.
#[utoipa::path(put, path = "/api/v1/care/providers/{id}", tag = "care", params(("id" = Uuid, Path, description = "provider id")),
    request_body = ProviderUpdate,
    responses((status = 200, body = Provider), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_provider(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<Provider>, ApiError> {
    from_value::<ProviderInput>(raw.clone())?;
    let body: ProviderUpdate = from_value(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| providers::update(conn, &user, id, version, &body.fields))
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

/// Deletes a provider that never had a placement (county care staff).
#[utoipa::path(delete, path = "/api/v1/care/providers/{id}", tag = "care",
    params(("id" = Uuid, Path, description = "provider id"), DeleteQuery),
    responses((status = 204, description = "deleted"), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn delete_provider(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Query(q): Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    let version = crate::extract::version_of(q.version, &req)?;
    let id = path.into_inner();
    state
        .db(move |conn| providers::delete(conn, &user, id, version))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Care assessments in the caller's scope.
#[utoipa::path(get, path = "/api/v1/care/assessments", tag = "care", params(AssessmentQuery),
    responses((status = 200, body = Page<CareAssessment>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_assessments(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<AssessmentQuery>,
) -> Result<web::Json<Page<CareAssessment>>, ApiError> {
    super::require_reader(&user)?;
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| assessments::list(conn, &user, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, |a| a.id.to_string())))
}

/// Records a care assessment (county care staff).
#[utoipa::path(post, path = "/api/v1/care/assessments", tag = "care", request_body = CareAssessmentCreate,
    responses((status = 201, body = CareAssessment), (status = 200, description = "retry of an earlier create", body = CareAssessment),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_assessment(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    from_value::<CareAssessmentInput>(raw.clone())?;
    let body: CareAssessmentCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, a) = state
        .db(move |conn| assessments::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/care/assessments/{}", a.id),
        &a,
    ))
}

/// One care assessment.
#[utoipa::path(get, path = "/api/v1/care/assessments/{id}", tag = "care", params(("id" = Uuid, Path, description = "assessment id")),
    responses((status = 200, body = CareAssessment), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_assessment(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<CareAssessment>, ApiError> {
    super::require_reader(&user)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| assessments::get(conn, &user, id))
            .await?,
    ))
}

/// Placements in the caller's scope (filters: status, mode, provider, person, area).
#[utoipa::path(get, path = "/api/v1/care/placements", tag = "care", params(PlacementQuery),
    responses((status = 200, body = Page<Placement>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_placements(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<PlacementQuery>,
) -> Result<web::Json<Page<Placement>>, ApiError> {
    super::require_reader(&user)?;
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| placements::list(conn, &user, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, |p| p.id.to_string())))
}

/// Records a placement (county care staff): `referred`, or `assessed` with its care
/// assessment. Idempotent by client id.
#[utoipa::path(post, path = "/api/v1/care/placements", tag = "care", request_body = PlacementCreate,
    responses((status = 201, body = Placement), (status = 200, description = "retry of an earlier create", body = Placement),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_placement(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    from_value::<PlacementInput>(raw.clone())?;
    let body: PlacementCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, p) = state
        .db(move |conn| placements::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/care/placements/{}", p.id),
        &p,
    ))
}

/// One placement with its history and the caller's next steps.
#[utoipa::path(get, path = "/api/v1/care/placements/{id}", tag = "care", params(("id" = Uuid, Path, description = "placement id")),
    responses((status = 200, body = Placement), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_placement(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Placement>, ApiError> {
    super::require_reader(&user)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| placements::get(conn, &user, id))
            .await?,
    ))
}

/// Nobody without a part in the workflow learns whether a placement exists.
fn require_actor(user: &AuthUser) -> Result<(), ApiError> {
    if user.can(Capability::WriteCare) || user.can(Capability::ApproveCare) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "your roles take no step of a care placement".into(),
        ))
    }
}

/// One step of the placement workflow (see `shared::care`): assess, approve (county,
/// not the assessor; refused when the provider is full), activate (refused when full),
/// suspend, resume, end (with a reason). The version comes in the body or `If-Match`.
#[utoipa::path(post, path = "/api/v1/care/placements/{id}/actions", tag = "care", params(("id" = Uuid, Path, description = "placement id")),
    request_body = PlacementAction,
    responses((status = 200, body = Placement), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn act(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(body): Json<PlacementAction>,
) -> Result<web::Json<Placement>, ApiError> {
    require_actor(&user)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| placements::act(conn, &user, id, version, &body))
            .await?,
    ))
}

/// Transfers a person in care to another provider or mode: the placement ends (reason
/// `transferred`) and a new active one opens, in one transaction. Answers the new one.
#[utoipa::path(post, path = "/api/v1/care/placements/{id}/transfer", tag = "care", params(("id" = Uuid, Path, description = "placement id")),
    request_body = PlacementTransfer,
    responses((status = 201, body = Placement), (status = 200, description = "retry of an earlier transfer", body = Placement),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn transfer(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(body): Json<PlacementTransfer>,
) -> Result<HttpResponse, ApiError> {
    require_actor(&user)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let id = path.into_inner();
    let (created, p) = state
        .db(move |conn| placements::transfer(conn, &user, id, version, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/care/placements/{}", p.id),
        &p,
    ))
}

/// The service logs of a home-based placement, newest visit first.
#[utoipa::path(get, path = "/api/v1/care/placements/{id}/logs", tag = "care", params(("id" = Uuid, Path, description = "placement id")),
    responses((status = 200, body = Vec<ServiceLog>), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list_logs(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Vec<ServiceLog>>, ApiError> {
    super::require_reader(&user)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| placements::logs(conn, &user, id))
            .await?,
    ))
}

/// Records a visit of home-based care (county care staff). Idempotent by client id.
#[utoipa::path(post, path = "/api/v1/care/placements/{id}/logs", tag = "care", params(("id" = Uuid, Path, description = "placement id")),
    request_body = ServiceLogInput,
    responses((status = 201, body = ServiceLog), (status = 200, description = "retry of an earlier create", body = ServiceLog),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn add_log(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<ServiceLogInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let pii = state.pii.clone();
    let (created, log) = state
        .db(move |conn| placements::add_log(conn, &pii, &user, id, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/care/placements/{id}/logs"),
        &log,
    ))
}

/// Parameters of the ledger export: the file format and the list's filters.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `xlsx` or `csv`.
    pub format: crate::tabular::Format,
    /// Only this status.
    pub status: Option<shared::care::PlacementStatus>,
    /// Only this mode.
    pub mode: Option<shared::care::CareMode>,
    /// Only this provider's.
    pub provider_id: Option<Uuid>,
    /// Only this city (4 digits) or county (6 digits).
    pub area: Option<String>,
}

/// The placement ledger in the caller's scope and filters as a spreadsheet, identity
/// numbers masked; every export is audited.
#[utoipa::path(get, path = "/api/v1/care/placements/export", tag = "care", params(ExportQuery),
    responses((status = 200, description = "the file"), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn export(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    super::require_reader(&user)?;
    let filter = PlacementQuery {
        status: q.status,
        mode: q.mode,
        provider_id: q.provider_id,
        area: q.area.clone(),
        ..PlacementQuery::default()
    };
    let table = state
        .db(move |conn| {
            let t = placements::export(conn, &user, &filter)?;
            let filters = serde_json::json!({"status": filter.status, "mode": filter.mode,
                "provider_id": filter.provider_id, "area": filter.area});
            crate::db::write_tx(conn, |conn| {
                placements::audit_export(conn, &user, t.rows.len(), filters)
            })?;
            Ok::<_, ApiError>(t)
        })
        .await?;
    let bytes = crate::tabular::write(&table, q.format)?;
    Ok(crate::tabular::download(bytes, q.format, "care-placements"))
}

/// Parameters of the care KPI.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CareKpiQuery {
    /// Programme year.
    pub year: i32,
    /// Region or unit code (province, city or county); default the caller's area.
    pub region: Option<String>,
}

/// Measure 9 for a unit and its children: distinct registered-poor persons served (days
/// of care in the year at least the year's threshold, all placements added up), by
/// mode, against the unit's target.
#[utoipa::path(get, path = "/api/v1/kpi/care", tag = "kpi", params(CareKpiQuery),
    responses((status = 200, body = CareKpi), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn kpi(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<CareKpiQuery>,
) -> Result<web::Json<CareKpi>, ApiError> {
    user.require(Capability::ReadKpi)?;
    let unit = q.region.unwrap_or_else(|| user.scope.region().to_owned());
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                crate::kpi::care::care(conn, &user.scope, &unit, q.year)
            })
            .await?,
    ))
}
