//! `/api/v1/retrofits/…` and `/api/v1/kpi/retrofits`.

use actix_web::{web, HttpRequest, HttpResponse};
use shared::api::{Page, Problem};
use shared::auth::Capability;
use shared::rehab::ImportReport;
use shared::retrofit::{
    CaseAction, CaseCreate, CaseInput, PlanUpdate, RetrofitCap, RetrofitCapSet, RetrofitCase,
    RetrofitItem, RetrofitItemCreate, RetrofitItemInput, RetrofitItemUpdate, RetrofitKpi,
};
use uuid::Uuid;

use super::cases::{self, CaseQuery, Created};
use super::items;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{from_value, Json, Query};
use crate::pagination::Paging;
use crate::state::AppState;

/// The item list and caps are read by whoever works with retrofits or KPIs.
fn require_list_reader(user: &AuthUser) -> Result<(), ApiError> {
    if [
        Capability::ReadRetrofits,
        Capability::WriteRetrofits,
        Capability::ReadKpi,
    ]
    .iter()
    .any(|c| user.can(*c))
    {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "your roles do not include retrofits".into(),
        ))
    }
}

/// The retrofit item code list, in pick-list order.
#[utoipa::path(get, path = "/api/v1/retrofits/items", tag = "retrofits",
    responses((status = 200, body = Vec<RetrofitItem>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_items(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<Vec<RetrofitItem>>, ApiError> {
    require_list_reader(&user)?;
    Ok(web::Json(state.db(items::list).await?))
}

/// Adds an item to the code list (province).
#[utoipa::path(post, path = "/api/v1/retrofits/items", tag = "retrofits", request_body = RetrofitItemCreate,
    responses((status = 201, body = RetrofitItem), (status = 200, description = "retry of an earlier create", body = RetrofitItem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_item(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    super::require_maintainer(&user)?;
    from_value::<RetrofitItemInput>(raw.clone())?;
    let body: RetrofitItemCreate = from_value(raw)?;
    let (created, item) = state
        .db(move |conn| items::create(conn, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/retrofits/items/{}", item.code),
        &item,
    ))
}

/// Changes an item (province); the version must be current.
#[utoipa::path(put, path = "/api/v1/retrofits/items/{code}", tag = "retrofits",
    params(("code" = String, Path, description = "item code")), request_body = RetrofitItemUpdate,
    responses((status = 200, body = RetrofitItem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_item(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<RetrofitItem>, ApiError> {
    super::require_maintainer(&user)?;
    from_value::<RetrofitItemInput>(raw.clone())?;
    let body: RetrofitItemUpdate = from_value(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let code = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| items::update(conn, &user, &code, version, &body.fields))
            .await?,
    ))
}

/// The per-household caps, newest year first.
#[utoipa::path(get, path = "/api/v1/retrofits/caps", tag = "retrofits",
    responses((status = 200, body = Vec<RetrofitCap>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_caps(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<Vec<RetrofitCap>>, ApiError> {
    require_list_reader(&user)?;
    Ok(web::Json(state.db(items::caps).await?))
}

/// Sets a programme year's per-household cap (province): a new year without a version,
/// an existing one with its current version (body or `If-Match`).
#[utoipa::path(put, path = "/api/v1/retrofits/caps/{year}", tag = "retrofits",
    params(("year" = i32, Path, description = "programme year")), request_body = RetrofitCapSet,
    responses((status = 200, body = RetrofitCap), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn set_cap(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<i32>,
    Json(body): Json<RetrofitCapSet>,
) -> Result<web::Json<RetrofitCap>, ApiError> {
    super::require_maintainer(&user)?;
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
    let year = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| items::set_cap(conn, &user, year, version, body.cap_fen))
            .await?,
    ))
}

/// Cases in the caller's scope (filters: status, overdue, area, q, year, person, waiting).
#[utoipa::path(get, path = "/api/v1/retrofits/cases", tag = "retrofits", params(CaseQuery),
    responses((status = 200, body = Page<RetrofitCase>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_cases(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<CaseQuery>,
) -> Result<web::Json<Page<RetrofitCase>>, ApiError> {
    super::require_reader(&user)?;
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let items = state
        .db(move |conn| cases::list(conn, &user, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(items, |c| c.id.to_string())))
}

/// Records a case (county writers). One household keeps one case: when a member's
/// household has an open case, the persons named join it and the answer is 200 with
/// that case (`joined_existing: true`).
#[utoipa::path(post, path = "/api/v1/retrofits/cases", tag = "retrofits", request_body = CaseCreate,
    responses((status = 201, body = RetrofitCase),
        (status = 200, description = "retry of an earlier create, or the household's open case joined", body = RetrofitCase),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_case(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    from_value::<CaseInput>(raw.clone())?;
    let body: CaseCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, case) = state
        .db(move |conn| cases::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created == Created::New,
        format!("/api/v1/retrofits/cases/{}", case.id),
        &case,
    ))
}

/// One case with its members, plan, photos, timeline and the caller's next steps.
#[utoipa::path(get, path = "/api/v1/retrofits/cases/{id}", tag = "retrofits", params(("id" = Uuid, Path, description = "case id")),
    responses((status = 200, body = RetrofitCase), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_case(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<RetrofitCase>, ApiError> {
    super::require_reader(&user)?;
    let id = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| cases::get(conn, &user, id)).await?,
    ))
}

/// Replaces the plan (county writers; while `verified` or `plan_drafted`); the case's
/// version must be current. Over the year's cap: an `over_cap` warning in the answer.
#[utoipa::path(put, path = "/api/v1/retrofits/cases/{id}/plan", tag = "retrofits", params(("id" = Uuid, Path, description = "case id")),
    request_body = PlanUpdate,
    responses((status = 200, body = RetrofitCase), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_plan(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Json(body): Json<PlanUpdate>,
) -> Result<web::Json<RetrofitCase>, ApiError> {
    let version = crate::extract::version_of(body.version, &req)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| cases::update_plan(conn, &user, id, version, &body.items))
            .await?,
    ))
}

/// One step of the case workflow (see `shared::retrofit`): verify (home visit), draft
/// the plan, approve it (county, not its author), start, complete (actual costs), accept
/// (before and after photos, signature; a failed acceptance returns to construction),
/// archive, and the exits reject, decline, refer_housing, relocate.
#[utoipa::path(post, path = "/api/v1/retrofits/cases/{id}/actions", tag = "retrofits", params(("id" = Uuid, Path, description = "case id")),
    request_body = CaseAction,
    responses((status = 200, body = RetrofitCase), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn act(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<CaseAction>,
) -> Result<web::Json<RetrofitCase>, ApiError> {
    // Nobody without a part in the workflow learns whether a case exists.
    if !(user.can(Capability::WriteRetrofits) || user.can(Capability::ApproveRetrofits)) {
        return Err(ApiError::Forbidden(
            "your roles take no step of a retrofit case".into(),
        ));
    }
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| cases::act(conn, &user, id, &body))
            .await?,
    ))
}

/// Parameters of the ledger export: the format and the list's filters.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `xlsx` or `csv`.
    pub format: crate::tabular::Format,
    /// Only this status.
    pub status: Option<shared::retrofit::CaseStatus>,
    /// Only overdue cases.
    pub overdue: Option<bool>,
    /// Only this city or county.
    pub area: Option<String>,
    /// Only this programme year.
    pub year: Option<i32>,
}

/// The case ledger in the caller's scope and filters as a spreadsheet, identity numbers
/// masked; every export is audited.
#[utoipa::path(get, path = "/api/v1/retrofits/cases/export", tag = "retrofits", params(ExportQuery),
    responses((status = 200, description = "the file"), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn export(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    super::require_reader(&user)?;
    let filter = CaseQuery {
        status: q.status,
        overdue: q.overdue,
        area: q.area.clone(),
        year: q.year,
        ..CaseQuery::default()
    };
    let table = state
        .db(move |conn| super::transfer::export(conn, &user, &filter))
        .await?;
    let bytes = crate::tabular::write(&table, q.format)?;
    Ok(crate::tabular::download(bytes, q.format, "retrofit-cases"))
}

/// The survey import template (Chinese headers, drop-downs for coded columns).
#[utoipa::path(get, path = "/api/v1/retrofits/cases-template", tag = "retrofits", params(("format" = crate::tabular::Format, Query, description = "xlsx or csv")),
    responses((status = 200, description = "the template file"), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn template(
    user: AuthUser,
    Query(q): Query<crate::training::routes::FormatQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WriteRetrofits)?;
    let bytes = crate::tabular::write(&super::transfer::template(), q.format)?;
    Ok(crate::tabular::download(
        bytes,
        q.format,
        "retrofit-cases-template",
    ))
}

/// Parameters of the survey import.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `xlsx` or `csv`.
    pub format: crate::tabular::Format,
    /// Only check the file; write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Imports a county's surveyed retrofit needs (county writers): every row checked and
/// every problem reported by row and column; all or nothing (nothing with `dry_run`); at
/// most 2,000 rows; persons already on an open case are left as they are.
#[utoipa::path(post, path = "/api/v1/retrofits/cases/import", tag = "retrofits", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file"),
    responses((status = 200, body = ImportReport), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn import(
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
            .db(move |conn| super::transfer::import(conn, &pii, &user, &table, q.dry_run, en))
            .await?,
    ))
}

/// Parameters of the retrofit KPI.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RetrofitKpiQuery {
    /// Programme year.
    pub year: i32,
    /// Unit code (province, city or county; also accepted as `region`); default the
    /// caller's area.
    #[serde(alias = "region")]
    pub unit: Option<String>,
}

/// Measure 15 for a unit and its children: coverage by household, cost per household
/// against the cap, first-pass acceptance, shares done with 危房改造 and 易地搬迁, exits.
#[utoipa::path(get, path = "/api/v1/kpi/retrofits", tag = "kpi", params(RetrofitKpiQuery),
    responses((status = 200, body = RetrofitKpi), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn kpi(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<RetrofitKpiQuery>,
) -> Result<web::Json<RetrofitKpi>, ApiError> {
    user.require(Capability::ReadKpi)?;
    let unit = q.unit.unwrap_or_else(|| user.scope.region().to_owned());
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                crate::kpi::retrofits::retrofits(conn, &user.scope, &unit, q.year)
            })
            .await?,
    ))
}
