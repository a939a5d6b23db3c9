//! The leaders' dashboard (issue 11): a unit and its children against the year's plan
//! ([`page`]), the charts drawn as inline SVG ([`charts`]: no chart library), the
//! period report's workflow and the entry of reported values ([`report`]), the
//! records behind a figure ([`records`]) and the split of targets down the tree
//! ([`targets`]). Figures, targets and paces come from the API; this module only
//! formats them: money in yuan, a ratio as a percentage with the counts it comes
//! from, and a status always in words as well as in colour.

pub mod charts;
pub mod page;
pub mod records;
pub mod report;
pub mod targets;

use shared::money::format_hundredths;
use shared::plan::{Figure, IndicatorKind, Pace, Period, Plan, PlanStatus, ReportStatus};
use yew::prelude::*;

use crate::app::Route;
use crate::i18n::Lang;

/// Props of [`Go`].
#[derive(Properties, PartialEq, Clone)]
pub struct GoProps {
    /// Where it goes.
    pub to: Route,
    /// Element id (the tests' hook).
    #[prop_or_default]
    pub id: Option<AttrValue>,
    /// Classes.
    #[prop_or_default]
    pub class: Classes,
    /// The link's text.
    pub children: Html,
}

/// A link inside the app that has an id (yew-router's `Link` takes none): a plain
/// click navigates in the app, a modified click opens a tab as links do.
#[function_component(Go)]
pub fn go(p: &GoProps) -> Html {
    let navigator = yew_router::hooks::use_navigator();
    let onclick = {
        let to = p.to.clone();
        Callback::from(move |e: MouseEvent| {
            if !(e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0) {
                e.prevent_default();
                if let Some(n) = &navigator {
                    n.push(&to);
                }
            }
        })
    };
    html! {
        <a href={yew_router::Routable::to_path(&p.to)} id={p.id.clone()} class={p.class.clone()} {onclick}>{ p.children.clone() }</a>
    }
}

/// A whole number with thousands separators: 12345 → "12,345".
pub fn grouped(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Basis points as a percentage with one decimal: 6666 → "66.6 %".
pub fn percent(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let bp = bp.unsigned_abs();
    format!("{sign}{}.{} %", grouped((bp / 100) as i64), (bp % 100) / 10)
}

/// A value of an indicator of this kind: money in yuan, a ratio as a percentage,
/// anything else as a count.
pub fn value_text(kind: IndicatorKind, v: i64, lang: Lang) -> String {
    match kind {
        IndicatorKind::SumFen => format!("{} {}", format_hundredths(v), lang.t("dash.yuan")),
        IndicatorKind::Ratio => percent(v),
        _ => grouped(v),
    }
}

/// A target, or "no target" (which is not zero).
pub fn target_text(kind: IndicatorKind, target: Option<i64>, lang: Lang) -> String {
    match target {
        Some(t) => value_text(kind, t, lang),
        None => lang.t("dash.no_target"),
    }
}

/// A figure: its value, and for a ratio the counts it comes from; a dash when there
/// is none.
pub fn figure_text(kind: IndicatorKind, f: Option<&Figure>, lang: Lang) -> String {
    let Some(f) = f else {
        return lang.t("dash.no_figure");
    };
    match (kind, f.value, f.denominator) {
        (IndicatorKind::Ratio, Some(v), Some(d)) => {
            format!("{} ({} / {})", percent(v), grouped(f.numerator), grouped(d))
        }
        (IndicatorKind::Ratio, None, d) => format!(
            "{} ({} / {})",
            lang.t("kpi.no_rate"),
            grouped(f.numerator),
            grouped(d.unwrap_or(0))
        ),
        (_, Some(v), _) => value_text(kind, v, lang),
        (_, None, _) => lang.t("dash.no_figure"),
    }
}

/// What a user types for a value of this kind, read: yuan for money, a percentage
/// for a ratio (into basis points), a whole number otherwise. `None` when it is not
/// one.
pub fn parse_value(kind: IndicatorKind, input: &str) -> Option<i64> {
    let s = input.trim().replace([',', '，'], "");
    match kind {
        IndicatorKind::SumFen => shared::money::parse_yuan(&s),
        IndicatorKind::Ratio => {
            let s = s.trim_end_matches('%').trim();
            let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
            if whole.is_empty() || frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let whole: i64 = whole.parse().ok().filter(|w| *w >= 0)?;
            let frac: i64 = format!("{frac:0<2}").parse().ok()?;
            whole.checked_mul(100)?.checked_add(frac)
        }
        _ => s.parse().ok().filter(|v: &i64| *v >= 0),
    }
}

/// A value as the input of its kind shows it (the inverse of [`parse_value`]).
pub fn input_text(kind: IndicatorKind, v: i64) -> String {
    match kind {
        IndicatorKind::SumFen => format!("{}.{:02}", v / 100, v % 100),
        IndicatorKind::Ratio if v % 100 == 0 => (v / 100).to_string(),
        IndicatorKind::Ratio => format!("{}.{:02}", v / 100, v % 100),
        _ => v.to_string(),
    }
}

/// The unit an input of this kind is typed in.
pub fn input_unit(kind: IndicatorKind, lang: Lang) -> String {
    match kind {
        IndicatorKind::SumFen => lang.t("dash.in_yuan"),
        IndicatorKind::Ratio => lang.t("dash.in_percent"),
        _ => lang.t("dash.in_count"),
    }
}

/// A pace in words with a sign before it (never colour alone).
pub fn pace_badge(pace: Pace, lang: Lang) -> Html {
    let sign = match pace {
        Pace::OnTrack => "✓",
        Pace::AtRisk => "!",
        Pace::Behind => "✗",
        Pace::NoTarget => "–",
    };
    html! {
        <span class={classes!("pace", format!("pace-{pace}"))}>
            <span aria-hidden="true">{ sign }{ " " }</span>{ lang.t(&format!("pace.{pace}")) }
        </span>
    }
}

/// A report status in words.
pub fn status_badge(status: ReportStatus, lang: Lang) -> Html {
    html! {
        <span class={classes!("badge", "report-status", format!("report-{status}"))}>
            { lang.t(&format!("report.{status}")) }
        </span>
    }
}

/// A period in words: "2020年", "2020年第1季度".
pub fn period_label(p: Period, lang: Lang) -> String {
    match p.quarter {
        None => lang.t("dash.year_n").replace("{y}", &p.year.to_string()),
        Some(q) => lang
            .t("dash.quarter_n")
            .replace("{y}", &p.year.to_string())
            .replace("{q}", &q.to_string()),
    }
}

/// The periods a picker offers for these plan years: each year, then its quarters.
pub fn period_options(years: &[i32], lang: Lang) -> Vec<(String, String)> {
    years
        .iter()
        .flat_map(|y| {
            std::iter::once(Period::year(*y))
                .chain((1..=4).filter_map(move |q| Period::quarter(*y, q)))
        })
        .map(|p| (p.to_string(), period_label(p, lang)))
        .collect()
}

/// The plan years, newest first.
pub fn plan_years(plans: &[Plan]) -> Vec<i32> {
    let mut years: Vec<i32> = plans.iter().map(|p| p.year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    years
}

/// The period a dashboard opens on: the newest plan in force (or closed) not after
/// this year, else the newest plan of all.
pub fn default_period(plans: &[Plan], this_year: i32) -> Option<Period> {
    plans
        .iter()
        .filter(|p| p.status != PlanStatus::Draft && p.year <= this_year)
        .map(|p| p.year)
        .max()
        .or_else(|| plans.iter().map(|p| p.year).max())
        .map(Period::year)
}

/// The regions from the user's scope down to `unit` (province → city → county), for
/// the breadcrumbs: `43`, `4303`, `430381` for a provincial user on 湘乡市.
pub fn trail(scope: &str, unit: &str) -> Vec<String> {
    [2, 4, 6]
        .iter()
        .filter(|n| **n >= scope.len() && **n <= unit.len())
        .filter_map(|n| unit.get(..*n))
        .filter(|c| c.starts_with(scope))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_formatted_by_kind() {
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(-1_000), "-1,000");
        assert_eq!(percent(6_666), "66.6 %");
        assert_eq!(percent(10_000), "100.0 %");
        assert_eq!(
            value_text(IndicatorKind::SumFen, 300_000_000, Lang::Zh),
            "3,000,000.00 元"
        );
        assert_eq!(value_text(IndicatorKind::Count, 5_000, Lang::En), "5,000");
        assert_eq!(
            target_text(IndicatorKind::Count, None, Lang::Zh),
            "未设目标"
        );
        assert_eq!(target_text(IndicatorKind::Count, Some(0), Lang::Zh), "0");
    }

    #[test]
    fn typed_values_are_read_by_kind() {
        assert_eq!(parse_value(IndicatorKind::Count, " 1,200 "), Some(1_200));
        assert_eq!(parse_value(IndicatorKind::Count, "-3"), None);
        assert_eq!(parse_value(IndicatorKind::Count, "1.5"), None);
        assert_eq!(parse_value(IndicatorKind::Ratio, "95.5"), Some(9_550));
        assert_eq!(parse_value(IndicatorKind::Ratio, "100%"), Some(10_000));
        assert_eq!(parse_value(IndicatorKind::Ratio, "9.555"), None);
        assert_eq!(parse_value(IndicatorKind::SumFen, "3万"), Some(3_000_000));
        assert_eq!(parse_value(IndicatorKind::Count, ""), None);
        for (kind, v) in [
            (IndicatorKind::Ratio, 9_550),
            (IndicatorKind::Ratio, 10_000),
            (IndicatorKind::SumFen, 123_456),
            (IndicatorKind::Count, 7),
        ] {
            assert_eq!(parse_value(kind, &input_text(kind, v)), Some(v));
        }
    }

    #[test]
    fn the_trail_runs_from_the_scope_to_the_unit() {
        assert_eq!(trail("43", "430381"), vec!["43", "4303", "430381"]);
        assert_eq!(trail("4303", "430381"), vec!["4303", "430381"]);
        assert_eq!(trail("43", "43"), vec!["43"]);
        assert!(trail("4301", "430381").is_empty());
    }

    #[test]
    fn periods_are_offered_year_first() {
        let opts = period_options(&[2020], Lang::Zh);
        assert_eq!(opts.len(), 5);
        assert_eq!(opts[0], ("2020".into(), "2020年".into()));
        assert_eq!(opts[1], ("2020Q1".into(), "2020年第1季度".into()));
    }
}
