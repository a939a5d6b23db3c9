//! The closed sets of values of DOMAIN.md ("Codes", binding): each is an enum whose
//! serde form is the snake_case identifier, with `as_str`/`FromStr` for storage.

use serde::{Deserialize, Serialize};

/// Declares an enum of snake_case identifiers with `as_str`, `FromStr`, `ALL` and serde.
#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        // Each value names its text: no `rename_all`, which utoipa would apply over the
        // variant's own name (`Assessment2019` → "assessment2019", not "assessment_2019").
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The snake_case identifier used in JSON and in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::codes::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::codes::UnknownCode { kind: stringify!($name), value: s.to_owned() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A stored or submitted string that is not one of an enum's identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode {
    /// The enum's name.
    pub kind: &'static str,
    /// The string that did not match.
    pub value: String,
}

impl std::fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} value {:?}", self.kind, self.value)
    }
}

impl std::error::Error for UnknownCode {}

string_enum! {
    /// The seven disability categories of GB/T 26341-2010.
    pub enum DisabilityCategory {
        /// 视力 (1)
        Visual = "visual",
        /// 听力 (2)
        Hearing = "hearing",
        /// 言语 (3)
        Speech = "speech",
        /// 肢体 (4)
        Physical = "physical",
        /// 智力 (5)
        Intellectual = "intellectual",
        /// 精神 (6)
        Mental = "mental",
        /// 多重 (7)
        Multiple = "multiple",
    }
}

impl DisabilityCategory {
    /// The category's digit in a certificate number (1–7).
    pub fn digit(self) -> u8 {
        match self {
            Self::Visual => 1,
            Self::Hearing => 2,
            Self::Speech => 3,
            Self::Physical => 4,
            Self::Intellectual => 5,
            Self::Mental => 6,
            Self::Multiple => 7,
        }
    }

    /// The category with the given certificate digit.
    pub fn from_digit(d: u8) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.digit() == d)
    }
}

/// Disability level 1 to 4; 一级 (1) is the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct DisabilityLevel(u8);

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for DisabilityLevel {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .minimum(Some(1))
            .maximum(Some(4))
            .description(Some("Disability level, 1 (most severe) to 4"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for DisabilityLevel {}

impl DisabilityLevel {
    /// Level 4, the mildest.
    pub const MILDEST: DisabilityLevel = DisabilityLevel(4);

    /// The level if `n` is 1 to 4.
    pub fn new(n: u8) -> Option<Self> {
        (1..=4).contains(&n).then_some(Self(n))
    }

    /// The level as a number.
    pub fn get(self) -> u8 {
        self.0
    }

    /// Severe (重度) means level 1 or 2.
    pub fn is_severe(self) -> bool {
        self.0 <= 2
    }
}

impl TryFrom<u8> for DisabilityLevel {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Self::new(n).ok_or_else(|| format!("disability level must be 1 to 4, got {n}"))
    }
}

impl From<DisabilityLevel> for u8 {
    fn from(l: DisabilityLevel) -> u8 {
        l.0
    }
}

string_enum! {
    /// Where a person stands with respect to poverty.
    pub enum PovertyStatus {
        /// 未脱贫
        InPoverty = "in_poverty",
        /// 已脱贫
        Lifted = "lifted",
        /// 脱贫不稳定
        Unstable = "unstable",
        /// 边缘易致贫
        Marginal = "marginal",
        /// not poor
        None = "none",
    }
}

string_enum! {
    /// The outcome of checking one of the "two no-worries, three guarantees".
    pub enum AssuranceStatus {
        /// Checked and assured.
        Met = "met",
        /// Checked and not assured: a problem to follow up.
        NotMet = "not_met",
        /// Not yet checked.
        Unknown = "unknown",
    }
}

#[expect(
    clippy::derivable_impls,
    reason = "string_enum! declares the enum, so #[default] cannot be attached"
)]
impl Default for AssuranceStatus {
    fn default() -> Self {
        Self::Unknown
    }
}

string_enum! {
    /// What kind of organisational unit a node of the org tree is.
    pub enum OrgUnitKind {
        /// The province (湖南省, 43).
        Province = "province",
        /// A prefecture-level city or autonomous prefecture.
        City = "city",
        /// A county-level unit (county, district, county-level city, zone).
        County = "county",
        /// A department of the provincial DPF.
        Department = "department",
    }
}

string_enum! {
    /// Level of an address reference entry below the county.
    pub enum AddressLevel {
        /// 乡/镇/街道 (9-digit code)
        Town = "town",
        /// 村委会/居委会 (12-digit code)
        Village = "village",
    }
}

/// Checks the shape of an administrative code: `county` 6 digits, `town` 9, `village` 12,
/// each starting with its parent's code; only Hunan (43) is served.
pub fn validate_admin_code(
    code: &str,
    digits: usize,
    parent: Option<&str>,
) -> Result<(), crate::validation::ValidationError> {
    use crate::validation::ValidationError;
    if code.len() != digits || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ValidationError::new(
            "invalid_format",
            format!("must be {digits} digits"),
        ));
    }
    if !code.starts_with("43") {
        return Err(ValidationError::new(
            "outside_province",
            "not a code of Hunan province (43)",
        ));
    }
    if let Some(p) = parent {
        if !code.starts_with(p) {
            return Err(ValidationError::new(
                "not_in_parent",
                format!("does not lie within {p}"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip() {
        for c in DisabilityCategory::ALL {
            assert_eq!(c.as_str().parse::<DisabilityCategory>(), Ok(*c));
            assert_eq!(DisabilityCategory::from_digit(c.digit()), Some(*c));
            assert_eq!(
                serde_json::to_string(c).map_err(|e| e.to_string()),
                Ok(format!("\"{}\"", c.as_str()))
            );
        }
        assert!("blind".parse::<DisabilityCategory>().is_err());
        assert_eq!(PovertyStatus::InPoverty.as_str(), "in_poverty");
    }

    #[test]
    fn levels() {
        assert!(DisabilityLevel::new(0).is_none());
        assert!(DisabilityLevel::new(5).is_none());
        assert!(DisabilityLevel::new(2).is_some_and(|l| l.is_severe()));
        assert!(DisabilityLevel::new(3).is_some_and(|l| !l.is_severe()));
        assert!(serde_json::from_str::<DisabilityLevel>("5").is_err());
    }

    #[test]
    fn admin_codes() {
        assert!(validate_admin_code("430381", 6, None).is_ok());
        assert!(validate_admin_code("430381100", 9, Some("430381")).is_ok());
        assert_eq!(
            validate_admin_code("430382100", 9, Some("430381")).map_err(|e| e.code),
            Err("not_in_parent")
        );
        assert_eq!(
            validate_admin_code("110101", 6, None).map_err(|e| e.code),
            Err("outside_province")
        );
        assert_eq!(
            validate_admin_code("43038", 6, None).map_err(|e| e.code),
            Err("invalid_format")
        );
    }
}
