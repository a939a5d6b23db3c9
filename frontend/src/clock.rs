//! The browser's calendar: today's date and year, for defaults and client-side checks
//! (the server checks again with its own clock).

use chrono::NaiveDate;

/// Today in the browser's time zone.
pub fn today() -> NaiveDate {
    let d = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date())
        .unwrap_or_default()
}

/// This calendar year in the browser's time zone.
pub fn this_year() -> i32 {
    js_sys::Date::new_0().get_full_year() as i32
}

/// An instant in the browser's time zone and the language's format.
pub fn local_time(at: chrono::DateTime<chrono::Utc>, lang: crate::i18n::Lang) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        at.timestamp_millis() as f64
    ));
    String::from(date.to_locale_string(lang.tag(), &wasm_bindgen::JsValue::UNDEFINED))
}
