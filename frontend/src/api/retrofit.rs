//! The retrofit API (measure 15): typed calls and the query of the case list. Request
//! and response types are `shared::retrofit`'s; only the list filters, which the server
//! reads from the query string, are declared here.

use serde::Serialize;
use shared::api::Page;
use shared::retrofit::{
    CaseAction, CaseCreate, PlanUpdate, RetrofitCase, RetrofitItem, RetrofitKpi,
};
use uuid::Uuid;

use super::{get, post, put, with_query, ApiError};

/// Filters of `GET /api/v1/retrofits/cases`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CaseQuery {
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Only cases in their status longer than allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// A city or county inside the caller's area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// A member's name or the address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Programme year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Only the cases whose next step this caller may take.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting: Option<bool>,
    /// Page size.
    pub limit: i64,
    /// Page cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One page of cases.
pub async fn cases(q: &CaseQuery) -> Result<Page<RetrofitCase>, ApiError> {
    get(&with_query("/api/v1/retrofits/cases", q)).await
}

/// One case with its plan, photos, timeline and the steps the caller may take.
pub async fn case(id: &str) -> Result<RetrofitCase, ApiError> {
    get(&format!("/api/v1/retrofits/cases/{id}")).await
}

/// Records a case (or joins the household's open case).
pub async fn create(body: &CaseCreate) -> Result<RetrofitCase, ApiError> {
    post("/api/v1/retrofits/cases", body).await
}

/// Replaces the plan.
pub async fn update_plan(id: Uuid, body: &PlanUpdate) -> Result<RetrofitCase, ApiError> {
    put(&format!("/api/v1/retrofits/cases/{id}/plan"), body).await
}

/// Takes a workflow step.
pub async fn act(id: Uuid, body: &CaseAction) -> Result<RetrofitCase, ApiError> {
    post(&format!("/api/v1/retrofits/cases/{id}/actions"), body).await
}

/// The item code list, in pick-list order.
pub async fn items() -> Result<Vec<RetrofitItem>, ApiError> {
    get("/api/v1/retrofits/items").await
}

/// The KPI of a unit (none: the caller's own) and its children.
pub async fn kpi(year: i32, unit: Option<String>) -> Result<RetrofitKpi, ApiError> {
    #[derive(Serialize)]
    struct Q {
        year: i32,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    }
    get(&with_query("/api/v1/kpi/retrofits", &Q { year, unit })).await
}

/// The query of `GET /api/v1/retrofits/cases/export`: the list's filters that the export
/// takes (the list's search, "waiting for me" and paging do not apply to a file).
#[derive(Serialize)]
struct CaseExport<'a> {
    format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    overdue: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    area: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    year: Option<i32>,
}

/// The path that exports the cases of the list's filters `q` as XLSX.
pub fn export_path(q: &CaseQuery) -> String {
    let params = CaseExport {
        format: "xlsx",
        status: q.status.as_deref(),
        overdue: q.overdue,
        area: q.area.as_deref(),
        year: q.year,
    };
    with_query("/api/v1/retrofits/cases/export", &params)
}

/// The path of the survey import template (XLSX, with drop-downs).
pub const TEMPLATE: &str = "/api/v1/retrofits/cases-template?format=xlsx";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_takes_the_list_filters() {
        let q = CaseQuery {
            status: Some("verified".into()),
            overdue: Some(true),
            year: Some(2024),
            area: Some("430381".into()),
            waiting: Some(true),
            q: Some("张".into()),
            limit: 50,
            cursor: Some("c".into()),
        };
        assert_eq!(
            export_path(&q),
            "/api/v1/retrofits/cases/export?format=xlsx&status=verified&overdue=true&area=430381&year=2024"
        );
        assert_eq!(
            export_path(&CaseQuery::default()),
            "/api/v1/retrofits/cases/export?format=xlsx"
        );
    }
}
