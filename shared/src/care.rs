//! Measure 9, care services (托养) for eligible registered-poor disabled people:
//! care assessments, care providers with their places, placements and their workflow,
//! service logs of home-based care, and the KPI of persons served.
//!
//! The placement workflow, as data in [`PLACEMENT_WORKFLOW`]:
//!
//! | step     | from               | to        | level  | capability     | four eyes |
//! |----------|--------------------|-----------|--------|----------------|-----------|
//! | assess   | referred           | assessed  | county | `write_care`   |           |
//! | approve  | assessed           | approved  | county | `approve_care` | yes ¹     |
//! | activate | approved           | active    | county | `write_care`   |           |
//! | suspend  | active             | suspended | county | `write_care`   |           |
//! | resume   | suspended          | active    | county | `write_care`   |           |
//! | end      | approved, active, suspended, referred, assessed | ended | county | `write_care` | |
//! | transfer | active, suspended  | ended ²   | county | `write_care`   |           |
//!
//! ¹ not by whoever took the previous step, nor by whoever recorded the assessment the
//! placement rests on. ² a transfer ends the placement (reason `transferred`) and opens
//! a new one at another provider or in another mode, already active, in one transaction
//! (`POST /api/v1/care/placements/{id}/transfer`); the actions endpoint refuses it.
//!
//! Capacity is a **refusal**: a placement is approved or activated only while its
//! provider has a free place (placements approved, active or suspended hold one; a
//! suspended person keeps their place).
//!
//! Days of care count from the day a placement became active up to, not including, the
//! day it was suspended or ended (that day is the first without care); a placement still
//! active counts up to and including today, and never beyond the year.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Capability;
use crate::validation::{validate_name, validate_text, FieldErrors};
use crate::workflow::{step, Transition};
use crate::FieldError;

crate::string_enum! {
    /// How much a person can care for themselves.
    pub enum SelfCareLevel {
        /// 完全不能自理
        FullyDependent = "fully_dependent",
        /// 大部分不能自理
        LargelyDependent = "largely_dependent",
        /// 部分不能自理
        PartlyDependent = "partly_dependent",
    }
}

crate::string_enum! {
    /// Who cares for the person at home.
    pub enum CarerSituation {
        /// 无人照料
        NoCarer = "no_carer",
        /// 照料人年老体弱
        CarerFrail = "carer_frail",
        /// 家人外出务工
        FamilyAway = "family_away",
        /// 家庭能照料但需支持
        FamilyNeedsSupport = "family_needs_support",
    }
}

crate::string_enum! {
    /// The mode of care.
    pub enum CareMode {
        /// 寄宿托养
        Residential = "residential",
        /// 日间照料
        DayCare = "day_care",
        /// 居家托养
        HomeBased = "home_based",
    }
}

crate::string_enum! {
    /// The kind of a care provider.
    pub enum ProviderKind {
        /// 残联托养机构
        DpfCentre = "dpf_centre",
        /// 福利院、养老机构
        WelfareInstitution = "welfare_institution",
        /// 日间照料中心
        DayCentre = "day_centre",
        /// 居家服务组织
        HomeServiceOrg = "home_service_org",
    }
}

crate::string_enum! {
    /// Who pays the monthly subsidy.
    pub enum Funder {
        /// 残联
        Dpf = "dpf",
        /// 民政
        CivilAffairs = "civil_affairs",
        /// 共同出资
        Mixed = "mixed",
    }
}

crate::string_enum! {
    /// Where a placement stands.
    pub enum PlacementStatus {
        /// Referred, not yet assessed.
        Referred = "referred",
        /// Assessed for care.
        Assessed = "assessed",
        /// Approved by the county.
        Approved = "approved",
        /// In care.
        Active = "active",
        /// Care paused (hospital stay, visit home …).
        Suspended = "suspended",
        /// Care over.
        Ended = "ended",
    }
}

crate::string_enum! {
    /// A step of the placement workflow.
    pub enum PlacementActionKind {
        /// Attach the care assessment.
        Assess = "assess",
        /// Approve (county, not the assessor).
        Approve = "approve",
        /// Care begins.
        Activate = "activate",
        /// Pause care.
        Suspend = "suspend",
        /// Care continues.
        Resume = "resume",
        /// Care ends, with a reason.
        End = "end",
        /// Move to another provider or mode (its own endpoint).
        Transfer = "transfer",
    }
}

crate::string_enum! {
    /// Why a placement ended.
    pub enum EndReason {
        /// 死亡
        Deceased = "deceased",
        /// 迁出
        Moved = "moved",
        /// 回归家庭照料
        FamilyCare = "family_care",
        /// 不再符合条件
        Ineligible = "ineligible",
        /// 转介到其他机构或方式
        Transferred = "transferred",
    }
}

/// The placement workflow: every allowed step (see the module's table).
pub const PLACEMENT_WORKFLOW: &[Transition<PlacementStatus, PlacementActionKind>] = {
    use crate::workflow::OrgLevel::County;
    use Capability::{ApproveCare, WriteCare};
    use PlacementActionKind as A;
    use PlacementStatus as S;
    &[
        step(
            S::Referred,
            A::Assess,
            S::Assessed,
            County,
            WriteCare,
            false,
        ),
        step(
            S::Assessed,
            A::Approve,
            S::Approved,
            County,
            ApproveCare,
            true,
        ),
        step(
            S::Approved,
            A::Activate,
            S::Active,
            County,
            WriteCare,
            false,
        ),
        step(
            S::Active,
            A::Suspend,
            S::Suspended,
            County,
            WriteCare,
            false,
        ),
        step(S::Suspended, A::Resume, S::Active, County, WriteCare, false),
        step(S::Referred, A::End, S::Ended, County, WriteCare, false),
        step(S::Assessed, A::End, S::Ended, County, WriteCare, false),
        step(S::Approved, A::End, S::Ended, County, WriteCare, false),
        step(S::Active, A::End, S::Ended, County, WriteCare, false),
        step(S::Suspended, A::End, S::Ended, County, WriteCare, false),
        step(S::Active, A::Transfer, S::Ended, County, WriteCare, false),
        step(
            S::Suspended,
            A::Transfer,
            S::Ended,
            County,
            WriteCare,
            false,
        ),
    ]
};

impl PlacementStatus {
    /// Whether a placement in this status holds one of its provider's places.
    pub fn holds_place(self) -> bool {
        matches!(self, Self::Approved | Self::Active | Self::Suspended)
    }

    /// Whether the placement is still open (not ended).
    pub fn is_open(self) -> bool {
        self != Self::Ended
    }
}

/// Most places a provider may declare.
pub const MAX_PLACES: i32 = 10_000;
/// Highest monthly subsidy accepted: 10,000 yuan.
pub const MAX_MONTHLY_FEN: i64 = 1_000_000;
/// Most hours one service log may record (one visit day).
pub const MAX_LOG_HOURS: i32 = 24;
/// The served threshold when a year has none set: 30 days of care.
pub const DEFAULT_SERVED_DAYS: i32 = 30;

fn check_date(errs: &mut FieldErrors, field: &str, d: NaiveDate, today: NaiveDate) {
    if d > today {
        errs.add(field, "in_future", "the date lies in the future");
    } else if d.year() < 2000 {
        errs.add(field, "out_of_range", "the date lies before 2000");
    }
}

fn check_text(errs: &mut FieldErrors, field: &str, v: &str, max: usize, what: &str) {
    if v.trim().is_empty() {
        errs.add(field, "required", what.to_owned());
    } else {
        errs.check(field, validate_text(v, max));
    }
}

/// A care provider as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderInput {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: ProviderKind,
    /// The county it serves (6 digits; the caller's own county).
    pub county_code: String,
    /// Places: how many persons it can care for at once (1 to 10,000).
    pub places: i32,
    /// Address.
    #[serde(default)]
    pub address: Option<String>,
    /// Contact phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Takes new placements.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl ProviderInput {
    /// Checks the fields that do not need the database.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        check_text(&mut errs, "name", &self.name, 100, "the provider's name");
        if self.county_code.len() != 6 || !self.county_code.bytes().all(|b| b.is_ascii_digit()) {
            errs.add("county_code", "invalid_region", "a county's 6-digit code");
        }
        if !(1..=MAX_PLACES).contains(&self.places) {
            errs.add(
                "places",
                "out_of_range",
                format!("1 to {MAX_PLACES} places"),
            );
        }
        if let Some(a) = &self.address {
            errs.check("address", validate_text(a, 200));
        }
        if let Some(p) = self.phone.as_deref().filter(|p| !p.trim().is_empty()) {
            errs.check("phone", crate::validation::validate_phone(p.trim()));
        }
        errs.into_result(())
    }
}

/// Body of `POST /api/v1/care/providers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: ProviderInput,
}

/// Body of `PUT /api/v1/care/providers/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderUpdate {
    /// The version last seen (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The fields.
    #[serde(flatten)]
    pub fields: ProviderInput,
}

/// A provider as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Provider {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: ProviderInput,
    /// Places held now (placements approved, active or suspended).
    pub occupied: i64,
}

/// A care assessment as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareAssessmentInput {
    /// The person (in the caller's county).
    pub person_id: Uuid,
    /// Date.
    pub assessed_on: NaiveDate,
    /// Assessor (name and institution).
    pub assessor: String,
    /// Self-care level.
    pub self_care: SelfCareLevel,
    /// Who cares for the person now.
    pub carer: CarerSituation,
    /// The mode the person and family prefer.
    pub preferred_mode: CareMode,
    /// Notes.
    #[serde(default)]
    pub note: Option<String>,
}

impl CareAssessmentInput {
    /// Checks the fields that do not need the database.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        check_date(&mut errs, "assessed_on", self.assessed_on, today);
        check_text(&mut errs, "assessor", &self.assessor, 100, "who assessed");
        if let Some(n) = &self.note {
            errs.check("note", validate_text(n, 500));
        }
        errs.into_result(())
    }
}

/// Body of `POST /api/v1/care/assessments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareAssessmentCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: CareAssessmentInput,
}

/// A care assessment as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareAssessment {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: CareAssessmentInput,
    /// The person's name.
    pub person_name: String,
    /// Owning county.
    pub county_code: String,
    /// Who recorded it (login name).
    pub recorded_by: String,
}

/// A placement as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlacementInput {
    /// The person (in the caller's county).
    pub person_id: Uuid,
    /// The provider (of the caller's county).
    pub provider_id: Uuid,
    /// Mode of care.
    pub mode: CareMode,
    /// The day care begins (planned; activation may name the actual day).
    pub start_on: NaiveDate,
    /// The day care is planned to end, if known.
    #[serde(default)]
    pub end_on: Option<NaiveDate>,
    /// Monthly subsidy, in fen (0 to 1,000,000).
    pub monthly_subsidy_fen: i64,
    /// Who pays it.
    pub funder: Funder,
    /// The care assessment it rests on: with one the placement starts `assessed`.
    #[serde(default)]
    pub assessment_id: Option<Uuid>,
    /// Notes.
    #[serde(default)]
    pub note: Option<String>,
}

impl PlacementInput {
    /// Checks the fields that do not need the database.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if !(2000..=2100).contains(&self.start_on.year()) {
            errs.add("start_on", "out_of_range", "2000 to 2100");
        }
        if let Some(end) = self.end_on {
            if end < self.start_on {
                errs.add("end_on", "before_start", "the end lies before the start");
            }
        }
        if !(0..=MAX_MONTHLY_FEN).contains(&self.monthly_subsidy_fen) {
            errs.add(
                "monthly_subsidy_fen",
                "out_of_range",
                "0 to 10,000 yuan a month",
            );
        }
        if let Some(n) = &self.note {
            errs.check("note", validate_text(n, 500));
        }
        errs.into_result(())
    }
}

/// Body of `POST /api/v1/care/placements`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlacementCreate {
    /// Client-chosen id: a retry with the same id and body answers the same placement.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: PlacementInput,
}

/// Body of `POST /api/v1/care/placements/{id}/actions`: one workflow step. `on` is the
/// day it takes effect (default today; activate: the first day of care, default the
/// planned start); `reason` is required to end; `assessment_id` to assess.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlacementAction {
    /// The step.
    pub action: PlacementActionKind,
    /// The version last seen (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The day the step takes effect.
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// End: why.
    #[serde(default)]
    pub end_reason: Option<EndReason>,
    /// Assess: the care assessment.
    #[serde(default)]
    pub assessment_id: Option<Uuid>,
    /// A note for the timeline.
    #[serde(default)]
    pub note: Option<String>,
}

/// Body of `POST /api/v1/care/placements/{id}/transfer`: the old placement ends on `on`
/// (reason `transferred`) and the new one, already active, begins that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlacementTransfer {
    /// The old placement's version last seen (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// Client-chosen id of the new placement.
    #[serde(default)]
    pub new_id: Option<Uuid>,
    /// The day of the move.
    pub on: NaiveDate,
    /// The new provider (may be the same, for a change of mode).
    pub provider_id: Uuid,
    /// The new mode.
    pub mode: CareMode,
    /// The new monthly subsidy, in fen.
    pub monthly_subsidy_fen: i64,
    /// Who pays it.
    pub funder: Funder,
    /// Notes.
    #[serde(default)]
    pub note: Option<String>,
}

/// One step of a placement's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlacementEvent {
    /// The day it took effect.
    pub on: NaiveDate,
    /// Who (login name).
    pub actor_username: String,
    /// From which status (none for creation).
    pub from_status: Option<PlacementStatus>,
    /// To which status.
    pub to_status: PlacementStatus,
    /// Note or reason.
    pub note: Option<String>,
}

/// A placement as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Placement {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: PlacementInput,
    /// The person's name (empty when out of the caller's sight).
    pub person_name: String,
    /// The provider's name.
    pub provider_name: String,
    /// Owning county (the person's when placed).
    pub county_code: String,
    /// Status.
    pub status: PlacementStatus,
    /// Why it ended.
    pub end_reason: Option<EndReason>,
    /// The placement this one continues after a transfer.
    pub transferred_from: Option<Uuid>,
    /// The placement that continues this one after a transfer.
    pub transferred_to: Option<Uuid>,
    /// Every step so far, oldest first (empty in lists).
    pub timeline: Vec<PlacementEvent>,
    /// The steps the caller may take now.
    #[serde(default)]
    pub allowed_actions: Vec<PlacementActionKind>,
}

/// A service visit of home-based care as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceLogInput {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The day of the visit.
    pub served_on: NaiveDate,
    /// Hours of care given (1 to 24).
    pub hours: i32,
    /// What was done (bathing, meals, cleaning …).
    pub tasks: String,
    /// The carer's name.
    pub carer: String,
}

impl ServiceLogInput {
    /// Checks the fields that do not need the database.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        check_date(&mut errs, "served_on", self.served_on, today);
        if !(1..=MAX_LOG_HOURS).contains(&self.hours) {
            errs.add(
                "hours",
                "out_of_range",
                format!("1 to {MAX_LOG_HOURS} hours"),
            );
        }
        check_text(&mut errs, "tasks", &self.tasks, 500, "what was done");
        if self.carer.trim().is_empty() {
            errs.add("carer", "required", "the carer's name");
        } else {
            errs.check("carer", validate_name(self.carer.trim()));
        }
        errs.into_result(())
    }
}

/// A recorded service visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceLog {
    /// Record id.
    pub id: Uuid,
    /// The placement.
    pub placement_id: Uuid,
    /// The day of the visit.
    pub served_on: NaiveDate,
    /// Hours.
    pub hours: i32,
    /// What was done.
    pub tasks: String,
    /// Carer.
    pub carer: String,
    /// Who recorded it (login name).
    pub recorded_by: String,
}

/// Days of care of one period `[from, until)` within `year`: both ends are clipped to
/// the year; an empty or reversed period counts 0.
pub fn days_in_year(from: NaiveDate, until: NaiveDate, year: i32) -> i64 {
    let (Some(first), Some(next_year)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year.saturating_add(1), 1, 1),
    ) else {
        return 0;
    };
    let start = from.max(first);
    let end = until.min(next_year);
    (end - start).num_days().max(0)
}

/// Measure 9's numbers for one unit and programme year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareKpiRow {
    /// Unit (region) code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Distinct registered-poor persons with at least the threshold's days of care in
    /// the year (all their placements' days added up).
    pub served: i64,
    /// The unit's target of persons served, if set.
    pub target: Option<i64>,
    /// Served persons who had days of residential care (a person who used several modes
    /// counts under each, so the modes may add up to more than `served`).
    pub residential: i64,
    /// Served persons who had days of day care.
    pub day_care: i64,
    /// Served persons who had days of home-based care.
    pub home_based: i64,
    /// Registered-poor persons with some care in the year but fewer days than the
    /// threshold.
    pub below_threshold: i64,
    /// Placements active or suspended now.
    pub open_placements: i64,
}

/// `GET /api/v1/kpi/care`: a unit and its children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareKpi {
    /// Programme year.
    pub year: i32,
    /// Days of care that make a person served this year.
    pub threshold_days: i32,
    /// The unit itself.
    pub total: CareKpiRow,
    /// Its cities or counties.
    pub children: Vec<CareKpiRow>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::workflow::{allowed_in, authorise_in, Caller, OrgLevel, Refusal};

    fn caller(level: OrgLevel, role: Role, previous: bool) -> Caller<'static> {
        Caller {
            level,
            capabilities: role.capabilities(),
            took_previous_step: previous,
        }
    }

    #[test]
    fn the_workflow_table() {
        use PlacementActionKind as A;
        use PlacementStatus as S;
        let county = caller(OrgLevel::County, Role::Employment, false);
        assert_eq!(
            allowed_in(PLACEMENT_WORKFLOW, S::Active, &county),
            vec![A::Suspend, A::End, A::Transfer]
        );
        assert_eq!(
            allowed_in(PLACEMENT_WORKFLOW, S::Assessed, &county),
            vec![A::Approve, A::End]
        );
        let same = caller(OrgLevel::County, Role::Staff, true);
        assert_eq!(
            authorise_in(PLACEMENT_WORKFLOW, S::Assessed, A::Approve, &same),
            Err(Refusal::FourEyes)
        );
        let city = caller(OrgLevel::City, Role::Staff, false);
        assert!(allowed_in(PLACEMENT_WORKFLOW, S::Active, &city).is_empty());
        let leader = caller(OrgLevel::County, Role::Leader, false);
        assert!(allowed_in(PLACEMENT_WORKFLOW, S::Active, &leader).is_empty());
        assert!(PLACEMENT_WORKFLOW.iter().all(|t| t.from != S::Ended));
        for (i, a) in PLACEMENT_WORKFLOW.iter().enumerate() {
            for b in &PLACEMENT_WORKFLOW[i + 1..] {
                assert!(!(a.from == b.from && a.action == b.action), "{a:?}");
            }
        }
    }

    #[test]
    fn days_are_clipped_to_the_year() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(days_in_year(d(2020, 3, 1), d(2020, 3, 31), 2020), 30);
        assert_eq!(days_in_year(d(2019, 12, 1), d(2020, 1, 11), 2020), 10);
        assert_eq!(days_in_year(d(2020, 12, 20), d(2021, 2, 1), 2020), 12);
        assert_eq!(days_in_year(d(2019, 1, 1), d(2019, 6, 1), 2020), 0);
        assert_eq!(days_in_year(d(2020, 5, 1), d(2020, 4, 1), 2020), 0);
    }

    #[test]
    fn inputs_are_bounded() {
        let p = PlacementInput {
            person_id: Uuid::nil(),
            provider_id: Uuid::nil(),
            mode: CareMode::HomeBased,
            start_on: NaiveDate::from_ymd_opt(2020, 3, 1).expect("date"),
            end_on: NaiveDate::from_ymd_opt(2020, 2, 1),
            monthly_subsidy_fen: MAX_MONTHLY_FEN + 1,
            funder: Funder::Dpf,
            assessment_id: None,
            note: None,
        };
        let errs = p.validate().expect_err("invalid");
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["end_on", "monthly_subsidy_fen"]);
    }
}
