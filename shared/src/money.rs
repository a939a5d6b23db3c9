//! Money in fen (分): parsing what people type in yuan, and showing it back.

/// Parses a non-negative decimal with at most two places ("50000", "1,087.5") into
/// hundredths: yuan into fen, or a percentage into basis points. No floats.
pub fn parse_hundredths(input: &str) -> Option<i64> {
    let s: String = input
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty() && frac.is_empty()
        || frac.len() > 2
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

/// Shows hundredths as a decimal with two places: 108750 → "1,087.50".
pub fn format_hundredths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let v = v.unsigned_abs();
    let whole = (v / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", v % 100)
}

/// Parses an amount of yuan as people type it into fen: "50000", "50,000.5", "5万",
/// "5.5万元", "50000元". `None` for anything else (or an overflow).
pub fn parse_yuan(input: &str) -> Option<i64> {
    let s = input.trim();
    let s = s.strip_suffix('元').unwrap_or(s).trim_end();
    match s.strip_suffix('万') {
        // Ten thousand yuan: up to four decimals still give whole fen after ×10,000…
        // and at most two are accepted, as for plain yuan, to keep one rule.
        Some(wan) => parse_hundredths(wan.trim_end())?.checked_mul(10_000),
        None => parse_hundredths(s),
    }
}

/// Parses a percentage in hundredths of a percent (basis points): "4.35", "4.35%",
/// "4.35 %" → 435.
pub fn parse_percent_bp(input: &str) -> Option<i64> {
    let s = input.trim();
    let s = s
        .strip_suffix('%')
        .or_else(|| s.strip_suffix('％'))
        .unwrap_or(s);
    parse_hundredths(s.trim_end())
}

/// Adds amounts in fen; `None` if the sum does not fit in an `i64`, which callers turn
/// into a field error (never a panic or a wrapped value).
pub fn checked_sum(amounts: impl IntoIterator<Item = i64>) -> Option<i64> {
    amounts
        .into_iter()
        .try_fold(0_i64, |total, v| total.checked_add(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_as_people_type_them() {
        assert_eq!(parse_yuan("5万"), Some(5_000_000));
        assert_eq!(parse_yuan("5.5万元"), Some(5_500_000));
        assert_eq!(parse_yuan("50,000元"), Some(5_000_000));
        assert_eq!(parse_yuan(" 50000.5 "), Some(5_000_050));
        assert_eq!(parse_yuan("五万"), None);
        assert_eq!(parse_yuan("万"), None);
        assert_eq!(parse_yuan("99999999999999999万"), None);
        assert_eq!(parse_percent_bp("4.35%"), Some(435));
        assert_eq!(parse_percent_bp("4.35 ％"), Some(435));
        assert_eq!(parse_percent_bp("4.35"), Some(435));
        assert_eq!(parse_percent_bp("%"), None);
    }

    #[test]
    fn parse_and_format() {
        assert_eq!(parse_hundredths("50000"), Some(5_000_000));
        assert_eq!(parse_hundredths("4.35"), Some(435));
        assert_eq!(parse_hundredths("1,087.5"), Some(108_750));
        assert_eq!(parse_hundredths(".5"), Some(50));
        for bad in ["", ".", "1.234", "-1", "abc", "1e3"] {
            assert_eq!(parse_hundredths(bad), None, "{bad}");
        }
        assert_eq!(format_hundredths(108_750), "1,087.50");
        assert_eq!(format_hundredths(300_000_000), "3,000,000.00");
        assert_eq!(format_hundredths(5), "0.05");
        assert_eq!(checked_sum([1, 2, 3]), Some(6));
        assert_eq!(checked_sum([i64::MAX, 1]), None);
        assert_eq!(checked_sum([]), Some(0));
    }
}
