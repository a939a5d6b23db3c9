//! One person: the entry with masked numbers, reveal with a reason, edit, delete.

use shared::person::{Person, RevealRequest, RevealResponse};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::field::TextField;

/// Props: the record id.
#[derive(Properties, PartialEq)]
pub struct DetailProps {
    /// Record id.
    pub id: String,
}

/// The detail page.
#[function_component(PersonDetail)]
pub fn person_detail(p: &DetailProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let navigator = use_navigator();
    let person = use_state(|| None::<Result<Person, String>>);
    let reason = use_state(String::new);
    let revealed = use_state(|| None::<RevealResponse>);
    let reveal_error = use_state(|| None::<String>);
    let lang = ctx.lang;
    {
        let person = person.clone();
        use_effect_with(p.id.clone(), move |id| {
            let path = format!("/api/v1/persons/{id}");
            wasm_bindgen_futures::spawn_local(async move {
                person.set(Some(crate::api::get::<Person>(&path).await.map_err(|e| {
                    if e.status == 404 {
                        lang.t("persons.not_found")
                    } else {
                        e.message(lang)
                    }
                })));
            });
            || ()
        });
    }
    let Some(result) = (*person).clone() else {
        return html! { <p role="status">{ ctx.t("app.loading") }</p> };
    };
    let person_v = match result {
        Ok(p) => p,
        Err(e) => {
            return html! { <section class="card"><p class="error-summary" role="alert">{ e }</p></section> }
        }
    };
    let caps = ctx
        .me
        .as_ref()
        .map(|m| m.permissions.clone())
        .unwrap_or_default();
    let on_reveal = {
        let (reason, revealed, reveal_error, id) = (
            reason.clone(),
            revealed.clone(),
            reveal_error.clone(),
            p.id.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = RevealRequest {
                reason: (*reason).clone(),
            };
            if let Err(errs) = body.validate() {
                reveal_error.set(errs.first().map(|f| lang.error(&f.code, &f.message)));
                return;
            }
            let (revealed, reveal_error, path) = (
                revealed.clone(),
                reveal_error.clone(),
                format!("/api/v1/persons/{id}/reveal"),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::post::<RevealResponse, _>(&path, &body).await {
                    Ok(r) => {
                        reveal_error.set(None);
                        revealed.set(Some(r));
                    }
                    Err(e) => reveal_error.set(Some(e.message(lang))),
                }
            });
        })
    };
    let on_delete = {
        let (id, version, navigator) = (p.id.clone(), person_v.version, navigator.clone());
        Callback::from(move |_| {
            let confirmed = web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message(&lang.t("persons.delete_confirm"))
                        .ok()
                })
                .unwrap_or(false);
            if !confirmed {
                return;
            }
            let (path, navigator) = (
                format!("/api/v1/persons/{id}?version={version}"),
                navigator.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                if crate::api::delete(&path).await.is_ok() {
                    if let Some(n) = navigator {
                        n.push(&Route::Persons);
                    }
                }
            });
        })
    };
    let row = |k: &str, v: String| html! { <><dt>{ ctx.t(k) }</dt><dd>{ v }</dd></> };
    let yes = |b: bool| ctx.t(if b { "persons.yes" } else { "persons.no" });
    let pv = &person_v;
    html! {
        <section class="card">
            <nav aria-label="breadcrumb" class="crumbs">
                <Link<Route> to={Route::Persons}>{ ctx.t("persons.title") }</Link<Route>>{" › "}<span aria-current="page">{ &pv.name }</span>
            </nav>
            <h1>{ &pv.name }</h1>
            <dl class="facts" id="person-facts">
                { row("field.id_number", revealed.as_ref().map(|r| r.id_number.clone()).unwrap_or_else(|| pv.id_number.clone())) }
                if pv.has_certificate {
                    { row("field.certificate_number", revealed.as_ref().and_then(|r| r.certificate_number.clone()).or_else(|| pv.certificate_number.clone()).unwrap_or_default()) }
                }
                { row("field.sex", ctx.t(&format!("sex.{}", pv.sex))) }
                if let Some(r) = revealed.as_ref() {
                    { row("field.birth_date", r.birth_date.to_string()) }
                } else {
                    { row("field.birth_year", pv.birth_year.to_string()) }
                }
                { row("field.disability_category", ctx.t(&format!("cat.{}", pv.disability_category))) }
                { row("field.disability_level", ctx.t(&format!("level.{}", pv.disability_level.get()))) }
                { row("field.phone", pv.phone.clone().unwrap_or_default()) }
                { row("field.county_code", pv.county_code.clone()) }
                { row("field.town_code", pv.town_code.clone().unwrap_or_default()) }
                { row("field.village_code", pv.village_code.clone().unwrap_or_default()) }
                { row("field.address_detail", pv.address_detail.clone().unwrap_or_default()) }
                { row("field.poverty_status", ctx.t(&format!("pov.{}", pv.poverty_status))) }
                { row("field.registered_poor", yes(pv.registered_poor)) }
                { row("field.multi_disabled_household", yes(pv.multi_disabled_household)) }
                { row("field.elderly_disabled", yes(pv.elderly_disabled)) }
                { row("field.notes", pv.notes.clone().unwrap_or_default()) }
                { row("field.version", pv.version.to_string()) }
            </dl>
            if caps.contains(&shared::auth::Capability::RevealIdNumber) && revealed.is_none() {
                <form class="reveal" onsubmit={on_reveal}>
                    <TextField id="reveal-reason" label={ctx.t("persons.reveal_reason")} value={(*reason).clone()}
                        oninput={let s = reason.clone(); Callback::from(move |v| s.set(v))} error={(*reveal_error).clone()} required=true />
                    <button type="submit" id="reveal">{ ctx.t("persons.reveal_submit") }</button>
                </form>
            }
            if caps.contains(&shared::auth::Capability::WritePersons) {
                <p class="actions">
                    <Link<Route> to={Route::PersonEdit { id: p.id.clone() }} classes="button">{ ctx.t("persons.edit") }</Link<Route>>
                    <button type="button" class="danger" onclick={on_delete}>{ ctx.t("persons.delete") }</button>
                </p>
            }
        </section>
    }
}
