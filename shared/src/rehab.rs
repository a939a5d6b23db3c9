//! Measure 14, rehabilitation and assistive devices: the device catalogue, needs and
//! their assessment, the device workflow (plan, fitting, acceptance, follow-up), rehab
//! service episodes, and the subsidy rule of a fitting.
//!
//! The device workflow, as data in [`NEED_WORKFLOW`]:
//!
//! | step         | from                                  | to (normally)  | level  | capability      | four eyes |
//! |--------------|---------------------------------------|----------------|--------|-----------------|-----------|
//! | assess       | identified, deferred                  | assessed ¹     | county | `write_rehab`   |           |
//! | approve_plan | assessed                              | plan_approved  | county | `approve_rehab` | yes       |
//! | fit          | plan_approved (device needs)          | fitted         | county | `write_rehab`   |           |
//! | accept       | fitted                                | accepted       | county | `write_rehab`   |           |
//! | follow_up    | accepted, followed_up                 | followed_up ²  | county | `write_rehab`   |           |
//! | close        | followed_up; plan_approved (services) | closed         | county | `write_rehab`   |           |
//! | refuse       | assessed, plan_approved, fitted       | refused        | county | `write_rehab`   |           |
//! | withdraw     | identified, deferred, assessed, plan_approved | withdrawn | county | `write_rehab` |        |
//!
//! ¹ by the result: needed → assessed, not needed → not_needed, refused → refused,
//! deferred → deferred. ² a follow-up finding `replace` sends the need back to
//! assessed: the refit needs a new plan approved by a second person. A fitting is of
//! the plan's device only, and its acceptance evidence is a photo of this need taken
//! after the delivery was recorded, used for no other delivery. A re-assessment is a new need that `supersedes` the old
//! one, which becomes `superseded`. Refusals need a signed record (an attachment).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Capability;
use crate::codes::DisabilityCategory;
use crate::validation::{validate_text, FieldErrors};
use crate::workflow::{step, Transition};
use crate::FieldError;

crate::string_enum! {
    /// What kind of help a need asks for.
    pub enum NeedKind {
        /// 康复医疗
        RehabMedical = "rehab_medical",
        /// 功能训练
        FunctionalTraining = "functional_training",
        /// 辅助器具适配
        Device = "device",
        /// 手术 (e.g. corrective limb surgery, cochlear implant)
        Surgery = "surgery",
        /// 支持性服务
        Support = "support",
    }
}

crate::string_enum! {
    /// The rehabilitation project a need falls under.
    pub enum RehabProject {
        /// 启聪扶贫计划 (cochlear implants for children)
        Cochlear = "cochlear",
        /// 肢体矫治手术
        LimbSurgery = "limb_surgery",
        /// 成人助听器
        AdultHearingAid = "adult_hearing_aid",
        /// 低视力康复
        LowVision = "low_vision",
        /// 0–6 岁儿童康复救助
        ChildRehab = "child_rehab",
        /// 基本康复服务
        BasicRehab = "basic_rehab",
        /// 基本辅助器具适配
        BasicDevice = "basic_device",
    }
}

crate::string_enum! {
    /// Where a need was found.
    pub enum NeedSource {
        /// 残疾人动态更新调查
        Survey = "survey",
        /// 入户走访
        HomeVisit = "home_visit",
        /// 本人申请
        Application = "application",
        /// 转介
        Referral = "referral",
    }
}

crate::string_enum! {
    /// The result of an assessment.
    pub enum AssessmentResult {
        /// Needed.
        Needed = "needed",
        /// Not needed.
        NotNeeded = "not_needed",
        /// The person refused (a signed record is attached).
        Refused = "refused",
        /// Decided later.
        Deferred = "deferred",
    }
}

crate::string_enum! {
    /// Where a need stands.
    pub enum NeedStatus {
        /// Found, not yet assessed.
        Identified = "identified",
        /// Assessed as needed.
        Assessed = "assessed",
        /// The county approved the plan (device or service).
        PlanApproved = "plan_approved",
        /// A device was delivered.
        Fitted = "fitted",
        /// The person or guardian accepted the device.
        Accepted = "accepted",
        /// Followed up at least once.
        FollowedUp = "followed_up",
        /// Done.
        Closed = "closed",
        /// Assessed as not needed.
        NotNeeded = "not_needed",
        /// The person refused.
        Refused = "refused",
        /// Assessment put off.
        Deferred = "deferred",
        /// Withdrawn (moved away, deceased …).
        Withdrawn = "withdrawn",
        /// Replaced by a re-assessment.
        Superseded = "superseded",
    }
}

crate::string_enum! {
    /// A step of the need workflow.
    pub enum NeedActionKind {
        /// Record the assessment.
        Assess = "assess",
        /// Approve the plan (county).
        ApprovePlan = "approve_plan",
        /// Record the device fitting.
        Fit = "fit",
        /// Record acceptance by the person or guardian.
        Accept = "accept",
        /// Record a follow-up visit.
        FollowUp = "follow_up",
        /// Close the need.
        Close = "close",
        /// The person refuses.
        Refuse = "refuse",
        /// Withdraw (moved, deceased …).
        Withdraw = "withdraw",
    }
}

crate::string_enum! {
    /// Which side a device is for.
    pub enum Side {
        /// Left.
        Left = "left",
        /// Right.
        Right = "right",
        /// Both sides.
        Both = "both",
        /// Not sided.
        None = "none",
    }
}

crate::string_enum! {
    /// What a follow-up found.
    pub enum FollowUpResult {
        /// In use.
        InUse = "in_use",
        /// Not used.
        NotUsed = "not_used",
        /// Needs repair.
        NeedsRepair = "needs_repair",
        /// Must be replaced: a bad fit goes back to a refit.
        Replace = "replace",
    }
}

crate::string_enum! {
    /// Who accepted a device.
    pub enum AcceptedBy {
        /// The person.
        Person = "person",
        /// Their guardian.
        Guardian = "guardian",
    }
}

/// The device workflow: every allowed step (see the module's table).
pub const NEED_WORKFLOW: &[Transition<NeedStatus, NeedActionKind>] = {
    use crate::workflow::OrgLevel::County;
    use Capability::{ApproveRehab, WriteRehab};
    use NeedActionKind as A;
    use NeedStatus as S;
    &[
        step(
            S::Identified,
            A::Assess,
            S::Assessed,
            County,
            WriteRehab,
            false,
        ),
        step(
            S::Deferred,
            A::Assess,
            S::Assessed,
            County,
            WriteRehab,
            false,
        ),
        step(
            S::Assessed,
            A::ApprovePlan,
            S::PlanApproved,
            County,
            ApproveRehab,
            true,
        ),
        step(
            S::PlanApproved,
            A::Fit,
            S::Fitted,
            County,
            WriteRehab,
            false,
        ),
        step(S::Fitted, A::Accept, S::Accepted, County, WriteRehab, false),
        step(
            S::Accepted,
            A::FollowUp,
            S::FollowedUp,
            County,
            WriteRehab,
            false,
        ),
        step(
            S::FollowedUp,
            A::FollowUp,
            S::FollowedUp,
            County,
            WriteRehab,
            false,
        ),
        step(
            S::FollowedUp,
            A::Close,
            S::Closed,
            County,
            WriteRehab,
            false,
        ),
        step(
            S::PlanApproved,
            A::Close,
            S::Closed,
            County,
            WriteRehab,
            false,
        ),
        step(
            S::Assessed,
            A::Refuse,
            S::Refused,
            County,
            WriteRehab,
            false,
        ),
        step(
            S::PlanApproved,
            A::Refuse,
            S::Refused,
            County,
            WriteRehab,
            false,
        ),
        step(S::Fitted, A::Refuse, S::Refused, County, WriteRehab, false),
        step(
            S::Identified,
            A::Withdraw,
            S::Withdrawn,
            County,
            WriteRehab,
            false,
        ),
        step(
            S::Deferred,
            A::Withdraw,
            S::Withdrawn,
            County,
            WriteRehab,
            false,
        ),
        step(
            S::Assessed,
            A::Withdraw,
            S::Withdrawn,
            County,
            WriteRehab,
            false,
        ),
        step(
            S::PlanApproved,
            A::Withdraw,
            S::Withdrawn,
            County,
            WriteRehab,
            false,
        ),
    ]
};

impl NeedStatus {
    /// The status an assessment with `result` leads to.
    pub fn after_assessment(result: AssessmentResult) -> Self {
        match result {
            AssessmentResult::Needed => Self::Assessed,
            AssessmentResult::NotNeeded => Self::NotNeeded,
            AssessmentResult::Refused => Self::Refused,
            AssessmentResult::Deferred => Self::Deferred,
        }
    }

    /// Whether the need is still live: not finished, refused, withdrawn or replaced.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            Self::Closed | Self::NotNeeded | Self::Refused | Self::Withdrawn | Self::Superseded
        )
    }
}

impl NeedActionKind {
    /// Whether the step applies to device needs only.
    pub fn device_only(self) -> bool {
        matches!(self, Self::Fit | Self::Accept | Self::FollowUp)
    }
}

/// The steps of [`NEED_WORKFLOW`] a caller may take on a need of `kind` in `status`.
pub fn allowed_need_actions(
    kind: NeedKind,
    status: NeedStatus,
    caller: &crate::workflow::Caller<'_>,
) -> Vec<NeedActionKind> {
    crate::workflow::allowed_in(NEED_WORKFLOW, status, caller)
        .into_iter()
        .filter(|a| step_fits_kind(kind, status, *a))
        .collect()
}

/// Whether a step of the table applies to a need of `kind`: fitting, acceptance and
/// follow-up only to devices; a device need closes only after a follow-up, a service
/// need once its plan is approved.
pub fn step_fits_kind(kind: NeedKind, status: NeedStatus, action: NeedActionKind) -> bool {
    let device = kind == NeedKind::Device;
    if action.device_only() {
        return device;
    }
    if action == NeedActionKind::Close && status == NeedStatus::PlanApproved {
        return !device;
    }
    if action == NeedActionKind::Refuse && status == NeedStatus::Fitted {
        return device;
    }
    true
}

/// The subsidy of a fitting: the price of all units, the most the catalogue's cap allows
/// (cap × quantity), the subsidy asked (at most that), and the self-pay (the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FittingCalc {
    /// Unit price × quantity.
    pub total_fen: i64,
    /// min(total, cap × quantity).
    pub max_subsidy_fen: i64,
    /// The subsidy granted.
    pub subsidy_fen: i64,
    /// What the person pays: total − subsidy.
    pub self_pay_fen: i64,
}

/// Most units one fitting may record.
pub const MAX_QUANTITY: i64 = 20;
/// Highest unit price accepted (1,000,000 yuan: a cochlear implant is ~100,000).
pub const MAX_UNIT_PRICE_FEN: i64 = 100_000_000;

/// Computes a fitting's subsidy with the item's cap for the year: the subsidy is the
/// one asked for, or the most allowed when none is asked; more than the most allowed is
/// refused on `subsidy_fen`. Bounds keep every product inside 64 bits.
pub fn compute_fitting(
    unit_price_fen: i64,
    quantity: i64,
    cap_fen: i64,
    asked_fen: Option<i64>,
) -> Result<FittingCalc, Vec<FieldError>> {
    let mut errs = FieldErrors::new();
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        errs.add(
            "quantity",
            "out_of_range",
            format!("1 to {MAX_QUANTITY} units"),
        );
    }
    if !(0..=MAX_UNIT_PRICE_FEN).contains(&unit_price_fen) {
        errs.add(
            "unit_price_fen",
            "out_of_range",
            format!("0 to {MAX_UNIT_PRICE_FEN} fen"),
        );
    }
    if !(0..=MAX_UNIT_PRICE_FEN).contains(&cap_fen) {
        errs.add(
            "item_id",
            "bad_cap",
            "the item's subsidy cap is out of range",
        );
    }
    if !errs.is_empty() {
        return Err(errs.0);
    }
    // Both factors are bounded (≤ 20 × 10^8), so the products fit easily.
    let total_fen = unit_price_fen * quantity;
    let max_subsidy_fen = total_fen.min(cap_fen * quantity);
    let subsidy_fen = asked_fen.unwrap_or(max_subsidy_fen);
    if subsidy_fen < 0 || subsidy_fen > max_subsidy_fen {
        errs.add(
            "subsidy_fen",
            "above_cap",
            format!("0 to {max_subsidy_fen} fen (the price, at most the cap × quantity)"),
        );
        return Err(errs.0);
    }
    Ok(FittingCalc {
        total_fen,
        max_subsidy_fen,
        subsidy_fen,
        self_pay_fen: total_fen - subsidy_fen,
    })
}

/// The last day a device delivered on `delivered_on` meets the need: its service life
/// in years after delivery (29 February falls back to 28 February).
pub fn service_until(delivered_on: NaiveDate, service_life_years: i32) -> NaiveDate {
    let year = delivered_on.year().saturating_add(service_life_years);
    NaiveDate::from_ymd_opt(year, delivered_on.month(), delivered_on.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, delivered_on.month(), 28))
        .unwrap_or(NaiveDate::MAX)
}

/// A catalogue item as the devices centre submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceItemInput {
    /// GB/T 16432 (= ISO 9999) code, 6 digits: class, subclass, division.
    pub code: String,
    /// Edition of the code list, e.g. "2016".
    pub edition: String,
    /// Name in Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// The disability categories it serves (at least one).
    pub categories: Vec<DisabilityCategory>,
    /// Unit (件, 副, 台 …).
    pub unit: String,
    /// Service life in years (1–20).
    pub service_life_years: i32,
    /// Only persons of this level or more severe (1 = level 1 only); none = any level.
    #[serde(default)]
    pub max_level: Option<u8>,
    /// Whether a professional assessment is required before fitting.
    #[serde(default)]
    pub assessment_required: bool,
    /// Offered for new fittings.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl DeviceItemInput {
    /// Checks the fields that do not need the database (the code list is checked there).
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.code.len() != 6 || !self.code.bytes().all(|b| b.is_ascii_digit()) {
            errs.add(
                "code",
                "invalid_code",
                "six digits: class, subclass, division",
            );
        }
        if self.edition.len() != 4 || !self.edition.bytes().all(|b| b.is_ascii_digit()) {
            errs.add(
                "edition",
                "invalid_edition",
                "the edition's year, e.g. 2016",
            );
        }
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
        if self.categories.is_empty() {
            errs.add(
                "categories",
                "required",
                "name at least one disability category",
            );
        }
        if !(1..=20).contains(&self.service_life_years) {
            errs.add("service_life_years", "out_of_range", "1 to 20 years");
        }
        if self.max_level.is_some_and(|l| !(1..=4).contains(&l)) {
            errs.add("max_level", "out_of_range", "a level from 1 to 4");
        }
        errs.into_result(())
    }
}

/// A subsidy cap of an item for a programme year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceCap {
    /// Programme year.
    pub year: i32,
    /// Most subsidy per unit, in fen.
    pub cap_fen: i64,
}

/// Body of `POST /api/v1/rehab/catalogue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceItemCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: DeviceItemInput,
}

/// Body of `PUT /api/v1/rehab/catalogue/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceItemUpdate {
    /// The version last seen (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The fields.
    #[serde(flatten)]
    pub fields: DeviceItemInput,
}

/// Body of `PUT /api/v1/rehab/catalogue/{id}/caps/{year}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceCapSet {
    /// The item's version last seen (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// Most subsidy per unit, in fen (0 to 100,000,000).
    pub cap_fen: i64,
}

/// A catalogue item as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceItem {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: DeviceItemInput,
    /// The code's title in the code list (class › subclass › division).
    pub code_title: String,
    /// Subsidy caps by programme year, newest first.
    pub caps: Vec<DeviceCap>,
}

/// A need as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NeedInput {
    /// The person (in the caller's county).
    pub person_id: Uuid,
    /// Kind of help.
    pub kind: NeedKind,
    /// Project.
    pub project: RehabProject,
    /// The catalogue item, for a device need (required then, absent otherwise).
    #[serde(default)]
    pub item_id: Option<Uuid>,
    /// Where it was found.
    pub source: NeedSource,
    /// When it was found; its year is the programme year.
    pub identified_on: NaiveDate,
    /// Notes.
    #[serde(default)]
    pub note: Option<String>,
    /// The need this one re-assesses (it becomes `superseded`).
    #[serde(default)]
    pub supersedes: Option<Uuid>,
}

impl NeedInput {
    /// Checks the fields that do not need the database.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        match (self.kind, self.item_id) {
            (NeedKind::Device, None) => {
                errs.add("item_id", "required", "a device need names the device")
            }
            (NeedKind::Device, Some(_)) | (_, None) => {}
            (_, Some(_)) => errs.add(
                "item_id",
                "not_a_device_need",
                "only a device need names a device",
            ),
        }
        check_date(&mut errs, "identified_on", self.identified_on, today);
        if let Some(n) = &self.note {
            errs.check("note", validate_text(n, 500));
        }
        errs.into_result(())
    }
}

fn check_date(errs: &mut FieldErrors, field: &str, d: NaiveDate, today: NaiveDate) {
    if d > today {
        errs.add(field, "in_future", "the date lies in the future");
    } else if d.year() < 2000 {
        errs.add(field, "out_of_range", "the date lies before 2000");
    }
}

/// An assessment as recorded with a need: when, by whom, the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    /// Result.
    pub result: AssessmentResult,
    /// Date of the assessment.
    pub assessed_on: NaiveDate,
    /// Assessor (name and institution).
    pub assessor: String,
    /// For a refusal: the attachment holding the signed record.
    #[serde(default)]
    pub evidence_id: Option<Uuid>,
}

impl Assessment {
    /// Checks the fields that do not need the database.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        check_date(&mut errs, "assessed_on", self.assessed_on, today);
        if self.assessor.trim().is_empty() {
            errs.add("assessor", "required", "who assessed");
        } else {
            errs.check("assessor", validate_text(&self.assessor, 100));
        }
        if self.result == AssessmentResult::Refused && self.evidence_id.is_none() {
            errs.add(
                "evidence_id",
                "required",
                "a refusal needs the signed record",
            );
        }
        errs.into_result(())
    }
}

/// Body of `POST /api/v1/rehab/needs`: a need, optionally with its assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NeedCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: NeedInput,
    /// The assessment, when the need is found and assessed at once.
    #[serde(default)]
    pub assessment: Option<Assessment>,
}

/// Largest number of needs in one assessment.
pub const MAX_NEEDS_PER_ASSESSMENT: usize = 50;

/// One need found in an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessedNeed {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// Kind of help.
    pub kind: NeedKind,
    /// Project.
    pub project: RehabProject,
    /// The catalogue item, for a device need.
    #[serde(default)]
    pub item_id: Option<Uuid>,
    /// Result.
    pub result: AssessmentResult,
    /// For a refusal: the signed record.
    #[serde(default)]
    pub evidence_id: Option<Uuid>,
    /// Notes.
    #[serde(default)]
    pub note: Option<String>,
}

/// Body of `POST /api/v1/rehab/assessments`: an assessment visit and every need found,
/// written all or nothing (errors name `needs[i].field`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentCreate {
    /// The person.
    pub person_id: Uuid,
    /// Where the needs were found.
    pub source: NeedSource,
    /// Date of the assessment (also the date the needs were found).
    pub assessed_on: NaiveDate,
    /// Assessor (name and institution).
    pub assessor: String,
    /// The needs found (1 to 50).
    pub needs: Vec<AssessedNeed>,
}

/// Body of `POST /api/v1/rehab/needs/{id}/actions`: one workflow step. The parts a step
/// needs: `assessment` (assess), `fitting` (fit), `acceptance` (accept), `follow_up`
/// (follow_up), `evidence_id` (refuse), `reason` (withdraw, refuse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NeedAction {
    /// The step.
    pub action: NeedActionKind,
    /// The version last seen.
    pub version: i64,
    /// Why (withdraw: moved, deceased …; refuse).
    #[serde(default)]
    pub reason: Option<String>,
    /// Assess: the assessment.
    #[serde(default)]
    pub assessment: Option<Assessment>,
    /// Fit: the fitting.
    #[serde(default)]
    pub fitting: Option<FittingInput>,
    /// Accept: the acceptance.
    #[serde(default)]
    pub acceptance: Option<AcceptanceInput>,
    /// Follow up: the visit.
    #[serde(default)]
    pub follow_up: Option<FollowUpInput>,
    /// Refuse: the signed record.
    #[serde(default)]
    pub evidence_id: Option<Uuid>,
}

/// A fitting as recorded by county staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FittingInput {
    /// The item fitted (default: the need's item).
    #[serde(default)]
    pub item_id: Option<Uuid>,
    /// Provider (supplier or fitting centre; records no login of its own).
    pub provider: String,
    /// Units (1–20).
    pub quantity: i64,
    /// Side.
    pub side: Side,
    /// Price per unit, in fen.
    pub unit_price_fen: i64,
    /// Subsidy asked; default the most the cap allows.
    #[serde(default)]
    pub subsidy_fen: Option<i64>,
    /// Delivery date; its year picks the cap.
    pub delivered_on: NaiveDate,
}

impl FittingInput {
    /// Checks the fields that do not need the database.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.provider.trim().is_empty() {
            errs.add("provider", "required", "who supplied the device");
        } else {
            errs.check("provider", validate_text(&self.provider, 100));
        }
        check_date(&mut errs, "delivered_on", self.delivered_on, today);
        errs.into_result(())
    }
}

/// Acceptance of a delivered device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptanceInput {
    /// Date.
    pub accepted_on: NaiveDate,
    /// By the person or a guardian.
    pub accepted_by: AcceptedBy,
    /// The guardian's name, when a guardian accepted.
    #[serde(default)]
    pub guardian_name: Option<String>,
    /// The photo or signature (an attachment of this need).
    pub evidence_id: Uuid,
}

/// A follow-up visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpInput {
    /// Date.
    pub on: NaiveDate,
    /// What was found.
    pub result: FollowUpResult,
    /// Notes.
    #[serde(default)]
    pub note: Option<String>,
}

/// A recorded follow-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    /// Date.
    pub on: NaiveDate,
    /// What was found.
    pub result: FollowUpResult,
    /// Notes.
    pub note: Option<String>,
    /// Who recorded it (login name).
    pub by: String,
}

/// A fitting as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fitting {
    /// Id.
    pub id: Uuid,
    /// Item fitted.
    pub item_id: Uuid,
    /// Its name (zh).
    pub item_name: String,
    /// Provider.
    pub provider: String,
    /// Units.
    pub quantity: i64,
    /// Side.
    pub side: Side,
    /// Price per unit.
    pub unit_price_fen: i64,
    /// The subsidy rule applied.
    pub calculation: FittingCalc,
    /// The cap per unit that applied.
    pub cap_fen: i64,
    /// Delivered on.
    pub delivered_on: NaiveDate,
    /// The last day it meets the need (its service life).
    pub service_until: NaiveDate,
    /// Accepted on.
    pub accepted_on: Option<NaiveDate>,
    /// Accepted by.
    pub accepted_by: Option<AcceptedBy>,
    /// Guardian's name.
    pub guardian_name: Option<String>,
    /// The acceptance photo or signature.
    pub evidence_id: Option<Uuid>,
    /// Follow-ups, oldest first.
    pub follow_ups: Vec<FollowUp>,
    /// Replaced by a refit.
    pub replaced: bool,
}

/// One step of a need's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NeedEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (login name).
    pub actor_username: String,
    /// From which status (none for creation).
    pub from_status: Option<NeedStatus>,
    /// To which status.
    pub to_status: NeedStatus,
    /// Reason or note.
    pub reason: Option<String>,
}

/// A need as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Need {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: NeedInput,
    /// The person's name (empty when out of the caller's sight).
    pub person_name: String,
    /// Owning county (the person's).
    pub county_code: String,
    /// Programme year (of `identified_on`).
    pub year: i32,
    /// Status.
    pub status: NeedStatus,
    /// The assessment, once made.
    pub assessment: Option<Assessment>,
    /// The device's name (zh), for a device need.
    pub item_name: Option<String>,
    /// The re-assessment that replaced this need.
    pub superseded_by: Option<Uuid>,
    /// Fittings, oldest first (the last one is current; empty in lists).
    pub fittings: Vec<Fitting>,
    /// Every step so far, oldest first (empty in lists).
    pub timeline: Vec<NeedEvent>,
    /// The steps the caller may take now.
    #[serde(default)]
    pub allowed_actions: Vec<NeedActionKind>,
    /// When the next follow-up is due (accepted and followed-up devices).
    pub follow_up_due: Option<NaiveDate>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// Days after acceptance (or the last follow-up) when a follow-up falls due.
pub const FOLLOW_UP_AFTER_DAYS: i64 = 90;

/// A rehab service episode as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EpisodeInput {
    /// The person.
    pub person_id: Uuid,
    /// The need it serves, if recorded.
    #[serde(default)]
    pub need_id: Option<Uuid>,
    /// Institution.
    pub institution: String,
    /// Project.
    pub project: RehabProject,
    /// The disability category of the training (one per child per year in child rehab).
    pub category: DisabilityCategory,
    /// First day; its year is the programme year.
    pub start_on: NaiveDate,
    /// Last day, when finished.
    #[serde(default)]
    pub end_on: Option<NaiveDate>,
    /// Months of service delivered (0–12).
    pub months: i32,
    /// Monthly standard, in fen.
    pub monthly_fen: i64,
    /// Guardian, for a child.
    #[serde(default)]
    pub guardian: Option<String>,
    /// Outcome.
    #[serde(default)]
    pub outcome: Option<String>,
    /// A child who turns 7 in the year may only continue an episode of the year before:
    /// that episode's id.
    #[serde(default)]
    pub continues: Option<Uuid>,
}

impl EpisodeInput {
    /// Checks the fields that do not need the database.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.institution.trim().is_empty() {
            errs.add("institution", "required", "where the service is given");
        } else {
            errs.check("institution", validate_text(&self.institution, 100));
        }
        check_date(&mut errs, "start_on", self.start_on, today);
        if let Some(end) = self.end_on {
            if end < self.start_on {
                errs.add("end_on", "before_start", "the end lies before the start");
            }
        }
        if !(0..=12).contains(&self.months) {
            errs.add("months", "out_of_range", "0 to 12 months");
        }
        if !(0..=10_000_000).contains(&self.monthly_fen) {
            errs.add("monthly_fen", "out_of_range", "0 to 100,000 yuan a month");
        }
        for (f, v) in [("guardian", &self.guardian), ("outcome", &self.outcome)] {
            if let Some(v) = v {
                errs.check(f, validate_text(v, 200));
            }
        }
        errs.into_result(())
    }
}

/// How old a child born in `birth_year` is allowed to be in child rehab in `year`:
/// 0–6 during the whole year is fine; turning 7 during it needs a continued episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildAge {
    /// 0–6 all year (or born in the year).
    Eligible,
    /// Turns 7 during the year: only continuing last year's episode.
    TurnsSeven,
    /// 7 or more all year, or not yet born.
    Ineligible,
}

/// See [`ChildAge`].
pub fn child_age(birth_year: i32, year: i32) -> ChildAge {
    match year - birth_year {
        0..=6 => ChildAge::Eligible,
        7 => ChildAge::TurnsSeven,
        _ => ChildAge::Ineligible,
    }
}

/// Body of `POST /api/v1/rehab/episodes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EpisodeCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: EpisodeInput,
}

/// Body of `PUT /api/v1/rehab/episodes/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EpisodeUpdate {
    /// The version last seen (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The fields.
    #[serde(flatten)]
    pub fields: EpisodeInput,
}

/// A rehab service episode as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Episode {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: EpisodeInput,
    /// Person's name.
    pub person_name: String,
    /// Owning county.
    pub county_code: String,
    /// Programme year.
    pub year: i32,
    /// months × monthly standard.
    pub total_fen: i64,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// A numerator over a denominator, summed up the tree (never an average of rates).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ratio {
    /// Met.
    pub num: i64,
    /// Of.
    pub den: i64,
}

impl Ratio {
    /// The rate in basis points, none when the denominator is 0.
    pub fn bp(self) -> Option<i64> {
        (self.den > 0).then(|| self.num.saturating_mul(10_000) / self.den)
    }
}

/// Measure 14's numbers for one unit and programme year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RehabKpiRow {
    /// Unit (region) code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Registered-poor persons with a needed rehab need who got an episode or a device.
    pub service: Ratio,
    /// Persons with every needed device accepted ÷ persons with ≥ 1 needed device.
    pub fitting_by_person: Ratio,
    /// Needed device items accepted ÷ needed device items.
    pub fitting_by_item: Ratio,
    /// Accepted devices followed up ÷ accepted devices.
    pub follow_up: Ratio,
    /// Persons with some but not all needed devices accepted.
    pub partial_persons: i64,
    /// Needs refused (assessment or later).
    pub refused: i64,
    /// Needs deferred.
    pub deferred: i64,
    /// Needs withdrawn (moved away, deceased …): out of the rates, so shown apart.
    #[serde(default)]
    pub withdrawn: i64,
    /// Distinct children in child rehab episodes.
    pub children_in_service: i64,
    /// Subsidy paid on fittings delivered in the year.
    pub subsidy_fen: i64,
    /// What the caps would have allowed on those fittings.
    pub cap_fen: i64,
    /// Spent on service episodes (months × standard).
    pub episodes_fen: i64,
}

/// Province targets of measure 14 for a year (rates in basis points), held as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RehabTargets {
    /// Programme year.
    pub year: i32,
    /// Service rate target (10000 = 100 %).
    pub service_bp: i64,
    /// Fitting rate by person target.
    pub fitting_bp: i64,
    /// Children to serve.
    pub children: i64,
}

/// `GET /api/v1/kpi/rehab`: a unit and its children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RehabKpi {
    /// Programme year.
    pub year: i32,
    /// The unit itself.
    pub total: RehabKpiRow,
    /// Its cities or counties.
    pub children: Vec<RehabKpiRow>,
    /// The year's targets, if set.
    pub targets: Option<RehabTargets>,
}

/// What a rehab import (needs survey or catalogue) did or would do: every problem by
/// row and column, and how many rows were written. The imports are all or nothing, so
/// `written` is 0 whenever `errors` is not empty; a check (`dry_run`) writes nothing and
/// says how many rows an import would write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Data rows in the file.
    pub rows: usize,
    /// Rows written (0 when any row is wrong; for a check, the rows an import would
    /// write).
    pub written: usize,
    /// Every problem, by row and column (the header is row 1).
    pub errors: Vec<crate::api::RowError>,
    /// Whether only a check was asked for.
    pub dry_run: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::workflow::{authorise_in, Caller, OrgLevel, Refusal};

    fn caller(level: OrgLevel, role: Role, previous: bool) -> Caller<'static> {
        Caller {
            level,
            capabilities: role.capabilities(),
            took_previous_step: previous,
        }
    }

    #[test]
    fn the_cap_and_the_self_pay() {
        let c = compute_fitting(300_000, 2, 100_000, None).expect("valid");
        assert_eq!(
            c,
            FittingCalc {
                total_fen: 600_000,
                max_subsidy_fen: 200_000,
                subsidy_fen: 200_000,
                self_pay_fen: 400_000
            }
        );
        // Cheaper than the cap: all subsidised.
        let c = compute_fitting(50_000, 1, 100_000, None).expect("valid");
        assert_eq!((c.subsidy_fen, c.self_pay_fen), (50_000, 0));
        let c = compute_fitting(50_000, 1, 100_000, Some(20_000)).expect("valid");
        assert_eq!((c.subsidy_fen, c.self_pay_fen), (20_000, 30_000));
        let e = compute_fitting(50_000, 1, 100_000, Some(50_001)).expect_err("above");
        assert_eq!(e[0].code, "above_cap");
        assert!(compute_fitting(i64::MAX, 20, 1, None).is_err());
        assert!(compute_fitting(1, 0, 1, None).is_err());
        assert!(compute_fitting(1, 1, 1, Some(-1)).is_err());
    }

    #[test]
    fn service_life_and_child_age() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(service_until(d(2020, 3, 1), 5), d(2025, 3, 1));
        assert_eq!(service_until(d(2020, 2, 29), 1), d(2021, 2, 28));
        assert_eq!(child_age(2014, 2020), ChildAge::Eligible);
        assert_eq!(child_age(2013, 2020), ChildAge::TurnsSeven);
        assert_eq!(child_age(2012, 2020), ChildAge::Ineligible);
        assert_eq!(child_age(2021, 2020), ChildAge::Ineligible);
    }

    #[test]
    fn steps_follow_the_kind_and_the_level() {
        use NeedActionKind as A;
        use NeedStatus as S;
        let county = caller(OrgLevel::County, Role::Rehabilitation, false);
        assert_eq!(
            allowed_need_actions(NeedKind::Device, S::PlanApproved, &county),
            vec![A::Fit, A::Refuse, A::Withdraw]
        );
        assert_eq!(
            allowed_need_actions(NeedKind::RehabMedical, S::PlanApproved, &county),
            vec![A::Close, A::Refuse, A::Withdraw]
        );
        let city = caller(OrgLevel::City, Role::Rehabilitation, false);
        assert!(allowed_need_actions(NeedKind::Device, S::Assessed, &city).is_empty());
        let same = caller(OrgLevel::County, Role::Rehabilitation, true);
        assert_eq!(
            authorise_in(NEED_WORKFLOW, S::Assessed, A::ApprovePlan, &same),
            Err(Refusal::FourEyes)
        );
        let leader = caller(OrgLevel::County, Role::Leader, false);
        assert!(matches!(
            authorise_in(NEED_WORKFLOW, S::Identified, A::Assess, &leader),
            Err(Refusal::MissingCapability(_))
        ));
        for s in [
            S::Closed,
            S::NotNeeded,
            S::Refused,
            S::Withdrawn,
            S::Superseded,
        ] {
            assert!(NEED_WORKFLOW.iter().all(|t| t.from != s), "{s} is final");
            assert!(!s.is_open());
        }
        for (i, a) in NEED_WORKFLOW.iter().enumerate() {
            for b in &NEED_WORKFLOW[i + 1..] {
                assert!(!(a.from == b.from && a.action == b.action), "{a:?}");
            }
        }
    }
}
