//! A household's plan (一户一策): the measures agreed for the household of a person,
//! each with the responsible unit, the due day and the day it was done, and a note.
//! County staff who survey make and change it (a change carries the version seen; a
//! 409 loads the server's plan and says so); others read it.

use shared::auth::Capability;
use shared::person::Person;
use shared::survey::{HouseholdPlan, HouseholdPlanInput, HouseholdPlanUpdate, PlanMeasure};
use shared::FieldError;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::survey as api;
use crate::app::{Ctx, Route};
use crate::components::field::TextField;
use crate::hooks::form::{merge_errors, use_form, Failure};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::i18n::Lang;
use crate::pages::duties::{facts, outcome_view};
use crate::pages::rehab::{focus_id, parse_date, ymd};
use crate::pages::supervision::{can, some};

/// Props of [`PlanPage`].
#[derive(Properties, PartialEq)]
pub struct PlanProps {
    /// The person's id.
    pub id: String,
}

/// One measure as the form holds it (days as typed).
#[derive(Debug, Clone, Default, PartialEq)]
struct Row {
    measure: String,
    unit: String,
    due: String,
    done: String,
}

impl From<&PlanMeasure> for Row {
    fn from(m: &PlanMeasure) -> Self {
        Self {
            measure: m.measure.clone(),
            unit: m.responsible_unit.clone(),
            due: ymd(m.due_on),
            done: m.done_on.map(ymd).unwrap_or_default(),
        }
    }
}

/// The rows as measures, with the errors of days that are not days.
fn measures(rows: &[Row]) -> (Vec<PlanMeasure>, Vec<FieldError>) {
    let mut errs = Vec::new();
    let list = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let due = parse_date(&r.due);
            if due.is_none() {
                errs.push(FieldError::new(
                    format!("measures[{i}].due_on"),
                    "invalid_date",
                    "",
                ));
            }
            let done = parse_date(&r.done);
            if done.is_none() && !r.done.trim().is_empty() {
                errs.push(FieldError::new(
                    format!("measures[{i}].done_on"),
                    "invalid_date",
                    "",
                ));
            }
            PlanMeasure {
                measure: r.measure.trim().to_owned(),
                responsible_unit: r.unit.trim().to_owned(),
                due_on: due.unwrap_or_default(),
                done_on: done,
            }
        })
        .collect();
    (list, errs)
}

/// The household plan page.
#[function_component(PlanPage)]
pub fn plan_page(p: &PlanProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("hp.title")).unwrap_or_default());
    let person = use_remote(p.id.clone(), |id| async move {
        crate::api::get::<Person>(&format!("/api/v1/persons/{id}")).await
    });
    // A household without a plan yet answers 404: the form starts empty.
    let plan = use_remote(p.id.clone(), |id| async move {
        match api::plan(&id).await {
            Ok(plan) => Ok(Some(plan)),
            Err(e) if e.status == 404 => Ok(None),
            Err(e) => Err(e),
        }
    });
    let outcome = use_state(|| None::<Result<String, String>>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let (Some(person), Some(current)) = (person.ready(), plan.ready()) else {
        return html! { <section class="card">
            { person.placeholder(lang, Some("persons.not_found")) }
            { plan.placeholder(lang, None) }
        </section> };
    };
    // Saved, or refused because someone changed the plan since (then the server's plan
    // replaces the form): the form starts over from the plan, the outcome stays.
    let on_saved = {
        let (plan, outcome) = (plan.clone(), outcome.clone());
        Callback::from(move |(p, conflict): (HouseholdPlan, bool)| {
            plan.set(Some(p));
            outcome.set(Some(if conflict {
                Err(lang.t("hp.conflict"))
            } else {
                Ok(lang.t("hp.saved"))
            }));
            focus_id("plan-outcome");
        })
    };
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Person { id: p.id.clone() }}>{ &person.name }</Link<Route>>
            </nav>
            <h1>{ format!("{} · {}", ctx.t("hp.title"), person.name) }</h1>
            { outcome_view("plan-outcome", &outcome) }
            if let Some(plan) = current {
                { facts("plan-facts", &[
                    ("hp.household", "plan-household", plan.household_number.clone().unwrap_or_default()),
                    ("hp.overdue", "plan-overdue", plan.overdue.to_string()),
                    ("hp.updated_by", "plan-updated-by", plan.updated_by.clone()),
                ], lang) }
            } else {
                <p role="status" id="plan-none">{ ctx.t("hp.none") }</p>
            }
            if can(&ctx, Capability::WriteSurveys) {
                <PlanForm key={current.as_ref().map(|c| c.version).unwrap_or(0)} person={p.id.clone()}
                    plan={current.clone()} onsaved={on_saved} />
            } else if let Some(plan) = current {
                { measures_view(plan, lang) }
            }
        </section>
    }
}

/// The measures of a plan, read only.
fn measures_view(plan: &HouseholdPlan, lang: Lang) -> Html {
    html! {
        <ol class="results details" id="plan-measures" aria-label={lang.t("hp.measures")}>
            { for plan.measures.iter().map(|m| html! {
                <li>
                    <strong>{ &m.measure }</strong>
                    <span>{ &m.responsible_unit }</span>
                    <span class="nowrap">{ lang.t("hp.due_on_n").replace("{date}", &m.due_on.to_string()) }</span>
                    <span class="nowrap">{ match m.done_on {
                        Some(d) => lang.t("hp.done_on_n").replace("{date}", &d.to_string()),
                        None => lang.t("hp.not_done"),
                    } }</span>
                </li>
            }) }
        </ol>
    }
}

/// Props of [`PlanForm`].
#[derive(Properties, PartialEq)]
struct FormProps {
    /// The person.
    person: String,
    /// The plan as loaded (none: a new one).
    plan: Option<HouseholdPlan>,
    /// Saved (false), or the server's newer plan after a 409 (true).
    onsaved: Callback<(HouseholdPlan, bool)>,
}

/// Makes or changes a plan.
#[function_component(PlanForm)]
fn plan_form(p: &FormProps) -> Html {
    let ctx = use_context::<Ctx>();
    let fh = use_form("plan-form");
    let rows = use_state(|| match &p.plan {
        Some(plan) => plan.measures.iter().map(Row::from).collect(),
        None => vec![Row::default()],
    });
    let note = use_state(|| {
        p.plan
            .as_ref()
            .and_then(|x| x.note.clone())
            .unwrap_or_default()
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let onsubmit = {
        let (fh, rows, note, onsaved) = (fh.clone(), rows.clone(), note.clone(), p.onsaved.clone());
        let (person, version) = (p.person.clone(), p.plan.as_ref().map(|x| x.version));
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (list, mut errs) = measures(&rows);
            let fields = HouseholdPlanInput {
                measures: list,
                note: some(&note),
            };
            if let Err(more) = fields.validate(crate::clock::today()) {
                merge_errors(&mut errs, more);
            }
            if !errs.is_empty() {
                return fh.reject(errs);
            }
            let (person, onsaved, refused) = (person.clone(), onsaved.clone(), onsaved.clone());
            fh.submit(
                move |_| async move {
                    let body = HouseholdPlanUpdate { version, fields };
                    api::put_plan(&person, &body).await.map_err(|e| {
                        if let Some(theirs) = crate::api::supervision::current_of(&e) {
                            refused.emit((theirs, true));
                        }
                        Failure::Api(e)
                    })
                },
                move |plan: HouseholdPlan| onsaved.emit((plan, false)),
            );
        })
    };
    let set = |i: usize, f: fn(&mut Row, String), field: &'static str| {
        let (rows, fh) = (rows.clone(), fh.clone());
        Callback::from(move |v: String| {
            let mut all = (*rows).clone();
            if let Some(r) = all.get_mut(i) {
                f(r, v);
            }
            rows.set(all);
            fh.clear_error(&format!("measures[{i}].{field}"));
        })
    };
    let add = {
        let rows = rows.clone();
        Callback::from(move |_: MouseEvent| {
            let mut all = (*rows).clone();
            all.push(Row::default());
            let n = all.len();
            rows.set(all);
            focus_id(format!("plan-{}-measure", n - 1));
        })
    };
    let err = |i: usize, f: &str| fh.error(&format!("measures[{i}].{f}"), lang);
    html! {
        <form id="plan-form" {onsubmit} novalidate=true aria-label={ctx.t("hp.edit")}>
            <h2>{ ctx.t("hp.measures") }</h2>
            { fh.banner(lang, "plan-banner") }
            if let Some(e) = fh.error("measures", lang) {
                <p class="error" id="plan-measures-error">{ e }</p>
            }
            { for rows.iter().enumerate().map(|(i, r)| {
                let remove = {
                    let (rows, fh) = (rows.clone(), fh.clone());
                    Callback::from(move |_: MouseEvent| {
                        let mut all = (*rows).clone();
                        if i < all.len() {
                            all.remove(i);
                        }
                        rows.set(all);
                        fh.clear_errors("measures[");
                    })
                };
                let n = (i + 1).to_string();
                html! {
                    <fieldset class="roles" id={format!("plan-{i}")} key={i}>
                        <legend>{ ctx.t("hp.measure_n").replace("{n}", &n) }</legend>
                        <TextField id={format!("plan-{i}-measure")} label={ctx.t("hp.measure")} value={r.measure.clone()}
                            oninput={set(i, |r, v| r.measure = v, "measure")} error={err(i, "measure")} required=true />
                        <TextField id={format!("plan-{i}-unit")} label={ctx.t("hp.unit")} value={r.unit.clone()}
                            oninput={set(i, |r, v| r.unit = v, "responsible_unit")} error={err(i, "responsible_unit")} required=true />
                        <TextField id={format!("plan-{i}-due")} kind="date" label={ctx.t("hp.due_on")} value={r.due.clone()}
                            oninput={set(i, |r, v| r.due = v, "due_on")} error={err(i, "due_on")} required=true />
                        <TextField id={format!("plan-{i}-done")} kind="date" label={ctx.t("hp.done_on")} value={r.done.clone()}
                            oninput={set(i, |r, v| r.done = v, "done_on")} error={err(i, "done_on")} />
                        <button type="button" class="link" id={format!("plan-{i}-remove")} onclick={remove}
                            aria-label={ctx.t("hp.remove_n").replace("{n}", &n)}>{ ctx.t("hp.remove") }</button>
                    </fieldset>
                }
            }) }
            <div class="buttons">
                <button type="button" id="plan-add" onclick={add}>{ ctx.t("hp.add") }</button>
            </div>
            <TextField id="plan-note" label={ctx.t("sur.note")} value={(*note).clone()}
                oninput={fh.bind(&note, "note")} error={fh.error("note", lang)} multiline=true />
            <div class="buttons">
                <button type="submit" class="primary" id="plan-save" disabled={fh.busy()}>{ ctx.t("visits.save") }</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_days_become_measures_or_errors_next_to_them() {
        let rows = vec![
            Row {
                measure: " 申报护理补贴 ".into(),
                unit: "县民政局".into(),
                due: "2020-06-30".into(),
                done: String::new(),
            },
            Row {
                due: "30/06/2020".into(),
                done: "x".into(),
                ..Row::default()
            },
        ];
        let (list, errs) = measures(&rows);
        assert_eq!(list[0].measure, "申报护理补贴");
        assert_eq!(list[0].done_on, None);
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["measures[1].due_on", "measures[1].done_on"]);
    }
}
