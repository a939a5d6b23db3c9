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
