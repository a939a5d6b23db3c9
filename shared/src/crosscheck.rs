//! Cross-checks with other agencies (measures 5 and 8): the lists that civil affairs,
//! health insurance and human resources send of who receives subsistence allowance,
//! extreme-poverty support, basic medical and pension insurance and the two disability
//! subsidies, set against the registry.
//!
//! An imported list is a dated **snapshot** of one scheme for one area (the province, a
//! city or a county). Identity numbers are matched through the registry's blind index
//! (a keyed hash) and never stored in clear from a list; a list keeps the masked number
//! and the name, so that staff can find the person.
//!
//! Three kinds of **gap** come out, for a programme year, from the latest snapshot of
//! each scheme whose period lies in that year and whose area covers the county:
//!
//! - [`GapKind::Missing`]: a registry person whom the year's [`EligibilityRule`] of the
//!   scheme says should receive, and who is not on the list as receiving;
//! - [`GapKind::NotInRegistry`]: someone receiving a scheme whose recipients must all be
//!   registered disabled persons (the rule's `recipients_registered`, e.g. the two
//!   disability subsidies), who is not in the registry;
//! - [`GapKind::OtherCounty`]: a registry person receiving in another county than the
//!   one they are registered in.
//!
//! The rules are data per programme year, kept by the provincial poverty office.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codes::PovertyStatus;
use crate::validation::{validate_text, FieldErrors};

crate::string_enum! {
    /// A scheme another agency runs and lists its recipients of.
    pub enum AgencyScheme {
        /// 最低生活保障 (civil affairs).
        Dibao = "dibao",
        /// 特困人员救助供养 (civil affairs).
        Tekun = "tekun",
        /// 城乡居民基本医疗保险 (health insurance).
        MedicalInsurance = "medical_insurance",
        /// 城乡居民基本养老保险 (human resources and social security).
        PensionInsurance = "pension_insurance",
        /// 困难残疾人生活补贴 (civil affairs).
        LivingSubsidy = "living_subsidy",
        /// 重度残疾人护理补贴 (civil affairs).
        NursingSubsidy = "nursing_subsidy",
    }
}

crate::string_enum! {
    /// The agency that sends a scheme's list.
    pub enum Agency {
        /// 民政部门.
        CivilAffairs = "civil_affairs",
        /// 医疗保障部门.
        HealthInsurance = "health_insurance",
        /// 人力资源和社会保障部门.
        HumanResources = "human_resources",
    }
}

impl AgencyScheme {
    /// The agency that runs the scheme.
    pub fn agency(self) -> Agency {
        match self {
            AgencyScheme::MedicalInsurance => Agency::HealthInsurance,
            AgencyScheme::PensionInsurance => Agency::HumanResources,
            _ => Agency::CivilAffairs,
        }
    }

    /// The scheme's Chinese name, as lists write it.
    pub fn label(self) -> &'static str {
        match self {
            AgencyScheme::Dibao => "低保",
            AgencyScheme::Tekun => "特困",
            AgencyScheme::MedicalInsurance => "基本医疗保险",
            AgencyScheme::PensionInsurance => "基本养老保险",
            AgencyScheme::LivingSubsidy => "困难残疾人生活补贴",
            AgencyScheme::NursingSubsidy => "重度残疾人护理补贴",
        }
    }

    /// Reads a list's scheme cell: the code or the Chinese name.
    pub fn from_cell(cell: &str) -> Option<Self> {
        let cell = cell.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|s| s.as_str() == cell || s.label() == cell)
    }
}

crate::string_enum! {
    /// Whether a listed person receives the scheme in the list's period.
    pub enum Receipt {
        /// Receiving (享受, 在保, 参保).
        Receiving = "receiving",
        /// Stopped or suspended (停发, 暂停, 退出, 停保).
        Stopped = "stopped",
    }
}

impl Receipt {
    /// Reads a list's status cell: the code or one of the words agencies use.
    pub fn from_cell(cell: &str) -> Option<Self> {
        match cell.trim() {
            "receiving" | "享受" | "享受中" | "在保" | "参保" | "正常" | "在册" => {
                Some(Receipt::Receiving)
            }
            "stopped" | "停发" | "暂停" | "退出" | "停保" | "终止" | "注销" => {
                Some(Receipt::Stopped)
            }
            _ => None,
        }
    }
}

crate::string_enum! {
    /// What a cross-check found.
    pub enum GapKind {
        /// Should receive by the year's rule, and is not on the list as receiving.
        Missing = "missing",
        /// Receives a scheme for registered disabled persons, and is not in the registry.
        NotInRegistry = "not_in_registry",
        /// Receives in another county than the one they are registered in.
        OtherCounty = "other_county",
    }
}

crate::string_enum! {
    /// How a person's line differs between a snapshot and the one before it.
    pub enum ListChangeKind {
        /// On the new list only.
        Added = "added",
        /// On the old list only.
        Removed = "removed",
        /// On both, with another status or county.
        Changed = "changed",
    }
}

/// Who should receive a scheme in a programme year: registry persons who meet every
/// condition set here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EligibilityRule {
    /// The scheme.
    pub scheme: AgencyScheme,
    /// Only registered-poor persons (建档立卡).
    pub registered_poor_only: bool,
    /// Only persons of these poverty statuses (empty: any).
    #[serde(default)]
    pub poverty_statuses: Vec<PovertyStatus>,
    /// Only persons whose disability level is at most this (1 is the most severe;
    /// 2 means levels 1–2). None: any level.
    #[serde(default)]
    pub max_level: Option<u8>,
    /// Whether every recipient must be a registered disabled person, so that a
    /// recipient missing from the registry is a gap (true for the two disability
    /// subsidies).
    #[serde(default)]
    pub recipients_registered: bool,
    /// The policy the rule follows, in words.
    #[serde(default)]
    pub note: String,
}

/// `GET /api/v1/crosscheck/rules/{year}`: a programme year's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleSet {
    /// Programme year.
    pub year: i32,
    /// One rule per scheme at most; a scheme without one has no `missing` gaps.
    pub rules: Vec<EligibilityRule>,
}

/// Body of `PUT /api/v1/crosscheck/rules/{year}`: the year's whole rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleSetPut {
    /// The rules, one per scheme at most.
    pub rules: Vec<EligibilityRule>,
    /// Why they change (the policy document).
    pub reason: String,
}

/// Longest note of a rule.
pub const MAX_RULE_NOTE: usize = 500;

impl RuleSetPut {
    /// Checks the rules: one per scheme, levels 1–4, a reason.
    pub fn validate(&self) -> Result<(), Vec<crate::validation::FieldError>> {
        let mut errs = FieldErrors::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if self.rules[..i].iter().any(|r| r.scheme == rule.scheme) {
                errs.add(
                    &format!("rules[{i}].scheme"),
                    "duplicate",
                    "one rule per scheme",
                );
            }
            if rule.max_level.is_some_and(|l| !(1..=4).contains(&l)) {
                errs.add(
                    &format!("rules[{i}].max_level"),
                    "out_of_range",
                    "a level from 1 to 4",
                );
            }
            let mut seen = rule.poverty_statuses.clone();
            seen.sort();
            seen.dedup();
            if seen.len() != rule.poverty_statuses.len() {
                errs.add(
                    &format!("rules[{i}].poverty_statuses"),
                    "duplicate",
                    "each status once",
                );
            }
            errs.check(
                &format!("rules[{i}].note"),
                validate_text(&rule.note, MAX_RULE_NOTE),
            );
        }
        if self.reason.trim().is_empty() {
            errs.add("reason", "required", "say why the rules change");
        }
        errs.check("reason", validate_text(&self.reason, MAX_RULE_NOTE));
        errs.into_result(())
    }
}

/// Query of `POST /api/v1/crosscheck/lists`: what the uploaded file is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ListUpload {
    /// The list's id, chosen by the client so that a retried upload is not imported
    /// twice: a second upload with the same id answers with the first list (200), or
    /// 409 `id_conflict` when it is of another scheme, period or area.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The scheme the list is of.
    pub scheme: AgencyScheme,
    /// The month the list is as of, `YYYY-MM` (2000-01 to 2100-12).
    pub period: String,
    /// The area the list covers: `43`, a city (4 digits) or a county (6 digits),
    /// inside the caller's own. Default: the caller's area.
    #[serde(default)]
    pub area: Option<String>,
    /// `csv` or `xlsx` (default).
    #[serde(default)]
    pub format: Option<crate::api::Format>,
}

/// Parses a period `YYYY-MM` (years 2000–2100): the year and month.
pub fn parse_period(period: &str) -> Option<(i32, u32)> {
    let (y, m) = period.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || !period.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    let month: u32 = m.parse().ok()?;
    ((2000..=2100).contains(&year) && (1..=12).contains(&month)).then_some((year, month))
}

/// Query of `GET /api/v1/crosscheck/lists`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ListQuery {
    /// Lists of this programme year.
    #[serde(default)]
    pub year: Option<i32>,
    /// Lists of this scheme.
    #[serde(default)]
    pub scheme: Option<AgencyScheme>,
}

/// Query of `GET /api/v1/crosscheck/lists/{id}/changes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ChangeQuery {
    /// Which changes.
    pub kind: ListChangeKind,
    /// Page size (1–500, default 50).
    #[serde(default)]
    pub limit: Option<i64>,
    /// Page cursor.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// Query of `GET /api/v1/crosscheck/summary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct SummaryQuery {
    /// Programme year.
    pub year: i32,
    /// Only this area inside the caller's (a city or county code).
    #[serde(default)]
    pub area: Option<String>,
}

/// The columns of an agency list, in order (Chinese headers; English accepted).
pub const LIST_HEADERS: [&str; 6] = ["身份证号", "姓名", "项目", "状态", "期间", "发放地区"];

/// Most rows a list may have (a province's list of one scheme).
pub const MAX_LIST_ROWS: usize = 1_000_000;

/// An imported list (a dated snapshot of one scheme for one area).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyList {
    /// Id.
    pub id: Uuid,
    /// Scheme.
    pub scheme: AgencyScheme,
    /// The agency that sent it.
    pub agency: Agency,
    /// The month it is as of (`YYYY-MM`).
    pub period: String,
    /// The area it covers (`43`, a city or a county code).
    pub area_code: String,
    /// Rows.
    pub rows: i64,
    /// Rows receiving.
    pub receiving: i64,
    /// The snapshot of the same scheme and area it follows, if any.
    pub previous_id: Option<Uuid>,
    /// Persons on this list only, against the previous one.
    pub added: i64,
    /// Persons on the previous list only.
    pub removed: i64,
    /// Persons on both with another status or county.
    pub changed: i64,
    /// Imported at.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Imported by (username).
    pub created_by: String,
}

/// A line that differs between a snapshot and the one before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListChange {
    /// How it differs.
    pub kind: ListChangeKind,
    /// Masked identity number.
    pub id_number_masked: String,
    /// Name as the list gives it.
    pub name: String,
    /// Status on the previous list.
    pub before: Option<Receipt>,
    /// Status on this list.
    pub after: Option<Receipt>,
    /// County on the previous list.
    pub county_before: Option<String>,
    /// County on this list.
    pub county_after: Option<String>,
}

/// One gap a cross-check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gap {
    /// What kind.
    pub kind: GapKind,
    /// The scheme.
    pub scheme: AgencyScheme,
    /// The snapshot it was found against.
    pub list_id: Uuid,
    /// The registry person, when there is one and the caller may see them.
    pub person_id: Option<Uuid>,
    /// Name (the registry's, else the list's).
    pub name: String,
    /// Masked identity number.
    pub id_number_masked: String,
    /// The county the person is registered in.
    pub registered_county: Option<String>,
    /// The county the list has them receive in.
    pub listed_county: Option<String>,
    /// Their status on the list, if they are on it.
    pub receipt: Option<Receipt>,
    /// Disability level (registry persons).
    pub disability_level: Option<u8>,
    /// Poverty status (registry persons).
    pub poverty_status: Option<PovertyStatus>,
}

/// Query of `GET /api/v1/crosscheck/gaps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct GapQuery {
    /// Programme year.
    pub year: i32,
    /// Scheme.
    pub scheme: AgencyScheme,
    /// Kind of gap.
    pub kind: GapKind,
    /// Only this area inside the caller's (a city or county code).
    #[serde(default)]
    pub area: Option<String>,
    /// Page size (1–500, default 50).
    #[serde(default)]
    pub limit: Option<i64>,
    /// Page cursor.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// How many gaps of one kind one scheme has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GapCount {
    /// Scheme.
    pub scheme: AgencyScheme,
    /// Kind.
    pub kind: GapKind,
    /// Count.
    pub count: i64,
}

/// The gaps of one unit below the caller's area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GapUnit {
    /// Region code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Counts (kinds and schemes without gaps left out).
    pub counts: Vec<GapCount>,
}

/// `GET /api/v1/crosscheck/summary`: a year's gaps in the caller's area, in all and per
/// unit below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GapSummary {
    /// Programme year.
    pub year: i32,
    /// The area (`43`, a city or a county code).
    pub area_code: String,
    /// The snapshots the gaps were found against.
    pub lists: Vec<AgencyList>,
    /// Schemes with a rule this year.
    pub rules: Vec<AgencyScheme>,
    /// The area's counts.
    pub totals: Vec<GapCount>,
    /// The counts of each unit below (the cities, or a city's counties).
    pub units: Vec<GapUnit>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_codes_and_words() {
        assert_eq!(AgencyScheme::from_cell("低保"), Some(AgencyScheme::Dibao));
        assert_eq!(
            AgencyScheme::from_cell(" nursing_subsidy "),
            Some(AgencyScheme::NursingSubsidy)
        );
        assert_eq!(AgencyScheme::from_cell("五保"), None);
        assert_eq!(Receipt::from_cell("在保"), Some(Receipt::Receiving));
        assert_eq!(Receipt::from_cell("停发"), Some(Receipt::Stopped));
        assert_eq!(Receipt::from_cell("maybe"), None);
        assert_eq!(
            AgencyScheme::MedicalInsurance.agency(),
            Agency::HealthInsurance
        );
    }

    #[test]
    fn periods_are_months_of_the_programme_years() {
        assert_eq!(parse_period("2020-06"), Some((2020, 6)));
        for bad in [
            "2020-6", "2020-13", "1999-12", "2101-01", "2020", "x-01", "2020-00",
        ] {
            assert_eq!(parse_period(bad), None, "{bad}");
        }
    }

    #[test]
    fn rules_are_one_per_scheme_with_levels_and_a_reason() {
        let rule = EligibilityRule {
            scheme: AgencyScheme::NursingSubsidy,
            registered_poor_only: true,
            poverty_statuses: vec![],
            max_level: Some(2),
            recipients_registered: true,
            note: String::new(),
        };
        let ok = RuleSetPut {
            rules: vec![rule.clone()],
            reason: "湘民发〔2020〕1号".into(),
        };
        assert!(ok.validate().is_ok());
        let bad = RuleSetPut {
            rules: vec![
                rule.clone(),
                EligibilityRule {
                    max_level: Some(5),
                    ..rule
                },
            ],
            reason: " ".into(),
        };
        let errs = bad.validate().err().unwrap_or_default();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["rules[1].scheme", "rules[1].max_level", "reason"],
            "{errs:?}"
        );
    }
}
