//! Measure 22's KPI: every department tasked with stationed supervision inspects every
//! county no one is stationed in at least once a year. A table of departments (rows) ×
//! counties (columns), each cell the inspections filed in the year, a cell still at 0
//! marked (not by colour alone), and the share of cells covered. On a phone the table
//! scrolls sideways inside its own focusable region.

use shared::supervision::InspectionMatrix;
use yew::prelude::*;

use super::{scope_of, year_options};
use crate::app::Ctx;
use crate::components::field::SelectField;
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::i18n::Lang;

/// "covered / cells (xx.x %)", or a dash for an empty matrix.
pub fn coverage_text(m: &InspectionMatrix, lang: Lang) -> String {
    if m.cells <= 0 {
        return format!("0 / 0 ({})", lang.t("kpi.no_rate"));
    }
    let bp = m.covered.saturating_mul(10_000) / m.cells;
    format!(
        "{} / {} ({}.{} %)",
        m.covered,
        m.cells,
        bp / 100,
        (bp % 100) / 10
    )
}

/// The count of cell (`d`, `c`), 0 when the server sent none.
fn cell(m: &InspectionMatrix, d: usize, c: usize) -> i64 {
    m.filed
        .get(d)
        .and_then(|row| row.get(c))
        .copied()
        .unwrap_or(0)
}

/// The inspection matrix page.
#[function_component(InspectionKpiPage)]
pub fn inspection_kpi_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(
        ctx.as_ref()
            .map(|c| c.t("insp_kpi.title"))
            .unwrap_or_default(),
    );
    let units = crate::hooks::units::use_units();
    let year = use_state(crate::clock::this_year);
    let region = use_state(String::new);
    let matrix = use_remote(
        (*year, (*region).clone()),
        |(y, r): (i32, String)| async move { crate::api::supervision::matrix(y, super::some(&r)).await },
    );
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let scope = scope_of(&ctx);
    let on_year = {
        let year = year.clone();
        Callback::from(move |v: String| {
            if let Ok(y) = v.parse() {
                year.set(y);
            }
        })
    };
    // A province reader may narrow the table to one city.
    let cities: Vec<(String, String)> =
        std::iter::once((String::new(), ctx.t("insp_kpi.whole_area")))
            .chain(
                units
                    .of_kind(shared::OrgUnitKind::City)
                    .into_iter()
                    .map(|u| (u.code.clone(), units.name(&u.code, lang))),
            )
            .collect();
    let body = match matrix.ready() {
        None => matrix.placeholder(lang, None),
        Some(m) => html! { <>
            <p id="insp-kpi-coverage">
                <strong>{ ctx.t("insp_kpi.coverage") }</strong>{ "：" }{ coverage_text(m, lang) }
            </p>
            <p class="hint">{ ctx.t("insp_kpi.rule") }</p>
            if !m.stationed.is_empty() {
                <p id="insp-kpi-stationed">
                    { ctx.t("insp_kpi.stationed") }{ "：" }
                    { m.stationed.iter().map(|u| u.name.clone()).collect::<Vec<_>>().join("、") }
                </p>
            }
            if m.departments.is_empty() || m.counties.is_empty() {
                <p role="status" id="insp-kpi-empty">{ ctx.t("insp_kpi.empty") }</p>
            } else {
                <div class="table-scroll" role="region" aria-label={ctx.t("insp_kpi.table")} tabindex="0">
                    <table class="report dash-table matrix" id="insp-matrix">
                        <caption>{ ctx.t("insp_kpi.caption").replace("{year}", &m.year.to_string()) }</caption>
                        <thead>
                            <tr>
                                <th scope="col">{ ctx.t("insp.department") }</th>
                                { for m.counties.iter().map(|c| html! { <th scope="col">{ &c.name }</th> }) }
                            </tr>
                        </thead>
                        <tbody>
                            { for m.departments.iter().enumerate().map(|(d, dept)| html! {
                                <tr id={format!("insp-row-{}", dept.code.replace('.', "-"))}>
                                    <th scope="row">{ &dept.name }</th>
                                    { for m.counties.iter().enumerate().map(|(c, county)| {
                                        let n = cell(m, d, c);
                                        html! {
                                            <td class={classes!((n == 0).then_some("zero"))} data-county={county.code.clone()}>
                                                { n }
                                                if n == 0 {
                                                    <span class="sr-only">{ ctx.t("insp_kpi.missing") }</span>
                                                    <span aria-hidden="true">{ " !" }</span>
                                                }
                                            </td>
                                        }
                                    }) }
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
                <p class="hint">{ ctx.t("insp_kpi.zero_hint") }</p>
            }
        </> },
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("insp_kpi.title") }</h1>
            <div class="filters">
                <SelectField id="insp-kpi-year" label={ctx.t("kpi.year")} value={year.to_string()} options={year_options(lang, false)} onchange={on_year} />
                if scope.len() == 2 {
                    <SelectField id="insp-kpi-region" label={ctx.t("sv.city")} value={(*region).clone()} options={cities}
                        onchange={let r = region.clone(); Callback::from(move |v: String| r.set(v))} />
                }
            </div>
            { body }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(covered: i64, cells: i64) -> InspectionMatrix {
        InspectionMatrix {
            year: 2020,
            area: "43".into(),
            departments: vec![],
            counties: vec![],
            filed: vec![vec![1, 0]],
            covered,
            cells,
            stationed: vec![],
        }
    }

    #[test]
    fn coverage_counts_cells_and_survives_an_empty_matrix() {
        assert_eq!(coverage_text(&m(1, 2), Lang::En), "1 / 2 (50.0 %)");
        assert!(coverage_text(&m(0, 0), Lang::En).starts_with("0 / 0"));
        assert_eq!(cell(&m(1, 2), 0, 1), 0);
        assert_eq!(cell(&m(1, 2), 5, 5), 0, "missing cells count as 0");
    }
}
