//! The county lists the measures name, per programme year: the key poverty counties
//! (measure 17) and the deeply poor counties (measures 16 and 21). Anyone signed in
//! reads them, grouped by city; the provincial poverty office edits one by ticking
//! counties, with the reason (the document that sets the list).

use shared::auth::Capability;
use shared::duties::{CountyList, CountyListPut, CountyListView};
use shared::{FieldError, OrgUnitKind};
use yew::prelude::*;

use super::{field_error, outcome_view, set_year, year_select};
use crate::api::duties as api;
use crate::app::Ctx;
use crate::components::field::{CheckField, SelectField, TextField};
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::hooks::units::Units;
use crate::i18n::Lang;
use crate::pages::rehab::focus_id;
use crate::pages::supervision::{can, scope_of};

/// The counties of `codes` grouped by city, in code order: (city name, county names).
fn grouped(units: &Units, codes: &[String], lang: Lang) -> Vec<(String, Vec<String>)> {
    units
        .of_kind(OrgUnitKind::City)
        .into_iter()
        .filter_map(|c| {
            let names: Vec<String> = codes
                .iter()
                .filter(|k| k.starts_with(c.code.as_str()))
                .map(|k| units.name(k, lang))
                .collect();
            (!names.is_empty()).then(|| (units.name(&c.code, lang), names))
        })
        .collect()
}

/// The county lists page.
#[function_component(CountyListsPage)]
pub fn county_lists_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("cl.title")).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    let year = use_state(crate::clock::this_year);
    let list = use_state(|| CountyList::KeyPoverty);
    let view = use_remote((*year, *list), |(y, l)| async move {
        api::county_list(y, l).await
    });
    let editing = use_state(|| false);
    let outcome = use_state(|| None::<Result<String, String>>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let editor = can(&ctx, Capability::ManagePlan) && scope_of(&ctx) == "43";
    let on_list = {
        let (list, editing) = (list.clone(), editing.clone());
        Callback::from(move |v: String| {
            list.set(v.parse().unwrap_or(CountyList::KeyPoverty));
            editing.set(false);
        })
    };
    let lists: Vec<(String, String)> = CountyList::ALL
        .iter()
        .map(|l| (l.to_string(), ctx.t(&format!("cl.{l}"))))
        .collect();
    let on_saved = {
        let (view, editing, outcome) = (view.clone(), editing.clone(), outcome.clone());
        Callback::from(move |v: CountyListView| {
            outcome.set(Some(Ok(lang
                .t("cl.saved")
                .replace("{n}", &v.counties.len().to_string()))));
            view.set(v);
            editing.set(false);
            focus_id("county-list-outcome");
        })
    };
    let body = match view.ready() {
        None => view.placeholder(lang, None),
        Some(v) if *editing => html! {
            <ListForm view={v.clone()} onsaved={on_saved} />
        },
        Some(v) => html! { <>
            <p id="county-list-count">{ ctx.t("cl.count").replace("{n}", &v.counties.len().to_string()) }</p>
            <dl class="facts" id="county-list">
                { for grouped(&units, &v.counties, lang).into_iter().map(|(city, names)| html! {
                    <><dt>{ city }</dt><dd>{ names.join(&lang.t("du.list_sep")) }</dd></>
                }) }
            </dl>
            if editor {
                <button type="button" id="county-list-edit" onclick={{
                    let (editing, outcome) = (editing.clone(), outcome.clone());
                    Callback::from(move |_| { outcome.set(None); editing.set(true); })
                }}>{ ctx.t("cl.edit") }</button>
            }
        </> },
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("cl.title") }</h1>
            <p class="hint">{ ctx.t("cl.rule") }</p>
            <div class="filters">
                { year_select("county-list-year", *year, set_year(&year), lang) }
                <SelectField id="county-list-which" label={ctx.t("cl.which")} value={list.to_string()} options={lists} onchange={on_list} />
            </div>
            { outcome_view("county-list-outcome", &outcome) }
            { body }
        </section>
    }
}

/// Props of [`ListForm`].
#[derive(Properties, PartialEq)]
struct FormProps {
    /// The list as it stands.
    view: CountyListView,
    /// The list as saved.
    onsaved: Callback<CountyListView>,
}

/// Replaces a list: the counties ticked, grouped by city, and the reason.
#[function_component(ListForm)]
fn list_form(p: &FormProps) -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let ticked = use_state(|| p.view.counties.clone());
    let reason = use_state(String::new);
    let fh = use_form("county-list-form");
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let onsubmit = {
        let (fh, onsaved, ticked, reason) = (
            fh.clone(),
            p.onsaved.clone(),
            ticked.clone(),
            reason.clone(),
        );
        let (year, list) = (p.view.year, p.view.list);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if reason.trim().is_empty() {
                fh.reject(vec![FieldError::new("reason", "required", "")]);
                return;
            }
            let mut counties = (*ticked).clone();
            counties.sort();
            let body = CountyListPut {
                counties,
                reason: reason.trim().to_owned(),
            };
            let onsaved = onsaved.clone();
            fh.submit(
                move |_| async move {
                    api::put_county_list(year, list, &body)
                        .await
                        .map_err(Failure::Api)
                },
                move |v| onsaved.emit(v),
            );
        })
    };
    let tick = |code: &str| {
        let (ticked, fh, code) = (ticked.clone(), fh.clone(), code.to_owned());
        Callback::from(move |on: bool| {
            let mut v: Vec<String> = ticked.iter().filter(|c| **c != code).cloned().collect();
            if on {
                v.push(code.clone());
            }
            ticked.set(v);
            fh.clear_error("counties");
        })
    };
    let counties = units.of_kind(OrgUnitKind::County);
    html! {
        <form id="county-list-form" {onsubmit} novalidate=true aria-label={ctx.t("cl.edit")}>
            { fh.banner(lang, "county-list-banner") }
            <p id="county-list-ticked" role="status">{ ctx.t("cl.count").replace("{n}", &ticked.len().to_string()) }</p>
            if let Some(e) = field_error(&fh, "counties", lang) { <p class="error" id="county-list-counties-error">{ e }</p> }
            { for units.of_kind(OrgUnitKind::City).into_iter().map(|c| html! {
                <fieldset class="ticks" id={format!("county-list-{}", c.code)}>
                    <legend>{ units.name(&c.code, lang) }</legend>
                    { for counties.iter().filter(|k| k.parent_code.as_deref() == Some(c.code.as_str())).map(|k| html! {
                        <CheckField id={format!("county-{}", k.code)} label={units.name(&k.code, lang)}
                            checked={ticked.contains(&k.code)} onchange={tick(&k.code)} />
                    }) }
                </fieldset>
            }) }
            <TextField id="county-list-reason" label={ctx.t("cl.reason")} value={(*reason).clone()}
                oninput={fh.bind(&reason, "reason")} error={field_error(&fh, "reason", lang)} required=true />
            <div class="buttons">
                <button type="submit" class="primary" id="county-list-save" disabled={fh.busy()}>{ ctx.t("cl.save") }</button>
            </div>
        </form>
    }
}
