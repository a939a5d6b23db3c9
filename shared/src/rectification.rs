//! Measure 6, problems rectified to zero (问题清零): one rectification item per problem
//! found — in the 2019 assessment, an inspection, a cadre's visit, a petition, a
//! self-check or by a superior — rectified by the county it belongs to, rechecked and
//! closed out (销号) by another unit.
//!
//! The item workflow, as data in [`RECTIFICATION_WORKFLOW`]:
//!
//! | step         | from                          | to          | side        | capability              |
//! |--------------|-------------------------------|-------------|-------------|-------------------------|
//! | assign       | open                          | assigned    | responsible | `write_rectification`   |
//! | start        | assigned                      | rectifying  | responsible | `write_rectification`   |
//! | long_term    | assigned, rectifying          | long_term   | responsible | `write_rectification`   |
//! | submit       | rectifying, long_term         | submitted ¹ | responsible | `write_rectification`   |
//! | recheck_pass | submitted                     | rechecked   | checker ²   | `recheck_rectification` |
//! | recheck_fail | submitted                     | rectifying  | checker ²   | `recheck_rectification` |
//! | close        | rechecked                     | closed      | checker ²   | `recheck_rectification` |
//! | reopen       | closed                        | rectifying  | checker ²   | `recheck_rectification` |
//! | merge        | open, assigned, rectifying, long_term | duplicate | either | `write_rectification`   |
//!
//! ¹ with at least one evidence attachment and a note of what was done.
//! ² the recheck and the close are done by a unit other than the one that rectified: the
//! responsible side is the item's county; the checker is a city or provincial unit (the
//! city DPF, the provincial poverty office) whose area covers the county, and never the
//! unit that submitted the rectification.
//!
//! `long_term` needs a plan and a new deadline; `merge` names the item this one duplicates
//! (`duplicate_of`): the merged item is final and counted nowhere.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Capability;
use crate::validation::{validate_text, FieldErrors};
use crate::workflow::{OrgLevel, Refusal};
use crate::FieldError;

crate::string_enum! {
    /// Where a problem was found.
    pub enum ProblemSource {
        /// The 2019 national assessment (2019年考核反馈).
        Assessment2019 = "assessment_2019",
        /// An unannounced inspection (四不两直).
        Inspection = "inspection",
        /// A cadre's visit to a paired household.
        Visit = "visit",
        /// A petition.
        Petition = "petition",
        /// The unit's own self-check (自查).
        SelfCheck = "self_check",
        /// Assigned by a superior.
        Superior = "superior",
    }
}

crate::string_enum! {
    /// The three groups of the problem list: "三落实、三精准、三保障".
    pub enum CategoryGroup {
        /// 三落实: responsibility, policy and work carried out.
        Implementation = "implementation",
        /// 三精准: precise identification, assistance and exit.
        Precision = "precision",
        /// 两不愁三保障 (and safe drinking water).
        Assurance = "assurance",
    }
}

crate::string_enum! {
    /// The category of a problem: a sub-code of one of the three groups (a closed list).
    pub enum ProblemCategory {
        /// 责任落实: responsibility not carried out.
        Responsibility = "responsibility",
        /// 政策落实: a policy not delivered.
        Policy = "policy",
        /// 工作落实: work not done.
        Work = "work",
        /// 识别精准: wrongly identified (left out or included).
        Identification = "identification",
        /// 帮扶精准: help not matched to the need.
        Assistance = "assistance",
        /// 退出精准: exited from poverty without meeting the standard.
        Exit = "exit",
        /// 两不愁: food and clothing.
        FoodClothing = "food_clothing",
        /// 义务教育有保障: compulsory education.
        Education = "education",
        /// 基本医疗有保障: basic medical care.
        Medical = "medical",
        /// 住房安全有保障: safe housing.
        Housing = "housing",
        /// 饮水安全有保障: safe drinking water.
        DrinkingWater = "drinking_water",
    }
}

impl ProblemCategory {
    /// The group the category belongs to.
    pub fn group(self) -> CategoryGroup {
        use ProblemCategory::*;
        match self {
            Responsibility | Policy | Work => CategoryGroup::Implementation,
            Identification | Assistance | Exit => CategoryGroup::Precision,
            FoodClothing | Education | Medical | Housing | DrinkingWater => {
                CategoryGroup::Assurance
            }
        }
    }
}

crate::string_enum! {
    /// Where a rectification item stands.
    pub enum RectificationStatus {
        /// Found, not yet given to anyone.
        Open = "open",
        /// A responsible person of the county was named.
        Assigned = "assigned",
        /// Being rectified (or again, after a failed recheck or a reopen).
        Rectifying = "rectifying",
        /// Rectified, with evidence: waiting for the recheck.
        Submitted = "submitted",
        /// The recheck found it rectified: waiting for the close-out.
        Rechecked = "rechecked",
        /// Closed out (销号).
        Closed = "closed",
        /// Cannot be fixed at once: a plan and a new deadline.
        LongTerm = "long_term",
        /// A duplicate of another item, merged into it (final; counted nowhere).
        Duplicate = "duplicate",
    }
}

impl RectificationStatus {
    /// Whether the item still counts as an open problem (not closed, not a duplicate).
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Closed | Self::Duplicate)
    }

    /// Whether the responsible county holds the item (its deadline runs): open,
    /// assigned, rectifying or long-term.
    pub fn with_responsible(self) -> bool {
        matches!(
            self,
            Self::Open | Self::Assigned | Self::Rectifying | Self::LongTerm
        )
    }
}

/// Whether an item in `status` with `deadline` is overdue on `today`: the county still
/// holds it and the deadline has passed (a submitted item waits for the checker).
pub fn is_overdue(status: RectificationStatus, deadline: NaiveDate, today: NaiveDate) -> bool {
    status.with_responsible() && deadline < today
}

/// The statuses that count as overdue once their deadline passes.
pub const DEADLINE_STATUSES: &[RectificationStatus] = &[
    RectificationStatus::Open,
    RectificationStatus::Assigned,
    RectificationStatus::Rectifying,
    RectificationStatus::LongTerm,
];

crate::string_enum! {
    /// A step of the rectification workflow.
    pub enum RectificationActionKind {
        /// Name the responsible person.
        Assign = "assign",
        /// Start rectifying.
        Start = "start",
        /// Cannot be fixed at once: a plan and a new deadline.
        LongTerm = "long_term",
        /// Rectified: what was done, with evidence.
        Submit = "submit",
        /// The recheck finds it rectified.
        RecheckPass = "recheck_pass",
        /// The recheck finds it not rectified: back to the county.
        RecheckFail = "recheck_fail",
        /// Close out (销号).
        Close = "close",
        /// The problem is back: reopen a closed item.
        Reopen = "reopen",
        /// A duplicate of another item: merge into it.
        Merge = "merge",
    }
}

crate::string_enum! {
    /// Who takes a step of the workflow, relative to the item.
    pub enum StepSide {
        /// The responsible county (a county-level user).
        Responsible = "responsible",
        /// A unit above the county (city or province), not the one that rectified.
        Checker = "checker",
        /// Either.
        Either = "either",
    }
}

/// One step of the rectification workflow and who may take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RectificationStep {
    /// The status the item must be in.
    pub from: RectificationStatus,
    /// The step.
    pub action: RectificationActionKind,
    /// The status it leads to.
    pub to: RectificationStatus,
    /// Who takes it.
    pub side: StepSide,
    /// The capability the user's roles must grant.
    pub capability: Capability,
}

const fn rs(
    from: RectificationStatus,
    action: RectificationActionKind,
    to: RectificationStatus,
    side: StepSide,
    capability: Capability,
) -> RectificationStep {
    RectificationStep {
        from,
        action,
        to,
        side,
        capability,
    }
}

/// The rectification workflow: every allowed step (see the module's table). A (status,
/// action) pair appears at most once.
pub const RECTIFICATION_WORKFLOW: &[RectificationStep] = {
    use Capability::{RecheckRectification as K, WriteRectification as W};
    use RectificationActionKind as A;
    use RectificationStatus as S;
    use StepSide::{Checker as C, Either as E, Responsible as R};
    &[
        rs(S::Open, A::Assign, S::Assigned, R, W),
        rs(S::Assigned, A::Start, S::Rectifying, R, W),
        rs(S::Assigned, A::LongTerm, S::LongTerm, R, W),
        rs(S::Rectifying, A::LongTerm, S::LongTerm, R, W),
        rs(S::Rectifying, A::Submit, S::Submitted, R, W),
        rs(S::LongTerm, A::Submit, S::Submitted, R, W),
        rs(S::Submitted, A::RecheckPass, S::Rechecked, C, K),
        rs(S::Submitted, A::RecheckFail, S::Rectifying, C, K),
        rs(S::Rechecked, A::Close, S::Closed, C, K),
        rs(S::Closed, A::Reopen, S::Rectifying, C, K),
        rs(S::Open, A::Merge, S::Duplicate, E, W),
        rs(S::Assigned, A::Merge, S::Duplicate, E, W),
        rs(S::Rectifying, A::Merge, S::Duplicate, E, W),
        rs(S::LongTerm, A::Merge, S::Duplicate, E, W),
    ]
};

/// The user asking, as the rectification workflow sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RectificationCaller<'a> {
    /// The level the user works at (their scope covers the item's county).
    pub level: OrgLevel,
    /// What the user's roles (and unit) allow.
    pub capabilities: &'a [Capability],
    /// Whether the user's unit submitted the item's rectification (the unit that
    /// rectified may not recheck or close it).
    pub rectifying_unit: bool,
}

/// Why a rectification step is refused, beyond [`Refusal`]: the unit that rectified
/// may not recheck or close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RectificationRefusal {
    /// One of the workflow's common refusals.
    Workflow(Refusal),
    /// The caller's unit rectified the item: another unit rechecks and closes it.
    SameUnit,
}

/// The step `action` from `status`, if `caller` may take it.
pub fn authorise(
    status: RectificationStatus,
    action: RectificationActionKind,
    caller: &RectificationCaller<'_>,
) -> Result<&'static RectificationStep, RectificationRefusal> {
    let t = RECTIFICATION_WORKFLOW
        .iter()
        .find(|t| t.from == status && t.action == action)
        .ok_or(RectificationRefusal::Workflow(Refusal::InvalidTransition))?;
    match t.side {
        StepSide::Responsible if caller.level != OrgLevel::County => {
            return Err(RectificationRefusal::Workflow(Refusal::WrongLevel(
                OrgLevel::County,
            )))
        }
        StepSide::Checker if caller.level == OrgLevel::County => {
            return Err(RectificationRefusal::Workflow(Refusal::WrongLevel(
                OrgLevel::City,
            )))
        }
        _ => {}
    }
    if !caller.capabilities.contains(&t.capability) {
        return Err(RectificationRefusal::Workflow(Refusal::MissingCapability(
            t.capability,
        )));
    }
    if t.side == StepSide::Checker && caller.rectifying_unit {
        return Err(RectificationRefusal::SameUnit);
    }
    Ok(t)
}

/// The steps `caller` may take on an item in `status`, in the table's order.
pub fn allowed_actions(
    status: RectificationStatus,
    caller: &RectificationCaller<'_>,
) -> Vec<RectificationActionKind> {
    RECTIFICATION_WORKFLOW
        .iter()
        .filter(|t| t.from == status && authorise(status, t.action, caller).is_ok())
        .map(|t| t.action)
        .collect()
}

/// The statuses in which a user at `level` with `capabilities` has a step to take.
pub fn waiting_statuses(level: OrgLevel, capabilities: &[Capability]) -> Vec<RectificationStatus> {
    let mut v = Vec::new();
    for t in RECTIFICATION_WORKFLOW {
        let side_ok = match t.side {
            StepSide::Responsible => level == OrgLevel::County,
            StepSide::Checker => level != OrgLevel::County,
            // Merging is housekeeping, not work waiting for anyone.
            StepSide::Either => false,
        };
        // Nor is reopening a closed item.
        let side_ok = side_ok && t.action != RectificationActionKind::Reopen;
        if side_ok && capabilities.contains(&t.capability) && !v.contains(&t.from) {
            v.push(t.from);
        }
    }
    v
}

/// Longest description.
pub const MAX_DESCRIPTION: usize = 2000;
/// Longest note, plan or reference.
pub const MAX_NOTE: usize = 2000;
/// Most days between finding a problem and its deadline (two years).
pub const MAX_DEADLINE_DAYS: i64 = 730;

/// The fields of a new rectification item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RectificationInput {
    /// Where the problem was found.
    pub source: ProblemSource,
    /// The record of the ledger that found it (a visit, inspection or petition id).
    #[serde(default)]
    pub source_id: Option<Uuid>,
    /// A reference in words (the 2019 assessment's item number, a document …).
    #[serde(default)]
    pub source_ref: Option<String>,
    /// The responsible county (6 digits).
    pub county_code: String,
    /// The person concerned, if any.
    #[serde(default)]
    pub person_id: Option<Uuid>,
    /// The household concerned, in words (household number, village), if any.
    #[serde(default)]
    pub household: Option<String>,
    /// Category.
    pub category: ProblemCategory,
    /// What is wrong.
    pub description: String,
    /// The plan's measure it falls under (1–22), if any.
    #[serde(default)]
    pub measure: Option<i16>,
    /// The day it was found.
    pub found_on: NaiveDate,
    /// The day it must be rectified by.
    pub deadline: NaiveDate,
}

impl RectificationInput {
    /// Checks the fields; `today` bounds the day found.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.description.trim().is_empty() {
            errs.add("description", "required", "describe the problem");
        } else {
            errs.check(
                "description",
                validate_text(&self.description, MAX_DESCRIPTION),
            );
        }
        for (field, v, max) in [
            ("source_ref", &self.source_ref, 200),
            ("household", &self.household, 200),
        ] {
            if let Some(v) = v {
                errs.check(field, validate_text(v, max));
            }
        }
        if self.county_code.len() != 6 || !self.county_code.bytes().all(|b| b.is_ascii_digit()) {
            errs.add("county_code", "invalid_region", "a 6-digit county code");
        }
        if let Some(m) = self.measure {
            if !(1..=99).contains(&m) {
                errs.add("measure", "out_of_range", "a measure number, 1 to 99");
            }
        }
        if self.found_on > today {
            errs.add("found_on", "in_future", "not after today");
        }
        if self.deadline < self.found_on {
            errs.add("deadline", "before_identified", "not before the day found");
        } else if (self.deadline - self.found_on).num_days() > MAX_DEADLINE_DAYS {
            errs.add(
                "deadline",
                "out_of_range",
                "at most two years after the day found",
            );
        }
        errs.into_result(())
    }
}

/// Body of `POST /api/v1/rectification/items`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RectificationCreate {
    /// Client-chosen id (a retry with the same id and body answers the same item).
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: RectificationInput,
}

/// A long-term item's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LongTermInput {
    /// How and when it will be fixed.
    pub plan: String,
    /// The new deadline (after the current one, at most two years after the day found).
    pub deadline: NaiveDate,
}

/// Body of `POST /api/v1/rectification/items/{id}/actions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RectificationAction {
    /// The step.
    pub action: RectificationActionKind,
    /// The version last seen.
    pub version: i64,
    /// A note: what was done (submit, required), what the recheck found (recheck_fail
    /// and reopen, required), otherwise optional.
    #[serde(default)]
    pub note: Option<String>,
    /// Assign: the responsible person (name and post).
    #[serde(default)]
    pub responsible_person: Option<String>,
    /// Long-term: the plan and the new deadline.
    #[serde(default)]
    pub long_term: Option<LongTermInput>,
    /// Merge: the item this one duplicates.
    #[serde(default)]
    pub duplicate_of: Option<Uuid>,
}

/// A step in an item's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RectificationEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor_username: String,
    /// Their unit.
    pub actor_unit: String,
    /// The step (none for the creation).
    pub action: Option<RectificationActionKind>,
    /// From.
    pub from_status: Option<RectificationStatus>,
    /// To.
    pub to_status: RectificationStatus,
    /// Note.
    pub note: Option<String>,
}

/// A rectification item as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RectificationItem {
    /// Id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// Where it was found.
    pub source: ProblemSource,
    /// The finding record.
    pub source_id: Option<Uuid>,
    /// Reference in words.
    pub source_ref: Option<String>,
    /// The responsible county.
    pub county_code: String,
    /// The person concerned.
    pub person_id: Option<Uuid>,
    /// The person's name (when the caller may read persons).
    pub person_name: Option<String>,
    /// The household, in words.
    pub household: Option<String>,
    /// Category.
    pub category: ProblemCategory,
    /// Its group.
    pub category_group: CategoryGroup,
    /// What is wrong.
    pub description: String,
    /// The plan's measure.
    pub measure: Option<i16>,
    /// The responsible person.
    pub responsible_person: Option<String>,
    /// Found on.
    pub found_on: NaiveDate,
    /// The current deadline.
    pub deadline: NaiveDate,
    /// The first deadline.
    pub original_deadline: NaiveDate,
    /// Status.
    pub status: RectificationStatus,
    /// In the status since.
    pub status_since: DateTime<Utc>,
    /// The county holds it past its deadline.
    pub overdue: bool,
    /// A long-term item's plan.
    pub long_term_plan: Option<String>,
    /// What was done.
    pub rectification_note: Option<String>,
    /// The unit that submitted the rectification.
    pub submitted_unit: Option<String>,
    /// When.
    pub submitted_at: Option<DateTime<Utc>>,
    /// What the last recheck found.
    pub recheck_note: Option<String>,
    /// The unit that rechecked.
    pub rechecked_unit: Option<String>,
    /// The unit that closed it out.
    pub closed_unit: Option<String>,
    /// When it was closed out.
    pub closed_at: Option<DateTime<Utc>>,
    /// The item it duplicates.
    pub duplicate_of: Option<Uuid>,
    /// Times reopened after a close.
    pub reopen_count: i32,
    /// Failed rechecks.
    pub recheck_failures: i32,
    /// Live evidence attachments.
    pub evidence_count: i64,
    /// The caller's next steps.
    pub allowed_actions: Vec<RectificationActionKind>,
    /// History (on a single item; empty in lists).
    pub timeline: Vec<RectificationEvent>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Updated.
    pub updated_at: DateTime<Utc>,
}

/// One unit's row of `GET /api/v1/kpi/rectification`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RectificationKpiRow {
    /// The unit (a child of the area asked about, or the area itself on the total row).
    pub unit_code: String,
    /// Its name.
    pub unit_name: String,
    /// Items counted (duplicates excluded).
    pub items: i64,
    /// Still open (not closed): to be driven to zero.
    pub open: i64,
    /// Open and past the deadline while the county holds them.
    pub overdue: i64,
    /// Closed items.
    pub closed: i64,
    /// Closed ÷ items, in per mille (none without items).
    pub closure_rate_permille: Option<i64>,
    /// Items ever reopened after a close.
    pub reopened: i64,
    /// Reopened ÷ items ever closed (closed now, or reopened), in per mille.
    pub reopen_rate_permille: Option<i64>,
    /// The median number of days from creation to close-out of the closed items.
    pub median_days_to_close: Option<f64>,
}

/// `GET /api/v1/kpi/rectification`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RectificationKpi {
    /// The area.
    pub area: String,
    /// The day counted on (for overdue).
    pub as_of: NaiveDate,
    /// One row per child unit.
    pub children: Vec<RectificationKpiRow>,
    /// The area's total.
    pub total: RectificationKpiRow,
}

crate::string_enum! {
    /// The kind of a "my work" entry.
    pub enum WorkKind {
        /// A rectification item the caller's county holds.
        Rectification = "rectification",
        /// A rectification item waiting for the caller's recheck or close-out.
        RectificationRecheck = "rectification_recheck",
        /// A retrofit case longer in its status than allowed.
        RetrofitCase = "retrofit_case",
        /// A plan milestone of the caller's unit.
        Milestone = "milestone",
    }
}

/// An entry of `GET /api/v1/my-work`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkItem {
    /// Kind.
    pub kind: WorkKind,
    /// The record's id (text: milestones have composite keys).
    pub id: String,
    /// What it is.
    pub title: String,
    /// The unit that holds it.
    pub unit_code: String,
    /// Due on.
    pub due: Option<NaiveDate>,
    /// Past due.
    pub overdue: bool,
    /// The SPA path of the record.
    pub link: String,
}

/// Days ahead "due soon" looks.
pub const DUE_SOON_DAYS: i64 = 7;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use RectificationActionKind as A;
    use RectificationStatus as S;

    fn caller(level: OrgLevel, caps: &[Capability], same: bool) -> RectificationCaller<'_> {
        RectificationCaller {
            level,
            capabilities: caps,
            rectifying_unit: same,
        }
    }

    #[test]
    fn each_pair_once_and_final_states() {
        for (i, a) in RECTIFICATION_WORKFLOW.iter().enumerate() {
            for b in &RECTIFICATION_WORKFLOW[i + 1..] {
                assert!(!(a.from == b.from && a.action == b.action), "{a:?}");
            }
        }
        assert!(RECTIFICATION_WORKFLOW
            .iter()
            .all(|t| t.from != S::Duplicate));
        for s in S::ALL {
            assert_eq!(s.is_open(), !matches!(s, S::Closed | S::Duplicate));
        }
    }

    #[test]
    fn the_county_rectifies_and_another_unit_rechecks() {
        let staff = Role::Staff.capabilities();
        let county = caller(OrgLevel::County, staff, false);
        let city = caller(OrgLevel::City, staff, false);
        assert_eq!(allowed_actions(S::Open, &county), vec![A::Assign, A::Merge]);
        assert_eq!(allowed_actions(S::Open, &city), vec![A::Merge]);
        assert_eq!(
            allowed_actions(S::Rectifying, &county),
            vec![A::LongTerm, A::Submit, A::Merge]
        );
        assert!(allowed_actions(S::Submitted, &county).is_empty());
        assert_eq!(
            allowed_actions(S::Submitted, &city),
            vec![A::RecheckPass, A::RecheckFail]
        );
        assert_eq!(
            authorise(S::Submitted, A::RecheckPass, &county),
            Err(RectificationRefusal::Workflow(Refusal::WrongLevel(
                OrgLevel::City
            )))
        );
        let same = caller(OrgLevel::City, staff, true);
        assert_eq!(
            authorise(S::Rechecked, A::Close, &same),
            Err(RectificationRefusal::SameUnit)
        );
        let leader = caller(OrgLevel::Province, Role::Leader.capabilities(), false);
        assert!(S::ALL
            .iter()
            .all(|s| allowed_actions(*s, &leader).is_empty()));
        assert_eq!(allowed_actions(S::Closed, &city), vec![A::Reopen]);
    }

    #[test]
    fn overdue_only_while_the_county_holds_it() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{e}"));
        assert!(is_overdue(S::Rectifying, d("2020-01-01"), d("2020-01-02")));
        assert!(!is_overdue(S::Rectifying, d("2020-01-02"), d("2020-01-02")));
        assert!(!is_overdue(S::Submitted, d("2020-01-01"), d("2020-01-02")));
        assert!(!is_overdue(S::Closed, d("2020-01-01"), d("2020-01-02")));
        for s in S::ALL {
            assert_eq!(DEADLINE_STATUSES.contains(s), s.with_responsible());
        }
        assert_eq!(
            waiting_statuses(OrgLevel::City, Role::Staff.capabilities()),
            vec![S::Submitted, S::Rechecked]
        );
    }

    #[test]
    fn validation() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{e}"));
        let mut i = RectificationInput {
            source: ProblemSource::Visit,
            source_id: None,
            source_ref: None,
            county_code: "430381".into(),
            person_id: None,
            household: None,
            category: ProblemCategory::Housing,
            description: "roof leaks".into(),
            measure: Some(6),
            found_on: d("2020-03-01"),
            deadline: d("2020-04-01"),
        };
        assert!(i.validate(d("2020-03-02")).is_ok());
        i.deadline = d("2020-02-01");
        i.measure = Some(0);
        i.county_code = "4303".into();
        let errs = i.validate(d("2020-03-02")).err().unwrap_or_default();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["county_code", "measure", "deadline"]);
        assert_eq!(ProblemCategory::Housing.group(), CategoryGroup::Assurance);
        assert_eq!(ProblemCategory::Exit.group(), CategoryGroup::Precision);
    }
}
