//! Masking of sensitive identifiers for display.

/// Masks an identity number: the first 6 and last 4 characters kept, the rest `*`
/// (`430381********1234`). Shorter strings are masked entirely.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 12 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars[..6]
        .iter()
        .chain(std::iter::repeat_n(&'*', n - 10))
        .chain(&chars[n - 4..])
        .collect()
}

/// Masks a certificate number: its identity number part masked, category and level kept.
pub fn mask_certificate_number(cert: &str) -> String {
    match (cert.get(..18), cert.get(18..)) {
        (Some(id), Some(rest)) => format!("{}{}", mask_id_number(id), rest),
        _ => mask_id_number(cert),
    }
}

/// Masks a phone number: the first 3 and last 4 characters kept, the rest `*`
/// (`138****5678`). Shorter strings are masked entirely.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let n = chars.len();
    if n < 8 {
        return "*".repeat(n);
    }
    chars[..3]
        .iter()
        .chain(std::iter::repeat_n(&'*', n - 7))
        .chain(&chars[n - 4..])
        .collect()
}

/// Masks a person's name for lists that show who is behind a figure: the first
/// character kept, every other one `*` (`张三丰` → `张**`).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        None => String::new(),
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_first_character() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李"), "李");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn phones_keep_both_ends() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0731-5555666"), "073*****5666");
        assert_eq!(mask_phone("12345"), "*****");
    }

    #[test]
    fn masks() {
        assert_eq!(mask_id_number("430381199001011234"), "430381********1234");
        assert_eq!(
            mask_certificate_number("43038119900101123442"),
            "430381********123442"
        );
        assert_eq!(mask_id_number("short"), "*****");
    }
}
