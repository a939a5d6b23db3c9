//! The federation's own duties (measures 17 and 21): canteen purchases and their share
//! from the key poverty counties, and funds allocated to counties by factors. Request
//! and response types are `shared::duties`'s; only the query strings, which the server
//! reads from the URL, are declared here.

use serde::Serialize;
use shared::api::Page;
use shared::duties::{
    AllocationAdjust, AllocationApprove, AllocationCreate, AllocationRecompute, ConsumptionKpi,
    FundAllocation, Purchase, PurchaseCreate, Spending, SpendingCreate,
};
use uuid::Uuid;

use super::{delete, get, post, with_query, ApiError};

/// Filters of `GET /api/v1/purchases`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PurchaseQuery {
    /// Purchases of this year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Page size.
    pub limit: i64,
    /// Page cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One page of the canteen purchases in the caller's area, newest first.
pub async fn purchases(q: &PurchaseQuery) -> Result<Page<Purchase>, ApiError> {
    get(&with_query("/api/v1/purchases", q)).await
}

/// Records a purchase of the caller's own DPF's canteen.
pub async fn create_purchase(body: &PurchaseCreate) -> Result<Purchase, ApiError> {
    post("/api/v1/purchases", body).await
}

/// The query of a delete: the version last seen.
#[derive(Serialize)]
struct Version {
    version: i64,
}

/// Deletes a purchase recorded in error.
pub async fn delete_purchase(id: Uuid, version: i64) -> Result<(), ApiError> {
    delete(&with_query(
        &format!("/api/v1/purchases/{id}"),
        &Version { version },
    ))
    .await
}

/// The path that exports the purchases of `year` as XLSX.
pub fn purchases_export_path(year: i32) -> String {
    #[derive(Serialize)]
    struct Q {
        format: &'static str,
        year: i32,
    }
    with_query(
        "/api/v1/purchases/export",
        &Q {
            format: "xlsx",
            year,
        },
    )
}

/// Measure 17 for the caller's area and the units below it.
pub async fn consumption(year: i32) -> Result<ConsumptionKpi, ApiError> {
    #[derive(Serialize)]
    struct Q {
        year: i32,
    }
    get(&with_query("/api/v1/kpi/consumption", &Q { year })).await
}

/// The allocations the caller may see (of one year, or all), newest first.
pub async fn allocations(year: Option<i32>) -> Result<Vec<FundAllocation>, ApiError> {
    #[derive(Serialize)]
    struct Q {
        #[serde(skip_serializing_if = "Option::is_none")]
        year: Option<i32>,
    }
    get(&with_query("/api/v1/funds/allocations", &Q { year })).await
}

/// One allocation with its working.
pub async fn allocation(id: &str) -> Result<FundAllocation, ApiError> {
    get(&format!("/api/v1/funds/allocations/{id}")).await
}

/// Computes a draft allocation from the registry as it is now.
pub async fn create_allocation(body: &AllocationCreate) -> Result<FundAllocation, ApiError> {
    post("/api/v1/funds/allocations", body).await
}

/// Computes a draft again (with its fields as sent).
pub async fn recompute(id: Uuid, body: &AllocationRecompute) -> Result<FundAllocation, ApiError> {
    post(&format!("/api/v1/funds/allocations/{id}/compute"), body).await
}

/// Sets counties' amounts by hand.
pub async fn adjust(id: Uuid, body: &AllocationAdjust) -> Result<FundAllocation, ApiError> {
    post(&format!("/api/v1/funds/allocations/{id}/adjust"), body).await
}

/// Approves a draft.
pub async fn approve(id: Uuid, body: &AllocationApprove) -> Result<FundAllocation, ApiError> {
    post(&format!("/api/v1/funds/allocations/{id}/approve"), body).await
}

/// Deletes a draft computed in error.
pub async fn delete_allocation(id: Uuid, version: i64) -> Result<(), ApiError> {
    delete(&with_query(
        &format!("/api/v1/funds/allocations/{id}"),
        &Version { version },
    ))
    .await
}

/// The path that exports an allocation with its working as XLSX.
pub fn allocation_export_path(id: Uuid) -> String {
    format!("/api/v1/funds/allocations/{id}/export?format=xlsx")
}

/// The spending recorded against an allocation, in the caller's area.
pub async fn spending(id: &str) -> Result<Vec<Spending>, ApiError> {
    get(&format!("/api/v1/funds/allocations/{id}/spending")).await
}

/// Records money a county spent from its share.
pub async fn create_spending(body: &SpendingCreate) -> Result<Spending, ApiError> {
    post("/api/v1/funds/spending", body).await
}

/// Deletes spending recorded in error.
pub async fn delete_spending(id: Uuid, version: i64) -> Result<(), ApiError> {
    delete(&with_query(
        &format!("/api/v1/funds/spending/{id}"),
        &Version { version },
    ))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_come_from_the_encoder() {
        assert_eq!(
            purchases_export_path(2020),
            "/api/v1/purchases/export?format=xlsx&year=2020"
        );
        let q = PurchaseQuery {
            year: Some(2020),
            limit: 50,
            cursor: Some("a b".into()),
        };
        assert_eq!(
            with_query("/api/v1/purchases", &q),
            "/api/v1/purchases?year=2020&limit=50&cursor=a+b"
        );
    }
}
