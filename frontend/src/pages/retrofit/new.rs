//! A new retrofit case (county retrofit writers): the household's disabled members
//! picked from the registry (one household: same household number), where the need was
//! found and when, the housing programme it goes with, the address and a note. The
//! village and the priority flags (several disabled members, elderly with a disability)
//! come from the registry entries. When the household already has an open case the
//! persons join it, and the page says so instead of making a second case.

use shared::person::Person;
use shared::rehab::NeedSource;
use shared::retrofit::{CaseCreate, CaseInput, LinkedProgramme, RetrofitCase, MAX_MEMBERS};
use shared::FieldError;
use uuid::Uuid;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::field::{SelectField, TextField};
use crate::components::person_picker::PersonPicker;
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::pages::rehab::{options, parse_date, ymd};

/// The new-case page.
#[function_component(CaseNew)]
pub fn case_new() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("rf.new")).unwrap_or_default());
    let navigator = use_navigator();
    let members = use_state(Vec::<Person>::new);
    let source = use_state(String::new);
    let date = use_state(|| ymd(crate::clock::today()));
    let programme = use_state(|| LinkedProgramme::None.to_string());
    let address = use_state(String::new);
    let note = use_state(String::new);
    // The household's open case, when the persons joined it.
    let joined = use_state(|| None::<RetrofitCase>);
    let fh = use_form("case-form");
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| {
        fh.errors()
            .iter()
            .find(|e| e.field == f || e.field.starts_with(&format!("{f}[")))
            .map(|e| super::error_text(&e.code, &e.message, lang))
    };
    let set = |s: &UseStateHandle<String>, f: &'static str| fh.bind(s, f);
    let on_pick = {
        let (members, fh) = (members.clone(), fh.clone());
        Callback::from(move |p: Person| {
            if !members.iter().any(|m| m.id == p.id) && members.len() < MAX_MEMBERS {
                let mut next = (*members).clone();
                next.push(p);
                members.set(next);
            }
            fh.clear_errors("person_ids");
        })
    };
    let remove = |id: Uuid| {
        let (members, fh) = (members.clone(), fh.clone());
        Callback::from(move |_: MouseEvent| {
            members.set(members.iter().filter(|m| m.id != id).cloned().collect());
            fh.clear_errors("person_ids");
        })
    };
    let onsubmit = {
        let (fh, navigator, joined) = (fh.clone(), navigator.clone(), joined.clone());
        let (members, source, date, programme, address, note) = (
            members.clone(),
            source.clone(),
            date.clone(),
            programme.clone(),
            address.clone(),
            note.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut errs = Vec::new();
            if members.is_empty() {
                errs.push(FieldError::new("person_ids", "required", ""));
            }
            let src = source.parse::<NeedSource>().ok();
            if src.is_none() {
                errs.push(FieldError::new("source", "required", ""));
            }
            let day = parse_date(&date);
            if day.is_none() {
                errs.push(FieldError::new("identified_on", "required", ""));
            }
            let (Some(source), Some(identified_on), true) = (src, day, errs.is_empty()) else {
                fh.reject(errs);
                return;
            };
            let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
            let fields = CaseInput {
                person_ids: members.iter().map(|m| m.id).collect(),
                source,
                identified_on,
                linked_programme: programme.parse().unwrap_or(LinkedProgramme::None),
                address: text(&address),
                note: text(&note),
                relocated_from: None,
            };
            let (navigator, joined) = (navigator.clone(), joined.clone());
            fh.submit(
                move |id| async move {
                    crate::api::retrofit::create(&CaseCreate {
                        id: Some(id),
                        fields,
                    })
                    .await
                    .map_err(Failure::Api)
                },
                move |c: RetrofitCase| {
                    if c.joined_existing {
                        joined.set(Some(c));
                        crate::pages::rehab::focus_id("case-joined");
                    } else if let Some(n) = &navigator {
                        n.push(&Route::RetrofitCase {
                            id: c.id.to_string(),
                        });
                    }
                },
            );
        })
    };
    let member_error = err("person_ids");
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Retrofits}>{ ctx.t("rf.title") }</Link<Route>>{" › "}
                <span aria-current="page">{ ctx.t("rf.new") }</span>
            </nav>
            <h1>{ ctx.t("rf.new") }</h1>
            if let Some(c) = &*joined {
                <p class="notice" role="status" id="case-joined" tabindex="-1">
                    { ctx.t("rf.joined") }{" "}
                    <Link<Route> to={Route::RetrofitCase { id: c.id.to_string() }}>{ super::members(c) }</Link<Route>>
                </p>
            }
            <h2>{ ctx.t("rf.members") }</h2>
            <p class="hint">{ ctx.t("rf.members_hint") }</p>
            <ul class="results" id="case-members-chosen" aria-label={ctx.t("rf.members")}>
                { for members.iter().map(|m| html! {
                    <li key={m.id.to_string()}>
                        <span>{ &m.name }</span>
                        <span class="mono">{ &m.id_number }</span>
                        <span>{ format!("{} · {}", ctx.t(&format!("cat.{}", m.disability_category)), ctx.t(&format!("level.{}", m.disability_level.get()))) }</span>
                        <button type="button" class="danger" aria-label={format!("{} {}", ctx.t("rf.remove_member"), m.name)} onclick={remove(m.id)}>{ ctx.t("rf.remove_member") }</button>
                    </li>
                }) }
            </ul>
            if members.is_empty() {
                <p id="case-members-none">{ ctx.t("rf.no_members") }</p>
            }
            <PersonPicker id="case-person" action={ctx.t("rf.add_member")} onpick={on_pick} error={member_error} busy={fh.busy()} />
            <form id="case-form" onsubmit={onsubmit} novalidate=true aria-label={ctx.t("rf.new")}>
                { fh.banner(lang, "case-banner") }
                <SelectField id="case-source" label={ctx.t("rehab.source")} value={(*source).clone()} required=true
                    options={options(NeedSource::ALL, "source", lang, Some("form.choose"))} onchange={set(&source, "source")} error={err("source")} />
                <TextField id="case-identified" kind="date" label={ctx.t("rehab.identified_on")} value={(*date).clone()} oninput={set(&date, "identified_on")} error={err("identified_on")} required=true />
                <SelectField id="case-programme" label={ctx.t("rf.programme")} value={(*programme).clone()}
                    options={options(LinkedProgramme::ALL, "rf_programme", lang, None)} onchange={set(&programme, "linked_programme")} error={err("linked_programme")} />
                <TextField id="case-address" label={ctx.t("rf.address")} value={(*address).clone()} oninput={set(&address, "address")} error={err("address")} />
                <p class="hint">{ ctx.t("rf.address_hint") }</p>
                <TextField id="case-note" label={ctx.t("rehab.note")} value={(*note).clone()} oninput={set(&note, "note")} error={err("note")} multiline=true />
                <p class="hint">{ ctx.t("rf.derived_hint") }</p>
                <div class="buttons">
                    <button type="submit" class="primary" id="case-save" disabled={fh.busy()}>{ ctx.t("rf.create") }</button>
                </div>
            </form>
        </section>
    }
}
