//! `/api/v1/petitions/…` and `/api/v1/kpi/petitions`.

use actix_web::{http::header, web, HttpRequest, HttpResponse};
use shared::api::{Page, Problem};
use shared::auth::Capability;
use shared::person::RevealRequest;
use shared::petitions::{
    Petition, PetitionAction, PetitionCreate, PetitionDeadline, PetitionInput, PetitionKpi,
    PetitionerRevealed,
};
use uuid::Uuid;

use super::cases::{self, PetitionQuery};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{from_value, Json, Query};
use crate::pagination::Paging;
use crate::state::AppState;

/// Petitions in the caller's scope and filters, the petitioner masked.
#[utoipa::path(get, path = "/api/v1/petitions", tag = "petitions", params(PetitionQuery),
    responses((status = 200, body = Page<Petition>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<PetitionQuery>,
) -> Result<web::Json<Page<Petition>>, ApiError> {
    super::require_reader(&user)?;
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| cases::list(conn, &user, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, |p| p.id.to_string())))
}

/// Registers a petition; its acceptance deadline follows from the channel's days.
#[utoipa::path(post, path = "/api/v1/petitions", tag = "petitions", request_body = PetitionCreate,
    responses((status = 201, body = Petition), (status = 200, description = "retry of an earlier create", body = Petition),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    from_value::<PetitionInput>(raw.clone())?;
    let body: PetitionCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, p) = state
        .db(move |conn| cases::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/petitions/{}", p.id),
        &p,
    ))
}

/// One petition, with its timeline and the petitioner's other petitions.
#[utoipa::path(get, path = "/api/v1/petitions/{id}", tag = "petitions", params(("id" = Uuid, Path, description = "petition id")),
    responses((status = 200, body = Petition), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Petition>, ApiError> {
    super::require_reader(&user)?;
    let id = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| cases::get(conn, &user, id)).await?,
    ))
}

/// Takes one step of the petition workflow; the version must be current.
#[utoipa::path(post, path = "/api/v1/petitions/{id}/actions", tag = "petitions", params(("id" = Uuid, Path, description = "petition id")),
    request_body = PetitionAction,
    responses((status = 200, body = Petition), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn act(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(body): Json<PetitionAction>,
) -> Result<web::Json<Petition>, ApiError> {
    super::require_writer(&user)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| cases::act(conn, &user, id, version, &body))
            .await?,
    ))
}

/// Opens the rectification item for a followed-up petition whose problem is unresolved
/// (one per petition); the version must be current.
#[utoipa::path(post, path = "/api/v1/petitions/{id}/rectification", tag = "petitions", params(("id" = Uuid, Path, description = "petition id")),
    request_body = shared::petitions::PetitionRectificationInput,
    responses((status = 200, body = Petition), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn open_rectification(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<shared::petitions::PetitionRectificationInput>,
) -> Result<web::Json<Petition>, ApiError> {
    // Who handles the petition opens its item, as a cadre's visit does.
    super::require_writer(&user)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| cases::open_rectification(conn, &user, id, &body))
            .await?,
    ))
}

/// Shows the petitioner in full; the reason is audited.
#[utoipa::path(post, path = "/api/v1/petitions/{id}/reveal", tag = "petitions", params(("id" = Uuid, Path, description = "petition id")),
    request_body = RevealRequest,
    responses((status = 200, body = PetitionerRevealed), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn reveal(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<RevealRequest>,
) -> Result<HttpResponse, ApiError> {
    super::require_reader(&user)?;
    user.require(Capability::RevealIdNumber)?;
    let reason = body.validate()?;
    let id = path.into_inner();
    let pii = state.pii.clone();
    let r = state
        .db(move |conn| cases::reveal(conn, &pii, &user, id, &reason))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(r))
}

/// The days each channel allows to accept and to reply.
#[utoipa::path(get, path = "/api/v1/petitions/deadlines", tag = "petitions",
    responses((status = 200, body = Vec<PetitionDeadline>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn deadlines(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<Vec<PetitionDeadline>>, ApiError> {
    super::require_reader(&user)?;
    Ok(web::Json(state.db(cases::deadlines).await?))
}

/// Parameters of the ledger export: the file format and the list's filters.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PetitionExportQuery {
    /// `xlsx` or `csv`.
    pub format: crate::tabular::Format,
    /// Only this status.
    pub status: Option<shared::petitions::PetitionStatus>,
    /// Only this channel.
    pub channel: Option<shared::petitions::PetitionChannel>,
    /// Only overdue (or only not overdue) petitions.
    pub overdue: Option<bool>,
    /// Only those received in this year.
    pub year: Option<i32>,
    /// Only this city (4 digits) or county (6 digits).
    pub area: Option<String>,
}

/// The petition ledger in the caller's scope and filters as a spreadsheet, the
/// petitioner masked; every export is audited.
#[utoipa::path(get, path = "/api/v1/petitions/export", tag = "petitions", params(PetitionExportQuery),
    responses((status = 200, description = "the file"), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn export(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<PetitionExportQuery>,
) -> Result<HttpResponse, ApiError> {
    super::require_reader(&user)?;
    let filter = PetitionQuery {
        status: q.status,
        channel: q.channel,
        overdue: q.overdue,
        year: q.year,
        area: q.area.clone(),
        ..PetitionQuery::default()
    };
    let table = state
        .db(move |conn| {
            let t = cases::export(conn, &user, &filter)?;
            let filters = serde_json::json!({"status": filter.status, "channel": filter.channel,
                "overdue": filter.overdue, "year": filter.year, "area": filter.area});
            crate::db::write_tx(conn, |conn| {
                cases::audit_export(conn, &user, t.rows.len(), filters)
            })?;
            Ok::<_, ApiError>(t)
        })
        .await?;
    let bytes = crate::tabular::write(&table, q.format)?;
    Ok(crate::tabular::download(bytes, q.format, "petitions"))
}

/// Parameters of the petition KPIs.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PetitionKpiQuery {
    /// The year (petitions received in it).
    pub year: i32,
    /// Region or unit code (province, city or county); default the caller's area.
    pub region: Option<String>,
}

/// Measure 18 for a unit and its children: petitions recorded, petitioners answered and
/// followed up (each counted once), the on-time rate of replies, overdue still open.
#[utoipa::path(get, path = "/api/v1/kpi/petitions", tag = "kpi", params(PetitionKpiQuery),
    responses((status = 200, body = PetitionKpi), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn kpi(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<PetitionKpiQuery>,
) -> Result<web::Json<PetitionKpi>, ApiError> {
    user.require(Capability::ReadKpi)?;
    let unit = q.region.unwrap_or_else(|| user.scope.region().to_owned());
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                crate::kpi::petitions::petitions(
                    conn,
                    &user.scope,
                    &unit,
                    q.year,
                    crate::db::today(),
                )
            })
            .await?,
    ))
}
