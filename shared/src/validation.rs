//! Field-level validation errors, the `errors` member of problem JSON.

use serde::{Deserialize, Serialize};

/// One problem with one input field: which field, a stable machine code and a message
/// for people. Clients translate by `code`; `message` is the English fallback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The input field, as named in the request body (`id_number`, `town_code` …).
    pub field: String,
    /// Stable snake_case machine code (`invalid_check_character`, `required` …).
    pub code: String,
    /// Human-readable explanation in English.
    pub message: String,
}

impl FieldError {
    /// A field error for `field` with a machine `code` and an English `message`.
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// An accumulator of field errors, so that a form reports every problem at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// An empty set of errors.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem with `field`.
    pub fn add(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }

    /// Records `err` (if any) under `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, ValidationError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(FieldError::new(field, e.code, e.message));
                None
            }
        }
    }

    /// True when no problem was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when no problem was recorded, otherwise the errors.
    pub fn into_result<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }
}

/// A problem with one value, before it is tied to a field name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Stable snake_case machine code.
    pub code: &'static str,
    /// English explanation.
    pub message: String,
}

impl ValidationError {
    /// A validation error with a machine code and a message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ValidationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for ValidationError {}

/// Checks a mainland China phone number: an 11-digit mobile number starting with 1[3-9],
/// or a landline with a 3–4 digit area code starting with 0 and a 7–8 digit number,
/// optionally separated by a hyphen. Spaces are not accepted; callers trim input.
pub fn validate_phone(phone: &str) -> Result<(), ValidationError> {
    let bytes = phone.as_bytes();
    let all_digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    if bytes.len() == 11
        && all_digits(bytes)
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
    {
        return Ok(());
    }
    let (area, number) = match phone.split_once('-') {
        Some((a, n)) => (a.as_bytes(), n.as_bytes()),
        None if bytes.len() >= 10 && bytes.first() == Some(&b'0') => {
            // Without a hyphen, accept 0 + 2–3 digits + 7–8 digits: 10 to 12 digits.
            if bytes.len() <= 12 && all_digits(bytes) {
                return Ok(());
            }
            return Err(ValidationError::new(
                "invalid_phone",
                "not a valid mobile or landline number",
            ));
        }
        None => {
            return Err(ValidationError::new(
                "invalid_phone",
                "not a valid mobile or landline number",
            ))
        }
    };
    let area_ok = all_digits(area) && (3..=4).contains(&area.len()) && area[0] == b'0';
    let number_ok = all_digits(number) && (7..=8).contains(&number.len());
    if area_ok && number_ok {
        Ok(())
    } else {
        Err(ValidationError::new(
            "invalid_phone",
            "not a valid mobile or landline number",
        ))
    }
}

/// Checks a person's name: 1 to 50 characters after trimming, no control characters.
pub fn validate_name(name: &str) -> Result<(), ValidationError> {
    let count = name.chars().count();
    if name.trim().is_empty() {
        return Err(ValidationError::new("required", "name is required"));
    }
    if count > 50 {
        return Err(ValidationError::new("too_long", "at most 50 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(ValidationError::new(
            "invalid_characters",
            "control characters are not allowed",
        ));
    }
    Ok(())
}

/// Checks free text: at most `max` characters, no control characters except newlines and tabs.
pub fn validate_text(text: &str, max: usize) -> Result<(), ValidationError> {
    if text.chars().count() > max {
        return Err(ValidationError::new(
            "too_long",
            format!("at most {max} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(ValidationError::new(
            "invalid_characters",
            "control characters are not allowed",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        for ok in [
            "13812345678",
            "19912345678",
            "0731-12345678",
            "0731-1234567",
            "010-12345678",
            "073112345678",
        ] {
            assert!(validate_phone(ok).is_ok(), "{ok} should be valid");
        }
        for bad in [
            "12812345678",
            "1381234567",
            "138123456789",
            "0731-123456",
            "731-12345678",
            "",
            "abc",
            "0731-1234567a",
        ] {
            assert!(validate_phone(bad).is_err(), "{bad} should be invalid");
        }
    }

    #[test]
    fn names() {
        assert!(validate_name("张三").is_ok());
        assert_eq!(validate_name("  ").map_err(|e| e.code), Err("required"));
        assert_eq!(
            validate_name(&"长".repeat(51)).map_err(|e| e.code),
            Err("too_long")
        );
        assert_eq!(
            validate_name("a\u{0}b").map_err(|e| e.code),
            Err("invalid_characters")
        );
    }
}
