//! The rehabilitation API (measure 14): typed calls and the query of the need list.
//! Request and response types are `shared::rehab`'s; only the list filters, which the
//! server reads from the query string, are declared here.

use serde::Serialize;
use shared::api::Page;
use shared::rehab::{
    AssessmentCreate, DeviceCapSet, DeviceItem, DeviceItemCreate, DeviceItemUpdate, Episode,
    EpisodeCreate, ImportReport, Need, NeedAction, RehabKpi,
};
use uuid::Uuid;

use super::{get, post, put, upload, with_query, ApiError};

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

/// The file format of an upload, by its name (CSV, or else XLSX).
fn format_of(file: &web_sys::File) -> &'static str {
    if file.name().to_lowercase().ends_with(".csv") {
        "csv"
    } else {
        "xlsx"
    }
}

/// Query of the rehab imports.
#[derive(Serialize)]
struct ImportParams {
    format: &'static str,
    dry_run: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    year: Option<i32>,
}

/// Where an import is sent: the rehab needs survey, the catalogue with the year of its
/// cap column, or the retrofit survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportTarget {
    /// `POST /api/v1/rehab/needs/import` (county rehab staff).
    Needs,
    /// `POST /api/v1/rehab/catalogue/import` (provincial devices centre).
    Catalogue {
        /// Programme year of the cap column.
        year: i32,
    },
    /// `POST /api/v1/retrofits/cases/import` (county retrofit writers: surveyed
    /// retrofit needs, measure 15).
    Retrofits,
}

/// Checks (`dry_run`) or imports a file; the report's messages come in `lang`.
pub async fn import(
    target: ImportTarget,
    file: &web_sys::File,
    dry_run: bool,
    lang: crate::i18n::Lang,
) -> Result<ImportReport, ApiError> {
    let (path, year) = match target {
        ImportTarget::Needs => ("/api/v1/rehab/needs/import", None),
        ImportTarget::Catalogue { year } => ("/api/v1/rehab/catalogue/import", Some(year)),
        ImportTarget::Retrofits => ("/api/v1/retrofits/cases/import", None),
    };
    let params = ImportParams {
        format: format_of(file),
        dry_run,
        year,
    };
    upload(&with_query(path, &params), file, lang).await
}

/// The query of `GET /api/v1/rehab/needs/export`: the list's filters that the export
/// takes (the list's "waiting for me" and paging do not apply to a file).
#[derive(Serialize)]
struct NeedExport<'a> {
    format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    need_year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    county: Option<&'a str>,
}

/// The path that exports the needs of the list's filters `q` as XLSX.
pub fn needs_export_path(q: &NeedQuery) -> String {
    let params = NeedExport {
        format: "xlsx",
        status: q.status.as_deref(),
        kind: q.kind.as_deref(),
        need_year: q.year,
        county: q.county.as_deref(),
    };
    with_query("/api/v1/rehab/needs/export", &params)
}

/// The path of the needs import template (XLSX, with drop-downs).
pub const NEEDS_TEMPLATE: &str = "/api/v1/rehab/needs-template?format=xlsx";

/// The path that exports the catalogue with the caps of `year` (also the catalogue
/// import's template).
pub fn catalogue_export_path(year: i32) -> String {
    #[derive(Serialize)]
    struct Q {
        format: &'static str,
        year: i32,
    }
    with_query(
        "/api/v1/rehab/catalogue/export",
        &Q {
            format: "xlsx",
            year,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_takes_the_list_filters_under_its_own_names() {
        let q = NeedQuery {
            status: Some("assessed".into()),
            year: Some(2024),
            county: Some("430381".into()),
            waiting: Some(true),
            limit: 50,
            cursor: Some("c".into()),
            ..NeedQuery::default()
        };
        assert_eq!(
            needs_export_path(&q),
            "/api/v1/rehab/needs/export?format=xlsx&status=assessed&need_year=2024&county=430381"
        );
        assert_eq!(
            needs_export_path(&NeedQuery::default()),
            "/api/v1/rehab/needs/export?format=xlsx"
        );
        assert_eq!(
            catalogue_export_path(2025),
            "/api/v1/rehab/catalogue/export?format=xlsx&year=2025"
        );
    }
}
