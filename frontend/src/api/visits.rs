//! Cadre ↔ household pairings and visits (measure 4); a visit recorded without a network
//! waits in the [outbox](super::outbox).

use serde::{Deserialize, Serialize};
use shared::api::Page;
use shared::visits::{
    Pairing, PairingCreate, PairingKpi, PairingUpdate, Visit, VisitCreate, VisitUpdate,
};
use uuid::Uuid;

use super::{get, post, put, with_query, ApiError};

/// Filters of `GET /api/v1/pairings`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PairingQuery {
    /// Only the caller's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mine: Option<bool>,
    /// Page size.
    pub limit: i64,
    /// Page cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A cadre county staff may pair.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CadreOption {
    /// User id.
    pub id: Uuid,
    /// Display name.
    pub display_name: String,
    /// Unit code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
}

/// One page of pairings.
pub async fn pairings(q: &PairingQuery) -> Result<Page<Pairing>, ApiError> {
    get(&with_query("/api/v1/pairings", q)).await
}

/// One pairing.
pub async fn pairing(id: &str) -> Result<Pairing, ApiError> {
    get(&format!("/api/v1/pairings/{id}")).await
}

/// The cadres the county may pair.
pub async fn cadres() -> Result<Vec<CadreOption>, ApiError> {
    get("/api/v1/pairings/cadres").await
}

/// Pairs a cadre with a household.
pub async fn create_pairing(body: &PairingCreate) -> Result<Pairing, ApiError> {
    post("/api/v1/pairings", body).await
}

/// Changes a pairing (its post or period).
pub async fn update_pairing(id: Uuid, body: &PairingUpdate) -> Result<Pairing, ApiError> {
    put(&format!("/api/v1/pairings/{id}"), body).await
}

/// The visits of a pairing (first page, up to 100).
pub async fn visits_of(pairing: &str) -> Result<Page<Visit>, ApiError> {
    get(&format!("/api/v1/visits?pairing_id={pairing}&limit=100")).await
}

/// Records a visit (idempotent by its id).
pub async fn create_visit(body: &VisitCreate) -> Result<Visit, ApiError> {
    post("/api/v1/visits", body).await
}

/// Changes a visit against the version seen; 409 `stale_version` carries the server's
/// visit in the problem's `current`.
pub async fn update_visit(id: Uuid, body: &VisitUpdate) -> Result<Visit, ApiError> {
    put(&format!("/api/v1/visits/{id}"), body).await
}

/// The server's visit sent with a 409 `stale_version`.
pub fn current_of(e: &ApiError) -> Option<Visit> {
    let p = e.problem.as_ref().filter(|p| p.code == "stale_version")?;
    serde_json::from_value(p.current.clone()?).ok()
}

/// The pairing KPI of a unit.
pub async fn kpi(region: Option<String>) -> Result<PairingKpi, ApiError> {
    #[derive(Serialize)]
    struct Q {
        #[serde(skip_serializing_if = "Option::is_none")]
        region: Option<String>,
    }
    get(&with_query("/api/v1/kpi/pairing", &Q { region })).await
}

impl super::outbox::Outgoing for VisitCreate {
    const KEY: &'static str = "xz.visits.outbox";
    type Saved = Visit;

    fn client_id(&self) -> Uuid {
        self.id.unwrap_or_default()
    }

    fn day(&self) -> chrono::NaiveDate {
        self.fields.visited_on
    }

    fn create(&self) -> impl std::future::Future<Output = Result<Visit, ApiError>> {
        create_visit(self)
    }
}
