//! Measure 7: know who is still poor (摸底排查). The registered-poor disabled people not
//! yet out of poverty are surveyed on the "two no-worries, three guarantees"
//! (两不愁三保障) and on the policies that reach them; every problem found is rectified,
//! and each household has one plan (一户一策).
//!
//! - A **round** (the provincial data update office's, or a unit's own) has a title, a
//!   period, the area it covers and the counties assigned to survey in it.
//! - A **survey** records one person once per round: the day, the six checks (ok, or a
//!   problem with a note), the policies that reach the person, photos (attachments of
//!   owner kind `survey`). It is recorded on a phone, often later: a create takes a
//!   client-chosen id (a re-send answers the stored survey) and an update carries the
//!   version the client saw (409 `stale_version` with the survey in `current`).
//! - A check marked **problem** opens one rectification item for the person's county in
//!   the survey's transaction; the round's problem list shows them with their state.
//! - **Progress** per unit: persons to survey (in poverty, in the assigned counties),
//!   surveyed, problems found and closed.
//! - The **household plan** holds the measures agreed for a household, each with the
//!   responsible unit and a due day, and the day it was done.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::rectification::RectificationStatus;
use crate::validation::{validate_text, FieldErrors};
use crate::visits::{
    validate_checks, CheckResult, RecordedCheck, VisitCheck, VisitCheckItem, VisitPolicy,
};
use crate::FieldError;

/// Most counties a round may assign.
pub const MAX_UNITS: usize = 200;

/// Most measures of a household plan.
pub const MAX_MEASURES: usize = 30;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Whether `code` is a region code of the province: `43`, a city (4 digits) or a county
/// (6 digits), all digits.
pub fn is_area_code(code: &str) -> bool {
    matches!(code.len(), 2 | 4 | 6)
        && code.starts_with("43")
        && code.bytes().all(|b| b.is_ascii_digit())
}

/// A survey round as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundInput {
    /// Title, e.g. "2020年未脱贫残疾人两不愁三保障摸底排查".
    pub title: String,
    /// First day of the round.
    pub from_on: NaiveDate,
    /// Last day of the round.
    pub to_on: NaiveDate,
    /// The area the round covers: the province (`43`), a city or a county.
    pub area_code: String,
    /// The counties assigned to survey (6 digits, within the area); empty assigns every
    /// county of the area.
    #[serde(default)]
    pub units: Vec<String>,
}

impl RoundInput {
    /// Checks the fields that do not need the database.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.title.trim().is_empty() {
            errs.add("title", "required", "the round's title");
        } else {
            errs.check("title", validate_text(&self.title, 100));
        }
        if self.from_on < date(2000, 1, 1) || self.from_on > date(2100, 12, 31) {
            errs.add("from_on", "out_of_range", "the date lies outside 2000–2100");
        }
        if self.to_on < self.from_on {
            errs.add("to_on", "before_start", "the last day precedes the first");
        } else if self.to_on > date(2100, 12, 31) {
            errs.add("to_on", "out_of_range", "the date lies after 2100");
        }
        if !is_area_code(&self.area_code) {
            errs.add(
                "area_code",
                "invalid_region",
                "the province, a city or a county of Hunan",
            );
        }
        if self.units.len() > MAX_UNITS {
            errs.add("units", "too_many", "at most 200 counties");
        } else {
            for (i, u) in self.units.iter().enumerate() {
                if u.len() != 6 || !is_area_code(u) {
                    errs.add(
                        &format!("units[{i}]"),
                        "invalid_region",
                        "a county code (6 digits)",
                    );
                } else if !u.starts_with(&self.area_code) {
                    errs.add(
                        &format!("units[{i}]"),
                        "outside_area",
                        "a county of the round's area",
                    );
                } else if self.units[..i].contains(u) {
                    errs.add(&format!("units[{i}]"), "duplicate", "each county once");
                }
            }
        }
        errs.into_result(())
    }
}

/// Body of `POST /api/v1/survey-rounds`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundCreate {
    /// Client-chosen id: a re-send with the same id and body answers the stored round.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: RoundInput,
}

/// A survey round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyRound {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// Title.
    pub title: String,
    /// First day.
    pub from_on: NaiveDate,
    /// Last day.
    pub to_on: NaiveDate,
    /// The area covered.
    pub area_code: String,
    /// The counties assigned to survey, sorted.
    pub units: Vec<String>,
    /// Who created it (login).
    pub created_by: String,
}

/// One unit's progress in a round.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressRow {
    /// Unit (region) code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Persons to survey: in poverty (未脱贫) in the unit's assigned counties, or
    /// surveyed in the round.
    pub to_survey: i64,
    /// Persons surveyed in the round.
    pub surveyed: i64,
    /// Problems found.
    pub problems: i64,
    /// Of them, closed (销号).
    pub problems_closed: i64,
}

impl ProgressRow {
    /// Surveyed as a share of those to survey, in basis points (None with nobody to
    /// survey).
    pub fn surveyed_bp(&self) -> Option<i64> {
        (self.to_survey > 0).then(|| self.surveyed.saturating_mul(10_000) / self.to_survey)
    }
}

/// `GET /api/v1/survey-rounds/{id}/progress`: a unit and the units below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundProgress {
    /// The round.
    pub round_id: Uuid,
    /// The unit itself.
    pub total: ProgressRow,
    /// Its cities or assigned counties.
    pub children: Vec<ProgressRow>,
}

/// A person of a round's work list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundPerson {
    /// The person.
    pub person_id: Uuid,
    /// Name.
    pub name: String,
    /// County.
    pub county_code: String,
    /// Village or address, if known.
    pub address: Option<String>,
    /// The household number of the registry, if any.
    pub household_number: Option<String>,
    /// The person's survey in the round, if surveyed.
    pub survey_id: Option<Uuid>,
    /// Its version (for an update).
    pub survey_version: Option<i64>,
    /// Problems the survey found.
    pub problems: i64,
}

/// A survey as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyInput {
    /// The round.
    pub round_id: Uuid,
    /// The person surveyed.
    pub person_id: Uuid,
    /// The day surveyed.
    pub surveyed_on: NaiveDate,
    /// The six checks, each once.
    pub checks: Vec<VisitCheck>,
    /// The policies that reach the person.
    #[serde(default)]
    pub policies: Vec<VisitPolicy>,
    /// A remark.
    #[serde(default)]
    pub note: Option<String>,
}

impl SurveyInput {
    /// Checks the fields that do not need the database: no day in the future, every
    /// check once with a note for a problem, no policy twice.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.surveyed_on > today {
            errs.add("surveyed_on", "in_future", "the date lies in the future");
        } else if self.surveyed_on < date(2000, 1, 1) {
            errs.add("surveyed_on", "out_of_range", "the date lies before 2000");
        }
        validate_checks(&self.checks, &self.policies, &mut errs);
        if let Some(n) = self.note.as_deref().filter(|n| !n.trim().is_empty()) {
            errs.check("note", validate_text(n, 1000));
        }
        errs.into_result(())
    }

    /// The checks that found a problem.
    pub fn problems(&self) -> impl Iterator<Item = &VisitCheck> {
        self.checks
            .iter()
            .filter(|c| c.result == CheckResult::Problem)
    }

    /// Six checks, all ok (a form's starting point).
    pub fn all_ok() -> Vec<VisitCheck> {
        VisitCheckItem::ALL
            .iter()
            .map(|i| VisitCheck {
                item: *i,
                result: CheckResult::Ok,
                note: None,
            })
            .collect()
    }
}

/// Body of `POST /api/v1/surveys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyCreate {
    /// Client-chosen id: a re-send with the same id and body answers the stored survey.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: SurveyInput,
}

/// Body of `PUT /api/v1/surveys/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyUpdate {
    /// The version last seen (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The fields.
    #[serde(flatten)]
    pub fields: SurveyInput,
}

/// A recorded survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Survey {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The round.
    pub round_id: Uuid,
    /// The person surveyed.
    pub person_id: Uuid,
    /// The person's name.
    pub person_name: String,
    /// The person's county, which keeps the survey.
    pub county_code: String,
    /// The day surveyed.
    pub surveyed_on: NaiveDate,
    /// The six checks, with the rectification item each problem opened.
    pub checks: Vec<RecordedCheck>,
    /// The policies that reach the person.
    pub policies: Vec<VisitPolicy>,
    /// A remark.
    pub note: Option<String>,
    /// Who surveyed (login).
    pub surveyed_by: String,
}

impl Survey {
    /// The fields as a client would submit them again.
    pub fn input(&self) -> SurveyInput {
        SurveyInput {
            round_id: self.round_id,
            person_id: self.person_id,
            surveyed_on: self.surveyed_on,
            checks: self.checks.iter().map(|c| c.check.clone()).collect(),
            policies: self.policies.clone(),
            note: self.note.clone(),
        }
    }
}

/// A problem a round's survey found, with its rectification item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyProblem {
    /// The survey.
    pub survey_id: Uuid,
    /// The person.
    pub person_id: Uuid,
    /// The person's name.
    pub person_name: String,
    /// The county.
    pub county_code: String,
    /// The check that found it.
    pub item: VisitCheckItem,
    /// What the problem is.
    pub note: String,
    /// The day surveyed.
    pub surveyed_on: NaiveDate,
    /// The rectification item.
    pub rectification_id: Uuid,
    /// Its state.
    pub status: RectificationStatus,
    /// Its deadline.
    pub deadline: NaiveDate,
}

/// One measure of a household plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanMeasure {
    /// What will be done (e.g. "申报重度残疾人护理补贴").
    pub measure: String,
    /// The responsible unit (e.g. "县民政局", "乡镇残联").
    pub responsible_unit: String,
    /// Due day.
    pub due_on: NaiveDate,
    /// The day it was done.
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
}

/// A household plan as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdPlanInput {
    /// The measures, at least one.
    pub measures: Vec<PlanMeasure>,
    /// A remark.
    #[serde(default)]
    pub note: Option<String>,
}

impl HouseholdPlanInput {
    /// Checks the fields that do not need the database.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.measures.is_empty() {
            errs.add("measures", "required", "at least one measure");
        } else if self.measures.len() > MAX_MEASURES {
            errs.add("measures", "too_many", "at most 30 measures");
        }
        for (i, m) in self.measures.iter().enumerate().take(MAX_MEASURES) {
            if m.measure.trim().is_empty() {
                errs.add(&format!("measures[{i}].measure"), "required", "the measure");
            } else {
                errs.check(
                    &format!("measures[{i}].measure"),
                    validate_text(&m.measure, 200),
                );
            }
            if m.responsible_unit.trim().is_empty() {
                errs.add(
                    &format!("measures[{i}].responsible_unit"),
                    "required",
                    "the responsible unit",
                );
            } else {
                errs.check(
                    &format!("measures[{i}].responsible_unit"),
                    validate_text(&m.responsible_unit, 50),
                );
            }
            if m.due_on < date(2000, 1, 1) || m.due_on > date(2100, 12, 31) {
                errs.add(
                    &format!("measures[{i}].due_on"),
                    "out_of_range",
                    "the date lies outside 2000–2100",
                );
            }
            if let Some(d) = m.done_on {
                if d > today {
                    errs.add(
                        &format!("measures[{i}].done_on"),
                        "in_future",
                        "the date lies in the future",
                    );
                } else if d < date(2000, 1, 1) {
                    errs.add(
                        &format!("measures[{i}].done_on"),
                        "out_of_range",
                        "the date lies before 2000",
                    );
                }
            }
        }
        if let Some(n) = self.note.as_deref().filter(|n| !n.trim().is_empty()) {
            errs.check("note", validate_text(n, 1000));
        }
        errs.into_result(())
    }
}

/// Body of `PUT /api/v1/persons/{id}/household-plan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdPlanUpdate {
    /// The version last seen; absent when the household has no plan yet (or send
    /// `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The fields.
    #[serde(flatten)]
    pub fields: HouseholdPlanInput,
}

/// A household's plan (一户一策).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdPlan {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The person it was made for.
    pub person_id: Uuid,
    /// The household number of the registry, if any: the plan is the household's.
    pub household_number: Option<String>,
    /// The county.
    pub county_code: String,
    /// The measures, in the order given.
    pub measures: Vec<PlanMeasure>,
    /// A remark.
    pub note: Option<String>,
    /// Measures past due and not done.
    pub overdue: i64,
    /// Who changed it last (login).
    pub updated_by: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round() -> RoundInput {
        RoundInput {
            title: "2020年摸底排查".into(),
            from_on: date(2020, 3, 1),
            to_on: date(2020, 5, 31),
            area_code: "4303".into(),
            units: vec!["430381".into(), "430302".into()],
        }
    }

    #[test]
    fn a_round_assigns_counties_of_its_area_once() {
        assert_eq!(round().validate(), Ok(()));
        let mut r = round();
        r.units.push("430181".into());
        r.units.push("430381".into());
        r.units.push("4303".into());
        let errs = r.validate().err().unwrap_or_default();
        let fields: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("units[2]", "outside_area"),
                ("units[3]", "duplicate"),
                ("units[4]", "invalid_region")
            ]
        );
        let mut r = round();
        r.area_code = "11".into();
        r.to_on = date(2020, 2, 1);
        let errs = r.validate().err().unwrap_or_default();
        assert_eq!(errs[0].field, "to_on");
        assert_eq!(errs[1].field, "area_code");
    }

    #[test]
    fn a_survey_needs_every_check_and_a_note_for_a_problem() {
        let mut s = SurveyInput {
            round_id: Uuid::nil(),
            person_id: Uuid::nil(),
            surveyed_on: date(2020, 4, 1),
            checks: SurveyInput::all_ok(),
            policies: vec![VisitPolicy::LivingSubsidy],
            note: None,
        };
        assert_eq!(s.validate(date(2020, 4, 1)), Ok(()));
        s.checks[4].result = CheckResult::Problem;
        let errs = s.validate(date(2020, 4, 1)).err().unwrap_or_default();
        assert_eq!(errs[0].field, "checks[4].note");
        s.checks[4].note = Some("危房".into());
        assert_eq!(s.problems().count(), 1);
        assert_eq!(
            s.validate(date(2020, 3, 31)).err().unwrap_or_default()[0].code,
            "in_future"
        );
    }

    #[test]
    fn a_plan_has_measures_with_units_and_days() {
        let mut p = HouseholdPlanInput {
            measures: vec![PlanMeasure {
                measure: "申报护理补贴".into(),
                responsible_unit: "县民政局".into(),
                due_on: date(2020, 6, 30),
                done_on: None,
            }],
            note: None,
        };
        assert_eq!(p.validate(date(2020, 4, 1)), Ok(()));
        p.measures[0].responsible_unit = " ".into();
        p.measures[0].done_on = Some(date(2020, 5, 1));
        let errs = p.validate(date(2020, 4, 1)).err().unwrap_or_default();
        assert_eq!(errs[0].field, "measures[0].responsible_unit");
        assert_eq!(errs[1].code, "in_future");
        p.measures.clear();
        assert_eq!(
            p.validate(date(2020, 4, 1)).err().unwrap_or_default()[0].code,
            "required"
        );
    }
}
