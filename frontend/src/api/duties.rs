//! The federation's own duties (issue 14): the county lists, canteen purchases and their
//! share from the key poverty counties (measure 17), funds allocated to counties by
//! factors (21), village links (12), paired support (16) and typical cases (10, 19). Request
//! and response types are `shared::duties`'s; only the query strings, which the server
//! reads from the URL, are declared here.

use serde::Serialize;
use shared::api::Page;
use shared::duties::{
    AllocationAdjust, AllocationApprove, AllocationCreate, AllocationRecompute, ConsumptionKpi,
    CountyList, CountyListPut, CountyListView, FundAllocation, LinkActivityCreate, PublicityKpi,
    Purchase, PurchaseCreate, PurchaseUpdate, Spending, SpendingCreate, Support, SupportInput,
    SupportKpi, SupportPair, SupportPairCreate, TypicalCase, TypicalCaseCreate, TypicalCaseSelect,
    TypicalCaseUpdate, VillageLink, VillageLinkCreate, VillageLinkUpdate, VillagesKpi,
};
use shared::plan::Period;
use uuid::Uuid;

use super::{delete, get, post, put, with_query, ApiError};

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

/// Changes a purchase (its own DPF).
pub async fn update_purchase(id: Uuid, body: &PurchaseUpdate) -> Result<Purchase, ApiError> {
    put(&format!("/api/v1/purchases/{id}"), body).await
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

/// A query of one year.
#[derive(Serialize)]
struct Year {
    year: i32,
}

/// A query of one period (`2020` or `2020Q1`).
#[derive(Serialize)]
struct Of {
    period: Period,
}

/// An export query: the format and a year or a period.
#[derive(Serialize)]
struct Export<T> {
    format: &'static str,
    #[serde(flatten)]
    of: T,
}

/// A county list of a programme year.
pub async fn county_list(year: i32, list: CountyList) -> Result<CountyListView, ApiError> {
    get(&format!("/api/v1/county-lists/{year}/{list}")).await
}

/// Replaces a county list of a programme year (the provincial poverty office).
pub async fn put_county_list(
    year: i32,
    list: CountyList,
    body: &CountyListPut,
) -> Result<CountyListView, ApiError> {
    put(&format!("/api/v1/county-lists/{year}/{list}"), body).await
}

/// Measure 12 in the caller's area and the units below it.
pub async fn villages_kpi(year: i32) -> Result<VillagesKpi, ApiError> {
    get(&with_query("/api/v1/kpi/villages", &Year { year })).await
}

/// The village links in force in `year` in the caller's area.
pub async fn links(year: i32) -> Result<Vec<VillageLink>, ApiError> {
    get(&with_query("/api/v1/village-links", &Year { year })).await
}

/// Links the caller's unit with a village.
pub async fn create_link(body: &VillageLinkCreate) -> Result<VillageLink, ApiError> {
    post("/api/v1/village-links", body).await
}

/// Changes a link's dates, households and note (ends it, say).
pub async fn update_link(id: Uuid, body: &VillageLinkUpdate) -> Result<VillageLink, ApiError> {
    put(&format!("/api/v1/village-links/{id}"), body).await
}

/// Deletes a link made in error.
pub async fn delete_link(id: Uuid, version: i64) -> Result<(), ApiError> {
    delete(&with_query(
        &format!("/api/v1/village-links/{id}"),
        &Version { version },
    ))
    .await
}

/// Records an activity in a linked village; answers the link.
pub async fn add_activity(id: Uuid, body: &LinkActivityCreate) -> Result<VillageLink, ApiError> {
    post(&format!("/api/v1/village-links/{id}/activities"), body).await
}

/// The path that exports the links in force in `year` as XLSX.
pub fn links_export_path(year: i32) -> String {
    with_query(
        "/api/v1/village-links/export",
        &Export {
            format: "xlsx",
            of: Year { year },
        },
    )
}

/// The pairings the caller's area is on either side of.
pub async fn pairs() -> Result<Vec<SupportPair>, ApiError> {
    get("/api/v1/support-pairs").await
}

/// Keeps a new pairing (the provincial poverty office).
pub async fn create_pair(body: &SupportPairCreate) -> Result<SupportPair, ApiError> {
    post("/api/v1/support-pairs", body).await
}

/// The support recorded under a pairing.
pub async fn support_entries(pair: Uuid) -> Result<Vec<Support>, ApiError> {
    get(&format!("/api/v1/support-pairs/{pair}/support")).await
}

/// Records support given under a pairing.
pub async fn create_support(body: &SupportInput) -> Result<Support, ApiError> {
    post("/api/v1/support", body).await
}

/// Measure 16 in a period.
pub async fn support_kpi(period: Period) -> Result<SupportKpi, ApiError> {
    get(&with_query("/api/v1/kpi/support", &Of { period })).await
}

/// The path that exports the pairings' support in a period as XLSX.
pub fn support_export_path(period: Period) -> String {
    with_query(
        "/api/v1/support-pairs/export",
        &Export {
            format: "xlsx",
            of: Of { period },
        },
    )
}

/// The typical cases collected in the caller's area.
pub async fn cases() -> Result<Vec<TypicalCase>, ApiError> {
    get("/api/v1/publicity/cases").await
}

/// Collects a typical case.
pub async fn create_case(body: &TypicalCaseCreate) -> Result<TypicalCase, ApiError> {
    post("/api/v1/publicity/cases", body).await
}

/// Changes a case no one has selected yet (records consent, say).
pub async fn update_case(id: Uuid, body: &TypicalCaseUpdate) -> Result<TypicalCase, ApiError> {
    put(&format!("/api/v1/publicity/cases/{id}"), body).await
}

/// Selects a case at the caller's level, or takes the selection back.
pub async fn select_case(id: Uuid, body: &TypicalCaseSelect) -> Result<TypicalCase, ApiError> {
    post(&format!("/api/v1/publicity/cases/{id}/select"), body).await
}

/// Measures 10 and 19 in the caller's area and the units below it.
pub async fn publicity_kpi() -> Result<PublicityKpi, ApiError> {
    get("/api/v1/kpi/publicity").await
}

/// The path that exports the cases as XLSX.
pub const CASES_EXPORT_PATH: &str = "/api/v1/publicity/cases/export?format=xlsx";

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
        assert_eq!(
            links_export_path(2020),
            "/api/v1/village-links/export?format=xlsx&year=2020"
        );
        let q = Period::parse("2020Q3").map(support_export_path);
        assert_eq!(
            q.as_deref(),
            Some("/api/v1/support-pairs/export?format=xlsx&period=2020Q3")
        );
    }
}
