//! Measure 9's KPI: persons served (distinct registered-poor persons with at least the
//! year's threshold of days of care) per unit, against each unit's target, by mode (a
//! person who used several modes counts under each, once in the total), with those
//! below the threshold and the placements in force now; a drill-down goes from the
//! province to its cities and from a city to its counties.

use shared::care::CareKpiRow;
use yew::prelude::*;

use crate::app::Ctx;
use crate::components::field::SelectField;
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::i18n::Lang;
use crate::pages::rehab::{focus_id, years};

/// "served / target (xx.x %)", or the served count alone when no target is set.
pub fn served_text(row: &CareKpiRow, lang: Lang) -> String {
    match row.target {
        Some(t) if t > 0 => {
            let bp = row.served.saturating_mul(10_000) / t;
            format!(
                "{} / {} ({}.{} %)",
                row.served,
                t,
                bp / 100,
                (bp % 100) / 10
            )
        }
        _ => format!("{} ({})", row.served, lang.t("care_kpi.no_target")),
    }
}

/// One unit's numbers as a list of facts (a table would scroll sideways on a phone).
fn facts(row: &CareKpiRow, lang: Lang, id: &str) -> Html {
    let item = |k: &str, v: String| html! { <><dt>{ lang.t(k) }</dt><dd>{ v }</dd></> };
    html! {
        <dl class="facts" id={id.to_owned()}>
            { item("care_kpi.served", served_text(row, lang)) }
            { item("care_kpi.residential", row.residential.to_string()) }
            { item("care_kpi.day_care", row.day_care.to_string()) }
            { item("care_kpi.home_based", row.home_based.to_string()) }
            { item("care_kpi.below", row.below_threshold.to_string()) }
            { item("care_kpi.open", row.open_placements.to_string()) }
        </dl>
    }
}

/// The care KPI page.
#[function_component(CareKpiPage)]
pub fn care_kpi_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(
        ctx.as_ref()
            .map(|c| c.t("care_kpi.title"))
            .unwrap_or_default(),
    );
    let units = crate::hooks::units::use_units();
    let year = use_state(crate::clock::this_year);
    let path = use_state(Vec::<String>::new);
    let kpi = use_remote((*year, path.last().cloned()), |(y, unit)| async move {
        crate::api::care::kpi(y, unit).await
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
    let name = |r: &CareKpiRow| {
        if units.loaded() {
            units.name(&r.unit_code, lang)
        } else {
            r.unit_name.clone()
        }
    };
    let body = match kpi.ready() {
        None => kpi.placeholder(lang, None),
        Some(k) => {
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
                    <p><button type="button" id="care-kpi-back" onclick={Callback::from(move |_| {
                        let mut p = (*path).clone();
                        p.pop();
                        path.set(p);
                        focus_id("care-kpi-unit");
                    })}>{ ctx.t("kpi.back").replace("{name}", &parent) }</button></p>
                }
            });
            html! { <>
                { back.unwrap_or_default() }
                <h2 id="care-kpi-unit" tabindex="-1">{ format!("{} · {}", name(&k.total), k.year) }</h2>
                <p class="hint">{ ctx.t("care_kpi.rule").replace("{days}", &k.threshold_days.to_string()) }</p>
                { facts(&k.total, lang, "care-kpi-total") }
                <h2>{ ctx.t("kpi.parts") }</h2>
                if k.children.is_empty() {
                    <p>{ ctx.t("kpi.no_parts") }</p>
                }
                <ul class="kpi-parts" id="care-kpi-children">
                    { for k.children.iter().map(|r| {
                        let n = name(r);
                        let drill = (r.unit_code.len() < 6).then(|| {
                            let (path, code) = (path.clone(), r.unit_code.clone());
                            Callback::from(move |_: MouseEvent| {
                                let mut p = (*path).clone();
                                p.push(code.clone());
                                path.set(p);
                                focus_id("care-kpi-unit");
                            })
                        });
                        html! {
                            <li id={format!("care-kpi-{}", r.unit_code)}>
                                <h3>
                                    if let Some(onclick) = drill {
                                        <button type="button" class="link" id={format!("care-kpi-drill-{}", r.unit_code)} {onclick}
                                            aria-label={ctx.t("kpi.drill").replace("{name}", &n)}>{ &n }</button>
                                    } else {
                                        { &n }
                                    }
                                </h3>
                                { facts(r, lang, &format!("care-kpi-{}-facts", r.unit_code)) }
                            </li>
                        }
                    }) }
                </ul>
            </> }
        }
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("care_kpi.title") }</h1>
            <SelectField id="care-kpi-year" label={ctx.t("kpi.year")} value={year.to_string()} options={year_opts} onchange={on_year} />
            { body }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_against_the_target() {
        let row = CareKpiRow {
            served: 3,
            target: Some(120),
            ..CareKpiRow::default()
        };
        assert_eq!(served_text(&row, Lang::En), "3 / 120 (2.5 %)");
        let row = CareKpiRow {
            served: 3,
            ..CareKpiRow::default()
        };
        assert_eq!(served_text(&row, Lang::En), "3 (no target set)");
    }
}
