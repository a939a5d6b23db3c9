//! The supervision API (measures 20 and 22): stationed supervision, unannounced
//! inspections and their KPI matrix, misconduct clues. Request and response types are
//! `shared::supervision`'s; only the list filters live here.

use serde::Serialize;
use shared::api::{AddressEntry, Page};
use shared::supervision::{
    Clue, ClueCreate, ClueStep, Inspection, InspectionCreate, InspectionMatrix, InspectionUpdate,
    Stationing, StationingCreate, StationingLogInput, StationingUpdate,
};
use uuid::Uuid;

use super::{delete, get, post, put, with_query, ApiError};

/// Filters of `GET /api/v1/stationings`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StationingQuery {
    /// Only stationings in force at some time of this year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Only this city or county.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
}

/// Filters of `GET /api/v1/inspections`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InspectionQuery {
    /// `planned` or `filed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Only this department's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Only this city or county.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Only those visited (or planned) in this year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Page size.
    pub limit: i64,
    /// Page cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Filters of `GET /api/v1/clues`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ClueQuery {
    /// Only clues in this status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Only this city or county.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Page cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// The stationings of the caller's area (a province's worth at most: no paging).
pub async fn stationings(q: &StationingQuery) -> Result<Vec<Stationing>, ApiError> {
    get(&with_query("/api/v1/stationings", q)).await
}

/// One stationing with its log.
pub async fn stationing(id: &str) -> Result<Stationing, ApiError> {
    get(&format!("/api/v1/stationings/{id}")).await
}

/// Stations a leader in a county (idempotent by its id).
pub async fn create_stationing(body: &StationingCreate) -> Result<Stationing, ApiError> {
    post("/api/v1/stationings", body).await
}

/// Changes a stationing against the version seen.
pub async fn update_stationing(id: Uuid, body: &StationingUpdate) -> Result<Stationing, ApiError> {
    put(&format!("/api/v1/stationings/{id}"), body).await
}

/// Adds an entry to a stationing's log (idempotent by the entry's id); answers the
/// stationing.
pub async fn add_log(id: Uuid, body: &StationingLogInput) -> Result<Stationing, ApiError> {
    post(&format!("/api/v1/stationings/{id}/log"), body).await
}

/// One page of inspections.
pub async fn inspections(q: &InspectionQuery) -> Result<Page<Inspection>, ApiError> {
    get(&with_query("/api/v1/inspections", q)).await
}

/// One inspection.
pub async fn inspection(id: &str) -> Result<Inspection, ApiError> {
    get(&format!("/api/v1/inspections/{id}")).await
}

/// Plans, records or files an inspection (idempotent by its id).
pub async fn create_inspection(body: &InspectionCreate) -> Result<Inspection, ApiError> {
    post("/api/v1/inspections", body).await
}

/// Changes a planned inspection, or files it (status `filed`), against the version
/// seen; 409 `stale_version` carries the server's inspection in `current`.
pub async fn update_inspection(id: Uuid, body: &InspectionUpdate) -> Result<Inspection, ApiError> {
    put(&format!("/api/v1/inspections/{id}"), body).await
}

/// Deletes a planned inspection against the version seen.
pub async fn delete_inspection(id: Uuid, version: i64) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Q {
        version: i64,
    }
    delete(&with_query(
        &format!("/api/v1/inspections/{id}"),
        &Q { version },
    ))
    .await
}

/// The server's record (an inspection, a stationing) sent with a 409 `stale_version`.
pub fn current_of<T: serde::de::DeserializeOwned>(e: &ApiError) -> Option<T> {
    let p = e.problem.as_ref().filter(|p| p.code == "stale_version")?;
    serde_json::from_value(p.current.clone()?).ok()
}

/// Measure 22's matrix for a year: departments × counties no one is stationed in.
pub async fn matrix(year: i32, region: Option<String>) -> Result<InspectionMatrix, ApiError> {
    #[derive(Serialize)]
    struct Q {
        year: i32,
        #[serde(skip_serializing_if = "Option::is_none")]
        region: Option<String>,
    }
    get(&with_query("/api/v1/kpi/inspections", &Q { year, region })).await
}

/// One page of misconduct clues (every read is audited by the server).
pub async fn clues(q: &ClueQuery) -> Result<Page<Clue>, ApiError> {
    get(&with_query("/api/v1/clues", q)).await
}

/// One clue.
pub async fn clue(id: &str) -> Result<Clue, ApiError> {
    get(&format!("/api/v1/clues/{id}")).await
}

/// Records a clue (idempotent by its id).
pub async fn create_clue(body: &ClueCreate) -> Result<Clue, ApiError> {
    post("/api/v1/clues", body).await
}

/// Takes a step of a clue (refer, feedback, close) against the version seen.
pub async fn act_clue(id: Uuid, body: &ClueStep) -> Result<Clue, ApiError> {
    post(&format!("/api/v1/clues/{id}/actions"), body).await
}

/// The towns of a county, or the villages of a town (the address reference data).
pub async fn addresses(parent: &str) -> Result<Vec<AddressEntry>, ApiError> {
    get(&with_query("/api/v1/addresses", &[("parent", parent)])).await
}

/// Whom a leader picker offers: `leaders` (the provincial DPF's leaders, for a
/// stationing) or `inspectors` (the department's cadres and the provincial leaders).
pub async fn people(
    kind: &str,
    department: Option<&str>,
) -> Result<Vec<super::visits::CadreOption>, ApiError> {
    #[derive(Serialize)]
    struct Q<'a> {
        kind: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        department: Option<&'a str>,
    }
    get(&with_query(
        "/api/v1/supervision/people",
        &Q { kind, department },
    ))
    .await
}
