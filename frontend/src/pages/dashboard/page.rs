//! The dashboard of a unit for a period: its own figures against the plan, its
//! children's (each a link one level down: province → city → county), charts of the
//! children against their targets and of the year's progress, the whole table (with
//! the records behind each figure one click away), the plan's milestones, the period
//! report with its workflow, and the unit's hand-reported values. The XLSX of the
//! table comes from the API; the print stylesheet lays the report on one A4 page.

use shared::auth::Capability;
use shared::plan::{Dashboard, DashboardCell, DashboardRow, Indicator, Period};
use yew::prelude::*;

use super::charts::{achieved_bars, progress_line, ranking, Bar};
use super::report::{ReportBox, ReportedEntry};
use super::Go;
use super::{
    default_period, figure_text, pace_badge, percent, period_label, period_options, plan_years,
    status_badge, target_text, trail,
};
use crate::app::{Ctx, Route};
use crate::components::field::SelectField;
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::i18n::Lang;

/// Props of [`DashboardPage`].
#[derive(Properties, PartialEq, Clone)]
pub struct DashboardProps {
    /// The unit (none: the user's own region).
    #[prop_or_default]
    pub unit: Option<String>,
    /// The period (none: the year of the plan in force).
    #[prop_or_default]
    pub period: Option<String>,
}

/// The dashboard page: finds the period, then shows [`DashboardView`].
#[function_component(DashboardPage)]
pub fn dashboard_page(p: &DashboardProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("dash.title")).unwrap_or_default());
    let plans = use_remote((), |_| crate::api::plan::plans());
    let Some(ctx) = ctx else {
        return html! {};
    };
    let Some(me) = ctx.me.clone() else {
        return html! {};
    };
    let unit = p.unit.clone().unwrap_or_else(|| me.scope.code.clone());
    let Some(list) = plans.ready() else {
        return html! {
            <section class="card">
                <h1>{ ctx.t("dash.title") }</h1>
                { plans.placeholder(ctx.lang, None) }
            </section>
        };
    };
    let period = p
        .period
        .as_deref()
        .and_then(Period::parse)
        .or_else(|| default_period(list, crate::clock::this_year()));
    match period {
        Some(period) => html! {
            <DashboardView unit={unit} {period} years={plan_years(list)} />
        },
        None => html! {
            <section class="card">
                <h1>{ ctx.t("dash.title") }</h1>
                <p role="status" id="dash-no-plan">{ ctx.t("err.no_plan") }</p>
            </section>
        },
    }
}

/// Props of [`DashboardView`].
#[derive(Properties, PartialEq, Clone)]
pub struct ViewProps {
    /// Unit code.
    pub unit: String,
    /// Period.
    pub period: Period,
    /// The plan years (for the period picker).
    pub years: Vec<i32>,
}

/// The indicator the charts show first: the first with a target and a figure.
fn first_charted(d: &Dashboard) -> Option<String> {
    let own = d.rows.first()?;
    let pick = |f: &dyn Fn(&DashboardCell) -> bool| {
        d.indicators
            .iter()
            .zip(&own.cells)
            .find(|(_, c)| f(c))
            .map(|(i, _)| i.code.clone())
    };
    pick(&|c| c.target.is_some() && c.live.is_some())
        .or_else(|| pick(&|c| c.live.is_some()))
        .or_else(|| d.indicators.first().map(|i| i.code.clone()))
}

/// An indicator's name in the language.
pub fn indicator_name(i: &Indicator, lang: Lang) -> String {
    if lang == Lang::En {
        i.name_en.clone()
    } else {
        i.name_zh.clone()
    }
}

/// One cell of the table: live / target, share and pace, the approved figure and
/// whether the live one has moved from it.
fn cell_view(
    cell: &DashboardCell,
    ind: &Indicator,
    row: &DashboardRow,
    period: Period,
    lang: Lang,
) -> Html {
    let live = figure_text(ind.kind, cell.live.as_ref(), lang);
    let records = Route::DashboardRecords {
        unit: row.unit_code.clone(),
        period: period.to_string(),
        indicator: ind.code.clone(),
    };
    html! {
        <td>
            if cell.live.is_some() {
                <Go to={records} class="figure" id={format!("dash-cell-{}-{}", row.unit_code, ind.code)}>{ live }</Go>
            } else {
                <span>{ live }</span>
            }
            <span class="of">{ format!(" / {}", target_text(ind.kind, cell.target, lang)) }</span>
            <br />
            if let Some(p) = cell.percent_bp {
                <span class="nowrap">{ percent(p) }</span>{ " " }
            }
            { pace_badge(cell.pace, lang) }
            if let Some(a) = &cell.approved {
                <br />
                <span class="approved">{ format!("{} {}", lang.t("dash.approved"), figure_text(ind.kind, Some(a), lang)) }</span>
            }
            if cell.live_differs {
                <br />
                <strong class="differs">{ lang.t("dash.live_differs_short") }</strong>
            }
        </td>
    }
}

/// The unit's own figures, one card per indicator (no table to scroll on a phone).
fn own_list(d: &Dashboard, lang: Lang) -> Html {
    let Some(own) = d.rows.first() else {
        return html! {};
    };
    html! {
        <ul class="ind-list" id="dash-own">
            { for d.indicators.iter().zip(&own.cells).map(|(ind, cell)| {
                let width = cell.percent_bp.map_or(0, |p| p.clamp(0, 10_000) / 100);
                html! {
                    <li id={format!("dash-own-{}", ind.code)}>
                        <h3>{ indicator_name(ind, lang) }</h3>
                        <dl class="facts">
                            <dt>{ lang.t("dash.target") }</dt><dd>{ target_text(ind.kind, cell.target, lang) }</dd>
                            <dt>{ lang.t("dash.live") }</dt><dd class="live">{ figure_text(ind.kind, cell.live.as_ref(), lang) }</dd>
                            if let Some(a) = &cell.approved {
                                <dt>{ lang.t("dash.approved") }</dt><dd class="approved">{ figure_text(ind.kind, Some(a), lang) }</dd>
                            }
                            <dt>{ lang.t("dash.percent") }</dt><dd>{ cell.percent_bp.map_or_else(|| lang.t("dash.no_figure"), percent) }</dd>
                            <dt>{ lang.t("dash.pace") }</dt><dd>{ pace_badge(cell.pace, lang) }</dd>
                        </dl>
                        <span class="meter" aria-hidden="true"><span class={format!("meter-fill pace-bg-{}", cell.pace)} style={format!("width: {width}%")}></span></span>
                        if cell.live_differs {
                            <p class="differs" id={format!("dash-differs-{}", ind.code)}>
                                <span aria-hidden="true">{ "⚠ " }</span>{ lang.t("dash.live_differs") }
                            </p>
                        }
                        if !ind.available && cell.live.is_none() {
                            <p class="hint">{ lang.t("dash.not_available") }</p>
                        }
                        if cell.live.is_some() {
                            <p class="print-hide">
                                <Go to={Route::DashboardRecords { unit: own.unit_code.clone(), period: d.period.to_string(), indicator: ind.code.clone() }}
                                    id={format!("dash-records-{}", ind.code)}>{ lang.t("dash.records") }</Go>
                            </p>
                        }
                    </li>
                }
            }) }
        </ul>
    }
}

/// The whole table: a row per unit, a column per indicator, in a region that scrolls
/// on its own (the page never scrolls sideways).
fn table(d: &Dashboard, names: &dyn Fn(&DashboardRow) -> String, lang: Lang) -> Html {
    html! {
        <div class="table-scroll" role="region" aria-label={lang.t("dash.table_scroll")} tabindex="0">
            <table class="report dash-table" id="dash-table">
                <thead>
                    <tr>
                        <th scope="col">{ lang.t("dash.unit") }</th>
                        { for d.indicators.iter().map(|i| html! { <th scope="col">{ indicator_name(i, lang) }</th> }) }
                    </tr>
                </thead>
                <tbody>
                    { for d.rows.iter().enumerate().map(|(n, row)| {
                        let name = names(row);
                        html! {
                            <tr id={format!("dash-row-{}", row.unit_code)}>
                                <th scope="row">
                                    if n == 0 {
                                        { name }
                                    } else {
                                        <Go to={Route::DashboardUnit { unit: row.unit_code.clone(), period: d.period.to_string() }}
                                            id={format!("dash-drill-{}", row.unit_code)}>{ name }</Go>
                                    }
                                    <br />
                                    { status_badge(row.report_status, lang) }
                                </th>
                                { for d.indicators.iter().zip(&row.cells).map(|(ind, cell)| cell_view(cell, ind, row, d.period, lang)) }
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

/// The plan's deadlines with how many units delivered.
fn milestones(d: &Dashboard, lang: Lang) -> Html {
    if d.milestones.is_empty() {
        return html! {};
    }
    html! {
        <section class="card print-hide" aria-labelledby="dash-ms-h">
            <h2 id="dash-ms-h">{ lang.t("dash.milestones") }</h2>
            <ul class="results" id="dash-milestones">
                { for d.milestones.iter().map(|m| {
                    let title = if lang == Lang::En { &m.milestone.title_en } else { &m.milestone.title_zh };
                    html! {
                        <li>
                            <span>{ title }</span>
                            <span class="nowrap">{ lang.t("dash.due").replace("{d}", &m.milestone.due.to_string()) }</span>
                            <span class="nowrap">{ lang.t("dash.delivered")
                                .replace("{n}", &m.delivered.to_string())
                                .replace("{total}", &m.due_units.to_string()) }</span>
                            if m.overdue {
                                <span class="badge off">{ lang.t("dash.overdue") }</span>
                            }
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

/// One unit and its children against the plan for one period.
#[function_component(DashboardView)]
pub fn dashboard_view(p: &ViewProps) -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let navigator = yew_router::hooks::use_navigator();
    let dash = use_remote((p.unit.clone(), p.period), |(u, per)| async move {
        crate::api::plan::dashboard(&u, per).await
    });
    let chosen = use_state(|| None::<String>);
    let charted = (*chosen)
        .clone()
        .or_else(|| dash.ready().and_then(first_charted));
    // At the province, every county ranked too (a city's counties are its children).
    let counties = use_remote(
        (charted.clone(), p.unit.clone(), p.period),
        |(ind, u, per)| async move {
            match ind {
                Some(i) if u.len() == 2 => crate::api::plan::ranking(&i, &u, per).await.map(Some),
                _ => Ok(None),
            }
        },
    );
    let series = use_remote(
        (charted.clone(), p.unit.clone(), p.period.year),
        |(ind, u, y)| async move {
            match ind {
                Some(i) => crate::api::plan::series(&i, &u, y).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let exported = use_state(|| None::<Result<(), String>>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let Some(me) = ctx.me.clone() else {
        return html! {};
    };
    let lang = ctx.lang;
    let name_of = |code: &str, fallback: &str| {
        if units.loaded() {
            units.name(code, lang)
        } else {
            fallback.to_owned()
        }
    };
    let unit_name = dash
        .ready()
        .map(|d| name_of(&d.unit_code, &d.unit_name))
        .unwrap_or_else(|| units.name(&p.unit, lang));
    let on_period = {
        let (navigator, unit) = (navigator.clone(), p.unit.clone());
        Callback::from(move |v: String| {
            if let Some(n) = &navigator {
                n.push(&Route::DashboardUnit {
                    unit: unit.clone(),
                    period: v,
                });
            }
        })
    };
    let on_export = {
        let (unit, period, exported) = (p.unit.clone(), p.period, exported.clone());
        Callback::from(move |_| {
            let (unit, exported) = (unit.clone(), exported.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let path = crate::api::plan::export_path(&unit, period);
                let file = format!("dashboard-{unit}-{period}.xlsx");
                exported.set(Some(
                    crate::api::download(&path, &file)
                        .await
                        .map_err(|e| e.message(lang)),
                ));
            });
        })
    };
    let on_print = Callback::from(|_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    });
    let crumbs = trail(&me.scope.code, &p.unit);
    let body = match dash.ready() {
        None => dash.placeholder(lang, Some("err.no_plan")),
        Some(d) => {
            let row_name = |r: &DashboardRow| name_of(&r.unit_code, &r.unit_name);
            let charted_ind = charted
                .as_ref()
                .and_then(|c| d.indicators.iter().position(|i| &i.code == c));
            let children = d.rows.get(1..).unwrap_or_default();
            let chart_part = match charted_ind {
                None => html! {},
                Some(ix) => {
                    let ind = &d.indicators[ix];
                    let bars: Vec<Bar> = children
                        .iter()
                        .filter_map(|r| {
                            let c = r.cells.get(ix)?;
                            Some(Bar {
                                code: r.unit_code.clone(),
                                name: row_name(r),
                                value: c.live.as_ref().and_then(|f| f.value),
                                target: c.target,
                                percent_bp: c.percent_bp,
                                pace: c.pace,
                            })
                        })
                        .collect();
                    let options: Vec<(String, String)> = d
                        .indicators
                        .iter()
                        .map(|i| (i.code.clone(), indicator_name(i, lang)))
                        .collect();
                    let on_chart = {
                        let chosen = chosen.clone();
                        Callback::from(move |v: String| chosen.set(Some(v)))
                    };
                    let iname = indicator_name(ind, lang);
                    html! { <>
                        <section class="card charts" aria-labelledby="dash-charts-h">
                            <h2 id="dash-charts-h">{ ctx.t("dash.charts") }</h2>
                            <div class="print-hide">
                                <SelectField id="dash-chart-indicator" label={ctx.t("dash.chart_indicator")} value={ind.code.clone()} {options} onchange={on_chart} />
                            </div>
                            if bars.is_empty() {
                                <p>{ ctx.t("kpi.no_parts") }</p>
                            } else {
                                <h3>{ ctx.t("chart.bars_title").replace("{i}", &iname) }</h3>
                                { achieved_bars("chart-children", &ctx.t("chart.bars_label").replace("{i}", &iname).replace("{u}", &unit_name), &bars, ind.kind, lang) }
                                <h3 class="print-hide">{ ctx.t("chart.ranking_title") }</h3>
                                <div class="print-hide">
                                    { ranking("dash-ranking", &bars, ind.kind, lang, &d.period.to_string()) }
                                </div>
                            }
                            if let Some(Some(r)) = counties.ready() {
                                if r.indicator.code == ind.code {
                                    <details class="print-hide" id="dash-county-ranking">
                                        <summary>{ ctx.t("chart.county_ranking").replace("{n}", &r.rows.len().to_string()) }</summary>
                                        { ranking("dash-counties", &r.rows.iter().map(|c| Bar {
                                            code: c.unit_code.clone(),
                                            name: format!("{} · {}", name_of(&c.unit_code, &c.unit_name), c.city_name),
                                            value: c.cell.live.as_ref().and_then(|f| f.value),
                                            target: c.cell.target,
                                            percent_bp: c.cell.percent_bp,
                                            pace: c.cell.pace,
                                        }).collect::<Vec<_>>(), ind.kind, lang, &d.period.to_string()) }
                                    </details>
                                }
                            }
                            <div class="print-hide">
                                <h3>{ ctx.t("chart.line_title").replace("{i}", &iname) }</h3>
                                { match series.ready() {
                                    None => series.placeholder(lang, None),
                                    Some(None) => html! {},
                                    Some(Some(s)) if !s.datable || s.points.is_empty() => html! { <p id="chart-series-none">{ ctx.t("chart.not_datable") }</p> },
                                    Some(Some(s)) => progress_line("chart-series", &ctx.t("chart.line_label").replace("{i}", &iname).replace("{u}", &unit_name), s, ind.kind, lang),
                                } }
                            </div>
                        </section>
                    </> }
                }
            };
            let show_entry =
                me.permissions.contains(&Capability::SubmitReports) && me.scope.code == p.unit;
            let reload = {
                let dash = dash.clone();
                Callback::from(move |_| dash.reload())
            };
            html! { <div class="dash-body">
                <section class="card" aria-labelledby="dash-own-h">
                    <p id="dash-as-of" class="as-of">
                        { ctx.t("dash.as_of").replace("{t}", &crate::clock::local_time(d.as_of, lang)) }
                        { " · " }
                        { ctx.t("dash.elapsed").replace("{p}", &percent(d.elapsed_bp)) }
                        if let Some(dl) = d.next_deadline {
                            { " · " }{ ctx.t("dash.next_deadline").replace("{d}", &dl.to_string()) }
                        }
                    </p>
                    <ul class="counters" id="dash-counters">
                        <li class={classes!((d.counters.overdue_milestones > 0).then_some("alert"))}>
                            <strong>{ d.counters.overdue_milestones }</strong>{ " " }{ ctx.t("dash.overdue_milestones") }
                        </li>
                        if let Some(n) = d.counters.open_problems {
                            <li><strong>{ n }</strong>{ " " }{ ctx.t("dash.open_problems") }</li>
                        }
                        if let Some(n) = d.counters.overdue_petitions {
                            <li><strong>{ n }</strong>{ " " }{ ctx.t("dash.overdue_petitions") }</li>
                        }
                    </ul>
                    <div class="print-hide">
                        <h2 id="dash-own-h">{ ctx.t("dash.own") }</h2>
                        { own_list(d, lang) }
                    </div>
                </section>
                { chart_part }
                <section class="card" aria-labelledby="dash-table-h">
                    <h2 id="dash-table-h">{ ctx.t("dash.table") }</h2>
                    { table(d, &row_name, lang) }
                </section>
                { milestones(d, lang) }
                <div class="print-hide">
                    <ReportBox unit={p.unit.clone()} period={p.period} on_changed={reload.clone()} />
                    if show_entry {
                        <ReportedEntry unit={p.unit.clone()} period={p.period} indicators={d.indicators.clone()} on_saved={reload} />
                    }
                </div>
            </div> }
        }
    };
    html! { <>
        <section class="card dash-head">
            if crumbs.len() > 1 {
                <nav class="crumbs print-hide" aria-label={ctx.t("dash.trail")}>
                    { for crumbs.iter().enumerate().map(|(i, code)| {
                        let last = i + 1 == crumbs.len();
                        html! { <>
                            if i > 0 { <span aria-hidden="true">{ " › " }</span> }
                            if last {
                                <span aria-current="page">{ units.name(code, lang) }</span>
                            } else {
                                <Go to={Route::DashboardUnit { unit: code.clone(), period: p.period.to_string() }}
                                    id={format!("dash-up-{code}")}>{ units.name(code, lang) }</Go>
                            }
                        </> }
                    }) }
                </nav>
            }
            <h1 id="dash-unit">{ ctx.t("dash.heading").replace("{u}", &unit_name).replace("{p}", &period_label(p.period, lang)) }</h1>
            <div class="dash-tools print-hide">
                <SelectField id="dash-period" label={ctx.t("dash.period")} value={p.period.to_string()} options={period_options(&p.years, lang)} onchange={on_period} />
                <div class="buttons">
                    <button type="button" id="dash-export" onclick={on_export}>{ ctx.t("dash.export") }</button>
                    <button type="button" id="dash-print" onclick={on_print}>{ ctx.t("dash.print") }</button>
                </div>
                { match &*exported {
                    Some(Ok(())) => html! { <p role="status" id="dash-download">{ ctx.t("dev.exported") }</p> },
                    Some(Err(e)) => html! { <p class="error-summary" role="alert" id="dash-download">{ e }</p> },
                    None => html! {},
                } }
            </div>
        </section>
        { body }
    </> }
}
