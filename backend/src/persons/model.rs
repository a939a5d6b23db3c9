//! Rows of `persons` and their conversion to and from the API types.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use shared::mask::mask_certificate_number;
use shared::person::{Assurances, Person, ValidPerson};
use shared::{CertificateNumber, DisabilityLevel};

use crate::db::schema::persons;
use crate::db::{code, utc, uuid};
use crate::error::ApiError;

/// A row of `persons`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = persons)]
pub struct PersonRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Encrypted identity number.
    pub id_number_enc: String,
    /// Keyed hash of the identity number.
    pub id_number_hmac: String,
    /// Masked identity number.
    pub id_number_masked: String,
    /// Holds a certificate.
    pub has_certificate: bool,
    /// Sex.
    pub sex: String,
    /// Birth year (the full date is only in the encrypted identity number).
    pub birth_year: i32,
    /// Category.
    pub disability_category: String,
    /// Level.
    pub disability_level: i32,
    /// Phone.
    pub phone: Option<String>,
    /// County (owner).
    pub county_code: String,
    /// City of the county.
    pub city_code: String,
    /// Town.
    pub town_code: Option<String>,
    /// Village.
    pub village_code: Option<String>,
    /// Address detail.
    pub address_detail: Option<String>,
    /// Household number.
    pub household_number: Option<String>,
    /// Household size.
    pub household_size: Option<i32>,
    /// Poverty status.
    pub poverty_status: String,
    /// Registered poor.
    pub registered_poor: bool,
    /// Multi-disabled household.
    pub multi_disabled_household: bool,
    /// Elderly disabled.
    pub elderly_disabled: bool,
    /// Assurance: food and clothing.
    pub assure_food_clothing: String,
    /// Assurance: education.
    pub assure_education: String,
    /// Assurance: medical.
    pub assure_medical: String,
    /// Assurance: housing.
    pub assure_housing: String,
    /// Assurance: drinking water.
    pub assure_drinking_water: String,
    /// Assessment date.
    pub assessed_on: Option<NaiveDate>,
    /// Notes.
    pub notes: Option<String>,
    /// Synthetic data.
    pub synthetic: bool,
    /// Hash of the create request.
    pub create_hash: Option<String>,
    /// Version.
    pub version: i64,
    /// Created at.
    pub created_at: NaiveDateTime,
    /// Created by.
    pub created_by: String,
    /// Updated at.
    pub updated_at: NaiveDateTime,
    /// Updated by.
    pub updated_by: String,
    /// Deleted at.
    pub deleted_at: Option<NaiveDateTime>,
    /// Deleted by.
    pub deleted_by: Option<String>,
}

/// The columns a create writes.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = persons)]
pub struct PersonInsert {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Encrypted identity number.
    pub id_number_enc: String,
    /// Keyed hash.
    pub id_number_hmac: String,
    /// Masked number.
    pub id_number_masked: String,
    /// Certificate flag.
    pub has_certificate: bool,
    /// Sex.
    pub sex: String,
    /// Birth year (the full date is only in the encrypted identity number).
    pub birth_year: i32,
    /// Category.
    pub disability_category: String,
    /// Level.
    pub disability_level: i32,
    /// Phone.
    pub phone: Option<String>,
    /// County.
    pub county_code: String,
    /// City.
    pub city_code: String,
    /// Town.
    pub town_code: Option<String>,
    /// Village.
    pub village_code: Option<String>,
    /// Address detail.
    pub address_detail: Option<String>,
    /// Household number.
    pub household_number: Option<String>,
    /// Household size.
    pub household_size: Option<i32>,
    /// Poverty status.
    pub poverty_status: String,
    /// Registered poor.
    pub registered_poor: bool,
    /// Multi-disabled household.
    pub multi_disabled_household: bool,
    /// Elderly disabled.
    pub elderly_disabled: bool,
    /// Assurance.
    pub assure_food_clothing: String,
    /// Assurance.
    pub assure_education: String,
    /// Assurance.
    pub assure_medical: String,
    /// Assurance.
    pub assure_housing: String,
    /// Assurance.
    pub assure_drinking_water: String,
    /// Assessment date.
    pub assessed_on: Option<NaiveDate>,
    /// Notes.
    pub notes: Option<String>,
    /// Synthetic data.
    pub synthetic: bool,
    /// Hash of the create request.
    pub create_hash: Option<String>,
    /// Version (1).
    pub version: i64,
    /// Created at.
    pub created_at: NaiveDateTime,
    /// Created by.
    pub created_by: String,
    /// Updated at.
    pub updated_at: NaiveDateTime,
    /// Updated by.
    pub updated_by: String,
}

/// The columns an update writes.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = persons, treat_none_as_null = true)]
pub struct PersonUpdateRow {
    /// Name.
    pub name: String,
    /// Encrypted identity number.
    pub id_number_enc: String,
    /// Keyed hash.
    pub id_number_hmac: String,
    /// Masked number.
    pub id_number_masked: String,
    /// Certificate flag.
    pub has_certificate: bool,
    /// Sex.
    pub sex: String,
    /// Birth year (the full date is only in the encrypted identity number).
    pub birth_year: i32,
    /// Category.
    pub disability_category: String,
    /// Level.
    pub disability_level: i32,
    /// Phone.
    pub phone: Option<String>,
    /// County.
    pub county_code: String,
    /// City.
    pub city_code: String,
    /// Town.
    pub town_code: Option<String>,
    /// Village.
    pub village_code: Option<String>,
    /// Address detail.
    pub address_detail: Option<String>,
    /// Household number.
    pub household_number: Option<String>,
    /// Household size.
    pub household_size: Option<i32>,
    /// Poverty status.
    pub poverty_status: String,
    /// Registered poor.
    pub registered_poor: bool,
    /// Multi-disabled household.
    pub multi_disabled_household: bool,
    /// Elderly disabled.
    pub elderly_disabled: bool,
    /// Assurance.
    pub assure_food_clothing: String,
    /// Assurance.
    pub assure_education: String,
    /// Assurance.
    pub assure_medical: String,
    /// Assurance.
    pub assure_housing: String,
    /// Assurance.
    pub assure_drinking_water: String,
    /// Assessment date.
    pub assessed_on: Option<NaiveDate>,
    /// Notes.
    pub notes: Option<String>,
    /// Version (bumped).
    pub version: i64,
    /// Updated at.
    pub updated_at: NaiveDateTime,
    /// Updated by.
    pub updated_by: String,
}

/// The stored forms of an identity number, and what it tells.
#[derive(Debug, Clone)]
pub struct ProtectedId {
    /// Ciphertext.
    pub enc: String,
    /// Keyed hash.
    pub hmac: String,
    /// Masked display form.
    pub masked: String,
    /// Birth year it encodes.
    pub birth_year: i32,
    /// Sex it encodes.
    pub sex: shared::Sex,
}

impl ProtectedId {
    /// Encrypts and hashes a number.
    pub fn new(pii: &crate::pii::Pii, id: &shared::IdNumber) -> Result<Self, ApiError> {
        Ok(Self {
            enc: pii.encrypt(id.as_str())?,
            hmac: pii.lookup_hash(id.as_str()),
            masked: id.masked(),
            birth_year: id.birth_date().year(),
            sex: id.sex(),
        })
    }
}

/// Who changed a record, when, and its version afterwards.
#[derive(Debug, Clone)]
pub struct Stamp {
    /// The version after the change.
    pub version: i64,
    /// When.
    pub at: NaiveDateTime,
    /// Who (user id).
    pub by: String,
}

impl PersonUpdateRow {
    /// The update of a validated entry.
    pub fn new(v: &ValidPerson, id: ProtectedId, city: String, stamp: Stamp) -> Self {
        Self {
            name: v.name.clone(),
            id_number_enc: id.enc,
            id_number_hmac: id.hmac,
            id_number_masked: id.masked,
            has_certificate: v.has_certificate,
            sex: id.sex.as_str().into(),
            birth_year: id.birth_year,
            disability_category: v.disability_category.as_str().into(),
            disability_level: i32::from(v.disability_level.get()),
            phone: v.phone.clone(),
            county_code: v.county_code.clone(),
            city_code: city,
            town_code: v.town_code.clone(),
            village_code: v.village_code.clone(),
            address_detail: v.address_detail.clone(),
            household_number: v.household_number.clone(),
            household_size: v.household_size,
            poverty_status: v.poverty_status.as_str().into(),
            registered_poor: v.registered_poor,
            multi_disabled_household: v.multi_disabled_household,
            elderly_disabled: v.elderly_disabled,
            assure_food_clothing: v.assurances.food_clothing.as_str().into(),
            assure_education: v.assurances.education.as_str().into(),
            assure_medical: v.assurances.medical.as_str().into(),
            assure_housing: v.assurances.housing.as_str().into(),
            assure_drinking_water: v.assurances.drinking_water.as_str().into(),
            assessed_on: v.assurances.assessed_on,
            notes: v.notes.clone(),
            version: stamp.version,
            updated_at: stamp.at,
            updated_by: stamp.by,
        }
    }

    /// The insert form of the same values.
    pub fn into_insert(
        self,
        id: String,
        synthetic: bool,
        create_hash: Option<String>,
    ) -> PersonInsert {
        PersonInsert {
            id,
            name: self.name,
            id_number_enc: self.id_number_enc,
            id_number_hmac: self.id_number_hmac,
            id_number_masked: self.id_number_masked,
            has_certificate: self.has_certificate,
            sex: self.sex,
            birth_year: self.birth_year,
            disability_category: self.disability_category,
            disability_level: self.disability_level,
            phone: self.phone,
            county_code: self.county_code,
            city_code: self.city_code,
            town_code: self.town_code,
            village_code: self.village_code,
            address_detail: self.address_detail,
            household_number: self.household_number,
            household_size: self.household_size,
            poverty_status: self.poverty_status,
            registered_poor: self.registered_poor,
            multi_disabled_household: self.multi_disabled_household,
            elderly_disabled: self.elderly_disabled,
            assure_food_clothing: self.assure_food_clothing,
            assure_education: self.assure_education,
            assure_medical: self.assure_medical,
            assure_housing: self.assure_housing,
            assure_drinking_water: self.assure_drinking_water,
            assessed_on: self.assessed_on,
            notes: self.notes,
            synthetic,
            create_hash,
            version: self.version,
            created_at: self.updated_at,
            created_by: self.updated_by.clone(),
            updated_at: self.updated_at,
            updated_by: self.updated_by,
        }
    }
}

impl PersonRow {
    /// The API view, identity and certificate numbers masked.
    pub fn to_api(&self) -> Result<Person, ApiError> {
        let level = u8::try_from(self.disability_level)
            .ok()
            .and_then(DisabilityLevel::new)
            .ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!(
                    "stored level {} out of range",
                    self.disability_level
                ))
            })?;
        let category: shared::DisabilityCategory = code(&self.disability_category)?;
        Ok(Person {
            id: uuid(&self.id)?,
            version: self.version,
            name: self.name.clone(),
            id_number: self.id_number_masked.clone(),
            has_certificate: self.has_certificate,
            certificate_number: self.has_certificate.then(|| {
                mask_certificate_number(&format!(
                    "{}{}{}",
                    self.id_number_masked,
                    category.digit(),
                    level.get()
                ))
            }),
            sex: code(&self.sex)?,
            birth_year: self.birth_year,
            disability_category: category,
            disability_level: level,
            severe: level.is_severe(),
            phone: self.phone.clone(),
            county_code: self.county_code.clone(),
            town_code: self.town_code.clone(),
            village_code: self.village_code.clone(),
            address_detail: self.address_detail.clone(),
            household_number: self.household_number.clone(),
            household_size: self.household_size,
            poverty_status: code(&self.poverty_status)?,
            registered_poor: self.registered_poor,
            multi_disabled_household: self.multi_disabled_household,
            elderly_disabled: self.elderly_disabled,
            assurances: Assurances {
                food_clothing: code(&self.assure_food_clothing)?,
                education: code(&self.assure_education)?,
                medical: code(&self.assure_medical)?,
                housing: code(&self.assure_housing)?,
                drinking_water: code(&self.assure_drinking_water)?,
                assessed_on: self.assessed_on,
            },
            notes: self.notes.clone(),
            synthetic: self.synthetic,
            deleted: self.deleted_at.is_some(),
            created_at: utc(self.created_at),
            created_by: uuid(&self.created_by)?,
            updated_at: utc(self.updated_at),
            updated_by: uuid(&self.updated_by)?,
        })
    }

    /// The full certificate number, given the decrypted identity number.
    pub fn certificate_number(&self, id_number: &str) -> Option<String> {
        let category: shared::DisabilityCategory = self.disability_category.parse().ok()?;
        let level = DisabilityLevel::new(u8::try_from(self.disability_level).ok()?)?;
        let id = shared::IdNumber::parse(id_number, NaiveDate::MAX).ok()?;
        self.has_certificate
            .then(|| CertificateNumber::of(&id, category, level))
    }
}
