//! Measure 18, petitions (信访): letters, visits, calls and messages from disabled people
//! and their families, each a case with an owner county, an assigned unit, deadlines held
//! as data and an explicit close.
//!
//! The workflow, as data in [`PETITION_WORKFLOW`] (every step at the county, by staff who
//! may write petitions):
//!
//! | step      | from                 | to          | needs                              |
//! |-----------|----------------------|-------------|------------------------------------|
//! | accept    | registered           | accepted    | sets the reply deadline            |
//! | redirect  | registered           | redirected  | a note: where the petitioner goes  |
//! | assign    | accepted             | assigned    | the unit that handles it           |
//! | start     | assigned             | in_progress |                                    |
//! | reply     | in_progress          | replied     | the reply                          |
//! | follow_up | replied              | followed_up | the follow-up and the satisfaction |
//! | close     | followed_up, redirected | closed   |                                    |
//! | reopen    | closed               | in_progress | a note: why; a new reply deadline  |
//!
//! Deadlines come from the table of days per channel (`petition_deadlines`, seeded with
//! the figures of the 《信访工作条例》 (2022): tell the petitioner within 15 days whether
//! the matter is accepted (art. 22), and settle it within 60 days of acceptance
//! (art. 36)): the acceptance deadline is the day received plus the acceptance days, the
//! reply deadline the day accepted (or reopened) plus the reply days.
//!
//! The petitioner's name, identity number and phone are stored encrypted and shown
//! masked; the full values are revealed with a reason, audited. Petitions of one
//! petitioner (the same identity number) share a `petitioner_key` and count once in the
//! KPIs whatever channel they came by.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Capability;
use crate::rehab::Ratio;
use crate::retrofit::Satisfaction;
use crate::validation::{validate_name, validate_phone, validate_text, FieldErrors};
use crate::workflow::{step, Transition};
use crate::FieldError;

crate::string_enum! {
    /// How a petition came in.
    pub enum PetitionChannel {
        /// 省长信箱
        GovernorMailbox = "governor_mailbox",
        /// 理事长信箱
        ChairmanMailbox = "chairman_mailbox",
        /// 红网问政
        Rednet = "rednet",
        /// 上级交办
        Referral = "referral",
        /// 来信
        Letter = "letter",
        /// 来访
        Visit = "visit",
        /// 来电
        Phone = "phone",
    }
}

crate::string_enum! {
    /// What a petition is about.
    pub enum PetitionCategory {
        /// 政策咨询
        PolicyInquiry = "policy_inquiry",
        /// 补贴发放（两项补贴等）
        Subsidies = "subsidies",
        /// 社会救助与低保
        SocialAssistance = "social_assistance",
        /// 康复与辅具
        Rehabilitation = "rehabilitation",
        /// 就业与培训
        Employment = "employment",
        /// 教育
        Education = "education",
        /// 住房与无障碍改造
        Housing = "housing",
        /// 残疾人证办理与评定
        Certificate = "certificate",
        /// 权益侵害
        RightsViolation = "rights_violation",
        /// 对工作人员的投诉
        StaffConduct = "staff_conduct",
        /// 其他
        Other = "other",
    }
}

crate::string_enum! {
    /// Where a petition stands.
    pub enum PetitionStatus {
        /// 已登记
        Registered = "registered",
        /// 已受理
        Accepted = "accepted",
        /// 不予受理，已告知向有权机关提出
        Redirected = "redirected",
        /// 已交办
        Assigned = "assigned",
        /// 办理中
        InProgress = "in_progress",
        /// 已答复
        Replied = "replied",
        /// 已回访
        FollowedUp = "followed_up",
        /// 已办结
        Closed = "closed",
    }
}

crate::string_enum! {
    /// A step of the petition workflow.
    pub enum PetitionActionKind {
        /// Accept the matter.
        Accept = "accept",
        /// Do not accept; tell the petitioner where to go.
        Redirect = "redirect",
        /// Hand it to the unit that handles it.
        Assign = "assign",
        /// Start handling.
        Start = "start",
        /// Reply to the petitioner.
        Reply = "reply",
        /// Ask the petitioner afterwards whether it was settled.
        FollowUp = "follow_up",
        /// Close.
        Close = "close",
        /// Open a closed petition again.
        Reopen = "reopen",
    }
}

/// The petition workflow: every allowed step (see the module's table).
pub const PETITION_WORKFLOW: &[Transition<PetitionStatus, PetitionActionKind>] = {
    use crate::workflow::OrgLevel::County;
    use Capability::WritePetitions as W;
    use PetitionActionKind as A;
    use PetitionStatus as S;
    &[
        step(S::Registered, A::Accept, S::Accepted, County, W, false),
        step(S::Registered, A::Redirect, S::Redirected, County, W, false),
        step(S::Accepted, A::Assign, S::Assigned, County, W, false),
        step(S::Assigned, A::Start, S::InProgress, County, W, false),
        step(S::InProgress, A::Reply, S::Replied, County, W, false),
        step(S::Replied, A::FollowUp, S::FollowedUp, County, W, false),
        step(S::FollowedUp, A::Close, S::Closed, County, W, false),
        step(S::Redirected, A::Close, S::Closed, County, W, false),
        step(S::Closed, A::Reopen, S::InProgress, County, W, false),
    ]
};

/// Longest subject.
pub const MAX_SUBJECT: usize = 200;
/// Longest free text (content, reply, follow-up, notes).
pub const MAX_TEXT: usize = 2000;

/// A petition as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PetitionInput {
    /// How it came in.
    pub channel: PetitionChannel,
    /// The day it was received.
    pub received_on: NaiveDate,
    /// The county it concerns (6 digits, in the caller's scope; default the caller's).
    #[serde(default)]
    pub county_code: Option<String>,
    /// The petitioner's name.
    pub petitioner_name: String,
    /// The petitioner's identity number, if given (links their petitions).
    #[serde(default)]
    pub petitioner_id_number: Option<String>,
    /// The petitioner's phone, if given.
    #[serde(default)]
    pub petitioner_phone: Option<String>,
    /// Subject, 1 to 200 characters.
    pub subject: String,
    /// What it is about.
    pub category: PetitionCategory,
    /// What the petitioner asks, in full.
    #[serde(default)]
    pub content: Option<String>,
    /// The registered person it concerns, if any (in the caller's scope).
    #[serde(default)]
    pub person_id: Option<Uuid>,
}

impl PetitionInput {
    /// Checks the fields that do not need the database (the identity number is parsed
    /// by the caller, which knows today).
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.received_on > today {
            errs.add("received_on", "in_future", "the day lies in the future");
        } else if self.received_on < NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN) {
            errs.add("received_on", "out_of_range", "2000 or later");
        }
        errs.check("petitioner_name", validate_name(&self.petitioner_name));
        if let Some(p) = trimmed(&self.petitioner_phone) {
            errs.check("petitioner_phone", validate_phone(p));
        }
        if let Some(id) = trimmed(&self.petitioner_id_number) {
            errs.check("petitioner_id_number", crate::IdNumber::parse(id, today));
        }
        let subject = self.subject.trim();
        if subject.is_empty() {
            errs.add("subject", "required", "give the subject");
        } else {
            errs.check("subject", validate_text(subject, MAX_SUBJECT));
        }
        if let Some(c) = &self.content {
            errs.check("content", validate_text(c, MAX_TEXT));
        }
        if let Some(c) = &self.county_code {
            if c.len() != 6 || !c.bytes().all(|b| b.is_ascii_digit()) {
                errs.add("county_code", "invalid_region", "a 6-digit county code");
            }
        }
        errs.into_result(())
    }
}

/// The trimmed text of an optional field, `None` when empty.
pub fn trimmed(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Body of `POST /api/v1/petitions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PetitionCreate {
    /// Client-chosen id: a retry with the same id and body answers the same petition.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: PetitionInput,
}

/// Body of `POST /api/v1/petitions/{id}/actions`: one workflow step. `on` is the day it
/// takes effect (default today). `assign` needs `assigned_unit`; `reply` needs `reply`;
/// The rectification item to open from a petition whose follow-up found the problem
/// unresolved (`POST /api/v1/petitions/{id}/rectification`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PetitionRectificationInput {
    /// The petition's version as the client saw it.
    pub version: i64,
    /// The problem's category (三落实 / 三精准 / 三保障).
    pub category: crate::rectification::ProblemCategory,
    /// The day it must be rectified by.
    pub deadline: chrono::NaiveDate,
    /// What is wrong (default: the petition's subject).
    #[serde(default)]
    pub description: Option<String>,
}

/// `follow_up` needs `follow_up` and `satisfaction`; `redirect` and `reopen` need `note`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PetitionAction {
    /// The step.
    pub action: PetitionActionKind,
    /// The version last seen (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The day the step takes effect.
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// Assign: the unit that handles it (a unit code in the caller's scope).
    #[serde(default)]
    pub assigned_unit: Option<String>,
    /// Reply: the answer given to the petitioner.
    #[serde(default)]
    pub reply: Option<String>,
    /// Follow-up: what the petitioner said afterwards.
    #[serde(default)]
    pub follow_up: Option<String>,
    /// Follow-up: the petitioner's satisfaction.
    #[serde(default)]
    pub satisfaction: Option<Satisfaction>,
    /// Follow-up: whether a problem remains unsolved.
    #[serde(default)]
    pub unresolved: Option<bool>,
    /// A note for the timeline (redirect: where to; reopen: why).
    #[serde(default)]
    pub note: Option<String>,
}

/// One step of a petition's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PetitionEvent {
    /// The day it took effect.
    pub on: NaiveDate,
    /// Who (login name).
    pub actor_username: String,
    /// From which status (none for registration).
    pub from_status: Option<PetitionStatus>,
    /// To which status.
    pub to_status: PetitionStatus,
    /// Note.
    pub note: Option<String>,
}

/// Another petition of the same petitioner, in the caller's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RelatedPetition {
    /// Its id.
    pub id: Uuid,
    /// How it came in.
    pub channel: PetitionChannel,
    /// When.
    pub received_on: NaiveDate,
    /// Subject.
    pub subject: String,
    /// Where it stands.
    pub status: PetitionStatus,
}

/// A petition as the API shows it: the petitioner masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Petition {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// How it came in.
    pub channel: PetitionChannel,
    /// The day received.
    pub received_on: NaiveDate,
    /// Owning county.
    pub county_code: String,
    /// The petitioner's name, masked (`张**`).
    pub petitioner_name_masked: String,
    /// The identity number, masked.
    pub petitioner_id_number_masked: Option<String>,
    /// The phone, masked.
    pub petitioner_phone_masked: Option<String>,
    /// Petitions of one petitioner share this key (opaque).
    pub petitioner_key: String,
    /// Subject.
    pub subject: String,
    /// Category.
    pub category: PetitionCategory,
    /// Content.
    pub content: Option<String>,
    /// The registered person it concerns.
    pub person_id: Option<Uuid>,
    /// That person's name (empty when out of the caller's sight).
    pub person_name: String,
    /// The unit handling it.
    pub assigned_unit: Option<String>,
    /// That unit's name.
    pub assigned_unit_name: Option<String>,
    /// Status.
    pub status: PetitionStatus,
    /// Accept (or redirect) by this day.
    pub accept_due: NaiveDate,
    /// The day accepted or redirected.
    pub accepted_on: Option<NaiveDate>,
    /// Reply by this day (once accepted).
    pub reply_due: Option<NaiveDate>,
    /// The reply.
    pub reply: Option<String>,
    /// The day replied.
    pub replied_on: Option<NaiveDate>,
    /// The follow-up.
    pub follow_up: Option<String>,
    /// The day followed up.
    pub followed_up_on: Option<NaiveDate>,
    /// The petitioner's satisfaction.
    pub satisfaction: Option<Satisfaction>,
    /// Whether the follow-up found a problem unsolved.
    pub unresolved: bool,
    /// The day closed.
    pub closed_on: Option<NaiveDate>,
    /// How often it was reopened.
    pub reopened: i32,
    /// The rectification item opened from its follow-up, if any.
    pub rectification_id: Option<Uuid>,
    /// Past its current deadline and still open (today, on the server).
    pub overdue: bool,
    /// Every step so far, oldest first (empty in lists).
    pub timeline: Vec<PetitionEvent>,
    /// Other petitions of the same petitioner in the caller's scope (empty in lists).
    pub related: Vec<RelatedPetition>,
    /// The steps the caller may take now.
    #[serde(default)]
    pub allowed_actions: Vec<PetitionActionKind>,
}

/// Answer of a reveal: the petitioner in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PetitionerRevealed {
    /// Name.
    pub name: String,
    /// Identity number.
    pub id_number: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

/// The days a channel allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PetitionDeadline {
    /// The channel.
    pub channel: PetitionChannel,
    /// Days from receipt to accept or redirect.
    pub accept_days: i32,
    /// Days from acceptance to reply.
    pub reply_days: i32,
}

/// The petition KPIs of one unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PetitionKpiRow {
    /// Unit (region) code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Petitions recorded (received in the year).
    pub recorded: i64,
    /// Distinct petitioners behind them.
    pub petitioners: i64,
    /// Petitioners whose every accepted petition has been replied to ÷ petitioners with
    /// an accepted petition.
    pub answered: Ratio,
    /// Petitioners whose every replied petition has been followed up ÷ petitioners with
    /// a replied petition.
    pub followed_up: Ratio,
    /// Petitions replied by their reply deadline ÷ petitions replied.
    pub on_time: Ratio,
    /// Petitions past their current deadline and still open, today.
    pub overdue_open: i64,
}

/// `GET /api/v1/kpi/petitions`: a unit and its children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PetitionKpi {
    /// The year (petitions received in it).
    pub year: i32,
    /// The day `overdue_open` is counted on.
    pub as_of: NaiveDate,
    /// The unit asked for.
    pub total: PetitionKpiRow,
    /// Its children.
    pub children: Vec<PetitionKpiRow>,
}

/// Whether a petition in `status` with these deadlines is overdue on `day`: not yet
/// accepted past the acceptance deadline, or awaiting a reply past the reply deadline.
pub fn is_overdue(
    status: PetitionStatus,
    accept_due: NaiveDate,
    reply_due: Option<NaiveDate>,
    day: NaiveDate,
) -> bool {
    match status {
        PetitionStatus::Registered => day > accept_due,
        PetitionStatus::Accepted | PetitionStatus::Assigned | PetitionStatus::InProgress => {
            reply_due.is_some_and(|d| day > d)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pair_once_and_every_status_reachable_or_initial() {
        for (i, a) in PETITION_WORKFLOW.iter().enumerate() {
            for b in &PETITION_WORKFLOW[i + 1..] {
                assert!(!(a.from == b.from && a.action == b.action), "{a:?}");
            }
        }
        for s in PetitionStatus::ALL {
            let reached = PETITION_WORKFLOW.iter().any(|t| t.to == *s);
            assert!(reached || *s == PetitionStatus::Registered, "{s}");
            let leaves = PETITION_WORKFLOW.iter().any(|t| t.from == *s);
            assert!(leaves, "{s} has a way on (closed reopens)");
        }
    }

    #[test]
    fn overdue_follows_the_stage() {
        let d = |m, day| NaiveDate::from_ymd_opt(2020, m, day).unwrap_or_default();
        use PetitionStatus as S;
        assert!(!is_overdue(S::Registered, d(3, 16), None, d(3, 16)));
        assert!(is_overdue(S::Registered, d(3, 16), None, d(3, 17)));
        assert!(!is_overdue(S::Accepted, d(3, 16), None, d(9, 1)));
        assert!(is_overdue(S::InProgress, d(3, 16), Some(d(5, 1)), d(5, 2)));
        assert!(!is_overdue(S::Replied, d(3, 16), Some(d(5, 1)), d(9, 2)));
        assert!(!is_overdue(S::Redirected, d(3, 16), None, d(9, 2)));
    }
}
