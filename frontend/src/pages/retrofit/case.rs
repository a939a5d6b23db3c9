//! One retrofit case: the household's members (identity numbers masked), the home
//! visit's eligibility snapshot, the plan (一户一策) with its live total against the
//! year's per-household cap, construction, acceptances, the before and after photos,
//! the timeline, and the steps this user may take now (`allowed_actions`, from the
//! server, which reads the same workflow table it authorises with). Steps that need
//! details open their form; submitting the plan, approving it and archiving ask first,
//! and so do the exits. A write refused as stale (someone else changed the case first)
//! reloads the case and says so.

use shared::attachments::{AttachmentMeta, OwnerKind};
use shared::auth::Capability;
use shared::money::{format_hundredths, parse_yuan};
use shared::retrofit::{
    checked_total, line_total, ActualCost, CaseAcceptanceInput, CaseAction, CaseActionKind,
    CaseStatus, CompleteInput, ItemCheck, ItemResult, PlanItemInput, PlanUpdate, RetrofitCase,
    RetrofitItem, Satisfaction, StartInput, VisitInput, MAX_PLAN_ITEMS, MAX_QUANTITY,
    MAX_UNIT_COST_FEN,
};
use shared::FieldError;
use uuid::Uuid;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::confirm::ConfirmButton;
use crate::components::field::{CheckField, SelectField, TextField};
use crate::components::photo::PhotoUpload;
use crate::hooks::form::{use_form, Failure, UseForm};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::i18n::Lang;
use crate::pages::person_detail::PlaceName;
use crate::pages::rehab::{focus_id, options, parse_date, ymd};

/// Props: the case's id.
#[derive(Properties, PartialEq)]
pub struct CaseProps {
    /// Case id.
    pub id: String,
}

/// Steps taken with a confirmation only (no details to fill in).
fn confirm_only(a: CaseActionKind) -> bool {
    matches!(
        a,
        CaseActionKind::DraftPlan | CaseActionKind::ApprovePlan | CaseActionKind::Archive
    )
}

/// The exits: a reason, and a confirmation.
fn exit(a: CaseActionKind) -> bool {
    matches!(
        a,
        CaseActionKind::Reject
            | CaseActionKind::Decline
            | CaseActionKind::ReferHousing
            | CaseActionKind::Relocate
    )
}

/// A step with nothing but the step itself.
fn bare(action: CaseActionKind, version: i64) -> CaseAction {
    CaseAction {
        action,
        version,
        reason: None,
        visit: None,
        start: None,
        complete: None,
        acceptance: None,
    }
}

/// Fen as the forms write yuan: 120000 → "1200.00" (no grouping: it is typed back).
fn yuan_input(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

/// The statuses before construction: every photo uploaded now shows the home before
/// the works.
fn before_construction(s: CaseStatus) -> bool {
    matches!(
        s,
        CaseStatus::Identified
            | CaseStatus::Verified
            | CaseStatus::PlanDrafted
            | CaseStatus::PlanApproved
    )
}

/// The photo ids an acceptance sends: the server's split by time, overridden by the box
/// each photo was uploaded in on this page, never the signature.
fn photo_split(
    c: &RetrofitCase,
    before: &[Uuid],
    after: &[Uuid],
    signature: Option<Uuid>,
) -> (Vec<Uuid>, Vec<Uuid>) {
    let mut b: Vec<Uuid> = c
        .photos
        .before
        .iter()
        .filter(|p| !after.contains(p))
        .chain(before)
        .copied()
        .collect();
    let mut a: Vec<Uuid> = c
        .photos
        .after
        .iter()
        .filter(|p| !before.contains(p))
        .chain(after)
        .copied()
        .collect();
    for list in [&mut b, &mut a] {
        let mut seen = Vec::new();
        list.retain(|p| {
            let keep = Some(*p) != signature && !seen.contains(p);
            seen.push(*p);
            keep
        });
    }
    (b, a)
}

/// The text of the first error of a field or of any of its parts (`field[0]…`).
fn error_of(errors: &[FieldError], field: &str, lang: Lang) -> Option<String> {
    errors
        .iter()
        .find(|e| {
            e.field == field
                || e.field.starts_with(&format!("{field}["))
                || e.field.starts_with(&format!("{field}."))
        })
        .map(|e| super::error_text(&e.code, &e.message, lang))
}

/// The item's name in `lang`.
fn item_name(i: &RetrofitItem, lang: Lang) -> String {
    if lang == Lang::En {
        i.fields.name_en.clone()
    } else {
        i.fields.name_zh.clone()
    }
}

/// Thumbnails of attachments of the case (fetched with the token).
#[derive(Properties, PartialEq)]
struct ThumbProps {
    /// Attachment ids.
    ids: Vec<Uuid>,
    /// What each is ("改造前照片").
    label: AttrValue,
    /// Element id of the list.
    id: AttrValue,
}

#[function_component(Thumbs)]
fn thumbs(p: &ThumbProps) -> Html {
    let urls = use_remote(p.ids.clone(), |ids: Vec<Uuid>| async move {
        let mut out = Vec::new();
        for id in ids {
            out.push(crate::api::attachments::thumbnail_url(id).await.ok());
        }
        Ok(out)
    });
    {
        // Object URLs: freed when the list changes or goes.
        let shown: Vec<String> = urls
            .ready()
            .into_iter()
            .flatten()
            .flatten()
            .cloned()
            .collect();
        use_effect_with(shown, |shown| {
            let shown = shown.clone();
            move || {
                for u in shown {
                    let _ = web_sys::Url::revoke_object_url(&u);
                }
            }
        });
    }
    if p.ids.is_empty() {
        return html! {};
    }
    html! {
        <ul class="photos thumbs" id={p.id.clone()}>
            { for p.ids.iter().enumerate().map(|(i, _)| {
                let alt = format!("{} {}", p.label, i + 1);
                match urls.ready().and_then(|u| u.get(i).cloned().flatten()) {
                    Some(url) => html! { <li><img src={url} alt={alt} /></li> },
                    None => html! { <li><span class="placeholder" role="img" aria-label={alt}>{ "▢" }</span></li> },
                }
            }) }
        </ul>
    }
}

/// The case page.
#[function_component(CasePage)]
pub fn case_page(p: &CaseProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("rf.case")).unwrap_or_default());
    let case = use_remote(p.id.clone(), |id: String| async move {
        crate::api::retrofit::case(&id).await
    });
    let items = use_remote((), |()| async move { crate::api::retrofit::items().await });
    let units = crate::hooks::units::use_units();
    let fh = use_form("case-step");
    let plan_form = use_form("plan-form");
    let open = use_state(|| None::<CaseActionKind>);
    let done = use_state(|| None::<CaseActionKind>);
    let plan_saved = use_state(|| false);
    // Photos uploaded on this page, by the box they went into.
    let before = use_state(Vec::<Uuid>::new);
    let after = use_state(Vec::<Uuid>::new);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(c) = case.ready().cloned() else {
        return html! { <section class="card">{ case.placeholder(lang, Some("rf.not_found")) }</section> };
    };
    let me = ctx.me.clone();
    let writer = me.as_deref().is_some_and(super::cases::county_writer);
    // Takes a step: the answer replaces the case; a stale version reloads it.
    let act = {
        let (case, fh, open, done, plan_saved) = (
            case.clone(),
            fh.clone(),
            open.clone(),
            done.clone(),
            plan_saved.clone(),
        );
        let id = c.id;
        Callback::from(move |body: CaseAction| {
            let (case, stale, open, done, plan_saved) = (
                case.clone(),
                case.clone(),
                open.clone(),
                done.clone(),
                plan_saved.clone(),
            );
            let action = body.action;
            fh.submit(
                move |_| async move {
                    match crate::api::retrofit::act(id, &body).await {
                        Ok(c) => Ok(c),
                        Err(e) => {
                            if e.code() == "stale_version" {
                                // Someone else acted first: show where it stands now.
                                stale.reload();
                                return Err(Failure::Api(e));
                            }
                            // A step without a form: its field errors have no input
                            // to stand next to, so they are the message.
                            let texts: Vec<String> = e
                                .problem
                                .as_ref()
                                .map(|p| {
                                    p.errors
                                        .iter()
                                        .map(|f| super::error_text(&f.code, &f.message, lang))
                                        .collect()
                                })
                                .unwrap_or_default();
                            if confirm_only(action) && !texts.is_empty() {
                                Err(Failure::Text(texts.join("；")))
                            } else {
                                Err(Failure::Api(e))
                            }
                        }
                    }
                },
                move |updated: RetrofitCase| {
                    open.set(None);
                    plan_saved.set(false);
                    done.set(Some(action));
                    case.set(updated);
                    focus_id("case-done");
                },
            );
        })
    };
    let on_plan_saved = {
        let (case, plan_saved, done) = (case.clone(), plan_saved.clone(), done.clone());
        Callback::from(move |updated: RetrofitCase| {
            done.set(None);
            plan_saved.set(true);
            case.set(updated);
            focus_id("plan-saved");
        })
    };
    let on_stale = {
        let case = case.clone();
        Callback::from(move |()| case.reload())
    };
    let add_photo = |list: &UseStateHandle<Vec<Uuid>>| {
        let list = list.clone();
        Callback::from(move |m: AttachmentMeta| {
            let mut next = (*list).clone();
            next.push(m.id);
            list.set(next);
        })
    };
    let allowed = c.allowed_actions.clone();
    let version = c.version;
    let facts = |k: &str, v: String| html! { <><dt>{ ctx.t(k) }</dt><dd>{ v }</dd></> };
    let yes_no = |b: bool| ctx.t(if b { "rf.yes" } else { "rf.no" });
    let title = super::members(&c);
    // Why a county approver sees no approve button: four eyes.
    let four_eyes = c.status == CaseStatus::PlanDrafted
        && !allowed.contains(&CaseActionKind::ApprovePlan)
        && me.as_ref().is_some_and(|m| {
            m.permissions.contains(&Capability::ApproveRetrofits) && m.scope.code.len() == 6
        });
    let drafted_by_me = me
        .as_ref()
        .is_some_and(|m| c.plan.drafted_by.as_deref() == Some(m.user.username.as_str()));
    let item_list: Vec<RetrofitItem> = items.ready().cloned().unwrap_or_default();
    let (before_ids, after_ids) = photo_split(&c, &before, &after, None);
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Retrofits}>{ ctx.t("rf.title") }</Link<Route>>{" › "}
                <span aria-current="page">{ title.clone() }</span>
            </nav>
            <h1>{ format!("{} · {}", ctx.t("rf.case"), title) }</h1>
            <dl class="facts" id="case-facts">
                <dt>{ ctx.t("rf.status") }</dt>
                <dd id="case-status">{ ctx.t(&format!("rf_status.{}", c.status)) }
                    if c.overdue { <span class="badge pending" id="case-overdue">{ ctx.t("rf.overdue") }</span> }
                </dd>
                { facts("rf.since", c.status_since.to_string()) }
                { facts("rehab.county", units.name(&c.county_code, lang)) }
                if let Some(v) = &c.village_code {
                    <dt>{ ctx.t("rf.village") }</dt><dd><PlaceName code={v.clone()} /></dd>
                }
                { facts("rf.year", c.year.to_string()) }
                { facts("rehab.source", ctx.t(&format!("source.{}", c.source))) }
                { facts("rehab.identified_on", ymd(c.identified_on)) }
                { facts("rf.programme", ctx.t(&format!("rf_programme.{}", c.linked_programme))) }
                if let Some(a) = &c.address { { facts("rf.address", a.clone()) } }
                if let Some(n) = &c.note { { facts("rehab.note", n.clone()) } }
                { facts("rf.multi_disabled", yes_no(c.priority.multi_disabled_household)) }
                { facts("rf.elderly", yes_no(c.priority.elderly_with_disability)) }
                if let Some(old) = c.relocated_from {
                    <dt>{ ctx.t("rf.relocated_from") }</dt>
                    <dd><Link<Route> to={Route::RetrofitCase { id: old.to_string() }}>{ ctx.t("rf.old_case") }</Link<Route>></dd>
                }
            </dl>
            <h2>{ ctx.t("rf.members") }</h2>
            <ul class="results" id="case-members">
                { for c.members.iter().map(|m| html! {
                    <li>
                        <Link<Route> to={Route::Person { id: m.person_id.to_string() }}>{ if m.name.is_empty() { "…".to_owned() } else { m.name.clone() } }</Link<Route>>
                        <span class="mono">{ &m.id_number_masked }</span>
                        <span>{ format!("{} · {}", ctx.t(&format!("cat.{}", m.disability_category)), ctx.t(&format!("level.{}", m.disability_level))) }</span>
                        if m.registered_poor { <span class="badge">{ ctx.t("rf.registered_poor") }</span> }
                        if m.elderly { <span class="badge">{ ctx.t("rf.elderly_member") }</span> }
                    </li>
                }) }
            </ul>
            if let Some(e) = &c.eligibility {
                <h2>{ ctx.t("rf.eligibility") }</h2>
                <dl class="facts" id="case-eligibility">
                    { facts("rf.visited_on", ymd(e.visited_on)) }
                    { facts("rf.visitors", e.visitors.clone()) }
                    { facts("rf.registered_poor", yes_no(e.registered_poor)) }
                    { facts("rf.severe", yes_no(e.severe)) }
                    { facts("rf.need_verified", yes_no(e.need_verified)) }
                    { facts("rf.willing", yes_no(e.willing)) }
                    { facts("rf.housing_suitable", yes_no(e.housing_suitable)) }
                    if let Some(n) = &e.note { { facts("rehab.note", n.clone()) } }
                </dl>
            }
            if !c.warnings.is_empty() {
                <ul class="notice pending" id="case-warnings">
                    { for c.warnings.iter().map(|w| html! { <li>{ super::error_text(&w.code, &w.message, lang) }</li> }) }
                </ul>
            }
            if let Some(a) = *done {
                <p class="notice" role="status" id="case-done" tabindex="-1">{ format!("{}: {}", ctx.t(&format!("rf_action.{a}")), ctx.t("rehab.done")) }</p>
            }
            <h2>{ ctx.t("rf.plan") }</h2>
            if *plan_saved {
                <p class="notice" role="status" id="plan-saved" tabindex="-1">{ ctx.t("rf.plan_saved") }</p>
            }
            if c.plan_editable {
                <PlanEditor key={format!("plan-{}", c.version)} case={c.clone()} items={item_list.clone()} form={plan_form.clone()}
                    onsaved={on_plan_saved} onstale={on_stale} />
            } else {
                { plan_view(&c, lang) }
            }
            if four_eyes {
                <p class="hint notice" id="case-four-eyes">{ ctx.t(if drafted_by_me { "rf.four_eyes_drafter" } else { "rf.four_eyes" }) }</p>
            }
            if !allowed.is_empty() {
                <div class="actions-box" id="case-actions">
                    <h2>{ ctx.t("rehab.actions") }</h2>
                    { fh.banner(lang, "case-banner") }
                    <p class="actions">
                        { for allowed.iter().map(|a| {
                            let a = *a;
                            let label = ctx.t(&format!("rf_action.{a}"));
                            if confirm_only(a) {
                                let act = act.clone();
                                html! { <ConfirmButton id={format!("case-{a}")} class={if a == CaseActionKind::ApprovePlan { "primary" } else { "" }} label={label}
                                    question={ctx.t(&format!("rf_confirm.{a}"))} disabled={fh.busy()}
                                    onconfirm={Callback::from(move |()| act.emit(bare(a, version)))} /> }
                            } else {
                                let open = open.clone();
                                let pressed = if *open == Some(a) { "true" } else { "false" };
                                html! { <button type="button" id={format!("case-{a}")} aria-expanded={pressed}
                                    class={if exit(a) { "danger" } else { "" }}
                                    onclick={Callback::from(move |_| { open.set(Some(a)); focus_id(format!("step-{a}-first")); })}>{ label }</button> }
                            }
                        }) }
                    </p>
                    if let Some(a) = *open {
                        if allowed.contains(&a) {
                            <StepForm key={a.to_string()} action={a} case={c.clone()} form={fh.clone()} onact={act.clone()}
                                before={(*before).clone()} after={(*after).clone()}
                                on_before={add_photo(&before)} on_after={add_photo(&after)}
                                oncancel={let open = open.clone(); Callback::from(move |()| open.set(None))} />
                        }
                    }
                </div>
            }
            <h2>{ ctx.t("rf.photos") }</h2>
            <h3>{ format!("{}（{}）", ctx.t("rf.before_photos"), ctx.t("rf.photo_count").replace("{n}", &before_ids.len().to_string())) }</h3>
            <Thumbs ids={before_ids.clone()} label={ctx.t("rf.before_photos")} id="case-before-photos" />
            if writer && before_construction(c.status) {
                <p class="hint">{ ctx.t("rf.before_hint") }</p>
                <div id="case-before-box">
                    <PhotoUpload id="case-before" owner_type={OwnerKind::RetrofitCase} owner_id={c.id} label={ctx.t("rf.add_before")} on_uploaded={add_photo(&before)} />
                </div>
            }
            <h3>{ format!("{}（{}）", ctx.t("rf.after_photos"), ctx.t("rf.photo_count").replace("{n}", &after_ids.len().to_string())) }</h3>
            <Thumbs ids={after_ids.clone()} label={ctx.t("rf.after_photos")} id="case-after-photos" />
            if let Some(k) = &c.construction {
                <h2>{ ctx.t("rf.construction") }</h2>
                <dl class="facts" id="case-construction">
                    { facts("rf.contractor", k.contractor.clone()) }
                    { facts("rf.started_on", ymd(k.started_on)) }
                    if let Some(d) = k.completed_on { { facts("rf.completed_on", ymd(d)) } }
                </dl>
            }
            if !c.acceptances.is_empty() {
                <h2>{ ctx.t("rf.acceptances") }</h2>
                <ol class="timeline" id="case-acceptances">
                    { for c.acceptances.iter().map(|a| html! {
                        <li>
                            <strong>{ ctx.t(if a.passed { "rf.passed" } else { "rf.failed" }) }</strong>
                            { format!(" · {} · {} · {}", ymd(a.accepted_on), a.team, a.by) }
                            if let Some(s) = a.satisfaction { { format!(" · {}", ctx.t(&format!("rf_satisfaction.{s}"))) } }
                            if let Some(n) = &a.note { { format!(" · {n}") } }
                        </li>
                    }) }
                </ol>
            }
            <crate::pages::audit::RecordAuditLink id={c.id.to_string()} />
            <h2>{ ctx.t("rehab.timeline") }</h2>
            <ol class="timeline" id="case-timeline">
                { for c.timeline.iter().map(|e| html! {
                    <li>
                        <strong>{ ctx.t(&format!("rf_status.{}", e.to_status)) }</strong>
                        { format!(" · {} · {}", e.actor_username, crate::pages::rehab::ymd_hm(e.at)) }
                        if let Some(r) = &e.reason { { format!(" · {r}") } }
                    </li>
                }) }
            </ol>
        </section>
    }
}

/// The plan as recorded (not editable now): each line, its actual cost and finding, the
/// totals against the cap.
fn plan_view(c: &RetrofitCase, lang: Lang) -> Html {
    let p = &c.plan;
    if p.items.is_empty() {
        return html! { <p id="case-plan">{ lang.t("rf.no_plan") }</p> };
    }
    html! { <>
        <ol class="plan-lines" id="case-plan">
            { for p.items.iter().map(|l| {
                let name = if lang == Lang::En { &l.name_en } else { &l.name_zh };
                html! {
                    <li>
                        <strong>{ name }</strong>{ format!(" · {}", l.location) }
                        <br />
                        { format!("{} {} × {} = {}", l.quantity, l.unit, format_hundredths(l.unit_cost_fen), format_hundredths(l.line_total_fen)) }
                        if let Some(a) = l.actual_cost_fen { <br />{ format!("{} {}", lang.t("rf.actual_cost"), format_hundredths(a)) } }
                        if let Some(r) = l.result { <span class="badge">{ lang.t(&format!("rf_result.{r}")) }</span> }
                    </li>
                }
            }) }
        </ol>
        { totals(c, p.total_fen, lang, "plan-total") }
        if let Some(a) = p.actual_total_fen {
            <p>{ format!("{} {}", lang.t("rf.actual_total"), format_hundredths(a)) }</p>
        }
        if let Some(by) = &p.approved_by {
            <p>{ format!("{} {}{}", lang.t("rf.approved_by"), by, p.approved_on.map(|d| format!(" · {}", ymd(d))).unwrap_or_default()) }</p>
        }
    </> }
}

/// "合计 … · 每户上限 …" and the over-cap warning.
fn totals(c: &RetrofitCase, total: i64, lang: Lang, id: &str) -> Html {
    let cap = c.plan.cap_fen;
    let over = cap.is_some_and(|cap| total > cap);
    html! {
        <div id={id.to_owned()} aria-live="polite">
            <p>
                { format!("{} {}", lang.t("rf.plan_total"), format_hundredths(total)) }
                { match cap {
                    Some(cap) => format!(" · {} {}", lang.t("rf.cap"), format_hundredths(cap)),
                    None => format!(" · {}", lang.t("rf.no_cap").replace("{year}", &c.year.to_string())),
                } }
            </p>
            if over {
                <p class="notice pending" id={format!("{id}-over-cap")}>{ lang.t("rf.over_cap") }</p>
            }
        </div>
    }
}

/// One line of the plan editor.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    /// The element key, stable while the line is on screen.
    key: Uuid,
    /// The line's id, once saved.
    id: Option<Uuid>,
    item: String,
    location: String,
    quantity: String,
    cost: String,
}

impl Line {
    fn empty() -> Self {
        Line {
            key: Uuid::new_v4(),
            id: None,
            item: String::new(),
            location: String::new(),
            quantity: "1".into(),
            cost: String::new(),
        }
    }

    /// quantity × unit cost, when both are in range.
    fn total(&self) -> Option<i64> {
        line_total(self.quantity.trim().parse().ok()?, parse_yuan(&self.cost)?)
    }
}

/// Props of the plan editor.
#[derive(Properties, PartialEq)]
struct PlanProps {
    case: RetrofitCase,
    /// The item code list.
    items: Vec<RetrofitItem>,
    form: UseForm,
    onsaved: Callback<RetrofitCase>,
    onstale: Callback<()>,
}

/// The plan (一户一策): lines of an item of the code list, where in the home, how many,
/// the unit cost in yuan; the total and the cap as typed.
#[function_component(PlanEditor)]
fn plan_editor(p: &PlanProps) -> Html {
    let lines = use_state(|| {
        let saved: Vec<Line> = p
            .case
            .plan
            .items
            .iter()
            .map(|l| Line {
                key: l.id,
                id: Some(l.id),
                item: l.item_code.clone(),
                location: l.location.clone(),
                quantity: l.quantity.to_string(),
                cost: yuan_input(l.unit_cost_fen),
            })
            .collect();
        if saved.is_empty() {
            vec![Line::empty()]
        } else {
            saved
        }
    });
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let lang = ctx.lang;
    let fh = &p.form;
    let errors = fh.errors().to_vec();
    let err = |f: String| error_of(&errors, &f, lang);
    let edit = |i: usize, field: &'static str, set: fn(&mut Line, String)| {
        let (lines, fh) = (lines.clone(), fh.clone());
        Callback::from(move |v: String| {
            let mut next = (*lines).clone();
            if let Some(l) = next.get_mut(i) {
                set(l, v);
            }
            lines.set(next);
            fh.clear_error(&format!("items[{i}].{field}"));
        })
    };
    let add = {
        let lines = lines.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*lines).clone();
            let n = next.len();
            next.push(Line::empty());
            lines.set(next);
            focus_id(format!("plan-{n}-item"));
        })
    };
    let remove = |i: usize| {
        let (lines, fh) = (lines.clone(), fh.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = (*lines).clone();
            if i < next.len() {
                next.remove(i);
            }
            lines.set(next);
            // Errors of the lines after it would land on the wrong line.
            fh.clear_errors("items");
            focus_id("plan-add");
        })
    };
    let live = checked_total(lines.iter().map(|l| l.total().unwrap_or(0)));
    let onsubmit = {
        let (fh, lines, onsaved, onstale) = (
            fh.clone(),
            lines.clone(),
            p.onsaved.clone(),
            p.onstale.clone(),
        );
        let (id, version) = (p.case.id, p.case.version);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut errs = Vec::new();
            let mut body = Vec::new();
            for (i, l) in lines.iter().enumerate() {
                let f = |name: &str| format!("items[{i}].{name}");
                if l.item.is_empty() {
                    errs.push(FieldError::new(f("item_code"), "required", ""));
                }
                if l.location.trim().is_empty() {
                    errs.push(FieldError::new(f("location"), "required", ""));
                }
                let q = l.quantity.trim().parse::<i64>().ok();
                match q {
                    None => errs.push(FieldError::new(f("quantity"), "invalid_number", "")),
                    Some(q) if !(1..=MAX_QUANTITY).contains(&q) => {
                        errs.push(FieldError::new(f("quantity"), "out_of_range", "1–100"))
                    }
                    Some(_) => {}
                }
                let cost = parse_yuan(&l.cost);
                match cost {
                    None => errs.push(FieldError::new(f("unit_cost_fen"), "invalid_amount", "")),
                    Some(c) if c > MAX_UNIT_COST_FEN => errs.push(FieldError::new(
                        f("unit_cost_fen"),
                        "out_of_range",
                        "0–100,000",
                    )),
                    Some(_) => {}
                }
                if let (Some(quantity), Some(unit_cost_fen)) = (q, cost) {
                    body.push(PlanItemInput {
                        id: l.id,
                        item_code: l.item.clone(),
                        location: l.location.trim().to_owned(),
                        quantity,
                        unit_cost_fen,
                        note: None,
                    });
                }
            }
            if !errs.is_empty() {
                fh.reject(errs);
                return;
            }
            let onsaved = onsaved.clone();
            let onstale = onstale.clone();
            let update = PlanUpdate {
                version: Some(version),
                items: body,
            };
            fh.submit(
                move |_| async move {
                    crate::api::retrofit::update_plan(id, &update)
                        .await
                        .map_err(|e| {
                            if e.code() == "stale_version" {
                                onstale.emit(());
                            }
                            Failure::Api(e)
                        })
                },
                move |c: RetrofitCase| onsaved.emit(c),
            );
        })
    };
    let current: Vec<&str> = lines.iter().map(|l| l.item.as_str()).collect();
    let item_opts: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("form.choose")))
        .chain(
            p.items
                .iter()
                .filter(|i| i.fields.active || current.contains(&i.code.as_str()))
                .map(|i| {
                    (
                        i.code.clone(),
                        format!("{}（{}）", item_name(i, lang), i.fields.unit),
                    )
                }),
        )
        .collect();
    html! {
        <form id="plan-form" class="plan" onsubmit={onsubmit} novalidate=true aria-label={ctx.t("rf.plan")}>
            { fh.banner(lang, "plan-banner") }
            if let Some(e) = err("items".into()).filter(|_| errors.iter().any(|e| e.field == "items")) {
                <p class="error" id="plan-items-error">{ e }</p>
            }
            { for lines.iter().enumerate().map(|(i, l)| {
                let id = |part: &str| format!("plan-{i}-{part}");
                let n = (i + 1).to_string();
                html! {
                    <fieldset class="area" key={l.key.to_string()} id={format!("plan-{i}")}>
                        <legend>{ ctx.t("rf.line_n").replace("{n}", &n) }</legend>
                        <SelectField id={id("item")} label={ctx.t("rf.item")} value={l.item.clone()} required=true options={item_opts.clone()}
                            onchange={edit(i, "item_code", |l, v| l.item = v)} error={err(format!("items[{i}].item_code"))} />
                        <TextField id={id("location")} label={ctx.t("rf.location")} value={l.location.clone()} required=true
                            oninput={edit(i, "location", |l, v| l.location = v)} error={err(format!("items[{i}].location"))} />
                        <TextField id={id("quantity")} kind="number" label={ctx.t("fit.quantity")} value={l.quantity.clone()} required=true
                            inputmode={Some(AttrValue::Static("numeric"))}
                            oninput={edit(i, "quantity", |l, v| l.quantity = v)} error={err(format!("items[{i}].quantity"))} />
                        <TextField id={id("cost")} label={ctx.t("rf.unit_cost")} value={l.cost.clone()} required=true
                            inputmode={Some(AttrValue::Static("decimal"))}
                            oninput={edit(i, "unit_cost_fen", |l, v| l.cost = v)} error={err(format!("items[{i}].unit_cost_fen"))} />
                        <p id={id("total")}>{ format!("{} {}", ctx.t("rf.line_total"), l.total().map(format_hundredths).unwrap_or_else(|| "—".into())) }</p>
                        <button type="button" class="danger" id={id("remove")} onclick={remove(i)}>{ ctx.t("rf.remove_line").replace("{n}", &n) }</button>
                    </fieldset>
                }
            }) }
            if lines.len() < MAX_PLAN_ITEMS {
                <p><button type="button" id="plan-add" onclick={add}>{ ctx.t("rf.add_line") }</button></p>
            }
            { match live {
                Some(total) => totals(&p.case, total, lang, "plan-live"),
                None => html! { <p id="plan-live">{ ctx.t("rf.total_out_of_range") }</p> },
            } }
            <div class="buttons">
                <button type="submit" class="primary" id="plan-save" disabled={fh.busy()}>{ ctx.t("rf.save_plan") }</button>
            </div>
        </form>
    }
}

/// Props of a step's form.
#[derive(Properties, PartialEq)]
struct StepProps {
    action: CaseActionKind,
    case: RetrofitCase,
    form: UseForm,
    onact: Callback<CaseAction>,
    oncancel: Callback<()>,
    /// Photos uploaded on this page as before and after photos.
    before: Vec<Uuid>,
    after: Vec<Uuid>,
    on_before: Callback<AttachmentMeta>,
    on_after: Callback<AttachmentMeta>,
}

/// The form of one step: verify, start, complete, accept, or an exit. Its first field
/// has the id `step-{action}-first`.
#[function_component(StepForm)]
fn step_form(p: &StepProps) -> Html {
    let c = &p.case;
    let today = ymd(crate::clock::today());
    let date = use_state(|| today.clone());
    let text = use_state(String::new); // visitors, contractor, team or reason
    let note = use_state(String::new);
    let need = use_state(|| false);
    let willing = use_state(|| false);
    let suitable = use_state(|| false);
    let costs = use_state(|| {
        c.plan
            .items
            .iter()
            .map(|l| yuan_input(l.line_total_fen))
            .collect::<Vec<_>>()
    });
    let results = use_state(|| vec![String::new(); c.plan.items.len()]);
    let satisfaction = use_state(String::new);
    let signature = use_state(|| None::<Uuid>);
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let lang = ctx.lang;
    let fh = &p.form;
    let a = p.action;
    let first = format!("step-{a}-first");
    let errors = fh.errors().to_vec();
    let err = |f: &str| error_of(&errors, f, lang);
    let set = |s: &UseStateHandle<String>, f: &'static str| fh.bind(s, f);
    let flag = |s: &UseStateHandle<bool>, f: &'static str| {
        let (s, fh) = (s.clone(), fh.clone());
        Callback::from(move |v: bool| {
            s.set(v);
            fh.clear_error(f);
        })
    };
    let version = c.version;
    let d = parse_date(&date);
    let (before, after) = photo_split(c, &p.before, &p.after, *signature);
    let all_done = results.iter().all(|r| r == "done");

    let body = || -> Result<CaseAction, Vec<FieldError>> {
        let mut errs = Vec::new();
        let mut body = bare(a, version);
        let dated = |field: &str, errs: &mut Vec<FieldError>| {
            if d.is_none() {
                errs.push(FieldError::new(field, "required", ""));
            }
            d.unwrap_or_default()
        };
        let text_of = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        match a {
            CaseActionKind::Verify => {
                let visited_on = dated("visit.visited_on", &mut errs);
                if text.trim().is_empty() {
                    errs.push(FieldError::new("visit.visitors", "required", ""));
                }
                body.visit = Some(VisitInput {
                    visited_on,
                    visitors: text.trim().to_owned(),
                    need_verified: *need,
                    willing: *willing,
                    housing_suitable: *suitable,
                    note: text_of(&note),
                });
            }
            CaseActionKind::Start => {
                let started_on = dated("start.started_on", &mut errs);
                if text.trim().is_empty() {
                    errs.push(FieldError::new("start.contractor", "required", ""));
                }
                body.start = Some(StartInput {
                    contractor: text.trim().to_owned(),
                    started_on,
                });
            }
            CaseActionKind::Complete => {
                let completed_on = dated("complete.completed_on", &mut errs);
                let mut list = Vec::new();
                for (i, (l, cost)) in c.plan.items.iter().zip(costs.iter()).enumerate() {
                    match parse_yuan(cost) {
                        Some(actual_cost_fen) => list.push(ActualCost {
                            plan_item_id: l.id,
                            actual_cost_fen,
                        }),
                        None => errs.push(FieldError::new(
                            format!("complete.costs[{i}].actual_cost_fen"),
                            "invalid_amount",
                            "",
                        )),
                    }
                }
                body.complete = Some(CompleteInput {
                    completed_on,
                    costs: list,
                });
            }
            CaseActionKind::Accept => {
                let accepted_on = dated("acceptance.accepted_on", &mut errs);
                if text.trim().is_empty() {
                    errs.push(FieldError::new("acceptance.team", "required", ""));
                }
                let mut checks = Vec::new();
                for (i, (l, r)) in c.plan.items.iter().zip(results.iter()).enumerate() {
                    match r.parse::<ItemResult>() {
                        Ok(result) => checks.push(ItemCheck {
                            plan_item_id: l.id,
                            result,
                        }),
                        Err(_) => errs.push(FieldError::new(
                            format!("acceptance.results[{i}].result"),
                            "required",
                            "",
                        )),
                    }
                }
                let sat = satisfaction.parse::<Satisfaction>().ok();
                if all_done {
                    // Passed: the evidence is required.
                    if sat.is_none() {
                        errs.push(FieldError::new("acceptance.satisfaction", "required", ""));
                    }
                    if signature.is_none() {
                        errs.push(FieldError::new("acceptance.signature_id", "required", ""));
                    }
                    if before.is_empty() {
                        errs.push(FieldError::new(
                            "acceptance.before_photo_ids",
                            "required",
                            "",
                        ));
                    }
                    if after.is_empty() {
                        errs.push(FieldError::new(
                            "acceptance.after_photo_ids",
                            "required",
                            "",
                        ));
                    }
                } else if note.trim().is_empty() {
                    errs.push(FieldError::new("acceptance.note", "required", ""));
                }
                body.acceptance = Some(CaseAcceptanceInput {
                    accepted_on,
                    team: text.trim().to_owned(),
                    results: checks,
                    satisfaction: sat,
                    signature_id: if all_done { *signature } else { None },
                    before_photo_ids: if all_done { before.clone() } else { Vec::new() },
                    after_photo_ids: if all_done { after.clone() } else { Vec::new() },
                    note: text_of(&note),
                });
            }
            CaseActionKind::Reject
            | CaseActionKind::Decline
            | CaseActionKind::ReferHousing
            | CaseActionKind::Relocate => {
                if text.trim().chars().count() < 2 {
                    errs.push(FieldError::new("reason", "required", ""));
                }
                body.reason = text_of(&text);
            }
            CaseActionKind::DraftPlan | CaseActionKind::ApprovePlan | CaseActionKind::Archive => {}
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
    let title = ctx.t(&format!("rf_action.{a}"));
    // An upload box with its error next to it ("required" means: no photo yet).
    let photo_box = |id: &str,
                     label: &str,
                     missing: &str,
                     field: &str,
                     on: Callback<AttachmentMeta>,
                     have: usize| {
        let error = errors
            .iter()
            .find(|e| e.field == field || e.field.starts_with(&format!("{field}[")))
            .map(|e| {
                if e.code == "required" {
                    ctx.t(missing)
                } else {
                    super::error_text(&e.code, &e.message, lang)
                }
            });
        let fh2 = fh.clone();
        let field_owned = field.to_owned();
        let on_uploaded = Callback::from(move |m: AttachmentMeta| {
            fh2.clear_errors(&field_owned);
            on.emit(m);
        });
        html! {
            <div class={classes!("field", error.is_some().then_some("has-error"))} id={format!("{id}-box")}>
                <PhotoUpload id={id.to_owned()} owner_type={OwnerKind::RetrofitCase} owner_id={c.id} label={ctx.t(label)} {on_uploaded} />
                if have > 0 {
                    <p class="hint" id={format!("{id}-count")}>{ ctx.t("rf.photos_on_file").replace("{n}", &have.to_string()) }</p>
                }
                if let Some(e) = error { <p class="error" id={format!("{id}-error")}>{ e }</p> }
            </div>
        }
    };
    let fields = match a {
        CaseActionKind::Verify => {
            let check_error = |f: &str, key: &str| {
                errors.iter().find(|e| e.field == f).map(|e| {
                    // The finding is refused as a reason for an exit: say which.
                    if matches!(
                        e.code.as_str(),
                        "no_need" | "not_willing" | "housing_unsuitable" | "not_eligible"
                    ) {
                        ctx.t(key)
                    } else {
                        super::error_text(&e.code, &e.message, lang)
                    }
                })
            };
            html! { <>
                if let Some(e) = err("person_ids") {
                    <p class="error" id="visit-person-error">{ e }</p>
                }
                <TextField id={first.clone()} kind="date" label={ctx.t("rf.visited_on")} value={(*date).clone()} oninput={set(&date, "visit.visited_on")} error={err("visit.visited_on")} required=true />
                <TextField id="visit-visitors" label={ctx.t("rf.visitors")} value={(*text).clone()} oninput={set(&text, "visit.visitors")} error={err("visit.visitors")} required=true />
                <CheckField id="visit-need" label={ctx.t("rf.need_verified")} checked={*need} onchange={flag(&need, "visit.need_verified")} />
                if let Some(e) = check_error("visit.need_verified", "rf.exit_reject") { <p class="error" id="visit-need-error">{ e }</p> }
                <CheckField id="visit-willing" label={ctx.t("rf.willing")} checked={*willing} onchange={flag(&willing, "visit.willing")} />
                if let Some(e) = check_error("visit.willing", "rf.exit_decline") { <p class="error" id="visit-willing-error">{ e }</p> }
                <CheckField id="visit-housing" label={ctx.t("rf.housing_suitable")} checked={*suitable} onchange={flag(&suitable, "visit.housing_suitable")} />
                if let Some(e) = check_error("visit.housing_suitable", "rf.exit_refer") { <p class="error" id="visit-housing-error">{ e }</p> }
                <TextField id="visit-note" label={ctx.t("rehab.note")} value={(*note).clone()} oninput={set(&note, "visit.note")} error={err("visit.note")} multiline=true />
            </> }
        }
        CaseActionKind::Start => html! { <>
            <TextField id={first.clone()} label={ctx.t("rf.contractor")} value={(*text).clone()} oninput={set(&text, "start.contractor")} error={err("start.contractor")} required=true />
            <TextField id="start-on" kind="date" label={ctx.t("rf.started_on")} value={(*date).clone()} oninput={set(&date, "start.started_on")} error={err("start.started_on")} required=true />
        </> },
        CaseActionKind::Complete => {
            let actual: Option<i64> =
                checked_total(costs.iter().map(|s| parse_yuan(s).unwrap_or(0)));
            html! { <>
                <TextField id={first.clone()} kind="date" label={ctx.t("rf.completed_on")} value={(*date).clone()} oninput={set(&date, "complete.completed_on")} error={err("complete.completed_on")} required=true />
                if let Some(e) = errors.iter().find(|e| e.field == "complete.costs").map(|e| super::error_text(&e.code, &e.message, lang)) {
                    <p class="error" id="complete-costs-error">{ e }</p>
                }
                { for c.plan.items.iter().enumerate().map(|(i, l)| {
                    let name = if lang == Lang::En { &l.name_en } else { &l.name_zh };
                    let value = costs.get(i).cloned().unwrap_or_default();
                    let (costs, fh) = (costs.clone(), fh.clone());
                    let oninput = Callback::from(move |v: String| {
                        let mut next = (*costs).clone();
                        if let Some(s) = next.get_mut(i) {
                            *s = v;
                        }
                        costs.set(next);
                        fh.clear_error(&format!("complete.costs[{i}].actual_cost_fen"));
                    });
                    html! {
                        <TextField id={format!("complete-cost-{i}")} label={format!("{} · {} · {}", name, l.location, ctx.t("rf.actual_cost_yuan"))}
                            {value} {oninput} required=true inputmode={Some(AttrValue::Static("decimal"))}
                            error={err(&format!("complete.costs[{i}]"))} />
                    }
                }) }
                <p id="complete-total" aria-live="polite">{ format!("{} {} · {} {}", ctx.t("rf.actual_total"), actual.map(format_hundredths).unwrap_or_else(|| "—".into()), ctx.t("rf.plan_total"), format_hundredths(c.plan.total_fen)) }
                    if let (Some(t), Some(cap)) = (actual, c.plan.cap_fen) {
                        if t > cap { <span class="badge pending">{ ctx.t("rf.over_cap_short") }</span> }
                    }
                </p>
            </> }
        }
        CaseActionKind::Accept => html! { <>
            <TextField id={first.clone()} kind="date" label={ctx.t("rf.accepted_on")} value={(*date).clone()} oninput={set(&date, "acceptance.accepted_on")} error={err("acceptance.accepted_on")} required=true />
            <TextField id="accept-team" label={ctx.t("rf.team")} value={(*text).clone()} oninput={set(&text, "acceptance.team")} error={err("acceptance.team")} required=true />
            <fieldset class="area" id="accept-checklist">
                <legend>{ ctx.t("rf.checklist") }</legend>
                if let Some(e) = errors.iter().find(|e| e.field == "acceptance.results").map(|e| super::error_text(&e.code, &e.message, lang)) {
                    <p class="error" id="accept-checklist-error">{ e }</p>
                }
                { for c.plan.items.iter().enumerate().map(|(i, l)| {
                    let name = if lang == Lang::En { &l.name_en } else { &l.name_zh };
                    let value = results.get(i).cloned().unwrap_or_default();
                    let (results, fh) = (results.clone(), fh.clone());
                    let onchange = Callback::from(move |v: String| {
                        let mut next = (*results).clone();
                        if let Some(s) = next.get_mut(i) {
                            *s = v;
                        }
                        results.set(next);
                        fh.clear_errors(&format!("acceptance.results[{i}]"));
                    });
                    html! {
                        <SelectField id={format!("accept-result-{i}")} label={format!("{} · {}", name, l.location)} required=true
                            {value} {onchange}
                            options={options(ItemResult::ALL, "rf_result", lang, Some("form.choose"))}
                            error={err(&format!("acceptance.results[{i}]"))} />
                    }
                }) }
            </fieldset>
            if all_done {
                <SelectField id="accept-satisfaction" label={ctx.t("rf.satisfaction")} value={(*satisfaction).clone()} required=true
                    options={options(Satisfaction::ALL, "rf_satisfaction", lang, Some("form.choose"))} onchange={set(&satisfaction, "acceptance.satisfaction")} error={err("acceptance.satisfaction")} />
                <p class="hint">{ ctx.t("rf.photos_hint") }</p>
                { photo_box("accept-before", "rf.before_photos", "rf.before_missing", "acceptance.before_photo_ids", p.on_before.clone(), before.len()) }
                { photo_box("accept-after", "rf.after_photos", "rf.after_missing", "acceptance.after_photo_ids", p.on_after.clone(), after.len()) }
                { photo_box("accept-signature", "rf.signature", "rf.signature_missing", "acceptance.signature_id", {
                    let signature = signature.clone();
                    Callback::from(move |m: AttachmentMeta| signature.set(Some(m.id)))
                }, usize::from(signature.is_some())) }
            } else {
                <p class="hint">{ ctx.t("rf.failed_hint") }</p>
            }
            <TextField id="accept-note" label={ctx.t(if all_done { "rehab.note" } else { "rf.redo" })} value={(*note).clone()} oninput={set(&note, "acceptance.note")} error={err("acceptance.note")} multiline=true required={!all_done} />
        </> },
        CaseActionKind::Reject
        | CaseActionKind::Decline
        | CaseActionKind::ReferHousing
        | CaseActionKind::Relocate => html! { <>
            <p class="hint">{ ctx.t(&format!("rf_exit_hint.{a}")) }</p>
            <TextField id={first.clone()} label={ctx.t("rehab.reason")} value={(*text).clone()} oninput={set(&text, "reason")} error={err("reason")} required=true multiline=true />
        </> },
        CaseActionKind::DraftPlan | CaseActionKind::ApprovePlan | CaseActionKind::Archive => {
            html! {}
        }
    };
    html! {
        <form id={format!("step-{a}")} class="step" onsubmit={onsubmit} novalidate=true aria-label={title.clone()}>
            <h3>{ title.clone() }</h3>
            { fields }
            <div class="buttons">
                if exit(a) {
                    <ConfirmButton id={format!("step-{a}-save")} class="danger" label={title.clone()}
                        question={ctx.t(&format!("rf_confirm.{a}"))} disabled={fh.busy()} onconfirm={send.clone()} />
                } else {
                    <button type="submit" class="primary" id={format!("step-{a}-save")} disabled={fh.busy()}>{ title.clone() }</button>
                }
                <button type="button" id={format!("step-{a}-cancel")} onclick={p.oncancel.reform(|_| ())}>{ ctx.t("dev.cancel") }</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_as_typed_back() {
        assert_eq!(yuan_input(120_000), "1200.00");
        assert_eq!(yuan_input(5), "0.05");
        assert_eq!(parse_yuan(&yuan_input(123_456)), Some(123_456));
    }
}
