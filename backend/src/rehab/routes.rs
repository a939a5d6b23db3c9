//! `/api/v1/rehab/…` and `/api/v1/kpi/rehab`.

use actix_web::{web, HttpRequest, HttpResponse};
use shared::api::{Page, Problem};
use shared::auth::Capability;
use shared::rehab::{
    AssessmentCreate, DeviceCapSet, DeviceItem, DeviceItemCreate, DeviceItemInput,
    DeviceItemUpdate, Episode, EpisodeCreate, EpisodeInput, EpisodeUpdate, ImportReport, Need,
    NeedAction, NeedCreate, NeedInput, RehabKpi,
};
use uuid::Uuid;

use super::catalogue::{self, CatalogueQuery};
use super::episodes::{self, EpisodeQuery};
use super::needs::{self, NeedQuery};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{from_value, Json, Query};
use crate::kpi::routes::KpiQuery;
use crate::pagination::Paging;
use crate::state::AppState;

/// The device catalogue (any rehab, registry or KPI reader).
#[utoipa::path(get, path = "/api/v1/rehab/catalogue", tag = "rehab", params(CatalogueQuery),
    responses((status = 200, body = Vec<DeviceItem>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn catalogue(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<CatalogueQuery>,
) -> Result<web::Json<Vec<DeviceItem>>, ApiError> {
    require_catalogue_reader(&user)?;
    Ok(web::Json(
        state.db(move |conn| catalogue::list(conn, &q)).await?,
    ))
}

/// The catalogue is read by rehab, registry and KPI users.
fn require_catalogue_reader(user: &AuthUser) -> Result<(), ApiError> {
    if [
        Capability::WriteRehab,
        Capability::MaintainCatalogue,
        Capability::ReadKpi,
        Capability::ReadPersons,
    ]
    .iter()
    .any(|c| user.can(*c))
    {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "your roles do not include rehabilitation".into(),
        ))
    }
}

/// One catalogue item.
#[utoipa::path(get, path = "/api/v1/rehab/catalogue/{id}", tag = "rehab", params(("id" = Uuid, Path, description = "item id")),
    responses((status = 200, body = DeviceItem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn catalogue_item(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<DeviceItem>, ApiError> {
    require_catalogue_reader(&user)?;
    let id = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| catalogue::get(conn, id)).await?,
    ))
}

/// Adds a catalogue item (provincial devices centre).
#[utoipa::path(post, path = "/api/v1/rehab/catalogue", tag = "rehab", request_body = DeviceItemCreate,
    responses((status = 201, body = DeviceItem), (status = 200, description = "retry of an earlier create", body = DeviceItem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_item(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    catalogue::require_maintainer(&user)?;
    from_value::<DeviceItemInput>(raw.clone())?;
    let body: DeviceItemCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, item) = state
        .db(move |conn| catalogue::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/rehab/catalogue/{}", item.id),
        &item,
    ))
}

/// Changes a catalogue item (provincial devices centre); the version must be current.
#[utoipa::path(put, path = "/api/v1/rehab/catalogue/{id}", tag = "rehab", params(("id" = Uuid, Path, description = "item id")),
    request_body = DeviceItemUpdate,
    responses((status = 200, body = DeviceItem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_item(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<DeviceItem>, ApiError> {
    catalogue::require_maintainer(&user)?;
    from_value::<DeviceItemInput>(raw.clone())?;
    let body: DeviceItemUpdate = from_value(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| catalogue::update(conn, &user, id, version, &body.fields))
            .await?,
    ))
}

/// Sets an item's subsidy cap per unit for a programme year (provincial devices centre);
/// the item's version must be current.
#[utoipa::path(put, path = "/api/v1/rehab/catalogue/{id}/caps/{year}", tag = "rehab",
    params(("id" = Uuid, Path, description = "item id"), ("year" = i32, Path, description = "programme year")),
    request_body = DeviceCapSet,
    responses((status = 200, body = DeviceItem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_cap(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, i32)>,
    Json(body): Json<DeviceCapSet>,
) -> Result<web::Json<DeviceItem>, ApiError> {
    catalogue::require_maintainer(&user)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let (id, year) = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| catalogue::set_cap(conn, &user, id, version, year, body.cap_fen))
            .await?,
    ))
}

/// Needs in the caller's scope.
#[utoipa::path(get, path = "/api/v1/rehab/needs", tag = "rehab", params(NeedQuery),
    responses((status = 200, body = Page<Need>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_needs(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<NeedQuery>,
) -> Result<web::Json<Page<Need>>, ApiError> {
    super::require_reader(&user)?;
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| needs::list(conn, &user, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, |n| n.id.to_string())))
}

/// Records a need (county rehab staff), optionally with its assessment; with
/// `supersedes`, a re-assessment that replaces an earlier need of the same kind.
#[utoipa::path(post, path = "/api/v1/rehab/needs", tag = "rehab", request_body = NeedCreate,
    responses((status = 201, body = Need), (status = 200, description = "retry of an earlier create", body = Need),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_need(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    from_value::<NeedInput>(raw.clone())?;
    let body: NeedCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, need) = state
        .db(move |conn| needs::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/rehab/needs/{}", need.id),
        &need,
    ))
}

/// Records an assessment visit with every need found, all or nothing (county rehab staff).
#[utoipa::path(post, path = "/api/v1/rehab/assessments", tag = "rehab", request_body = AssessmentCreate,
    responses((status = 201, body = Vec<Need>), (status = 200, description = "retry of an earlier visit", body = Vec<Need>),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn assess(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<AssessmentCreate>,
) -> Result<HttpResponse, ApiError> {
    let pii = state.pii.clone();
    let (created, found) = state
        .db(move |conn| needs::assess_visit(conn, &pii, &user, &body))
        .await?;
    Ok(if created {
        HttpResponse::Created().json(found)
    } else {
        HttpResponse::Ok().json(found)
    })
}

/// One need with its fittings, timeline and the caller's next steps.
#[utoipa::path(get, path = "/api/v1/rehab/needs/{id}", tag = "rehab", params(("id" = Uuid, Path, description = "need id")),
    responses((status = 200, body = Need), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_need(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Need>, ApiError> {
    super::require_reader(&user)?;
    let id = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| needs::get(conn, &user, id)).await?,
    ))
}

/// One step of the need workflow (see `shared::rehab`): assess, approve the plan
/// (county, not the assessor), fit (subsidy within the item's cap for the delivery
/// year), accept (with a photo or signature), follow up (a `replace` finding sends the
/// need back to a refit), close, refuse (with the signed record), withdraw.
#[utoipa::path(post, path = "/api/v1/rehab/needs/{id}/actions", tag = "rehab", params(("id" = Uuid, Path, description = "need id")),
    request_body = NeedAction,
    responses((status = 200, body = Need), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn act(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<NeedAction>,
) -> Result<web::Json<Need>, ApiError> {
    // Nobody without a part in the workflow learns whether a need exists.
    if !(user.can(Capability::WriteRehab) || user.can(Capability::ApproveRehab)) {
        return Err(ApiError::Forbidden(
            "your roles take no step of a rehabilitation need".into(),
        ));
    }
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| needs::act(conn, &user, id, &body))
            .await?,
    ))
}

/// Needs whose accepted device has outlived its service life (on or before `on`,
/// default today) and that were not re-assessed: each should open a new need.
#[utoipa::path(get, path = "/api/v1/rehab/renewals", tag = "rehab", params(RenewalQuery),
    responses((status = 200, body = Vec<Need>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn renewals(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<RenewalQuery>,
) -> Result<web::Json<Vec<Need>>, ApiError> {
    super::require_reader(&user)?;
    let on = q.on.unwrap_or_else(crate::db::today);
    Ok(web::Json(
        state
            .db(move |conn| needs::service_life_ended(conn, &user, on, 500))
            .await?,
    ))
}

/// Parameters of `GET /api/v1/rehab/renewals`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RenewalQuery {
    /// The day to look at (default today).
    pub on: Option<chrono::NaiveDate>,
}

/// Service episodes in the caller's scope.
#[utoipa::path(get, path = "/api/v1/rehab/episodes", tag = "rehab", params(EpisodeQuery),
    responses((status = 200, body = Page<Episode>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_episodes(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<EpisodeQuery>,
) -> Result<web::Json<Page<Episode>>, ApiError> {
    super::require_reader(&user)?;
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| episodes::list(conn, &user, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, |e| e.id.to_string())))
}

/// Records a service episode (county rehab staff).
#[utoipa::path(post, path = "/api/v1/rehab/episodes", tag = "rehab", request_body = EpisodeCreate,
    responses((status = 201, body = Episode), (status = 200, description = "retry of an earlier create", body = Episode),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_episode(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    from_value::<EpisodeInput>(raw.clone())?;
    let body: EpisodeCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, e) = state
        .db(move |conn| episodes::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/rehab/episodes/{}", e.id),
        &e,
    ))
}

/// One service episode.
#[utoipa::path(get, path = "/api/v1/rehab/episodes/{id}", tag = "rehab", params(("id" = Uuid, Path, description = "episode id")),
    responses((status = 200, body = Episode), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_episode(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Episode>, ApiError> {
    super::require_reader(&user)?;
    let id = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| episodes::get(conn, &user, id)).await?,
    ))
}

/// Corrects a service episode (county rehab staff); the version must be current.
#[utoipa::path(put, path = "/api/v1/rehab/episodes/{id}", tag = "rehab", params(("id" = Uuid, Path, description = "episode id")),
    request_body = EpisodeUpdate,
    responses((status = 200, body = Episode), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_episode(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<Episode>, ApiError> {
    from_value::<EpisodeInput>(raw.clone())?;
    let body: EpisodeUpdate = from_value(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| episodes::update(conn, &user, id, version, &body.fields))
            .await?,
    ))
}

/// Measure 14 for a unit and its children: service rate, fitting rates by person and
/// by item, follow-up rate, refusals and deferrals apart, children in service,
/// subsidies against the caps — with the year's targets.
#[utoipa::path(get, path = "/api/v1/kpi/rehab", tag = "kpi", params(KpiQuery),
    responses((status = 200, body = RehabKpi), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn kpi(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<KpiQuery>,
) -> Result<web::Json<RehabKpi>, ApiError> {
    user.require(Capability::ReadKpi)?;
    let unit = q.unit.unwrap_or_else(|| user.scope.region().to_owned());
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                crate::kpi::rehab::rehab(conn, &user.scope, &unit, q.year)
            })
            .await?,
    ))
}

/// Parameters of the rehab imports.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `xlsx` or `csv`.
    pub format: crate::tabular::Format,
    /// Only check the file; write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Catalogue imports: the programme year of the cap column (default this year).
    pub year: Option<i32>,
}

/// Parameters of the rehab exports: the file format and the needs list's filters.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `xlsx` or `csv`.
    pub format: crate::tabular::Format,
    /// Catalogue export: the programme year of the cap column (default this year).
    pub year: Option<i32>,
    /// Only this status.
    pub status: Option<shared::rehab::NeedStatus>,
    /// Only this kind.
    pub kind: Option<shared::rehab::NeedKind>,
    /// Only this project.
    pub project: Option<shared::rehab::RehabProject>,
    /// Only needs of this programme year.
    pub need_year: Option<i32>,
    /// Only this city (4 digits) or county (6 digits).
    pub county: Option<String>,
}

fn this_year() -> i32 {
    chrono::Datelike::year(&crate::db::today())
}

/// The needs import template (Chinese headers, drop-downs for coded columns).
#[utoipa::path(get, path = "/api/v1/rehab/needs-template", tag = "rehab", params(("format" = crate::tabular::Format, Query, description = "xlsx or csv")),
    responses((status = 200, description = "the template file"), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn needs_template(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<crate::training::routes::FormatQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WriteRehab)?;
    let table = state.db(super::transfer::need_template).await?;
    let bytes = crate::tabular::write(&table, q.format)?;
    Ok(crate::tabular::download(
        bytes,
        q.format,
        "rehab-needs-template",
    ))
}

/// Imports a county's survey of needs (county rehab staff): every row is checked and
/// every problem reported by row and column; the rows are written all or nothing (and
/// not at all with `dry_run`). At most 2,000 rows per file.
#[utoipa::path(post, path = "/api/v1/rehab/needs/import", tag = "rehab", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file"),
    responses((status = 200, body = ImportReport), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn import_needs(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    Query(q): Query<ImportQuery>,
    body: web::Bytes,
) -> Result<web::Json<ImportReport>, ApiError> {
    super::require_county_writer(&user)?;
    let table = web::block(move || crate::tabular::read(&body, q.format)).await??;
    let (pii, en) = (state.pii.clone(), crate::extract::english(&req));
    Ok(web::Json(
        state
            .db(move |conn| super::transfer::import_needs(conn, &pii, &user, &table, q.dry_run, en))
            .await?,
    ))
}

/// The needs in the caller's scope and filters as a spreadsheet, identity numbers
/// masked; every export is audited.
#[utoipa::path(get, path = "/api/v1/rehab/needs/export", tag = "rehab", params(ExportQuery),
    responses((status = 200, description = "the file"), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn export_needs(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    super::require_reader(&user)?;
    let filter = NeedQuery {
        status: q.status,
        kind: q.kind,
        project: q.project,
        year: q.need_year,
        county: q.county.clone(),
        ..NeedQuery::default()
    };
    // Read first, outside the write lock; then the audit entry, before anything is sent.
    let table = state
        .db(move |conn| {
            let t = super::transfer::export_needs(conn, &user, &filter)?;
            let filters = serde_json::json!({"status": filter.status, "kind": filter.kind,
                "project": filter.project, "year": filter.year, "county": filter.county});
            crate::db::write_tx(conn, |conn| {
                super::transfer::audit_export(conn, &user, t.rows.len(), filters)
            })?;
            Ok::<_, ApiError>(t)
        })
        .await?;
    let bytes = crate::tabular::write(&table, q.format)?;
    Ok(crate::tabular::download(bytes, q.format, "rehab-needs"))
}

/// The catalogue as a spreadsheet with each item's cap for `year`: also the template of
/// the catalogue import.
#[utoipa::path(get, path = "/api/v1/rehab/catalogue/export", tag = "rehab", params(ExportQuery),
    responses((status = 200, description = "the file"), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn export_catalogue(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    if !(user.can(Capability::WriteRehab) || user.can(Capability::MaintainCatalogue)) {
        return Err(ApiError::Forbidden(
            "your roles do not include rehabilitation".into(),
        ));
    }
    let year = q.year.unwrap_or_else(this_year);
    let table = state
        .db(move |conn| super::transfer::catalogue_table(conn, year))
        .await?;
    let bytes = crate::tabular::write(&table, q.format)?;
    Ok(crate::tabular::download(
        bytes,
        q.format,
        "device-catalogue",
    ))
}

/// Imports the catalogue (provincial devices centre): each row adds or changes the item
/// of its name and sets its cap for `year`; all or nothing (and nothing with `dry_run`).
#[utoipa::path(post, path = "/api/v1/rehab/catalogue/import", tag = "rehab", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file"),
    responses((status = 200, body = ImportReport), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn import_catalogue(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    Query(q): Query<ImportQuery>,
    body: web::Bytes,
) -> Result<web::Json<ImportReport>, ApiError> {
    catalogue::require_maintainer(&user)?;
    let year = q.year.unwrap_or_else(this_year);
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::field("year", "out_of_range", "2000 to 2100"));
    }
    let table = web::block(move || crate::tabular::read(&body, q.format)).await??;
    let (pii, en) = (state.pii.clone(), crate::extract::english(&req));
    Ok(web::Json(
        state
            .db(move |conn| {
                super::transfer::import_catalogue(conn, &pii, &user, &table, year, q.dry_run, en)
            })
            .await?,
    ))
}
