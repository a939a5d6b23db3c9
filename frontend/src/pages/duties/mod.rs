//! The federation's own duties (issue 14): canteen purchases of farm produce and the
//! share bought from the key poverty counties (measure 17, [`purchases`]), and funds
//! allocated to counties by factors, adjusted, approved and spent (measure 21,
//! [`funds`], [`allocation`]). What a user may do follows the capabilities of
//! `shared::auth` (`write_purchases`, `manage_funds`, `approve_funds`,
//! `record_spending`); the server holds the same rules.

pub mod allocation;
pub mod funds;
pub mod purchases;

use shared::duties::Light;
use shared::money::format_hundredths;
use shared::OrgUnitKind;
use yew::prelude::*;

use crate::app::Ctx;
use crate::components::field::SelectField;
use crate::i18n::Lang;

/// The text of a field error on these pages: the module's own wording where the
/// general one (`err.*`, written for other records) would mislead, else the general one.
pub fn error_text(code: &str, message: &str, lang: Lang) -> String {
    let key = format!("du_err.{code}");
    let own = lang.t(&key);
    if own == key {
        lang.error(code, message)
    } else {
        own
    }
}

/// A share in basis points as a percentage with two places ("60.00 %", the sign kept
/// on the line of its number); a dash without one (nothing bought, nothing allocated).
pub fn share_text(bp: Option<i64>) -> String {
    bp.map_or_else(
        || "—".to_owned(),
        |bp| format!("{}\u{a0}%", format_hundredths(bp)),
    )
}

/// An amount of fen as yuan with two places and the unit ("1,087.50 元", the unit kept
/// on the line of its number).
pub fn yuan(fen: i64, lang: Lang) -> String {
    format!("{}\u{a0}{}", format_hundredths(fen), lang.t("du.yuan"))
}

/// A traffic light in words and a sign, so that it does not rest on colour alone.
pub fn light_badge(light: Light, lang: Lang, id: Option<String>) -> Html {
    let sign = match light {
        Light::Green => "✓",
        Light::Amber => "!",
        Light::Red => "✕",
        Light::None => "–",
    };
    html! {
        <span class={classes!("light", format!("light-{light}"))} {id}>
            <span aria-hidden="true">{ sign }{ " " }</span>{ lang.t(&format!("light.{light}")) }
        </span>
    }
}

/// The city value of the origin picker that stands for "outside Hunan".
pub const OUTSIDE: &str = "outside";

/// Props of [`OriginPicker`].
#[derive(Properties, PartialEq, Clone)]
pub struct OriginProps {
    /// Id of the county select; the city select is `{id}-city`.
    pub id: AttrValue,
    /// The city chosen: a city code, [`OUTSIDE`], or "" (none yet).
    pub city: String,
    /// The county chosen (6 digits, or "").
    pub county: String,
    /// A city (or [`OUTSIDE`]) was chosen; the county starts over.
    pub oncity: Callback<String>,
    /// A county was chosen.
    pub oncounty: Callback<String>,
    /// The error of the city select (nothing chosen).
    #[prop_or_default]
    pub city_error: Option<String>,
    /// The error of the county select.
    #[prop_or_default]
    pub county_error: Option<String>,
}

/// Where produce comes from: a city of Hunan and then one of its counties, or "outside
/// Hunan". Any county of the province, whatever the user's own area (the area pickers
/// of the registry offer only the user's own).
#[function_component(OriginPicker)]
pub fn origin_picker(p: &OriginProps) -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let choose = (String::new(), ctx.t("form.choose"));
    let cities: Vec<(String, String)> = std::iter::once(choose.clone())
        .chain(
            units
                .of_kind(OrgUnitKind::City)
                .into_iter()
                .map(|u| (u.code.clone(), units.name(&u.code, lang))),
        )
        // Offered only once the cities have arrived: on a failed load "outside Hunan"
        // must not be the only choice that looks valid.
        .chain(
            units
                .loaded()
                .then(|| (OUTSIDE.to_owned(), ctx.t("pur.outside"))),
        )
        .collect();
    let in_hunan = !p.city.is_empty() && p.city != OUTSIDE;
    let counties: Vec<(String, String)> = std::iter::once(choose)
        .chain(
            units
                .of_kind(OrgUnitKind::County)
                .into_iter()
                .filter(|u| in_hunan && u.parent_code.as_deref() == Some(p.city.as_str()))
                .map(|u| (u.code.clone(), units.name(&u.code, lang))),
        )
        .collect();
    html! {
        <fieldset class="area" id={format!("{}-box", p.id)}>
            <legend>{ ctx.t("pur.origin") }</legend>
            <SelectField id={format!("{}-city", p.id)} label={ctx.t("pur.origin_city")} value={p.city.clone()}
                options={cities} onchange={p.oncity.clone()} error={p.city_error.clone()} required=true />
            <SelectField id={p.id.clone()} label={ctx.t("pur.origin_county")} value={p.county.clone()}
                options={counties} onchange={p.oncounty.clone()} error={p.county_error.clone()}
                required={in_hunan} disabled={!in_hunan} />
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_amounts_read_as_people_write_them() {
        assert_eq!(share_text(Some(6_000)), "60.00\u{a0}%");
        assert_eq!(share_text(Some(2_050)), "20.50\u{a0}%");
        assert_eq!(share_text(None), "—");
        assert_eq!(yuan(100_000_000, Lang::Zh), "1,000,000.00\u{a0}元");
    }

    #[test]
    fn own_wording_first_then_the_general_one() {
        assert_eq!(error_text("required", "x", Lang::Zh), "必填");
        assert_ne!(
            error_text("above_maximum", "x", Lang::Zh),
            Lang::Zh.error("above_maximum", "x"),
            "the loans' wording does not fit a purchase"
        );
        assert_eq!(
            error_text("no_such_code_here", "fallback", Lang::En),
            "fallback"
        );
    }

    #[test]
    fn every_value_of_the_duties_has_both_texts() {
        use shared::auth::Capability;
        use shared::duties::{AllocationStatus, CountyList, Factor};
        let keys = Light::ALL
            .iter()
            .map(|v| format!("light.{v}"))
            .chain(Factor::ALL.iter().map(|v| format!("factor.{v}")))
            .chain(CountyList::ALL.iter().map(|v| format!("county_list.{v}")))
            .chain(
                AllocationStatus::ALL
                    .iter()
                    .map(|v| format!("alloc_status.{v}")),
            )
            .chain(
                [
                    Capability::WritePurchases,
                    Capability::ManageFunds,
                    Capability::ApproveFunds,
                    Capability::RecordSpending,
                ]
                .iter()
                .map(|c| format!("cap.{c}")),
            )
            .chain(
                [
                    "not_positive",
                    "invalid_year",
                    "unknown_unit",
                    "weights_not_whole",
                    "empty_factor",
                    "unbalanced",
                    "unknown_county",
                    "above_allocated",
                    "not_approved",
                ]
                .iter()
                .map(|c| format!("err.{c}")),
            );
        for k in keys {
            assert_ne!(Lang::Zh.t(&k), k);
            assert_ne!(Lang::En.t(&k), k);
        }
    }
}
