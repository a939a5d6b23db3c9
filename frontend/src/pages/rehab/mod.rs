//! Measure 14, rehabilitation and assistive devices: the need list (and the follow-ups
//! due), a person's rehabilitation, the assessment form, a need's page with its workflow
//! steps, the device catalogue and the KPI table, and the spreadsheet import and export
//! of needs and catalogue ([`import`]). Which steps a user may take comes with
//! each need (`allowed_actions`), from the workflow table in `shared::rehab`.

pub mod assess;
pub mod catalogue;
pub mod import;
pub mod kpi;
pub mod need;
pub mod needs;
pub mod person;

use shared::rehab::Ratio;

use crate::i18n::Lang;

/// (value, label) options of a closed set, labelled by `prefix.value`, with an "any"
/// or "choose" entry first when `first` is given.
pub fn options<T: std::fmt::Display>(
    all: &[T],
    prefix: &str,
    lang: Lang,
    first: Option<&str>,
) -> Vec<(String, String)> {
    first
        .map(|k| (String::new(), lang.t(k)))
        .into_iter()
        .chain(
            all.iter()
                .map(|v| (v.to_string(), lang.t(&format!("{prefix}.{v}")))),
        )
        .collect()
}

/// A rate as "num / den (xx.x %)": both counts, never an average of rates.
pub fn ratio_text(r: Ratio, lang: Lang) -> String {
    match r.bp() {
        Some(bp) => format!("{} / {} ({}.{} %)", r.num, r.den, bp / 100, (bp % 100) / 10),
        None => format!("{} / {} ({})", r.num, r.den, lang.t("kpi.no_rate")),
    }
}

/// Years offered by the filters and pickers: the plan's first (2020) to this year.
pub fn years() -> Vec<i32> {
    (2020..=crate::clock::this_year()).rev().collect()
}

/// A date as the forms write it (2020-06-30). Dates are written and read through
/// `Display` and `FromStr`, never chrono's `format` and `parse_from_str`: those bring a
/// strftime interpreter into the download for no other use.
pub fn ymd(d: chrono::NaiveDate) -> String {
    d.to_string()
}

/// A typed date, if it is one.
pub fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    parse_ymd(s).ok()
}

/// A typed date (2020-06-30; blanks around it ignored), or why not.
pub fn parse_ymd(s: &str) -> Result<chrono::NaiveDate, chrono::ParseError> {
    s.trim().parse()
}

/// An instant as "2020-06-30 14:05" (UTC).
pub fn ymd_hm(at: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Timelike;
    format!("{} {:02}:{:02}", at.date_naive(), at.hour(), at.minute())
}

/// Moves focus to the element `id` once it is rendered (a form that opens, a message
/// that replaces the form), and scrolls it into view.
pub fn focus_id(id: impl Into<String>) {
    fn attempt(id: String, left: u32) {
        let el = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
        match el {
            Some(el) => {
                let opts = web_sys::ScrollIntoViewOptions::new();
                opts.set_block(web_sys::ScrollLogicalPosition::Center);
                el.scroll_into_view_with_scroll_into_view_options(&opts);
                let _ = el.focus();
            }
            None if left > 0 => {
                gloo_timers::callback::Timeout::new(100, move || attempt(id, left - 1)).forget();
            }
            None => {}
        }
    }
    let id = id.into();
    gloo_timers::callback::Timeout::new(0, move || attempt(id, 20)).forget();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_and_write_as_the_forms_do() {
        let d = parse_date(" 2020-06-30 ");
        assert_eq!(d.map(ymd).as_deref(), Some("2020-06-30"));
        assert_eq!(
            parse_date("2020-6-3").map(ymd).as_deref(),
            Some("2020-06-03")
        );
        assert_eq!(parse_date("30/06/2020"), None);
        assert_eq!(parse_date(""), None);
        let at = chrono::DateTime::from_timestamp(1_593_525_900, 0).unwrap_or_default();
        assert_eq!(ymd_hm(at), "2020-06-30 14:05");
    }

    #[test]
    fn ratios_show_both_counts_and_the_rate() {
        let r = Ratio { num: 2, den: 3 };
        assert_eq!(ratio_text(r, Lang::En), "2 / 3 (66.6 %)");
        let r = Ratio { num: 0, den: 0 };
        assert_eq!(ratio_text(r, Lang::En), "0 / 0 (no data)");
        let r = Ratio { num: 5, den: 5 };
        assert_eq!(ratio_text(r, Lang::Zh), "5 / 5 (100.0 %)");
    }
}
