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
