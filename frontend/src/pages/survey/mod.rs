//! Measure 7, the survey of those not yet out of poverty (摸底排查):
//!
//! - [`rounds`]: the rounds the user sees, and for the provincial data update office
//!   (`manage_surveys`) the form that opens one;
//! - [`round`]: one round's progress per unit with a drill-down, its work list (persons
//!   to survey, persons surveyed) and its problem list, each problem linking to its
//!   rectification item; the area drilled into filters both lists;
//! - [`form`]: the survey of a person on a phone: the six checks, the policies, the day
//!   (clamped to the round's period), a note; saved like a visit (one client id, kept
//!   on the phone without a network, a 409 shows the server's version); afterwards it
//!   says which problems opened rectification items;
//! - [`plan`]: a household's plan (一户一策), its measures with the responsible unit,
//!   due and done days.
//!
//! What a user may do follows the capabilities of `shared::auth`; the server holds the
//! same rules.

pub mod form;
pub mod plan;
pub mod round;
pub mod rounds;

use shared::auth::Capability;
use shared::survey::SurveyRound;

use crate::app::Ctx;
use crate::hooks::units::Units;
use crate::i18n::Lang;

/// Whether the user surveys (county staff; the server checks the county too).
pub fn surveyor(ctx: &Ctx) -> bool {
    crate::pages::supervision::can(ctx, Capability::WriteSurveys)
}

/// "2020-03-01 – 2020-12-31".
pub fn period_text(r: &SurveyRound) -> String {
    format!("{} – {}", r.from_on, r.to_on)
}

/// The counties a round assigns: "every county of the area", their names, or how many
/// when they are too many to name on a phone.
pub fn units_text(r: &SurveyRound, units: &Units, lang: Lang) -> String {
    let of_area = units
        .of_kind(shared::OrgUnitKind::County)
        .iter()
        .filter(|u| u.code.starts_with(r.area_code.as_str()))
        .count();
    if r.units.is_empty() || (units.loaded() && r.units.len() >= of_area) {
        lang.t("sur.all_counties")
    } else if r.units.len() > MAX_NAMED {
        lang.t("sur.n_counties")
            .replace("{n}", &r.units.len().to_string())
    } else {
        r.units
            .iter()
            .map(|u| units.name(u, lang))
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// Most counties named one by one.
const MAX_NAMED: usize = 10;

/// The day a new survey starts with: today, kept inside the round's period.
pub fn default_day(r: &SurveyRound, today: chrono::NaiveDate) -> chrono::NaiveDate {
    today.clamp(r.from_on, r.to_on.max(r.from_on))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn a_new_survey_s_day_stays_inside_the_round() {
        let r = SurveyRound {
            id: uuid::Uuid::nil(),
            version: 1,
            title: "t".into(),
            from_on: day(2020, 3, 1),
            to_on: day(2020, 12, 31),
            area_code: "43".into(),
            units: vec![],
            created_by: "data".into(),
        };
        assert_eq!(default_day(&r, day(2026, 12, 6)), day(2020, 12, 31));
        assert_eq!(default_day(&r, day(2020, 6, 1)), day(2020, 6, 1));
        assert_eq!(default_day(&r, day(2019, 1, 1)), day(2020, 3, 1));
    }

    #[test]
    fn every_value_of_the_surveys_and_crosschecks_has_both_texts() {
        use shared::crosscheck::{AgencyScheme, GapKind, Receipt};
        let keys = AgencyScheme::ALL
            .iter()
            .map(|v| format!("scheme.{v}"))
            .chain(GapKind::ALL.iter().map(|v| format!("gap_kind.{v}")))
            .chain(Receipt::ALL.iter().map(|v| format!("receipt.{v}")))
            .chain(
                [
                    Capability::ReadSurveys,
                    Capability::WriteSurveys,
                    Capability::ManageSurveys,
                ]
                .iter()
                .map(|c| format!("cap.{c}")),
            );
        for k in keys {
            assert_ne!(Lang::Zh.t(&k), k);
            assert_ne!(Lang::En.t(&k), k);
        }
    }
}
