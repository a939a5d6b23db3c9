//! The care services API (measure 9): typed calls and the list filters. Request and
//! response types are `shared::care`'s.

use serde::Serialize;
use shared::api::Page;
use shared::care::{
    CareAssessment, CareAssessmentCreate, CareKpi, Placement, PlacementAction, PlacementCreate,
    PlacementTransfer, Provider, ProviderCreate, ProviderUpdate, ServiceLog, ServiceLogInput,
};
use uuid::Uuid;

use super::{get, post, put, with_query, ApiError};

/// Filters of `GET /api/v1/care/placements`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PlacementQuery {
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Mode of care.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// One provider's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// A county (or city) inside the caller's area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Page cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Filters of `GET /api/v1/care/providers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProviderQuery {
    /// Only providers taking placements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// A county (or city) inside the caller's area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Page cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One page of providers.
pub async fn providers(q: &ProviderQuery) -> Result<Page<Provider>, ApiError> {
    get(&with_query("/api/v1/care/providers", q)).await
}

/// Every provider taking placements (a county has a handful).
pub async fn active_providers() -> Result<Vec<Provider>, ApiError> {
    let mut q = ProviderQuery {
        active: Some(true),
        limit: 200,
        ..ProviderQuery::default()
    };
    let mut all = Vec::new();
    loop {
        let page = providers(&q).await?;
        all.extend(page.items);
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return Ok(all),
        }
    }
}

/// Adds a provider.
pub async fn create_provider(body: &ProviderCreate) -> Result<Provider, ApiError> {
    post("/api/v1/care/providers", body).await
}

/// Changes a provider.
pub async fn update_provider(id: Uuid, body: &ProviderUpdate) -> Result<Provider, ApiError> {
    put(&format!("/api/v1/care/providers/{id}"), body).await
}

/// Records a care assessment.
pub async fn create_assessment(body: &CareAssessmentCreate) -> Result<CareAssessment, ApiError> {
    post("/api/v1/care/assessments", body).await
}

/// One page of placements.
pub async fn placements(q: &PlacementQuery) -> Result<Page<Placement>, ApiError> {
    get(&with_query("/api/v1/care/placements", q)).await
}

/// One placement with its history and the caller's steps.
pub async fn placement(id: &str) -> Result<Placement, ApiError> {
    get(&format!("/api/v1/care/placements/{id}")).await
}

/// Records a placement.
pub async fn create_placement(body: &PlacementCreate) -> Result<Placement, ApiError> {
    post("/api/v1/care/placements", body).await
}

/// Takes a workflow step.
pub async fn act(id: Uuid, body: &PlacementAction) -> Result<Placement, ApiError> {
    post(&format!("/api/v1/care/placements/{id}/actions"), body).await
}

/// Transfers a placement; answers the new one.
pub async fn transfer(id: Uuid, body: &PlacementTransfer) -> Result<Placement, ApiError> {
    post(&format!("/api/v1/care/placements/{id}/transfer"), body).await
}

/// The service logs of a placement.
pub async fn logs(id: Uuid) -> Result<Vec<ServiceLog>, ApiError> {
    get(&format!("/api/v1/care/placements/{id}/logs")).await
}

/// Records a service visit.
pub async fn add_log(id: Uuid, body: &ServiceLogInput) -> Result<ServiceLog, ApiError> {
    post(&format!("/api/v1/care/placements/{id}/logs"), body).await
}

/// The KPI of a region (none: the caller's own) and its children.
pub async fn kpi(year: i32, region: Option<String>) -> Result<CareKpi, ApiError> {
    #[derive(Serialize)]
    struct Q {
        year: i32,
        #[serde(skip_serializing_if = "Option::is_none")]
        region: Option<String>,
    }
    get(&with_query("/api/v1/kpi/care", &Q { year, region })).await
}

/// The path that exports the placement ledger of the list's filters as XLSX.
pub fn export_path(q: &PlacementQuery) -> String {
    #[derive(Serialize)]
    struct Q<'a> {
        format: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        mode: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        area: Option<&'a str>,
    }
    with_query(
        "/api/v1/care/placements/export",
        &Q {
            format: "xlsx",
            status: q.status.as_deref(),
            mode: q.mode.as_deref(),
            area: q.area.as_deref(),
        },
    )
}
