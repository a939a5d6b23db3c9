//! The dashboard's charts, drawn as inline SVG (no chart library: it would double the
//! wasm). Each chart has an accessible name (`role="img"`, `aria-label` and a
//! `<title>`), says every status in words beside its colour, and comes with the same
//! numbers as text (a list or a table) for screen readers and for reading.

use shared::plan::{IndicatorKind, Pace, Series};
use yew::prelude::*;

use super::Go;
use super::{pace_badge, percent, target_text, value_text};
use crate::app::Route;
use crate::i18n::Lang;

/// Width of the charts' drawing space (they scale to their box; at 360 px the box is
/// about this wide, so 12-unit text reads as 12 px).
const W: f64 = 320.0;

/// One unit's bar: its name, live value, target, share of the target and pace.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Unit code.
    pub code: String,
    /// Unit name.
    pub name: String,
    /// Live value.
    pub value: Option<i64>,
    /// Target.
    pub target: Option<i64>,
    /// Share of the target, basis points.
    pub percent_bp: Option<i64>,
    /// Pace.
    pub pace: Pace,
}

/// The colour of a pace (each with at least 4.5:1 against white).
fn pace_colour(p: Pace) -> &'static str {
    match p {
        Pace::OnTrack => "#1d6b2f",
        Pace::AtRisk => "#8a4500",
        Pace::Behind => "#a40000",
        Pace::NoTarget => "#595959",
    }
}

/// The line under a bar: "live / target · xx.x % · pace".
fn bar_caption(b: &Bar, kind: IndicatorKind, lang: Lang) -> String {
    let value = b
        .value
        .map_or_else(|| lang.t("dash.no_figure"), |v| value_text(kind, v, lang));
    let mut s = format!("{value} / {}", target_text(kind, b.target, lang));
    if let Some(p) = b.percent_bp {
        s.push_str(&format!(" · {}", percent(p)));
    }
    s.push_str(&format!(" · {}", lang.t(&format!("pace.{}", b.pace))));
    s
}

/// Achieved against target per unit: horizontal bars of the share of the target
/// reached, with a line at 100 %. `id` is the element id; `title` names the chart.
pub fn achieved_bars(id: &str, title: &str, bars: &[Bar], kind: IndicatorKind, lang: Lang) -> Html {
    const ROW: f64 = 46.0;
    let height = (bars.len() as f64 * ROW).max(ROW) + 8.0;
    // The scale reaches at least 100 %, and further when a unit is beyond it.
    let top = bars
        .iter()
        .filter_map(|b| b.percent_bp)
        .max()
        .unwrap_or(0)
        .clamp(10_000, 20_000) as f64;
    let x_of = |bp: i64| (bp.clamp(0, 20_000) as f64 / top) * (W - 2.0);
    let full = x_of(10_000);
    let title_id = format!("{id}-title");
    html! {
        <figure class="chart" id={id.to_owned()}>
            <svg viewBox={format!("0 0 {W} {height}")} role="img" aria-labelledby={title_id.clone()} aria-label={title.to_owned()} preserveAspectRatio="xMinYMin meet">
                <title id={title_id}>{ title }</title>
                { for bars.iter().enumerate().map(|(i, b)| {
                    let y = i as f64 * ROW;
                    let w = b.percent_bp.map_or(0.0, x_of);
                    html! {
                        <g>
                            <text x="0" y={format!("{}", y + 12.0)} class="chart-label">{ &b.name }</text>
                            <rect x="0" y={format!("{}", y + 16.0)} width={format!("{:.1}", W - 2.0)} height="12" fill="#eef1f5" />
                            <rect x="0" y={format!("{}", y + 16.0)} width={format!("{w:.1}")} height="12" fill={pace_colour(b.pace)} />
                            <text x="0" y={format!("{}", y + 41.0)} class="chart-note">{ bar_caption(b, kind, lang) }</text>
                        </g>
                    }
                }) }
                <line x1={format!("{full:.1}")} x2={format!("{full:.1}")} y1="14" y2={format!("{}", height - 4.0)} stroke="#1a1a1a" stroke-width="1.5" stroke-dasharray="4 3" />
            </svg>
            <figcaption>{ lang.t("chart.bars_caption") }</figcaption>
        </figure>
    }
}

/// The ranking of units by share of the target (no map): an ordered list, best first,
/// with the same bars in plain HTML; units without a target come last.
/// Each unit's name links to its own dashboard for `period`.
pub fn ranking(id: &str, bars: &[Bar], kind: IndicatorKind, lang: Lang, period: &str) -> Html {
    let mut sorted: Vec<&Bar> = bars.iter().collect();
    sorted.sort_by(|a, b| {
        b.percent_bp
            .is_some()
            .cmp(&a.percent_bp.is_some())
            .then(b.percent_bp.cmp(&a.percent_bp))
            .then(a.code.cmp(&b.code))
    });
    html! {
        <ol class="ranking" id={id.to_owned()}>
            { for sorted.iter().map(|b| {
                let width = b.percent_bp.map_or(0, |p| p.clamp(0, 10_000) / 100);
                html! {
                    <li id={format!("{id}-{}", b.code)}>
                        <Go to={Route::DashboardUnit { unit: b.code.clone(), period: period.to_owned() }} class="rank-name">{ &b.name }</Go>
                        <span class="rank-figure">{ b.percent_bp.map_or_else(|| target_text(kind, None, lang), percent) }</span>
                        { pace_badge(b.pace, lang) }
                        <span class="meter" aria-hidden="true"><span class={format!("meter-fill pace-bg-{}", b.pace)} style={format!("width: {width}%")}></span></span>
                    </li>
                }
            }) }
        </ol>
    }
}

/// Progress over the year: the cumulative figure month by month, the target as a
/// dashed line and (for counts and sums) the straight path to it as a dotted one; the
/// same numbers in a table below.
pub fn progress_line(
    id: &str,
    title: &str,
    series: &Series,
    kind: IndicatorKind,
    lang: Lang,
) -> Html {
    const H: f64 = 190.0;
    const LEFT: f64 = 8.0;
    const BOTTOM: f64 = 24.0;
    const TOP: f64 = 22.0;
    let values: Vec<(u32, i64)> = series
        .points
        .iter()
        .filter_map(|p| p.value.map(|v| (p.month, v)))
        .collect();
    let max = values
        .iter()
        .map(|(_, v)| *v)
        .chain(series.target)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let x_of = |month: u32| LEFT + (f64::from(month) - 0.5) / 12.0 * (W - LEFT - 4.0);
    let y_of = |v: i64| TOP + (1.0 - (v.max(0) as f64 / max)) * (H - TOP - BOTTOM);
    let points: String = values
        .iter()
        .map(|(m, v)| format!("{:.1},{:.1}", x_of(*m), y_of(*v)))
        .collect::<Vec<_>>()
        .join(" ");
    let title_id = format!("{id}-title");
    let cumulative = kind != IndicatorKind::Ratio;
    html! {
        <figure class="chart" id={id.to_owned()}>
            <svg viewBox={format!("0 0 {W} {H}")} role="img" aria-labelledby={title_id.clone()} aria-label={title.to_owned()} preserveAspectRatio="xMinYMin meet">
                <title id={title_id}>{ title }</title>
                <line x1={format!("{LEFT}")} x2={format!("{}", W - 2.0)} y1={format!("{}", H - BOTTOM)} y2={format!("{}", H - BOTTOM)} stroke="#595959" />
                { for (1..=12u32).map(|m| html! {
                    <text x={format!("{:.1}", x_of(m))} y={format!("{}", H - 8.0)} text-anchor="middle" class="chart-note">{ m }</text>
                }) }
                if let Some(t) = series.target {
                    <line x1={format!("{LEFT}")} x2={format!("{}", W - 2.0)} y1={format!("{:.1}", y_of(t))} y2={format!("{:.1}", y_of(t))} stroke="#1a1a1a" stroke-dasharray="6 4" />
                    <text x={format!("{}", W - 4.0)} y={format!("{:.1}", y_of(t) - 5.0)} text-anchor="end" class="chart-note">
                        { format!("{} {}", lang.t("dash.target"), value_text(kind, t, lang)) }
                    </text>
                    if cumulative {
                        <line x1={format!("{LEFT}")} y1={format!("{:.1}", y_of(0))} x2={format!("{:.1}", x_of(12) + 8.0)} y2={format!("{:.1}", y_of(t))} stroke="#595959" stroke-dasharray="2 3" />
                    }
                }
                <polyline points={points} fill="none" stroke="#0b5cad" stroke-width="2.5" />
                { for values.iter().map(|(m, v)| html! {
                    <circle cx={format!("{:.1}", x_of(*m))} cy={format!("{:.1}", y_of(*v))} r="3" fill="#0b5cad" />
                }) }
            </svg>
            <figcaption>{ lang.t(if cumulative { "chart.line_caption" } else { "chart.line_caption_rate" }) }</figcaption>
            <details class="chart-data">
                <summary>{ lang.t("chart.as_table") }</summary>
                <table class="report" id={format!("{id}-table")}>
                    <caption class="sr-only">{ title }</caption>
                    <thead><tr><th scope="col">{ lang.t("chart.month") }</th><th scope="col">{ lang.t("dash.live") }</th></tr></thead>
                    <tbody>
                        { for series.points.iter().map(|p| html! {
                            <tr>
                                <th scope="row">{ lang.t("chart.month_n").replace("{m}", &p.month.to_string()) }</th>
                                <td>{ p.value.map_or_else(|| lang.t("dash.no_figure"), |v| value_text(kind, v, lang)) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </details>
        </figure>
    }
}
