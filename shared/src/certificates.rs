//! Disability certificates for eligible poor disabled people (measure 3): applications
//! found on home visits or made at the DPF, assessment, issue or renewal with the fee
//! waived, and the checks of registered-poor persons whose certificate is missing,
//! expired or at odds with the registry.
//!
//! A certificate's number is the holder's identity number, the category digit and the
//! level (`shared::person::check_certificate_against`), so it is not stored: it follows
//! from the person, and the certificate keeps the category and level it was issued for.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codes::DisabilityCategory;
use crate::validation::{validate_text, FieldError, FieldErrors};

crate::string_enum! {
    /// Where an application stands.
    pub enum CertificateStatus {
        /// Applied for; awaiting assessment.
        Applied = "applied",
        /// Issued (or renewed).
        Issued = "issued",
        /// Assessed as not eligible.
        Refused = "refused",
    }
}

crate::string_enum! {
    /// First issue or renewal.
    pub enum CertificateKind {
        /// 首次办证.
        First = "first",
        /// 换证.
        Renewal = "renewal",
    }
}

crate::string_enum! {
    /// What a certificate check found.
    pub enum CertificateGap {
        /// A registered-poor person with no certificate in force.
        Missing = "missing",
        /// The person's last certificate has expired.
        Expired = "expired",
        /// The certificate in force does not agree with the registry (category or
        /// level), or the registry says there is none.
        Inconsistent = "inconsistent",
    }
}

/// Body of `POST /api/v1/certificates`: an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificateApply {
    /// Client-chosen id, so that a retry over a bad network records one application
    /// (the write protocol's one rule: the same body from the same user answers the
    /// first with 200, anything else with the id is 409 `id_conflict`).
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The person.
    pub person_id: Uuid,
    /// First issue or renewal.
    pub kind: CertificateKind,
    /// The day of the application.
    pub applied_on: NaiveDate,
    /// Found on a home visit (rather than asked for at the DPF).
    #[serde(default)]
    pub found_on_visit: bool,
    /// Notes.
    #[serde(default)]
    pub note: String,
}

/// Body of `POST /api/v1/certificates/{id}/decide`: the assessment's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificateDecide {
    /// Issue (true) or refuse (false).
    pub issue: bool,
    /// Category assessed (issue).
    #[serde(default)]
    pub category: Option<DisabilityCategory>,
    /// Level assessed, 1–4 (issue).
    #[serde(default)]
    pub level: Option<u8>,
    /// Day of issue, or of the refusal.
    pub decided_on: NaiveDate,
    /// Valid until (issue; after the day of issue).
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    /// The fee was waived (poor persons pay nothing for the assessment).
    #[serde(default)]
    pub fee_waived: bool,
    /// The application's version last seen.
    pub version: i64,
}

/// Longest note.
pub const MAX_NOTE: usize = 500;

fn check_day(errs: &mut FieldErrors, field: &str, day: NaiveDate, today: NaiveDate) {
    if day > today {
        errs.add(field, "in_future", "the day lies in the future");
    } else if day < NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN) {
        errs.add(field, "too_early", "a day from 2000 on");
    }
}

impl CertificateApply {
    /// Checks the day and the note.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        check_day(&mut errs, "applied_on", self.applied_on, today);
        errs.check("note", validate_text(&self.note, MAX_NOTE));
        errs.into_result(())
    }
}

impl CertificateDecide {
    /// Checks the outcome: an issue needs category, level 1–4 and a validity after the
    /// day of issue (at most 10 years).
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        check_day(&mut errs, "decided_on", self.decided_on, today);
        if self.issue {
            if self.category.is_none() {
                errs.add("category", "required", "the category assessed");
            }
            match self.level {
                None => errs.add("level", "required", "the level assessed"),
                Some(l) if !(1..=4).contains(&l) => {
                    errs.add("level", "out_of_range", "a level from 1 to 4")
                }
                Some(_) => {}
            }
            match self.valid_until {
                None => errs.add("valid_until", "required", "the end of validity"),
                Some(u) if u <= self.decided_on => {
                    errs.add("valid_until", "before_start", "after the day of issue")
                }
                Some(u) if u > self.decided_on + chrono::Months::new(120) => {
                    errs.add("valid_until", "out_of_range", "at most 10 years")
                }
                Some(_) => {}
            }
        }
        errs.into_result(())
    }
}

/// A certificate application and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Certificate {
    /// Id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The person.
    pub person_id: Uuid,
    /// County.
    pub county_code: String,
    /// First issue or renewal.
    pub kind: CertificateKind,
    /// Status.
    pub status: CertificateStatus,
    /// Applied on.
    pub applied_on: NaiveDate,
    /// Found on a home visit.
    pub found_on_visit: bool,
    /// Category issued.
    pub category: Option<DisabilityCategory>,
    /// Level issued.
    pub level: Option<u8>,
    /// Issued or refused on.
    pub decided_on: Option<NaiveDate>,
    /// Valid until.
    pub valid_until: Option<NaiveDate>,
    /// Fee waived.
    pub fee_waived: bool,
    /// The certificate number, masked (identity number masked, category digit, level).
    pub number_masked: Option<String>,
    /// Notes.
    pub note: String,
}

/// A registered-poor person a certificate check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificateCheck {
    /// What was found.
    pub gap: CertificateGap,
    /// The person.
    pub person_id: Uuid,
    /// Name.
    pub name: String,
    /// Masked identity number.
    pub id_number_masked: String,
    /// County.
    pub county_code: String,
    /// The certificate concerned (expired or inconsistent), if any.
    pub certificate_id: Option<Uuid>,
    /// Its end of validity.
    pub valid_until: Option<NaiveDate>,
}

/// Query of `GET /api/v1/certificates/checks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct CheckQuery {
    /// What to look for.
    pub gap: CertificateGap,
    /// Page size (1–500, default 50).
    #[serde(default)]
    pub limit: Option<i64>,
    /// Page cursor.
    #[serde(default)]
    pub cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issue_needs_category_level_and_a_validity_after_it() {
        let today = NaiveDate::from_ymd_opt(2020, 6, 1).unwrap_or_default();
        let d = CertificateDecide {
            issue: true,
            category: Some(DisabilityCategory::Physical),
            level: Some(2),
            decided_on: today,
            valid_until: NaiveDate::from_ymd_opt(2030, 5, 31),
            fee_waived: true,
            version: 1,
        };
        assert!(d.validate(today).is_ok());
        let bad = CertificateDecide {
            category: None,
            level: Some(5),
            valid_until: Some(today),
            ..d.clone()
        };
        let fields: Vec<String> = bad
            .validate(today)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["category", "level", "valid_until"]);
        let refused = CertificateDecide {
            issue: false,
            category: None,
            level: None,
            valid_until: None,
            ..d
        };
        assert!(refused.validate(today).is_ok());
    }
}
