//! Cross-checks with other agencies' lists (部门数据比对, measures 5 and 8):
//!
//! - for the provincial poverty office (`import_agency_lists`), the form that imports a
//!   list (scheme, month, area, an XLSX or CSV file; one client id per list, so a retry
//!   does not import it twice); a refused file lists its errors by row (`rows[N].field`)
//!   under the upload, the file's own errors next to it;
//! - for readers (`read_crosschecks`), a year's results of one scheme in the user's area
//!   (or one inside it): the counts per kind of gap and per unit below, the gaps of one
//!   kind a page at a time, and the lists imported that year.

use shared::auth::Capability;
use shared::crosscheck::{
    AgencyList, AgencyScheme, Gap, GapKind, GapQuery, GapSummary, ListQuery, ListUpload,
    SummaryQuery,
};
use shared::FieldError;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::crosscheck as api;
use crate::app::{Ctx, Route};
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, use_remote, PAGE_SIZE};
use crate::hooks::units::Units;
use crate::i18n::Lang;
use crate::pages::duties::{facts, outcome_view, set_year, units_table, year_select};
use crate::pages::rehab::{focus_id, options};
use crate::pages::supervision::{area_options, can, scope_of};

/// The filters of the results: year, scheme and area ("" for the user's own).
#[derive(Debug, Clone, PartialEq)]
struct Filters {
    year: i32,
    scheme: AgencyScheme,
    area: String,
}

impl Filters {
    fn area(&self) -> Option<String> {
        (!self.area.is_empty()).then(|| self.area.clone())
    }
}

/// The area select's options: the user's own area first, then the areas inside it.
fn own_area_options(units: &Units, scope: &str, lang: Lang) -> Vec<(String, String)> {
    let mut v = area_options(units, scope, lang);
    if let Some(first) = v.first_mut() {
        first.1 = units.name(scope, lang);
    }
    v
}

/// A row error's field `rows[N].column` as its row number and column.
fn row_of(field: &str) -> Option<(usize, &str)> {
    let rest = field.strip_prefix("rows[")?;
    let (n, column) = rest.split_once("].")?;
    Some((n.parse().ok()?, column))
}

/// The errors of a refused list by row, under the upload.
fn row_errors(errors: &[FieldError], lang: Lang) -> Html {
    let rows: Vec<(usize, &str, String)> = errors
        .iter()
        .filter_map(|e| row_of(&e.field).map(|(n, c)| (n, c, lang.error(&e.code, &e.message))))
        .collect();
    if rows.is_empty() {
        return html! {};
    }
    html! {
        <ol class="row-errors" id="list-row-errors" aria-label={lang.t("import.problems")}>
            { for rows.into_iter().map(|(n, column, text)| html! {
                <li id={format!("list-row-{n}-{column}")}>
                    <strong>{ lang.t("import.row_n").replace("{n}", &n.to_string()) }</strong>{ " " }
                    <span class="column">{ lang.t(&format!("cc.col.{column}")) }</span>{ "：" }{ text }
                </li>
            }) }
        </ol>
    }
}

/// The page.
#[function_component(CrosscheckPage)]
pub fn crosscheck_page() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("cc.title")).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    let year = use_state(crate::clock::this_year);
    let scheme = use_state(|| AgencyScheme::Dibao);
    let area = use_state(String::new);
    let kind = use_state(|| GapKind::Missing);
    let filters = Filters {
        year: *year,
        scheme: *scheme,
        area: (*area).clone(),
    };
    let summary = use_remote(filters.clone(), |f| async move {
        api::summary(&SummaryQuery {
            year: f.year,
            area: f.area(),
        })
        .await
    });
    let gaps = use_paged((filters, *kind), |(f, kind), cursor| async move {
        api::gaps(&GapQuery {
            year: f.year,
            scheme: f.scheme,
            kind,
            area: f.area(),
            limit: Some(PAGE_SIZE),
            cursor,
        })
        .await
    });
    let lists = use_remote(*year, |year| async move {
        api::lists(&ListQuery {
            year: Some(year),
            scheme: None,
        })
        .await
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let on_imported = {
        let (summary, gaps, lists) = (summary.clone(), gaps.clone(), lists.clone());
        Callback::from(move |()| {
            summary.reload();
            gaps.reload();
            lists.reload();
        })
    };
    let reader = can(&ctx, Capability::ReadCrossChecks);
    let pick = |state: &UseStateHandle<AgencyScheme>| {
        let state = state.clone();
        Callback::from(move |v: String| {
            if let Ok(s) = v.parse() {
                state.set(s);
            }
        })
    };
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |v: String| {
            if let Ok(k) = v.parse() {
                kind.set(k);
            }
        })
    };
    let on_area = {
        let area = area.clone();
        Callback::from(move |v: String| area.set(v))
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("cc.title") }</h1>
            <p class="hint">{ ctx.t("cc.about") }</p>
            if can(&ctx, Capability::ImportAgencyLists) {
                <h2>{ ctx.t("cc.import") }</h2>
                <ImportForm onimported={on_imported} />
            }
            if reader {
                <h2>{ ctx.t("cc.results") }</h2>
                <div class="filters" id="cc-filters">
                    { year_select("cc-year", *year, set_year(&year), lang) }
                    <SelectField id="cc-scheme" label={ctx.t("cc.scheme")} value={scheme.to_string()}
                        options={options(AgencyScheme::ALL, "scheme", lang, None)} onchange={pick(&scheme)} />
                    <SelectField id="cc-area" label={ctx.t("cc.area")} value={(*area).clone()}
                        options={own_area_options(&units, &scope_of(&ctx), lang)} onchange={on_area} />
                </div>
                { match summary.ready() {
                    None => summary.placeholder(lang, None),
                    Some(s) => summary_view(s, *scheme, &units, lang),
                } }
                <h3 id="gaps-title">{ ctx.t("cc.gaps") }</h3>
                <SelectField id="cc-kind" label={ctx.t("cc.kind")} value={kind.to_string()}
                    options={options(GapKind::ALL, "gap_kind", lang, None)} onchange={on_kind} />
                <p class="hint">{ ctx.t(&format!("cc.about_{}", *kind)) }</p>
                <ul class="results" id="gaps" aria-labelledby="gaps-title">
                    { for gaps.items().iter().enumerate().map(|(i, g)| gap_view(i, g, &units, lang)) }
                </ul>
                { gaps.footer(lang, "gaps", "cc.no_gaps") }
                <h2 id="lists-title">{ ctx.t("cc.lists").replace("{year}", &year.to_string()) }</h2>
                { match lists.ready() {
                    None => lists.placeholder(lang, None),
                    Some(v) if v.is_empty() => html! { <p role="status" id="lists-none">{ ctx.t("cc.no_lists") }</p> },
                    Some(v) => html! {
                        <ul class="results" id="lists" aria-labelledby="lists-title">
                            { for v.iter().map(|l| list_view(l, &units, lang)) }
                        </ul>
                    },
                } }
            }
        </section>
    }
}

/// A year's counts of one scheme: per kind in the area, and per unit below.
fn summary_view(s: &GapSummary, scheme: AgencyScheme, units: &Units, lang: Lang) -> Html {
    let count = |counts: &[shared::crosscheck::GapCount], kind: GapKind| {
        counts
            .iter()
            .filter(|c| c.scheme == scheme && c.kind == kind)
            .map(|c| c.count)
            .sum::<i64>()
    };
    let rows = s
        .units
        .iter()
        .map(|u| {
            (
                u.code.clone(),
                units.name(&u.code, lang),
                GapKind::ALL
                    .iter()
                    .map(|k| count(&u.counts, *k).to_string())
                    .collect(),
            )
        })
        .collect();
    let listed = s.lists.iter().any(|l| l.scheme == scheme);
    let title = lang
        .t("cc.summary")
        .replace("{unit}", &units.name(&s.area_code, lang))
        .replace("{year}", &s.year.to_string())
        .replace("{scheme}", &lang.t(&format!("scheme.{scheme}")));
    html! { <>
        <h3 id="cc-summary-title">{ title }</h3>
        if !listed {
            <p class="hint" id="cc-no-list">{ lang.t("cc.no_list") }</p>
        }
        if !s.rules.contains(&scheme) {
            <p class="hint" id="cc-no-rule">{ lang.t("cc.no_rule") }</p>
        }
        { facts("cc-totals", &[
            ("gap_kind.missing", "cc-total-missing", count(&s.totals, GapKind::Missing).to_string()),
            ("gap_kind.not_in_registry", "cc-total-not_in_registry", count(&s.totals, GapKind::NotInRegistry).to_string()),
            ("gap_kind.other_county", "cc-total-other_county", count(&s.totals, GapKind::OtherCounty).to_string()),
        ], lang) }
        { units_table("cc-units", lang.t("pur.children"),
            &["gap_kind.missing", "gap_kind.not_in_registry", "gap_kind.other_county"], rows, lang) }
    </> }
}

/// One gap.
fn gap_view(i: usize, g: &Gap, units: &Units, lang: Lang) -> Html {
    let county = |k: &str, c: &Option<String>| {
        c.as_ref()
            .map(|c| lang.t(k).replace("{county}", &units.name(c, lang)))
    };
    html! {
        <li id={format!("gap-{i}")}>
            if let Some(id) = g.person_id {
                <Link<Route> to={Route::Person { id: id.to_string() }}>{ &g.name }</Link<Route>>
            } else {
                <strong>{ &g.name }</strong>
            }
            <span class="mono">{ &g.id_number_masked }</span>
            if let Some(t) = county("cc.registered_in", &g.registered_county) { <span>{ t }</span> }
            if let Some(t) = county("cc.listed_in", &g.listed_county) { <span>{ t }</span> }
            if let Some(r) = g.receipt { <span class="badge">{ lang.t(&format!("receipt.{r}")) }</span> }
            if let Some(l) = g.disability_level { <span>{ lang.t(&format!("level.{l}")) }</span> }
            if let Some(p) = g.poverty_status { <span>{ lang.t(&format!("pov.{p}")) }</span> }
        </li>
    }
}

/// One imported list.
fn list_view(l: &AgencyList, units: &Units, lang: Lang) -> Html {
    let n = |k: &str, v: i64| lang.t(k).replace("{n}", &v.to_string());
    html! {
        <li id={format!("list-{}", l.id)}>
            <strong>{ lang.t(&format!("scheme.{}", l.scheme)) }</strong>
            <span class="nowrap">{ &l.period }</span>
            <span>{ units.name(&l.area_code, lang) }</span>
            <span>{ n("cc.rows_n", l.rows) }</span>
            <span>{ n("cc.receiving_n", l.receiving) }</span>
            if l.previous_id.is_some() {
                <span>{ lang.t("cc.changes").replace("{added}", &l.added.to_string())
                    .replace("{removed}", &l.removed.to_string()).replace("{changed}", &l.changed.to_string()) }</span>
            }
            <span>{ format!("{} · {}", crate::clock::local_time(l.created_at, lang), l.created_by) }</span>
        </li>
    }
}

/// Props of [`ImportForm`].
#[derive(Properties, PartialEq)]
struct ImportProps {
    /// A list was imported (reload what shows it).
    onimported: Callback<()>,
}

/// Imports an agency's list.
#[function_component(ImportForm)]
fn import_form(p: &ImportProps) -> Html {
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let fh = use_form("list-form");
    let scheme = use_state(String::new);
    let period = use_state(String::new);
    let area = use_state(String::new);
    let file = use_state(|| None::<web_sys::File>);
    let input = use_node_ref();
    let outcome = use_state(|| None::<Result<String, String>>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let on_file = {
        let (file, fh) = (file.clone(), fh.clone());
        Callback::from(move |e: Event| {
            file.set(
                e.target_dyn_into::<web_sys::HtmlInputElement>()
                    .and_then(|i| i.files())
                    .and_then(|f| f.get(0)),
            );
            fh.clear_errors("");
        })
    };
    let onsubmit = {
        let (fh, scheme, period, area, file, input, outcome, onimported) = (
            fh.clone(),
            scheme.clone(),
            period.clone(),
            area.clone(),
            file.clone(),
            input.clone(),
            outcome.clone(),
            p.onimported.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut errs = Vec::new();
            let chosen = scheme.parse::<AgencyScheme>().ok();
            if chosen.is_none() {
                errs.push(FieldError::new("scheme", "required", ""));
            }
            if shared::crosscheck::parse_period(period.trim()).is_none() {
                errs.push(FieldError::new("period", "invalid_period", ""));
            }
            if file.is_none() {
                errs.push(FieldError::new("file", "required", ""));
            }
            let (Some(s), Some(f), true) = (chosen, (*file).clone(), errs.is_empty()) else {
                return fh.reject(errs);
            };
            let mut q = ListUpload {
                id: None,
                scheme: s,
                period: period.trim().to_owned(),
                area: (!area.is_empty()).then(|| (*area).clone()),
                format: Some(api::format_of(&f.name())),
            };
            let (outcome, file, input, onimported) = (
                outcome.clone(),
                file.clone(),
                input.clone(),
                onimported.clone(),
            );
            outcome.set(None);
            fh.submit(
                move |id| async move {
                    q.id = Some(id);
                    api::import(&q, &f, lang).await.map_err(|e| {
                        if e.problem.as_ref().is_some_and(|p| !p.errors.is_empty()) {
                            Failure::Api(e)
                        } else {
                            Failure::Text(e.message(lang))
                        }
                    })
                },
                move |l: AgencyList| {
                    outcome.set(Some(Ok(lang
                        .t("cc.imported")
                        .replace("{scheme}", &lang.t(&format!("scheme.{}", l.scheme)))
                        .replace("{period}", &l.period)
                        .replace("{rows}", &l.rows.to_string())
                        .replace("{receiving}", &l.receiving.to_string()))));
                    // Imported: the same file is not offered for a second import.
                    file.set(None);
                    if let Some(i) = input.cast::<web_sys::HtmlInputElement>() {
                        i.set_value("");
                    }
                    focus_id("list-outcome");
                    onimported.emit(());
                },
            );
        })
    };
    let file_error = fh.error("file", lang);
    let file_err_id = "list-file-error";
    let schemes = options(AgencyScheme::ALL, "scheme", lang, Some("form.choose"));
    html! {
        <form id="list-form" {onsubmit} novalidate=true aria-label={ctx.t("cc.import")}>
            { outcome_view("list-outcome", &outcome) }
            { fh.banner(lang, "list-banner") }
            <SelectField id="list-scheme" label={ctx.t("cc.scheme")} value={(*scheme).clone()} options={schemes}
                onchange={fh.bind(&scheme, "scheme")} error={fh.error("scheme", lang)} required=true />
            <TextField id="list-period" kind="month" label={ctx.t("cc.period")} value={(*period).clone()}
                oninput={fh.bind(&period, "period")} error={fh.error("period", lang)} required=true />
            <p class="hint">{ ctx.t("cc.period_hint") }</p>
            <SelectField id="list-area" label={ctx.t("cc.list_area")} value={(*area).clone()}
                options={own_area_options(&units, &scope_of(&ctx), lang)} onchange={fh.bind(&area, "area")} error={fh.error("area", lang)} />
            <div class={classes!("field", file_error.is_some().then_some("has-error"))}>
                <label for="list-file">{ ctx.t("cc.file") }<span class="req" aria-hidden="true">{ " *" }</span></label>
                <input type="file" id="list-file" ref={input} accept=".xlsx,.csv" onchange={on_file} required=true
                    aria-invalid={file_error.is_some().then_some("true")}
                    aria-describedby={file_error.is_some().then_some(file_err_id)} />
                if let Some(e) = file_error { <p class="error" id={file_err_id}>{ e }</p> }
            </div>
            <p class="hint">{ ctx.t("cc.file_hint") }</p>
            { row_errors(fh.errors(), lang) }
            <div class="buttons">
                <button type="submit" class="primary" id="list-save" disabled={fh.busy()}>{ ctx.t("cc.import_run") }</button>
                if fh.busy() { <span role="status">{ ctx.t("import.sending") }</span> }
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_errors_name_their_row_and_column() {
        assert_eq!(row_of("rows[12].id_number"), Some((12, "id_number")));
        assert_eq!(row_of("file"), None);
        assert_eq!(row_of("rows[x].name"), None);
        for c in ["id_number", "name", "scheme", "status", "period", "county"] {
            let k = format!("cc.col.{c}");
            assert_ne!(Lang::Zh.t(&k), k);
            assert_ne!(Lang::En.t(&k), k);
        }
        for k in GapKind::ALL {
            let key = format!("cc.about_{k}");
            assert_ne!(Lang::Zh.t(&key), key);
        }
    }
}
