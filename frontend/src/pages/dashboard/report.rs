//! A unit's period report on its dashboard: where it stands, its children's reports,
//! and the steps the caller may take now (submit, accept, return with a reason,
//! approve, withdraw an approval with a reason) as the API allows them; and the entry
//! of the unit's hand-reported values (value and note).

use shared::plan::{
    Indicator, IndicatorSource, Period, PeriodReportView, ReportAction, ReportActionInput,
    ReportedValueInput,
};
use shared::FieldError;
use yew::prelude::*;

use super::Go;
use super::{input_text, input_unit, parse_value, status_badge, value_text};
use crate::app::{Ctx, Route};
use crate::components::confirm::ConfirmButton;
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::{use_form, Failure};
use crate::hooks::remote::use_remote;

/// Props of [`ReportBox`].
#[derive(Properties, PartialEq, Clone)]
pub struct ReportBoxProps {
    /// Unit.
    pub unit: AttrValue,
    /// Period.
    pub period: Period,
    /// Runs after a step was taken (the figures and statuses change).
    pub on_changed: Callback<()>,
}

/// The period report of a unit, with its workflow buttons.
#[function_component(ReportBox)]
pub fn report_box(p: &ReportBoxProps) -> Html {
    let ctx = use_context::<Ctx>();
    let view = use_remote((p.unit.to_string(), p.period), |(u, per)| async move {
        crate::api::plan::period_report(&u, per).await
    });
    let asking = use_state(|| None::<ReportAction>);
    let reason = use_state(String::new);
    let done = use_state(|| None::<ReportAction>);
    let form = use_form("report-form");
    let units = crate::hooks::units::use_units();
    {
        // Another unit or period: nothing said or asked about the last one stays.
        let (asking, done) = (asking.clone(), done.clone());
        use_effect_with((p.unit.clone(), p.period), move |_| {
            asking.set(None);
            done.set(None);
            || ()
        });
    }
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(v) = view.ready() else {
        return html! {
            <section class="card report-box" id="dash-report" aria-labelledby="dash-report-h">
                <h2 id="dash-report-h">{ ctx.t("report.title") }</h2>
                { view.placeholder(lang, None) }
            </section>
        };
    };
    let act = {
        let (unit, period, view, form, asking, reason, done, changed) = (
            p.unit.to_string(),
            p.period,
            view.clone(),
            form.clone(),
            asking.clone(),
            reason.clone(),
            done.clone(),
            p.on_changed.clone(),
        );
        let version = v.report.version;
        Callback::from(move |action: ReportAction| {
            let needs_reason = matches!(action, ReportAction::Return | ReportAction::Unapprove);
            let text = reason.trim().to_owned();
            if needs_reason && text.is_empty() {
                form.reject(vec![FieldError::new("reason", "required", "")]);
                return;
            }
            let body = ReportActionInput {
                action,
                reason: needs_reason.then_some(text),
                version: Some(version),
            };
            let unit = unit.clone();
            let (view, asking, reason, done, changed, reload) = (
                view.clone(),
                asking.clone(),
                reason.clone(),
                done.clone(),
                changed.clone(),
                view.clone(),
            );
            form.submit(
                move |_| async move {
                    crate::api::plan::report_action(&unit, period, &body)
                        .await
                        .map_err(|e| {
                            // Someone else acted first: show where it stands now.
                            if e.status == 409 {
                                reload.reload();
                            }
                            Failure::from(e)
                        })
                },
                move |answer: PeriodReportView| {
                    view.set(answer);
                    asking.set(None);
                    reason.set(String::new());
                    done.set(Some(action));
                    changed.emit(());
                    super::super::rehab::focus_id("report-done");
                },
            );
        })
    };
    let r = &v.report;
    let approved_children = v
        .children
        .iter()
        .filter(|c| c.status == shared::plan::ReportStatus::Approved)
        .count();
    let button = |a: ReportAction| {
        let id = format!("report-{a}");
        let label = ctx.t(&format!("report_action.{a}"));
        match a {
            ReportAction::Return | ReportAction::Unapprove => {
                let asking = asking.clone();
                html! {
                    <button type="button" class="button" id={id} onclick={Callback::from(move |_| {
                        asking.set(Some(a));
                        super::super::rehab::focus_id("report-reason");
                    })}>{ label }</button>
                }
            }
            _ => html! {
                <ConfirmButton id={id} label={label.clone()} class={classes!((a == ReportAction::Approve).then_some("primary"))}
                    question={ctx.t(&format!("report_q.{a}"))} disabled={form.busy()}
                    onconfirm={act.reform(move |_| a)} />
            },
        }
    };
    html! {
        <section class="card report-box" id="dash-report" aria-labelledby="dash-report-h">
            <h2 id="dash-report-h">{ ctx.t("report.title") }</h2>
            <dl class="facts">
                <dt>{ ctx.t("report.status") }</dt>
                <dd id="report-status">{ status_badge(r.status, lang) }</dd>
                if let (Some(a), Some(by), Some(at)) = (r.last_action, &r.acted_by, r.acted_at) {
                    <dt>{ ctx.t("report.last") }</dt>
                    <dd>{ format!("{} · {} · {}", ctx.t(&format!("report_action.{a}")), by, crate::clock::local_time(at, lang)) }</dd>
                }
                if let Some(reason) = &r.reason {
                    <dt>{ ctx.t("report.reason") }</dt><dd id="report-reason-shown">{ reason }</dd>
                }
                if let (Some(by), Some(at)) = (&r.approved_by, r.approved_at) {
                    <dt>{ ctx.t("report.approved_by") }</dt>
                    <dd>{ format!("{by} · {}", crate::clock::local_time(at, lang)) }</dd>
                }
                if !v.children.is_empty() {
                    <dt>{ ctx.t("report.children") }</dt>
                    <dd id="report-children-count">{ ctx.t("report.children_approved")
                        .replace("{n}", &approved_children.to_string())
                        .replace("{total}", &v.children.len().to_string()) }</dd>
                }
            </dl>
            if let Some(a) = *done {
                <p class="notice" id="report-done" tabindex="-1" role="status">{ ctx.t(&format!("report_done.{a}")) }</p>
            }
            { form.banner(lang, "report-error") }
            if v.allowed.is_empty() {
                <p class="hint" id="report-no-actions">{ ctx.t("report.no_actions") }</p>
            } else {
                <div class="buttons" id="report-actions">
                    { for v.allowed.iter().copied().map(button) }
                </div>
            }
            if let Some(a) = *asking {
                <form id="report-form" class="step" onsubmit={{
                    let act = act.clone();
                    Callback::from(move |e: SubmitEvent| { e.prevent_default(); act.emit(a); })
                }}>
                    <TextField id="report-reason" label={ctx.t("report.reason_for")} value={(*reason).clone()}
                        oninput={form.bind(&reason, "reason")} error={form.error("reason", lang)} required=true multiline=true />
                    <div class="buttons">
                        <button type="submit" class="primary" id={format!("report-{a}-save")} disabled={form.busy()}>{ ctx.t(&format!("report_action.{a}")) }</button>
                        <button type="button" onclick={{ let asking = asking.clone(); Callback::from(move |_| asking.set(None)) }}>{ ctx.t("dev.cancel") }</button>
                    </div>
                </form>
            }
            if !v.children.is_empty() {
                <details class="report-children">
                    <summary>{ ctx.t("report.children_list") }</summary>
                    <ul class="results" id="report-children">
                        { for v.children.iter().map(|c| html! {
                            <li>
                                <Go to={Route::DashboardUnit { unit: c.unit_code.clone(), period: p.period.to_string() }}>
                                    { units.name(&c.unit_code, lang) }
                                </Go>
                                { status_badge(c.status, lang) }
                            </li>
                        }) }
                    </ul>
                </details>
            }
        </section>
    }
}

/// Props of [`ReportedEntry`].
#[derive(Properties, PartialEq, Clone)]
pub struct ReportedEntryProps {
    /// Unit (the user's own).
    pub unit: AttrValue,
    /// Period.
    pub period: Period,
    /// The plan's indicators (the reported ones of this period's kind are offered).
    pub indicators: Vec<Indicator>,
    /// Runs after a value was saved.
    pub on_saved: Callback<()>,
}

/// Entering the unit's hand-reported values for the period: the value and a note.
#[function_component(ReportedEntry)]
pub fn reported_entry(p: &ReportedEntryProps) -> Html {
    let ctx = use_context::<Ctx>();
    let offered: Vec<Indicator> = p
        .indicators
        .iter()
        .filter(|i| i.source == IndicatorSource::Reported && i.period == p.period.kind())
        .cloned()
        .collect();
    let chosen = use_state(|| offered.first().map(|i| i.code.clone()).unwrap_or_default());
    let value = use_state(String::new);
    let note = use_state(String::new);
    let saved = use_state(|| false);
    let form = use_form("entry-form");
    let current = use_remote(
        ((*chosen).clone(), p.unit.to_string(), p.period),
        |(ind, unit, per)| async move {
            if ind.is_empty() {
                return Ok(None);
            }
            let all = crate::api::plan::reported_values(&ind, &unit, per).await?;
            Ok(all.into_iter().find(|v| v.unit_code == unit))
        },
    );
    let kind = offered.iter().find(|i| i.code == *chosen).map(|i| i.kind);
    {
        // The value on file fills the form when it arrives.
        let (value, note) = (value.clone(), note.clone());
        let on_file = current.ready().cloned().flatten();
        use_effect_with(on_file, move |v| {
            match (v, kind) {
                (Some(v), Some(k)) => {
                    value.set(input_text(k, v.value));
                    note.set(v.note.clone());
                }
                _ => {
                    value.set(String::new());
                    note.set(String::new());
                }
            }
            || ()
        });
    }
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    if offered.is_empty() {
        return html! {};
    }
    let options: Vec<(String, String)> = offered
        .iter()
        .map(|i| {
            (
                i.code.clone(),
                if lang == crate::i18n::Lang::En {
                    i.name_en.clone()
                } else {
                    i.name_zh.clone()
                },
            )
        })
        .collect();
    let on_file = current.ready().cloned().flatten();
    let onsubmit = {
        let (form, value, note, chosen, unit, period, saved, current, on_saved) = (
            form.clone(),
            value.clone(),
            note.clone(),
            chosen.clone(),
            p.unit.to_string(),
            p.period,
            saved.clone(),
            current.clone(),
            p.on_saved.clone(),
        );
        let version = on_file.as_ref().map(|v| v.version);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(k) = kind else {
                return;
            };
            let Some(v) = parse_value(k, &value) else {
                form.reject(vec![FieldError::new("value", "not_a_value", "")]);
                return;
            };
            let body = ReportedValueInput {
                value: v,
                evidence_id: None,
                note: note.trim().to_owned(),
                version,
            };
            let (ind, unit) = ((*chosen).clone(), unit.clone());
            let (saved, current, on_saved, reload) = (
                saved.clone(),
                current.clone(),
                on_saved.clone(),
                current.clone(),
            );
            form.submit(
                move |_| async move {
                    crate::api::plan::report_value(&ind, &unit, period, &body)
                        .await
                        .map_err(|e| {
                            if e.status == 409 {
                                reload.reload();
                            }
                            Failure::from(e)
                        })
                },
                move |answer| {
                    current.set(Some(answer));
                    saved.set(true);
                    on_saved.emit(());
                },
            );
        })
    };
    let on_choose = {
        let (chosen, saved, form) = (chosen.clone(), saved.clone(), form.clone());
        Callback::from(move |v: String| {
            chosen.set(v);
            saved.set(false);
            form.clear_error("value");
        })
    };
    html! {
        <section class="card print-hide" aria-labelledby="entry-h">
            <h2 id="entry-h">{ ctx.t("entry.title") }</h2>
            <form id="entry-form" {onsubmit} novalidate=true>
                { form.banner(lang, "entry-error") }
                <SelectField id="entry-indicator" label={ctx.t("entry.indicator")} value={(*chosen).clone()} options={options} onchange={on_choose} />
                if let Some(v) = &on_file {
                    <p class="hint" id="entry-on-file">{ ctx.t("entry.on_file")
                        .replace("{value}", &kind.map(|k| value_text(k, v.value, lang)).unwrap_or_default())
                        .replace("{by}", &v.updated_by)
                        .replace("{at}", &crate::clock::local_time(v.updated_at, lang)) }</p>
                }
                <TextField id="entry-value" label={format!("{}（{}）", ctx.t("entry.value"), kind.map(|k| input_unit(k, lang)).unwrap_or_default())}
                    value={(*value).clone()} oninput={form.bind(&value, "value")} error={form.error("value", lang)} required=true inputmode={Some(AttrValue::Static("decimal"))} />
                <TextField id="entry-note" label={ctx.t("entry.note")} value={(*note).clone()} oninput={form.bind(&note, "note")} error={form.error("note", lang)} multiline=true />
                <p class="hint">{ ctx.t("entry.no_evidence") }</p>
                <div class="buttons">
                    <button type="submit" class="primary" id="entry-save" disabled={form.busy()}>{ ctx.t("entry.save") }</button>
                </div>
                if *saved {
                    <p class="notice" role="status" id="entry-saved">{ ctx.t("entry.saved") }</p>
                }
            </form>
        </section>
    }
}
