//! Measures 20 and 22 and attachments 2–3: how the campaign is supervised.
//!
//! - **Stationed supervision (蹲点督战, attachment 3).** A provincial DPF leader is
//!   stationed in one of the counties with the most people still poor, from a day to an
//!   optional last day, with the provincial departments tasked alongside; a log of what
//!   the stationing did. The poverty office keeps the assignment table.
//! - **Unannounced inspections (四不两直, measure 22, attachment 2).** A provincial
//!   department visits a county it is not stationed in, unannounced: the leader, the
//!   day, the villages and households visited, the six "two no-worries, three
//!   guarantees" checks and the policies found, the findings. A **planned** inspection
//!   is seen only at the province, never by the inspected county or its city; **filing**
//!   it makes it visible there and opens one rectification item (source `inspection`)
//!   for each check that found a problem, in the same transaction. A filed inspection is
//!   final. Recorded on phones: a create takes a client id, an edit the version seen
//!   (409 with the server's record otherwise).
//! - **Misconduct clues (measure 20).** Misuse of funds, fraud, favouritism or inaction
//!   found on visits, inspections or petitions, referred to the discipline inspectors.
//!   Only the poverty office and leaders see them, never a user of the implicated unit
//!   (nor the implicated user), and every read is audited.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validation::{validate_text, FieldErrors};
use crate::visits::{CheckResult, RecordedCheck, VisitCheck, VisitCheckItem, VisitPolicy};
use crate::FieldError;

/// Longest free text of a finding, a log entry or a clue.
pub const MAX_TEXT: usize = 2000;
/// Most villages one inspection names.
pub const MAX_VILLAGES: usize = 50;
/// Most departments tasked alongside one stationing.
pub const MAX_DEPARTMENTS: usize = 20;

/// Whether `code` has the shape of a provincial department's unit code (`43.rights`).
pub fn is_department_code(code: &str) -> bool {
    code.strip_prefix("43.").is_some_and(|d| {
        (1..=40).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    })
}

/// Whether `code` has the shape of a unit code of Hunan: the province, a city or a
/// county (2, 4 or 6 digits from `43`), or a provincial department.
pub fn is_unit_code(code: &str) -> bool {
    let region = matches!(code.len(), 2 | 4 | 6)
        && code.starts_with("43")
        && code.bytes().all(|b| b.is_ascii_digit());
    region || is_department_code(code)
}

/// Whether `code` has the shape of a village code (12 digits).
pub fn is_village_code(code: &str) -> bool {
    code.len() == 12 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Flags repeated values of `values` under `field` (once).
fn no_repeats(errs: &mut FieldErrors, field: &str, values: &[String], what: &str) {
    let mut seen = std::collections::BTreeSet::new();
    if values.iter().any(|v| !seen.insert(v.as_str())) {
        errs.add(field, "duplicate", what);
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn check_day(errs: &mut FieldErrors, field: &str, day: NaiveDate, today: NaiveDate) {
    if day > today {
        errs.add(field, "in_future", "the date lies in the future");
    } else if day < date(2000, 1, 1) {
        errs.add(field, "out_of_range", "the date lies before 2000");
    }
}

fn check_text(errs: &mut FieldErrors, field: &str, text: Option<&str>, max: usize) {
    if let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) {
        errs.check(field, validate_text(t, max));
    }
}

/// A stationing as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StationingInput {
    /// The stationed leader (a user of the provincial DPF).
    pub leader_id: Uuid,
    /// The county (6 digits).
    pub county_code: String,
    /// The provincial departments tasked with supervision alongside (unit codes such
    /// as `43.rights`): each inspects every county no one is stationed in.
    #[serde(default)]
    pub departments: Vec<String>,
    /// First day.
    pub from_on: NaiveDate,
    /// Last day, if it has ended.
    #[serde(default)]
    pub to_on: Option<NaiveDate>,
    /// A remark.
    #[serde(default)]
    pub note: Option<String>,
}

impl StationingInput {
    /// Checks the fields that do not need the database.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.from_on < date(2000, 1, 1) {
            errs.add("from_on", "out_of_range", "the date lies before 2000");
        }
        if self.to_on.is_some_and(|t| t < self.from_on) {
            errs.add("to_on", "before_start", "the last day precedes the first");
        }
        if self.departments.len() > MAX_DEPARTMENTS {
            errs.add("departments", "too_many", "at most 20 departments");
        } else {
            no_repeats(
                &mut errs,
                "departments",
                &self.departments,
                "each department once",
            );
            for (i, d) in self.departments.iter().enumerate() {
                if !is_department_code(d) {
                    errs.add(
                        &format!("departments[{i}]"),
                        "invalid_value",
                        "a department's code, such as 43.rights",
                    );
                }
            }
        }
        check_text(&mut errs, "note", self.note.as_deref(), 500);
        errs.into_result(())
    }
}

/// Body of `POST /api/v1/stationings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StationingCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: StationingInput,
}

/// Body of `PUT /api/v1/stationings/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StationingUpdate {
    /// The version last seen (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The fields.
    #[serde(flatten)]
    pub fields: StationingInput,
}

/// An entry of a stationing's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StationingLogEntry {
    /// Entry id.
    pub id: Uuid,
    /// The day it concerns.
    pub on: NaiveDate,
    /// What was done.
    pub text: String,
    /// Who wrote it (display name).
    pub written_by: String,
}

/// Body of `POST /api/v1/stationings/{id}/log`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StationingLogInput {
    /// Client-chosen id: a re-send answers the stored entry.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The day it concerns (not in the future).
    pub on: NaiveDate,
    /// What was done.
    pub text: String,
}

impl StationingLogInput {
    /// Checks the fields.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        check_day(&mut errs, "on", self.on, today);
        if self.text.trim().is_empty() {
            errs.add("text", "required", "what was done");
        } else {
            errs.check("text", validate_text(self.text.trim(), MAX_TEXT));
        }
        errs.into_result(())
    }
}

/// A stationing as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stationing {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: StationingInput,
    /// The leader's display name.
    pub leader_name: String,
    /// The county's name.
    pub county_name: String,
    /// The log, oldest first.
    pub log: Vec<StationingLogEntry>,
}

crate::string_enum! {
    /// Where an inspection stands.
    pub enum InspectionStatus {
        /// Planned: seen only at the province.
        Planned = "planned",
        /// Filed: final, seen by the inspected county; its problems are rectification
        /// items.
        Filed = "filed",
    }
}

/// An inspection as a client submits it. A planned one needs the department, the
/// leader and the county; filing needs the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionInput {
    /// Planned or filed (filing is final).
    pub status: InspectionStatus,
    /// The inspecting provincial department (unit code such as `43.rights`).
    pub department_code: String,
    /// The leader of the inspection (a user of the provincial DPF).
    pub leader_id: Uuid,
    /// The inspected county (6 digits).
    pub county_code: String,
    /// The day planned, if any.
    #[serde(default)]
    pub planned_on: Option<NaiveDate>,
    /// The day of the visit (required to file; not in the future).
    #[serde(default)]
    pub visited_on: Option<NaiveDate>,
    /// The villages visited (12-digit codes of the county; at least one to file).
    #[serde(default)]
    pub villages: Vec<String>,
    /// Households visited (at least one to file).
    #[serde(default)]
    pub households_visited: i32,
    /// The six checks, each once (to file).
    #[serde(default)]
    pub checks: Vec<VisitCheck>,
    /// The policies found to have reached the households.
    #[serde(default)]
    pub policies: Vec<VisitPolicy>,
    /// Findings beyond the checks: what works, what does not.
    #[serde(default)]
    pub findings: Option<String>,
}

impl InspectionInput {
    /// Checks the fields that do not need the database; a filed inspection must be
    /// complete.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if let Some(d) = self.planned_on {
            if d < date(2000, 1, 1) {
                errs.add("planned_on", "out_of_range", "the date lies before 2000");
            }
        }
        if let Some(d) = self.visited_on {
            check_day(&mut errs, "visited_on", d, today);
        }
        if !(0..=100_000).contains(&self.households_visited) {
            errs.add("households_visited", "out_of_range", "0 to 100000");
        }
        if !is_department_code(&self.department_code) {
            errs.add(
                "department_code",
                "invalid_value",
                "a department's code, such as 43.rights",
            );
        }
        if self.villages.len() > MAX_VILLAGES {
            errs.add("villages", "too_many", "at most 50 villages");
        } else {
            no_repeats(&mut errs, "villages", &self.villages, "each village once");
            for (i, v) in self.villages.iter().enumerate() {
                if !is_village_code(v) {
                    errs.add(
                        &format!("villages[{i}]"),
                        "invalid_value",
                        "a 12-digit village code",
                    );
                }
            }
        }
        if self.checks.len() > VisitCheckItem::ALL.len() {
            errs.add("checks", "too_many", "each check once");
        }
        for item in VisitCheckItem::ALL {
            let n = self.checks.iter().filter(|c| c.item == *item).count();
            let filing = self.status == InspectionStatus::Filed;
            if n > 1 || (n == 0 && filing) {
                errs.add(
                    &format!("checks.{}", item.as_str()),
                    if n == 0 { "required" } else { "duplicate" },
                    "each check once",
                );
            }
        }
        for (i, c) in self.checks.iter().enumerate() {
            let note = c.note.as_deref().map(str::trim).unwrap_or("");
            if c.result == CheckResult::Problem && note.is_empty() {
                errs.add(
                    &format!("checks[{i}].note"),
                    "required",
                    "describe the problem",
                );
            } else {
                check_text(&mut errs, &format!("checks[{i}].note"), Some(note), 500);
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        if self.policies.iter().any(|p| !seen.insert(*p)) {
            errs.add("policies", "duplicate", "each policy once");
        }
        check_text(&mut errs, "findings", self.findings.as_deref(), MAX_TEXT);
        if self.status == InspectionStatus::Filed {
            if self.visited_on.is_none() {
                errs.add("visited_on", "required", "the day of the visit");
            }
            if self.villages.is_empty() {
                errs.add("villages", "required", "the villages visited");
            }
            if self.households_visited < 1 {
                errs.add("households_visited", "required", "the households visited");
            }
        }
        errs.into_result(())
    }

    /// The checks that found a problem.
    pub fn problems(&self) -> impl Iterator<Item = &VisitCheck> {
        self.checks
            .iter()
            .filter(|c| c.result == CheckResult::Problem)
    }
}

/// Body of `POST /api/v1/inspections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionCreate {
    /// Client-chosen id: a re-send with the same id and body answers the stored record.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: InspectionInput,
}

/// Body of `PUT /api/v1/inspections/{id}` (a planned inspection; status `filed` files
/// it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionUpdate {
    /// The version last seen (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The fields.
    #[serde(flatten)]
    pub fields: InspectionInput,
}

/// An inspection as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inspection {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// Planned or filed.
    pub status: InspectionStatus,
    /// The inspecting department.
    pub department_code: String,
    /// The department's name.
    pub department_name: String,
    /// The leader of the inspection.
    pub leader_id: Uuid,
    /// The leader's display name.
    pub leader_name: String,
    /// The inspected county.
    pub county_code: String,
    /// The county's name.
    pub county_name: String,
    /// The day planned.
    pub planned_on: Option<NaiveDate>,
    /// The day of the visit.
    pub visited_on: Option<NaiveDate>,
    /// The villages visited.
    pub villages: Vec<String>,
    /// Households visited.
    pub households_visited: i32,
    /// The checks, each with the rectification item its problem opened when filed.
    pub checks: Vec<RecordedCheck>,
    /// The policies found.
    pub policies: Vec<VisitPolicy>,
    /// Findings.
    pub findings: Option<String>,
    /// When it was filed.
    pub filed_at: Option<chrono::NaiveDateTime>,
}

/// A department or county of the inspection matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatrixUnit {
    /// Unit code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// Measure 22's KPI for a year: every department tasked with stationed supervision
/// inspects every county no one is stationed in at least once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionMatrix {
    /// The year.
    pub year: i32,
    /// The area shown (province, city or county code).
    pub area: String,
    /// Rows: the departments tasked in a stationing in force during the year.
    pub departments: Vec<MatrixUnit>,
    /// Columns: the counties of the area with no stationing in force during the year.
    pub counties: Vec<MatrixUnit>,
    /// Filed inspections in the year, `filed[d][c]` for department `d` and county `c`.
    pub filed: Vec<Vec<i64>>,
    /// Cells with at least one filed inspection.
    pub covered: i64,
    /// All cells (departments × counties).
    pub cells: i64,
    /// The counties stationed in during the year (not columns).
    pub stationed: Vec<MatrixUnit>,
}

crate::string_enum! {
    /// Where a misconduct clue came from.
    pub enum ClueSource {
        /// A cadre's visit.
        Visit = "visit",
        /// An unannounced inspection.
        Inspection = "inspection",
        /// A petition.
        Petition = "petition",
        /// A report (举报) by letter, phone or in person.
        Report = "report",
        /// An audit or a check of funds.
        Audit = "audit",
        /// Anything else.
        Other = "other",
    }
}

crate::string_enum! {
    /// What a clue is about (measure 20).
    pub enum ClueKind {
        /// Funds diverted, withheld or misused (截留挪用).
        MisuseOfFunds = "misuse_of_funds",
        /// Fraud: false claims, fabricated figures (优亲厚友 excluded).
        Fraud = "fraud",
        /// Favouritism towards relatives and friends (优亲厚友).
        Favouritism = "favouritism",
        /// Inaction or perfunctory work (不作为、慢作为).
        Inaction = "inaction",
        /// Any other misconduct.
        Other = "other",
    }
}

crate::string_enum! {
    /// Where a clue stands.
    pub enum ClueStatus {
        /// Recorded by the poverty office.
        Registered = "registered",
        /// Referred to the discipline inspectors.
        Referred = "referred",
        /// The inspectors' feedback is in.
        FeedbackReceived = "feedback_received",
        /// Closed.
        Closed = "closed",
    }
}

crate::string_enum! {
    /// A step of a clue.
    pub enum ClueAction {
        /// Refer to the discipline inspectors: the day and their reference (registered →
        /// referred).
        Refer = "refer",
        /// Record the inspectors' feedback (referred → feedback_received).
        Feedback = "feedback",
        /// Close, with a note (registered when it is no clue after all, or
        /// feedback_received).
        Close = "close",
    }
}

impl ClueAction {
    /// The status a step leads to from `from`, if it may be taken then.
    pub fn next(self, from: ClueStatus) -> Option<ClueStatus> {
        match (self, from) {
            (ClueAction::Refer, ClueStatus::Registered) => Some(ClueStatus::Referred),
            (ClueAction::Feedback, ClueStatus::Referred) => Some(ClueStatus::FeedbackReceived),
            (ClueAction::Close, ClueStatus::Registered | ClueStatus::FeedbackReceived) => {
                Some(ClueStatus::Closed)
            }
            _ => None,
        }
    }
}

/// A clue as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClueInput {
    /// Where it came from.
    pub source: ClueSource,
    /// What it is about.
    pub kind: ClueKind,
    /// The day it came in (not in the future).
    pub received_on: NaiveDate,
    /// The county concerned (6 digits).
    pub county_code: String,
    /// The implicated unit (a unit code), if any: its users never see the clue.
    #[serde(default)]
    pub implicated_unit: Option<String>,
    /// The implicated user, if they have an account: they never see the clue.
    #[serde(default)]
    pub implicated_user_id: Option<Uuid>,
    /// The implicated person as named (a village cadre, a contractor …).
    #[serde(default)]
    pub implicated_person: Option<String>,
    /// What was found.
    pub description: String,
}

impl ClueInput {
    /// Checks the fields that do not need the database.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        check_day(&mut errs, "received_on", self.received_on, today);
        if self.description.trim().is_empty() {
            errs.add("description", "required", "what was found");
        } else {
            errs.check(
                "description",
                validate_text(self.description.trim(), MAX_TEXT),
            );
        }
        check_text(
            &mut errs,
            "implicated_person",
            self.implicated_person.as_deref(),
            100,
        );
        if let Some(u) = self.implicated_unit.as_deref() {
            if !is_unit_code(u) {
                errs.add("implicated_unit", "invalid_value", "a unit's code");
            } else if u == "43" {
                errs.add(
                    "implicated_unit",
                    "invalid_value",
                    "name the department, the city or the county implicated",
                );
            }
        }
        errs.into_result(())
    }
}

/// Body of `POST /api/v1/clues`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClueCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: ClueInput,
}

/// Body of `POST /api/v1/clues/{id}/actions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClueStep {
    /// The step.
    pub action: ClueAction,
    /// The version last seen.
    pub version: i64,
    /// The day of the referral or of the feedback (not in the future).
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// Refer: the inspectors' reference (required).
    #[serde(default)]
    pub reference: Option<String>,
    /// Feedback: what the inspectors found (required); close: why (required).
    #[serde(default)]
    pub note: Option<String>,
}

impl ClueStep {
    /// Checks the fields the step needs.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        match (self.action, self.on) {
            (ClueAction::Close, _) => {}
            (_, None) => errs.add("on", "required", "the day"),
            (_, Some(d)) => check_day(&mut errs, "on", d, today),
        }
        let reference = self.reference.as_deref().map(str::trim).unwrap_or("");
        if self.action == ClueAction::Refer {
            if reference.is_empty() {
                errs.add("reference", "required", "the inspectors' reference");
            } else {
                errs.check("reference", validate_text(reference, 100));
            }
        }
        let note = self.note.as_deref().map(str::trim).unwrap_or("");
        if matches!(self.action, ClueAction::Feedback | ClueAction::Close) && note.is_empty() {
            errs.add("note", "required", "what was found or why it closes");
        } else {
            check_text(&mut errs, "note", Some(note), MAX_TEXT);
        }
        errs.into_result(())
    }
}

/// A clue as the API shows it (to the poverty office and leaders only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Clue {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: ClueInput,
    /// Where it stands.
    pub status: ClueStatus,
    /// The day it was referred.
    pub referred_on: Option<NaiveDate>,
    /// The inspectors' reference.
    pub reference: Option<String>,
    /// The day of the feedback.
    pub feedback_on: Option<NaiveDate>,
    /// The inspectors' feedback.
    pub feedback: Option<String>,
    /// Why it was closed.
    pub closing_note: Option<String>,
    /// The steps the caller may take now.
    pub allowed_actions: Vec<ClueAction>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned() -> InspectionInput {
        InspectionInput {
            status: InspectionStatus::Planned,
            department_code: "43.rights".into(),
            leader_id: Uuid::nil(),
            county_code: "430381".into(),
            planned_on: Some(date(2020, 5, 1)),
            visited_on: None,
            villages: vec![],
            households_visited: 0,
            checks: vec![],
            policies: vec![],
            findings: None,
        }
    }

    #[test]
    fn a_planned_inspection_needs_little_and_filing_needs_all() {
        let today = date(2020, 6, 1);
        assert!(planned().validate(today).is_ok());
        let mut f = planned();
        f.status = InspectionStatus::Filed;
        let errs = f.validate(today).err().unwrap_or_default();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        for want in [
            "visited_on",
            "villages",
            "households_visited",
            "checks.food",
        ] {
            assert!(fields.contains(&want), "{want} in {fields:?}");
        }
    }

    #[test]
    fn clue_steps_follow_the_ledger() {
        use ClueAction::*;
        use ClueStatus::*;
        assert_eq!(Refer.next(Registered), Some(Referred));
        assert_eq!(Feedback.next(Referred), Some(FeedbackReceived));
        assert_eq!(Close.next(FeedbackReceived), Some(Closed));
        assert_eq!(
            Close.next(Referred),
            None,
            "a referred clue awaits feedback"
        );
        assert_eq!(Refer.next(Closed), None);
    }
}
