//! `/api/v1/plans`, `/indicators`, `/targets`, `/milestones`, `/reported-values`,
//! `/period-reports`, `/lock-exceptions` and `/dashboard` (see [`shared::plan`]).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use shared::api::{Page, Problem};
use shared::auth::Capability;
use shared::plan::{
    CountyRanking, Dashboard, FigureRecord, Indicator, IndicatorInput, LockException,
    LockExceptionInput, Measure, MeasureInput, MilestoneSubmission, Period, PeriodReportView, Plan,
    PlanDetail, PlanInput, ReportActionInput, ReportedValue, ReportedValueInput, Series,
    SubmissionInput, TargetAnswer, TargetInput, TargetSplit,
};
use uuid::Uuid;

use super::{dashboard, queries, reports};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{from_value, Json, Query};
use crate::pagination::Paging;
use crate::state::AppState;

/// A unit (region code; default the caller's) and a period.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitPeriodQuery {
    /// Region code: `43`, a city or a county (default the caller's).
    pub unit: Option<String>,
    /// `2020` or `2020Q1`.
    pub period: Period,
}

/// An indicator, a unit and a period.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// Indicator code.
    pub indicator: String,
    /// Region code (default the caller's).
    pub unit: Option<String>,
    /// `2020` or `2020Q1`.
    pub period: Period,
}

/// The records behind a figure.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordsQuery {
    /// Indicator code.
    pub indicator: String,
    /// Region code (default the caller's).
    pub unit: Option<String>,
    /// `2020` or `2020Q1`.
    pub period: Period,
    /// Page size (default 50, at most 500).
    pub limit: Option<i64>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// A series.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// Indicator code.
    pub indicator: String,
    /// Region code (default the caller's).
    pub unit: Option<String>,
    /// Year.
    pub year: i32,
}

/// The dashboard as a file.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Region code (default the caller's).
    pub unit: Option<String>,
    /// `2020` or `2020Q1`.
    pub period: Period,
    /// `xlsx` or `csv`.
    pub format: crate::tabular::Format,
}

/// A version given as `?version=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// The version last seen (or If-Match).
    pub version: Option<i64>,
}

fn unit_or_own(user: &AuthUser, unit: Option<String>) -> String {
    unit.unwrap_or_else(|| user.scope.region().to_owned())
}

fn period_path(s: &str) -> Result<Period, ApiError> {
    Period::parse(s).ok_or(ApiError::NotFound)
}

/// Every plan, newest first.
#[utoipa::path(get, path = "/api/v1/plans", tag = "plan",
    responses((status = 200, body = Vec<Plan>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_plans(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<Vec<Plan>>, ApiError> {
    user.require(Capability::ReadKpi)?;
    Ok(web::Json(state.db(queries::list_plans).await?))
}

/// A year's plan: measures with their responsible units, indicators, milestones.
#[utoipa::path(get, path = "/api/v1/plans/{year}", tag = "plan", params(("year" = i32, Path, description = "plan year")),
    responses((status = 200, body = PlanDetail), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_plan(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<i32>,
) -> Result<web::Json<PlanDetail>, ApiError> {
    user.require(Capability::ReadKpi)?;
    let year = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::plan_detail(conn, year))
            .await?,
    ))
}

/// Changes a plan: title, date, status, entry deadline (poverty office).
#[utoipa::path(put, path = "/api/v1/plans/{year}", tag = "plan", params(("year" = i32, Path, description = "plan year")),
    request_body = PlanInput,
    responses((status = 200, body = Plan), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_plan(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<i32>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<Plan>, ApiError> {
    let body: PlanInput = from_value(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let year = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::update_plan(conn, &user, year, &body, version))
            .await?,
    ))
}

/// Changes a measure and its responsible departments (poverty office).
#[utoipa::path(put, path = "/api/v1/plans/{year}/measures/{number}", tag = "plan",
    params(("year" = i32, Path, description = "plan year"), ("number" = i32, Path, description = "measure number")),
    request_body = MeasureInput,
    responses((status = 200, body = Measure), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_measure(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(i32, i32)>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<Measure>, ApiError> {
    let body: MeasureInput = from_value(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let (year, number) = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::update_measure(conn, &user, year, number, &body, version))
            .await?,
    ))
}

/// Adds an indicator to a plan (poverty office).
#[utoipa::path(post, path = "/api/v1/plans/{year}/indicators", tag = "plan", params(("year" = i32, Path, description = "plan year")),
    request_body = IndicatorInput,
    responses((status = 201, body = Indicator), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_indicator(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<i32>,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let body: IndicatorInput = from_value(raw)?;
    let year = path.into_inner();
    let ind = state
        .db(move |conn| queries::create_indicator(conn, &user, year, &body))
        .await?;
    Ok(crate::extract::created(
        true,
        format!("/api/v1/indicators/{}", ind.code),
        &ind,
    ))
}

/// Changes an indicator (poverty office).
#[utoipa::path(put, path = "/api/v1/indicators/{code}", tag = "plan", params(("code" = String, Path, description = "indicator code")),
    request_body = IndicatorInput,
    responses((status = 200, body = Indicator), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_indicator(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<Indicator>, ApiError> {
    let body: IndicatorInput = from_value(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let code = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::update_indicator(conn, &user, &code, &body, version))
            .await?,
    ))
}

/// A unit's target of an indicator for a period, with its children's and warnings
/// about the split.
#[utoipa::path(get, path = "/api/v1/targets", tag = "plan", params(IndicatorQuery),
    responses((status = 200, body = TargetSplit), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_targets(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<IndicatorQuery>,
) -> Result<web::Json<TargetSplit>, ApiError> {
    let unit = unit_or_own(&user, q.unit);
    Ok(web::Json(
        state
            .db(move |conn| queries::target_split(conn, &user, &q.indicator, &unit, q.period))
            .await?,
    ))
}

/// Sets a unit's target: by the level above it (the province's by the poverty office).
/// Without a version it creates; with one (body or If-Match) it changes. The answer
/// warns when the children's targets add up to less than the parent's.
#[utoipa::path(put, path = "/api/v1/targets/{indicator}/{unit}/{period}", tag = "plan",
    params(("indicator" = String, Path, description = "indicator code"), ("unit" = String, Path, description = "region code"),
        ("period" = String, Path, description = "2020 or 2020Q1")),
    request_body = TargetInput,
    responses((status = 200, body = TargetAnswer), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn set_target(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<TargetAnswer>, ApiError> {
    let body: TargetInput = from_value(raw)?;
    let version = match crate::extract::version_of(body.version, &req) {
        Ok(v) => Some(v),
        Err(_)
            if req
                .headers()
                .get(actix_web::http::header::IF_MATCH)
                .is_none() =>
        {
            None
        }
        Err(e) => return Err(e),
    };
    let (indicator, unit, period) = path.into_inner();
    let period = period_path(&period)?;
    Ok(web::Json(
        state
            .db(move |conn| {
                queries::set_target(conn, &user, &indicator, &unit, period, &body, version)
            })
            .await?,
    ))
}

/// Removes a target (the unit then has no target, which is not a target of zero).
#[utoipa::path(delete, path = "/api/v1/targets/{indicator}/{unit}/{period}", tag = "plan",
    params(("indicator" = String, Path, description = "indicator code"), ("unit" = String, Path, description = "region code"),
        ("period" = String, Path, description = "2020 or 2020Q1"), VersionQuery),
    responses((status = 204, description = "removed"), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn delete_target(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    Query(q): Query<VersionQuery>,
) -> Result<HttpResponse, ApiError> {
    let version = crate::extract::version_of(q.version, &req)?;
    let (indicator, unit, period) = path.into_inner();
    let period = period_path(&period)?;
    state
        .db(move |conn| queries::delete_target(conn, &user, &indicator, &unit, period, version))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The deliveries of a milestone by units in the caller's scope.
#[utoipa::path(get, path = "/api/v1/milestones/{id}/submissions", tag = "plan", params(("id" = Uuid, Path, description = "milestone id")),
    responses((status = 200, body = Vec<MilestoneSubmission>), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list_submissions(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<Vec<MilestoneSubmission>>, ApiError> {
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::list_submissions(conn, &user, id))
            .await?,
    ))
}

/// Records the caller's unit's delivery of a milestone (with the document as an
/// attachment); idempotent with a client-chosen id; refused while the period is locked.
#[utoipa::path(post, path = "/api/v1/milestones/{id}/submissions", tag = "plan", params(("id" = Uuid, Path, description = "milestone id")),
    request_body = SubmissionInput,
    responses((status = 201, body = MilestoneSubmission), (status = 200, description = "retry of an earlier create", body = MilestoneSubmission),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_submission(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let body: SubmissionInput = from_value(raw)?;
    let id = path.into_inner();
    let pii = state.pii.clone();
    let (created, s) = state
        .db(move |conn| queries::create_submission(conn, &pii, &user, id, &body))
        .await?;
    Ok(crate::extract::created(
        created,
        format!("/api/v1/milestones/{id}/submissions"),
        &s,
    ))
}

/// The values reported for an indicator and period by a unit and the units below it.
#[utoipa::path(get, path = "/api/v1/reported-values", tag = "plan", params(IndicatorQuery),
    responses((status = 200, body = Vec<ReportedValue>), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list_reported(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<IndicatorQuery>,
) -> Result<web::Json<Vec<ReportedValue>>, ApiError> {
    let unit = unit_or_own(&user, q.unit);
    Ok(web::Json(
        state
            .db(move |conn| queries::list_reported(conn, &user, &q.indicator, &unit, q.period))
            .await?,
    ))
}

/// Enters or changes a reported value with its evidence, while the period is open.
#[utoipa::path(put, path = "/api/v1/reported-values/{indicator}/{unit}/{period}", tag = "plan",
    params(("indicator" = String, Path, description = "indicator code"), ("unit" = String, Path, description = "unit code"),
        ("period" = String, Path, description = "2020 or 2020Q1")),
    request_body = ReportedValueInput,
    responses((status = 200, body = ReportedValue), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn put_reported(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<ReportedValue>, ApiError> {
    let body: ReportedValueInput = from_value(raw)?;
    let version = match crate::extract::version_of(body.version, &req) {
        Ok(v) => Some(v),
        Err(_)
            if req
                .headers()
                .get(actix_web::http::header::IF_MATCH)
                .is_none() =>
        {
            None
        }
        Err(e) => return Err(e),
    };
    let (indicator, unit, period) = path.into_inner();
    let period = period_path(&period)?;
    Ok(web::Json(
        state
            .db(move |conn| {
                queries::put_reported(conn, &user, &indicator, &unit, period, &body, version)
            })
            .await?,
    ))
}

/// A unit's report for a period, its children's, and the steps the caller may take.
#[utoipa::path(get, path = "/api/v1/period-reports/{unit}/{period}", tag = "plan",
    params(("unit" = String, Path, description = "region code"), ("period" = String, Path, description = "2020 or 2020Q1")),
    responses((status = 200, body = PeriodReportView), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_report(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<web::Json<PeriodReportView>, ApiError> {
    let (unit, period) = path.into_inner();
    let period = period_path(&period)?;
    Ok(web::Json(
        state
            .db(move |conn| reports::view(conn, &user, &unit, period))
            .await?,
    ))
}

/// A step of the reporting workflow: submit, accept, return, approve, unapprove.
#[utoipa::path(post, path = "/api/v1/period-reports/{unit}/{period}/actions", tag = "plan",
    params(("unit" = String, Path, description = "region code"), ("period" = String, Path, description = "2020 or 2020Q1")),
    request_body = ReportActionInput,
    responses((status = 200, body = PeriodReportView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn act(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    Json(raw): Json<serde_json::Value>,
) -> Result<web::Json<PeriodReportView>, ApiError> {
    let body: ReportActionInput = from_value(raw)?;
    let version = crate::extract::version_of(body.version, &req)?;
    let (unit, period) = path.into_inner();
    let period = period_path(&period)?;
    Ok(web::Json(
        state
            .db(move |conn| reports::act(conn, &user, &unit, period, &body, version))
            .await?,
    ))
}

/// The lock exceptions of a unit (and the units above it) for a period.
#[utoipa::path(get, path = "/api/v1/lock-exceptions", tag = "plan", params(UnitPeriodQuery),
    responses((status = 200, body = Vec<LockException>), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list_exceptions(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<UnitPeriodQuery>,
) -> Result<web::Json<Vec<LockException>>, ApiError> {
    let unit = unit_or_own(&user, q.unit);
    Ok(web::Json(
        state
            .db(move |conn| reports::list_exceptions(conn, &user, &unit, q.period))
            .await?,
    ))
}

/// Reopens data entry of a unit's period (a leader of the approving level or above).
#[utoipa::path(post, path = "/api/v1/lock-exceptions", tag = "plan", request_body = LockExceptionInput,
    responses((status = 201, body = LockException), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn grant_exception(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let body: LockExceptionInput = from_value(raw)?;
    let e = state
        .db(move |conn| reports::grant_exception(conn, &user, &body))
        .await?;
    Ok(crate::extract::created(
        true,
        format!(
            "/api/v1/lock-exceptions?unit={}&period={}",
            e.unit_code, e.period
        ),
        &e,
    ))
}

/// The dashboard of a unit and its children for a period: every indicator's target,
/// live and approved figure, share of the target and pace; milestones; counters.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "plan", params(UnitPeriodQuery),
    responses((status = 200, body = Dashboard), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn get_dashboard(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<UnitPeriodQuery>,
) -> Result<web::Json<Dashboard>, ApiError> {
    let unit = unit_or_own(&user, q.unit);
    Ok(web::Json(
        state
            .db(move |conn| dashboard::dashboard(conn, &user, &unit, q.period))
            .await?,
    ))
}

/// Every county of a unit (default the caller's) ranked on one indicator for a period,
/// best share of the target first.
#[utoipa::path(get, path = "/api/v1/dashboard/ranking", tag = "plan", params(IndicatorQuery),
    responses((status = 200, body = CountyRanking), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn get_ranking(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<IndicatorQuery>,
) -> Result<web::Json<CountyRanking>, ApiError> {
    let unit = unit_or_own(&user, q.unit);
    Ok(web::Json(
        state
            .db(move |conn| dashboard::ranking(conn, &user, &unit, &q.indicator, q.period))
            .await?,
    ))
}

/// Monthly cumulative figures of an indicator for a unit over a year (for the line
/// chart); `datable` false when the module cannot date its records.
#[utoipa::path(get, path = "/api/v1/dashboard/series", tag = "plan", params(SeriesQuery),
    responses((status = 200, body = Series), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn get_series(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<SeriesQuery>,
) -> Result<web::Json<Series>, ApiError> {
    let unit = unit_or_own(&user, q.unit);
    Ok(web::Json(
        state
            .db(move |conn| dashboard::series(conn, &user, &q.indicator, &unit, q.year))
            .await?,
    ))
}

/// The records behind a figure, a page at a time, persons masked (takes the module's
/// read right too).
#[utoipa::path(get, path = "/api/v1/dashboard/records", tag = "plan", params(RecordsQuery),
    responses((status = 200, body = Page<FigureRecord>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn get_records(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<RecordsQuery>,
) -> Result<web::Json<Page<FigureRecord>>, ApiError> {
    let unit = unit_or_own(&user, q.unit);
    let paging = Paging::new(q.limit, q.cursor.as_deref())?;
    Ok(web::Json(
        state
            .db(move |conn| dashboard::records(conn, &user, &q.indicator, &unit, q.period, &paging))
            .await?,
    ))
}

/// The dashboard table as a spreadsheet (one row per unit and indicator); audited.
#[utoipa::path(get, path = "/api/v1/dashboard/export", tag = "plan", params(ExportQuery),
    responses((status = 200, description = "the file"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn export_dashboard(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    Query(q): Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let unit = unit_or_own(&user, q.unit);
    let english = crate::extract::english(&req);
    let period = q.period;
    let table = state
        .db(move |conn| {
            let d = dashboard::dashboard(conn, &user, &unit, period)?;
            let t = dashboard::table(&d, english);
            crate::db::write_tx(conn, |conn| {
                crate::audit::record(
                    conn,
                    crate::audit::Event {
                        actor: &user,
                        action: shared::api::AuditAction::Export,
                        entity_type: "dashboard",
                        entity_id: Uuid::nil(),
                        owner_region: &unit,
                        reason: None,
                        before: None,
                        after: Some(serde_json::json!({"rows": t.rows.len(), "unit": unit, "period": period})),
                    },
                )
            })?;
            Ok::<_, ApiError>(t)
        })
        .await?;
    let bytes = crate::tabular::write(&table, q.format)?;
    Ok(crate::tabular::download(bytes, q.format, "dashboard"))
}
