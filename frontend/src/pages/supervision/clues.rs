//! Misconduct clues (问题线索, measure 20): misuse of funds, fraud, favouritism or
//! inaction found on visits, inspections or petitions, referred to the discipline
//! inspectors. Only the poverty office (which records them) and leaders (who read them)
//! see them; the server hides each clue from the implicated unit and user and audits
//! every read.
//!
//! - **The list**, by status and area.
//! - **The form** (the poverty office): source, kind, day received, county, who is
//!   implicated, what was found. The client id is kept until the clue is saved.
//! - **The page** of one clue: its facts and the steps the user may take now
//!   (`allowed_actions`, from the server's ledger table), each a small form: refer
//!   (day, the inspectors' reference), feedback (day, what they found), close (why).

use shared::auth::Capability;
use shared::supervision::{
    Clue, ClueAction, ClueCreate, ClueInput, ClueKind, ClueSource, ClueStatus, ClueStep,
};
use shared::FieldError;
use uuid::Uuid;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{area_options, can, scope_of, some, CountySelect};
use crate::api::supervision::{self as api, ClueQuery};
use crate::app::{Ctx, Route};
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::{use_form, Failure, UseForm};
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, use_remote, PAGE_SIZE};
use crate::pages::rehab::{focus_id, options, parse_date, ymd};

/// The clue list.
#[function_component(ClueList)]
pub fn clue_list() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("clue.title")).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    let filter = use_state(|| ClueQuery {
        limit: PAGE_SIZE,
        ..ClueQuery::default()
    });
    let list = use_paged((*filter).clone(), |f: ClueQuery, cursor| async move {
        api::clues(&ClueQuery { cursor, ..f }).await
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let scope = scope_of(&ctx);
    let set = |f: fn(&mut ClueQuery, Option<String>)| {
        let filter = filter.clone();
        Callback::from(move |v: String| {
            let mut next = (*filter).clone();
            f(&mut next, some(&v));
            filter.set(next);
        })
    };
    let areas = area_options(&units, &scope, lang);
    html! {
        <section class="card">
            <h1>{ ctx.t("clue.title") }</h1>
            <p class="hint">{ ctx.t("clue.confidential") }</p>
            if can(&ctx, Capability::WriteClues) {
                <div class="actions">
                    <Link<Route> to={Route::ClueNew} classes="button primary">{ ctx.t("clue.new") }</Link<Route>>
                </div>
            }
            <div class="filters" id="clue-filters">
                <SelectField id="clue-filter-status" label={ctx.t("clue.status")} value={filter.status.clone().unwrap_or_default()}
                    options={options(ClueStatus::ALL, "clue_status", lang, Some("filter.any"))} onchange={set(|f, v| f.status = v)} />
                if areas.len() > 1 {
                    <SelectField id="clue-filter-area" label={ctx.t("clue.area")} value={filter.area.clone().unwrap_or_default()}
                        options={areas} onchange={set(|f, v| f.area = v)} />
                }
            </div>
            <ul class="results" id="clues">
                { for list.items().iter().map(|c| html! {
                    <li id={format!("clue-{}", c.id)}>
                        <Link<Route> to={Route::Clue { id: c.id.to_string() }}>
                            { format!("{} · {}", ctx.t(&format!("clue_kind.{}", c.fields.kind)), units.name(&c.fields.county_code, lang)) }
                        </Link<Route>>
                        <span>{ format!("{} · {}", ymd(c.fields.received_on), ctx.t(&format!("clue_source.{}", c.fields.source))) }</span>
                        <span class={classes!("badge", (c.status != ClueStatus::Closed).then_some("pending"))}>{ ctx.t(&format!("clue_status.{}", c.status)) }</span>
                    </li>
                }) }
            </ul>
            { list.footer(lang, "clues", "clue.none") }
        </section>
    }
}

/// Records a clue (the poverty office).
#[function_component(ClueForm)]
pub fn clue_form() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("clue.new")).unwrap_or_default());
    let navigator = use_navigator();
    let units = crate::hooks::units::use_units();
    let fh = use_form("clue-form");
    let source = use_state(String::new);
    let kind = use_state(String::new);
    let received = use_state(|| ymd(crate::clock::today()));
    let county = use_state(String::new);
    let unit = use_state(String::new);
    let user_id = use_state(String::new);
    let person = use_state(String::new);
    let description = use_state(String::new);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| fh.error(f, lang);
    let input = || -> Result<ClueInput, Vec<FieldError>> {
        let mut errs = Vec::new();
        let src = source.parse::<ClueSource>().ok();
        if src.is_none() {
            errs.push(FieldError::new("source", "required", ""));
        }
        let k = kind.parse::<ClueKind>().ok();
        if k.is_none() {
            errs.push(FieldError::new("kind", "required", ""));
        }
        let day = parse_date(&received);
        if day.is_none() {
            errs.push(FieldError::new("received_on", "invalid_date", ""));
        }
        if county.is_empty() {
            errs.push(FieldError::new("county_code", "required", ""));
        }
        let implicated_user_id = match some(&user_id) {
            None => None,
            Some(t) => {
                let id = t.parse::<Uuid>().ok();
                if id.is_none() {
                    errs.push(FieldError::new("implicated_user_id", "invalid_value", ""));
                }
                id
            }
        };
        let (Some(source), Some(kind), Some(received_on)) = (src, k, day) else {
            return Err(errs);
        };
        let f = ClueInput {
            source,
            kind,
            received_on,
            county_code: (*county).clone(),
            implicated_unit: some(&unit),
            implicated_user_id,
            implicated_person: some(&person),
            description: description.trim().to_owned(),
        };
        if let Err(more) = f.validate(crate::clock::today()) {
            errs.extend(more);
        }
        if errs.is_empty() {
            Ok(f)
        } else {
            Err(errs)
        }
    };
    let onsubmit = {
        let (fh, fields) = (fh.clone(), input());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let fields = match fields.clone() {
                Ok(f) => f,
                Err(errs) => return fh.reject(errs),
            };
            let navigator = navigator.clone();
            fh.submit(
                move |id| async move {
                    let body = ClueCreate {
                        id: Some(id),
                        fields,
                    };
                    Ok(api::create_clue(&body).await?)
                },
                move |c: Clue| {
                    if let Some(n) = navigator {
                        n.push(&Route::Clue {
                            id: c.id.to_string(),
                        });
                    }
                },
            );
        })
    };
    let set_county = {
        let (county, unit, fh) = (county.clone(), unit.clone(), fh.clone());
        Callback::from(move |c: String| {
            // The implicated unit was offered for the county chosen before.
            if !unit.starts_with("43.") {
                unit.set(String::new());
            }
            county.set(c);
            fh.clear_error("county_code");
        })
    };
    // The units a clue may implicate: the county, its city, a department of the province.
    let mut unit_options = vec![(String::new(), ctx.t("clue.no_unit"))];
    if let Some(city) = county.get(..4).filter(|_| county.len() == 6) {
        for code in [(*county).clone(), city.to_owned()] {
            let name = units.name(&code, lang);
            unit_options.push((code, name));
        }
    }
    unit_options.extend(super::department_options(&units, lang));
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Clues}>{ ctx.t("clue.title") }</Link<Route>>{" › "}
                <span aria-current="page">{ ctx.t("clue.new") }</span>
            </nav>
            <h1>{ ctx.t("clue.new") }</h1>
            { fh.banner(lang, "clue-banner") }
            <form onsubmit={onsubmit} novalidate=true id="clue-form">
                <SelectField id="clue-source" label={ctx.t("clue.source")} value={(*source).clone()} required=true
                    options={options(ClueSource::ALL, "clue_source", lang, Some("form.choose"))} onchange={fh.bind(&source, "source")} error={err("source")} />
                <SelectField id="clue-kind" label={ctx.t("clue.kind")} value={(*kind).clone()} required=true
                    options={options(ClueKind::ALL, "clue_kind", lang, Some("form.choose"))} onchange={fh.bind(&kind, "kind")} error={err("kind")} />
                <TextField id="clue-received" kind="date" label={ctx.t("clue.received_on")} value={(*received).clone()}
                    oninput={fh.bind(&received, "received_on")} error={err("received_on")} required=true />
                <CountySelect id="clue-county" label={ctx.t("clue.county")} value={(*county).clone()} onchange={set_county} error={err("county_code")} />
                <h2>{ ctx.t("clue.implicated") }</h2>
                <SelectField id="clue-unit" label={ctx.t("clue.implicated_unit")} value={(*unit).clone()}
                    options={unit_options} onchange={fh.bind(&unit, "implicated_unit")} error={err("implicated_unit")} />
                <TextField id="clue-person" label={ctx.t("clue.implicated_person")} value={(*person).clone()}
                    oninput={fh.bind(&person, "implicated_person")} error={err("implicated_person")} />
                <TextField id="clue-user" label={ctx.t("clue.implicated_user")} value={(*user_id).clone()}
                    oninput={fh.bind(&user_id, "implicated_user_id")} error={err("implicated_user_id")} />
                <TextField id="clue-description" multiline=true label={ctx.t("clue.description")} value={(*description).clone()}
                    oninput={fh.bind(&description, "description")} error={err("description")} required=true />
                <div class="buttons">
                    <button type="submit" class="primary" id="clue-save" disabled={fh.busy()}>{ ctx.t("form.save") }</button>
                </div>
            </form>
        </section>
    }
}

/// Props: the clue's id.
#[derive(Properties, PartialEq)]
pub struct ClueProps {
    /// Clue id.
    pub id: String,
}

/// One clue and the steps the user may take.
#[function_component(CluePage)]
pub fn clue_page(p: &ClueProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("clue.one")).unwrap_or_default());
    let clue = use_remote(
        p.id.clone(),
        |id: String| async move { api::clue(&id).await },
    );
    let units = crate::hooks::units::use_units();
    let fh = use_form("clue-step");
    let open = use_state(|| None::<ClueAction>);
    let done = use_state(|| None::<ClueAction>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(c) = clue.ready().cloned() else {
        return html! { <section class="card">{ clue.placeholder(lang, Some("clue.not_found")) }</section> };
    };
    let act = {
        let (clue, fh, open, done) = (clue.clone(), fh.clone(), open.clone(), done.clone());
        let id = c.id;
        Callback::from(move |body: ClueStep| {
            let (clue, stale, open, done) =
                (clue.clone(), clue.clone(), open.clone(), done.clone());
            let action = body.action;
            fh.submit(
                move |_| async move {
                    api::act_clue(id, &body).await.map_err(|e| {
                        if e.code() == "stale_version" {
                            stale.reload();
                        }
                        Failure::Api(e)
                    })
                },
                move |updated: Clue| {
                    open.set(None);
                    done.set(Some(action));
                    clue.set(updated);
                    focus_id("clue-done");
                },
            );
        })
    };
    let title = format!(
        "{} · {}",
        ctx.t(&format!("clue_kind.{}", c.fields.kind)),
        units.name(&c.fields.county_code, lang)
    );
    let facts = |k: &str, v: String| html! { <><dt>{ ctx.t(k) }</dt><dd>{ v }</dd></> };
    let f = &c.fields;
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Clues}>{ ctx.t("clue.title") }</Link<Route>>{" › "}
                <span aria-current="page">{ &title }</span>
            </nav>
            <h1>{ &title }</h1>
            <dl class="facts" id="clue-facts">
                <dt>{ ctx.t("clue.status") }</dt><dd id="clue-status">{ ctx.t(&format!("clue_status.{}", c.status)) }</dd>
                { facts("clue.source", ctx.t(&format!("clue_source.{}", f.source))) }
                { facts("clue.received_on", ymd(f.received_on)) }
                { facts("clue.county", units.name(&f.county_code, lang)) }
                if let Some(u) = &f.implicated_unit { { facts("clue.implicated_unit", units.name(u, lang)) } }
                if let Some(n) = &f.implicated_person { { facts("clue.implicated_person", n.clone()) } }
                if let Some(u) = f.implicated_user_id { { facts("clue.implicated_user", u.to_string()) } }
                if let Some(d) = c.referred_on { { facts("clue.referred_on", ymd(d)) } }
                if let Some(r) = &c.reference { { facts("clue.reference", r.clone()) } }
                if let Some(d) = c.feedback_on { { facts("clue.feedback_on", ymd(d)) } }
                if let Some(t) = &c.feedback { { facts("clue.feedback", t.clone()) } }
                if let Some(t) = &c.closing_note { { facts("clue.closing_note", t.clone()) } }
            </dl>
            <h2>{ ctx.t("clue.description") }</h2>
            <p class="content" id="clue-description-text">{ &f.description }</p>
            if let Some(a) = *done {
                <p class="notice" role="status" id="clue-done" tabindex="-1">{ format!("{}: {}", ctx.t(&format!("clue_action.{a}")), ctx.t("clue.done")) }</p>
            }
            if !c.allowed_actions.is_empty() {
                <div class="actions-box" id="clue-actions">
                    <h2>{ ctx.t("clue.actions") }</h2>
                    { fh.banner(lang, "clue-step-banner") }
                    <p class="actions">
                        { for c.allowed_actions.iter().map(|a| {
                            let (a, open) = (*a, open.clone());
                            let pressed = if *open == Some(a) { "true" } else { "false" };
                            html! { <button type="button" id={format!("clue-{a}")} aria-expanded={pressed}
                                onclick={Callback::from(move |_| { open.set(Some(a)); focus_id(format!("clue-step-{a}-first")); })}>{ ctx.t(&format!("clue_action.{a}")) }</button> }
                        }) }
                    </p>
                    if let Some(a) = (*open).filter(|a| c.allowed_actions.contains(a)) {
                        <StepForm key={a.to_string()} action={a} version={c.version} form={fh.clone()} onact={act.clone()}
                            oncancel={let open = open.clone(); Callback::from(move |()| open.set(None))} />
                    }
                </div>
            }
            <crate::pages::audit::RecordAuditLink id={c.id.to_string()} />
        </section>
    }
}

/// Props of a step's form.
#[derive(Properties, PartialEq)]
struct StepProps {
    action: ClueAction,
    version: i64,
    form: UseForm,
    onact: Callback<ClueStep>,
    oncancel: Callback<()>,
}

/// The form of one step; its first field has the id `clue-step-{action}-first`.
#[function_component(StepForm)]
fn step_form(p: &StepProps) -> Html {
    let ctx = use_context::<Ctx>();
    let a = p.action;
    let on = use_state(|| ymd(crate::clock::today()));
    let reference = use_state(String::new);
    let note = use_state(String::new);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let fh = &p.form;
    let err = |f: &str| fh.error(f, lang);
    let first = format!("clue-step-{a}-first");
    let dated = a != ClueAction::Close;
    let body = || -> Result<ClueStep, Vec<FieldError>> {
        let day = if dated {
            match parse_date(&on) {
                Some(d) => Some(d),
                None => return Err(vec![FieldError::new("on", "invalid_date", "")]),
            }
        } else {
            None
        };
        let step = ClueStep {
            action: a,
            version: p.version,
            on: day,
            reference: (a == ClueAction::Refer).then(|| some(&reference)).flatten(),
            note: some(&note),
        };
        step.validate(crate::clock::today()).map(|()| step)
    };
    let onsubmit = {
        let (fh, body, onact) = (fh.clone(), body(), p.onact.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match body.clone() {
                Ok(b) => onact.emit(b),
                Err(errs) => fh.reject(errs),
            }
        })
    };
    let title = ctx.t(&format!("clue_action.{a}"));
    let note_key = match a {
        ClueAction::Refer => "clue.note",
        ClueAction::Feedback => "clue.feedback",
        ClueAction::Close => "clue.closing_note",
    };
    let note_required = a != ClueAction::Refer;
    html! {
        <form id={format!("clue-step-{a}")} class="step" onsubmit={onsubmit} novalidate=true aria-label={title.clone()}>
            <h3>{ title.clone() }</h3>
            if dated {
                <TextField id={first.clone()} kind="date" label={ctx.t(if a == ClueAction::Refer { "clue.referred_on" } else { "clue.feedback_on" })}
                    value={(*on).clone()} oninput={fh.bind(&on, "on")} error={err("on")} required=true />
            }
            if a == ClueAction::Refer {
                <TextField id="clue-step-reference" label={ctx.t("clue.reference")} value={(*reference).clone()}
                    oninput={fh.bind(&reference, "reference")} error={err("reference")} required=true />
            }
            <TextField id={if dated { "clue-step-note".to_owned() } else { first.clone() }} multiline=true label={ctx.t(note_key)}
                value={(*note).clone()} oninput={fh.bind(&note, "note")} error={err("note")} required={note_required} />
            <div class="buttons">
                <button type="submit" class="primary" id={format!("clue-step-{a}-save")} disabled={fh.busy()}>{ title }</button>
                <button type="button" onclick={p.oncancel.reform(|_| ())}>{ ctx.t("sv.cancel") }</button>
            </div>
        </form>
    }
}
