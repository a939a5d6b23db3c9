//! Measure 15's KPIs: a unit and its cities or counties for a programme year, with a
//! drill-down (a city → its counties). Coverage counts households (not persons) with a
//! verified need whose retrofit is accepted; the cost per household is shown against
//! the cap; first-pass acceptance and the shares done with 危房改造 and 易地搬迁 are
//! shown as the counts they come from ("num / den (xx.x %)"), never averaged; the exits
//! beside them.

use shared::money::format_hundredths;
use shared::retrofit::RetrofitKpiRow;
use yew::prelude::*;

use crate::app::Ctx;
use crate::components::field::SelectField;
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::i18n::Lang;
use crate::pages::rehab::{focus_id, ratio_text, years};

/// The cost per household done, in fen (none before any is done).
fn per_household(total: i64, households: i64) -> Option<i64> {
    total.checked_div(households)
}

/// One unit's numbers as a list of facts (a table would scroll sideways on a phone).
fn facts(row: &RetrofitKpiRow, lang: Lang, id: &str) -> Html {
    let item = |k: &str, v: String| html! { <><dt>{ lang.t(k) }</dt><dd>{ v }</dd></> };
    let money = |v: Option<i64>| v.map_or_else(|| lang.t("kpi.no_rate"), format_hundredths);
    html! {
        <dl class="facts" id={id.to_owned()}>
            { item("rfk.coverage", ratio_text(row.coverage, lang)) }
            { item("rfk.done", row.households_done.to_string()) }
            { item("rfk.cost", format!("{} / {}", format_hundredths(row.cost_fen), format_hundredths(row.cap_fen))) }
            { item("rfk.per_household", format!("{} / {}", money(per_household(row.cost_fen, row.households_done)), money(per_household(row.cap_fen, row.households_done)))) }
            { item("rfk.over_cap", row.over_cap.to_string()) }
            { item("rfk.first_pass", ratio_text(row.first_pass, lang)) }
            { item("rfk.with_housing", ratio_text(row.with_dilapidated_housing, lang)) }
            { item("rfk.with_relocation", ratio_text(row.with_relocation, lang)) }
            { item("rfk.not_eligible", row.not_eligible.to_string()) }
            { item("rfk.declined", row.declined.to_string()) }
            { item("rfk.referred", row.referred.to_string()) }
            { item("rfk.relocated", row.relocated.to_string()) }
        </dl>
    }
}

/// The KPI page.
#[function_component(KpiPage)]
pub fn kpi_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("rfk.title")).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    let year = use_state(crate::clock::this_year);
    // The units drilled into, from the user's own (none) down.
    let path = use_state(Vec::<String>::new);
    let kpi = use_remote((*year, path.last().cloned()), |(y, unit)| async move {
        crate::api::retrofit::kpi(y, unit).await
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let year_opts: Vec<(String, String)> = years()
        .into_iter()
        .map(|y| (y.to_string(), y.to_string()))
        .collect();
    let on_year = {
        let year = year.clone();
        Callback::from(move |v: String| {
            if let Ok(y) = v.parse() {
                year.set(y);
            }
        })
    };
    let name = |r: &RetrofitKpiRow| {
        if units.loaded() {
            units.name(&r.unit_code, lang)
        } else {
            r.unit_name.clone()
        }
    };
    let body = match kpi.ready() {
        None => kpi.placeholder(lang, None),
        Some(k) => {
            let total_name = name(&k.total);
            let back = (!path.is_empty()).then(|| {
                let path = path.clone();
                let parent = if path.len() >= 2 {
                    units.name(&path[path.len() - 2], lang)
                } else {
                    ctx.me
                        .as_ref()
                        .map(|m| m.scope.name.clone())
                        .unwrap_or_default()
                };
                html! {
                    <p><button type="button" id="kpi-back" onclick={Callback::from(move |_| {
                        let mut p = (*path).clone();
                        p.pop();
                        path.set(p);
                        focus_id("kpi-unit");
                    })}>{ ctx.t("kpi.back").replace("{name}", &parent) }</button></p>
                }
            });
            html! { <>
                { back.unwrap_or_default() }
                <h2 id="kpi-unit" tabindex="-1">{ format!("{} · {}", total_name, k.year) }</h2>
                { facts(&k.total, lang, "kpi-total") }
                <p id="kpi-cap">{ match k.cap_fen {
                    Some(cap) => format!("{} {}", ctx.t("rf.cap"), format_hundredths(cap)),
                    None => ctx.t("rf.no_cap").replace("{year}", &k.year.to_string()),
                } }</p>
                <h2>{ ctx.t("kpi.parts") }</h2>
                if k.children.is_empty() {
                    <p>{ ctx.t("kpi.no_parts") }</p>
                }
                <ul class="kpi-parts" id="kpi-children">
                    { for k.children.iter().map(|r| {
                        let n = name(r);
                        // Counties have no units below them.
                        let drill = (r.unit_code.len() < 6).then(|| {
                            let (path, code) = (path.clone(), r.unit_code.clone());
                            Callback::from(move |_: MouseEvent| {
                                let mut p = (*path).clone();
                                p.push(code.clone());
                                path.set(p);
                                focus_id("kpi-unit");
                            })
                        });
                        html! {
                            <li id={format!("kpi-{}", r.unit_code)}>
                                <h3>
                                    if let Some(onclick) = drill {
                                        <button type="button" class="link" id={format!("kpi-drill-{}", r.unit_code)} {onclick}
                                            aria-label={ctx.t("kpi.drill").replace("{name}", &n)}>{ &n }</button>
                                    } else {
                                        { &n }
                                    }
                                </h3>
                                { facts(r, lang, &format!("kpi-{}-facts", r.unit_code)) }
                            </li>
                        }
                    }) }
                </ul>
            </> }
        }
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("rfk.title") }</h1>
            <SelectField id="kpi-year" label={ctx.t("kpi.year")} value={year.to_string()} options={year_opts} onchange={on_year} />
            { body }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_per_household_needs_a_household() {
        assert_eq!(per_household(300_000, 3), Some(100_000));
        assert_eq!(per_household(0, 0), None);
    }
}
