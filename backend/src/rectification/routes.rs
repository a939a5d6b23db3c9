//! `/api/v1/rectification/…`, `/api/v1/kpi/rectification` and `/api/v1/my-work`.

use actix_web::{web, HttpResponse};
use shared::api::{Page, Problem};
use shared::auth::Capability;
use shared::rectification::{
    ProblemSource, RectificationAction, RectificationCreate, RectificationInput, RectificationItem,
    RectificationKpi, RectificationStatus, WorkItem,
};
use uuid::Uuid;

use super::items::{self, ItemQuery};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{from_value, Json, Query};
use crate::pagination::Paging;
use crate::state::AppState;
use crate::tabular::Table;

/// Items in the caller's area (filters: status, overdue, source, category, unit,
/// source_id, waiting), by id with a cursor.
#[utoipa::path(get, path = "/api/v1/rectification/items", tag = "rectification", params(ItemQuery),
    responses((status = 200, body = Page<RectificationItem>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<ItemQuery>,
) -> Result<web::Json<Page<RectificationItem>>, ApiError> {
    super::require_reader(&user)?;
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    let (fetch, after) = (paging.fetch(), paging.after.clone());
    let rows = state
        .db(move |conn| items::list(conn, &user, &q, after.as_deref(), fetch))
        .await?;
    Ok(web::Json(paging.page(rows, |i| i.id.to_string())))
}

/// Records an item (`write_rectification`) for a county in the caller's area; a retry
/// with the same client id and body answers the stored item (200).
#[utoipa::path(post, path = "/api/v1/rectification/items", tag = "rectification", request_body = RectificationCreate,
    responses((status = 201, body = RectificationItem), (status = 200, description = "retry of an earlier create", body = RectificationItem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::WriteRectification)?;
    from_value::<RectificationInput>(raw.clone())?;
    let body: RectificationCreate = from_value(raw)?;
    let pii = state.pii.clone();
    let (new, item) = state
        .db(move |conn| items::create(conn, &pii, &user, &body))
        .await?;
    Ok(crate::extract::created(
        new,
        format!("/api/v1/rectification/items/{}", item.id),
        &item,
    ))
}

/// One item with its timeline and the caller's next steps.
#[utoipa::path(get, path = "/api/v1/rectification/items/{id}", tag = "rectification", params(("id" = Uuid, Path, description = "item id")),
    responses((status = 200, body = RectificationItem), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<RectificationItem>, ApiError> {
    super::require_reader(&user)?;
    let id = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| items::get(conn, &user, id)).await?,
    ))
}

/// One step of the workflow (see `shared::rectification`): assign, start, long_term
/// (plan and new deadline), submit (a note and at least one evidence attachment),
/// recheck_pass, recheck_fail, close (销号) and reopen — those four by a unit above the
/// county, never the unit that rectified (403 `same_unit`) — and merge into the item
/// named in `duplicate_of`. The version must be current (409 `stale_version`).
#[utoipa::path(post, path = "/api/v1/rectification/items/{id}/actions", tag = "rectification", params(("id" = Uuid, Path, description = "item id")),
    request_body = RectificationAction,
    responses((status = 200, body = RectificationItem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn act(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(body): Json<RectificationAction>,
) -> Result<web::Json<RectificationItem>, ApiError> {
    // Nobody without a part in the workflow learns whether an item exists.
    super::require_actor(&user)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| items::act(conn, &user, id, &body))
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
    pub status: Option<RectificationStatus>,
    /// Only overdue items.
    pub overdue: Option<bool>,
    /// Only this source.
    pub source: Option<ProblemSource>,
    /// Only this city or county.
    pub unit: Option<String>,
}

/// Most rows an export writes.
const MAX_EXPORT_ROWS: i64 = 20_000;

/// The export's columns (Chinese, as the ledger is kept).
const LEDGER_COLUMNS: &[&str] = &[
    "编号",
    "来源",
    "类别",
    "问题描述",
    "责任单位",
    "农户",
    "责任人",
    "措施",
    "发现日期",
    "整改期限",
    "原期限",
    "状态",
    "逾期",
    "长期整改计划",
    "整改情况",
    "复核单位",
    "销号单位",
    "销号时间",
    "重复于",
    "重新打开次数",
    "复核未通过次数",
    "佐证数",
];

fn ledger_row(i: &RectificationItem) -> Vec<String> {
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    vec![
        i.id.to_string(),
        i.source.as_str().to_owned(),
        i.category.as_str().to_owned(),
        i.description.clone(),
        i.county_code.clone(),
        opt(&i.household),
        opt(&i.responsible_person),
        i.measure.map(|m| m.to_string()).unwrap_or_default(),
        i.found_on.to_string(),
        i.deadline.to_string(),
        i.original_deadline.to_string(),
        i.status.as_str().to_owned(),
        if i.overdue { "是" } else { "否" }.to_owned(),
        opt(&i.long_term_plan),
        opt(&i.rectification_note),
        opt(&i.rechecked_unit),
        opt(&i.closed_unit),
        i.closed_at
            .map(|t| t.date_naive().to_string())
            .unwrap_or_default(),
        i.duplicate_of.map(|d| d.to_string()).unwrap_or_default(),
        i.reopen_count.to_string(),
        i.recheck_failures.to_string(),
        i.evidence_count.to_string(),
    ]
}

/// The ledger in the caller's area and filters as a spreadsheet (no names of persons);
/// every export is audited.
#[utoipa::path(get, path = "/api/v1/rectification/items/export", tag = "rectification", params(ExportQuery),
    responses((status = 200, description = "the file"), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn export(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    super::require_reader(&user)?;
    let filter = ItemQuery {
        status: q.status,
        overdue: q.overdue,
        source: q.source,
        unit: q.unit.clone(),
        ..ItemQuery::default()
    };
    let table = state
        .db(move |conn| {
            let rows = items::list(conn, &user, &filter, None, MAX_EXPORT_ROWS)?;
            let table = Table {
                headers: LEDGER_COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
                rows: rows.iter().map(ledger_row).collect(),
                choices: Vec::new(),
            };
            let filters = serde_json::json!({"status": filter.status, "overdue": filter.overdue,
                "source": filter.source, "unit": filter.unit});
            crate::db::write_tx(conn, |conn| {
                crate::audit::record(
                    conn,
                    crate::audit::Event {
                        actor: &user,
                        action: shared::api::AuditAction::Export,
                        entity_type: "rectification_items",
                        entity_id: Uuid::nil(),
                        owner_region: user.scope.region(),
                        reason: None,
                        before: None,
                        after: Some(
                            serde_json::json!({"rows": table.rows.len(), "filters": filters}),
                        ),
                    },
                )
            })?;
            Ok::<_, ApiError>(table)
        })
        .await?;
    let bytes = crate::tabular::write(&table, q.format)?;
    Ok(crate::tabular::download(
        bytes,
        q.format,
        "rectification-items",
    ))
}

/// Parameters of the rectification KPI.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RectificationKpiQuery {
    /// Unit code (province, city or county); default the caller's area.
    #[serde(alias = "region")]
    pub unit: Option<String>,
}

/// Measure 6 for a unit and its children: open items (to zero), overdue, closure rate,
/// reopen rate, median days to close.
#[utoipa::path(get, path = "/api/v1/kpi/rectification", tag = "kpi", params(RectificationKpiQuery),
    responses((status = 200, body = RectificationKpi), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn kpi(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<RectificationKpiQuery>,
) -> Result<web::Json<RectificationKpi>, ApiError> {
    if !(user.can(Capability::ReadKpi) || user.can(Capability::ReadRectification)) {
        return Err(ApiError::Forbidden(
            "your roles do not allow read_kpi".into(),
        ));
    }
    let unit = q.unit.unwrap_or_else(|| user.scope.region().to_owned());
    Ok(web::Json(
        state
            .read_db(user.write_lsn.clone(), move |conn| {
                super::kpi::rectification(conn, &user.scope, &unit, crate::db::today())
            })
            .await?,
    ))
}

/// The caller's unit's work due within 7 days or overdue, across the ledgers:
/// rectification items (held, or waiting for the caller's recheck), retrofit cases past
/// their status's time, plan milestones not yet delivered.
#[utoipa::path(get, path = "/api/v1/my-work", tag = "rectification",
    responses((status = 200, body = Vec<WorkItem>)), security(("bearer" = [])))]
pub async fn my_work(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<Vec<WorkItem>>, ApiError> {
    Ok(web::Json(
        state
            .db(move |conn| super::work::my_work(conn, &user, crate::db::today()))
            .await?,
    ))
}
