//! Ledgers to zero (清零进度): whether the problem ledger (measure 6, 问题清零) and the
//! petition ledger (measure 18, 信访) are being closed to zero, for the user's area and
//! its cities or counties, with a drill-down (a city → its counties) and a way back up.
//! Each section shows only to a user who may read it (`read_rectification`,
//! `read_kpi`). Counts still above zero are marked by a sign and a spoken word, not by
//! colour alone; on a phone each table scrolls sideways inside its own focusable region.

use shared::auth::Capability;
use shared::petitions::PetitionKpiRow;
use shared::rectification::RectificationKpiRow;
use shared::rehab::Ratio;
use yew::prelude::*;

use crate::app::Ctx;
use crate::components::field::SelectField;
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::hooks::units::Units;
use crate::i18n::Lang;
use crate::pages::rehab::focus_id;
use crate::pages::supervision::{can, year_options};

/// What a rate without a denominator shows.
pub const NO_RATE: &str = "—";

/// A per-mille rate as a percentage with one decimal ("45.5 %"), a dash without one.
pub fn permille_text(p: Option<i64>) -> String {
    match p {
        Some(p) if p >= 0 => format!("{}.{} %", p / 10, p % 10),
        Some(p) => format!("-{}.{} %", p.unsigned_abs() / 10, p.unsigned_abs() % 10),
        None => NO_RATE.to_owned(),
    }
}

/// A ratio as a percentage with one decimal, a dash when its denominator is 0.
pub fn ratio_text(r: Ratio) -> String {
    match r.bp() {
        Some(bp) => permille_text(Some(bp / 10)),
        None => NO_RATE.to_owned(),
    }
}

/// A median number of days with one decimal, a dash when nothing was closed.
pub fn days_text(d: Option<f64>) -> String {
    match d {
        Some(d) if d.is_finite() => format!("{d:.1}"),
        _ => NO_RATE.to_owned(),
    }
}

/// The units drilled into, from the user's area (empty) down: (code, name).
pub(crate) type Path = UseStateHandle<Vec<(String, String)>>;

/// A unit's name in the UI language, else the name the server sent.
pub(crate) fn unit_name(units: &Units, code: &str, fallback: &str, lang: Lang) -> String {
    let n = units.name(code, lang);
    if n == code && !fallback.is_empty() {
        fallback.to_owned()
    } else {
        n
    }
}

/// The name of the user's own area (the top of every drill-down).
pub(crate) fn scope_name(ctx: &Ctx, units: &Units) -> String {
    ctx.me
        .as_ref()
        .map(|m| unit_name(units, &m.scope.code, &m.scope.name, ctx.lang))
        .unwrap_or_default()
}

/// A count cell, marked (by a sign and a spoken word, not by colour alone) while above 0.
fn count_cell(n: i64, lang: Lang, marker_key: &str) -> Html {
    html! {
        <td class={classes!((n > 0).then_some("attn"))}>
            { n }
            if n > 0 {
                <span class="sr-only">{ lang.t(marker_key) }</span>
                <span aria-hidden="true">{ " !" }</span>
            }
        </td>
    }
}

/// A ratio cell: the percentage, with the counts it comes from beneath.
fn ratio_cell(r: Ratio) -> Html {
    html! {
        <td>
            { ratio_text(r) }
            <br />
            <small class="counts">{ format!("{} / {}", r.num, r.den) }</small>
        </td>
    }
}

/// "Back up" one level of `path`, named after the level it returns to.
pub(crate) fn back_button(
    path: &Path,
    top: String,
    lang: Lang,
    id: &str,
    focus: &'static str,
) -> Html {
    if path.is_empty() {
        return html! {};
    }
    let parent = match path.len() {
        n if n >= 2 => path[n - 2].1.clone(),
        _ => top,
    };
    let path = path.clone();
    let onclick = Callback::from(move |_: MouseEvent| {
        let mut p = (*path).clone();
        p.pop();
        path.set(p);
        focus_id(focus);
    });
    html! {
        <p class="ledger-back">
            <button type="button" class="link" id={id.to_owned()} {onclick}>
                <span aria-hidden="true">{ "↑ " }</span>{ lang.t("kpi.back").replace("{name}", &parent) }
            </button>
        </p>
    }
}

/// The row header of a child unit: a drill-down button, but a county has no units below.
pub(crate) fn unit_header(
    code: &str,
    name: &str,
    path: &Path,
    lang: Lang,
    prefix: &str,
    focus: &'static str,
) -> Html {
    if code.len() >= 6 {
        return html! { <th scope="row">{ name }</th> };
    }
    let (path, entry) = (path.clone(), (code.to_owned(), name.to_owned()));
    let onclick = Callback::from(move |_: MouseEvent| {
        let mut p = (*path).clone();
        p.push(entry.clone());
        path.set(p);
        focus_id(focus);
    });
    html! {
        <th scope="row">
            <button type="button" class="link" id={format!("{prefix}-drill-{code}")} {onclick}
                aria-label={lang.t("kpi.drill").replace("{name}", name)}>{ name }</button>
        </th>
    }
}

/// The heading of the unit shown, the day counted on and the way back up.
fn unit_heading(
    ctx: &Ctx,
    path: &Path,
    top: String,
    name: &str,
    as_of: chrono::NaiveDate,
    prefix: &str,
    focus: &'static str,
) -> Html {
    html! { <>
        { back_button(path, top, ctx.lang, &format!("{prefix}-back"), focus) }
        <h3 id={focus} tabindex="-1">{ name }</h3>
        <p class="hint" id={format!("{prefix}-as-of")}>
            { ctx.t("ledgers.as_of").replace("{date}", &as_of.to_string()) }
        </p>
    </> }
}

/// Measure 6: rectification items by unit.
#[function_component(RectificationSection)]
fn rectification_section() -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let path: Path = use_state(Vec::new);
    let kpi = use_remote(
        path.last().map(|(code, _)| code.clone()),
        |unit: Option<String>| async move { crate::api::rectification::kpi(unit).await },
    );
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    const FOCUS: &str = "rk-unit";
    let body = match kpi.ready() {
        None => kpi.placeholder(lang, None),
        Some(k) => {
            let total_name = unit_name(&units, &k.total.unit_code, &k.total.unit_name, lang);
            let cells = |r: &RectificationKpiRow| {
                html! { <>
                    <td>{ r.items }</td>
                    { count_cell(r.open, lang, "ledgers.open_marker") }
                    { count_cell(r.overdue, lang, "ledgers.overdue_marker") }
                    <td>{ permille_text(r.closure_rate_permille) }</td>
                    <td>{ permille_text(r.reopen_rate_permille) }</td>
                    <td>{ days_text(r.median_days_to_close) }</td>
                </> }
            };
            html! { <>
                { unit_heading(&ctx, &path, scope_name(&ctx, &units), &total_name, k.as_of, "rk", FOCUS) }
                if k.children.is_empty() {
                    <p id="rk-no-parts">{ ctx.t("kpi.no_parts") }</p>
                }
                <div class="table-scroll" role="region" aria-label={ctx.t("ledgers.rc_table")} tabindex="0">
                    <table class="report dash-table ledgers" id="rk-table">
                        <caption>{ ctx.t("ledgers.rc_caption").replace("{name}", &total_name) }</caption>
                        <thead>
                            <tr>
                                <th scope="col">{ ctx.t("ledgers.unit") }</th>
                                <th scope="col">{ ctx.t("ledgers.items") }</th>
                                <th scope="col">{ ctx.t("ledgers.open") }</th>
                                <th scope="col">{ ctx.t("ledgers.overdue") }</th>
                                <th scope="col">{ ctx.t("ledgers.closure_rate") }</th>
                                <th scope="col">{ ctx.t("ledgers.reopen_rate") }</th>
                                <th scope="col">{ ctx.t("ledgers.median_days") }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for k.children.iter().map(|r| {
                                let n = unit_name(&units, &r.unit_code, &r.unit_name, lang);
                                html! {
                                    <tr id={format!("rk-row-{}", r.unit_code)}>
                                        { unit_header(&r.unit_code, &n, &path, lang, "rk", FOCUS) }
                                        { cells(r) }
                                    </tr>
                                }
                            }) }
                        </tbody>
                        <tfoot>
                            <tr id="rk-total">
                                <th scope="row">{ ctx.t("ledgers.total").replace("{name}", &total_name) }</th>
                                { cells(&k.total) }
                            </tr>
                        </tfoot>
                    </table>
                </div>
            </> }
        }
    };
    html! {
        <section class="ledger" id="ledger-rectification" aria-labelledby="rk-title">
            <h2 id="rk-title">{ ctx.t("ledgers.rc_title") }</h2>
            <p class="hint">{ ctx.t("ledgers.rc_rule") }</p>
            { body }
        </section>
    }
}

/// Measure 18: petitions of a year by unit.
#[function_component(PetitionSection)]
fn petition_section() -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let year = use_state(crate::clock::this_year);
    let path: Path = use_state(Vec::new);
    let kpi = use_remote(
        (*year, path.last().map(|(code, _)| code.clone())),
        |(y, region): (i32, Option<String>)| async move { crate::api::petitions::kpi(y, region).await },
    );
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    const FOCUS: &str = "pk-unit";
    let on_year = {
        let year = year.clone();
        Callback::from(move |v: String| {
            if let Ok(y) = v.parse() {
                year.set(y);
            }
        })
    };
    let body = match kpi.ready() {
        None => kpi.placeholder(lang, None),
        Some(k) => {
            let total_name = unit_name(&units, &k.total.unit_code, &k.total.unit_name, lang);
            let cells = |r: &PetitionKpiRow| {
                html! { <>
                    <td>{ r.recorded }</td>
                    <td>{ r.petitioners }</td>
                    { ratio_cell(r.answered) }
                    { ratio_cell(r.followed_up) }
                    { ratio_cell(r.on_time) }
                    { count_cell(r.overdue_open, lang, "ledgers.overdue_marker") }
                </> }
            };
            let caption = ctx
                .t("ledgers.pk_caption")
                .replace("{name}", &total_name)
                .replace("{year}", &k.year.to_string());
            html! { <>
                { unit_heading(&ctx, &path, scope_name(&ctx, &units), &total_name, k.as_of, "pk", FOCUS) }
                if k.children.is_empty() {
                    <p id="pk-no-parts">{ ctx.t("kpi.no_parts") }</p>
                }
                <div class="table-scroll" role="region" aria-label={ctx.t("ledgers.pk_table")} tabindex="0">
                    <table class="report dash-table ledgers" id="pk-table">
                        <caption>{ caption }</caption>
                        <thead>
                            <tr>
                                <th scope="col">{ ctx.t("ledgers.unit") }</th>
                                <th scope="col">{ ctx.t("ledgers.recorded") }</th>
                                <th scope="col">{ ctx.t("ledgers.petitioners") }</th>
                                <th scope="col">{ ctx.t("ledgers.answered") }</th>
                                <th scope="col">{ ctx.t("ledgers.followed_up") }</th>
                                <th scope="col">{ ctx.t("ledgers.on_time") }</th>
                                <th scope="col">{ ctx.t("ledgers.overdue_open") }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for k.children.iter().map(|r| {
                                let n = unit_name(&units, &r.unit_code, &r.unit_name, lang);
                                html! {
                                    <tr id={format!("pk-row-{}", r.unit_code)}>
                                        { unit_header(&r.unit_code, &n, &path, lang, "pk", FOCUS) }
                                        { cells(r) }
                                    </tr>
                                }
                            }) }
                        </tbody>
                        <tfoot>
                            <tr id="pk-total">
                                <th scope="row">{ ctx.t("ledgers.total").replace("{name}", &total_name) }</th>
                                { cells(&k.total) }
                            </tr>
                        </tfoot>
                    </table>
                </div>
            </> }
        }
    };
    html! {
        <section class="ledger" id="ledger-petitions" aria-labelledby="pk-title">
            <h2 id="pk-title">{ ctx.t("ledgers.pk_title") }</h2>
            <p class="hint">{ ctx.t("ledgers.pk_rule") }</p>
            <div class="filters">
                <SelectField id="pk-year" label={ctx.t("kpi.year")} value={year.to_string()}
                    options={year_options(lang, false)} onchange={on_year} />
            </div>
            { body }
        </section>
    }
}

/// The "ledgers to zero" page: the sections the user may read.
#[function_component(LedgersPage)]
pub fn ledgers_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(
        ctx.as_ref()
            .map(|c| c.t("ledgers.title"))
            .unwrap_or_default(),
    );
    let Some(ctx) = ctx else {
        return html! {};
    };
    let rectification = can(&ctx, Capability::ReadRectification);
    let petitions = can(&ctx, Capability::ReadKpi);
    html! {
        <section class="card" id="ledgers">
            <h1>{ ctx.t("ledgers.title") }</h1>
            if rectification {
                <RectificationSection />
            }
            if petitions {
                <PetitionSection />
            }
            if rectification || petitions {
                <p class="hint" id="ledgers-hint">{ ctx.t("ledgers.marker_hint") }</p>
            } else {
                <p role="status" id="ledgers-none">{ ctx.t("ledgers.none") }</p>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_show_one_decimal_and_a_dash_without_a_denominator() {
        assert_eq!(permille_text(Some(455)), "45.5 %");
        assert_eq!(permille_text(Some(1000)), "100.0 %");
        assert_eq!(permille_text(Some(0)), "0.0 %");
        assert_eq!(permille_text(None), NO_RATE);
        assert_eq!(ratio_text(Ratio { num: 1, den: 3 }), "33.3 %");
        assert_eq!(ratio_text(Ratio { num: 2, den: 2 }), "100.0 %");
        assert_eq!(ratio_text(Ratio { num: 0, den: 0 }), NO_RATE);
        assert_eq!(days_text(Some(3.25)), "3.2");
        assert_eq!(days_text(Some(12.0)), "12.0");
        assert_eq!(days_text(None), NO_RATE);
    }

    #[test]
    fn every_text_of_the_page_is_in_both_languages() {
        for key in [
            "ledgers.title",
            "ledgers.rc_title",
            "ledgers.rc_rule",
            "ledgers.pk_title",
            "ledgers.pk_rule",
            "ledgers.as_of",
            "ledgers.unit",
            "ledgers.items",
            "ledgers.open",
            "ledgers.overdue",
            "ledgers.closure_rate",
            "ledgers.reopen_rate",
            "ledgers.median_days",
            "ledgers.recorded",
            "ledgers.petitioners",
            "ledgers.answered",
            "ledgers.followed_up",
            "ledgers.on_time",
            "ledgers.overdue_open",
            "ledgers.total",
            "ledgers.rc_table",
            "ledgers.pk_table",
            "ledgers.rc_caption",
            "ledgers.pk_caption",
            "ledgers.open_marker",
            "ledgers.overdue_marker",
            "ledgers.marker_hint",
            "ledgers.none",
            "kpi.back",
            "kpi.drill",
            "kpi.no_parts",
            "kpi.year",
        ] {
            assert_ne!(Lang::Zh.t(key), key);
            assert_ne!(Lang::En.t(key), key);
        }
    }
}
