//! Measure 14's KPIs: a unit and its cities or counties for a programme year, with a
//! drill-down (a city → its counties). Rates are shown as the counts they come from
//! ("num / den (xx.x %)"), summed up the tree, never averaged; refused, deferred and
//! partly fitted persons are shown beside them, the subsidy beside what the caps allow.

use shared::money::format_hundredths;
use shared::rehab::RehabKpiRow;
use yew::prelude::*;

use super::{ratio_text, years};
use crate::app::Ctx;
use crate::components::field::SelectField;
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::i18n::Lang;

/// One unit's numbers as a list of facts (a table would scroll sideways on a phone).
fn facts(row: &RehabKpiRow, lang: Lang, id: &str) -> Html {
    let item = |k: &str, v: String| html! { <><dt>{ lang.t(k) }</dt><dd>{ v }</dd></> };
    html! {
        <dl class="facts" id={id.to_owned()}>
            { item("kpi.service", ratio_text(row.service, lang)) }
            { item("kpi.fitting_by_person", ratio_text(row.fitting_by_person, lang)) }
            { item("kpi.fitting_by_item", ratio_text(row.fitting_by_item, lang)) }
            { item("kpi.follow_up", ratio_text(row.follow_up, lang)) }
            { item("kpi.partial", row.partial_persons.to_string()) }
            { item("kpi.refused", row.refused.to_string()) }
            { item("kpi.deferred", row.deferred.to_string()) }
            { item("kpi.withdrawn", row.withdrawn.to_string()) }
            { item("kpi.children", row.children_in_service.to_string()) }
            { item("kpi.subsidy", format!("{} / {}", format_hundredths(row.subsidy_fen), format_hundredths(row.cap_fen))) }
            { item("kpi.episodes", format_hundredths(row.episodes_fen)) }
        </dl>
    }
}

/// The KPI page.
#[function_component(KpiPage)]
pub fn kpi_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("kpi.title")).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    let year = use_state(crate::clock::this_year);
    // The units drilled into, from the user's own (none) down.
    let path = use_state(Vec::<String>::new);
    let kpi = use_remote((*year, path.last().cloned()), |(y, unit)| async move {
        crate::api::rehab::kpi(y, unit).await
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
    let name = |r: &RehabKpiRow| {
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
                        super::focus_id("kpi-unit");
                    })}>{ ctx.t("kpi.back").replace("{name}", &parent) }</button></p>
                }
            });
            html! { <>
                { back.unwrap_or_default() }
                <h2 id="kpi-unit" tabindex="-1">{ format!("{} · {}", total_name, k.year) }</h2>
                { facts(&k.total, lang, "kpi-total") }
                <h3>{ ctx.t("kpi.targets") }</h3>
                { match k.targets {
                    Some(t) => html! {
                        <dl class="facts" id="kpi-targets">
                            <dt>{ ctx.t("kpi.service") }</dt><dd>{ format!("{}.{} %", t.service_bp / 100, (t.service_bp % 100) / 10) }</dd>
                            <dt>{ ctx.t("kpi.fitting_by_person") }</dt><dd>{ format!("{}.{} %", t.fitting_bp / 100, (t.fitting_bp % 100) / 10) }</dd>
                            <dt>{ ctx.t("kpi.children_target") }</dt><dd>{ t.children }</dd>
                        </dl>
                    },
                    None => html! { <p>{ ctx.t("kpi.no_targets") }</p> },
                } }
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
                                super::focus_id("kpi-unit");
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
            <h1>{ ctx.t("kpi.title") }</h1>
            <SelectField id="kpi-year" label={ctx.t("kpi.year")} value={year.to_string()} options={year_opts} onchange={on_year} />
            { body }
        </section>
    }
}
