//! The plan and dashboard API (issue 11): typed calls on the endpoints listed in
//! `shared::plan`. Request and answer types are `shared::plan`'s.

use serde::Serialize;
use shared::api::Page;
use shared::plan::{
    CountyRanking, Dashboard, FigureRecord, Period, PeriodReportView, Plan, PlanDetail,
    ReportActionInput, ReportedValue, ReportedValueInput, Series, TargetAnswer, TargetInput,
    TargetSplit,
};

use super::{delete, get, post, put, with_query, ApiError};

/// The query of the endpoints that take a unit and a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct UnitPeriod<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    indicator: Option<&'a str>,
    unit: &'a str,
    period: Period,
}

/// Every plan (to find the year that exists).
pub async fn plans() -> Result<Vec<Plan>, ApiError> {
    get("/api/v1/plans").await
}

/// A year's plan with its measures, indicators and milestones.
pub async fn plan(year: i32) -> Result<PlanDetail, ApiError> {
    get(&format!("/api/v1/plans/{year}")).await
}

/// The dashboard of a unit and its children for a period.
pub async fn dashboard(unit: &str, period: Period) -> Result<Dashboard, ApiError> {
    let q = UnitPeriod {
        indicator: None,
        unit,
        period,
    };
    get(&with_query("/api/v1/dashboard", &q)).await
}

/// Where the XLSX of the dashboard table is served.
pub fn export_path(unit: &str, period: Period) -> String {
    #[derive(Serialize)]
    struct Q<'a> {
        unit: &'a str,
        period: Period,
        format: &'static str,
    }
    with_query(
        "/api/v1/dashboard/export",
        &Q {
            unit,
            period,
            format: "xlsx",
        },
    )
}

/// Progress of an indicator over a year.
pub async fn series(indicator: &str, unit: &str, year: i32) -> Result<Series, ApiError> {
    #[derive(Serialize)]
    struct Q<'a> {
        indicator: &'a str,
        unit: &'a str,
        year: i32,
    }
    get(&with_query(
        "/api/v1/dashboard/series",
        &Q {
            indicator,
            unit,
            year,
        },
    ))
    .await
}

/// Every county of `unit` ranked on `indicator` for `period`.
pub async fn ranking(
    indicator: &str,
    unit: &str,
    period: Period,
) -> Result<CountyRanking, ApiError> {
    #[derive(Serialize)]
    struct Q<'a> {
        indicator: &'a str,
        unit: &'a str,
        period: Period,
    }
    get(&with_query(
        "/api/v1/dashboard/ranking",
        &Q {
            indicator,
            unit,
            period,
        },
    ))
    .await
}

/// One page of the records behind a figure.
pub async fn records(
    indicator: &str,
    unit: &str,
    period: Period,
    cursor: Option<String>,
) -> Result<Page<FigureRecord>, ApiError> {
    #[derive(Serialize)]
    struct Q<'a> {
        indicator: &'a str,
        unit: &'a str,
        period: Period,
        limit: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        cursor: Option<String>,
    }
    get(&with_query(
        "/api/v1/dashboard/records",
        &Q {
            indicator,
            unit,
            period,
            limit: 50,
            cursor,
        },
    ))
    .await
}

/// A unit's target for an indicator and period, and its children's.
pub async fn targets(indicator: &str, unit: &str, period: Period) -> Result<TargetSplit, ApiError> {
    let q = UnitPeriod {
        indicator: Some(indicator),
        unit,
        period,
    };
    get(&with_query("/api/v1/targets", &q)).await
}

/// Sets a target (creates without a version, changes with one).
pub async fn set_target(
    indicator: &str,
    unit: &str,
    period: Period,
    body: &TargetInput,
) -> Result<TargetAnswer, ApiError> {
    put(
        &format!("/api/v1/targets/{indicator}/{unit}/{period}"),
        body,
    )
    .await
}

/// Removes a target: the unit then has no target (which is not a target of zero).
pub async fn clear_target(
    indicator: &str,
    unit: &str,
    period: Period,
    version: i64,
) -> Result<(), ApiError> {
    delete(&format!(
        "/api/v1/targets/{indicator}/{unit}/{period}?version={version}"
    ))
    .await
}

/// A unit's period report, its children's and the steps the caller may take.
pub async fn period_report(unit: &str, period: Period) -> Result<PeriodReportView, ApiError> {
    get(&format!("/api/v1/period-reports/{unit}/{period}")).await
}

/// Takes a step of the reporting workflow.
pub async fn report_action(
    unit: &str,
    period: Period,
    body: &ReportActionInput,
) -> Result<PeriodReportView, ApiError> {
    post(
        &format!("/api/v1/period-reports/{unit}/{period}/actions"),
        body,
    )
    .await
}

/// The reported values of an indicator for a unit and its children.
pub async fn reported_values(
    indicator: &str,
    unit: &str,
    period: Period,
) -> Result<Vec<ReportedValue>, ApiError> {
    let q = UnitPeriod {
        indicator: Some(indicator),
        unit,
        period,
    };
    get(&with_query("/api/v1/reported-values", &q)).await
}

/// Enters or changes a reported value.
pub async fn report_value(
    indicator: &str,
    unit: &str,
    period: Period,
    body: &ReportedValueInput,
) -> Result<ReportedValue, ApiError> {
    put(
        &format!("/api/v1/reported-values/{indicator}/{unit}/{period}"),
        body,
    )
    .await
}
