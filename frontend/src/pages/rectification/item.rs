//! One rectification item: what is wrong and where, its deadline (and whether it is
//! overdue), the evidence, the steps this user may take now (`allowed_actions`, from the
//! server, which reads the same workflow table it authorises with), and its history.
//! Each step opens a small form: the responsible person (assign), what was done (submit;
//! evidence photos are added above it first), the recheck's finding (recheck), the plan
//! and new deadline (long-term), the item it duplicates (merge). A step refused as stale
//! reloads the item.

use shared::attachments::OwnerKind;
use shared::rectification::{
    LongTermInput, RectificationAction, RectificationActionKind as A, RectificationItem,
};
use shared::FieldError;
use uuid::Uuid;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::field::TextField;
use crate::components::photo::PhotoUpload;
use crate::hooks::form::{use_form, Failure, UseForm};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::pages::rehab::{focus_id, parse_date, ymd};

/// Props: the item's id.
#[derive(Properties, PartialEq)]
pub struct ItemProps {
    /// Item id.
    pub id: String,
}

/// The item page.
#[function_component(ItemPage)]
pub fn item_page(p: &ItemProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("rc.title")).unwrap_or_default());
    let item = use_remote(p.id.clone(), |id: String| async move {
        crate::api::rectification::item(&id).await
    });
    let units = crate::hooks::units::use_units();
    let fh = use_form("item-step");
    let open = use_state(|| None::<A>);
    let done = use_state(|| None::<A>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(it) = item.ready().cloned() else {
        return html! { <section class="card">{ item.placeholder(lang, Some("rc.not_found")) }</section> };
    };
    let act = {
        let (item, fh, open, done) = (item.clone(), fh.clone(), open.clone(), done.clone());
        let id = it.id;
        Callback::from(move |body: RectificationAction| {
            let (item, stale, open, done) =
                (item.clone(), item.clone(), open.clone(), done.clone());
            let action = body.action;
            fh.submit(
                move |_| async move {
                    crate::api::rectification::act(id, &body)
                        .await
                        .map_err(|e| {
                            if e.code() == "stale_version" {
                                stale.reload();
                            }
                            Failure::Api(e)
                        })
                },
                move |updated: RectificationItem| {
                    open.set(None);
                    done.set(Some(action));
                    item.set(updated);
                    focus_id("item-done");
                },
            );
        })
    };
    let on_uploaded = {
        let item = item.clone();
        Callback::from(move |_| item.reload())
    };
    // Evidence is added by the county while it holds the item.
    let may_add_evidence = ctx
        .me
        .as_deref()
        .is_some_and(|m| super::writer(m) && super::at_county(m))
        && it.status.with_responsible();
    let facts = |k: &str, v: String| html! { <><dt>{ ctx.t(k) }</dt><dd>{ v }</dd></> };
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Rectification}>{ ctx.t("rc.title") }</Link<Route>>{" › "}
                <span aria-current="page">{ ctx.t("rc.item") }</span>
            </nav>
            <h1>{ &it.description }</h1>
            <dl class="facts" id="item-facts">
                <dt>{ ctx.t("rc.status") }</dt>
                <dd id="item-status">
                    { ctx.t(&format!("rc_status.{}", it.status)) }
                    if it.overdue {
                        {" "}<span class="badge pending" id="item-overdue">{ ctx.t("rc.overdue") }</span>
                    }
                </dd>
                { facts("rc.unit", units.name(&it.county_code, lang)) }
                { facts("rc.source", ctx.t(&format!("rc_source.{}", it.source))) }
                { facts("rc.category", format!("{} · {}", ctx.t(&format!("rc_group.{}", it.category_group)), ctx.t(&format!("rc_category.{}", it.category)))) }
                if let Some(h) = &it.household { { facts("rc.household", h.clone()) } }
                if let Some(n) = &it.person_name { { facts("rc.person", n.clone()) } }
                if let Some(m) = it.measure { { facts("rc.measure", m.to_string()) } }
                if let Some(r) = &it.responsible_person { { facts("rc.responsible", r.clone()) } }
                { facts("rc.found_on", ymd(it.found_on)) }
                { facts("rc.deadline", ymd(it.deadline)) }
                if it.deadline != it.original_deadline { { facts("rc.original_deadline", ymd(it.original_deadline)) } }
                if let Some(pl) = &it.long_term_plan { { facts("rc.plan", pl.clone()) } }
                if let Some(n) = &it.rectification_note { { facts("rc.rectified", n.clone()) } }
                if let Some(n) = &it.recheck_note { { facts("rc.recheck_note", n.clone()) } }
                if let Some(u) = &it.closed_unit { { facts("rc.closed_by", units.name(u, lang)) } }
                if let Some(d) = it.duplicate_of {
                    <dt>{ ctx.t("rc.duplicate_of") }</dt>
                    <dd><Link<Route> to={Route::RectificationItem { id: d.to_string() }}>{ ctx.t("rc.the_other") }</Link<Route>></dd>
                }
                { facts("rc.evidence", it.evidence_count.to_string()) }
            </dl>
            if let Some(a) = *done {
                <p class="notice" role="status" id="item-done" tabindex="-1">{ format!("{}: {}", ctx.t(&format!("rc_action.{a}")), ctx.t("care.done")) }</p>
            }
            if may_add_evidence {
                <section id="item-evidence" aria-label={ctx.t("rc.evidence")}>
                    <PhotoUpload id="item-photo" owner_type={OwnerKind::RectificationItem} owner_id={it.id} label={ctx.t("rc.add_evidence")} {on_uploaded} />
                </section>
            }
            if !it.allowed_actions.is_empty() {
                <div class="actions-box" id="item-actions">
                    <h2>{ ctx.t("care.actions") }</h2>
                    { fh.banner(lang, "item-step-banner") }
                    <p class="actions">
                        { for it.allowed_actions.iter().map(|a| {
                            let a = *a;
                            let open = open.clone();
                            let pressed = if *open == Some(a) { "true" } else { "false" };
                            let class = match a { A::RecheckFail | A::Merge | A::Reopen => "danger", A::Close | A::Submit => "primary", _ => "" };
                            html! { <button type="button" id={format!("item-{a}")} aria-expanded={pressed} class={class}
                                onclick={Callback::from(move |_| { open.set(Some(a)); focus_id(format!("step-{a}-first")); })}>{ ctx.t(&format!("rc_action.{a}")) }</button> }
                        }) }
                    </p>
                    if let Some(a) = *open {
                        if it.allowed_actions.contains(&a) {
                            <StepForm key={a.to_string()} action={a} item={it.clone()} form={fh.clone()} onact={act.clone()}
                                oncancel={let open = open.clone(); Callback::from(move |()| open.set(None))} />
                        }
                    }
                </div>
            }
            <crate::pages::audit::RecordAuditLink id={it.id.to_string()} />
            <h2>{ ctx.t("care.timeline") }</h2>
            <ol class="timeline" id="item-timeline">
                { for it.timeline.iter().map(|e| html! {
                    <li>
                        <strong>{ ctx.t(&format!("rc_status.{}", e.to_status)) }</strong>
                        { format!(" · {} · {} · {}", e.at.date_naive(), e.actor_username, units.name(&e.actor_unit, lang)) }
                        if let Some(n) = &e.note { { format!(" · {n}") } }
                    </li>
                }) }
            </ol>
        </section>
    }
}

/// Props of a step's form.
#[derive(Properties, PartialEq)]
struct StepProps {
    action: A,
    item: RectificationItem,
    form: UseForm,
    onact: Callback<RectificationAction>,
    oncancel: Callback<()>,
}

/// The form of one step. Its first field (or button) has the id `step-{action}-first`.
#[function_component(StepForm)]
fn step_form(p: &StepProps) -> Html {
    let ctx = use_context::<Ctx>();
    let a = p.action;
    let text = use_state(String::new); // note
    let person = use_state(|| p.item.responsible_person.clone().unwrap_or_default());
    let plan = use_state(String::new);
    let deadline = use_state(String::new);
    let other = use_state(String::new);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let fh = &p.form;
    let first = format!("step-{a}-first");
    let err = |f: &str| fh.error(f, lang);
    let set = |s: &UseStateHandle<String>, f: &'static str| fh.bind(s, f);
    let version = p.item.version;
    let note_required = matches!(a, A::Submit | A::RecheckFail | A::Reopen);
    let body = || -> Result<RectificationAction, Vec<FieldError>> {
        let mut errs = Vec::new();
        let note = (!text.trim().is_empty()).then(|| text.trim().to_owned());
        if note_required && note.is_none() {
            errs.push(FieldError::new("note", "required", ""));
        }
        let mut b = RectificationAction {
            action: a,
            version,
            note,
            responsible_person: None,
            long_term: None,
            duplicate_of: None,
        };
        match a {
            A::Assign => {
                if person.trim().is_empty() {
                    errs.push(FieldError::new("responsible_person", "required", ""));
                }
                b.responsible_person = Some(person.trim().to_owned());
            }
            A::LongTerm => {
                if plan.trim().is_empty() {
                    errs.push(FieldError::new("long_term.plan", "required", ""));
                }
                match parse_date(&deadline) {
                    Some(d) => {
                        b.long_term = Some(LongTermInput {
                            plan: plan.trim().to_owned(),
                            deadline: d,
                        })
                    }
                    None => errs.push(FieldError::new("long_term.deadline", "required", "")),
                }
            }
            A::Merge => match other.trim().parse::<Uuid>() {
                Ok(id) => b.duplicate_of = Some(id),
                Err(_) => errs.push(FieldError::new("duplicate_of", "required", "")),
            },
            _ => {}
        }
        if errs.is_empty() {
            Ok(b)
        } else {
            Err(errs)
        }
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
    let title = ctx.t(&format!("rc_action.{a}"));
    let has_first_field = matches!(a, A::Assign | A::LongTerm | A::Merge);
    let note_id = if has_first_field {
        "step-note".to_owned()
    } else {
        first.clone()
    };
    let note_label = match a {
        A::Submit => "rc.what_was_done",
        A::RecheckPass | A::RecheckFail => "rc.recheck_finding",
        A::Reopen => "rc.why_reopen",
        _ => "care.note",
    };
    html! {
        <form id={format!("step-{a}")} class="step" onsubmit={onsubmit} novalidate=true aria-label={title.clone()}>
            <h3>{ title.clone() }</h3>
            if a == A::Submit && p.item.evidence_count == 0 {
                <p class="hint" id="step-evidence-hint">{ ctx.t("rc.evidence_first") }</p>
            }
            if a == A::Assign {
                <TextField id={first.clone()} label={ctx.t("rc.responsible")} value={(*person).clone()} oninput={set(&person, "responsible_person")} error={err("responsible_person")} required=true />
            }
            if a == A::LongTerm {
                <TextField id={first.clone()} label={ctx.t("rc.plan")} value={(*plan).clone()} oninput={set(&plan, "long_term.plan")} error={err("long_term.plan").or_else(|| err("long_term"))} required=true multiline=true />
                <TextField id="step-deadline" kind="date" label={ctx.t("rc.new_deadline")} value={(*deadline).clone()} oninput={set(&deadline, "long_term.deadline")} error={err("long_term.deadline")} required=true />
            }
            if a == A::Merge {
                <TextField id={first.clone()} label={ctx.t("rc.duplicate_of_id")} value={(*other).clone()} oninput={set(&other, "duplicate_of")} error={err("duplicate_of")} required=true />
            }
            <TextField id={note_id} label={ctx.t(note_label)} value={(*text).clone()} oninput={set(&text, "note")} error={err("note")} required={note_required} multiline=true />
            if let Some(e) = err("evidence") {
                <p class="error" id="step-evidence-error">{ e }</p>
            }
            <div class="buttons">
                <button type="submit" class={if matches!(a, A::RecheckFail | A::Merge | A::Reopen) { "danger" } else { "primary" }} id={format!("step-{a}-save")} disabled={fh.busy()}>{ title.clone() }</button>
                <button type="button" id={format!("step-{a}-cancel")} onclick={p.oncancel.reform(|_| ())}>{ ctx.t("dev.cancel") }</button>
            </div>
        </form>
    }
}
