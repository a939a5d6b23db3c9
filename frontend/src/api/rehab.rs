//! The rehabilitation API (measure 14): typed calls and the query of the need list.
//! Request and response types are `shared::rehab`'s; only the list filters, which the
//! server reads from the query string, are declared here.

use serde::Serialize;
use shared::api::Page;
use shared::rehab::{
    AssessmentCreate, DeviceCapSet, DeviceItem, DeviceItemCreate, DeviceItemUpdate, Episode,
    EpisodeCreate, Need, NeedAction, RehabKpi,
};
use uuid::Uuid;

use super::{get, post, put, with_query, ApiError};

/// Filters of `GET /api/v1/rehab/needs`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NeedQuery {
    /// One person's needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<Uuid>,
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Kind of help.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Programme year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// A county (or city) inside the caller's area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    /// Only the needs whose next step this caller may take.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting: Option<bool>,
    /// Only accepted devices whose follow-up is due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up_due: Option<bool>,
    /// Page size.
    pub limit: i64,
    /// Page cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Filters of `GET /api/v1/rehab/catalogue`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CatalogueQuery {
    /// Name or code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Disability category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Offered (true) or withdrawn (false) items only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// One page of needs.
pub async fn needs(q: &NeedQuery) -> Result<Page<Need>, ApiError> {
    get(&with_query("/api/v1/rehab/needs", q)).await
}

/// Every need of a person (all pages: a person has a handful).
pub async fn person_needs(person_id: Uuid) -> Result<Vec<Need>, ApiError> {
    let mut q = NeedQuery {
        person_id: Some(person_id),
        limit: 100,
        ..NeedQuery::default()
    };
    let mut all = Vec::new();
    loop {
        let page = needs(&q).await?;
        all.extend(page.items);
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return Ok(all),
        }
    }
}

/// One need with its fittings, timeline and the steps the caller may take.
pub async fn need(id: &str) -> Result<Need, ApiError> {
    get(&format!("/api/v1/rehab/needs/{id}")).await
}

/// Takes a workflow step.
pub async fn act(id: Uuid, body: &NeedAction) -> Result<Need, ApiError> {
    post(&format!("/api/v1/rehab/needs/{id}/actions"), body).await
}

/// Records an assessment and its needs, all or nothing.
pub async fn assess(body: &AssessmentCreate) -> Result<Vec<Need>, ApiError> {
    post("/api/v1/rehab/assessments", body).await
}

/// Every service episode of a person.
pub async fn person_episodes(person_id: Uuid) -> Result<Vec<Episode>, ApiError> {
    #[derive(Serialize)]
    struct Q {
        person_id: Uuid,
        limit: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        cursor: Option<String>,
    }
    let mut q = Q {
        person_id,
        limit: 100,
        cursor: None,
    };
    let mut all = Vec::new();
    loop {
        let page: Page<Episode> = get(&with_query("/api/v1/rehab/episodes", &q)).await?;
        all.extend(page.items);
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return Ok(all),
        }
    }
}

/// Records a service episode.
pub async fn create_episode(body: &EpisodeCreate) -> Result<Episode, ApiError> {
    post("/api/v1/rehab/episodes", body).await
}

/// The catalogue.
pub async fn catalogue(q: &CatalogueQuery) -> Result<Vec<DeviceItem>, ApiError> {
    get(&with_query("/api/v1/rehab/catalogue", q)).await
}

/// One catalogue item with its caps.
pub async fn device(id: Uuid) -> Result<DeviceItem, ApiError> {
    get(&format!("/api/v1/rehab/catalogue/{id}")).await
}

/// Adds an item.
pub async fn create_device(body: &DeviceItemCreate) -> Result<DeviceItem, ApiError> {
    post("/api/v1/rehab/catalogue", body).await
}

/// Changes an item.
pub async fn update_device(id: Uuid, body: &DeviceItemUpdate) -> Result<DeviceItem, ApiError> {
    put(&format!("/api/v1/rehab/catalogue/{id}"), body).await
}

/// Sets an item's cap for a year.
pub async fn set_cap(id: Uuid, year: i32, body: &DeviceCapSet) -> Result<DeviceItem, ApiError> {
    put(&format!("/api/v1/rehab/catalogue/{id}/caps/{year}"), body).await
}

/// The KPI of a unit (none: the caller's own) and its children.
pub async fn kpi(year: i32, unit: Option<String>) -> Result<RehabKpi, ApiError> {
    #[derive(Serialize)]
    struct Q {
        year: i32,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    }
    get(&with_query("/api/v1/kpi/rehab", &Q { year, unit })).await
}
