//! One placement: where it stands, its terms, the steps this user may take now
//! (`allowed_actions`, from the server, which reads the same workflow table it
//! authorises with), its history, and for home-based care the service logs with a form
//! to record a visit. Approving asks first; the other steps open a small form (the day
//! it takes effect; the reason to end; the new provider and mode of a transfer). A step
//! refused as stale reloads the placement.

use shared::care::{
    CareAssessmentCreate, CareAssessmentInput, CareMode, CarerSituation, EndReason, Funder,
    Placement, PlacementAction, PlacementActionKind, PlacementTransfer, SelfCareLevel, ServiceLog,
    ServiceLogInput,
};
use shared::money::format_hundredths;
use shared::FieldError;
use uuid::Uuid;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::confirm::ConfirmButton;
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::{use_form, Failure, UseForm};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::pages::rehab::{focus_id, options, parse_date, ymd};

/// Props: the placement's id.
#[derive(Properties, PartialEq)]
pub struct PlacementProps {
    /// Placement id.
    pub id: String,
}

/// A step with nothing but the step itself.
fn bare(action: PlacementActionKind, version: i64) -> PlacementAction {
    PlacementAction {
        action,
        version: Some(version),
        on: None,
        end_reason: None,
        assessment_id: None,
        note: None,
    }
}

/// What a step form sends: a step, or a transfer.
#[derive(Clone, PartialEq)]
enum StepBody {
    Step(PlacementAction),
    Transfer(PlacementTransfer),
    /// Assess: record this assessment, then take the step with it.
    Assess(CareAssessmentInput, i64),
}

/// The placement page.
#[function_component(PlacementPage)]
pub fn placement_page(p: &PlacementProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("care.title")).unwrap_or_default());
    let placement = use_remote(p.id.clone(), |id: String| async move {
        crate::api::care::placement(&id).await
    });
    let units = crate::hooks::units::use_units();
    let navigator = use_navigator();
    let fh = use_form("placement-step");
    let open = use_state(|| None::<PlacementActionKind>);
    let done = use_state(|| None::<PlacementActionKind>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(pl) = placement.ready().cloned() else {
        return html! { <section class="card">{ placement.placeholder(lang, Some("care.not_found")) }</section> };
    };
    let act = {
        let (placement, fh, open, done) =
            (placement.clone(), fh.clone(), open.clone(), done.clone());
        let id = pl.id;
        Callback::from(move |send: StepBody| {
            let (placement, stale, open, done, navigator) = (
                placement.clone(),
                placement.clone(),
                open.clone(),
                done.clone(),
                navigator.clone(),
            );
            let action = match &send {
                StepBody::Step(s) => s.action,
                StepBody::Transfer(_) => PlacementActionKind::Transfer,
                StepBody::Assess(..) => PlacementActionKind::Assess,
            };
            fh.submit(
                move |client_id| async move {
                    let result = match send {
                        StepBody::Step(body) => crate::api::care::act(id, &body).await,
                        StepBody::Transfer(mut body) => {
                            body.new_id = Some(client_id);
                            crate::api::care::transfer(id, &body).await
                        }
                        StepBody::Assess(fields, version) => {
                            let a = crate::api::care::create_assessment(&CareAssessmentCreate {
                                id: Some(client_id),
                                fields,
                            })
                            .await?;
                            let mut body = bare(PlacementActionKind::Assess, version);
                            body.assessment_id = Some(a.id);
                            crate::api::care::act(id, &body).await
                        }
                    };
                    result.map_err(|e| {
                        if e.code() == "stale_version" {
                            stale.reload();
                        }
                        Failure::Api(e)
                    })
                },
                move |updated: Placement| {
                    open.set(None);
                    done.set(Some(action));
                    if action == PlacementActionKind::Transfer {
                        // The new placement continues the care.
                        if let Some(n) = navigator {
                            n.push(&Route::CarePlacement {
                                id: updated.id.to_string(),
                            });
                        }
                        placement.reload();
                    } else {
                        placement.set(updated);
                    }
                    focus_id("placement-done");
                },
            );
        })
    };
    let version = pl.version;
    let facts = |k: &str, v: String| html! { <><dt>{ ctx.t(k) }</dt><dd>{ v }</dd></> };
    let f = &pl.fields;
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::CarePlacements}>{ ctx.t("care.title") }</Link<Route>>{" › "}
                <span aria-current="page">{ &pl.person_name }</span>
            </nav>
            <h1>{ format!("{} · {}", pl.person_name, ctx.t(&format!("care_mode.{}", f.mode))) }</h1>
            <dl class="facts" id="placement-facts">
                <dt>{ ctx.t("care.status") }</dt><dd id="placement-status">{ ctx.t(&format!("placement.{}", pl.status)) }</dd>
                if let Some(r) = pl.end_reason { { facts("care.end_reason", ctx.t(&format!("end_reason.{r}"))) } }
                { facts("care.provider", pl.provider_name.clone()) }
                { facts("care.mode", ctx.t(&format!("care_mode.{}", f.mode))) }
                { facts("care.area", units.name(&pl.county_code, lang)) }
                { facts("care.start_on", ymd(f.start_on)) }
                if let Some(d) = f.end_on { { facts("care.end_on", ymd(d)) } }
                { facts("care.subsidy_yuan", format_hundredths(f.monthly_subsidy_fen)) }
                { facts("care.funder", ctx.t(&format!("funder.{}", f.funder))) }
                if let Some(from) = pl.transferred_from {
                    <dt>{ ctx.t("care.transferred_from") }</dt>
                    <dd><Link<Route> to={Route::CarePlacement { id: from.to_string() }}>{ ctx.t("care.earlier") }</Link<Route>></dd>
                }
                if let Some(to) = pl.transferred_to {
                    <dt>{ ctx.t("care.transferred_to") }</dt>
                    <dd><Link<Route> to={Route::CarePlacement { id: to.to_string() }}>{ ctx.t("care.later") }</Link<Route>></dd>
                }
            </dl>
            if let Some(a) = *done {
                <p class="notice" role="status" id="placement-done" tabindex="-1">{ format!("{}: {}", ctx.t(&format!("care_action.{a}")), ctx.t("care.done")) }</p>
            }
            if !pl.allowed_actions.is_empty() {
                <div class="actions-box" id="placement-actions">
                    <h2>{ ctx.t("care.actions") }</h2>
                    { fh.banner(lang, "placement-step-banner") }
                    <p class="actions">
                        { for pl.allowed_actions.iter().map(|a| {
                            let a = *a;
                            let label = ctx.t(&format!("care_action.{a}"));
                            if a == PlacementActionKind::Approve {
                                let act = act.clone();
                                html! { <ConfirmButton id={format!("placement-{a}")} class="primary" label={label}
                                    question={ctx.t("care.confirm_approve")} disabled={fh.busy()}
                                    onconfirm={Callback::from(move |()| act.emit(StepBody::Step(bare(a, version))))} /> }
                            } else {
                                let open = open.clone();
                                let pressed = if *open == Some(a) { "true" } else { "false" };
                                html! { <button type="button" id={format!("placement-{a}")} aria-expanded={pressed}
                                    class={if a == PlacementActionKind::End { "danger" } else { "" }}
                                    onclick={Callback::from(move |_| { open.set(Some(a)); focus_id(format!("step-{a}-first")); })}>{ label }</button> }
                            }
                        }) }
                    </p>
                    if let Some(a) = *open {
                        if pl.allowed_actions.contains(&a) {
                            <StepForm key={a.to_string()} action={a} placement={pl.clone()} form={fh.clone()} onact={act.clone()}
                                oncancel={let open = open.clone(); Callback::from(move |()| open.set(None))} />
                        }
                    }
                </div>
            }
            if f.mode == CareMode::HomeBased {
                <Logs placement={pl.clone()} />
            }
            <crate::pages::audit::RecordAuditLink id={pl.id.to_string()} />
            <h2>{ ctx.t("care.timeline") }</h2>
            <ol class="timeline" id="placement-timeline">
                { for pl.timeline.iter().map(|e| html! {
                    <li>
                        <strong>{ ctx.t(&format!("placement.{}", e.to_status)) }</strong>
                        { format!(" · {} · {}", ymd(e.on), e.actor_username) }
                        if let Some(n) = &e.note { { format!(" · {}", note_text(n, &ctx)) } }
                    </li>
                }) }
            </ol>
        </section>
    }
}

/// A timeline note: an end reason's code is shown in words.
fn note_text(note: &str, ctx: &Ctx) -> String {
    let (code, rest) = note.split_once(": ").unwrap_or((note, ""));
    match code.parse::<EndReason>() {
        Ok(r) if rest.is_empty() => ctx.t(&format!("end_reason.{r}")),
        Ok(r) => format!("{}: {rest}", ctx.t(&format!("end_reason.{r}"))),
        Err(_) => note.to_owned(),
    }
}

/// Props of a step's form.
#[derive(Properties, PartialEq)]
struct StepProps {
    action: PlacementActionKind,
    placement: Placement,
    form: UseForm,
    onact: Callback<StepBody>,
    oncancel: Callback<()>,
}

/// The form of one step. Its first field has the id `step-{action}-first`.
#[function_component(StepForm)]
fn step_form(p: &StepProps) -> Html {
    let ctx = use_context::<Ctx>();
    let a = p.action;
    let default_day = if a == PlacementActionKind::Activate {
        ymd(p.placement.fields.start_on)
    } else {
        ymd(crate::clock::today())
    };
    let date = use_state(|| default_day);
    let choice = use_state(String::new); // end reason, self-care level
    let second = use_state(String::new); // carer situation
    let provider = use_state(String::new);
    let mode = use_state(String::new);
    let subsidy = use_state(|| format_hundredths(p.placement.fields.monthly_subsidy_fen));
    let funder = use_state(|| p.placement.fields.funder.to_string());
    let text = use_state(String::new); // note, assessor
    let providers = use_remote(
        a == PlacementActionKind::Transfer,
        |want: bool| async move {
            if want {
                crate::api::care::active_providers().await
            } else {
                Ok(Vec::new())
            }
        },
    );
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let fh = &p.form;
    let first = format!("step-{a}-first");
    let err = |f: &str| fh.error(f, lang);
    let set = |s: &UseStateHandle<String>, f: &'static str| fh.bind(s, f);
    let version = p.placement.version;
    let body = || -> Result<StepBody, Vec<FieldError>> {
        let mut errs = Vec::new();
        let day = parse_date(&date);
        if day.is_none() {
            errs.push(FieldError::new("on", "invalid_date", ""));
        }
        let note = (!text.trim().is_empty()).then(|| text.trim().to_owned());
        let send = match a {
            PlacementActionKind::Transfer => {
                let provider_id = provider.parse::<Uuid>().ok();
                if provider_id.is_none() {
                    errs.push(FieldError::new("provider_id", "required", ""));
                }
                let m = mode.parse::<CareMode>().ok();
                if m.is_none() {
                    errs.push(FieldError::new("mode", "required", ""));
                }
                let fen = super::yuan_to_fen(&subsidy);
                if fen.is_none() {
                    errs.push(FieldError::new("monthly_subsidy_fen", "invalid_amount", ""));
                }
                let fu = funder.parse::<Funder>().ok();
                if fu.is_none() {
                    errs.push(FieldError::new("funder", "required", ""));
                }
                match (day, provider_id, m, fen, fu) {
                    (Some(on), Some(provider_id), Some(mode), Some(fen), Some(funder)) => {
                        Some(StepBody::Transfer(PlacementTransfer {
                            version: Some(version),
                            new_id: None,
                            on,
                            provider_id,
                            mode,
                            monthly_subsidy_fen: fen,
                            funder,
                            note,
                        }))
                    }
                    _ => None,
                }
            }
            PlacementActionKind::Assess => {
                let level = choice.parse::<SelfCareLevel>().ok();
                if level.is_none() {
                    errs.push(FieldError::new("assessment.self_care", "required", ""));
                }
                let carer = second.parse::<CarerSituation>().ok();
                if carer.is_none() {
                    errs.push(FieldError::new("assessment.carer", "required", ""));
                }
                if text.trim().is_empty() {
                    errs.push(FieldError::new("assessment.assessor", "required", ""));
                }
                match (day, level, carer) {
                    (Some(assessed_on), Some(self_care), Some(carer)) => Some(StepBody::Assess(
                        CareAssessmentInput {
                            person_id: p.placement.fields.person_id,
                            assessed_on,
                            assessor: text.trim().to_owned(),
                            self_care,
                            carer,
                            preferred_mode: p.placement.fields.mode,
                            note: None,
                        },
                        version,
                    )),
                    _ => None,
                }
            }
            _ => {
                let mut b = bare(a, version);
                b.on = day;
                b.note = note;
                if a == PlacementActionKind::End {
                    b.end_reason = choice.parse::<EndReason>().ok();
                    if b.end_reason.is_none() {
                        errs.push(FieldError::new("end_reason", "required", ""));
                    }
                }
                Some(StepBody::Step(b))
            }
        };
        match send {
            Some(s) if errs.is_empty() => Ok(s),
            _ => Err(errs),
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
    let title = ctx.t(&format!("care_action.{a}"));
    let date_label = match a {
        PlacementActionKind::Assess => "care.assessed_on",
        PlacementActionKind::Activate => "care.first_day",
        _ => "care.on",
    };
    let reasons: Vec<EndReason> = EndReason::ALL
        .iter()
        .copied()
        .filter(|r| *r != EndReason::Transferred)
        .collect();
    let provider_opts: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("form.choose")))
            .chain(
                providers
                    .ready()
                    .into_iter()
                    .flatten()
                    .map(|p| (p.id.to_string(), p.fields.name.clone())),
            )
            .collect();
    let date_id = if a == PlacementActionKind::Assess || a == PlacementActionKind::End {
        "step-date".to_owned()
    } else {
        first.clone()
    };
    html! {
        <form id={format!("step-{a}")} class="step" onsubmit={onsubmit} novalidate=true aria-label={title.clone()}>
            <h3>{ title.clone() }</h3>
            if a == PlacementActionKind::End {
                <SelectField id={first.clone()} label={ctx.t("care.end_reason")} value={(*choice).clone()} required=true
                    options={options(&reasons, "end_reason", lang, Some("form.choose"))} onchange={set(&choice, "end_reason")} error={err("end_reason")} />
            }
            if a == PlacementActionKind::Assess {
                <SelectField id={first.clone()} label={ctx.t("care.self_care")} value={(*choice).clone()} required=true
                    options={options(SelfCareLevel::ALL, "self_care", lang, Some("form.choose"))} onchange={set(&choice, "assessment.self_care")} error={err("assessment.self_care")} />
                <SelectField id="step-carer" label={ctx.t("care.carer")} value={(*second).clone()} required=true
                    options={options(CarerSituation::ALL, "carer", lang, Some("form.choose"))} onchange={set(&second, "assessment.carer")} error={err("assessment.carer")} />
                <TextField id="step-assessor" label={ctx.t("care.assessor")} value={(*text).clone()} oninput={set(&text, "assessment.assessor")} error={err("assessment.assessor").or_else(|| err("assessor"))} required=true />
            }
            <TextField id={date_id} kind="date" label={ctx.t(date_label)} value={(*date).clone()} oninput={set(&date, "on")}
                error={err("on").or_else(|| err("assessed_on"))} required=true />
            if a == PlacementActionKind::Transfer {
                <SelectField id="step-provider" label={ctx.t("care.provider")} value={(*provider).clone()} required=true
                    options={provider_opts} onchange={set(&provider, "provider_id")} error={err("provider_id")} />
                <SelectField id="step-mode" label={ctx.t("care.mode")} value={(*mode).clone()} required=true
                    options={options(CareMode::ALL, "care_mode", lang, Some("form.choose"))} onchange={set(&mode, "mode")} error={err("mode")} />
                <TextField id="step-subsidy" label={ctx.t("care.subsidy_yuan")} value={(*subsidy).clone()} oninput={set(&subsidy, "monthly_subsidy_fen")} error={err("monthly_subsidy_fen")} required=true inputmode={Some(AttrValue::Static("decimal"))} />
                <SelectField id="step-funder" label={ctx.t("care.funder")} value={(*funder).clone()} required=true
                    options={options(Funder::ALL, "funder", lang, Some("form.choose"))} onchange={set(&funder, "funder")} error={err("funder")} />
            }
            if a != PlacementActionKind::Assess {
                <TextField id="step-note" label={ctx.t("care.note")} value={(*text).clone()} oninput={set(&text, "note")} error={err("note")} multiline=true />
            }
            if let Some(e) = err("assessment_id") {
                <p class="error" id="step-assessment-error">{ e }</p>
            }
            <div class="buttons">
                <button type="submit" class={if a == PlacementActionKind::End { "danger" } else { "primary" }} id={format!("step-{a}-save")} disabled={fh.busy()}>{ title.clone() }</button>
                <button type="button" id={format!("step-{a}-cancel")} onclick={p.oncancel.reform(|_| ())}>{ ctx.t("dev.cancel") }</button>
            </div>
        </form>
    }
}

/// Props of the service logs.
#[derive(Properties, PartialEq)]
struct LogsProps {
    placement: Placement,
}

/// The visits of home-based care, newest first, and (for county care staff, once the
/// placement was in force) a form to record one.
#[function_component(Logs)]
fn logs(p: &LogsProps) -> Html {
    let ctx = use_context::<Ctx>();
    let id = p.placement.id;
    let logs = use_remote(
        id,
        |id: Uuid| async move { crate::api::care::logs(id).await },
    );
    let fh = use_form("log-form");
    let date = use_state(|| ymd(crate::clock::today()));
    let hours = use_state(|| "2".to_owned());
    let tasks = use_state(String::new);
    let carer = use_state(String::new);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| fh.error(f, lang);
    let set = |s: &UseStateHandle<String>, f: &'static str| fh.bind(s, f);
    let may_log = super::county_writer(&ctx)
        && matches!(
            p.placement.status,
            shared::care::PlacementStatus::Active | shared::care::PlacementStatus::Suspended
        );
    let input = || -> Result<ServiceLogInput, Vec<FieldError>> {
        let mut errs = Vec::new();
        let day = parse_date(&date);
        if day.is_none() {
            errs.push(FieldError::new("served_on", "invalid_date", ""));
        }
        let h = hours.trim().parse::<i32>().ok();
        if h.is_none() {
            errs.push(FieldError::new("hours", "invalid_number", ""));
        }
        if tasks.trim().is_empty() {
            errs.push(FieldError::new("tasks", "required", ""));
        }
        if carer.trim().is_empty() {
            errs.push(FieldError::new("carer", "required", ""));
        }
        match (day, h) {
            (Some(served_on), Some(hours)) if errs.is_empty() => Ok(ServiceLogInput {
                id: None,
                served_on,
                hours,
                tasks: tasks.trim().to_owned(),
                carer: carer.trim().to_owned(),
            }),
            _ => Err(errs),
        }
    };
    let onsubmit = {
        let (fh, fields, logs, tasks) = (fh.clone(), input(), logs.clone(), tasks.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut body = match fields.clone() {
                Ok(b) => b,
                Err(errs) => return fh.reject(errs),
            };
            let (logs, tasks) = (logs.clone(), tasks.clone());
            fh.submit(
                move |client_id| async move {
                    body.id = Some(client_id);
                    Ok(crate::api::care::add_log(id, &body).await?)
                },
                move |_: ServiceLog| {
                    tasks.set(String::new());
                    logs.reload();
                    focus_id("logs-title");
                },
            );
        })
    };
    html! {
        <section id="placement-logs" aria-labelledby="logs-title">
            <h2 id="logs-title" tabindex="-1">{ ctx.t("care.logs") }</h2>
            if may_log {
                <form id="log-form" class="step" onsubmit={onsubmit} novalidate=true aria-label={ctx.t("care.log_new")}>
                    { fh.banner(lang, "log-banner") }
                    <TextField id="log-date" kind="date" label={ctx.t("care.served_on")} value={(*date).clone()} oninput={set(&date, "served_on")} error={err("served_on")} required=true />
                    <TextField id="log-hours" kind="number" label={ctx.t("care.hours")} value={(*hours).clone()} oninput={set(&hours, "hours")} error={err("hours")} required=true inputmode={Some(AttrValue::Static("numeric"))} />
                    <TextField id="log-tasks" label={ctx.t("care.tasks")} value={(*tasks).clone()} oninput={set(&tasks, "tasks")} error={err("tasks")} required=true />
                    <TextField id="log-carer" label={ctx.t("care.carer_name")} value={(*carer).clone()} oninput={set(&carer, "carer")} error={err("carer")} required=true />
                    <div class="buttons">
                        <button type="submit" class="primary" id="log-save" disabled={fh.busy()}>{ ctx.t("care.log_new") }</button>
                    </div>
                </form>
            }
            { match logs.ready() {
                None => logs.placeholder(lang, None),
                Some(list) if list.is_empty() => html! { <p id="logs-none">{ ctx.t("care.no_logs") }</p> },
                Some(list) => html! {
                    <ul class="timeline" id="logs">
                        { for list.iter().map(|l| html! {
                            <li>
                                <strong>{ ymd(l.served_on) }</strong>
                                { format!(" · {} {} · {} · {}", l.hours, ctx.t("care.hours_unit"), l.tasks, l.carer) }
                            </li>
                        }) }
                    </ul>
                },
            } }
        </section>
    }
}
