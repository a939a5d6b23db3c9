//! The person registry (建档立卡残疾人): input forms, their validation and the views.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codes::{
    validate_admin_code, AssuranceStatus, DisabilityCategory, DisabilityLevel, PovertyStatus,
};
use crate::id_number::{CertificateNumber, IdNumber, Sex};
use crate::validation::{
    validate_name, validate_phone, validate_text, FieldError, FieldErrors, ValidationError,
};

/// The "two no-worries, three guarantees" (两不愁三保障) check of a person's household,
/// plus safe drinking water.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Assurances {
    /// No worry about food and clothing (不愁吃、不愁穿).
    pub food_clothing: AssuranceStatus,
    /// Compulsory education guaranteed (义务教育有保障).
    pub education: AssuranceStatus,
    /// Basic medical care guaranteed (基本医疗有保障).
    pub medical: AssuranceStatus,
    /// Safe housing guaranteed (住房安全有保障).
    pub housing: AssuranceStatus,
    /// Safe drinking water (饮水安全).
    pub drinking_water: AssuranceStatus,
    /// When the household was last assessed.
    pub assessed_on: Option<NaiveDate>,
}

/// The fields of a registry entry as a client submits them, for create and update.
///
/// Identity and certificate numbers are strings here so that a wrong one is reported as
/// a field error rather than a malformed body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonInput {
    /// Full name.
    pub name: String,
    /// Resident identity number (GB 11643). Required on create; on update, leave it out
    /// to keep the stored number.
    #[serde(default)]
    pub id_number: Option<String>,
    /// Whether the person holds a disability certificate.
    #[serde(default)]
    pub has_certificate: bool,
    /// The certificate number (identity number + category digit + level digit). Required
    /// on create when `has_certificate`; when given it must agree with the person.
    #[serde(default)]
    pub certificate_number: Option<String>,
    /// Sex; optional, derived from the identity number, and checked against it when given.
    #[serde(default)]
    pub sex: Option<Sex>,
    /// Birth date; optional, derived from the identity number, checked when given.
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    /// Disability category.
    pub disability_category: DisabilityCategory,
    /// Disability level, 1 (most severe) to 4.
    pub disability_level: DisabilityLevel,
    /// Contact phone (mobile or landline).
    #[serde(default)]
    pub phone: Option<String>,
    /// County-level code (6 digits): the person's county, which owns the record.
    pub county_code: String,
    /// Town code (9 digits), within the county.
    #[serde(default)]
    pub town_code: Option<String>,
    /// Village code (12 digits), within the town.
    #[serde(default)]
    pub village_code: Option<String>,
    /// The rest of the address (group, house number).
    #[serde(default)]
    pub address_detail: Option<String>,
    /// Household number on the poverty register (户编号).
    #[serde(default)]
    pub household_number: Option<String>,
    /// Number of people in the household.
    #[serde(default)]
    pub household_size: Option<i32>,
    /// Poverty status.
    pub poverty_status: PovertyStatus,
    /// On the national poverty register (建档立卡).
    #[serde(default)]
    pub registered_poor: bool,
    /// More than one disabled person in the household (一户多残).
    #[serde(default)]
    pub multi_disabled_household: bool,
    /// Elderly with a disability, or elderly carer of a disabled person (老残一体).
    #[serde(default)]
    pub elderly_disabled: bool,
    /// The two no-worries, three guarantees.
    #[serde(default)]
    pub assurances: Assurances,
    /// Free notes.
    #[serde(default)]
    pub notes: Option<String>,
}

/// A registry entry's input after validation: parsed, trimmed and consistent.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPerson {
    /// Trimmed name.
    pub name: String,
    /// The parsed identity number, when one was given.
    pub id_number: Option<IdNumber>,
    /// Whether the person holds a certificate.
    pub has_certificate: bool,
    /// Category.
    pub disability_category: DisabilityCategory,
    /// Level.
    pub disability_level: DisabilityLevel,
    /// Normalised phone, if any.
    pub phone: Option<String>,
    /// County code.
    pub county_code: String,
    /// Town code.
    pub town_code: Option<String>,
    /// Village code.
    pub village_code: Option<String>,
    /// Address detail.
    pub address_detail: Option<String>,
    /// Household number.
    pub household_number: Option<String>,
    /// Household size.
    pub household_size: Option<i32>,
    /// Poverty status.
    pub poverty_status: PovertyStatus,
    /// Registered-poor flag.
    pub registered_poor: bool,
    /// Multi-disabled household flag.
    pub multi_disabled_household: bool,
    /// Elderly-disabled flag.
    pub elderly_disabled: bool,
    /// The assurances check.
    pub assurances: Assurances,
    /// Notes.
    pub notes: Option<String>,
}

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl PersonInput {
    /// Validates every field and reports every problem at once. `today` bounds birth
    /// dates; `creating` makes the identity number required.
    ///
    /// Whether the codes exist, and whether the number is unique, is for the server.
    pub fn validate(
        &self,
        today: NaiveDate,
        creating: bool,
    ) -> Result<ValidPerson, Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        errs.check("name", validate_name(&self.name));

        let id_text = trimmed(&self.id_number);
        let id_number = match &id_text {
            Some(text) => errs.check("id_number", IdNumber::parse(text, today)),
            None if creating => {
                errs.add("id_number", "required", "the identity number is required");
                None
            }
            None => None,
        };
        if let Some(id) = &id_number {
            if self.sex.is_some_and(|s| s != id.sex()) {
                errs.add(
                    "sex",
                    "sex_mismatch",
                    "does not agree with the identity number",
                );
            }
            if self.birth_date.is_some_and(|d| d != id.birth_date()) {
                errs.add(
                    "birth_date",
                    "birth_date_mismatch",
                    "does not agree with the identity number",
                );
            }
        }

        match (self.has_certificate, trimmed(&self.certificate_number)) {
            (true, Some(cert)) => {
                if let Some(cert) =
                    errs.check("certificate_number", CertificateNumber::parse(&cert, today))
                {
                    if let Some(id) = &id_number {
                        errs.check(
                            "certificate_number",
                            cert.check_agrees(id, self.disability_category, self.disability_level),
                        );
                    } else if id_text.is_none() {
                        // Update without the identity number: the server checks it against the stored one.
                        if cert.category != self.disability_category {
                            errs.add(
                                "certificate_number",
                                "certificate_category_mismatch",
                                "the certificate states another disability category",
                            );
                        } else if cert.level != self.disability_level {
                            errs.add(
                                "certificate_number",
                                "certificate_level_mismatch",
                                "the certificate states another disability level",
                            );
                        }
                    }
                }
            }
            (true, None) if creating => {
                errs.add(
                    "certificate_number",
                    "required",
                    "the certificate number is required when the person holds a certificate",
                );
            }
            (false, Some(_)) => {
                errs.add(
                    "certificate_number",
                    "unexpected",
                    "give a certificate number only when has_certificate is true",
                );
            }
            _ => {}
        }

        let phone = trimmed(&self.phone);
        if let Some(p) = &phone {
            errs.check("phone", validate_phone(p));
        }

        let county = self.county_code.trim().to_owned();
        errs.check("county_code", validate_admin_code(&county, 6, None));
        let town = trimmed(&self.town_code);
        if let Some(t) = &town {
            errs.check("town_code", validate_admin_code(t, 9, Some(&county)));
        }
        let village = trimmed(&self.village_code);
        if let Some(v) = &village {
            match &town {
                Some(t) => {
                    errs.check("village_code", validate_admin_code(v, 12, Some(t)));
                }
                None => errs.add(
                    "village_code",
                    "town_required",
                    "give the town of the village",
                ),
            }
        }

        let address_detail = trimmed(&self.address_detail);
        if let Some(a) = &address_detail {
            errs.check("address_detail", validate_text(a, 200));
        }
        let household_number = trimmed(&self.household_number);
        if let Some(h) = &household_number {
            errs.check("household_number", validate_text(h, 40));
        }
        if let Some(n) = self.household_size {
            if !(1..=50).contains(&n) {
                errs.add("household_size", "out_of_range", "must be 1 to 50");
            }
        }
        let notes = trimmed(&self.notes);
        if let Some(n) = &notes {
            errs.check("notes", validate_text(n, 2000));
        }
        if let Some(d) = self.assurances.assessed_on {
            if d > today {
                errs.add(
                    "assurances.assessed_on",
                    "in_future",
                    "the assessment date lies in the future",
                );
            }
        }
        if self.registered_poor && self.poverty_status == PovertyStatus::None {
            errs.add(
                "poverty_status",
                "inconsistent",
                "a registered-poor person cannot have status none",
            );
        }

        errs.into_result(ValidPerson {
            name: self.name.trim().to_owned(),
            id_number,
            has_certificate: self.has_certificate,
            disability_category: self.disability_category,
            disability_level: self.disability_level,
            phone,
            county_code: county,
            town_code: town,
            village_code: village,
            address_detail,
            household_number,
            household_size: self.household_size,
            poverty_status: self.poverty_status,
            registered_poor: self.registered_poor,
            multi_disabled_household: self.multi_disabled_household,
            elderly_disabled: self.elderly_disabled,
            assurances: self.assurances.clone(),
            notes,
        })
    }
}

/// Body of `POST /api/v1/persons`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonCreate {
    /// Client-chosen id, so that a retried create is not a duplicate.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The entry's fields.
    #[serde(flatten)]
    pub fields: PersonInput,
}

/// Body of `PUT /api/v1/persons/{id}`: the full entry and the version the client saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonUpdate {
    /// The version last seen; may instead come in `If-Match`.
    #[serde(default)]
    pub version: Option<i64>,
    /// The entry's fields.
    #[serde(flatten)]
    pub fields: PersonInput,
}

/// A registry entry as the API shows it, with the identity number masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    /// Record id.
    pub id: Uuid,
    /// Bumped on every change.
    pub version: i64,
    /// Full name.
    pub name: String,
    /// Masked identity number (`430381********1234`).
    pub id_number: String,
    /// Whether the person holds a certificate.
    pub has_certificate: bool,
    /// Masked certificate number, if any.
    pub certificate_number: Option<String>,
    /// Sex, from the identity number.
    pub sex: Sex,
    /// Birth year, from the identity number. The full birth date is never part of a
    /// person answer: with the masked number it would rebuild the whole identity number.
    /// It comes only with a reveal.
    pub birth_year: i32,
    /// Category.
    pub disability_category: DisabilityCategory,
    /// Level.
    pub disability_level: DisabilityLevel,
    /// Level 1 or 2.
    pub severe: bool,
    /// Phone.
    pub phone: Option<String>,
    /// County code; the owning unit.
    pub county_code: String,
    /// Town code.
    pub town_code: Option<String>,
    /// Village code.
    pub village_code: Option<String>,
    /// Address detail.
    pub address_detail: Option<String>,
    /// Household number.
    pub household_number: Option<String>,
    /// Household size.
    pub household_size: Option<i32>,
    /// Poverty status.
    pub poverty_status: PovertyStatus,
    /// Registered-poor flag.
    pub registered_poor: bool,
    /// Multi-disabled household flag.
    pub multi_disabled_household: bool,
    /// Elderly-disabled flag.
    pub elderly_disabled: bool,
    /// The assurances check.
    pub assurances: Assurances,
    /// Notes.
    pub notes: Option<String>,
    /// Synthetic demo or benchmark data, not a real person.
    pub synthetic: bool,
    /// Always false for a live record.
    pub deleted: bool,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// Who created it (user id).
    pub created_by: Uuid,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
    /// Who last changed it (user id).
    pub updated_by: Uuid,
}

/// A record a device must forget, in a sync list (`updated_since`) or the change feed
/// (`/sync/persons`): only its id and when, never where it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tombstone {
    /// Record id.
    pub id: Uuid,
    /// Version at deletion or departure.
    pub version: i64,
    /// Always true: gone for the caller.
    pub deleted: bool,
    /// When it was deleted (the change feed: when it last changed).
    pub updated_at: DateTime<Utc>,
    /// Why it is gone: deleted, or moved out of the caller's scope (change feed only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<crate::sync::GoneReason>,
}

/// An item of a person list: a live entry, or a tombstone in sync lists, told apart by
/// `kind` (`person` or `tombstone`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PersonItem {
    /// A live entry.
    Person(Box<Person>),
    /// A deleted entry.
    Tombstone(Tombstone),
}

/// Filters of `GET /api/v1/persons`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PersonQuery {
    /// Part of the name.
    pub name: Option<String>,
    /// Exact identity number (full 18 characters).
    pub id_number: Option<String>,
    /// The last four characters of the identity number (the only ones a masked list
    /// shows), e.g. `1234` or `123X`.
    pub id_tail: Option<String>,
    /// County code.
    pub county_code: Option<String>,
    /// Town code.
    pub town_code: Option<String>,
    /// Village code.
    pub village_code: Option<String>,
    /// Poverty status.
    pub poverty_status: Option<PovertyStatus>,
    /// Disability category.
    pub disability_category: Option<DisabilityCategory>,
    /// Only severe (level 1–2) when true, only levels 3–4 when false.
    pub severe: Option<bool>,
    /// Registered-poor flag.
    pub registered_poor: Option<bool>,
    /// Multi-disabled household flag.
    pub multi_disabled_household: Option<bool>,
    /// Elderly-disabled flag.
    pub elderly_disabled: Option<bool>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
    /// Only records changed after this instant, tombstones included, oldest first.
    pub updated_since: Option<DateTime<Utc>>,
}

/// Body of `POST /api/v1/persons/{id}/reveal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevealRequest {
    /// Why the full number is needed (written to the audit log), 4 to 200 characters.
    pub reason: String,
}

impl RevealRequest {
    /// Checks the reason.
    pub fn validate(&self) -> Result<String, Vec<FieldError>> {
        let reason = self.reason.trim();
        let mut errs = FieldErrors::new();
        if reason.chars().count() < 4 {
            errs.add(
                "reason",
                "too_short",
                "give a reason of at least 4 characters",
            );
        } else {
            errs.check("reason", validate_text(reason, 200));
        }
        errs.into_result(reason.to_owned())
    }
}

/// Answer of a reveal: the full numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevealResponse {
    /// Full identity number.
    pub id_number: String,
    /// Birth date, from the identity number.
    pub birth_date: NaiveDate,
    /// Full certificate number, if the person holds one.
    pub certificate_number: Option<String>,
}

/// Checks a certificate against a stored identity number (update without the number).
pub fn check_certificate_against(
    cert: &str,
    id: &IdNumber,
    category: DisabilityCategory,
    level: DisabilityLevel,
    today: NaiveDate,
) -> Result<(), ValidationError> {
    CertificateNumber::parse(cert, today)?.check_agrees(id, category, level)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default()
    }

    fn input() -> PersonInput {
        serde_json::from_value(serde_json::json!({
            "name": "张三",
            "id_number": "11010519491231002X",
            "disability_category": "physical",
            "disability_level": 2,
            "county_code": "430381",
            "town_code": "430381100",
            "poverty_status": "in_poverty",
            "registered_poor": true,
        }))
        .expect("valid json")
    }

    fn codes(r: Result<ValidPerson, Vec<FieldError>>) -> Vec<(String, String)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn a_good_entry_validates() {
        let v = input().validate(today(), true).expect("valid");
        assert_eq!(v.id_number.map(|i| i.sex()), Some(Sex::Female));
    }

    #[test]
    fn every_problem_is_reported() {
        let mut p = input();
        p.name = " ".into();
        p.id_number = Some("110105194912310021".into());
        p.phone = Some("123".into());
        p.town_code = Some("430382100".into());
        p.village_code = Some("430381100200".into());
        let c = codes(p.validate(today(), true));
        assert!(c.contains(&("name".into(), "required".into())));
        assert!(c.contains(&("id_number".into(), "invalid_check_character".into())));
        assert!(c.contains(&("phone".into(), "invalid_phone".into())));
        assert!(c.contains(&("town_code".into(), "not_in_parent".into())));
        assert!(c.contains(&("village_code".into(), "not_in_parent".into())));
    }

    #[test]
    fn certificate_must_agree() {
        let mut p = input();
        p.has_certificate = true;
        assert_eq!(
            codes(p.clone().validate(today(), true)),
            vec![("certificate_number".into(), "required".into())]
        );
        p.certificate_number = Some("11010519491231002X43".into());
        assert_eq!(
            codes(p.clone().validate(today(), true)),
            vec![(
                "certificate_number".into(),
                "certificate_level_mismatch".into()
            )]
        );
        p.certificate_number = Some("11010519491231002X42".into());
        assert!(p.validate(today(), true).is_ok());
    }

    #[test]
    fn id_number_required_only_on_create() {
        let mut p = input();
        p.id_number = None;
        assert_eq!(
            codes(p.clone().validate(today(), true)),
            vec![("id_number".into(), "required".into())]
        );
        assert!(p.validate(today(), false).is_ok());
    }

    #[test]
    fn sex_and_birth_date_are_checked() {
        let mut p = input();
        p.sex = Some(Sex::Male);
        p.birth_date = NaiveDate::from_ymd_opt(1950, 1, 1);
        let c = codes(p.validate(today(), true));
        assert_eq!(
            c,
            vec![
                ("sex".into(), "sex_mismatch".into()),
                ("birth_date".into(), "birth_date_mismatch".into())
            ]
        );
    }
}
