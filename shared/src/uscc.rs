//! Unified social credit codes (统一社会信用代码) of GB 32100-2015.

use crate::validation::ValidationError;

/// The 31 characters a code may use (no I, O, Z, S, V), in check-value order.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1–17 (3^(i-1) mod 31).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn value(c: u8) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|a| *a == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// The check character of the first 17 characters, if they are all valid.
pub fn check_character(body: &[u8]) -> Option<u8> {
    if body.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in body.iter().zip(WEIGHTS) {
        sum += value(*c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET.get(check as usize).copied()
}

/// Parses an 18-character code (lower case accepted), returning it upper case.
pub fn parse(input: &str) -> Result<String, ValidationError> {
    let code = input.trim().to_ascii_uppercase();
    let bytes = code.as_bytes();
    if bytes.len() != 18 {
        return Err(ValidationError::new(
            "invalid_length",
            "a unified social credit code has 18 characters",
        ));
    }
    if !bytes.iter().all(|b| value(*b).is_some()) {
        return Err(ValidationError::new(
            "invalid_characters",
            "only digits and the letters A–Y except I, O, S, V are used",
        ));
    }
    if !bytes[2..8].iter().all(u8::is_ascii_digit) {
        return Err(ValidationError::new(
            "invalid_region",
            "characters 3 to 8 are the region code",
        ));
    }
    if check_character(&bytes[..17]) != Some(bytes[17]) {
        return Err(ValidationError::new(
            "invalid_check_character",
            "the check character does not match",
        ));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_codes() {
        for c in [
            "91350100M000100Y43",
            "91110000802100433B",
            "913300007125582210",
            "91440300708461136t",
        ] {
            assert!(parse(c).is_ok(), "{c}");
        }
        assert_eq!(
            parse("91350100M000100Y44").map_err(|e| e.code),
            Err("invalid_check_character")
        );
        assert_eq!(
            parse("91350100M000100Y4").map_err(|e| e.code),
            Err("invalid_length")
        );
        assert_eq!(
            parse("91350100M0001O0Y43").map_err(|e| e.code),
            Err("invalid_characters")
        );
        assert_eq!(
            parse("913A0100M000100Y43").map_err(|e| e.code),
            Err("invalid_region")
        );
    }

    proptest! {
        #[test]
        fn computed_check_is_accepted_and_one_change_is_caught(
            body in "[159Y][1-9][0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}",
            pos in 8usize..17,
            delta in 1usize..31,
        ) {
            let c = check_character(body.as_bytes()).expect("valid body");
            let code = format!("{body}{}", c as char);
            prop_assert!(parse(&code).is_ok());
            let mut bytes = code.into_bytes();
            let v = value(bytes[pos]).expect("valid") as usize;
            bytes[pos] = ALPHABET[(v + delta) % 31];
            let changed = String::from_utf8(bytes).expect("ascii");
            prop_assert!(parse(&changed).is_err());
        }
    }
}
