//! Resident identity numbers (GB 11643) and disability certificate numbers.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::{DisabilityCategory, DisabilityLevel};
use crate::validation::ValidationError;

/// Weights of the 17 body digits in ISO 7064 MOD 11-2 (2^(17-i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each value of the weighted sum modulo 11.
const CHECK: [u8; 11] = *b"10X98765432";

crate::string_enum! {
    /// Sex as recorded on the identity number (17th digit odd: male).
    pub enum Sex {
        /// 男
        Male = "male",
        /// 女
        Female = "female",
    }
}

/// Computes the check character of 17 body digits. `None` if `body` is not 17 ASCII digits.
pub fn check_character(body: &[u8]) -> Option<u8> {
    if body.len() != 17 || !body.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(CHECK[(sum % 11) as usize])
}

/// A valid 18-character resident identity number, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

impl IdNumber {
    /// Parses and checks an identity number: 17 digits and a check character that agrees
    /// (a lower-case `x` is accepted), a birth date that exists and is not after `today`.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, ValidationError> {
        let upper = input.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if bytes.len() != 18 {
            return Err(ValidationError::new(
                "invalid_length",
                "an identity number has 18 characters",
            ));
        }
        let (body, check) = bytes.split_at(17);
        if !body.iter().all(u8::is_ascii_digit) || !(check[0].is_ascii_digit() || check[0] == b'X')
        {
            return Err(ValidationError::new(
                "invalid_characters",
                "an identity number is 17 digits followed by a digit or X",
            ));
        }
        let birth = parse_birth_date(&upper[6..14]).ok_or_else(|| {
            ValidationError::new("invalid_birth_date", "digits 7 to 14 are not a real date")
        })?;
        if birth > today {
            return Err(ValidationError::new(
                "birth_date_in_future",
                "the birth date lies in the future",
            ));
        }
        if check_character(body) != Some(check[0]) {
            return Err(ValidationError::new(
                "invalid_check_character",
                "the check character does not match",
            ));
        }
        Ok(Self(upper))
    }

    /// The number as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit code of the region where the number was issued.
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// The birth date encoded in digits 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        // Checked in `parse`, so the fallback is unreachable for a constructed value.
        parse_birth_date(&self.0[6..14]).unwrap_or_default()
    }

    /// The sex encoded in the 17th digit.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The masked display form: first 6 and last 4 characters kept.
    pub fn masked(&self) -> String {
        crate::mask::mask_id_number(&self.0)
    }
}

impl TryFrom<String> for IdNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        // Deserialising stored values: the shape is checked, not the clock.
        IdNumber::parse(&s, NaiveDate::MAX).map_err(|e| e.to_string())
    }
}

impl From<IdNumber> for String {
    fn from(id: IdNumber) -> String {
        id.0
    }
}

impl std::fmt::Display for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn parse_birth_date(yyyymmdd: &str) -> Option<NaiveDate> {
    let y = yyyymmdd.get(0..4)?.parse().ok()?;
    let m = yyyymmdd.get(4..6)?.parse().ok()?;
    let d = yyyymmdd.get(6..8)?.parse().ok()?;
    // Identity numbers were first issued in 1984; nobody alive was born before 1880.
    if y < 1880 {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A disability certificate number: the holder's identity number, the category digit
/// and the level digit (20 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateNumber {
    /// The holder's identity number.
    pub id_number: IdNumber,
    /// The disability category of the certificate.
    pub category: DisabilityCategory,
    /// The disability level of the certificate.
    pub level: DisabilityLevel,
}

impl CertificateNumber {
    /// Parses a 20-character certificate number.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, ValidationError> {
        let upper = input.trim().to_ascii_uppercase();
        if upper.len() != 20 || !upper.is_ascii() {
            return Err(ValidationError::new(
                "invalid_length",
                "a certificate number has 20 characters",
            ));
        }
        let id_number = IdNumber::parse(&upper[..18], today).map_err(|e| {
            ValidationError::new(
                e.code,
                format!(
                    "the first 18 characters are not a valid identity number: {}",
                    e.message
                ),
            )
        })?;
        let digits = &upper.as_bytes()[18..];
        let category = digits[0]
            .checked_sub(b'0')
            .and_then(DisabilityCategory::from_digit)
            .ok_or_else(|| {
                ValidationError::new(
                    "invalid_category_digit",
                    "the 19th character must be a category digit 1–7",
                )
            })?;
        let level = digits[1]
            .checked_sub(b'0')
            .and_then(DisabilityLevel::new)
            .ok_or_else(|| {
                ValidationError::new(
                    "invalid_level_digit",
                    "the 20th character must be a level digit 1–4",
                )
            })?;
        Ok(Self {
            id_number,
            category,
            level,
        })
    }

    /// Checks that the certificate belongs to `id_number` and states `category` and `level`.
    pub fn check_agrees(
        &self,
        id_number: &IdNumber,
        category: DisabilityCategory,
        level: DisabilityLevel,
    ) -> Result<(), ValidationError> {
        if &self.id_number != id_number {
            return Err(ValidationError::new(
                "certificate_id_mismatch",
                "the certificate belongs to another identity number",
            ));
        }
        if self.category != category {
            return Err(ValidationError::new(
                "certificate_category_mismatch",
                "the certificate states another disability category",
            ));
        }
        if self.level != level {
            return Err(ValidationError::new(
                "certificate_level_mismatch",
                "the certificate states another disability level",
            ));
        }
        Ok(())
    }

    /// Builds the certificate number of a holder.
    pub fn of(
        id_number: &IdNumber,
        category: DisabilityCategory,
        level: DisabilityLevel,
    ) -> String {
        format!("{}{}{}", id_number.as_str(), category.digit(), level.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default()
    }

    #[test]
    fn known_valid_numbers() {
        // The examples printed in GB 11643-1999 itself.
        for n in ["11010519491231002X", "440524188001010014"] {
            assert!(IdNumber::parse(n, today()).is_ok(), "{n}");
        }
        let id = IdNumber::parse("11010519491231002x", today()).expect("lower-case x is accepted");
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap_or_default()
        );
        assert_eq!(id.region_code(), "110105");
        assert_eq!(id.masked(), "110105********002X");
        let man = IdNumber::parse("440524188001010014", today()).expect("valid");
        assert_eq!(man.sex(), Sex::Male);
    }

    #[test]
    fn known_invalid_numbers() {
        let code = |n: &str| IdNumber::parse(n, today()).map_err(|e| e.code);
        assert_eq!(code("110105194912310021"), Err("invalid_check_character"));
        assert_eq!(code("11010519491231002"), Err("invalid_length"));
        assert_eq!(code("1101051949123100XX"), Err("invalid_characters"));
        assert_eq!(code("110105194902300021"), Err("invalid_birth_date")); // 30 February
        assert_eq!(code("110105203001010021"), Err("birth_date_in_future"));
        assert_eq!(code(""), Err("invalid_length"));
        assert_eq!(
            code("１１０１０５１９４９１２３１００２Ｘ"),
            Err("invalid_length")
        );
    }

    #[test]
    fn certificates() {
        let id = IdNumber::parse("11010519491231002X", today()).expect("valid");
        let cert = CertificateNumber::parse("11010519491231002X42", today()).expect("valid");
        assert_eq!(cert.category, DisabilityCategory::Physical);
        assert_eq!(cert.level.get(), 2);
        let lvl2 = DisabilityLevel::new(2).expect("level");
        let lvl3 = DisabilityLevel::new(3).expect("level");
        assert!(cert
            .check_agrees(&id, DisabilityCategory::Physical, lvl2)
            .is_ok());
        assert_eq!(
            cert.check_agrees(&id, DisabilityCategory::Visual, lvl2)
                .map_err(|e| e.code),
            Err("certificate_category_mismatch")
        );
        assert_eq!(
            cert.check_agrees(&id, DisabilityCategory::Physical, lvl3)
                .map_err(|e| e.code),
            Err("certificate_level_mismatch")
        );
        let other = IdNumber::parse("440524188001010014", today()).expect("valid");
        assert_eq!(
            cert.check_agrees(&other, DisabilityCategory::Physical, lvl2)
                .map_err(|e| e.code),
            Err("certificate_id_mismatch")
        );
        let code = |n: &str| CertificateNumber::parse(n, today()).map_err(|e| e.code);
        assert_eq!(code("11010519491231002X82"), Err("invalid_category_digit"));
        assert_eq!(code("11010519491231002X45"), Err("invalid_level_digit"));
        assert_eq!(code("11010519491231002X4"), Err("invalid_length"));
        assert_eq!(code("11010519491231002142"), Err("invalid_check_character"));
        assert_eq!(
            CertificateNumber::of(&id, DisabilityCategory::Physical, lvl2),
            "11010519491231002X42"
        );
    }

    fn body() -> impl Strategy<Value = String> {
        (
            0u32..1_000_000,
            1930i32..2020,
            1u32..13,
            1u32..29,
            0u32..1000,
        )
            .prop_map(|(region, y, m, d, seq)| format!("{region:06}{y:04}{m:02}{d:02}{seq:03}"))
    }

    proptest! {
        /// Any body with its computed check character parses.
        #[test]
        fn computed_check_character_is_accepted(b in body()) {
            let c = check_character(b.as_bytes()).expect("17 digits") as char;
            let n = format!("{b}{c}");
            prop_assert!(IdNumber::parse(&n, today()).is_ok());
        }

        /// Any other check character is refused.
        #[test]
        fn wrong_check_character_is_refused(b in body(), wrong in prop::sample::select(b"0123456789X".to_vec())) {
            let c = check_character(b.as_bytes()).expect("17 digits");
            prop_assume!(wrong != c);
            let n = format!("{b}{}", wrong as char);
            prop_assert_eq!(IdNumber::parse(&n, today()).map_err(|e| e.code), Err("invalid_check_character"));
        }

        /// MOD 11-2 catches every change of a single body digit.
        #[test]
        fn single_digit_errors_are_detected(b in body(), pos in 0usize..17, delta in 1u8..10) {
            let c = check_character(b.as_bytes()).expect("17 digits") as char;
            let mut bytes = b.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).expect("ascii");
            let n = format!("{changed}{c}");
            // The change may also break the date; either way the number is refused.
            prop_assert!(IdNumber::parse(&n, today()).is_err());
        }

        /// Parsing never panics on arbitrary input.
        #[test]
        fn parse_never_panics(s in ".{0,30}") {
            let _ = IdNumber::parse(&s, today());
            let _ = CertificateNumber::parse(&s, today());
        }
    }
}
