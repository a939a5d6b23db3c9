//! Measure 15, home accessibility retrofits (无障碍改造): one case per household, its
//! eligibility snapshot from the home visit, the plan (一户一策) of items from a code list
//! held as data, construction, acceptance with before and after photos, and the exits.
//!
//! The case workflow, as data in [`CASE_WORKFLOW`] (every step at the county):
//!
//! | step          | from                                          | to (normally)     | capability          | four eyes |
//! |---------------|-----------------------------------------------|-------------------|---------------------|-----------|
//! | verify        | identified                                    | verified          | `write_retrofits`   |           |
//! | draft_plan    | verified                                      | plan_drafted      | `write_retrofits`   |           |
//! | approve_plan  | plan_drafted                                  | plan_approved     | `approve_retrofits` | yes ¹     |
//! | start         | plan_approved                                 | in_construction   | `write_retrofits`   |           |
//! | complete      | in_construction                               | completed         | `write_retrofits`   |           |
//! | accept        | completed                                     | accepted ²        | `write_retrofits`   |           |
//! | archive       | accepted                                      | archived          | `write_retrofits`   |           |
//! | reject        | identified, verified                          | not_eligible      | `write_retrofits`   |           |
//! | decline       | identified, verified, plan_drafted, plan_approved | declined      | `write_retrofits`   |           |
//! | refer_housing | identified, verified, plan_drafted, plan_approved | referred      | `write_retrofits`   |           |
//! | relocate      | identified, verified, plan_drafted, plan_approved, in_construction | relocated | `write_retrofits` | |
//!
//! ¹ not by whoever drafted or last edited the plan, nor whoever took the previous step.
//! ² an acceptance where every plan item is `done` leads to `accepted` (before and after
//! photos and a signature required); one with a `partial` or `missing` item is a failed
//! acceptance and sends the case back to `in_construction` (a note required).
//!
//! Exits: `not_eligible` (not registered poor, not severe, no need, …), `declined` (the
//! household does not want it), `referred` (the housing is unsuitable: referred to 危房改造,
//! the case's linked programme becomes `dilapidated_housing`), `relocated` (易地搬迁: the
//! old address is never retrofitted; the case closes and a new case may be opened for the
//! new home, naming this one in `relocated_from`).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Capability;
use crate::codes::DisabilityCategory;
use crate::rehab::{NeedSource, Ratio};
use crate::validation::{validate_text, FieldErrors};
use crate::workflow::{step, Transition};
use crate::FieldError;

crate::string_enum! {
    /// Where a retrofit case stands.
    pub enum CaseStatus {
        /// Found (survey, application …), not yet visited.
        Identified = "identified",
        /// The home visit verified the need; the eligibility snapshot is recorded.
        Verified = "verified",
        /// The plan (一户一策) is drafted.
        PlanDrafted = "plan_drafted",
        /// The county approved the plan.
        PlanApproved = "plan_approved",
        /// The contractor started.
        InConstruction = "in_construction",
        /// The contractor finished; actual costs recorded.
        Completed = "completed",
        /// Accepted by the team, with before and after photos.
        Accepted = "accepted",
        /// Filed.
        Archived = "archived",
        /// Not eligible (exit).
        NotEligible = "not_eligible",
        /// The household declined (exit).
        Declined = "declined",
        /// Housing unsuitable: referred to 危房改造 (exit).
        Referred = "referred",
        /// The household relocated (易地搬迁); a new case may be opened at the new home (exit).
        Relocated = "relocated",
    }
}

impl CaseStatus {
    /// Whether the case is still open: not archived and not exited. A household has at
    /// most one open case.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            Self::Archived | Self::NotEligible | Self::Declined | Self::Referred | Self::Relocated
        )
    }

    /// Whether the status is one of the exits.
    pub fn is_exit(self) -> bool {
        matches!(
            self,
            Self::NotEligible | Self::Declined | Self::Referred | Self::Relocated
        )
    }

    /// Days a case may stay in this status before it shows as overdue; none for the
    /// final statuses.
    pub fn overdue_after_days(self) -> Option<i64> {
        OVERDUE_DAYS
            .iter()
            .find(|(s, _)| *s == self)
            .map(|(_, d)| *d)
    }
}

/// Days a case may stay in each open status before it is overdue (held as data: one
/// table, read by the list filter and by every answer).
pub const OVERDUE_DAYS: &[(CaseStatus, i64)] = &[
    (CaseStatus::Identified, 30),
    (CaseStatus::Verified, 30),
    (CaseStatus::PlanDrafted, 15),
    (CaseStatus::PlanApproved, 30),
    (CaseStatus::InConstruction, 60),
    (CaseStatus::Completed, 15),
    (CaseStatus::Accepted, 30),
];

crate::string_enum! {
    /// A step of the case workflow.
    pub enum CaseActionKind {
        /// Record the home visit and the eligibility snapshot.
        Verify = "verify",
        /// Submit the plan (at least one item) for approval.
        DraftPlan = "draft_plan",
        /// Approve the plan (county; not the plan's author).
        ApprovePlan = "approve_plan",
        /// The contractor starts.
        Start = "start",
        /// The contractor finished: actual cost per item.
        Complete = "complete",
        /// Record the acceptance inspection (passed → accepted, failed → back to construction).
        Accept = "accept",
        /// File the accepted case.
        Archive = "archive",
        /// Not eligible.
        Reject = "reject",
        /// The household declines.
        Decline = "decline",
        /// Housing unsuitable: refer to 危房改造.
        ReferHousing = "refer_housing",
        /// The household relocates (易地搬迁): close this case.
        Relocate = "relocate",
    }
}

crate::string_enum! {
    /// The housing programme a retrofit goes with.
    pub enum LinkedProgramme {
        /// None.
        None = "none",
        /// 危房改造 (dilapidated housing renovation).
        DilapidatedHousing = "dilapidated_housing",
        /// 易地扶贫搬迁 (poverty relocation).
        Relocation = "relocation",
    }
}

crate::string_enum! {
    /// What the acceptance found for one plan item.
    pub enum ItemResult {
        /// Done as planned.
        Done = "done",
        /// Partly done.
        Partial = "partial",
        /// Not done.
        Missing = "missing",
    }
}

crate::string_enum! {
    /// The household's satisfaction at acceptance.
    pub enum Satisfaction {
        /// 满意
        Satisfied = "satisfied",
        /// 基本满意
        BasicallySatisfied = "basically_satisfied",
        /// 不满意
        Dissatisfied = "dissatisfied",
    }
}

/// The case workflow: every allowed step (see the module's table).
pub const CASE_WORKFLOW: &[Transition<CaseStatus, CaseActionKind>] = {
    use crate::workflow::OrgLevel::County;
    use Capability::{ApproveRetrofits as Ap, WriteRetrofits as W};
    use CaseActionKind as A;
    use CaseStatus as S;
    &[
        step(S::Identified, A::Verify, S::Verified, County, W, false),
        step(S::Verified, A::DraftPlan, S::PlanDrafted, County, W, false),
        step(
            S::PlanDrafted,
            A::ApprovePlan,
            S::PlanApproved,
            County,
            Ap,
            true,
        ),
        step(
            S::PlanApproved,
            A::Start,
            S::InConstruction,
            County,
            W,
            false,
        ),
        step(
            S::InConstruction,
            A::Complete,
            S::Completed,
            County,
            W,
            false,
        ),
        step(S::Completed, A::Accept, S::Accepted, County, W, false),
        step(S::Accepted, A::Archive, S::Archived, County, W, false),
        step(S::Identified, A::Reject, S::NotEligible, County, W, false),
        step(S::Verified, A::Reject, S::NotEligible, County, W, false),
        step(S::Identified, A::Decline, S::Declined, County, W, false),
        step(S::Verified, A::Decline, S::Declined, County, W, false),
        step(S::PlanDrafted, A::Decline, S::Declined, County, W, false),
        step(S::PlanApproved, A::Decline, S::Declined, County, W, false),
        step(
            S::Identified,
            A::ReferHousing,
            S::Referred,
            County,
            W,
            false,
        ),
        step(S::Verified, A::ReferHousing, S::Referred, County, W, false),
        step(
            S::PlanDrafted,
            A::ReferHousing,
            S::Referred,
            County,
            W,
            false,
        ),
        step(
            S::PlanApproved,
            A::ReferHousing,
            S::Referred,
            County,
            W,
            false,
        ),
        step(S::Identified, A::Relocate, S::Relocated, County, W, false),
        step(S::Verified, A::Relocate, S::Relocated, County, W, false),
        step(S::PlanDrafted, A::Relocate, S::Relocated, County, W, false),
        step(S::PlanApproved, A::Relocate, S::Relocated, County, W, false),
        step(
            S::InConstruction,
            A::Relocate,
            S::Relocated,
            County,
            W,
            false,
        ),
    ]
};

/// The statuses in which the plan may be edited (`PUT …/plan`).
pub const PLAN_EDITABLE: &[CaseStatus] = &[CaseStatus::Verified, CaseStatus::PlanDrafted];

/// Most members of one case.
pub const MAX_MEMBERS: usize = 10;
/// Most items of one plan.
pub const MAX_PLAN_ITEMS: usize = 30;
/// Most units of one plan item.
pub const MAX_QUANTITY: i64 = 100;
/// Highest unit cost of a plan item (100,000 yuan).
pub const MAX_UNIT_COST_FEN: i64 = 10_000_000;
/// Highest per-household cap (1,000,000 yuan).
pub const MAX_CAP_FEN: i64 = 100_000_000;
/// Most photos on each side (before, after) of an acceptance.
pub const MAX_PHOTOS: usize = 20;

/// The line total of a plan item: quantity × unit cost, in range and without overflow.
pub fn line_total(quantity: i64, unit_cost_fen: i64) -> Option<i64> {
    if !(1..=MAX_QUANTITY).contains(&quantity) || !(0..=MAX_UNIT_COST_FEN).contains(&unit_cost_fen)
    {
        return None;
    }
    quantity.checked_mul(unit_cost_fen)
}

/// The sum of amounts, none on overflow or a negative amount.
pub fn checked_total(amounts: impl IntoIterator<Item = i64>) -> Option<i64> {
    amounts
        .into_iter()
        .try_fold(0i64, |acc, a| if a < 0 { None } else { acc.checked_add(a) })
}

/// An item of the retrofit code list, as the province maintains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetrofitItemInput {
    /// Name in Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// Unit (处, 套, 米 …).
    pub unit: String,
    /// The disability category it chiefly serves (visual doorbell: hearing), if any.
    #[serde(default)]
    pub serves: Option<DisabilityCategory>,
    /// Offered for new plans.
    #[serde(default = "yes")]
    pub active: bool,
    /// Position in pick lists.
    #[serde(default)]
    pub sort_order: i32,
}

fn yes() -> bool {
    true
}

impl RetrofitItemInput {
    /// Checks the fields.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        for (field, v, max) in [
            ("name_zh", &self.name_zh, 100),
            ("name_en", &self.name_en, 200),
            ("unit", &self.unit, 10),
        ] {
            if v.trim().is_empty() {
                errs.add(field, "required", "required");
            } else {
                errs.check(field, validate_text(v, max));
            }
        }
        if !(0..=10_000).contains(&self.sort_order) {
            errs.add("sort_order", "out_of_range", "0 to 10000");
        }
        errs.into_result(())
    }
}

/// Whether `code` is a valid item code: 2 to 40 lower-case ASCII letters, digits or `_`.
pub fn valid_item_code(code: &str) -> bool {
    (2..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Body of `POST /api/v1/retrofits/items`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetrofitItemCreate {
    /// The item's code (its id): 2–40 of `a-z 0-9 _`.
    pub code: String,
    /// The fields.
    #[serde(flatten)]
    pub fields: RetrofitItemInput,
}

/// Body of `PUT /api/v1/retrofits/items/{code}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetrofitItemUpdate {
    /// The version last seen (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The fields.
    #[serde(flatten)]
    pub fields: RetrofitItemInput,
}

/// An item of the code list as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetrofitItem {
    /// Code.
    pub code: String,
    /// Version.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: RetrofitItemInput,
}

/// The per-household cap of a programme year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetrofitCap {
    /// Programme year.
    pub year: i32,
    /// Most spent on one household, in fen.
    pub cap_fen: i64,
    /// Version.
    pub version: i64,
}

/// Body of `PUT /api/v1/retrofits/caps/{year}`: sets (or first creates) a year's cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetrofitCapSet {
    /// The version last seen (or `If-Match`); required when the year already has a cap,
    /// absent (or 0) for a new year.
    #[serde(default)]
    pub version: Option<i64>,
    /// Most spent on one household, in fen (0 to 100,000,000).
    pub cap_fen: i64,
}

/// A case as a client submits it. The members are the household's disabled persons;
/// the first is the one the case was found for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseInput {
    /// The household's disabled members (1 to 10 persons of the caller's county, all of
    /// one household: same county and household number, or one person without one).
    pub person_ids: Vec<Uuid>,
    /// Where the need was found.
    pub source: NeedSource,
    /// When it was found; its year is the programme year.
    pub identified_on: NaiveDate,
    /// The housing programme it goes with.
    #[serde(default = "no_programme")]
    pub linked_programme: LinkedProgramme,
    /// The address to retrofit (free text; default the first member's address).
    #[serde(default)]
    pub address: Option<String>,
    /// Notes.
    #[serde(default)]
    pub note: Option<String>,
    /// For a relocated household: the old case (status `relocated`) this one follows.
    #[serde(default)]
    pub relocated_from: Option<Uuid>,
}

fn no_programme() -> LinkedProgramme {
    LinkedProgramme::None
}

impl CaseInput {
    /// Checks the fields that do not need the database.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.person_ids.is_empty() || self.person_ids.len() > MAX_MEMBERS {
            errs.add(
                "person_ids",
                "out_of_range",
                format!("1 to {MAX_MEMBERS} members"),
            );
        }
        for (i, p) in self.person_ids.iter().enumerate() {
            if self.person_ids[..i].contains(p) {
                errs.add(
                    &format!("person_ids[{i}]"),
                    "duplicate_row",
                    "this person is listed twice",
                );
            }
        }
        check_date(&mut errs, "identified_on", self.identified_on, today);
        if let Some(a) = &self.address {
            errs.check("address", validate_text(a, 200));
        }
        if let Some(n) = &self.note {
            errs.check("note", validate_text(n, 500));
        }
        errs.into_result(())
    }
}

/// A date that is neither in the future nor before 2000.
pub fn check_date(errs: &mut FieldErrors, field: &str, d: NaiveDate, today: NaiveDate) {
    if d > today {
        errs.add(field, "in_future", "the date lies in the future");
    } else if d.year() < 2000 {
        errs.add(field, "out_of_range", "the date lies before 2000");
    }
}

/// Body of `POST /api/v1/retrofits/cases`. When a member's household already has an
/// open case, nothing new is made: the other persons named join that case and the
/// answer is 200 with it (`joined_existing`), so that one household keeps one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseCreate {
    /// Client-chosen id (a retry with the same id and body answers the same case).
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: CaseInput,
}

/// The eligibility snapshot of the home visit as a client submits it (`verify`). Its
/// schema is named `RetrofitVisitInput`: `VisitInput` is a pairing visit's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RetrofitVisitInput))]
pub struct VisitInput {
    /// Date of the home visit.
    pub visited_on: NaiveDate,
    /// Who visited (names).
    pub visitors: String,
    /// The visit confirmed the need for a retrofit.
    pub need_verified: bool,
    /// The household wants it.
    pub willing: bool,
    /// The housing is safe enough to retrofit (else: refer to 危房改造).
    pub housing_suitable: bool,
    /// Notes.
    #[serde(default)]
    pub note: Option<String>,
}

/// The eligibility snapshot as recorded: the visit's findings and what the registry
/// said about the members on that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Eligibility {
    /// A member is registered poor (建档立卡).
    pub registered_poor: bool,
    /// A member is severely disabled (level 1 or 2).
    pub severe: bool,
    /// The visit confirmed the need.
    pub need_verified: bool,
    /// The household wants it.
    pub willing: bool,
    /// The housing is suitable.
    pub housing_suitable: bool,
    /// Date of the visit.
    pub visited_on: NaiveDate,
    /// Who visited.
    pub visitors: String,
    /// Notes.
    pub note: Option<String>,
}

impl Eligibility {
    /// Whether every condition holds.
    pub fn eligible(&self) -> bool {
        self.registered_poor
            && self.severe
            && self.need_verified
            && self.willing
            && self.housing_suitable
    }
}

/// A plan item as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanItemInput {
    /// Client-chosen id of the line (kept across edits; new when absent).
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The item's code in the code list (an active item).
    pub item_code: String,
    /// Where in the home (门口, 卫生间 …).
    pub location: String,
    /// Units (1 to 100).
    pub quantity: i64,
    /// Cost per unit, in fen (0 to 10,000,000).
    pub unit_cost_fen: i64,
    /// Notes.
    #[serde(default)]
    pub note: Option<String>,
}

/// Body of `PUT /api/v1/retrofits/cases/{id}/plan`: the whole plan (replaces the lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanUpdate {
    /// The case's version last seen (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The lines (0 to 30).
    pub items: Vec<PlanItemInput>,
}

/// A plan item as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanItem {
    /// Line id.
    pub id: Uuid,
    /// Item code.
    pub item_code: String,
    /// Item name (zh).
    pub name_zh: String,
    /// Item name (en).
    pub name_en: String,
    /// Unit.
    pub unit: String,
    /// Where in the home.
    pub location: String,
    /// Units.
    pub quantity: i64,
    /// Cost per unit.
    pub unit_cost_fen: i64,
    /// quantity × unit cost.
    pub line_total_fen: i64,
    /// Notes.
    pub note: Option<String>,
    /// Actual cost of the line, once completed.
    pub actual_cost_fen: Option<i64>,
    /// The latest acceptance's finding.
    pub result: Option<ItemResult>,
}

/// A warning in an answer: the write was done, but something deserves a look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Warning {
    /// Stable code (`over_cap`, `no_cap`).
    pub code: String,
    /// English text.
    pub message: String,
}

/// The plan with its totals and the year's cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CasePlan {
    /// The lines, in order.
    pub items: Vec<PlanItem>,
    /// Sum of the line totals.
    pub total_fen: i64,
    /// Sum of the actual costs, once completed.
    pub actual_total_fen: Option<i64>,
    /// The per-household cap of the case's programme year, if set.
    pub cap_fen: Option<i64>,
    /// The plan (or, once completed, the actual cost) exceeds the cap.
    pub over_cap: bool,
    /// Login name of who last drafted or edited the plan.
    pub drafted_by: Option<String>,
    /// Login name of who approved it.
    pub approved_by: Option<String>,
    /// When it was approved.
    pub approved_on: Option<NaiveDate>,
}

/// Construction as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Construction {
    /// Contractor.
    pub contractor: String,
    /// Start date.
    pub started_on: NaiveDate,
    /// Completion date.
    pub completed_on: Option<NaiveDate>,
}

/// `start`: the contractor and the start date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartInput {
    /// Contractor (name; records no login of its own).
    pub contractor: String,
    /// Start date.
    pub started_on: NaiveDate,
}

/// The actual cost of one plan line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActualCost {
    /// The plan line.
    pub plan_item_id: Uuid,
    /// What it cost, in fen (0 to 1,000,000,000).
    pub actual_cost_fen: i64,
}

/// `complete`: the completion date and the actual cost of every plan line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompleteInput {
    /// Completion date.
    pub completed_on: NaiveDate,
    /// One entry per plan line.
    pub costs: Vec<ActualCost>,
}

/// The acceptance finding of one plan line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemCheck {
    /// The plan line.
    pub plan_item_id: Uuid,
    /// What was found.
    pub result: ItemResult,
}

/// `accept`: the acceptance inspection. All lines `done` → accepted, which needs before
/// photos, after photos (attachments of this case; see the rules on the case's
/// `photos`), satisfaction and the signature. Otherwise a failed acceptance back to
/// construction, which needs a `note`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseAcceptanceInput {
    /// Date of the inspection.
    pub accepted_on: NaiveDate,
    /// The acceptance team (names).
    pub team: String,
    /// One finding per plan line.
    pub results: Vec<ItemCheck>,
    /// The household's satisfaction (required when passed).
    #[serde(default)]
    pub satisfaction: Option<Satisfaction>,
    /// The household's signature (an attachment of this case; required when passed).
    #[serde(default)]
    pub signature_id: Option<Uuid>,
    /// Photos before the works: attachments of this case uploaded (or taken) before the
    /// construction started (required when passed).
    #[serde(default)]
    pub before_photo_ids: Vec<Uuid>,
    /// Photos after the works: attachments of this case uploaded after the construction
    /// started, none of them a before photo (required when passed).
    #[serde(default)]
    pub after_photo_ids: Vec<Uuid>,
    /// Notes (required for a failed acceptance).
    #[serde(default)]
    pub note: Option<String>,
}

/// One acceptance inspection as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Acceptance {
    /// 1 for the first inspection, 2 after a failed one …
    pub round: i32,
    /// Date.
    pub accepted_on: NaiveDate,
    /// Team.
    pub team: String,
    /// Every line `done`.
    pub passed: bool,
    /// Findings.
    pub results: Vec<ItemCheck>,
    /// Satisfaction.
    pub satisfaction: Option<Satisfaction>,
    /// Signature attachment.
    pub signature_id: Option<Uuid>,
    /// Notes.
    pub note: Option<String>,
    /// Who recorded it (login name).
    pub by: String,
}

/// Body of `POST /api/v1/retrofits/cases/{id}/actions`: one workflow step. The parts a
/// step needs: `visit` (verify), `start` (start), `complete` (complete), `acceptance`
/// (accept), `reason` (reject, decline, refer_housing, relocate: required; others:
/// optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseAction {
    /// The step.
    pub action: CaseActionKind,
    /// The version last seen.
    pub version: i64,
    /// Why (exits) or a note.
    #[serde(default)]
    pub reason: Option<String>,
    /// Verify: the home visit.
    #[serde(default)]
    pub visit: Option<VisitInput>,
    /// Start: contractor and date.
    #[serde(default)]
    pub start: Option<StartInput>,
    /// Complete: date and actual costs.
    #[serde(default)]
    pub complete: Option<CompleteInput>,
    /// Accept: the inspection.
    #[serde(default)]
    pub acceptance: Option<CaseAcceptanceInput>,
}

/// A member of a case as the API shows it (identity number masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseMember {
    /// The person.
    pub person_id: Uuid,
    /// Name (empty when the person is out of the caller's sight).
    pub name: String,
    /// Identity number, masked.
    pub id_number_masked: String,
    /// Category.
    pub disability_category: DisabilityCategory,
    /// Level (1–4).
    pub disability_level: u8,
    /// Registered poor.
    pub registered_poor: bool,
    /// Elderly with a disability.
    pub elderly: bool,
}

/// Priority flags of the household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Priority {
    /// Two or more disabled members (or so flagged in the registry).
    pub multi_disabled_household: bool,
    /// A member is elderly with a disability.
    pub elderly_with_disability: bool,
}

/// The case's photos: ids of attachments of this case, split into before and after the
/// start of construction. Once accepted, the split the acceptance recorded; before that,
/// a proposal by time (uploaded or taken before the start → before; all before while
/// not started) for the acceptance form to send back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Photos {
    /// Before the works.
    pub before: Vec<Uuid>,
    /// After the works.
    pub after: Vec<Uuid>,
    /// Whether the split is the one recorded at acceptance.
    pub recorded: bool,
}

/// One step of a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (login name).
    pub actor_username: String,
    /// From which status (none for creation and member changes).
    pub from_status: Option<CaseStatus>,
    /// To which status.
    pub to_status: CaseStatus,
    /// Reason or note.
    pub reason: Option<String>,
}

/// A retrofit case as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetrofitCase {
    /// Record id.
    pub id: Uuid,
    /// Version (send it back on every write, or as `If-Match`).
    pub version: i64,
    /// Owning county.
    pub county_code: String,
    /// The first member's village, if recorded.
    pub village_code: Option<String>,
    /// Programme year (of `identified_on`).
    pub year: i32,
    /// Status.
    pub status: CaseStatus,
    /// Where the need was found.
    pub source: NeedSource,
    /// When it was found.
    pub identified_on: NaiveDate,
    /// The housing programme it goes with.
    pub linked_programme: LinkedProgramme,
    /// The address to retrofit.
    pub address: Option<String>,
    /// Notes.
    pub note: Option<String>,
    /// The relocated case this one follows.
    pub relocated_from: Option<Uuid>,
    /// The household's disabled members.
    pub members: Vec<CaseMember>,
    /// Priority flags.
    pub priority: Priority,
    /// The home visit's snapshot, once verified.
    pub eligibility: Option<Eligibility>,
    /// The plan with totals and the cap.
    pub plan: CasePlan,
    /// Construction, once started.
    pub construction: Option<Construction>,
    /// Acceptance inspections, oldest first.
    pub acceptances: Vec<Acceptance>,
    /// Photo ids, before and after.
    pub photos: Photos,
    /// Things to look at (e.g. `over_cap`); never a refusal.
    pub warnings: Vec<Warning>,
    /// The steps the caller may take now.
    #[serde(default)]
    pub allowed_actions: Vec<CaseActionKind>,
    /// Whether the caller may edit the plan now (`PUT …/plan`).
    pub plan_editable: bool,
    /// Since when the case is in its status.
    pub status_since: DateTime<Utc>,
    /// In its status longer than [`OVERDUE_DAYS`] allows.
    pub overdue: bool,
    /// Set on a create whose household already had an open case: the answer is that
    /// case, which the persons named joined.
    #[serde(default)]
    pub joined_existing: bool,
    /// Every step so far, oldest first (empty in lists).
    pub timeline: Vec<CaseEvent>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// Measure 15's numbers for one unit and programme year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetrofitKpiRow {
    /// Unit (region) code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Households with a verified need whose retrofit is accepted (or archived) ÷
    /// households with a verified need (exits apart).
    pub coverage: Ratio,
    /// Households done (accepted or archived).
    pub households_done: i64,
    /// Actual cost of the households done.
    pub cost_fen: i64,
    /// The caps of those households' years, summed (compare with `cost_fen`).
    pub cap_fen: i64,
    /// Households done above the cap.
    pub over_cap: i64,
    /// Cases whose first acceptance passed ÷ cases with an acceptance.
    pub first_pass: Ratio,
    /// Households done together with 危房改造 ÷ households done.
    pub with_dilapidated_housing: Ratio,
    /// Households done together with 易地搬迁 ÷ households done.
    pub with_relocation: Ratio,
    /// Cases exited as not eligible.
    pub not_eligible: i64,
    /// Cases declined.
    pub declined: i64,
    /// Cases referred to 危房改造.
    pub referred: i64,
    /// Cases closed by relocation.
    pub relocated: i64,
}

/// `GET /api/v1/kpi/retrofits`: a unit and its children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetrofitKpi {
    /// Programme year.
    pub year: i32,
    /// The year's per-household cap, if set.
    pub cap_fen: Option<i64>,
    /// The unit itself.
    pub total: RetrofitKpiRow,
    /// Its cities or counties.
    pub children: Vec<RetrofitKpiRow>,
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
    fn the_table_is_sound() {
        for (i, a) in CASE_WORKFLOW.iter().enumerate() {
            for b in &CASE_WORKFLOW[i + 1..] {
                assert!(!(a.from == b.from && a.action == b.action), "{a:?}");
            }
        }
        for s in CaseStatus::ALL {
            let final_ = CASE_WORKFLOW.iter().all(|t| t.from != *s);
            assert_eq!(final_, !s.is_open(), "{s}");
            assert_eq!(s.overdue_after_days().is_some(), s.is_open(), "{s}");
        }
    }

    #[test]
    fn steps_by_role_and_four_eyes() {
        use CaseActionKind as A;
        use CaseStatus as S;
        let county = caller(OrgLevel::County, Role::Rights, false);
        assert_eq!(
            allowed_in(CASE_WORKFLOW, S::Identified, &county),
            vec![
                A::Verify,
                A::Reject,
                A::Decline,
                A::ReferHousing,
                A::Relocate
            ]
        );
        assert_eq!(
            allowed_in(CASE_WORKFLOW, S::PlanDrafted, &county),
            vec![A::ApprovePlan, A::Decline, A::ReferHousing, A::Relocate]
        );
        let same = caller(OrgLevel::County, Role::Staff, true);
        assert_eq!(
            authorise_in(CASE_WORKFLOW, S::PlanDrafted, A::ApprovePlan, &same),
            Err(Refusal::FourEyes)
        );
        let city = caller(OrgLevel::City, Role::Rights, false);
        assert!(allowed_in(CASE_WORKFLOW, S::Identified, &city).is_empty());
        let leader = caller(OrgLevel::County, Role::Leader, false);
        assert!(allowed_in(CASE_WORKFLOW, S::Identified, &leader).is_empty());
        let employment = caller(OrgLevel::County, Role::Employment, false);
        assert!(allowed_in(CASE_WORKFLOW, S::Identified, &employment).is_empty());
    }

    #[test]
    fn totals_are_checked() {
        assert_eq!(line_total(3, 15_000), Some(45_000));
        assert_eq!(line_total(0, 1), None);
        assert_eq!(line_total(1, MAX_UNIT_COST_FEN + 1), None);
        assert_eq!(checked_total([1, 2, 3]), Some(6));
        assert_eq!(checked_total([i64::MAX, 1]), None);
        assert_eq!(checked_total([-1]), None);
    }
}
