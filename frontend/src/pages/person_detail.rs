//! One person: the entry with masked numbers, reveal with a reason, edit, delete.

use shared::person::{Person, RevealRequest, RevealResponse};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::confirm::ConfirmButton;
use crate::components::field::TextField;
use crate::hooks::form::use_form;
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;

/// Props: the record id.
#[derive(Properties, PartialEq)]
pub struct DetailProps {
    /// Record id.
    pub id: String,
}

/// Props of [`PlaceName`].
#[derive(Properties, PartialEq)]
pub struct PlaceProps {
    /// A 9-digit town or 12-digit village code.
    pub code: String,
}

/// The name of a town or village (from the address reference data), the code while it
/// loads or when it is unknown.
#[function_component(PlaceName)]
pub fn place_name(p: &PlaceProps) -> Html {
    let entry = use_remote(p.code.clone(), |code: String| async move {
        crate::api::get::<shared::api::AddressEntry>(&format!("/api/v1/addresses/{code}")).await
    });
    html! { <>{ entry.ready().map_or_else(|| p.code.clone(), |e| e.name.clone()) }</> }
}

/// The detail page.
#[function_component(PersonDetail)]
pub fn person_detail(p: &DetailProps) -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let Some(ctx) = ctx else {
        return html! {};
    };
    let navigator = use_navigator();
    let lang = ctx.lang;
    let person = use_remote(p.id.clone(), |id: String| async move {
        crate::api::get::<Person>(&format!("/api/v1/persons/{id}")).await
    });
    let reason = use_state(String::new);
    let revealed = use_state(|| None::<RevealResponse>);
    // Two forms: the reason to see the full number, and deleting the entry.
    let reveal = use_form("reveal-form");
    let remove = use_form("person-actions");
    use_title(
        person
            .ready()
            .map_or_else(|| ctx.t("persons.title"), |p| p.name.clone()),
    );
    let Some(person_v) = person.ready().cloned() else {
        return html! { <section class="card">{ person.placeholder(lang, Some("persons.not_found")) }</section> };
    };
    let caps = ctx
        .me
        .as_ref()
        .map(|m| m.permissions.clone())
        .unwrap_or_default();
    let on_reveal = {
        let (reason, revealed, reveal, id) = (
            reason.clone(),
            revealed.clone(),
            reveal.clone(),
            p.id.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = RevealRequest {
                reason: (*reason).clone(),
            };
            if let Err(errs) = body.validate() {
                reveal.reject(errs);
                return;
            }
            let (revealed, path) = (revealed.clone(), format!("/api/v1/persons/{id}/reveal"));
            reveal.submit(
                move |_| async move { Ok(crate::api::post::<RevealResponse, _>(&path, &body).await?) },
                move |r| revealed.set(Some(r)),
            );
        })
    };
    let on_delete = {
        let (id, version, navigator, remove) = (
            p.id.clone(),
            person_v.version,
            navigator.clone(),
            remove.clone(),
        );
        Callback::from(move |()| {
            let (path, navigator) = (
                format!("/api/v1/persons/{id}?version={version}"),
                navigator.clone(),
            );
            remove.submit(
                move |_| async move { Ok(crate::api::delete(&path).await?) },
                move |()| {
                    if let Some(n) = navigator {
                        n.push(&Route::Persons);
                    }
                },
            );
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
                <dt>{ ctx.t("field.id_number") }</dt>
                <dd class="mono nowrap" id="person-id-number">{ revealed.as_ref().map(|r| r.id_number.clone()).unwrap_or_else(|| pv.id_number.clone()) }</dd>
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
                { row("field.county_code", units.name(&pv.county_code, lang)) }
                if let Some(town) = &pv.town_code {
                    <dt>{ ctx.t("field.town_code") }</dt><dd><PlaceName code={town.clone()} /></dd>
                }
                if let Some(village) = &pv.village_code {
                    <dt>{ ctx.t("field.village_code") }</dt><dd><PlaceName code={village.clone()} /></dd>
                }
                { row("field.address_detail", pv.address_detail.clone().unwrap_or_default()) }
                { row("field.poverty_status", ctx.t(&format!("pov.{}", pv.poverty_status))) }
                { row("field.registered_poor", yes(pv.registered_poor)) }
                { row("field.multi_disabled_household", yes(pv.multi_disabled_household)) }
                { row("field.elderly_disabled", yes(pv.elderly_disabled)) }
                { row("field.notes", pv.notes.clone().unwrap_or_default()) }
            </dl>
            if caps.contains(&shared::auth::Capability::RevealIdNumber) && revealed.is_none() {
                { reveal.banner(lang, "reveal-banner") }
                <form class="reveal" onsubmit={on_reveal} id="reveal-form" novalidate=true>
                    <TextField id="reveal-reason" label={ctx.t("persons.reveal_reason")} value={(*reason).clone()}
                        oninput={reveal.bind(&reason, "reason")} error={reveal.error("reason", lang)} required=true />
                    <button type="submit" id="reveal" disabled={reveal.busy()}>{ ctx.t("persons.reveal_submit") }</button>
                </form>
            }
            if ctx.me.as_ref().is_some_and(|m| m.permissions.contains(&shared::auth::Capability::ReadRehab)) {
                <p><Link<Route> to={Route::PersonRehab { id: p.id.clone() }} classes="button">{ ctx.t("rehab.person_link") }</Link<Route>></p>
            }
            if caps.contains(&shared::auth::Capability::ReadSurveys) || caps.contains(&shared::auth::Capability::WriteSurveys) {
                <p><Link<Route> to={Route::HouseholdPlan { id: p.id.clone() }} classes="button">{ ctx.t("hp.title") }</Link<Route>></p>
            }
            <crate::pages::audit::RecordAuditLink id={p.id.clone()} />
            if caps.contains(&shared::auth::Capability::WritePersons) {
                { remove.banner(lang, "delete-banner") }
                <p class="actions" id="person-actions">
                    <Link<Route> to={Route::PersonEdit { id: p.id.clone() }} classes="button">{ ctx.t("persons.edit") }</Link<Route>>
                    <ConfirmButton id="person-delete" class="danger" label={ctx.t("persons.delete")}
                        question={ctx.t("persons.delete_confirm")} onconfirm={on_delete} disabled={remove.busy()} />
                </p>
            }
        </section>
    }
}
