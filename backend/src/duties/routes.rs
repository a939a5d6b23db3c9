//! `/api/v1/county-lists`, `/api/v1/purchases`, `/api/v1/funds`, `/api/v1/village-links`,
//! `/api/v1/support-pairs`, `/api/v1/support` and their KPIs under `/api/v1/kpi`.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use shared::api::{Page, Problem};
use shared::auth::Capability;
use shared::duties::{
    AllocationAdjust, AllocationApprove, AllocationCreate, AllocationRecompute, ConsumptionKpi,
    CountyList, CountyListPut, CountyListView, FundAllocation, LinkActivityCreate, Performance,
    Purchase, PurchaseCreate, PurchaseInput, PurchaseUpdate, Spending, SpendingCreate, Support,
    SupportInput, SupportKpi, SupportPair, SupportPairCreate, VillageLink, VillageLinkCreate,
    VillageLinkUpdate, VillagesKpi,
};
use shared::duties::{
    PublicityKpi, TypicalCase, TypicalCaseCreate, TypicalCaseSelect, TypicalCaseStatus,
    TypicalCaseUpdate,
};
use shared::plan::Period;
use uuid::Uuid;

use super::{funds, lists, publicity, purchases, require_any, support, villages};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{from_value, Json, Query};
use crate::pagination::Cursor;
use crate::state::AppState;

/// Who may read purchases and the share.
const PURCHASE_READERS: &[Capability] = &[Capability::ReadKpi, Capability::WritePurchases];

/// Who may read allocations and spending.
const FUND_READERS: &[Capability] = &[
    Capability::ReadKpi,
    Capability::ManageFunds,
    Capability::ApproveFunds,
    Capability::RecordSpending,
];

/// The counties on a list in a programme year.
#[utoipa::path(get, path = "/api/v1/county-lists/{year}/{list}", tag = "duties",
    params(("year" = i32, Path, description = "programme year"), ("list" = CountyList, Path, description = "which list")),
    responses((status = 200, body = CountyListView), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn get_list(
    state: web::Data<AppState>,
    _user: AuthUser,
    path: web::Path<(i32, CountyList)>,
) -> Result<web::Json<CountyListView>, ApiError> {
    let (year, list) = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| lists::get(conn, year, list)).await?,
    ))
}

/// Replaces a year's list (the provincial poverty office), with the reason.
#[utoipa::path(put, path = "/api/v1/county-lists/{year}/{list}", tag = "duties",
    params(("year" = i32, Path, description = "programme year"), ("list" = CountyList, Path, description = "which list")),
    request_body = CountyListPut,
    responses((status = 200, body = CountyListView), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn put_list(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(i32, CountyList)>,
    Json(body): Json<CountyListPut>,
) -> Result<web::Json<CountyListView>, ApiError> {
    let (year, list) = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| lists::put(conn, &user, year, list, &body))
            .await?,
    ))
}

/// Filters of the purchase list and export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PurchaseQuery {
    /// Purchases of this year.
    pub year: Option<i32>,
    /// Of this DPF only (its region code).
    pub unit: Option<String>,
    /// Page size (default 50, at most 200).
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

fn filter(year: Option<i32>, unit: Option<String>) -> Result<purchases::Filter, ApiError> {
    if let Some(y) = year {
        if !(2000..=2100).contains(&y) {
            return Err(ApiError::field("year", "out_of_range", "2000 to 2100"));
        }
    }
    if let Some(u) = &unit {
        if !(u.starts_with("43")
            && matches!(u.len(), 2 | 4 | 6)
            && u.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(ApiError::field(
                "unit",
                "invalid_format",
                "a region code: 43, a city's 4 digits or a county's 6",
            ));
        }
    }
    Ok(purchases::Filter { year, unit })
}

/// Canteen purchases in the caller's area, newest first.
#[utoipa::path(get, path = "/api/v1/purchases", tag = "duties", params(PurchaseQuery),
    responses((status = 200, body = Page<Purchase>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_purchases(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<PurchaseQuery>,
) -> Result<web::Json<Page<Purchase>>, ApiError> {
    require_any(&user, PURCHASE_READERS)?;
    let limit = crate::pagination::limit_of(q.limit)?;
    let f = filter(q.year, q.unit)?;
    // The cursor is the last purchase's day (days from the common era) and id.
    let after = match Cursor::decode_opt(q.cursor.as_deref())? {
        None => None,
        Some(c) => Some((
            c.ts.and_then(|d| i32::try_from(d).ok())
                .and_then(NaiveDate::from_num_days_from_ce_opt)
                .ok_or_else(|| {
                    ApiError::field(
                        "cursor",
                        "invalid_cursor",
                        "the cursor is not one this server gave out",
                    )
                })?,
            c.id,
        )),
    };
    let mut items = state
        .read_db(user.write_lsn.clone(), move |conn| {
            purchases::list(conn, &user.scope, &f, after.clone(), limit + 1)
        })
        .await?;
    let next_cursor = Cursor::next_page(&mut items, limit, |p| Cursor {
        ts: Some(i64::from(p.fields.purchased_on.num_days_from_ce())),
        id: p.id.to_string(),
    });
    Ok(web::Json(Page { items, next_cursor }))
}

/// Records a purchase of the caller's own DPF's canteen.
#[utoipa::path(post, path = "/api/v1/purchases", tag = "duties", request_body = PurchaseCreate,
    responses((status = 201, body = Purchase), (status = 200, description = "retry of an earlier create", body = Purchase),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_purchase(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WritePurchases)?;
    from_value::<PurchaseInput>(raw.clone())?;
    let body: PurchaseCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (created, p) = state
        .db(move |conn| purchases::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/purchases/{}", p.id),
        &p,
    ))
}

/// One purchase.
#[utoipa::path(get, path = "/api/v1/purchases/{id}", tag = "duties", params(("id" = Uuid, Path, description = "purchase id")),
    responses((status = 200, body = Purchase), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_purchase(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Purchase>, ApiError> {
    require_any(&user, PURCHASE_READERS)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| purchases::get(conn, &user.scope, id))
            .await?,
    ))
}

/// Replaces a purchase's fields (its own DPF); the version must be current.
#[utoipa::path(put, path = "/api/v1/purchases/{id}", tag = "duties", params(("id" = Uuid, Path, description = "purchase id")),
    request_body = PurchaseUpdate,
    responses((status = 200, body = Purchase), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_purchase(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<Purchase>, ApiError> {
    user.require(Capability::WritePurchases)?;
    from_value::<PurchaseInput>(raw.clone())?;
    let body: PurchaseUpdate = from_value(raw)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| purchases::update(conn, &user, id, &body))
            .await?,
    ))
}

/// Query of a delete.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// The version last seen (or send `If-Match`).
    pub version: Option<i64>,
}

/// Deletes a purchase recorded in error (its own DPF); the version must be current.
#[utoipa::path(delete, path = "/api/v1/purchases/{id}", tag = "duties", params(("id" = Uuid, Path, description = "purchase id"), DeleteQuery),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn delete_purchase(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Query(q): Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WritePurchases)?;
    let version = crate::extract::version_of(q.version, &req)?;
    let id = path.into_inner();
    state
        .db(move |conn| purchases::delete(conn, &user, id, version))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Filters of the purchase export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PurchaseExportQuery {
    /// `xlsx` or `csv`.
    pub format: crate::tabular::Format,
    /// Purchases of this year.
    pub year: Option<i32>,
    /// Of this DPF only (its region code).
    pub unit: Option<String>,
}

/// The purchase ledger in the caller's area as a spreadsheet; every export is audited.
#[utoipa::path(get, path = "/api/v1/purchases/export", tag = "duties", params(PurchaseExportQuery),
    responses((status = 200, description = "the file"), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn export_purchases(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<PurchaseExportQuery>,
) -> Result<HttpResponse, ApiError> {
    require_any(&user, PURCHASE_READERS)?;
    let f = filter(q.year, q.unit)?;
    let table = state
        .db(move |conn| purchases::export(conn, &user, &f))
        .await?;
    let bytes = crate::tabular::write(&table, q.format)?;
    Ok(crate::tabular::download(
        bytes,
        q.format,
        "canteen-purchases",
    ))
}

/// Parameters of a KPI or performance table.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitYearQuery {
    /// Programme year.
    pub year: i32,
    /// Unit code (province, city or county); default the caller's area.
    pub unit: Option<String>,
}

/// Measure 17 for a unit and the units below it: each DPF's own canteen's share from
/// the key poverty counties against its threshold, and its area's share.
#[utoipa::path(get, path = "/api/v1/kpi/consumption", tag = "kpi", params(UnitYearQuery),
    responses((status = 200, body = ConsumptionKpi), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn consumption_kpi(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<UnitYearQuery>,
) -> Result<web::Json<ConsumptionKpi>, ApiError> {
    require_any(&user, PURCHASE_READERS)?;
    let unit = q.unit.unwrap_or_else(|| user.scope.region().to_owned());
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                purchases::kpi(conn, &user.scope, &unit, q.year)
            })
            .await?,
    ))
}

/// Filter of the allocation list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AllocationQuery {
    /// Allocations of this programme year.
    pub year: Option<i32>,
}

/// The fund allocations the caller may see (drafts: the province's fund makers and
/// approvers), newest first, with their lines in the caller's area.
#[utoipa::path(get, path = "/api/v1/funds/allocations", tag = "duties", params(AllocationQuery),
    responses((status = 200, body = Vec<FundAllocation>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_allocations(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<AllocationQuery>,
) -> Result<web::Json<Vec<FundAllocation>>, ApiError> {
    require_any(&user, FUND_READERS)?;
    Ok(web::Json(
        state
            .db(move |conn| funds::list(conn, &user, q.year))
            .await?,
    ))
}

/// Computes a draft allocation of a fund from the registry as it is now.
#[utoipa::path(post, path = "/api/v1/funds/allocations", tag = "duties", request_body = AllocationCreate,
    responses((status = 201, body = FundAllocation), (status = 200, description = "retry of an earlier create", body = FundAllocation),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_allocation(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<AllocationCreate>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::ManageFunds)?;
    let pii = state.pii.clone();
    let (created, a) = state
        .db(move |conn| funds::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/funds/allocations/{}", a.id),
        &a,
    ))
}

/// One allocation with its working.
#[utoipa::path(get, path = "/api/v1/funds/allocations/{id}", tag = "duties", params(("id" = Uuid, Path, description = "allocation id")),
    responses((status = 200, body = FundAllocation), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_allocation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<FundAllocation>, ApiError> {
    require_any(&user, FUND_READERS)?;
    let id = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| funds::get(conn, &user, id)).await?,
    ))
}

/// Deletes a draft computed in error.
#[utoipa::path(delete, path = "/api/v1/funds/allocations/{id}", tag = "duties", params(("id" = Uuid, Path, description = "allocation id"), DeleteQuery),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn delete_allocation(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Query(q): Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::ManageFunds)?;
    let version = crate::extract::version_of(q.version, &req)?;
    let id = path.into_inner();
    state
        .db(move |conn| funds::delete(conn, &user, id, version))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Changes a draft's fields and computes it again from the registry as it is now.
#[utoipa::path(post, path = "/api/v1/funds/allocations/{id}/compute", tag = "duties", params(("id" = Uuid, Path, description = "allocation id")),
    request_body = AllocationRecompute,
    responses((status = 200, body = FundAllocation), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn recompute_allocation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<AllocationRecompute>,
) -> Result<web::Json<FundAllocation>, ApiError> {
    user.require(Capability::ManageFunds)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| funds::recompute(conn, &user, id, &body))
            .await?,
    ))
}

/// Sets counties' amounts by hand, with a reason; the amounts must still add up to
/// the fund.
#[utoipa::path(post, path = "/api/v1/funds/allocations/{id}/adjust", tag = "duties", params(("id" = Uuid, Path, description = "allocation id")),
    request_body = AllocationAdjust,
    responses((status = 200, body = FundAllocation), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn adjust_allocation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<AllocationAdjust>,
) -> Result<web::Json<FundAllocation>, ApiError> {
    user.require(Capability::ManageFunds)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| funds::adjust(conn, &user, id, &body))
            .await?,
    ))
}

/// Approves a draft (a provincial leader who did not compute or adjust it last).
#[utoipa::path(post, path = "/api/v1/funds/allocations/{id}/approve", tag = "duties", params(("id" = Uuid, Path, description = "allocation id")),
    request_body = AllocationApprove,
    responses((status = 200, body = FundAllocation), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn approve_allocation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<AllocationApprove>,
) -> Result<web::Json<FundAllocation>, ApiError> {
    user.require(Capability::ApproveFunds)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| funds::approve(conn, &user, id, &body))
            .await?,
    ))
}

/// Format of an export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `xlsx` or `csv`.
    pub format: crate::tabular::Format,
}

/// An allocation with its working as a spreadsheet (the lines in the caller's area);
/// audited.
#[utoipa::path(get, path = "/api/v1/funds/allocations/{id}/export", tag = "duties",
    params(("id" = Uuid, Path, description = "allocation id"), FormatQuery),
    responses((status = 200, description = "the file"), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn export_allocation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Query(q): Query<FormatQuery>,
) -> Result<HttpResponse, ApiError> {
    require_any(&user, FUND_READERS)?;
    let id = path.into_inner();
    let table = state.db(move |conn| funds::export(conn, &user, id)).await?;
    let bytes = crate::tabular::write(&table, q.format)?;
    Ok(crate::tabular::download(bytes, q.format, "fund-allocation"))
}

/// The spending recorded against an allocation, in the caller's area.
#[utoipa::path(get, path = "/api/v1/funds/allocations/{id}/spending", tag = "duties", params(("id" = Uuid, Path, description = "allocation id")),
    responses((status = 200, body = Vec<Spending>), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list_spending(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Vec<Spending>>, ApiError> {
    require_any(&user, FUND_READERS)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| funds::spending(conn, &user, id))
            .await?,
    ))
}

/// Records money a county spent from its share of an approved allocation.
#[utoipa::path(post, path = "/api/v1/funds/spending", tag = "duties", request_body = SpendingCreate,
    responses((status = 201, body = Spending), (status = 200, description = "retry of an earlier create", body = Spending),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_spending(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<SpendingCreate>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::RecordSpending)?;
    let pii = state.pii.clone();
    let (created, s) = state
        .db(move |conn| funds::spend(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/funds/spending/{}", s.id),
        &s,
    ))
}

/// Deletes spending recorded in error; the version must be current.
#[utoipa::path(delete, path = "/api/v1/funds/spending/{id}", tag = "duties", params(("id" = Uuid, Path, description = "spending id"), DeleteQuery),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn delete_spending(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Query(q): Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::RecordSpending)?;
    let version = crate::extract::version_of(q.version, &req)?;
    let id = path.into_inner();
    state
        .db(move |conn| funds::unspend(conn, &user, id, version))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Spent against allocated, per approved allocation of the year, for a unit and the
/// units below it.
#[utoipa::path(get, path = "/api/v1/funds/performance", tag = "duties", params(UnitYearQuery),
    responses((status = 200, body = Performance), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn performance(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<UnitYearQuery>,
) -> Result<web::Json<Performance>, ApiError> {
    require_any(&user, FUND_READERS)?;
    let unit = q.unit.unwrap_or_else(|| user.scope.region().to_owned());
    Ok(web::Json(
        state
            .db(move |conn| funds::performance(conn, &user, &unit, q.year))
            .await?,
    ))
}

/// Who may read village links and their KPI.
const LINK_READERS: &[Capability] = &[Capability::ReadKpi, Capability::LinkVillages];

/// Filter of the village links.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// Links in force in this year.
    pub year: Option<i32>,
}

/// The village links in the caller's area (by where the village lies), newest first.
#[utoipa::path(get, path = "/api/v1/village-links", tag = "duties", params(LinkQuery),
    responses((status = 200, body = Vec<VillageLink>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_links(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<LinkQuery>,
) -> Result<web::Json<Vec<VillageLink>>, ApiError> {
    require_any(&user, LINK_READERS)?;
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                villages::list(conn, &user.scope, q.year)
            })
            .await?,
    ))
}

/// Links the caller's unit with a village of its area.
#[utoipa::path(post, path = "/api/v1/village-links", tag = "duties", request_body = VillageLinkCreate,
    responses((status = 201, body = VillageLink), (status = 200, description = "retry of an earlier create", body = VillageLink),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_link(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<VillageLinkCreate>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::LinkVillages)?;
    let pii = state.pii.clone();
    let (created, l) = state
        .db(move |conn| villages::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/village-links/{}", l.id),
        &l,
    ))
}

/// One village link with its activities.
#[utoipa::path(get, path = "/api/v1/village-links/{id}", tag = "duties", params(("id" = Uuid, Path, description = "link id")),
    responses((status = 200, body = VillageLink), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_link(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<VillageLink>, ApiError> {
    require_any(&user, LINK_READERS)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| villages::get(conn, &user.scope, id))
            .await?,
    ))
}

/// Changes a link's dates, households and note (the linking unit).
#[utoipa::path(put, path = "/api/v1/village-links/{id}", tag = "duties", params(("id" = Uuid, Path, description = "link id")),
    request_body = VillageLinkUpdate,
    responses((status = 200, body = VillageLink), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_link(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<VillageLinkUpdate>,
) -> Result<web::Json<VillageLink>, ApiError> {
    user.require(Capability::LinkVillages)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| villages::update(conn, &user, id, &body))
            .await?,
    ))
}

/// Deletes a link made in error (the linking unit).
#[utoipa::path(delete, path = "/api/v1/village-links/{id}", tag = "duties", params(("id" = Uuid, Path, description = "link id"), DeleteQuery),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn delete_link(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    Query(q): Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::LinkVillages)?;
    let version = crate::extract::version_of(q.version, &req)?;
    let id = path.into_inner();
    state
        .db(move |conn| villages::delete(conn, &user, id, version))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Records an activity in a linked village (the linking unit); answers the link.
#[utoipa::path(post, path = "/api/v1/village-links/{id}/activities", tag = "duties", params(("id" = Uuid, Path, description = "link id")),
    request_body = LinkActivityCreate,
    responses((status = 201, body = VillageLink), (status = 200, description = "retry of an earlier create", body = VillageLink),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn add_activity(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<LinkActivityCreate>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::LinkVillages)?;
    let id = path.into_inner();
    let pii = state.pii.clone();
    let (created, l) = state
        .db(move |conn| villages::add_activity(conn, &pii, &user, id, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/village-links/{}", l.id),
        &l,
    ))
}

/// Measure 12 for a unit and the units below it: distinct villages linked in the year
/// against the target, links, households helped, money given.
#[utoipa::path(get, path = "/api/v1/kpi/villages", tag = "kpi", params(UnitYearQuery),
    responses((status = 200, body = VillagesKpi), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn villages_kpi(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<UnitYearQuery>,
) -> Result<web::Json<VillagesKpi>, ApiError> {
    require_any(&user, LINK_READERS)?;
    let unit = q.unit.unwrap_or_else(|| user.scope.region().to_owned());
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                villages::kpi(conn, &user.scope, &unit, q.year)
            })
            .await?,
    ))
}

/// Who may read the pairings and their support.
const SUPPORT_READERS: &[Capability] = &[Capability::ReadKpi, Capability::RecordSupport];

/// The pairings of DPFs the caller's area is on either side of.
#[utoipa::path(get, path = "/api/v1/support-pairs", tag = "duties",
    responses((status = 200, body = Vec<SupportPair>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_pairs(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<Vec<SupportPair>>, ApiError> {
    require_any(&user, SUPPORT_READERS)?;
    Ok(web::Json(
        state
            .db(move |conn| support::pairs(conn, &user.scope))
            .await?,
    ))
}

/// Keeps a new pairing of a supporting DPF with a supported one (the provincial
/// poverty office).
#[utoipa::path(post, path = "/api/v1/support-pairs", tag = "duties", request_body = SupportPairCreate,
    responses((status = 201, body = SupportPair), (status = 200, description = "retry of an earlier create", body = SupportPair),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_pair(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<SupportPairCreate>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::ManagePlan)?;
    let pii = state.pii.clone();
    let (created, p) = state
        .db(move |conn| support::create_pair(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/support-pairs/{}", p.id),
        &p,
    ))
}

/// The support recorded under a pairing, by day.
#[utoipa::path(get, path = "/api/v1/support-pairs/{id}/support", tag = "duties", params(("id" = Uuid, Path, description = "pairing id")),
    responses((status = 200, body = Vec<Support>), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list_support(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Vec<Support>>, ApiError> {
    require_any(&user, SUPPORT_READERS)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| support::entries(conn, &user.scope, id))
            .await?,
    ))
}

/// Records support given under a pairing (staff of either side, the poverty office).
#[utoipa::path(post, path = "/api/v1/support", tag = "duties", request_body = SupportInput,
    responses((status = 201, body = Support), (status = 200, description = "retry of an earlier create", body = Support),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_support(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<SupportInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::RecordSupport)?;
    let pii = state.pii.clone();
    let (created, s) = state
        .db(move |conn| support::record_support(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/support-pairs/{}/support", s.fields.pair_id),
        &s,
    ))
}

/// A period of a KPI.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// `2020` or `2020Q1`.
    pub period: Period,
}

/// Measure 16: the support of each pairing in force in the period, and the pairings
/// with nothing recorded in the (period's last) quarter.
#[utoipa::path(get, path = "/api/v1/kpi/support", tag = "kpi", params(PeriodQuery),
    responses((status = 200, body = SupportKpi), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn support_kpi(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<PeriodQuery>,
) -> Result<web::Json<SupportKpi>, ApiError> {
    require_any(&user, SUPPORT_READERS)?;
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                support::kpi(conn, &user.scope, q.period)
            })
            .await?,
    ))
}

/// Who may read typical cases.
const CASE_READERS: &[Capability] = &[
    Capability::ReadKpi,
    Capability::WritePublicity,
    Capability::SelectCases,
];

/// Filter of the cases.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only cases at this stage.
    pub status: Option<TypicalCaseStatus>,
}

/// The typical cases collected in the caller's area, newest first (a person's name is
/// masked until their consent is recorded; no identity number is ever shown).
#[utoipa::path(get, path = "/api/v1/publicity/cases", tag = "duties", params(CaseQuery),
    responses((status = 200, body = Vec<TypicalCase>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_cases(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<CaseQuery>,
) -> Result<web::Json<Vec<TypicalCase>>, ApiError> {
    require_any(&user, CASE_READERS)?;
    Ok(web::Json(
        state
            .db(move |conn| publicity::list(conn, &user.scope, q.status))
            .await?,
    ))
}

/// Collects a typical case of the caller's unit.
#[utoipa::path(post, path = "/api/v1/publicity/cases", tag = "duties", request_body = TypicalCaseCreate,
    responses((status = 201, body = TypicalCase), (status = 200, description = "retry of an earlier create", body = TypicalCase),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_case(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<TypicalCaseCreate>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WritePublicity)?;
    let pii = state.pii.clone();
    let (created, c) = state
        .db(move |conn| publicity::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/publicity/cases/{}", c.id),
        &c,
    ))
}

/// One typical case.
#[utoipa::path(get, path = "/api/v1/publicity/cases/{id}", tag = "duties", params(("id" = Uuid, Path, description = "case id")),
    responses((status = 200, body = TypicalCase), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_case(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<TypicalCase>, ApiError> {
    require_any(&user, CASE_READERS)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| publicity::get(conn, &user.scope, id))
            .await?,
    ))
}

/// Changes a case of the caller's unit that no one has selected yet.
#[utoipa::path(put, path = "/api/v1/publicity/cases/{id}", tag = "duties", params(("id" = Uuid, Path, description = "case id")),
    request_body = TypicalCaseUpdate,
    responses((status = 200, body = TypicalCase), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_case(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<TypicalCaseUpdate>,
) -> Result<web::Json<TypicalCase>, ApiError> {
    user.require(Capability::WritePublicity)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| publicity::update(conn, &user, id, &body))
            .await?,
    ))
}

/// Selects a case (a city's leaders, then the province's) or takes the selection back.
#[utoipa::path(post, path = "/api/v1/publicity/cases/{id}/select", tag = "duties", params(("id" = Uuid, Path, description = "case id")),
    request_body = TypicalCaseSelect,
    responses((status = 200, body = TypicalCase), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn select_case(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<TypicalCaseSelect>,
) -> Result<web::Json<TypicalCase>, ApiError> {
    user.require(Capability::SelectCases)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| publicity::select(conn, &user, id, &body))
            .await?,
    ))
}

/// Unit of a KPI.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// Unit code (province, city or county); default the caller's area.
    pub unit: Option<String>,
}

/// Measures 10 and 19 for a unit and the units below it: cases collected and selected,
/// Sunshine cases, texts, videos and pictures.
#[utoipa::path(get, path = "/api/v1/kpi/publicity", tag = "kpi", params(UnitQuery),
    responses((status = 200, body = PublicityKpi), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn publicity_kpi(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<UnitQuery>,
) -> Result<web::Json<PublicityKpi>, ApiError> {
    require_any(&user, CASE_READERS)?;
    let unit = q.unit.unwrap_or_else(|| user.scope.region().to_owned());
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                publicity::kpi(conn, &user.scope, &unit)
            })
            .await?,
    ))
}

/// Format and year of a ledger export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearExportQuery {
    /// `xlsx` or `csv`.
    pub format: crate::tabular::Format,
    /// Links in force in this year.
    pub year: Option<i32>,
}

/// The village links in the caller's area as a spreadsheet; audited.
#[utoipa::path(get, path = "/api/v1/village-links/export", tag = "duties", params(YearExportQuery),
    responses((status = 200, description = "the file"), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn export_links(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<YearExportQuery>,
) -> Result<HttpResponse, ApiError> {
    require_any(&user, LINK_READERS)?;
    let year = q.year;
    let table = state
        .db(move |conn| villages::export(conn, &user, year))
        .await?;
    let bytes = crate::tabular::write(&table, q.format)?;
    Ok(crate::tabular::download(bytes, q.format, "village-links"))
}

/// Format and period of the support export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodExportQuery {
    /// `xlsx` or `csv`.
    pub format: crate::tabular::Format,
    /// `2020` or `2020Q1`.
    pub period: Period,
}

/// The support of each pairing in the caller's area in a period as a spreadsheet;
/// audited.
#[utoipa::path(get, path = "/api/v1/support-pairs/export", tag = "duties", params(PeriodExportQuery),
    responses((status = 200, description = "the file"), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn export_support(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<PeriodExportQuery>,
) -> Result<HttpResponse, ApiError> {
    require_any(&user, SUPPORT_READERS)?;
    let period = q.period;
    let table = state
        .db(move |conn| support::export(conn, &user, period))
        .await?;
    let bytes = crate::tabular::write(&table, q.format)?;
    Ok(crate::tabular::download(bytes, q.format, "paired-support"))
}

/// Format and stage of the case export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseExportQuery {
    /// `xlsx` or `csv`.
    pub format: crate::tabular::Format,
    /// Only cases at this stage.
    pub status: Option<TypicalCaseStatus>,
}

/// The typical cases in the caller's area as a spreadsheet; audited.
#[utoipa::path(get, path = "/api/v1/publicity/cases/export", tag = "duties", params(CaseExportQuery),
    responses((status = 200, description = "the file"), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn export_cases(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<CaseExportQuery>,
) -> Result<HttpResponse, ApiError> {
    require_any(&user, CASE_READERS)?;
    let status = q.status;
    let table = state
        .db(move |conn| publicity::export(conn, &user, status))
        .await?;
    let bytes = crate::tabular::write(&table, q.format)?;
    Ok(crate::tabular::download(bytes, q.format, "typical-cases"))
}
