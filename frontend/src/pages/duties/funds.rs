//! Measure 21, funds by factors (因素法资金分配): the allocations the user may see (title,
//! year, department, total, status), and for the provincial general office the form
//! that computes a new one from the registry: the fund, the provincial department whose
//! fund it is, the factors with their weights in percent (adding up to 100 %), and the
//! uplift of the deeply poor counties. The rule itself is `shared::duties::allocate`;
//! the server runs it and keeps the working.

use shared::auth::Capability;
use shared::duties::{
    AllocationCreate, AllocationInput, Factor, FundAllocation, Weight, DEFAULT_UPLIFT_BP,
};
use shared::money::{format_hundredths, parse_percent_bp, parse_yuan};
use shared::FieldError;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{error_text, yuan};
use crate::api::duties as api;
use crate::app::{Ctx, Route};
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::i18n::Lang;
use crate::pages::rehab::years;
use crate::pages::supervision::{can, department_options, year_options};

/// The weights the form starts with, in the order of [`Factor::ALL`]: the registered
/// poor, those not yet lifted and the severely disabled; retrofit needs left out (a year
/// without retrofit cases would refuse the factor).
fn default_weights() -> Vec<String> {
    Factor::ALL
        .iter()
        .map(|f| match f {
            Factor::RegisteredPoor => "40",
            Factor::NotLifted => "30",
            Factor::Severe => "30",
            Factor::RetrofitNeed => "",
        })
        .map(str::to_owned)
        .collect()
}

/// The weights typed, as the API takes them: blank or 0 leaves a factor out; `Err` when
/// one is not a percentage.
fn parse_weights(typed: &[String]) -> Result<Vec<Weight>, ()> {
    let mut weights = Vec::new();
    for (factor, text) in Factor::ALL.iter().zip(typed) {
        if text.trim().is_empty() {
            continue;
        }
        let bp = parse_percent_bp(text).ok_or(())?;
        if bp > 0 {
            weights.push(Weight {
                factor: *factor,
                weight_bp: bp,
            });
        }
    }
    Ok(weights)
}

/// The factors and their weights of an allocation ("建档立卡贫困残疾人数 60.00 %、…").
pub fn weights_text(weights: &[Weight], lang: Lang) -> String {
    weights
        .iter()
        .map(|w| {
            format!(
                "{} {}\u{a0}%",
                lang.t(&format!("factor.{}", w.factor)),
                format_hundredths(w.weight_bp)
            )
        })
        .collect::<Vec<_>>()
        .join(lang.t("du.list_sep").as_str())
}

/// The allocations page: the list and, for the fund makers, the form.
#[function_component(FundsPage)]
pub fn funds_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("fund.title")).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    let year = use_state(|| None::<i32>);
    let list = use_remote(*year, |y| async move { api::allocations(y).await });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let on_year = {
        let year = year.clone();
        Callback::from(move |v: String| year.set(v.parse().ok()))
    };
    let body = match list.ready() {
        None => list.placeholder(lang, None),
        Some(v) if v.is_empty() => {
            html! { <p role="status" id="allocations-none">{ ctx.t("fund.none") }</p> }
        }
        Some(v) => html! {
            <ul class="results" id="allocations" aria-labelledby="allocations-title">
                { for v.iter().map(|a: &FundAllocation| html! {
                    <li key={a.id.to_string()}>
                        <Link<Route> to={Route::Allocation { id: a.id.to_string() }}>{ &a.fields.title }</Link<Route>>
                        <span>{ ctx.t("fund.year_of").replace("{year}", &a.fields.year.to_string()) }</span>
                        <span>{ units.name(&a.fields.department_code, lang) }</span>
                        <span class="nowrap">{ yuan(a.fields.total_fen, lang) }</span>
                        <span class={classes!("badge", (a.status == shared::duties::AllocationStatus::Draft).then_some("pending"))}>
                            { ctx.t(&format!("alloc_status.{}", a.status)) }
                        </span>
                    </li>
                }) }
            </ul>
        },
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("fund.title") }</h1>
            <p class="hint">{ ctx.t("fund.rule") }</p>
            <h2 id="allocations-title">{ ctx.t("fund.list") }</h2>
            <div class="filters">
                <SelectField id="allocations-year" label={ctx.t("kpi.year")} value={year.map(|y| y.to_string()).unwrap_or_default()}
                    options={year_options(lang, true)} onchange={on_year} />
            </div>
            { body }
            if can(&ctx, Capability::ManageFunds) {
                <h2>{ ctx.t("fund.new") }</h2>
                <AllocationForm />
            }
        </section>
    }
}

/// Computes a new allocation; on success the page of the allocation opens.
#[function_component(AllocationForm)]
fn allocation_form() -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let navigator = use_navigator();
    let title = use_state(String::new);
    let year = use_state(|| crate::clock::this_year().to_string());
    let department = use_state(String::new);
    let total = use_state(String::new);
    let weights = use_state(default_weights);
    let uplift = use_state(|| format_hundredths(DEFAULT_UPLIFT_BP));
    let fh = use_form("alloc-form");
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| {
        fh.errors()
            .iter()
            .find(|e| e.field == f)
            .map(|e| error_text(&e.code, &e.message, lang))
    };
    let onsubmit = {
        let (fh, navigator) = (fh.clone(), navigator.clone());
        let (title, year, department, total, weights, uplift) = (
            title.clone(),
            year.clone(),
            department.clone(),
            total.clone(),
            weights.clone(),
            uplift.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut errs = Vec::new();
            let total_fen = parse_yuan(&total);
            if total_fen.is_none() {
                let code = if total.trim().is_empty() {
                    "required"
                } else {
                    "invalid_amount"
                };
                errs.push(FieldError::new("total_fen", code, ""));
            }
            let parsed = parse_weights(&weights);
            if parsed.is_err() {
                errs.push(FieldError::new("weights", "invalid_percent", ""));
            }
            let uplift_bp = parse_percent_bp(&uplift);
            if uplift_bp.is_none() {
                errs.push(FieldError::new("uplift_bp", "invalid_percent", ""));
            }
            let fields = AllocationInput {
                year: year.parse().unwrap_or_default(),
                title: title.trim().to_owned(),
                department_code: (*department).clone(),
                total_fen: total_fen.unwrap_or(1),
                weights: parsed.unwrap_or_default(),
                uplift_bp: uplift_bp.unwrap_or(DEFAULT_UPLIFT_BP),
            };
            if department.is_empty() {
                errs.push(FieldError::new("department_code", "required", ""));
            }
            // The shared rules, for the fields not already refused above.
            if let Err(more) = fields.validate() {
                for m in more {
                    if !errs.iter().any(|e| e.field == m.field) {
                        errs.push(m);
                    }
                }
            }
            if !errs.is_empty() {
                fh.reject(errs);
                return;
            }
            let navigator = navigator.clone();
            fh.submit(
                move |id| async move {
                    api::create_allocation(&AllocationCreate {
                        id: Some(id),
                        fields,
                    })
                    .await
                    .map_err(Failure::Api)
                },
                move |a: FundAllocation| {
                    if let Some(n) = &navigator {
                        n.push(&Route::Allocation {
                            id: a.id.to_string(),
                        });
                    }
                },
            );
        })
    };
    let set_weight = |i: usize| {
        let (weights, fh) = (weights.clone(), fh.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                let mut next = (*weights).clone();
                if let Some(w) = next.get_mut(i) {
                    *w = input.value();
                }
                weights.set(next);
                fh.clear_error("weights");
            }
        })
    };
    let departments: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("form.choose")))
        .chain(department_options(&units, lang))
        .collect();
    let year_opts: Vec<(String, String)> = years()
        .into_iter()
        .map(|y| (y.to_string(), y.to_string()))
        .collect();
    let weights_error = err("weights");
    let sum: Option<i64> = parse_weights(&weights)
        .ok()
        .map(|w| w.iter().map(|w| w.weight_bp).sum());
    html! {
        <form id="alloc-form" onsubmit={onsubmit} novalidate=true aria-label={ctx.t("fund.new")}>
            { fh.banner(lang, "alloc-banner") }
            <TextField id="alloc-title" label={ctx.t("fund.fund_title")} value={(*title).clone()}
                oninput={fh.bind(&title, "title")} error={err("title")} required=true />
            <p class="hint">{ ctx.t("fund.title_hint") }</p>
            <SelectField id="alloc-year" label={ctx.t("kpi.year")} value={(*year).clone()} options={year_opts}
                onchange={fh.bind(&year, "year")} error={err("year")} required=true />
            <SelectField id="alloc-department" label={ctx.t("fund.department")} value={(*department).clone()} options={departments}
                onchange={fh.bind(&department, "department_code")} error={err("department_code")} required=true />
            <TextField id="alloc-total" label={ctx.t("fund.total")} value={(*total).clone()} inputmode={Some(AttrValue::Static("decimal"))}
                oninput={fh.bind(&total, "total_fen")} error={err("total_fen")} required=true />
            <fieldset class={classes!("area", "weights", weights_error.is_some().then_some("has-error"))} id="alloc-weights">
                <legend>{ ctx.t("fund.weights") }</legend>
                <p class="hint">{ ctx.t("fund.weights_hint") }</p>
                { for Factor::ALL.iter().enumerate().map(|(i, f)| {
                    let id = format!("alloc-weight-{f}");
                    html! {
                        <div class="field">
                            <label for={id.clone()}>{ ctx.t(&format!("factor.{f}")) }</label>
                            <input id={id.clone()} name={id} type="text" inputmode="decimal" autocomplete="off"
                                value={weights.get(i).cloned().unwrap_or_default()} oninput={set_weight(i)}
                                aria-invalid={weights_error.is_some().then_some("true")}
                                aria-describedby={weights_error.is_some().then_some("alloc-weights-error")} />
                        </div>
                    }
                }) }
                <p id="alloc-weights-sum">
                    { match sum {
                        Some(s) => ctx.t("fund.weights_sum").replace("{sum}", &format_hundredths(s)),
                        None => ctx.t("err.invalid_percent"),
                    } }
                </p>
                if let Some(e) = &weights_error {
                    <p class="error" id="alloc-weights-error">{ e }</p>
                }
            </fieldset>
            <TextField id="alloc-uplift" label={ctx.t("fund.uplift")} value={(*uplift).clone()} inputmode={Some(AttrValue::Static("decimal"))}
                oninput={fh.bind(&uplift, "uplift_bp")} error={err("uplift_bp")} required=true />
            <p class="hint">{ ctx.t("fund.uplift_hint") }</p>
            <div class="buttons">
                <button type="submit" class="primary" id="alloc-save" disabled={fh.busy()}>{ ctx.t("fund.compute") }</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_and_zero_weights_leave_a_factor_out() {
        let typed: Vec<String> = ["60", "", "40", "0"].map(str::to_owned).to_vec();
        let w = parse_weights(&typed).unwrap_or_default();
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].factor, Factor::ALL[0]);
        assert_eq!(w[0].weight_bp, 6_000);
        assert_eq!(w[1].weight_bp, 4_000);
        assert!(parse_weights(&["six".to_owned()]).is_err());
    }

    #[test]
    fn the_default_weights_make_a_whole() {
        let w = parse_weights(&default_weights()).unwrap_or_default();
        assert_eq!(w.iter().map(|w| w.weight_bp).sum::<i64>(), 10_000);
        assert_eq!(
            weights_text(&w[..1], Lang::Zh),
            format!("{} 40.00\u{a0}%", Lang::Zh.t("factor.registered_poor"))
        );
    }
}
