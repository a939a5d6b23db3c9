//! The survey rounds the user sees, newest first, and for the data update office the
//! form that opens one: title, first and last day, the area, and optionally the
//! counties assigned to survey (none ticked: every county of the area).

use shared::auth::Capability;
use shared::survey::{RoundCreate, RoundInput, SurveyRound};
use shared::{FieldError, OrgUnitKind};
use yew::prelude::*;
use yew_router::prelude::*;

use super::{period_text, units_text};
use crate::api::survey as api;
use crate::app::{Ctx, Route};
use crate::components::field::{CheckField, SelectField, TextField};
use crate::hooks::form::{merge_errors, use_form};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_paged;
use crate::pages::duties::{region_options, Disclosure};
use crate::pages::rehab::{parse_date, ymd};
use crate::pages::supervision::can;

/// The rounds page.
#[function_component(RoundsPage)]
pub fn rounds_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("sur.title")).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    let list = use_paged((), |(), cursor| async move { api::rounds(cursor).await });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    html! {
        <section class="card">
            <h1>{ ctx.t("sur.title") }</h1>
            <p class="hint">{ ctx.t("sur.about") }</p>
            if can(&ctx, Capability::ManageSurveys) {
                <h2>{ ctx.t("sur.new_round") }</h2>
                <RoundForm />
            }
            <h2 id="rounds-title">{ ctx.t("sur.rounds") }</h2>
            <ul class="results" id="rounds" aria-labelledby="rounds-title">
                { for list.items().iter().map(|r| html! {
                    <li id={format!("round-{}", r.id)}>
                        <Link<Route> to={Route::SurveyRound { id: r.id.to_string() }}>{ &r.title }</Link<Route>>
                        <span class="nowrap">{ period_text(r) }</span>
                        <span>{ units.name(&r.area_code, lang) }</span>
                        <span>{ units_text(r, &units, lang) }</span>
                    </li>
                }) }
            </ul>
            { list.footer(lang, "rounds", "sur.no_rounds") }
        </section>
    }
}

/// Opens a round; once saved, its page is shown.
#[function_component(RoundForm)]
fn round_form() -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let navigator = use_navigator();
    let fh = use_form("round-form");
    let title = use_state(String::new);
    let from = use_state(|| ymd(crate::clock::today()));
    let to = use_state(String::new);
    let area = use_state(String::new);
    let counties = use_state(Vec::<String>::new);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| fh.error(f, lang);
    let mut areas = region_options(&units, lang);
    if units.loaded() {
        areas.insert(1, ("43".to_owned(), units.name("43", lang)));
    }
    let onsubmit = {
        let (fh, title, from, to, area, counties) = (
            fh.clone(),
            title.clone(),
            from.clone(),
            to.clone(),
            area.clone(),
            counties.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut errs = Vec::new();
            let from_on = parse_date(&from);
            let to_on = parse_date(&to);
            for (field, day) in [("from_on", from_on), ("to_on", to_on)] {
                if day.is_none() {
                    errs.push(FieldError::new(field, "invalid_date", ""));
                }
            }
            if area.is_empty() {
                errs.push(FieldError::new("area_code", "required", ""));
            }
            let fields = RoundInput {
                title: title.trim().to_owned(),
                from_on: from_on.unwrap_or_default(),
                to_on: to_on.unwrap_or_default(),
                area_code: (*area).clone(),
                units: (*counties).clone(),
            };
            if let Err(more) = fields.validate() {
                merge_errors(&mut errs, more);
            }
            if !errs.is_empty() {
                return fh.reject(errs);
            }
            let navigator = navigator.clone();
            fh.submit(
                move |id| async move {
                    Ok(api::create_round(&RoundCreate {
                        id: Some(id),
                        fields,
                    })
                    .await?)
                },
                move |r: SurveyRound| {
                    if let Some(n) = navigator {
                        n.push(&Route::SurveyRound {
                            id: r.id.to_string(),
                        });
                    }
                },
            );
        })
    };
    let on_area = {
        let (area, counties, fh) = (area.clone(), counties.clone(), fh.clone());
        Callback::from(move |v: String| {
            area.set(v);
            counties.set(Vec::new());
            fh.clear_errors("units");
            fh.clear_error("area_code");
        })
    };
    let choices: Vec<(String, String)> = units
        .of_kind(OrgUnitKind::County)
        .into_iter()
        .filter(|u| !area.is_empty() && u.code.starts_with(area.as_str()))
        .map(|u| (u.code.clone(), units.name(&u.code, lang)))
        .collect();
    let county_boxes = (area.len() < 6 && !choices.is_empty()).then(|| {
        html! {
            <Disclosure id="round-units" label={ctx.t("sur.choose_counties")}>
                <fieldset class="roles" id="round-units-box">
                    <legend>{ ctx.t("sur.counties") }</legend>
                    <p class="hint">{ ctx.t("sur.counties_hint") }</p>
                    { for choices.into_iter().map(|(code, name)| {
                        let counties = counties.clone();
                        let checked = counties.contains(&code);
                        let id = format!("round-unit-{code}");
                        html! { <CheckField {id} label={name} {checked} onchange={Callback::from(move |on: bool| {
                            let mut v: Vec<String> = counties.iter().filter(|c| **c != code).cloned().collect();
                            if on { v.push(code.clone()); }
                            counties.set(v);
                        })} /> }
                    }) }
                </fieldset>
            </Disclosure>
        }
    });
    html! {
        <form id="round-form" {onsubmit} novalidate=true aria-label={ctx.t("sur.new_round")}>
            { fh.banner(lang, "round-banner") }
            <TextField id="round-title" label={ctx.t("sur.round_title")} value={(*title).clone()}
                oninput={fh.bind(&title, "title")} error={err("title")} required=true />
            <TextField id="round-from" kind="date" label={ctx.t("sur.from")} value={(*from).clone()}
                oninput={fh.bind(&from, "from_on")} error={err("from_on")} required=true />
            <TextField id="round-to" kind="date" label={ctx.t("sur.to")} value={(*to).clone()}
                oninput={fh.bind(&to, "to_on")} error={err("to_on")} required=true />
            <SelectField id="round-area" label={ctx.t("sur.area")} value={(*area).clone()} options={areas}
                onchange={on_area} error={err("area_code")} required=true />
            { county_boxes.unwrap_or_default() }
            if let Some(e) = fh.errors().iter().find(|e| e.field.starts_with("units")) {
                <p class="error" role="alert" id="round-units-error">{ lang.error(&e.code, &e.message) }</p>
            }
            <div class="buttons">
                <button type="submit" class="primary" id="round-save" disabled={fh.busy()}>{ ctx.t("sur.open_round") }</button>
            </div>
        </form>
    }
}
