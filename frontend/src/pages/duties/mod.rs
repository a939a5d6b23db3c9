//! The federation's own duties (issue 14): canteen purchases of farm produce and the
//! share bought from the key poverty counties (measure 17, [`purchases`]), funds
//! allocated to counties by factors, adjusted, approved and spent (measure 21,
//! [`funds`], [`allocation`]), village links (measure 12, [`villages`]), paired support
//! (measure 16, [`support`]), typical cases (measures 10 and 19, [`cases`]) and the
//! county lists these measures name ([`lists`]). What a user may do follows the
//! capabilities of `shared::auth`; the server holds the same rules.
//!
//! The pieces the pages share live here: the KPI table of the units below, the export
//! button, the outcome line of a row's action, the year select and the Hunan region
//! options.

pub mod allocation;
pub mod cases;
pub mod funds;
pub mod lists;
pub mod purchases;
pub mod support;
pub mod villages;

use shared::duties::Light;
use shared::money::format_hundredths;
use shared::OrgUnitKind;
use yew::prelude::*;

use crate::app::Ctx;
use crate::components::field::SelectField;
use crate::hooks::units::Units;
use crate::i18n::Lang;

/// A table of the units below (the KPI pages' second part), in a region that scrolls
/// sideways on its own so that the page never does: `heads` are message keys, each row
/// a unit code, its name and its cells.
pub fn units_table(
    id: &str,
    caption: String,
    heads: &[&str],
    rows: Vec<(String, String, Vec<String>)>,
    lang: Lang,
) -> Html {
    if rows.is_empty() {
        return html! {};
    }
    html! {
        <div class="table-scroll" role="region" aria-label={caption.clone()} tabindex="0">
            <table class="report dash-table" id={id.to_owned()}>
                <caption>{ caption }</caption>
                <thead><tr>
                    <th scope="col">{ lang.t("pur.unit") }</th>
                    { for heads.iter().map(|h| html! { <th scope="col">{ lang.t(h) }</th> }) }
                </tr></thead>
                <tbody>
                    { for rows.into_iter().map(|(code, name, cells)| html! {
                        <tr id={format!("{id}-{code}")}>
                            <th scope="row">{ name }</th>
                            { for cells.into_iter().map(|c| html! { <td class="nowrap">{ c }</td> }) }
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

/// A list of facts (`<dl>`): message key, element id, value.
pub fn facts(id: &str, items: &[(&str, &str, String)], lang: Lang) -> Html {
    html! {
        <dl class="facts" id={id.to_owned()}>
            { for items.iter().map(|(k, i, v)| html! { <><dt>{ lang.t(k) }</dt><dd id={(*i).to_owned()}>{ v }</dd></> }) }
        </dl>
    }
}

/// The outcome of an action: done (a text) or why not.
pub type Outcome = Option<Result<String, String>>;

/// The line that says how an action went, with element id `id` (focusable, so that
/// focus can move to it).
pub fn outcome_view(id: &str, outcome: &Outcome) -> Html {
    match outcome {
        Some(Ok(t)) => {
            html! { <p class="notice" role="status" id={id.to_owned()} tabindex="-1">{ t }</p> }
        }
        Some(Err(e)) => {
            html! { <p class="error-summary" role="alert" id={id.to_owned()} tabindex="-1">{ e }</p> }
        }
        None => html! {},
    }
}

/// Props of [`ExportButton`].
#[derive(Properties, PartialEq, Clone)]
pub struct ExportProps {
    /// Element id of the button; the outcome line is `{id}-done`.
    pub id: AttrValue,
    /// The API path of the file.
    pub path: String,
    /// The file's name on the user's device.
    pub filename: String,
    /// What the button says.
    pub label: AttrValue,
    /// What it does, for screen readers (which ledger, which format).
    pub long: AttrValue,
}

/// A button that downloads a ledger as a spreadsheet and says whether it worked.
#[function_component(ExportButton)]
pub fn export_button(p: &ExportProps) -> Html {
    let ctx = use_context::<Ctx>();
    let done = use_state(|| None::<Result<(), String>>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let onclick = {
        let (done, path, name) = (done.clone(), p.path.clone(), p.filename.clone());
        Callback::from(move |_: MouseEvent| {
            let (done, path, name) = (done.clone(), path.clone(), name.clone());
            done.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let r = crate::api::download(&path, &name).await;
                done.set(Some(r.map_err(|e| e.message(lang))));
            });
        })
    };
    let id = format!("{}-done", p.id);
    html! { <>
        <div class="actions">
            <button type="button" id={p.id.clone()} {onclick} aria-label={p.long.clone()}>{ &p.label }</button>
        </div>
        { match &*done {
            Some(Ok(())) => html! { <p role="status" {id}>{ ctx.t("rehab.exported") }</p> },
            Some(Err(e)) => html! { <p class="error-summary" role="alert" {id}>{ e }</p> },
            None => html! {},
        } }
    </> }
}

/// Props of [`Disclosure`].
#[derive(Properties, PartialEq)]
pub struct DisclosureProps {
    /// Id prefix: the button is `{id}-open`.
    pub id: AttrValue,
    /// What the button says.
    pub label: AttrValue,
    /// What it shows once open (mounted only then: a form's hooks, a list's request).
    #[prop_or_default]
    pub children: Html,
}

/// A button that shows a row's form or details below it, and hides them again: a list
/// of many rows stays short on a phone.
#[function_component(Disclosure)]
pub fn disclosure(p: &DisclosureProps) -> Html {
    let open = use_state(|| false);
    let onclick = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    html! { <>
        <button type="button" id={format!("{}-open", p.id)} aria-expanded={open.to_string()} {onclick}>{ &p.label }</button>
        if *open { { p.children.clone() } }
    </> }
}

/// The year select of a page ("kpi.year"), from 2020 to this year.
pub fn year_select(id: &str, year: i32, onchange: Callback<String>, lang: Lang) -> Html {
    let options: Vec<(String, String)> = crate::pages::rehab::years()
        .into_iter()
        .map(|y| (y.to_string(), y.to_string()))
        .collect();
    html! {
        <SelectField id={id.to_owned()} label={lang.t("kpi.year")} value={year.to_string()} {options} {onchange} />
    }
}

/// A callback that sets a year state from a select's value.
pub fn set_year(year: &UseStateHandle<i32>) -> Callback<String> {
    let year = year.clone();
    Callback::from(move |v: String| {
        if let Ok(y) = v.parse() {
            year.set(y);
        }
    })
}

/// The cities of Hunan, each followed by its counties ("湘潭市 · 湘乡市"), after a
/// "choose" line: the DPFs a pairing may name.
pub fn region_options(units: &Units, lang: Lang) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), lang.t("form.choose"))];
    let counties = units.of_kind(OrgUnitKind::County);
    for c in units.of_kind(OrgUnitKind::City) {
        let city = units.name(&c.code, lang);
        v.push((c.code.clone(), city.clone()));
        for k in counties
            .iter()
            .filter(|k| k.parent_code.as_deref() == Some(c.code.as_str()))
        {
            v.push((
                k.code.clone(),
                format!("{city} · {}", units.name(&k.code, lang)),
            ));
        }
    }
    v
}

/// The code of the user's own unit ("" before `me` is known).
pub fn own_unit(ctx: &Ctx) -> &str {
    ctx.me.as_ref().map_or("", |m| m.user.unit_code.as_str())
}

/// A field error of a form, in the module's wording.
pub fn field_error(fh: &crate::hooks::form::UseForm, field: &str, lang: Lang) -> Option<String> {
    fh.errors()
        .iter()
        .find(|e| e.field == field)
        .map(|e| error_text(&e.code, &e.message, lang))
}

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
    fn a_refused_link_or_selection_reads_in_its_own_words() {
        assert_eq!(
            error_text("link_duplicate", "x", Lang::Zh),
            "本单位在这段时间已联系该村"
        );
        assert!(error_text("consent_required", "x", Lang::Zh).contains("本人同意"));
        assert!(error_text("consent_required", "x", Lang::En).contains("consent"));
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
        use shared::duties::{
            AllocationStatus, CountyList, Factor, MediaKind, SupportKind, TypicalCaseStatus,
            TypicalCaseSubject,
        };
        let keys = Light::ALL
            .iter()
            .map(|v| format!("light.{v}"))
            .chain(CountyList::ALL.iter().map(|v| format!("cl.{v}")))
            .chain(SupportKind::ALL.iter().map(|v| format!("support_kind.{v}")))
            .chain(MediaKind::ALL.iter().map(|v| format!("media_kind.{v}")))
            .chain(
                TypicalCaseStatus::ALL
                    .iter()
                    .map(|v| format!("case_status.{v}")),
            )
            .chain(
                TypicalCaseSubject::ALL
                    .iter()
                    .map(|v| format!("case_subject.{v}")),
            )
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
                    Capability::LinkVillages,
                    Capability::RecordSupport,
                    Capability::WritePublicity,
                    Capability::SelectCases,
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
                    // Measures 12, 16, 10 and 19 and the county lists.
                    "consent_required",
                    "not_applicable",
                    "before_start",
                    "outside_scope",
                    "immutable",
                    "invalid_transition",
                    "not_found",
                    "too_many",
                    "duplicate",
                    "out_of_range",
                    "invalid_format",
                    "stale_version",
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
