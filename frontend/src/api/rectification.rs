//! The rectification API (measure 6, 问题清零) and "my work": typed calls and the list
//! filters. Request and response types are `shared::rectification`'s.

use serde::Serialize;
use shared::api::Page;
use shared::rectification::{
    RectificationAction, RectificationCreate, RectificationItem, RectificationKpi, WorkItem,
};
use uuid::Uuid;

use super::{get, post, with_query, ApiError};

/// Filters of `GET /api/v1/rectification/items`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ItemQuery {
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Only overdue items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// Source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// A county (or city) inside the caller's area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Only items with a step for the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting: Option<bool>,
    /// Page size.
    pub limit: i64,
    /// Page cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One page of items.
pub async fn items(q: &ItemQuery) -> Result<Page<RectificationItem>, ApiError> {
    get(&with_query("/api/v1/rectification/items", q)).await
}

/// One item with its history and the caller's steps.
pub async fn item(id: &str) -> Result<RectificationItem, ApiError> {
    get(&format!("/api/v1/rectification/items/{id}")).await
}

/// Records an item.
pub async fn create(body: &RectificationCreate) -> Result<RectificationItem, ApiError> {
    post("/api/v1/rectification/items", body).await
}

/// Takes a workflow step.
pub async fn act(id: Uuid, body: &RectificationAction) -> Result<RectificationItem, ApiError> {
    post(&format!("/api/v1/rectification/items/{id}/actions"), body).await
}

/// The export of the list's filters as a spreadsheet.
pub fn export_path(q: &ItemQuery) -> String {
    #[derive(Serialize)]
    struct Export<'a> {
        format: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        overdue: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        source: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<&'a str>,
    }
    with_query(
        "/api/v1/rectification/items/export",
        &Export {
            format: "xlsx",
            status: q.status.as_deref(),
            overdue: q.overdue,
            source: q.source.as_deref(),
            unit: q.unit.as_deref(),
        },
    )
}

/// The caller's unit's work, due soon or overdue.
pub async fn my_work() -> Result<Vec<WorkItem>, ApiError> {
    get("/api/v1/my-work").await
}

/// Measure 6's KPI of a unit (none: the caller's area) and its child units.
pub async fn kpi(unit: Option<String>) -> Result<RectificationKpi, ApiError> {
    #[derive(Serialize)]
    struct Q {
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    }
    get(&with_query("/api/v1/kpi/rectification", &Q { unit })).await
}
