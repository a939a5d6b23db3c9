//! Measure 4 and attachment 1: every DPF cadre is paired with at least one
//! registered-poor disabled household and visits it, checking the "two no-worries,
//! three guarantees" (两不愁三保障) and which policies reached the household.
//!
//! - A **pairing** ties a cadre (a user, with their unit and post) to a household (a
//!   registered-poor person of the registry and their household number) from a day to an
//!   optional last day. The county of the household keeps it.
//! - A **visit** of a pairing records the day, in person or by phone, each of the six
//!   checks as ok or problem (with a note), the policies that reached the household and
//!   the help given. Visits are recorded on phones where there is no signal: a create
//!   takes a client-chosen id, so a re-send is answered with the stored visit, and an
//!   update carries the version the client saw (409 `stale_version` with the server's
//!   visit in `current` otherwise).
//! - A check marked **problem** opens one rectification item (source `visit`) for the
//!   household's county, in the visit's transaction; re-sending the visit opens nothing.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validation::{validate_text, FieldErrors};
use crate::FieldError;

crate::string_enum! {
    /// How a visit was made.
    pub enum VisitMode {
        /// At the household (入户走访).
        InPerson = "in_person",
        /// By telephone.
        Phone = "phone",
    }
}

crate::string_enum! {
    /// One of the "two no-worries, three guarantees" checked on a visit.
    pub enum VisitCheckItem {
        /// Enough to eat (不愁吃).
        Food = "food",
        /// Enough to wear (不愁穿).
        Clothing = "clothing",
        /// Compulsory education of the household's children (义务教育有保障).
        Education = "education",
        /// Basic medical care (基本医疗有保障).
        Medical = "medical",
        /// Safe housing (住房安全有保障).
        Housing = "housing",
        /// Safe drinking water (饮水安全有保障).
        DrinkingWater = "drinking_water",
    }
}

crate::string_enum! {
    /// What a check found.
    pub enum CheckResult {
        /// Assured.
        Ok = "ok",
        /// A problem: it becomes a rectification item.
        Problem = "problem",
    }
}

crate::string_enum! {
    /// A policy that may have reached the household.
    pub enum VisitPolicy {
        /// Living subsidy for poor disabled people (困难残疾人生活补贴).
        LivingSubsidy = "living_subsidy",
        /// Nursing subsidy for severely disabled people (重度残疾人护理补贴).
        NursingSubsidy = "nursing_subsidy",
        /// Subsistence allowance (低保).
        SubsistenceAllowance = "subsistence_allowance",
        /// Basic medical insurance paid for the household.
        MedicalInsurance = "medical_insurance",
        /// Basic pension insurance paid for the household.
        PensionInsurance = "pension_insurance",
        /// Rehabilitation services.
        Rehab = "rehab",
        /// An assistive device.
        Device = "device",
        /// A home accessibility retrofit.
        Retrofit = "retrofit",
        /// Care services (托养).
        Care = "care",
    }
}

/// Longest note of a check.
pub const MAX_NOTE: usize = 500;

/// A pairing as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingInput {
    /// The cadre (a user id).
    pub cadre_id: Uuid,
    /// The cadre's post (职务), as on the ledger.
    pub cadre_post: String,
    /// The registered-poor disabled person whose household is paired.
    pub person_id: Uuid,
    /// First day of the pairing.
    pub from_on: NaiveDate,
    /// Last day, if it has ended.
    #[serde(default)]
    pub to_on: Option<NaiveDate>,
}

impl PairingInput {
    /// Checks the fields that do not need the database.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.cadre_post.trim().is_empty() {
            errs.add("cadre_post", "required", "the cadre's post");
        } else {
            errs.check("cadre_post", validate_text(&self.cadre_post, 50));
        }
        if self.from_on < date(2000, 1, 1) {
            errs.add("from_on", "out_of_range", "the date lies before 2000");
        }
        if self.to_on.is_some_and(|t| t < self.from_on) {
            errs.add("to_on", "before_start", "the last day precedes the first");
        }
        errs.into_result(())
    }

    /// Whether the pairing is in force on `day`.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from_on <= day && self.to_on.is_none_or(|t| day <= t)
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Body of `POST /api/v1/pairings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: PairingInput,
}

/// Body of `PUT /api/v1/pairings/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingUpdate {
    /// The version last seen (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The fields.
    #[serde(flatten)]
    pub fields: PairingInput,
}

/// A pairing as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pairing {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: PairingInput,
    /// The cadre's display name.
    pub cadre_name: String,
    /// The cadre's unit (code) when paired.
    pub cadre_unit: String,
    /// The person's name.
    pub person_name: String,
    /// The household number of the registry, if any.
    pub household_number: Option<String>,
    /// Where the household lives (village or address), if known.
    pub address: Option<String>,
    /// The household's county, which keeps the pairing.
    pub county_code: String,
    /// Day of the latest visit.
    pub last_visit_on: Option<NaiveDate>,
    /// Visits recorded.
    pub visits: i64,
}

/// One check of a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitCheck {
    /// What was checked.
    pub item: VisitCheckItem,
    /// What it found.
    pub result: CheckResult,
    /// What the problem is (required for a problem), or a remark.
    #[serde(default)]
    pub note: Option<String>,
}

/// A visit as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitInput {
    /// The pairing visited.
    pub pairing_id: Uuid,
    /// The day of the visit.
    pub visited_on: NaiveDate,
    /// In person or by phone.
    pub mode: VisitMode,
    /// The six checks, each once.
    pub checks: Vec<VisitCheck>,
    /// The policies that reached the household.
    #[serde(default)]
    pub policies: Vec<VisitPolicy>,
    /// Help given on the visit.
    #[serde(default)]
    pub help_given: Option<String>,
}

impl VisitInput {
    /// Checks the fields that do not need the database: no day in the future, every
    /// check once with a note for a problem, no policy twice.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.visited_on > today {
            errs.add("visited_on", "in_future", "the date lies in the future");
        } else if self.visited_on < date(2000, 1, 1) {
            errs.add("visited_on", "out_of_range", "the date lies before 2000");
        }
        validate_checks(&self.checks, &self.policies, &mut errs);
        if let Some(h) = self.help_given.as_deref().filter(|h| !h.trim().is_empty()) {
            errs.check("help_given", validate_text(h, 1000));
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

/// Checks the six checks and the policies of a visit or a survey: every check once, a
/// note for a problem (at most [`MAX_NOTE`] characters), no policy twice.
pub fn validate_checks(checks: &[VisitCheck], policies: &[VisitPolicy], errs: &mut FieldErrors) {
    for item in VisitCheckItem::ALL {
        let n = checks.iter().filter(|c| c.item == *item).count();
        if n != 1 {
            errs.add(
                &format!("checks.{}", item.as_str()),
                if n == 0 { "required" } else { "duplicate" },
                "each check once",
            );
        }
    }
    for (i, c) in checks.iter().enumerate() {
        let note = c.note.as_deref().map(str::trim).unwrap_or("");
        if c.result == CheckResult::Problem && note.is_empty() {
            errs.add(
                &format!("checks[{i}].note"),
                "required",
                "describe the problem",
            );
        } else if !note.is_empty() {
            errs.check(&format!("checks[{i}].note"), validate_text(note, MAX_NOTE));
        }
    }
    let mut seen = Vec::new();
    for p in policies {
        if seen.contains(p) {
            errs.add("policies", "duplicate", "each policy once");
            break;
        }
        seen.push(*p);
    }
}

/// Body of `POST /api/v1/visits`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitCreate {
    /// Client-chosen id: a re-send with the same id and body answers the stored visit.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: VisitInput,
}

/// Body of `PUT /api/v1/visits/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitUpdate {
    /// The version last seen (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The fields.
    #[serde(flatten)]
    pub fields: VisitInput,
}

/// A check of a recorded visit, with the rectification item its problem opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedCheck {
    /// The check.
    #[serde(flatten)]
    pub check: VisitCheck,
    /// The rectification item opened for its problem.
    pub rectification_id: Option<Uuid>,
}

/// A recorded visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Visit {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The pairing visited.
    pub pairing_id: Uuid,
    /// The day of the visit.
    pub visited_on: NaiveDate,
    /// In person or by phone.
    pub mode: VisitMode,
    /// The six checks.
    pub checks: Vec<RecordedCheck>,
    /// The policies that reached the household.
    pub policies: Vec<VisitPolicy>,
    /// Help given.
    pub help_given: Option<String>,
    /// The household's county.
    pub county_code: String,
    /// Who recorded it (login).
    pub recorded_by: String,
}

impl Visit {
    /// The fields as a client would submit them again.
    pub fn input(&self) -> VisitInput {
        VisitInput {
            pairing_id: self.pairing_id,
            visited_on: self.visited_on,
            mode: self.mode,
            checks: self.checks.iter().map(|c| c.check.clone()).collect(),
            policies: self.policies.clone(),
            help_given: self.help_given.clone(),
        }
    }
}

/// One unit's row of the pairing KPI.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingKpiRow {
    /// Unit (region) code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// DPF cadres: enabled users of the DPF units in the area holding a role of the
    /// DPF's work (not only admin or auditor).
    pub cadres: i64,
    /// Of them, those with at least one pairing in force today.
    pub paired_cadres: i64,
    /// Households (distinct persons) with a pairing in force today, by their county.
    pub households_paired: i64,
    /// Households visited at least once in the quarter.
    pub households_visited: i64,
}

impl PairingKpiRow {
    /// Paired cadres as a share of all cadres, in basis points (None without cadres).
    pub fn paired_bp(&self) -> Option<i64> {
        (self.cadres > 0).then(|| self.paired_cadres * 10_000 / self.cadres)
    }
}

/// `GET /api/v1/kpi/pairing`: a unit and its children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingKpi {
    /// First day of the quarter counted.
    pub quarter_from: NaiveDate,
    /// Last day of the quarter counted.
    pub quarter_to: NaiveDate,
    /// The unit itself (its own cadres and everything below).
    pub total: PairingKpiRow,
    /// Its cities or counties.
    pub children: Vec<PairingKpiRow>,
}

/// The first and last day of the quarter holding `day`.
pub fn quarter_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let q = (day.month() - 1) / 3;
    let from = date(day.year(), q * 3 + 1, 1);
    let to = if q == 3 {
        date(day.year(), 12, 31)
    } else {
        date(day.year(), q * 3 + 4, 1).pred_opt().unwrap_or(from)
    };
    (from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_ok() -> Vec<VisitCheck> {
        VisitCheckItem::ALL
            .iter()
            .map(|i| VisitCheck {
                item: *i,
                result: CheckResult::Ok,
                note: None,
            })
            .collect()
    }

    fn visit(checks: Vec<VisitCheck>) -> VisitInput {
        VisitInput {
            pairing_id: Uuid::nil(),
            visited_on: date(2020, 5, 1),
            mode: VisitMode::InPerson,
            checks,
            policies: vec![VisitPolicy::LivingSubsidy],
            help_given: None,
        }
    }

    #[test]
    fn every_check_once_and_a_problem_needs_a_note() {
        let today = date(2020, 6, 1);
        assert_eq!(visit(all_ok()).validate(today), Ok(()));
        let mut missing = all_ok();
        missing.pop();
        let errs = visit(missing).validate(today).err().unwrap_or_default();
        assert_eq!(errs[0].field, "checks.drinking_water");
        let mut problem = all_ok();
        problem[4].result = CheckResult::Problem;
        let errs = visit(problem.clone())
            .validate(today)
            .err()
            .unwrap_or_default();
        assert_eq!(errs[0].field, "checks[4].note");
        problem[4].note = Some("屋顶漏雨".into());
        assert_eq!(visit(problem.clone()).problems().count(), 1);
        assert_eq!(visit(problem).validate(today), Ok(()));
        let later = visit(all_ok()).validate(date(2020, 4, 30));
        assert_eq!(later.err().unwrap_or_default()[0].code, "in_future");
    }

    #[test]
    fn quarters() {
        assert_eq!(
            quarter_of(date(2020, 5, 17)),
            (date(2020, 4, 1), date(2020, 6, 30))
        );
        assert_eq!(
            quarter_of(date(2020, 12, 31)),
            (date(2020, 10, 1), date(2020, 12, 31))
        );
        assert_eq!(
            quarter_of(date(2021, 1, 1)),
            (date(2021, 1, 1), date(2021, 3, 31))
        );
    }
}
