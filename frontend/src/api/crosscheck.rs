//! Cross-checks with other agencies' lists (measures 5 and 8): importing a list, the
//! lists imported, and the gaps they show as pages and counts per unit. Request,
//! response and query types are `shared::crosscheck`'s.

use shared::api::{Format, Page};
use shared::crosscheck::{
    AgencyList, Gap, GapQuery, GapSummary, ListQuery, ListUpload, SummaryQuery,
};

use super::{get, upload, with_query, ApiError};

/// The format of a file by its name: CSV, else XLSX.
pub fn format_of(name: &str) -> Format {
    if name.to_lowercase().ends_with(".csv") {
        Format::Csv
    } else {
        Format::Xlsx
    }
}

/// Imports a list (all or nothing); a retry with the same `q.id` answers the first
/// list. Row errors come back as field errors `rows[N].column`.
pub async fn import(
    q: &ListUpload,
    file: &web_sys::File,
    lang: crate::i18n::Lang,
) -> Result<AgencyList, ApiError> {
    upload(&with_query("/api/v1/crosscheck/lists", q), file, lang).await
}

/// The lists the caller sees (of a year, newest first).
pub async fn lists(q: &ListQuery) -> Result<Vec<AgencyList>, ApiError> {
    get(&with_query("/api/v1/crosscheck/lists", q)).await
}

/// One page of a year's gaps of one scheme and kind.
pub async fn gaps(q: &GapQuery) -> Result<Page<Gap>, ApiError> {
    get(&with_query("/api/v1/crosscheck/gaps", q)).await
}

/// A year's gap counts in the caller's area (or `area` inside it) and per unit below.
pub async fn summary(q: &SummaryQuery) -> Result<GapSummary, ApiError> {
    get(&with_query("/api/v1/crosscheck/summary", q)).await
}
