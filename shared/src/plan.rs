//! The plan as data (issue 11): a year's plan, its measures and their responsible
//! units, indicators, targets set top-down, milestones, hand-reported values, the
//! reporting/approval workflow of a unit's period, and the leaders' dashboard.
//!
//! # API (all under `/api/v1`, bearer token)
//!
//! | method | path | capability | body → answer |
//! |---|---|---|---|
//! | GET | `/plans` | `read_kpi` | → `[Plan]` |
//! | GET | `/plans/{year}` | `read_kpi` | → [`PlanDetail`] (measures, indicators, milestones) |
//! | PUT | `/plans/{year}` | `manage_plan` | [`PlanInput`] → [`Plan`] |
//! | PUT | `/plans/{year}/measures/{number}` | `manage_plan` | [`MeasureInput`] → [`Measure`] |
//! | POST | `/plans/{year}/indicators` | `manage_plan` | [`IndicatorInput`] → 201 [`Indicator`] |
//! | PUT | `/indicators/{code}` | `manage_plan` | [`IndicatorInput`] → [`Indicator`] |
//! | GET | `/targets?indicator=&unit=&period=` | `read_kpi` | → [`TargetSplit`] (the unit's target and its children's) |
//! | PUT | `/targets/{indicator}/{unit}/{period}` | `set_targets` | [`TargetInput`] (+ `If-Match`) → [`TargetAnswer`] |
//! | DELETE | `/targets/{indicator}/{unit}/{period}?version=` | `set_targets` | → 204 (no target, not zero) |
//! | GET | `/milestones/{id}/submissions` | `read_kpi` | → `[MilestoneSubmission]` |
//! | POST | `/milestones/{id}/submissions` | `submit_reports` | [`SubmissionInput`] → 201 [`MilestoneSubmission`] |
//! | GET | `/reported-values?indicator=&unit=&period=` | `read_kpi` | → `[ReportedValue]` (the unit and its children) |
//! | PUT | `/reported-values/{indicator}/{unit}/{period}` | `submit_reports` | [`ReportedValueInput`] → [`ReportedValue`] |
//! | GET | `/period-reports/{unit}/{period}` | `read_kpi` | → [`PeriodReportView`] |
//! | POST | `/period-reports/{unit}/{period}/actions` | see [`ReportAction`] | [`ReportActionInput`] → [`PeriodReportView`] |
//! | GET | `/lock-exceptions?unit=&period=` | `read_kpi` | → `[LockException]` |
//! | POST | `/lock-exceptions` | `approve_reports` | [`LockExceptionInput`] → 201 [`LockException`] |
//! | GET | `/dashboard?unit=&period=` | `read_kpi` | → [`Dashboard`] |
//! | GET | `/dashboard/series?indicator=&unit=&year=` | `read_kpi` | → [`Series`] |
//! | GET | `/dashboard/records?indicator=&unit=&period=&cursor=&limit=` | `read_kpi` + the module's read right | → `Page<FigureRecord>` |
//! | GET | `/dashboard/export?unit=&period=&format=xlsx` | `read_kpi` | → XLSX of the dashboard table |
//!
//! Values: counts and persons are plain numbers, money is fen, and a *ratio* indicator's
//! value and target are basis points (10 000 = 100 %). A ratio is always the sum of the
//! numerators over the sum of the denominators of the units below, never an average of
//! their percentages.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

crate::string_enum! {
    /// Where a year's plan stands.
    pub enum PlanStatus {
        /// Being prepared; not yet binding.
        Draft = "draft",
        /// In force.
        Active = "active",
        /// Over: its data entry is closed.
        Closed = "closed",
    }
}

crate::string_enum! {
    /// A responsible unit's part in a measure.
    pub enum UnitPart {
        /// 牵头: leads the measure.
        Lead = "lead",
        /// 配合: shares it.
        Co = "co",
    }
}

crate::string_enum! {
    /// What an indicator counts.
    pub enum IndicatorKind {
        /// Distinct persons.
        DistinctPersons = "distinct_persons",
        /// Distinct households.
        DistinctHouseholds = "distinct_households",
        /// A sum of money in fen.
        SumFen = "sum_fen",
        /// A count of things or events.
        Count = "count",
        /// A rate: numerator over denominator, in basis points.
        Ratio = "ratio",
        /// A deadline met or not.
        Milestone = "milestone",
    }
}

crate::string_enum! {
    /// Where an indicator's figures come from.
    pub enum IndicatorSource {
        /// Computed from a module's records.
        Computed = "computed",
        /// Reported by hand per unit and period, with evidence.
        Reported = "reported",
    }
}

crate::string_enum! {
    /// How a parent's figure follows from its children's.
    pub enum Aggregation {
        /// The sum (distinct counts are counted distinct at each level).
        Sum = "sum",
        /// Sum of numerators over sum of denominators — never an average of percentages.
        RatioOfSums = "ratio_of_sums",
    }
}

crate::string_enum! {
    /// The length of an indicator's reporting period.
    pub enum PeriodKind {
        /// A calendar year (`2020`).
        Year = "year",
        /// A quarter (`2020Q1`).
        Quarter = "quarter",
    }
}

crate::string_enum! {
    /// Who must deliver a milestone.
    pub enum Deliverer {
        /// Every department of the provincial DPF.
        Departments = "departments",
        /// Every city DPF.
        Cities = "cities",
        /// Every county DPF.
        Counties = "counties",
        /// The provincial DPF (e.g. its party group's hearing).
        Province = "province",
    }
}

crate::string_enum! {
    /// Where a unit's period report stands.
    pub enum ReportStatus {
        /// Data entry under way.
        Open = "open",
        /// Submitted by the unit, waiting for the level above.
        Submitted = "submitted",
        /// Accepted by the level above, waiting for approval.
        Accepted = "accepted",
        /// Sent back by the level above, with a reason.
        Returned = "returned",
        /// Approved: figures frozen as snapshots, data entry locked.
        Approved = "approved",
    }
}

crate::string_enum! {
    /// A step of the reporting workflow.
    ///
    /// | step | from | to | by | capability |
    /// |---|---|---|---|---|
    /// | submit | open, returned | submitted | the unit itself | `submit_reports` |
    /// | accept | submitted | accepted | the level above (the province for itself) | `submit_reports` or `approve_reports` |
    /// | return | submitted, accepted | returned (reason) | the level above | `submit_reports` or `approve_reports` |
    /// | approve | submitted, accepted | approved | the level above; every child approved first | `approve_reports` |
    /// | unapprove | approved | accepted (reason) | the level that approved; not once the level above it acted | `approve_reports` |
    pub enum ReportAction {
        /// Submit the period's figures.
        Submit = "submit",
        /// Accept them.
        Accept = "accept",
        /// Send them back.
        Return = "return",
        /// Approve (freezes snapshots, locks entry).
        Approve = "approve",
        /// Withdraw an approval.
        Unapprove = "unapprove",
    }
}

crate::string_enum! {
    /// Why data of a unit and period cannot be entered or changed (`period_locked`).
    pub enum LockReason {
        /// The period was approved (for this unit or a unit above it).
        Approved = "approved",
        /// The plan's data entry deadline has passed.
        Expired = "expired",
        /// The year's plan is closed.
        Closed = "closed",
    }
}

crate::string_enum! {
    /// A figure's standing against its target and the time elapsed.
    pub enum Pace {
        /// At or ahead of where the time elapsed says it should be (or target reached).
        OnTrack = "on_track",
        /// Somewhat behind.
        AtRisk = "at_risk",
        /// Clearly behind, or the deadline passed unmet.
        Behind = "behind",
        /// No target set (which is not a target of zero).
        NoTarget = "no_target",
    }
}

/// A reporting period: a year (`"2020"`) or a quarter (`"2020Q1"`). In JSON and in the
/// database it is that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    /// Calendar year.
    pub year: i32,
    /// Quarter 1–4, or none for the whole year.
    pub quarter: Option<u8>,
}

impl Period {
    /// The whole of `year`.
    pub fn year(year: i32) -> Self {
        Self {
            year,
            quarter: None,
        }
    }

    /// Quarter `q` (1–4) of `year`.
    pub fn quarter(year: i32, q: u8) -> Option<Self> {
        (1..=4).contains(&q).then_some(Self {
            year,
            quarter: Some(q),
        })
    }

    /// Parses `2020` or `2020Q1` (years 2000–2100).
    pub fn parse(s: &str) -> Option<Self> {
        let (y, q) = match s.split_once('Q') {
            Some((y, q)) => (y, Some(q)),
            None => (s, None),
        };
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        if !(2000..=2100).contains(&year) {
            return None;
        }
        match q {
            None => Some(Self::year(year)),
            Some(q) if q.len() == 1 => Self::quarter(year, q.parse().ok()?),
            Some(_) => None,
        }
    }

    /// The kind of period.
    pub fn kind(self) -> PeriodKind {
        if self.quarter.is_some() {
            PeriodKind::Quarter
        } else {
            PeriodKind::Year
        }
    }

    /// The year containing this period.
    pub fn whole_year(self) -> Self {
        Self::year(self.year)
    }

    /// First day.
    pub fn start(self) -> NaiveDate {
        let month = self.quarter.map_or(1, |q| u32::from(q) * 3 - 2);
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// Last day.
    pub fn end(self) -> NaiveDate {
        let (y, m) = match self.quarter {
            None | Some(4) => (self.year + 1, 1),
            Some(q) => (self.year, u32::from(q) * 3 + 1),
        };
        NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    /// Whether `date` falls in this period.
    pub fn contains(self, date: NaiveDate) -> bool {
        self.start() <= date && date <= self.end()
    }

    /// The quarter containing `date`.
    pub fn quarter_of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            // month0 / 3 is 0..=3.
            quarter: Some(u8::try_from(date.month0() / 3 + 1).unwrap_or(1)),
        }
    }

    /// The periods whose approval locks data of this period: itself and, for a
    /// quarter, its year.
    pub fn locking(self) -> Vec<Self> {
        if self.quarter.is_some() {
            vec![self, self.whole_year()]
        } else {
            vec![self]
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.quarter {
            None => write!(f, "{}", self.year),
            Some(q) => write!(f, "{}Q{q}", self.year),
        }
    }
}

impl std::str::FromStr for Period {
    type Err = crate::codes::UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| crate::codes::UnknownCode {
            kind: "Period",
            value: s.to_owned(),
        })
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("{s:?} is not a period like 2020 or 2020Q1"))
        })
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Period {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[0-9]{4}(Q[1-4])?$"))
            .description(Some("A year (2020) or a quarter (2020Q1)"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Period {}

/// A year's plan (the 2020 notice of the provincial DPF, dated 2020-02-27).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    /// The year it covers.
    pub year: i32,
    /// Title (Chinese).
    pub title: String,
    /// Date of the document.
    pub document_date: NaiveDate,
    /// Draft, active or closed.
    pub status: PlanStatus,
    /// Data of the year may be entered or changed until this day (none: no deadline).
    pub entry_deadline: Option<NaiveDate>,
    /// Record version (If-Match).
    pub version: i64,
}

/// Changes to a plan (poverty office).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanInput {
    /// Title.
    pub title: String,
    /// Date of the document.
    pub document_date: NaiveDate,
    /// Status.
    pub status: PlanStatus,
    /// Entry deadline.
    pub entry_deadline: Option<NaiveDate>,
    /// The version last seen (or If-Match).
    pub version: Option<i64>,
}

/// A department of the provincial DPF responsible for a measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponsibleUnit {
    /// Department code (`poverty_office`, `education_employment`, …; the org unit is
    /// `43.<code>`).
    pub department: String,
    /// Lead or co-responsible.
    pub part: UnitPart,
}

/// One of a plan's measures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Measure {
    /// Plan year.
    pub plan_year: i32,
    /// Number, 1–22 in 2020.
    pub number: i32,
    /// Section of the notice (一 … 四 = 1 … 4).
    pub section: i32,
    /// Short name, Chinese.
    pub short_zh: String,
    /// Short name, English.
    pub short_en: String,
    /// The measure's text as in the notice.
    pub text_zh: String,
    /// Provincial departments responsible.
    pub units: Vec<ResponsibleUnit>,
    /// Whether every city and county DPF is responsible too (各市、县级残联).
    pub local_dpfs: bool,
    /// Record version.
    pub version: i64,
}

/// Changes to a measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasureInput {
    /// Section.
    pub section: i32,
    /// Short name, Chinese.
    pub short_zh: String,
    /// Short name, English.
    pub short_en: String,
    /// Text.
    pub text_zh: String,
    /// Responsible departments (each at most once; at least one lead).
    pub units: Vec<ResponsibleUnit>,
    /// Every city and county DPF too.
    pub local_dpfs: bool,
    /// The version last seen (or If-Match).
    pub version: Option<i64>,
}

/// What is measured for a measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicator {
    /// Code (`trained_poor_persons`, …).
    pub code: String,
    /// Plan year.
    pub plan_year: i32,
    /// Measure number.
    pub measure: i32,
    /// Name, Chinese.
    pub name_zh: String,
    /// Name, English.
    pub name_en: String,
    /// What it counts.
    pub kind: IndicatorKind,
    /// Computed or reported.
    pub source: IndicatorSource,
    /// How it rolls up.
    pub aggregation: Aggregation,
    /// Its period.
    pub period: PeriodKind,
    /// Shown order on the dashboard.
    pub position: i32,
    /// For a computed indicator, the key of the module's computation
    /// (`training.trained_poor_persons`); none for a reported one.
    pub computation: Option<String>,
    /// For a computed indicator: whether a module has registered a computation for its
    /// code in this server (else its figures are absent).
    pub available: bool,
    /// Record version.
    pub version: i64,
}

/// A new or changed indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorInput {
    /// Code: 3–64 of a–z, 0–9, `_` (fixed once created; ignored on update).
    pub code: String,
    /// Measure number of the plan.
    pub measure: i32,
    /// Name, Chinese.
    pub name_zh: String,
    /// Name, English.
    pub name_en: String,
    /// Kind.
    pub kind: IndicatorKind,
    /// Source.
    pub source: IndicatorSource,
    /// Aggregation (`ratio_of_sums` exactly when the kind is `ratio`).
    pub aggregation: Aggregation,
    /// Period.
    pub period: PeriodKind,
    /// Dashboard order.
    pub position: i32,
    /// For a computed indicator, a registered computation's key (required); none for
    /// a reported one.
    pub computation: Option<String>,
    /// The version last seen (updates; or If-Match).
    pub version: Option<i64>,
}

/// A target: what a unit must reach on an indicator in a period. An absent target is
/// "no target", never zero.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Target {
    /// Indicator code.
    pub indicator: String,
    /// Unit (region) code: `43`, a city or a county.
    pub unit_code: String,
    /// Period.
    pub period: Period,
    /// Value (a ratio's in basis points).
    pub value: i64,
    /// Who set it (username).
    pub set_by: String,
    /// When.
    pub set_at: DateTime<Utc>,
    /// Record version.
    pub version: i64,
}

/// Setting a target (`PUT /targets/{indicator}/{unit}/{period}`). Without a version it
/// creates; with one (or If-Match) it changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetInput {
    /// Value, 0 to 10^13 (a ratio's at most 10 000).
    pub value: i64,
    /// The version last seen, when changing.
    pub version: Option<i64>,
}

crate::string_enum! {
    /// A warning given with a target that was nevertheless saved.
    pub enum TargetWarningCode {
        /// The children's targets add up to less than the parent's.
        ChildrenBelowParent = "children_below_parent",
        /// A ratio target differs from the parent's (rates are not split).
        RatioDiffersFromParent = "ratio_differs_from_parent",
    }
}

/// A warning about a target split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetWarning {
    /// What.
    pub code: TargetWarningCode,
    /// The parent unit concerned.
    pub parent_code: String,
    /// The parent's target.
    pub parent_value: i64,
    /// The sum of the children's targets (those set).
    pub children_sum: i64,
    /// Children without a target.
    pub children_without: i64,
}

/// The answer to setting a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetAnswer {
    /// The target as saved.
    pub target: Target,
    /// Warnings (the target is saved all the same).
    pub warnings: Vec<TargetWarning>,
}

/// A unit's target and its children's (`GET /targets`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetSplit {
    /// Indicator.
    pub indicator: String,
    /// Period.
    pub period: Period,
    /// The unit's own target.
    pub target: Option<Target>,
    /// Its children's, one row per child (target none when unset).
    pub children: Vec<ChildTarget>,
    /// Warnings about the split.
    pub warnings: Vec<TargetWarning>,
}

/// One child's target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChildTarget {
    /// Unit code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Target, if set.
    pub target: Option<Target>,
}

/// A deadline of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Milestone {
    /// Id.
    pub id: Uuid,
    /// Plan year.
    pub plan_year: i32,
    /// Measure it belongs to, if one.
    pub measure: Option<i32>,
    /// Title, Chinese.
    pub title_zh: String,
    /// Title, English.
    pub title_en: String,
    /// Due date.
    pub due: NaiveDate,
    /// Who must deliver.
    pub deliverer: Deliverer,
    /// Where it is delivered (a unit code, e.g. the poverty office `43.poverty_office`).
    pub receiver: String,
}

/// What a unit delivered for a milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MilestoneSubmission {
    /// Id.
    pub id: Uuid,
    /// Milestone.
    pub milestone_id: Uuid,
    /// The delivering unit (org unit code: a department, city or county).
    pub unit_code: String,
    /// When.
    pub submitted_at: DateTime<Utc>,
    /// By whom (username).
    pub submitted_by: String,
    /// The document delivered (an attachment the submitter may read).
    pub attachment_id: Option<Uuid>,
    /// Note.
    pub note: String,
    /// Whether it came after the due date.
    pub late: bool,
}

/// A delivery (`POST /milestones/{id}/submissions`), for the caller's own unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionInput {
    /// Client-chosen id (idempotent retry).
    pub id: Option<Uuid>,
    /// The document.
    pub attachment_id: Option<Uuid>,
    /// Note (at most 2000 characters).
    #[serde(default)]
    pub note: String,
}

/// A hand-reported value of a unit for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportedValue {
    /// Indicator.
    pub indicator: String,
    /// Unit code.
    pub unit_code: String,
    /// Period.
    pub period: Period,
    /// Value.
    pub value: i64,
    /// Evidence attachment.
    pub evidence_id: Option<Uuid>,
    /// Note.
    pub note: String,
    /// Last changed by (username).
    pub updated_by: String,
    /// When.
    pub updated_at: DateTime<Utc>,
    /// Record version.
    pub version: i64,
}

/// Entering a reported value (`PUT /reported-values/{indicator}/{unit}/{period}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportedValueInput {
    /// Value, 0 to 10^13.
    pub value: i64,
    /// Evidence attachment (one the caller may read).
    pub evidence_id: Option<Uuid>,
    /// Note (at most 2000 characters).
    #[serde(default)]
    pub note: String,
    /// The version last seen, when changing.
    pub version: Option<i64>,
}

/// A computed or reported number: value with the numerator and denominator it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figure {
    /// The value (a ratio's in basis points; none when its denominator is 0).
    pub value: Option<i64>,
    /// Numerator (for sums and counts: the value).
    pub numerator: i64,
    /// Denominator (ratios only).
    pub denominator: Option<i64>,
    /// When it was computed.
    pub computed_at: DateTime<Utc>,
    /// How many records it was computed from.
    pub record_count: i64,
}

/// A unit's period report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodReport {
    /// Unit code (`43`, a city or a county).
    pub unit_code: String,
    /// Period.
    pub period: Period,
    /// Status (`open` when never touched).
    pub status: ReportStatus,
    /// Last step taken, by whom (username) and when.
    pub last_action: Option<ReportAction>,
    /// By whom.
    pub acted_by: Option<String>,
    /// When.
    pub acted_at: Option<DateTime<Utc>>,
    /// Reason given with a return or unapproval.
    pub reason: Option<String>,
    /// Who approved (username), while approved.
    pub approved_by: Option<String>,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
    /// Record version (0 when never touched).
    pub version: i64,
}

/// A period report with its children's statuses and what the caller may do next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodReportView {
    /// The report.
    pub report: PeriodReport,
    /// Its children's reports.
    pub children: Vec<PeriodReport>,
    /// The steps the caller may take now.
    pub allowed: Vec<ReportAction>,
}

/// A workflow step (`POST /period-reports/{unit}/{period}/actions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportActionInput {
    /// The step.
    pub action: ReportAction,
    /// Reason (required for return and unapprove; at most 2000 characters).
    pub reason: Option<String>,
    /// The report's version last seen (0 for a report never touched; or If-Match).
    pub version: Option<i64>,
}

/// A reopening of locked data entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LockException {
    /// Id.
    pub id: Uuid,
    /// Unit reopened (it and the units below it).
    pub unit_code: String,
    /// Period reopened.
    pub period: Period,
    /// Granted by (username).
    pub granted_by: String,
    /// When.
    pub granted_at: DateTime<Utc>,
    /// Why.
    pub reason: String,
    /// Last day it holds.
    pub until: NaiveDate,
}

/// Granting a lock exception (`POST /lock-exceptions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LockExceptionInput {
    /// Unit.
    pub unit_code: String,
    /// Period.
    pub period: Period,
    /// Why (required).
    pub reason: String,
    /// Last day (today to one year ahead).
    pub until: NaiveDate,
}

/// One cell of the dashboard: one indicator for one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DashboardCell {
    /// Indicator code.
    pub indicator: String,
    /// Target, if set (none is "no target", not zero).
    pub target: Option<i64>,
    /// The figure now (none when the indicator cannot be computed here).
    pub live: Option<Figure>,
    /// The figure frozen at approval, if the period is approved.
    pub approved: Option<Figure>,
    /// Whether the live figure differs from the approved one (a record changed since).
    pub live_differs: bool,
    /// Live value as a share of the target, in basis points (none without a target or
    /// a value).
    pub percent_bp: Option<i64>,
    /// Standing against the time elapsed.
    pub pace: Pace,
}

/// The counties of a unit (the province, a city) ranked on one indicator, best share
/// of the target first (`GET /api/v1/dashboard/ranking`): the province-wide ranking of
/// counties a leader reads without a map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountyRanking {
    /// The unit whose counties are ranked.
    pub unit_code: String,
    /// Period.
    pub period: Period,
    /// The indicator.
    pub indicator: Indicator,
    /// When the figures were computed.
    pub as_of: DateTime<Utc>,
    /// Every county of the unit: those with a share of their target first (highest
    /// first), then the others by value.
    pub rows: Vec<RankedCounty>,
}

/// One county of a [`CountyRanking`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankedCounty {
    /// Place in the ranking, from 1.
    pub rank: u32,
    /// County code.
    pub unit_code: String,
    /// County name.
    pub unit_name: String,
    /// Its city's name.
    pub city_name: String,
    /// Target, figures, share and pace.
    pub cell: DashboardCell,
}

/// One row of the dashboard: a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DashboardRow {
    /// Unit code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Its report's status for the period.
    pub report_status: ReportStatus,
    /// One cell per indicator of [`Dashboard::indicators`], in that order.
    pub cells: Vec<DashboardCell>,
}

/// Counters shown above the table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DashboardCounters {
    /// Milestones past due that a unit in scope has not delivered (one per unit and
    /// milestone).
    pub overdue_milestones: i64,
    /// Open problems (measure 6), once that module exists.
    pub open_problems: Option<i64>,
    /// Overdue petitions (measure 18), once that module exists.
    pub overdue_petitions: Option<i64>,
}

/// `GET /dashboard?unit=&period=`: the unit and each of its children against the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    /// The unit asked for (a region code).
    pub unit_code: String,
    /// Its name.
    pub unit_name: String,
    /// Period.
    pub period: Period,
    /// When the figures were computed.
    pub as_of: DateTime<Utc>,
    /// The next deadline (a milestone due date, else the period's end), if any is ahead.
    pub next_deadline: Option<NaiveDate>,
    /// Share of the period elapsed, in basis points.
    pub elapsed_bp: i64,
    /// The columns: the indicators of the period's plan.
    pub indicators: Vec<Indicator>,
    /// The unit first, then its children in code order.
    pub rows: Vec<DashboardRow>,
    /// Counters.
    pub counters: DashboardCounters,
    /// The milestones of the plan with how many of the units due delivered.
    pub milestones: Vec<MilestoneStatus>,
}

/// A milestone's standing in the dashboard's unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MilestoneStatus {
    /// The milestone.
    pub milestone: Milestone,
    /// Units that must deliver (within the dashboard's unit).
    pub due_units: i64,
    /// Of them, how many delivered.
    pub delivered: i64,
    /// Whether it is past due with units still missing.
    pub overdue: bool,
}

/// One point of a series: the cumulative figure at the end of a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesPoint {
    /// Month 1–12.
    pub month: u32,
    /// Cumulative value at the month's end (a ratio's in basis points).
    pub value: Option<i64>,
    /// Numerator.
    pub numerator: i64,
    /// Denominator (ratios).
    pub denominator: Option<i64>,
}

/// `GET /dashboard/series?indicator=&unit=&year=`: progress over the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Series {
    /// Indicator.
    pub indicator: String,
    /// Unit.
    pub unit_code: String,
    /// Year.
    pub year: i32,
    /// The year's target, if set.
    pub target: Option<i64>,
    /// Whether the module can date its records (else `points` is empty).
    pub datable: bool,
    /// Months 1–12 up to the current month of the year (all 12 for a past year).
    pub points: Vec<SeriesPoint>,
}

/// One record behind a figure (`GET /dashboard/records`): persons masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FigureRecord {
    /// The record's id (an enrolment, loan, person, …).
    pub id: String,
    /// What kind of record (`enrolment`, `loan`, `rehab_person`, `reported_value`, …).
    pub kind: String,
    /// County.
    pub county_code: String,
    /// The date it counts on.
    pub date: Option<NaiveDate>,
    /// What it is (a course name, a bank, a need's project …).
    pub label: String,
    /// The person's name, masked (`张*`), if the record is about a person.
    pub person_masked: Option<String>,
    /// The person's identity number, masked.
    pub id_number_masked: Option<String>,
    /// Amount in fen (money indicators).
    pub amount_fen: Option<i64>,
    /// Whether it counts in the numerator (a ratio's denominator records that do not
    /// are listed too).
    pub in_numerator: bool,
}

/// The plan with everything in it (`GET /plans/{year}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanDetail {
    /// The plan.
    pub plan: Plan,
    /// Its measures in number order.
    pub measures: Vec<Measure>,
    /// Its indicators in dashboard order.
    pub indicators: Vec<Indicator>,
    /// Its milestones by due date.
    pub milestones: Vec<Milestone>,
}

/// A value as a share of a target, in basis points (none without a positive target).
pub fn percent_bp(value: Option<i64>, target: Option<i64>) -> Option<i64> {
    let (v, t) = (value?, target?);
    (t > 0).then(|| i64::try_from(i128::from(v) * 10_000 / i128::from(t)).unwrap_or(i64::MAX))
}

/// The value of a figure: for a ratio numerator ÷ denominator in basis points (none
/// when the denominator is 0), else the numerator.
pub fn figure_value(kind: IndicatorKind, numerator: i64, denominator: Option<i64>) -> Option<i64> {
    match kind {
        IndicatorKind::Ratio => {
            let d = denominator?;
            (d > 0).then(|| {
                i64::try_from(i128::from(numerator) * 10_000 / i128::from(d)).unwrap_or(i64::MAX)
            })
        }
        _ => Some(numerator),
    }
}

/// Points of the target a cumulative figure may lag the time elapsed before it is
/// at risk rather than on track, and beyond which it is behind (basis points).
pub const AT_RISK_MARGIN_BP: i64 = 1_500;

/// A figure's pace: `percent` of the target reached against `elapsed` of the time to
/// the deadline (both basis points). A rate (`cumulative` false) is compared with its
/// target alone: time does not make a rate grow. A deadline passed unmet is behind.
pub fn pace(percent: Option<i64>, elapsed: i64, cumulative: bool, has_target: bool) -> Pace {
    if !has_target {
        return Pace::NoTarget;
    }
    let Some(p) = percent else {
        return if elapsed >= 10_000 {
            Pace::Behind
        } else {
            Pace::AtRisk
        };
    };
    if p >= 10_000 {
        return Pace::OnTrack;
    }
    if elapsed >= 10_000 {
        return Pace::Behind;
    }
    let expected = if cumulative { elapsed } else { 10_000 };
    if p >= expected {
        Pace::OnTrack
    } else if p >= expected - AT_RISK_MARGIN_BP {
        Pace::AtRisk
    } else {
        Pace::Behind
    }
}

/// A department's code as its org unit's code (`poverty_office` → `43.poverty_office`).
pub fn department_unit(department: &str) -> String {
    format!("43.{department}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_bound() {
        let q1 = Period::parse("2020Q1").expect("quarter");
        assert_eq!(q1.to_string(), "2020Q1");
        assert_eq!(q1.start(), NaiveDate::from_ymd_opt(2020, 1, 1).expect("d"));
        assert_eq!(q1.end(), NaiveDate::from_ymd_opt(2020, 3, 31).expect("d"));
        let q4 = Period::parse("2020Q4").expect("quarter");
        assert_eq!(q4.end(), NaiveDate::from_ymd_opt(2020, 12, 31).expect("d"));
        let y = Period::parse("2020").expect("year");
        assert_eq!(y.end(), NaiveDate::from_ymd_opt(2020, 12, 31).expect("d"));
        assert_eq!(q1.locking(), vec![q1, y]);
        for bad in [
            "",
            "20",
            "2020Q0",
            "2020Q5",
            "2020Q12",
            "1999",
            "2020q1",
            "２０２０",
            "-202",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Period::quarter_of(NaiveDate::from_ymd_opt(2020, 6, 19).expect("d")),
            Period::parse("2020Q2").expect("q")
        );
        let json = serde_json::to_string(&q1).expect("json");
        assert_eq!(json, "\"2020Q1\"");
        assert_eq!(serde_json::from_str::<Period>(&json).ok(), Some(q1));
        assert!(serde_json::from_str::<Period>("\"2020Q9\"").is_err());
    }

    #[test]
    fn ratio_values_and_pace() {
        assert_eq!(figure_value(IndicatorKind::Ratio, 1, Some(3)), Some(3_333));
        assert_eq!(figure_value(IndicatorKind::Ratio, 0, Some(0)), None);
        assert_eq!(figure_value(IndicatorKind::Count, 7, None), Some(7));
        assert_eq!(percent_bp(Some(2_500), Some(5_000)), Some(5_000));
        assert_eq!(percent_bp(Some(1), Some(0)), None);
        assert_eq!(percent_bp(Some(1), None), None);
        // Half the year gone, half the target reached: on track.
        assert_eq!(pace(Some(5_000), 5_000, true, true), Pace::OnTrack);
        assert_eq!(pace(Some(4_000), 5_000, true, true), Pace::AtRisk);
        assert_eq!(pace(Some(3_000), 5_000, true, true), Pace::Behind);
        assert_eq!(pace(Some(9_999), 10_000, true, true), Pace::Behind);
        assert_eq!(pace(Some(10_000), 10_000, true, true), Pace::OnTrack);
        // A rate is measured against its target whatever the date.
        assert_eq!(pace(Some(9_000), 1_000, false, true), Pace::AtRisk);
        assert_eq!(pace(None, 1_000, false, false), Pace::NoTarget);
    }
}
