//! The petitions API (measure 18): typed calls and the list filters. Request and
//! response types are `shared::petitions`'s.

use serde::Serialize;
use shared::api::Page;
use shared::person::RevealRequest;
use shared::petitions::{
    Petition, PetitionAction, PetitionCreate, PetitionKpi, PetitionerRevealed,
};
use uuid::Uuid;

use super::{get, post, with_query, ApiError};

/// Filters of `GET /api/v1/petitions`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PetitionQuery {
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Only overdue ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// A county (or city) inside the caller's area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Page cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One page of petitions.
pub async fn petitions(q: &PetitionQuery) -> Result<Page<Petition>, ApiError> {
    get(&with_query("/api/v1/petitions", q)).await
}

/// One petition with its history, the petitioner's other petitions and the caller's
/// steps.
pub async fn petition(id: &str) -> Result<Petition, ApiError> {
    get(&format!("/api/v1/petitions/{id}")).await
}

/// Registers a petition.
pub async fn create(body: &PetitionCreate) -> Result<Petition, ApiError> {
    post("/api/v1/petitions", body).await
}

/// Takes a workflow step.
pub async fn act(id: Uuid, body: &PetitionAction) -> Result<Petition, ApiError> {
    post(&format!("/api/v1/petitions/{id}/actions"), body).await
}

/// Opens the rectification item of a petition whose follow-up found the problem unresolved.
pub async fn open_rectification(
    id: Uuid,
    body: &shared::petitions::PetitionRectificationInput,
) -> Result<Petition, ApiError> {
    post(&format!("/api/v1/petitions/{id}/rectification"), body).await
}

/// Shows the petitioner in full, giving a reason (audited).
pub async fn reveal(id: Uuid, reason: &str) -> Result<PetitionerRevealed, ApiError> {
    post(
        &format!("/api/v1/petitions/{id}/reveal"),
        &RevealRequest {
            reason: reason.to_owned(),
        },
    )
    .await
}

/// The path that exports the ledger of the list's filters as XLSX.
pub fn export_path(q: &PetitionQuery) -> String {
    #[derive(Serialize)]
    struct Q<'a> {
        format: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        channel: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        overdue: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        area: Option<&'a str>,
    }
    with_query(
        "/api/v1/petitions/export",
        &Q {
            format: "xlsx",
            status: q.status.as_deref(),
            channel: q.channel.as_deref(),
            overdue: q.overdue,
            area: q.area.as_deref(),
        },
    )
}

/// Measure 18's KPI of a year for a region (none: the caller's area) and its children.
pub async fn kpi(year: i32, region: Option<String>) -> Result<PetitionKpi, ApiError> {
    #[derive(Serialize)]
    struct Q {
        year: i32,
        #[serde(skip_serializing_if = "Option::is_none")]
        region: Option<String>,
    }
    get(&with_query("/api/v1/kpi/petitions", &Q { year, region })).await
}
