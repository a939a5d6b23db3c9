//! One need: where it stands, its assessment, fittings with the subsidy calculation and
//! follow-ups, the timeline, and the steps this user may take now (`allowed_actions`,
//! from the server, which reads the same workflow table it authorises with). Steps that
//! need details open their form; approving a plan and closing ask first. A step refused
//! as stale (someone else acted first) reloads the need and says so.

use chrono::Datelike;
use shared::attachments::{AttachmentMeta, OwnerKind};
use shared::money::{format_hundredths, parse_yuan};
use shared::rehab::{
    compute_fitting, AcceptanceInput, AcceptedBy, Assessment, AssessmentResult, DeviceItem,
    FittingCalc, FittingInput, FollowUpInput, FollowUpResult, Need, NeedAction, NeedActionKind,
    Side,
};
use shared::FieldError;
use uuid::Uuid;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{options, parse_date, ymd};
use crate::app::{Ctx, Route};
use crate::components::confirm::ConfirmButton;
use crate::components::field::{SelectField, TextField};
use crate::components::photo::PhotoUpload;
use crate::hooks::form::{use_form, Failure, UseForm};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::i18n::Lang;

/// Props: the need's id.
#[derive(Properties, PartialEq)]
pub struct NeedProps {
    /// Need id.
    pub id: String,
}

/// Steps taken with a confirmation only (no details to fill in).
fn confirm_only(a: NeedActionKind) -> bool {
    matches!(a, NeedActionKind::ApprovePlan | NeedActionKind::Close)
}

/// A step with nothing but the step itself.
fn bare(action: NeedActionKind, version: i64) -> NeedAction {
    NeedAction {
        action,
        version,
        reason: None,
        assessment: None,
        fitting: None,
        acceptance: None,
        follow_up: None,
        evidence_id: None,
    }
}

/// The cap per unit of `item` for the year of `delivered_on`.
fn cap_for(item: &DeviceItem, delivered_on: chrono::NaiveDate) -> Option<i64> {
    item.caps
        .iter()
        .find(|c| c.year == delivered_on.year())
        .map(|c| c.cap_fen)
}

/// A fitting's calculation in one line.
fn calc_text(c: &FittingCalc, lang: Lang) -> String {
    format!(
        "{} {} · {} {} · {} {} · {} {}",
        lang.t("fit.total"),
        format_hundredths(c.total_fen),
        lang.t("fit.max_subsidy"),
        format_hundredths(c.max_subsidy_fen),
        lang.t("fit.subsidy"),
        format_hundredths(c.subsidy_fen),
        lang.t("fit.self_pay"),
        format_hundredths(c.self_pay_fen),
    )
}

/// The need page.
#[function_component(NeedPage)]
pub fn need_page(p: &NeedProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("rehab.title")).unwrap_or_default());
    let need = use_remote(p.id.clone(), |id: String| async move {
        crate::api::rehab::need(&id).await
    });
    // The device, for the cap of the live subsidy.
    let item_id = need.ready().and_then(|n| n.fields.item_id);
    let item = use_remote(item_id, |id: Option<Uuid>| async move {
        match id {
            Some(id) => crate::api::rehab::device(id).await.map(Some),
            None => Ok(None),
        }
    });
    let units = crate::hooks::units::use_units();
    let fh = use_form("need-step");
    let open = use_state(|| None::<NeedActionKind>);
    let done = use_state(|| None::<NeedActionKind>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(n) = need.ready().cloned() else {
        return html! { <section class="card">{ need.placeholder(lang, Some("rehab.not_found")) }</section> };
    };
    // Takes a step: the answer replaces the need; a stale version reloads it.
    let act = {
        let (need, fh, open, done) = (need.clone(), fh.clone(), open.clone(), done.clone());
        let id = n.id;
        Callback::from(move |body: NeedAction| {
            let (need, stale, open, done) =
                (need.clone(), need.clone(), open.clone(), done.clone());
            let action = body.action;
            fh.submit(
                move |_| async move {
                    match crate::api::rehab::act(id, &body).await {
                        Ok(n) => Ok(n),
                        Err(e) => {
                            if e.code() == "stale_version" {
                                // Someone else acted first: show where it stands now.
                                stale.reload();
                            }
                            Err(Failure::Api(e))
                        }
                    }
                },
                move |updated: Need| {
                    open.set(None);
                    done.set(Some(action));
                    need.set(updated);
                    super::focus_id("need-done");
                },
            );
        })
    };
    let allowed = n.allowed_actions.clone();
    let version = n.version;
    let facts = |k: &str, v: String| html! { <><dt>{ ctx.t(k) }</dt><dd>{ v }</dd></> };
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::RehabNeeds}>{ ctx.t("rehab.title") }</Link<Route>>{" › "}
                <Link<Route> to={Route::PersonRehab { id: n.fields.person_id.to_string() }}>{ &n.person_name }</Link<Route>>{" › "}
                <span aria-current="page">{ super::person::need_label(&n, &ctx) }</span>
            </nav>
            <h1>{ format!("{} · {}", n.person_name, super::person::need_label(&n, &ctx)) }</h1>
            <dl class="facts" id="need-facts">
                <dt>{ ctx.t("rehab.status") }</dt><dd id="need-status">{ ctx.t(&format!("need.{}", n.status)) }</dd>
                { facts("rehab.kind", ctx.t(&format!("need_kind.{}", n.fields.kind))) }
                { facts("rehab.project", ctx.t(&format!("project.{}", n.fields.project))) }
                if let Some(item) = &n.item_name { { facts("rehab.item", item.clone()) } }
                { facts("rehab.county", units.name(&n.county_code, lang)) }
                { facts("rehab.source", ctx.t(&format!("source.{}", n.fields.source))) }
                { facts("rehab.identified_on", ymd(n.fields.identified_on)) }
                if let Some(note) = &n.fields.note { { facts("rehab.note", note.clone()) } }
                if let Some(due) = n.follow_up_due {
                    <dt>{ ctx.t("rehab.follow_up_due") }</dt><dd id="need-follow-up-due">{ ymd(due) }</dd>
                }
                if let Some(by) = n.superseded_by {
                    <dt>{ ctx.t("rehab.superseded_by") }</dt>
                    <dd><Link<Route> to={Route::RehabNeed { id: by.to_string() }}>{ ctx.t("rehab.superseded_by") }</Link<Route>></dd>
                }
            </dl>
            if let Some(a) = &n.assessment {
                <h2>{ ctx.t("rehab.assessment") }</h2>
                <dl class="facts" id="need-assessment">
                    { facts("rehab.result", ctx.t(&format!("result.{}", a.result))) }
                    { facts("rehab.assessed_on", ymd(a.assessed_on)) }
                    { facts("rehab.assessor", a.assessor.clone()) }
                    if a.evidence_id.is_some() { { facts("rehab.evidence", ctx.t("rehab.evidence_kept")) } }
                </dl>
            }
            if let Some(a) = *done {
                <p class="notice" role="status" id="need-done" tabindex="-1">{ format!("{}: {}", ctx.t(&format!("need_action.{a}")), ctx.t("rehab.done")) }</p>
            }
            if !allowed.is_empty() {
                <div class="actions-box" id="need-actions">
                    <h2>{ ctx.t("rehab.actions") }</h2>
                    { fh.banner(lang, "need-banner") }
                    <p class="actions">
                        { for allowed.iter().map(|a| {
                            let a = *a;
                            let label = ctx.t(&format!("need_action.{a}"));
                            if confirm_only(a) {
                                let act = act.clone();
                                html! { <ConfirmButton id={format!("need-{a}")} class={if a == NeedActionKind::ApprovePlan { "primary" } else { "" }} label={label}
                                    question={ctx.t(&format!("confirm.need.{a}"))} disabled={fh.busy()}
                                    onconfirm={Callback::from(move |()| act.emit(bare(a, version)))} /> }
                            } else {
                                let open = open.clone();
                                let pressed = if *open == Some(a) { "true" } else { "false" };
                                html! { <button type="button" id={format!("need-{a}")} aria-expanded={pressed}
                                    class={if matches!(a, NeedActionKind::Refuse | NeedActionKind::Withdraw) { "danger" } else { "" }}
                                    onclick={Callback::from(move |_| { open.set(Some(a)); super::focus_id(format!("step-{a}-first")); })}>{ label }</button> }
                            }
                        }) }
                    </p>
                    if let Some(a) = *open {
                        if allowed.contains(&a) {
                            <StepForm key={a.to_string()} action={a} need={n.clone()} item={item.ready().cloned().flatten()} form={fh.clone()} onact={act.clone()}
                                oncancel={let open = open.clone(); Callback::from(move |()| open.set(None))} />
                        }
                    }
                </div>
            }
            <h2>{ ctx.t("rehab.fittings") }</h2>
            if n.fittings.is_empty() {
                <p>{ ctx.t("rehab.no_fittings") }</p>
            }
            { for n.fittings.iter().enumerate().map(|(i, f)| html! {
                <section class="fitting" id={format!("fitting-{i}")} aria-labelledby={format!("fitting-{i}-title")}>
                    <h3 id={format!("fitting-{i}-title")}>{ format!("{} · {}", f.item_name, ymd(f.delivered_on)) }
                        if f.replaced { <span class="badge">{ ctx.t("fit.replaced") }</span> }
                    </h3>
                    <dl class="facts">
                        { facts("fit.provider", f.provider.clone()) }
                        { facts("fit.quantity", f.quantity.to_string()) }
                        { facts("fit.side", ctx.t(&format!("side.{}", f.side))) }
                        { facts("fit.unit_price", format_hundredths(f.unit_price_fen)) }
                        { facts("fit.cap", format_hundredths(f.cap_fen)) }
                        { facts("fit.total", format_hundredths(f.calculation.total_fen)) }
                        { facts("fit.max_subsidy", format_hundredths(f.calculation.max_subsidy_fen)) }
                        { facts("fit.subsidy", format_hundredths(f.calculation.subsidy_fen)) }
                        { facts("fit.self_pay", format_hundredths(f.calculation.self_pay_fen)) }
                        { facts("fit.service_until", ymd(f.service_until)) }
                        if let Some(d) = f.accepted_on { { facts("accept.on", ymd(d)) } }
                        if let Some(b) = f.accepted_by { { facts("accept.by", ctx.t(&format!("accepted_by.{b}"))) } }
                        if let Some(g) = &f.guardian_name { { facts("accept.guardian_name", g.clone()) } }
                        if f.evidence_id.is_some() { { facts("accept.photo", ctx.t("rehab.evidence_kept")) } }
                    </dl>
                    <h4>{ ctx.t("rehab.follow_ups") }</h4>
                    if f.follow_ups.is_empty() {
                        <p>{ ctx.t("rehab.no_follow_ups") }</p>
                    }
                    <ul class="timeline">
                        { for f.follow_ups.iter().map(|v| html! {
                            <li>
                                <strong>{ ctx.t(&format!("fu.{}", v.result)) }</strong>
                                { format!(" · {} · {}", ymd(v.on), v.by) }
                                if let Some(note) = &v.note { { format!(" · {note}") } }
                            </li>
                        }) }
                    </ul>
                </section>
            }) }
            <crate::pages::audit::RecordAuditLink id={n.id.to_string()} />
            <h2>{ ctx.t("rehab.timeline") }</h2>
            <ol class="timeline" id="need-timeline">
                { for n.timeline.iter().map(|e| html! {
                    <li>
                        <strong>{ ctx.t(&format!("need.{}", e.to_status)) }</strong>
                        { format!(" · {} · {}", e.actor_username, crate::pages::rehab::ymd_hm(e.at)) }
                        if let Some(r) = &e.reason { { format!(" · {r}") } }
                    </li>
                }) }
            </ol>
        </section>
    }
}

/// Props of a step's form.
#[derive(Properties, PartialEq)]
struct StepProps {
    action: NeedActionKind,
    need: Need,
    /// The need's device, with its caps.
    item: Option<DeviceItem>,
    form: UseForm,
    onact: Callback<NeedAction>,
    oncancel: Callback<()>,
}

/// The form of one step: assess, fit, accept, follow up, refuse or withdraw. Its first
/// field has the id `step-{action}-first`.
#[function_component(StepForm)]
fn step_form(p: &StepProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let lang = ctx.lang;
    let today = ymd(crate::clock::today());
    let date = use_state(|| today.clone());
    let text = use_state(String::new); // assessor, provider or reason
    let choice = use_state(String::new); // result, side, accepted by
    let quantity = use_state(|| "1".to_owned());
    let price = use_state(String::new);
    let subsidy = use_state(String::new);
    let guardian = use_state(String::new);
    let note = use_state(String::new);
    let evidence = use_state(|| None::<Uuid>);
    let fh = &p.form;
    let a = p.action;
    let first = format!("step-{a}-first");
    let err = |f: &str| fh.error(f, lang);
    let set = |s: &UseStateHandle<String>, f: &'static str| fh.bind(s, f);
    let version = p.need.version;
    let d = parse_date(&date);

    // The live subsidy of a fitting: the shared rule with the item's cap of the year.
    let cap = match (&p.item, d) {
        (Some(item), Some(d)) => cap_for(item, d),
        _ => None,
    };
    let asked = match subsidy.trim() {
        "" => Ok(None),
        s => parse_yuan(s).map(Some).ok_or(()),
    };
    let live: Option<Result<FittingCalc, Vec<FieldError>>> = match (
        parse_yuan(&price),
        quantity.trim().parse::<i64>().ok(),
        cap,
        &asked,
    ) {
        (Some(price), Some(q), Some(cap), Ok(asked)) => {
            Some(compute_fitting(price, q, cap, *asked))
        }
        _ => None,
    };
    let live_err = |f: &str| match &live {
        Some(Err(errs)) => errs
            .iter()
            .find(|e| e.field == f)
            .map(|e| lang.error(&e.code, &e.message)),
        _ => None,
    };

    let body = || -> Result<NeedAction, Vec<FieldError>> {
        let mut errs = Vec::new();
        let mut body = bare(a, version);
        let date_field = match a {
            NeedActionKind::Assess => "assessment.assessed_on",
            NeedActionKind::Fit => "fitting.delivered_on",
            NeedActionKind::Accept => "acceptance.accepted_on",
            _ => "follow_up.on",
        };
        let needs_date = matches!(
            a,
            NeedActionKind::Assess
                | NeedActionKind::Fit
                | NeedActionKind::Accept
                | NeedActionKind::FollowUp
        );
        if needs_date && d.is_none() {
            errs.push(FieldError::new(date_field, "required", ""));
        }
        let day = d.unwrap_or_default();
        match a {
            NeedActionKind::Assess => {
                let result = choice.parse::<AssessmentResult>().ok();
                if result.is_none() {
                    errs.push(FieldError::new("assessment.result", "required", ""));
                }
                if text.trim().is_empty() {
                    errs.push(FieldError::new("assessment.assessor", "required", ""));
                }
                body.assessment = result.map(|result| Assessment {
                    result,
                    assessed_on: day,
                    assessor: text.trim().to_owned(),
                    evidence_id: None,
                });
            }
            NeedActionKind::Fit => {
                if text.trim().is_empty() {
                    errs.push(FieldError::new("fitting.provider", "required", ""));
                }
                let side = choice.parse::<Side>().ok();
                if side.is_none() {
                    errs.push(FieldError::new("fitting.side", "required", ""));
                }
                let price = parse_yuan(&price);
                if price.is_none() {
                    errs.push(FieldError::new(
                        "fitting.unit_price_fen",
                        "invalid_amount",
                        "",
                    ));
                }
                let q = quantity.trim().parse::<i64>().ok();
                if q.is_none() {
                    errs.push(FieldError::new("fitting.quantity", "invalid_number", ""));
                }
                if asked.is_err() {
                    errs.push(FieldError::new("fitting.subsidy_fen", "invalid_amount", ""));
                }
                if let Some(Err(e)) = &live {
                    errs.extend(e.iter().map(|e| {
                        FieldError::new(
                            format!("fitting.{}", e.field),
                            e.code.clone(),
                            e.message.clone(),
                        )
                    }));
                }
                if let (Some(side), Some(unit_price_fen), Some(quantity), Ok(subsidy_fen)) =
                    (side, price, q, &asked)
                {
                    body.fitting = Some(FittingInput {
                        item_id: None,
                        provider: text.trim().to_owned(),
                        quantity,
                        side,
                        unit_price_fen,
                        subsidy_fen: *subsidy_fen,
                        delivered_on: day,
                    });
                }
            }
            NeedActionKind::Accept => {
                let by = choice.parse::<AcceptedBy>().ok();
                if by.is_none() {
                    errs.push(FieldError::new("acceptance.accepted_by", "required", ""));
                }
                let guardian_name =
                    (!guardian.trim().is_empty()).then(|| guardian.trim().to_owned());
                if by == Some(AcceptedBy::Guardian) && guardian_name.is_none() {
                    errs.push(FieldError::new("acceptance.guardian_name", "required", ""));
                }
                if evidence.is_none() {
                    errs.push(FieldError::new("acceptance.evidence_id", "required", ""));
                }
                if let (Some(accepted_by), Some(evidence_id)) = (by, *evidence) {
                    body.acceptance = Some(AcceptanceInput {
                        accepted_on: day,
                        accepted_by,
                        guardian_name: if accepted_by == AcceptedBy::Guardian {
                            guardian_name
                        } else {
                            None
                        },
                        evidence_id,
                    });
                }
            }
            NeedActionKind::FollowUp => {
                let result = choice.parse::<FollowUpResult>().ok();
                if result.is_none() {
                    errs.push(FieldError::new("follow_up.result", "required", ""));
                }
                body.follow_up = result.map(|result| FollowUpInput {
                    on: day,
                    result,
                    note: (!note.trim().is_empty()).then(|| note.trim().to_owned()),
                });
            }
            NeedActionKind::Refuse | NeedActionKind::Withdraw => {
                if text.trim().is_empty() {
                    errs.push(FieldError::new("reason", "required", ""));
                }
                body.reason = Some(text.trim().to_owned());
                if a == NeedActionKind::Refuse {
                    if evidence.is_none() {
                        errs.push(FieldError::new("evidence_id", "required", ""));
                    }
                    body.evidence_id = *evidence;
                }
            }
            NeedActionKind::ApprovePlan | NeedActionKind::Close => {}
        }
        if errs.is_empty() {
            Ok(body)
        } else {
            Err(errs)
        }
    };
    let send = {
        let (fh, body, onact) = (fh.clone(), body(), p.onact.clone());
        Callback::from(move |()| match body.clone() {
            Ok(b) => onact.emit(b),
            Err(errs) => fh.reject(errs),
        })
    };
    let onsubmit = {
        let send = send.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            send.emit(());
        })
    };
    let title = ctx.t(&format!("need_action.{a}"));
    // The photo or scan (an attachment of this need): its id goes with the step.
    let photo = |label: &str, field: &'static str| {
        let (evidence, fh2) = (evidence.clone(), fh.clone());
        // "Required" here means: no photo yet.
        let error = fh.errors().iter().find(|e| e.field == field).map(|e| {
            if e.code == "required" {
                ctx.t("rehab.photo_missing")
            } else {
                lang.error(&e.code, &e.message)
            }
        });
        let on_uploaded = Callback::from(move |m: AttachmentMeta| {
            evidence.set(Some(m.id));
            fh2.clear_error(field);
        });
        html! {
            <div class={classes!("field", error.is_some().then_some("has-error"))} id={format!("step-{a}-photo")}>
                <PhotoUpload owner_type={OwnerKind::RehabNeed} owner_id={p.need.id} label={ctx.t(label)} {on_uploaded} />
                if let Some(e) = error { <p class="error" id={format!("step-{a}-photo-error")}>{ e }</p> }
            </div>
        }
    };
    let fields = match a {
        NeedActionKind::Assess => html! { <>
            <SelectField id={first.clone()} label={ctx.t("rehab.result")} value={(*choice).clone()} required=true
                options={options(AssessmentResult::ALL, "result", lang, Some("form.choose"))} onchange={set(&choice, "assessment.result")} error={err("assessment.result").or_else(|| err("assessment.evidence_id"))} />
            if *choice == AssessmentResult::Refused.to_string() {
                <p class="hint">{ ctx.t("assess.refusal_hint") }</p>
            }
            <TextField id="step-date" kind="date" label={ctx.t("rehab.assessed_on")} value={(*date).clone()} oninput={set(&date, "assessment.assessed_on")} error={err("assessment.assessed_on")} required=true />
            <TextField id="step-assessor" label={ctx.t("rehab.assessor")} value={(*text).clone()} oninput={set(&text, "assessment.assessor")} error={err("assessment.assessor")} required=true />
        </> },
        NeedActionKind::Fit => {
            let year = d.map(|d| d.year().to_string()).unwrap_or_default();
            html! { <>
                <TextField id={first.clone()} label={ctx.t("fit.provider")} value={(*text).clone()} oninput={set(&text, "fitting.provider")} error={err("fitting.provider")} required=true />
                <TextField id="fit-quantity" kind="number" label={ctx.t("fit.quantity")} value={(*quantity).clone()} oninput={set(&quantity, "fitting.quantity")} error={err("fitting.quantity").or_else(|| live_err("quantity"))} required=true />
                <SelectField id="fit-side" label={ctx.t("fit.side")} value={(*choice).clone()} required=true
                    options={options(Side::ALL, "side", lang, Some("form.choose"))} onchange={set(&choice, "fitting.side")} error={err("fitting.side")} />
                <TextField id="fit-price" label={ctx.t("fit.unit_price")} value={(*price).clone()} oninput={set(&price, "fitting.unit_price_fen")} error={err("fitting.unit_price_fen").or_else(|| live_err("unit_price_fen"))} required=true inputmode={Some(AttrValue::Static("decimal"))} />
                <TextField id="fit-subsidy" label={format!("{}（{}）", ctx.t("fit.subsidy"), ctx.t("fit.subsidy_hint"))} value={(*subsidy).clone()} oninput={set(&subsidy, "fitting.subsidy_fen")} error={err("fitting.subsidy_fen").or_else(|| live_err("subsidy_fen"))} inputmode={Some(AttrValue::Static("decimal"))} />
                <TextField id="fit-delivered" kind="date" label={ctx.t("fit.delivered_on")} value={(*date).clone()} oninput={set(&date, "fitting.delivered_on")} error={err("fitting.delivered_on")} required=true />
                if let (Some(item), Some(_)) = (&p.item, d) {
                    if cap.is_none() {
                        <p class="error-summary" role="status" id="fit-no-cap">{ ctx.t("fit.no_cap").replace("{year}", &year) }</p>
                    } else {
                        <p>{ format!("{} · {} {}: {}", super::assess::device_name(item, lang), year, ctx.t("fit.cap"), cap.map(format_hundredths).unwrap_or_default()) }</p>
                    }
                }
                if let Some(e) = err("fitting.item_id") {
                    <p class="error" id="fit-item-error">{ e }</p>
                }
                <p class="notice" id="fit-live" aria-live="polite">{ match &live {
                    Some(Ok(c)) => calc_text(c, lang),
                    // The reason is shown next to its field.
                    Some(Err(_)) => ctx.t("form.fix_errors"),
                    None => ctx.t("fit.fill_in"),
                } }</p>
            </> }
        }
        NeedActionKind::Accept => html! { <>
            <TextField id={first.clone()} kind="date" label={ctx.t("accept.on")} value={(*date).clone()} oninput={set(&date, "acceptance.accepted_on")} error={err("acceptance.accepted_on")} required=true />
            <SelectField id="accept-by" label={ctx.t("accept.by")} value={(*choice).clone()} required=true
                options={options(AcceptedBy::ALL, "accepted_by", lang, Some("form.choose"))} onchange={set(&choice, "acceptance.accepted_by")} error={err("acceptance.accepted_by")} />
            if *choice == AcceptedBy::Guardian.to_string() {
                <TextField id="accept-guardian" label={ctx.t("accept.guardian_name")} value={(*guardian).clone()} oninput={set(&guardian, "acceptance.guardian_name")} error={err("acceptance.guardian_name")} required=true />
            }
            { photo("accept.photo", "acceptance.evidence_id") }
        </> },
        NeedActionKind::FollowUp => html! { <>
            <TextField id={first.clone()} kind="date" label={ctx.t("fu.on")} value={(*date).clone()} oninput={set(&date, "follow_up.on")} error={err("follow_up.on")} required=true />
            <SelectField id="fu-result" label={ctx.t("fu.result")} value={(*choice).clone()} required=true
                options={options(FollowUpResult::ALL, "fu", lang, Some("form.choose"))} onchange={set(&choice, "follow_up.result")} error={err("follow_up.result")} />
            <TextField id="fu-note" label={ctx.t("fu.note")} value={(*note).clone()} oninput={set(&note, "follow_up.note")} error={err("follow_up.note")} multiline=true />
        </> },
        NeedActionKind::Refuse | NeedActionKind::Withdraw => html! { <>
            <TextField id={first.clone()} label={ctx.t("rehab.reason")} value={(*text).clone()} oninput={set(&text, "reason")} error={err("reason")} required=true />
            if a == NeedActionKind::Refuse {
                { photo("rehab.refusal_record", "evidence_id") }
            }
        </> },
        NeedActionKind::ApprovePlan | NeedActionKind::Close => html! {},
    };
    html! {
        <form id={format!("step-{a}")} class="step" onsubmit={onsubmit} novalidate=true aria-label={title.clone()}>
            <h3>{ title.clone() }</h3>
            { fields }
            <div class="buttons">
                if matches!(a, NeedActionKind::Refuse | NeedActionKind::Withdraw) {
                    <ConfirmButton id={format!("step-{a}-save")} class="danger" label={title.clone()}
                        question={ctx.t(&format!("confirm.need.{a}"))} disabled={fh.busy()} onconfirm={send.clone()} />
                } else {
                    <button type="submit" class="primary" id={format!("step-{a}-save")} disabled={fh.busy()}>{ title.clone() }</button>
                }
                <button type="button" id={format!("step-{a}-cancel")} onclick={p.oncancel.reform(|_| ())}>{ ctx.t("dev.cancel") }</button>
            </div>
        </form>
    }
}
