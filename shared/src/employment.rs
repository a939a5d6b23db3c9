//! Measure 13, rural employment: training courses and rosters (Sunshine Income Plan),
//! loan interest subsidies and employment bases — codes, forms, rules.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validation::{validate_phone, validate_text, FieldErrors};
use crate::FieldError;

crate::string_enum! {
    /// Kind of training.
    pub enum CourseKind {
        /// 实用技术
        PracticalTechnique = "practical_technique",
        /// 职业技能
        VocationalSkill = "vocational_skill",
    }
}

crate::string_enum! {
    /// The programme a course runs under.
    pub enum Programme {
        /// 阳光增收计划
        SunshineIncomePlan = "sunshine_income_plan",
        /// Any other programme.
        Other = "other",
    }
}

crate::string_enum! {
    /// Where an enrolment stands.
    pub enum EnrolmentStatus {
        /// On the roster.
        Enrolled = "enrolled",
        /// Finished the course.
        Completed = "completed",
        /// Left the course.
        Dropped = "dropped",
    }
}

crate::string_enum! {
    /// What the training led to.
    pub enum TrainingOutcome {
        /// Found a job.
        Employed = "employed",
        /// Started their own business.
        SelfEmployed = "self_employed",
        /// Produces more (farming, crafts).
        ProductionIncreased = "production_increased",
        /// Nothing yet.
        None = "none",
    }
}

crate::string_enum! {
    /// Kind of employment base.
    pub enum BaseKind {
        /// 就业扶贫基地
        PovertyAlleviation = "poverty_alleviation",
        /// 就业扶贫示范基地
        Demonstration = "demonstration",
    }
}

/// A programme year's subsidy rule, held as data so that next year's is loaded, not coded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubsidyRule {
    /// Programme year.
    pub year: i32,
    /// Share of the interest subsidised, in basis points (5000 = 50 %).
    pub share_bp: i64,
    /// Most subsidy for one person's loan, in fen.
    pub cap_person_fen: i64,
    /// Most subsidy for one base's loan, in fen.
    pub cap_base_fen: i64,
    /// Largest principal that qualifies, in fen.
    pub max_principal_fen: i64,
}

/// Whose loan it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Applicant {
    /// A registered disabled person.
    Person,
    /// An employment base.
    Base,
}

/// The result of applying the rule to a loan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubsidyCalc {
    /// Simple interest over the term, rounded half up to the fen.
    pub interest_fen: i64,
    /// The subsidy: share × exact interest, rounded half up to the fen once, then capped.
    pub subsidy_fen: i64,
    /// Whether the cap cut the subsidy.
    pub capped: bool,
}

/// Divides rounding half up (for non-negative values).
fn div_half_up(num: i128, den: i128) -> i128 {
    (num + den / 2) / den
}

/// Computes the subsidy of a loan: principal × annual rate × term / 12 is the interest;
/// the subsidy is `share_bp` of it, computed from the exact interest and rounded half up
/// to the fen once (no double rounding), then held to the cap for the applicant.
pub fn compute_subsidy(
    rule: &SubsidyRule,
    applicant: Applicant,
    principal_fen: i64,
    annual_rate_bp: i64,
    term_months: i64,
) -> Result<SubsidyCalc, Vec<FieldError>> {
    let mut errs = FieldErrors::new();
    if principal_fen <= 0 {
        errs.add(
            "principal_fen",
            "out_of_range",
            "the principal must be positive",
        );
    } else if principal_fen > rule.max_principal_fen {
        errs.add(
            "principal_fen",
            "above_maximum",
            format!(
                "at most {} fen qualify in {}",
                rule.max_principal_fen, rule.year
            ),
        );
    }
    if !(1..=5000).contains(&annual_rate_bp) {
        errs.add(
            "annual_rate_bp",
            "out_of_range",
            "the annual rate must be 0.01 % to 50 % (1 to 5000 basis points)",
        );
    }
    if !(1..=120).contains(&term_months) {
        errs.add(
            "term_months",
            "out_of_range",
            "the term must be 1 to 120 months",
        );
    }
    if !errs.is_empty() {
        return Err(errs.0);
    }
    // Principal, rate and term are bounded above, so neither product leaves i128.
    let base = i128::from(principal_fen) * i128::from(annual_rate_bp) * i128::from(term_months);
    let interest = div_half_up(base, 10_000 * 12);
    let subsidy = div_half_up(base * i128::from(rule.share_bp), 10_000 * 12 * 10_000);
    let cap = i128::from(match applicant {
        Applicant::Person => rule.cap_person_fen,
        Applicant::Base => rule.cap_base_fen,
    });
    let capped = subsidy > cap;
    match (i64::try_from(interest), i64::try_from(subsidy.min(cap))) {
        (Ok(interest_fen), Ok(subsidy_fen)) => Ok(SubsidyCalc {
            interest_fen,
            subsidy_fen,
            capped,
        }),
        _ => {
            errs.add(
                "principal_fen",
                "too_large",
                "the interest on this loan is too large to be recorded",
            );
            Err(errs.0)
        }
    }
}

/// A training course as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseInput {
    /// Course name.
    pub name: String,
    /// Practical technique or vocational skill.
    pub kind: CourseKind,
    /// Programme (Sunshine Income Plan by default).
    #[serde(default = "default_programme")]
    pub programme: Programme,
    /// County where it runs (owns the record).
    pub county_code: String,
    /// Venue.
    #[serde(default)]
    pub venue: Option<String>,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day (not before the first).
    pub end_date: NaiveDate,
    /// Places planned (> 0).
    pub planned_places: i32,
    /// Teaching hours (> 0).
    pub hours: i32,
    /// Trainer or training organisation.
    #[serde(default)]
    pub trainer: Option<String>,
    /// Funding in fen (≥ 0).
    #[serde(default)]
    pub funding_fen: i64,
}

fn default_programme() -> Programme {
    Programme::SunshineIncomePlan
}

impl CourseInput {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.name.trim().is_empty() {
            errs.add("name", "required", "the course needs a name");
        } else {
            errs.check("name", validate_text(self.name.trim(), 100));
        }
        errs.check(
            "county_code",
            crate::codes::validate_admin_code(self.county_code.trim(), 6, None),
        );
        if let Some(v) = &self.venue {
            errs.check("venue", validate_text(v, 200));
        }
        if let Some(t) = &self.trainer {
            errs.check("trainer", validate_text(t, 100));
        }
        for (field, date) in [("start_date", self.start_date), ("end_date", self.end_date)] {
            if !(2000..=2100).contains(&date.year()) {
                errs.add(
                    field,
                    "out_of_range",
                    "the date must lie between 2000 and 2100",
                );
            }
        }
        if self.end_date < self.start_date {
            errs.add(
                "end_date",
                "before_start",
                "the course cannot end before it starts",
            );
        }
        if self.planned_places <= 0 || self.planned_places > 10_000 {
            errs.add(
                "planned_places",
                "out_of_range",
                "planned places must be 1 to 10,000",
            );
        }
        if self.hours <= 0 || self.hours > 10_000 {
            errs.add("hours", "out_of_range", "hours must be 1 to 10,000");
        }
        if self.funding_fen < 0 {
            errs.add("funding_fen", "out_of_range", "funding cannot be negative");
        }
        errs.into_result(())
    }
}

/// A course as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Course {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The course's fields.
    #[serde(flatten)]
    pub fields: CourseInput,
    /// The unit that organises it (the creator's unit).
    pub organiser_unit: String,
    /// Programme year (of the start date).
    pub year: i32,
    /// Enrolments that are not dropped.
    pub enrolled: i64,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// Body of `POST /api/v1/courses`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: CourseInput,
}

/// Body of `PUT /api/v1/courses/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseUpdate {
    /// The version last seen.
    #[serde(default)]
    pub version: Option<i64>,
    /// The fields.
    #[serde(flatten)]
    pub fields: CourseInput,
}

/// Body of `POST /api/v1/courses/{id}/enrolments`: who to put on the roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The registry entry.
    pub person_id: Uuid,
}

/// Body of `PUT /api/v1/enrolments/{id}`: progress and outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentUpdate {
    /// The version last seen.
    pub version: i64,
    /// Status.
    pub status: EnrolmentStatus,
    /// Hours attended (0 to the course's hours).
    #[serde(default)]
    pub hours_attended: i32,
    /// Completion date: required when completed, not in the future, not before the course.
    #[serde(default)]
    pub completion_date: Option<NaiveDate>,
    /// Whether a certificate was obtained.
    #[serde(default)]
    pub certificate_obtained: bool,
    /// What the training led to.
    #[serde(default)]
    pub outcome: Option<TrainingOutcome>,
}

impl EnrolmentUpdate {
    /// Checks the update against the course's dates and hours.
    pub fn validate(
        &self,
        today: NaiveDate,
        course_start: NaiveDate,
        course_hours: i32,
    ) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if !(0..=course_hours).contains(&self.hours_attended) {
            errs.add(
                "hours_attended",
                "out_of_range",
                format!("0 to {course_hours} hours"),
            );
        }
        match (self.status, self.completion_date) {
            (EnrolmentStatus::Completed, None) => errs.add(
                "completion_date",
                "required",
                "give the date the course was completed",
            ),
            (EnrolmentStatus::Completed, Some(d)) if d > today => errs.add(
                "completion_date",
                "in_future",
                "the completion date lies in the future",
            ),
            (EnrolmentStatus::Completed, Some(d)) if d < course_start => errs.add(
                "completion_date",
                "before_start",
                "the completion date lies before the course started",
            ),
            (EnrolmentStatus::Enrolled | EnrolmentStatus::Dropped, Some(_)) => errs.add(
                "completion_date",
                "unexpected",
                "only a completed enrolment has a completion date",
            ),
            _ => {}
        }
        if self.certificate_obtained && self.status != EnrolmentStatus::Completed {
            errs.add(
                "certificate_obtained",
                "unexpected",
                "a certificate comes with completion",
            );
        }
        errs.into_result(())
    }
}

/// Most items of one batch request.
pub const MAX_BATCH: usize = 500;

/// One item of [`EnrolmentBatch`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentBatchItem {
    /// The enrolment (of the course in the path).
    pub id: Uuid,
    /// Its new progress, with the version last seen.
    #[serde(flatten)]
    pub update: EnrolmentUpdate,
}

/// Body of `PUT /api/v1/courses/{id}/enrolments`: progress of several trainees at once
/// (1 to 500), all written or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentBatch {
    /// The enrolments and their updates.
    pub items: Vec<EnrolmentBatchItem>,
}

/// An enrolment as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrolment {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The course.
    pub course_id: Uuid,
    /// The person.
    pub person_id: Uuid,
    /// The person's name.
    pub person_name: String,
    /// The person's masked identity number.
    pub person_id_number: String,
    /// Registered-poor flag of the person.
    pub registered_poor: bool,
    /// Status.
    pub status: EnrolmentStatus,
    /// Hours attended.
    pub hours_attended: i32,
    /// Completion date.
    pub completion_date: Option<NaiveDate>,
    /// Certificate obtained.
    pub certificate_obtained: bool,
    /// Outcome.
    pub outcome: Option<TrainingOutcome>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// An employment base as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BaseInput {
    /// Enterprise or cooperative name.
    pub name: String,
    /// Unified social credit code (GB 32100).
    pub credit_code: String,
    /// County (owns the record).
    pub county_code: String,
    /// Kind of base.
    pub kind: BaseKind,
    /// Date recognised (not in the future).
    pub recognised_on: NaiveDate,
    /// Contact person.
    #[serde(default)]
    pub contact_name: Option<String>,
    /// Contact phone.
    #[serde(default)]
    pub contact_phone: Option<String>,
}

impl BaseInput {
    /// Checks every field.
    pub fn validate(&self, today: NaiveDate) -> Result<String, Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.name.trim().is_empty() {
            errs.add("name", "required", "the base needs a name");
        } else {
            errs.check("name", validate_text(self.name.trim(), 100));
        }
        let code = errs.check("credit_code", crate::uscc::parse(&self.credit_code));
        errs.check(
            "county_code",
            crate::codes::validate_admin_code(self.county_code.trim(), 6, None),
        );
        if self.recognised_on > today {
            errs.add(
                "recognised_on",
                "in_future",
                "the recognition date lies in the future",
            );
        }
        if let Some(n) = &self.contact_name {
            errs.check("contact_name", validate_text(n, 50));
        }
        if let Some(p) = self
            .contact_phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            errs.check("contact_phone", validate_phone(p));
        }
        errs.into_result(code.unwrap_or_default())
    }
}

crate::string_enum! {
    /// Where a loan subsidy application stands.
    pub enum LoanStatus {
        /// Being prepared by county staff.
        Draft = "draft",
        /// Sent to the city for review.
        Submitted = "submitted",
        /// Reviewed by the city; awaiting provincial approval.
        Reviewed = "reviewed",
        /// Approved by the province; the amount is committed from the city's allocation.
        Approved = "approved",
        /// Paid out.
        Disbursed = "disbursed",
        /// Sent back with a reason; county staff may edit and resubmit it, or withdraw it.
        Returned = "returned",
        /// Withdrawn by the county before approval; final.
        Withdrawn = "withdrawn",
    }
}

crate::string_enum! {
    /// A step of the loan workflow.
    pub enum LoanActionKind {
        /// County staff send the application to the city.
        Submit = "submit",
        /// The city confirms it.
        Review = "review",
        /// The province approves an amount.
        Approve = "approve",
        /// The payment is recorded.
        Disburse = "disburse",
        /// A reviewer sends it back.
        Return = "return",
        /// County staff send a returned application to the city again.
        Resubmit = "resubmit",
        /// County staff withdraw a draft or returned application.
        Withdraw = "withdraw",
    }
}

/// A loan subsidy application as a client submits it (draft).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoanInput {
    /// A person or a base.
    pub applicant: Applicant,
    /// The person, when `applicant` is `person`.
    #[serde(default)]
    pub person_id: Option<Uuid>,
    /// The base, when `applicant` is `base`.
    #[serde(default)]
    pub base_id: Option<Uuid>,
    /// Lending bank.
    pub bank: String,
    /// Principal in fen.
    pub principal_fen: i64,
    /// Annual rate in basis points (435 = 4.35 %).
    pub annual_rate_bp: i64,
    /// Term in months.
    pub term_months: i64,
    /// Date the loan was made; its year is the programme year.
    pub loan_date: NaiveDate,
    /// What the money is for.
    pub purpose: String,
}

impl LoanInput {
    /// Checks the fields that do not need the database.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        match (self.applicant, self.person_id, self.base_id) {
            (Applicant::Person, Some(_), None) | (Applicant::Base, None, Some(_)) => {}
            (Applicant::Person, _, _) => {
                errs.add("person_id", "required", "give the person (and no base)")
            }
            (Applicant::Base, _, _) => {
                errs.add("base_id", "required", "give the base (and no person)")
            }
        }
        if self.bank.trim().is_empty() {
            errs.add("bank", "required", "give the lending bank");
        } else {
            errs.check("bank", validate_text(&self.bank, 100));
        }
        if self.purpose.trim().is_empty() {
            errs.add("purpose", "required", "say what the loan is for");
        } else {
            errs.check("purpose", validate_text(&self.purpose, 500));
        }
        if self.loan_date > today {
            errs.add("loan_date", "in_future", "the loan date lies in the future");
        }
        errs.into_result(())
    }
}

/// Body of `POST /api/v1/loans`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoanCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: LoanInput,
}

/// Body of `PUT /api/v1/loans/{id}`: corrected fields of a draft or returned application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoanUpdate {
    /// The version last seen (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The fields.
    #[serde(flatten)]
    pub fields: LoanInput,
}

/// Body of `POST /api/v1/loans/{id}/actions`: one workflow step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoanAction {
    /// The step.
    pub action: LoanActionKind,
    /// The version last seen.
    pub version: i64,
    /// Why (required to send back; optional to withdraw).
    #[serde(default)]
    pub reason: Option<String>,
    /// Approve: the amount (at most the computed subsidy). Disburse: the amount paid
    /// (at most the approved amount).
    #[serde(default)]
    pub amount_fen: Option<i64>,
    /// Disburse: the payment date.
    #[serde(default)]
    pub date: Option<NaiveDate>,
}

/// One step of an application's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoanEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (login name).
    pub actor_username: String,
    /// Their unit.
    pub actor_unit: String,
    /// From which status (none for creation).
    pub from_status: Option<LoanStatus>,
    /// To which status.
    pub to_status: LoanStatus,
    /// Reason given.
    pub reason: Option<String>,
    /// Amount approved or paid.
    pub amount_fen: Option<i64>,
}

/// A loan subsidy application as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Loan {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: LoanInput,
    /// Applicant's name (person or base).
    pub applicant_name: String,
    /// Owning county.
    pub county_code: String,
    /// Programme year.
    pub year: i32,
    /// Status.
    pub status: LoanStatus,
    /// The rule applied to the loan.
    pub calculation: SubsidyCalc,
    /// Amount approved.
    pub approved_fen: Option<i64>,
    /// Amount paid.
    pub disbursed_fen: Option<i64>,
    /// Payment date.
    pub disbursed_on: Option<NaiveDate>,
    /// Every step so far, oldest first (empty in lists).
    pub timeline: Vec<LoanEvent>,
    /// The steps the caller may take now (see [`crate::workflow`]).
    #[serde(default)]
    pub allowed_actions: Vec<LoanActionKind>,
    /// Whether the caller may edit the fields now.
    #[serde(default)]
    pub can_edit: bool,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// Province targets of measure 13 for a programme year, held as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmploymentTargets {
    /// Registered-poor disabled people to train.
    pub persons_trained: i64,
    /// Loan interest subsidies to spend, in fen.
    pub subsidy_fen: i64,
}

/// Employment numbers of one unit for a programme year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmploymentKpiRow {
    /// Unit code (province, city or county).
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Distinct registered-poor persons who completed a course of the year.
    pub persons_trained: i64,
    /// Enrolments (not dropped) in courses of the year.
    pub enrolments: i64,
    /// Courses starting in the year.
    pub courses: i64,
    /// Subsidy approved (approved or disbursed applications), in fen.
    pub subsidy_committed_fen: i64,
    /// Subsidy paid out, in fen.
    pub subsidy_disbursed_fen: i64,
    /// Employment bases recognised up to the end of the year.
    pub bases: i64,
}

/// Answer of `GET /api/v1/kpi/employment`: the unit, its children, and the targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmploymentKpi {
    /// Programme year.
    pub year: i32,
    /// The unit asked for.
    pub total: EmploymentKpiRow,
    /// Its cities (for the province) or counties (for a city); empty for a county.
    pub children: Vec<EmploymentKpiRow>,
    /// Province targets, when set for the year.
    pub targets: Option<EmploymentTargets>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> SubsidyRule {
        SubsidyRule {
            year: 2020,
            share_bp: 5000,
            cap_person_fen: 500_000,
            cap_base_fen: 5_000_000,
            max_principal_fen: 50_000_000,
        }
    }

    #[test]
    fn subsidy_is_half_the_interest_rounded_once() {
        // 50,000 yuan at 4.35 % for 12 months: interest 2,175.00 yuan, subsidy 1,087.50 yuan.
        let c = compute_subsidy(&rule(), Applicant::Person, 5_000_000, 435, 12).expect("valid");
        assert_eq!(
            c,
            SubsidyCalc {
                interest_fen: 217_500,
                subsidy_fen: 108_750,
                capped: false
            }
        );
        // 10,001 fen at 3.33 % for 7 months: interest 194.27... fen → 194; subsidy 97.136... → 97.
        let c = compute_subsidy(&rule(), Applicant::Person, 10_001, 333, 7).expect("valid");
        assert_eq!((c.interest_fen, c.subsidy_fen), (194, 97));
        // Exactly half a fen rounds up: 1 fen of interest, half subsidised → 0.5 → 1.
        let c = compute_subsidy(&rule(), Applicant::Person, 120_000, 1, 1).expect("valid");
        assert_eq!((c.interest_fen, c.subsidy_fen), (1, 1));
    }

    #[test]
    fn caps_and_limits() {
        let c = compute_subsidy(&rule(), Applicant::Person, 50_000_000, 500, 36).expect("valid");
        assert_eq!((c.subsidy_fen, c.capped), (500_000, true));
        let c = compute_subsidy(&rule(), Applicant::Base, 50_000_000, 500, 36).expect("valid");
        assert_eq!((c.subsidy_fen, c.capped), (3_750_000, false));
        let e = compute_subsidy(&rule(), Applicant::Person, 50_000_001, 500, 12)
            .err()
            .unwrap_or_default();
        assert_eq!(e[0].code, "above_maximum");
        let e = compute_subsidy(&rule(), Applicant::Person, 0, 0, 0)
            .err()
            .unwrap_or_default();
        assert_eq!(e.len(), 3);
        // Interest beyond i64 is a field error, never a saturated or wrapped value.
        let huge = SubsidyRule {
            max_principal_fen: i64::MAX,
            cap_person_fen: i64::MAX,
            ..rule()
        };
        let e = compute_subsidy(&huge, Applicant::Person, i64::MAX, 5000, 120)
            .err()
            .unwrap_or_default();
        assert_eq!(e[0].code, "too_large");
    }

    #[test]
    fn enrolment_rules() {
        let today = NaiveDate::from_ymd_opt(2020, 6, 1).unwrap_or_default();
        let start = NaiveDate::from_ymd_opt(2020, 5, 1).unwrap_or_default();
        let done = |d: Option<NaiveDate>| EnrolmentUpdate {
            version: 1,
            status: EnrolmentStatus::Completed,
            hours_attended: 40,
            completion_date: d,
            certificate_obtained: true,
            outcome: Some(TrainingOutcome::Employed),
        };
        assert!(done(Some(today)).validate(today, start, 40).is_ok());
        let code = |u: EnrolmentUpdate| {
            u.validate(today, start, 40)
                .err()
                .unwrap_or_default()
                .first()
                .map(|e| e.code.clone())
        };
        assert_eq!(code(done(None)).as_deref(), Some("required"));
        assert_eq!(code(done(today.succ_opt())).as_deref(), Some("in_future"));
        assert_eq!(
            code(done(start.pred_opt())).as_deref(),
            Some("before_start")
        );
        let mut over = done(Some(today));
        over.hours_attended = 41;
        assert_eq!(code(over).as_deref(), Some("out_of_range"));
    }

    #[test]
    fn course_rules() {
        let c: CourseInput = serde_json::from_value(serde_json::json!({
            "name": "种植技术培训", "kind": "practical_technique", "county_code": "430381",
            "start_date": "2020-05-10", "end_date": "2020-05-01", "planned_places": 0, "hours": 40
        }))
        .expect("json");
        assert_eq!(c.programme, Programme::SunshineIncomePlan);
        let fields: Vec<String> = c
            .validate()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["end_date", "planned_places"]);
    }
}

/// An employment base as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Base {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: BaseInput,
    /// Disabled employees linked from the registry.
    pub employees: i64,
    /// When created.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Body of `POST /api/v1/bases`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BaseCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: BaseInput,
}

/// Body of `PUT /api/v1/bases/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BaseUpdate {
    /// The version last seen.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: BaseInput,
}

/// A disabled employee of a base.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Employee {
    /// The person.
    pub person_id: Uuid,
    /// Name.
    pub name: String,
    /// Masked identity number.
    pub id_number: String,
}

/// Body of `POST /api/v1/bases/{id}/employees`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmployeeAdd {
    /// The registered person.
    pub person_id: Uuid,
}

/// A programme year with its allocations, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeYear {
    /// The subsidy rule.
    pub rule: SubsidyRule,
    /// Provincial subsidy budget, in fen.
    pub budget_fen: i64,
    /// The plan's targets.
    pub targets: EmploymentTargets,
    /// What each city was given, committed and paid.
    pub allocations: Vec<Allocation>,
}

/// Body of `PUT /api/v1/programme-years/{year}`: the rule, budget and targets of a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeYearSet {
    /// Share of the interest subsidised, in basis points (0 to 10,000).
    pub share_bp: i64,
    /// Most subsidy for one person's loan, in fen.
    pub cap_person_fen: i64,
    /// Most subsidy for one base's loan, in fen.
    pub cap_base_fen: i64,
    /// Largest principal that qualifies, in fen.
    pub max_principal_fen: i64,
    /// Provincial subsidy budget, in fen.
    pub budget_fen: i64,
    /// Target: registered-poor persons to train.
    pub target_persons_trained: i64,
    /// Target: subsidy to spend, in fen.
    pub target_subsidy_fen: i64,
}

/// A city's share of a year's budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Allocation {
    /// City code.
    pub city_code: String,
    /// Allocated, in fen.
    pub allocated_fen: i64,
    /// Committed by approvals, in fen.
    pub committed_fen: i64,
    /// Paid out, in fen.
    pub disbursed_fen: i64,
}

/// Body of `PUT /api/v1/programme-years/{year}/allocations/{city}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocationSet {
    /// The city's new allocation, in fen.
    pub allocated_fen: i64,
}
