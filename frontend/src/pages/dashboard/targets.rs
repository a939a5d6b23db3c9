//! Splitting targets down the tree: a unit's target for an indicator and period, and
//! one input per child. An empty input is "no target", which is not a target of zero;
//! a warning says when the children's targets add up to less than the parent's. Each
//! row saves on its own with the version it was loaded with: if someone changed it in
//! the meantime (409), the row says so next to its input and shows the newer value.

use shared::auth::{Capability, PLAN_OFFICE};
use shared::plan::{Indicator, IndicatorKind, Period, Target, TargetInput, TargetWarning};
use shared::FieldError;
use yew::prelude::*;

use super::page::indicator_name;
use super::{
    default_period, input_text, input_unit, parse_value, period_options, plan_years, target_text,
    value_text,
};
use crate::app::Ctx;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::i18n::Lang;

/// A warning about the split, in words.
fn warning_text(w: &TargetWarning, kind: IndicatorKind, name: &str, lang: Lang) -> String {
    lang.t(&format!("targets.warn.{}", w.code))
        .replace("{parent}", name)
        .replace("{parent_value}", &value_text(kind, w.parent_value, lang))
        .replace("{sum}", &value_text(kind, w.children_sum, lang))
        .replace("{without}", &w.children_without.to_string())
}

/// Props of [`TargetRow`].
#[derive(Properties, PartialEq, Clone)]
pub struct RowProps {
    /// Indicator.
    pub indicator: Indicator,
    /// Unit code.
    pub unit: String,
    /// Unit name.
    pub name: String,
    /// Period.
    pub period: Period,
    /// The target on file.
    pub target: Option<Target>,
    /// Whether the user may change it.
    pub editable: bool,
    /// Runs after a save or a removal.
    pub on_changed: Callback<()>,
    /// Runs after a conflict (someone else changed it): loads the newer value.
    pub on_stale: Callback<()>,
}

/// One unit's target: shown, and when the user may set it, an input with save and
/// remove buttons.
#[function_component(TargetRow)]
pub fn target_row(p: &RowProps) -> Html {
    let ctx = use_context::<Ctx>();
    let kind = p.indicator.kind;
    let value = use_state(|| {
        p.target
            .as_ref()
            .map(|t| input_text(kind, t.value))
            .unwrap_or_default()
    });
    let stale = use_state(|| false);
    let container = format!("target-{}", p.unit);
    let form = use_form(container.clone());
    {
        // A newer target (saved here or by someone else) replaces what the input shows.
        let value = value.clone();
        use_effect_with(p.target.clone(), move |t| {
            value.set(
                t.as_ref()
                    .map(|t| input_text(kind, t.value))
                    .unwrap_or_default(),
            );
            || ()
        });
    }
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let version = p.target.as_ref().map(|t| t.version);
    let on_save = {
        let (form, value, stale, p) = (form.clone(), value.clone(), stale.clone(), p.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let typed = value.trim().to_owned();
            if typed.is_empty() {
                form.reject(vec![FieldError::new("value", "required", "")]);
                return;
            }
            let Some(v) = parse_value(kind, &typed) else {
                form.reject(vec![FieldError::new("value", "not_a_value", "")]);
                return;
            };
            let body = TargetInput { value: v, version };
            let (ind, unit, period) = (p.indicator.code.clone(), p.unit.clone(), p.period);
            let (changed, stale_set, conflict) =
                (p.on_changed.clone(), stale.clone(), p.on_changed.clone());
            stale.set(false);
            form.submit(
                move |_| async move {
                    crate::api::plan::set_target(&ind, &unit, period, &body)
                        .await
                        .map_err(|e| {
                            if e.status == 409 {
                                stale_set.set(true);
                                conflict.emit(());
                            }
                            Failure::from(e)
                        })
                },
                move |_: shared::plan::TargetAnswer| changed.emit(()),
            );
        })
    };
    let on_clear = {
        let (form, stale, p) = (form.clone(), stale.clone(), p.clone());
        Callback::from(move |_| {
            let Some(version) = version else {
                return;
            };
            let (ind, unit, period) = (p.indicator.code.clone(), p.unit.clone(), p.period);
            let (changed, stale_set, conflict) =
                (p.on_changed.clone(), stale.clone(), p.on_changed.clone());
            stale.set(false);
            form.submit(
                move |_| async move {
                    crate::api::plan::clear_target(&ind, &unit, period, version)
                        .await
                        .map_err(|e| {
                            if e.status == 409 {
                                stale_set.set(true);
                                conflict.emit(());
                            }
                            Failure::from(e)
                        })
                },
                move |()| changed.emit(()),
            );
        })
    };
    let input_id = format!("target-{}-value", p.unit);
    // A refusal without a field of its own (not settable, locked, stale) goes next to
    // the input too: that is where the user looks.
    let error = form
        .error("value", lang)
        .or_else(|| (*stale).then(|| ctx.t("targets.stale")));
    let current = target_text(kind, p.target.as_ref().map(|t| t.value), lang);
    html! {
        <li id={format!("target-row-{}", p.unit)}>
            <h3>{ &p.name }</h3>
            <p class="target-now">
                { ctx.t("targets.current") }{ " " }
                <strong id={format!("target-{}-current", p.unit)}>{ current }</strong>
                if let Some(t) = &p.target {
                    <span class="hint-inline">{ format!(" · {} · {}", t.set_by, crate::clock::local_time(t.set_at, lang)) }</span>
                }
            </p>
            if p.editable {
                <form id={container} class="inline-form" onsubmit={on_save} novalidate=true>
                    { form.banner(lang, &format!("target-{}-banner", p.unit)) }
                    <TextField id={input_id} label={format!("{}（{}）", ctx.t("targets.new_value"), input_unit(kind, lang))}
                        value={(*value).clone()} oninput={form.bind(&value, "value")} error={error}
                        inputmode={Some(AttrValue::Static("decimal"))} />
                    <div class="buttons">
                        <button type="submit" class="primary" id={format!("target-{}-save", p.unit)} disabled={form.busy()}>{ ctx.t("targets.save") }</button>
                        if p.target.is_some() {
                            <ConfirmButton id={format!("target-{}-clear", p.unit)} label={ctx.t("targets.clear")}
                                question={ctx.t("targets.clear_q")} onconfirm={on_clear} disabled={form.busy()} />
                        }
                    </div>
                </form>
            }
        </li>
    }
}

/// The targets page.
#[function_component(TargetsPage)]
pub fn targets_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(
        ctx.as_ref()
            .map(|c| c.t("targets.title"))
            .unwrap_or_default(),
    );
    let units = crate::hooks::units::use_units();
    let plans = use_remote((), |_| crate::api::plan::plans());
    let period = use_state(|| None::<Period>);
    let effective = (*period).or_else(|| {
        plans
            .ready()
            .and_then(|ps| default_period(ps, crate::clock::this_year()))
    });
    let plan = use_remote(effective.map(|p| p.year), |y| async move {
        match y {
            Some(y) => crate::api::plan::plan(y).await.map(Some),
            None => Ok(None),
        }
    });
    let chosen = use_state(|| None::<String>);
    let indicators: Vec<Indicator> = plan
        .ready()
        .cloned()
        .flatten()
        .map(|d| d.indicators)
        .unwrap_or_default()
        .into_iter()
        .filter(|i| effective.is_some_and(|p| p.kind() == i.period))
        .collect();
    let indicator = (*chosen)
        .clone()
        .filter(|c| indicators.iter().any(|i| &i.code == c))
        .or_else(|| indicators.first().map(|i| i.code.clone()));
    let path = use_state(Vec::<String>::new);
    let scope = ctx
        .as_ref()
        .and_then(|c| c.me.as_ref())
        .map(|m| m.scope.code.clone())
        .unwrap_or_default();
    let unit = path.last().cloned().unwrap_or_else(|| scope.clone());
    let split = use_remote(
        (indicator.clone(), unit.clone(), effective),
        |(ind, unit, per)| async move {
            match (ind, per) {
                (Some(i), Some(p)) => crate::api::plan::targets(&i, &unit, p).await.map(Some),
                _ => Ok(None),
            }
        },
    );
    let saved = use_state(|| false);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let Some(me) = ctx.me.clone() else {
        return html! {};
    };
    let lang = ctx.lang;
    let may = me.permissions.contains(&Capability::SetTargets);
    // Targets are set for the units below one's own; the province's by the poverty
    // office (the API refuses anything else, next to the input).
    let editable = |code: &str| {
        may && ((code.len() > me.scope.code.len() && code.starts_with(&me.scope.code))
            || (code == "43" && me.unit.code == PLAN_OFFICE))
    };
    let head = html! {
        <h1>{ ctx.t("targets.title") }</h1>
    };
    let Some(list) = plans.ready() else {
        return html! { <section class="card">{ head }{ plans.placeholder(lang, None) }</section> };
    };
    let Some(per) = effective else {
        return html! { <section class="card">{ head }<p role="status">{ ctx.t("err.no_plan") }</p></section> };
    };
    let on_period = {
        let (period, saved) = (period.clone(), saved.clone());
        Callback::from(move |v: String| {
            period.set(Period::parse(&v));
            saved.set(false);
        })
    };
    let on_indicator = {
        let (chosen, saved) = (chosen.clone(), saved.clone());
        Callback::from(move |v: String| {
            chosen.set(Some(v));
            saved.set(false);
        })
    };
    let ind_options: Vec<(String, String)> = indicators
        .iter()
        .map(|i| (i.code.clone(), indicator_name(i, lang)))
        .collect();
    let ind = indicator
        .as_ref()
        .and_then(|c| indicators.iter().find(|i| &i.code == c))
        .cloned();
    // The split is loaded again after every change: its warnings follow.
    let on_changed = {
        let (split, saved) = (split.clone(), saved.clone());
        Callback::from(move |()| {
            saved.set(true);
            split.reload();
        })
    };
    let on_stale = {
        let (split, saved) = (split.clone(), saved.clone());
        Callback::from(move |()| {
            saved.set(false);
            split.reload();
        })
    };
    let body = match (split.ready(), ind) {
        (None, _) => split.placeholder(lang, None),
        (Some(None), _) | (_, None) => html! { <p>{ ctx.t("targets.no_indicators") }</p> },
        (Some(Some(s)), Some(ind)) => {
            let kind = ind.kind;
            let unit_name = units.name(&unit, lang);
            let set: Vec<i64> = s
                .children
                .iter()
                .filter_map(|c| c.target.as_ref().map(|t| t.value))
                .collect();
            let without = s.children.len() - set.len();
            let sum = set.iter().fold(0i64, |a, v| a.saturating_add(*v));
            let back = (!path.is_empty()).then(|| {
                let path = path.clone();
                let parent = if path.len() >= 2 {
                    units.name(&path[path.len() - 2], lang)
                } else {
                    units.name(&me.scope.code, lang)
                };
                html! {
                    <p><button type="button" id="targets-back" onclick={Callback::from(move |_| {
                        let mut p = (*path).clone();
                        p.pop();
                        path.set(p);
                        super::super::rehab::focus_id("targets-unit");
                    })}>{ ctx.t("kpi.back").replace("{name}", &parent) }</button></p>
                }
            });
            html! { <>
                { back.unwrap_or_default() }
                <h2 id="targets-unit" tabindex="-1">{ format!("{unit_name} · {}", indicator_name(&ind, lang)) }</h2>
                <ul class="target-rows" id="targets-parent">
                    <TargetRow indicator={ind.clone()} unit={unit.clone()} name={ctx.t("targets.own").replace("{u}", &unit_name)}
                        period={per} target={s.target.clone()} editable={editable(&unit)} on_changed={on_changed.clone()} on_stale={on_stale.clone()} />
                </ul>
                if kind != IndicatorKind::Ratio && !s.children.is_empty() {
                    <p id="targets-sum">{ ctx.t("targets.sum")
                        .replace("{sum}", &value_text(kind, sum, lang))
                        .replace("{without}", &without.to_string()) }</p>
                }
                if kind == IndicatorKind::Ratio {
                    <p class="hint">{ ctx.t("targets.ratio_hint") }</p>
                }
                { for s.warnings.iter().map(|w| html! {
                    <p class="notice pending" role="status" id={format!("targets-warning-{}", w.code)}>
                        <span aria-hidden="true">{ "⚠ " }</span>{ warning_text(w, kind, &units.name(&w.parent_code, lang), lang) }
                    </p>
                }) }
                if *saved {
                    <p class="notice" role="status" id="targets-saved">{ ctx.t("targets.saved") }</p>
                }
                <h2>{ ctx.t("targets.children") }</h2>
                if s.children.is_empty() {
                    <p>{ ctx.t("kpi.no_parts") }</p>
                }
                <ul class="target-rows" id="targets-children">
                    { for s.children.iter().map(|c| {
                        let name = units.name(&c.unit_code, lang);
                        let name = if units.loaded() { name } else { c.unit_name.clone() };
                        let drill = (c.unit_code.len() < 6).then(|| {
                            let (path, code, saved) = (path.clone(), c.unit_code.clone(), saved.clone());
                            Callback::from(move |_: MouseEvent| {
                                let mut p = (*path).clone();
                                p.push(code.clone());
                                path.set(p);
                                saved.set(false);
                                super::super::rehab::focus_id("targets-unit");
                            })
                        });
                        html! { <>
                            <TargetRow indicator={ind.clone()} unit={c.unit_code.clone()} name={name.clone()} period={per}
                                target={c.target.clone()} editable={editable(&c.unit_code)} on_changed={on_changed.clone()} on_stale={on_stale.clone()} />
                            if let Some(onclick) = drill {
                                <li class="drill">
                                    <button type="button" class="link" id={format!("targets-drill-{}", c.unit_code)} {onclick}>
                                        { ctx.t("targets.drill").replace("{u}", &name) }
                                    </button>
                                </li>
                            }
                        </> }
                    }) }
                </ul>
            </> }
        }
    };
    html! {
        <section class="card">
            { head }
            <p class="hint">{ ctx.t("targets.about") }</p>
            <SelectField id="targets-period" label={ctx.t("dash.period")} value={per.to_string()} options={period_options(&plan_years(list), lang)} onchange={on_period} />
            <SelectField id="targets-indicator" label={ctx.t("dash.indicator")} value={indicator.clone().unwrap_or_default()} options={ind_options} onchange={on_indicator} />
            { body }
        </section>
    }
}
