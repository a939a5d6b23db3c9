//! One petition: where it stands and its deadlines, the petitioner masked (revealed with
//! a reason, which the server audits), the steps this user may take now
//! (`allowed_actions`, from the server, which reads the same workflow table it
//! authorises with), the petitioner's other petitions, and the history. Each step opens
//! a small form (the day it takes effect, and what the step needs: the handling unit,
//! the reply, the follow-up and satisfaction, a note). A step refused as stale reloads
//! the petition.

use shared::petitions::{
    Petition, PetitionAction, PetitionActionKind, PetitionRectificationInput, PetitionStatus,
    PetitionerRevealed,
};
use shared::rectification::ProblemCategory;
use shared::retrofit::Satisfaction;
use shared::FieldError;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::field::{CheckField, SelectField, TextField};
use crate::hooks::form::{use_form, Failure, UseForm};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::pages::rehab::{focus_id, options, parse_date, ymd};

/// Props: the petition's id.
#[derive(Properties, PartialEq)]
pub struct PetitionProps {
    /// Petition id.
    pub id: String,
}

/// The petition page.
#[function_component(PetitionPage)]
pub fn petition_page(p: &PetitionProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(
        ctx.as_ref()
            .map(|c| c.t("petition.title"))
            .unwrap_or_default(),
    );
    let petition = use_remote(p.id.clone(), |id: String| async move {
        crate::api::petitions::petition(&id).await
    });
    let units = crate::hooks::units::use_units();
    let fh = use_form("petition-step");
    let open = use_state(|| None::<PetitionActionKind>);
    let done = use_state(|| None::<PetitionActionKind>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(pt) = petition.ready().cloned() else {
        return html! { <section class="card">{ petition.placeholder(lang, Some("petition.not_found")) }</section> };
    };
    let act = {
        let (petition, fh, open, done) = (petition.clone(), fh.clone(), open.clone(), done.clone());
        let id = pt.id;
        Callback::from(move |body: PetitionAction| {
            let (petition, stale, open, done) = (
                petition.clone(),
                petition.clone(),
                open.clone(),
                done.clone(),
            );
            let action = body.action;
            fh.submit(
                move |_| async move {
                    crate::api::petitions::act(id, &body).await.map_err(|e| {
                        if e.code() == "stale_version" {
                            stale.reload();
                        }
                        Failure::Api(e)
                    })
                },
                move |updated: Petition| {
                    open.set(None);
                    done.set(Some(action));
                    petition.set(updated);
                    focus_id("petition-done");
                },
            );
        })
    };
    let facts = |k: &str, v: String| html! { <><dt>{ ctx.t(k) }</dt><dd>{ v }</dd></> };
    let day = |d: Option<chrono::NaiveDate>| d.map(ymd).unwrap_or_else(|| "—".into());
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Petitions}>{ ctx.t("petition.title") }</Link<Route>>{" › "}
                <span aria-current="page">{ &pt.subject }</span>
            </nav>
            <h1>{ &pt.subject }</h1>
            if pt.overdue {
                <p class="error-summary" id="petition-overdue">{ ctx.t("petition.is_overdue") }</p>
            }
            <dl class="facts" id="petition-facts">
                <dt>{ ctx.t("petition.status") }</dt><dd id="petition-status">{ ctx.t(&format!("petition_status.{}", pt.status)) }</dd>
                { facts("petition.channel", ctx.t(&format!("petition_channel.{}", pt.channel))) }
                { facts("petition.received_on", ymd(pt.received_on)) }
                { facts("petition.area", units.name(&pt.county_code, lang)) }
                { facts("petition.category", ctx.t(&format!("petition_category.{}", pt.category))) }
                { facts("petition.accept_due", ymd(pt.accept_due)) }
                { facts("petition.reply_due", day(pt.reply_due)) }
                if let Some(u) = &pt.assigned_unit {
                    { facts("petition.assigned_unit", pt.assigned_unit_name.clone().unwrap_or_else(|| u.clone())) }
                }
                if !pt.person_name.is_empty() { { facts("petition.person", pt.person_name.clone()) } }
                if let Some(r) = &pt.reply { { facts("petition.reply", format!("{} ({})", r, day(pt.replied_on))) } }
                if let Some(f) = &pt.follow_up { { facts("petition.follow_up", format!("{} ({})", f, day(pt.followed_up_on))) } }
                if let Some(s) = pt.satisfaction { { facts("petition.satisfaction", ctx.t(&format!("rf_satisfaction.{s}"))) } }
                if pt.unresolved { { facts("petition.unresolved", ctx.t("petition.yes")) } }
                if pt.reopened > 0 { { facts("petition.reopened", pt.reopened.to_string()) } }
            </dl>
            if let Some(c) = &pt.content {
                <p class="content" id="petition-content-text">{ c }</p>
            }
            <Petitioner petition={pt.clone()} />
            <RectifyBox petition={pt.clone()} onopened={let petition = petition.clone(); Callback::from(move |p: Petition| petition.set(p))} />
            if let Some(a) = *done {
                <p class="notice" role="status" id="petition-done" tabindex="-1">{ format!("{}: {}", ctx.t(&format!("petition_action.{a}")), ctx.t("petition.done")) }</p>
            }
            if !pt.allowed_actions.is_empty() {
                <div class="actions-box" id="petition-actions">
                    <h2>{ ctx.t("petition.actions") }</h2>
                    { fh.banner(lang, "petition-step-banner") }
                    <p class="actions">
                        { for pt.allowed_actions.iter().map(|a| {
                            let a = *a;
                            let open = open.clone();
                            let pressed = if *open == Some(a) { "true" } else { "false" };
                            html! { <button type="button" id={format!("petition-{a}")} aria-expanded={pressed}
                                onclick={Callback::from(move |_| { open.set(Some(a)); focus_id(format!("step-{a}-first")); })}>{ ctx.t(&format!("petition_action.{a}")) }</button> }
                        }) }
                    </p>
                    if let Some(a) = *open {
                        if pt.allowed_actions.contains(&a) {
                            <StepForm key={a.to_string()} action={a} petition={pt.clone()} form={fh.clone()} onact={act.clone()}
                                oncancel={let open = open.clone(); Callback::from(move |()| open.set(None))} />
                        }
                    }
                </div>
            }
            if !pt.related.is_empty() {
                <h2>{ ctx.t("petition.related") }</h2>
                <ul class="results" id="petition-related">
                    { for pt.related.iter().map(|r| html! {
                        <li>
                            <Link<Route> to={Route::Petition { id: r.id.to_string() }}>{ &r.subject }</Link<Route>>
                            <span>{ format!("{} · {}", ctx.t(&format!("petition_channel.{}", r.channel)), ymd(r.received_on)) }</span>
                            <span class="status">{ ctx.t(&format!("petition_status.{}", r.status)) }</span>
                        </li>
                    }) }
                </ul>
            }
            <crate::pages::audit::RecordAuditLink id={pt.id.to_string()} />
            <h2>{ ctx.t("petition.timeline") }</h2>
            <ol class="timeline" id="petition-timeline">
                { for pt.timeline.iter().map(|e| html! {
                    <li>
                        <strong>{ ctx.t(&format!("petition_status.{}", e.to_status)) }</strong>
                        { format!(" · {} · {}", ymd(e.on), e.actor_username) }
                        if let Some(n) = &e.note { { format!(" · {n}") } }
                    </li>
                }) }
            </ol>
        </section>
    }
}

/// Props of the petitioner box.
#[derive(Properties, PartialEq)]
struct PetitionerProps {
    petition: Petition,
}

/// The petitioner, masked; users who may reveal give a reason and see them in full.
#[function_component(Petitioner)]
fn petitioner(p: &PetitionerProps) -> Html {
    let ctx = use_context::<Ctx>();
    let reason = use_state(String::new);
    let shown = use_state(|| None::<PetitionerRevealed>);
    let fh = use_form("petition-reveal");
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let pt = &p.petition;
    let may_reveal = ctx.me.as_ref().is_some_and(|m| {
        m.permissions
            .contains(&shared::auth::Capability::RevealIdNumber)
    });
    let onsubmit = {
        let (fh, reason, shown, id) = (fh.clone(), reason.clone(), shown.clone(), pt.id);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (why, shown) = (reason.trim().to_owned(), shown.clone());
            fh.submit(
                move |_| async move { Ok(crate::api::petitions::reveal(id, &why).await?) },
                move |r: PetitionerRevealed| shown.set(Some(r)),
            );
        })
    };
    let (name, number, phone) = match &*shown {
        Some(r) => (r.name.clone(), r.id_number.clone(), r.phone.clone()),
        None => (
            pt.petitioner_name_masked.clone(),
            pt.petitioner_id_number_masked.clone(),
            pt.petitioner_phone_masked.clone(),
        ),
    };
    let dash = || "—".to_owned();
    html! {
        <div class="petitioner" id="petition-petitioner">
            <h2>{ ctx.t("petition.petitioner") }</h2>
            <dl class="facts">
                <dt>{ ctx.t("petition.name") }</dt><dd id="petitioner-name">{ name }</dd>
                <dt>{ ctx.t("petition.id_number") }</dt><dd id="petitioner-id-number">{ number.unwrap_or_else(dash) }</dd>
                <dt>{ ctx.t("petition.phone") }</dt><dd id="petitioner-phone">{ phone.unwrap_or_else(dash) }</dd>
            </dl>
            if may_reveal && shown.is_none() {
                <details>
                    <summary>{ ctx.t("petition.reveal") }</summary>
                    { fh.banner(lang, "petition-reveal-banner") }
                    <form onsubmit={onsubmit} novalidate=true id="petition-reveal-form">
                        <TextField id="petition-reveal-reason" label={ctx.t("petition.reveal_reason")} value={(*reason).clone()}
                            oninput={fh.bind(&reason, "reason")} error={fh.error("reason", lang)} required=true />
                        <button type="submit" id="petition-reveal" disabled={fh.busy()}>{ ctx.t("petition.reveal") }</button>
                    </form>
                </details>
            }
        </div>
    }
}

/// Props of the box that opens a rectification item from the petition.
#[derive(Properties, PartialEq)]
struct RectifyProps {
    petition: Petition,
    onopened: Callback<Petition>,
}

/// Links to the petition's rectification item, or, when its follow-up found the problem
/// unresolved, opens it (category and deadline; once per petition).
#[function_component(RectifyBox)]
fn rectify_box(p: &RectifyProps) -> Html {
    let ctx = use_context::<Ctx>();
    let fh = use_form("petition-rectify");
    let category = use_state(String::new);
    let deadline = use_state(|| ymd(crate::clock::today() + chrono::TimeDelta::days(30)));
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let pt = &p.petition;
    if let Some(item) = pt.rectification_id {
        return html! {
            <p id="petition-rectification">
                <Link<Route> to={Route::RectificationItem { id: item.to_string() }}>{ ctx.t("petition.rectification_item") }</Link<Route>>
            </p>
        };
    }
    let can_open = pt.unresolved
        && matches!(
            pt.status,
            PetitionStatus::FollowedUp | PetitionStatus::Closed
        )
        && ctx.me.as_ref().is_some_and(|m| {
            m.permissions
                .contains(&shared::auth::Capability::WritePetitions)
        });
    if !can_open {
        return html! {};
    }
    let onsubmit = {
        let (fh, category, deadline, onopened) = (
            fh.clone(),
            category.clone(),
            deadline.clone(),
            p.onopened.clone(),
        );
        let (id, version) = (pt.id, pt.version);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut errs = Vec::new();
            let cat = category.parse::<ProblemCategory>().ok();
            if cat.is_none() {
                errs.push(FieldError::new("category", "required", ""));
            }
            let due = parse_date(&deadline);
            if due.is_none() {
                errs.push(FieldError::new("deadline", "invalid_date", ""));
            }
            let (Some(category), Some(deadline)) = (cat, due) else {
                fh.reject(errs);
                return;
            };
            let body = PetitionRectificationInput {
                version,
                category,
                deadline,
                description: None,
            };
            let onopened = onopened.clone();
            fh.submit(
                move |_| async move {
                    crate::api::petitions::open_rectification(id, &body)
                        .await
                        .map_err(Failure::Api)
                },
                move |updated: Petition| {
                    onopened.emit(updated);
                    focus_id("petition-rectification");
                },
            );
        })
    };
    html! {
        <form class="actions-box" id="petition-rectify" onsubmit={onsubmit} novalidate=true>
            <h2>{ ctx.t("petition.rectify_title") }</h2>
            { fh.banner(lang, "petition-rectify-banner") }
            <SelectField id="rectify-category" label={ctx.t("petition.rectify_category")} value={(*category).clone()} required=true
                options={options(ProblemCategory::ALL, "rc_category", lang, Some("form.choose"))} onchange={fh.bind(&category, "category")} error={fh.error("category", lang)} />
            <TextField id="rectify-deadline" kind="date" label={ctx.t("petition.rectify_deadline")} value={(*deadline).clone()}
                oninput={fh.bind(&deadline, "deadline")} error={fh.error("deadline", lang)} required=true />
            <div class="buttons">
                <button type="submit" class="primary" id="rectify-save" disabled={fh.busy()}>{ ctx.t("petition.rectify_open") }</button>
            </div>
        </form>
    }
}

/// Props of a step's form.
#[derive(Properties, PartialEq)]
struct StepProps {
    action: PetitionActionKind,
    petition: Petition,
    form: UseForm,
    onact: Callback<PetitionAction>,
    oncancel: Callback<()>,
}

/// The form of one step. Its first field has the id `step-{action}-first`.
#[function_component(StepForm)]
fn step_form(p: &StepProps) -> Html {
    let ctx = use_context::<Ctx>();
    let a = p.action;
    let date = use_state(|| ymd(crate::clock::today()));
    let text = use_state(String::new); // reply, follow-up
    let note = use_state(String::new);
    let unit = use_state(|| p.petition.county_code.clone());
    let satisfaction = use_state(String::new);
    let unresolved = use_state(|| false);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let fh = &p.form;
    let first = format!("step-{a}-first");
    let err = |f: &str| fh.error(f, lang);
    let set = |s: &UseStateHandle<String>, f: &'static str| fh.bind(s, f);
    let version = p.petition.version;
    use PetitionActionKind as A;
    let body = || -> Result<PetitionAction, Vec<FieldError>> {
        let mut errs = Vec::new();
        let on = parse_date(&date);
        if on.is_none() {
            errs.push(FieldError::new("on", "invalid_date", ""));
        }
        let some = |s: &str| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_owned())
        };
        let mut b = PetitionAction {
            action: a,
            version: Some(version),
            on,
            assigned_unit: None,
            reply: None,
            follow_up: None,
            satisfaction: None,
            unresolved: None,
            note: some(&note),
        };
        match a {
            A::Assign => b.assigned_unit = some(&unit),
            A::Reply => b.reply = some(&text),
            A::FollowUp => {
                b.follow_up = some(&text);
                b.satisfaction = satisfaction.parse::<Satisfaction>().ok();
                b.unresolved = Some(*unresolved);
            }
            _ => {}
        }
        let need = |errs: &mut Vec<FieldError>, ok: bool, f: &str| {
            if !ok {
                errs.push(FieldError::new(f, "required", ""));
            }
        };
        match a {
            A::Assign => need(&mut errs, b.assigned_unit.is_some(), "assigned_unit"),
            A::Reply => need(&mut errs, b.reply.is_some(), "reply"),
            A::FollowUp => {
                need(&mut errs, b.follow_up.is_some(), "follow_up");
                need(&mut errs, b.satisfaction.is_some(), "satisfaction");
            }
            A::Redirect | A::Reopen => need(&mut errs, b.note.is_some(), "note"),
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
    let title = ctx.t(&format!("petition_action.{a}"));
    let text_first = matches!(a, A::Reply | A::FollowUp);
    let note_first = matches!(a, A::Redirect | A::Reopen);
    let date_id = if text_first || note_first || a == A::Assign {
        "step-date".to_owned()
    } else {
        first.clone()
    };
    let note_label = match a {
        A::Redirect => "petition.redirect_to",
        A::Reopen => "petition.reopen_reason",
        _ => "petition.note",
    };
    html! {
        <form id={format!("step-{a}")} class="step" onsubmit={onsubmit} novalidate=true aria-label={title.clone()}>
            <h3>{ title.clone() }</h3>
            if a == A::Assign {
                <TextField id={first.clone()} label={ctx.t("petition.assigned_unit_code")} value={(*unit).clone()} oninput={set(&unit, "assigned_unit")} error={err("assigned_unit")} required=true />
            }
            if a == A::Reply {
                <TextField id={first.clone()} multiline=true label={ctx.t("petition.reply")} value={(*text).clone()} oninput={set(&text, "reply")} error={err("reply")} required=true />
            }
            if a == A::FollowUp {
                <TextField id={first.clone()} multiline=true label={ctx.t("petition.follow_up")} value={(*text).clone()} oninput={set(&text, "follow_up")} error={err("follow_up")} required=true />
                <SelectField id="step-satisfaction" label={ctx.t("petition.satisfaction")} value={(*satisfaction).clone()} required=true
                    options={options(Satisfaction::ALL, "rf_satisfaction", lang, Some("form.choose"))} onchange={set(&satisfaction, "satisfaction")} error={err("satisfaction")} />
                <CheckField id="step-unresolved" label={ctx.t("petition.unresolved")} checked={*unresolved}
                    onchange={let u = unresolved.clone(); Callback::from(move |v: bool| u.set(v))} />
            }
            <TextField id={if note_first { first.clone() } else { "step-note".to_owned() }} multiline=true label={ctx.t(note_label)} value={(*note).clone()} oninput={set(&note, "note")} error={err("note")} required={note_first} />
            <TextField id={date_id} kind="date" label={ctx.t("petition.on")} value={(*date).clone()} oninput={set(&date, "on")} error={err("on")} required=true />
            <div class="buttons">
                <button type="submit" class="primary" id={format!("step-{a}-save")} disabled={fh.busy()}>{ title }</button>
                <button type="button" onclick={let c = p.oncancel.clone(); Callback::from(move |_| c.emit(()))}>{ ctx.t("petition.cancel") }</button>
            </div>
        </form>
    }
}
