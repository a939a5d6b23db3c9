//! Dynamic monitoring (measures 8 and 11): a person's poverty status changes recorded
//! with a day and a reason, so that the history is visible and "no one falls back"
//! (返贫) can be counted, and the watch list computed from the registry's statuses and
//! flags.
//!
//! A person is on the **watch list** for each [`WatchReason`] that holds:
//! `fell_back` (in poverty now after having been lifted at some time, by the
//! history), `unstable`,
//! `marginal` (their status), and, for persons the programme has touched (any status
//! but `none`), `severe` (level 1–2), `multi_disabled` (一户多残) and
//! `elderly_disabled` (老残一体).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codes::PovertyStatus;
use crate::validation::{validate_text, FieldError, FieldErrors};

/// Body of `POST /api/v1/persons/{id}/poverty-status`: a change of status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChangeInput {
    /// The new status.
    pub status: PovertyStatus,
    /// The day it took effect (not in the future, from 2000 on).
    pub on: NaiveDate,
    /// Why (the assessment, the event).
    pub reason: String,
    /// The person's version last seen.
    pub version: i64,
}

/// Longest reason of a status change.
pub const MAX_REASON: usize = 500;

impl StatusChangeInput {
    /// Checks the day and the reason.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.on > today {
            errs.add("on", "in_future", "the day lies in the future");
        } else if self.on < NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN) {
            errs.add("on", "too_early", "a day from 2000 on");
        }
        if self.reason.trim().is_empty() {
            errs.add("reason", "required", "say why the status changes");
        }
        errs.check("reason", validate_text(&self.reason, MAX_REASON));
        errs.into_result(())
    }
}

/// A recorded change of a person's poverty status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChange {
    /// Id.
    pub id: Uuid,
    /// The person.
    pub person_id: Uuid,
    /// Status before.
    pub from: PovertyStatus,
    /// Status after.
    pub to: PovertyStatus,
    /// The day it took effect.
    pub on: NaiveDate,
    /// Why.
    pub reason: String,
    /// Recorded by (username).
    pub recorded_by: String,
    /// Recorded at.
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    /// The person's version after the change (for their next write).
    pub person_version: i64,
}

impl StatusChange {
    /// Whether this change is a fall back into poverty (lifted → in poverty).
    pub fn is_fall_back(&self) -> bool {
        self.from == PovertyStatus::Lifted && self.to == PovertyStatus::InPoverty
    }
}

crate::string_enum! {
    /// Why a person is watched.
    pub enum WatchReason {
        /// In poverty again after having been lifted (返贫).
        FellBack = "fell_back",
        /// Lifted but unstable (脱贫不稳定).
        Unstable = "unstable",
        /// Marginal, at risk (边缘易致贫).
        Marginal = "marginal",
        /// Severely disabled (level 1–2).
        Severe = "severe",
        /// Several disabled persons in one household (一户多残).
        MultiDisabled = "multi_disabled",
        /// Elderly with disability (老残一体).
        ElderlyDisabled = "elderly_disabled",
    }
}

/// A person on the watch list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WatchItem {
    /// The person.
    pub person_id: Uuid,
    /// Name.
    pub name: String,
    /// Masked identity number.
    pub id_number_masked: String,
    /// County.
    pub county_code: String,
    /// Status now.
    pub poverty_status: PovertyStatus,
    /// Disability level.
    pub disability_level: u8,
    /// Why they are watched.
    pub reasons: Vec<WatchReason>,
}

/// Query of `GET /api/v1/monitoring/watch-list`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct WatchQuery {
    /// Only persons watched for this reason.
    #[serde(default)]
    pub reason: Option<WatchReason>,
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

/// `GET /api/v1/monitoring/kpi?year=`: "no one falls back" in the caller's area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FallBackKpi {
    /// Programme year.
    pub year: i32,
    /// Persons lifted out of poverty now.
    pub lifted: i64,
    /// Persons who fell back into poverty in the year (a change into poverty on a day
    /// of the year, after having been lifted, directly or through another status),
    /// each counted once. The target is 0.
    pub fell_back: i64,
    /// Persons watched, per reason.
    pub watched: Vec<WatchCount>,
}

/// How many persons are watched for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WatchCount {
    /// Reason.
    pub reason: WatchReason,
    /// Persons.
    pub count: i64,
}

crate::string_enum! {
    /// The risk of falling (back) into poverty a monitoring visit finds.
    pub enum RiskLevel {
        /// Stable.
        Low = "low",
        /// At some risk.
        Medium = "medium",
        /// At high risk: visited most often.
        High = "high",
    }
}

crate::string_enum! {
    /// How the household's income changed since the last visit.
    pub enum IncomeChange {
        /// Rose.
        Up = "up",
        /// About the same.
        Same = "same",
        /// Fell.
        Down = "down",
    }
}

/// A monitoring visit as a client submits it (measures 8 and 11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonitoringVisitInput {
    /// The person visited.
    pub person_id: Uuid,
    /// The day of the visit.
    pub visited_on: NaiveDate,
    /// How the income changed.
    pub income_change: IncomeChange,
    /// Serious illness in the household since the last visit.
    #[serde(default)]
    pub illness: bool,
    /// A natural disaster hit the household.
    #[serde(default)]
    pub disaster: bool,
    /// Hit by COVID-19 (lost work, sales, income).
    #[serde(default)]
    pub covid: bool,
    /// The risk the visitor judges.
    pub risk_level: RiskLevel,
    /// The measures taken or arranged.
    pub measures: String,
    /// A remark.
    #[serde(default)]
    pub note: Option<String>,
}

impl MonitoringVisitInput {
    /// Checks the day and the texts.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if self.visited_on > today {
            errs.add("visited_on", "in_future", "the day lies in the future");
        } else if self.visited_on < NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN) {
            errs.add("visited_on", "out_of_range", "a day from 2000 on");
        }
        if self.measures.trim().is_empty() {
            errs.add("measures", "required", "the measures taken");
        } else {
            errs.check("measures", validate_text(&self.measures, 1000));
        }
        if let Some(n) = self.note.as_deref().filter(|n| !n.trim().is_empty()) {
            errs.check("note", validate_text(n, 1000));
        }
        errs.into_result(())
    }
}

/// Body of `POST /api/v1/monitoring/visits`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonitoringVisitCreate {
    /// Client-chosen id: a re-send with the same id and body answers the stored visit.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: MonitoringVisitInput,
}

/// A recorded monitoring visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonitoringVisit {
    /// Record id.
    pub id: Uuid,
    /// The fields.
    #[serde(flatten)]
    pub fields: MonitoringVisitInput,
    /// The person's county.
    pub county_code: String,
    /// Who recorded it (login).
    pub recorded_by: String,
}

/// How often a person of a risk level is visited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cadence {
    /// The risk level.
    pub risk_level: RiskLevel,
    /// At most this many days between two visits.
    pub days: i32,
}

/// Body of `PUT /api/v1/monitoring/cadence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CadencePut {
    /// One cadence per risk level, all three.
    pub cadence: Vec<Cadence>,
    /// Why it changes.
    pub reason: String,
}

impl CadencePut {
    /// Every level once, 1 to 366 days, a higher risk visited at least as often, and a
    /// reason.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        for level in RiskLevel::ALL {
            let n = self
                .cadence
                .iter()
                .filter(|c| c.risk_level == *level)
                .count();
            if n != 1 {
                errs.add(
                    &format!("cadence.{}", level.as_str()),
                    if n == 0 { "required" } else { "duplicate" },
                    "each risk level once",
                );
            }
        }
        for (i, c) in self.cadence.iter().enumerate() {
            if !(1..=366).contains(&c.days) {
                errs.add(
                    &format!("cadence[{i}].days"),
                    "out_of_range",
                    "1 to 366 days",
                );
            }
        }
        let days = |l: RiskLevel| {
            self.cadence
                .iter()
                .find(|c| c.risk_level == l)
                .map(|c| c.days)
        };
        if let (Some(h), Some(m), Some(l)) = (
            days(RiskLevel::High),
            days(RiskLevel::Medium),
            days(RiskLevel::Low),
        ) {
            if h > m || m > l {
                errs.add(
                    "cadence",
                    "inconsistent",
                    "a higher risk is visited at least as often",
                );
            }
        }
        if self.reason.trim().is_empty() {
            errs.add("reason", "required", "say why the cadence changes");
        } else {
            errs.check("reason", validate_text(&self.reason, MAX_REASON));
        }
        errs.into_result(())
    }
}

/// A watched person whose monitoring visit is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverdueVisit {
    /// The person.
    pub person_id: Uuid,
    /// Name.
    pub name: String,
    /// County.
    pub county_code: String,
    /// The risk level of the latest visit (None: never visited).
    pub risk_level: Option<RiskLevel>,
    /// The day of the latest visit.
    pub last_visit_on: Option<NaiveDate>,
    /// The day the next visit was due (None: never visited, due now).
    pub due_on: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_needs_a_past_day_and_a_reason() {
        let today = NaiveDate::from_ymd_opt(2020, 6, 1).unwrap_or_default();
        let ok = StatusChangeInput {
            status: PovertyStatus::Unstable,
            on: today,
            reason: "因病".into(),
            version: 1,
        };
        assert!(ok.validate(today).is_ok());
        let bad = StatusChangeInput {
            on: today.succ_opt().unwrap_or(today),
            reason: " ".into(),
            ..ok
        };
        let fields: Vec<String> = bad
            .validate(today)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["on", "reason"]);
    }
}
