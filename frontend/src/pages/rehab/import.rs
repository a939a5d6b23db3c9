//! The one rehab spreadsheet import: choose a file, "检查" (a dry run, nothing written)
//! or "导入" (written all or nothing), and the server's report — how many rows, and
//! every problem listed under its row with the column and the message (a list, not a
//! table: it reads on a 360 px phone without sideways scrolling). The needs survey and
//! the device catalogue both use it.
//!
//! A failed upload can simply be sent again: the server writes all rows or none, and a
//! file already imported comes back with each row reported `duplicate` (needs) or as
//! an update of the same item (catalogue), never written twice. While a request is in
//! flight the buttons are disabled, so a double tap sends one request.

use shared::rehab::ImportReport;
use yew::prelude::*;

use crate::api::rehab::ImportTarget;
use crate::app::Ctx;
use crate::hooks::form::{use_form, Failure};
use crate::i18n::Lang;

/// Props of [`ImportPanel`].
#[derive(Properties, PartialEq)]
pub struct ImportProps {
    /// Element id prefix: `{id}-file`, `{id}-check`, `{id}-run`, `{id}-report`,
    /// `{id}-row-{n}`.
    pub id: AttrValue,
    /// Where the file goes.
    pub target: ImportTarget,
    /// The template to offer, as (path, file name), if the import has its own.
    #[prop_or_default]
    pub template: Option<(AttrValue, AttrValue)>,
    /// Called after rows were written (reload what shows them).
    pub onimported: Callback<ImportReport>,
}

/// The rows of a report with their problems, in row order (the report lists them so).
fn by_row(report: &ImportReport) -> Vec<(usize, Vec<&shared::api::RowError>)> {
    let mut rows: Vec<(usize, Vec<&shared::api::RowError>)> = Vec::new();
    for e in &report.errors {
        match rows.iter_mut().find(|(r, _)| *r == e.row) {
            Some((_, list)) => list.push(e),
            None => rows.push((e.row, vec![e])),
        }
    }
    rows
}

/// The report's one-line summary.
fn summary(report: &ImportReport, lang: Lang) -> String {
    let n = |key: &str, n: usize| lang.t(key).replace("{n}", &n.to_string());
    let outcome = if !report.errors.is_empty() {
        n("import.found_problems", report.errors.len())
    } else if report.dry_run {
        n("import.check_ok", report.written)
    } else {
        n("import.written_n", report.written)
    };
    format!("{} {}", n("import.rows_n", report.rows), outcome)
}

/// What a refused upload says: the field error's text (`too_many_rows`, an unreadable
/// file …) when there is one, else the general message.
fn upload_failure(e: crate::api::ApiError, lang: Lang) -> Failure {
    match e.problem.as_ref().and_then(|p| p.errors.first()) {
        Some(f) => Failure::Text(lang.error(&f.code, &f.message)),
        None => Failure::Api(e),
    }
}

/// The import panel (see the module's comment).
#[function_component(ImportPanel)]
pub fn import_panel(p: &ImportProps) -> Html {
    let ctx = use_context::<Ctx>();
    let file = use_state(|| None::<web_sys::File>);
    let report = use_state(|| None::<ImportReport>);
    let input = use_node_ref();
    let template_error = use_state(|| None::<String>);
    let fh = use_form(p.id.clone());
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let id = |part: &str| format!("{}-{part}", p.id);
    let on_file = {
        let (file, report, fh) = (file.clone(), report.clone(), fh.clone());
        Callback::from(move |e: Event| {
            let picked = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .and_then(|i| i.files())
                .and_then(|f| f.get(0));
            file.set(picked);
            report.set(None);
            fh.clear_error("file");
        })
    };
    let send = |dry_run: bool| {
        let (file, report, fh, input) = (file.clone(), report.clone(), fh.clone(), input.clone());
        let (target, onimported, report_id) = (p.target, p.onimported.clone(), id("report"));
        Callback::from(move |_: MouseEvent| {
            let Some(f) = (*file).clone() else {
                fh.reject(vec![shared::FieldError::new("file", "required", "")]);
                return;
            };
            let (report, file, input, onimported, report_id) = (
                report.clone(),
                file.clone(),
                input.clone(),
                onimported.clone(),
                report_id.clone(),
            );
            fh.submit(
                move |_| async move {
                    crate::api::rehab::import(target, &f, dry_run, lang)
                        .await
                        .map_err(|e| upload_failure(e, lang))
                },
                move |r: ImportReport| {
                    let wrote = !r.dry_run && r.errors.is_empty() && r.written > 0;
                    report.set(Some(r.clone()));
                    if wrote {
                        // Written: the same file is not offered for a second import.
                        file.set(None);
                        if let Some(i) = input.cast::<web_sys::HtmlInputElement>() {
                            i.set_value("");
                        }
                        onimported.emit(r);
                    }
                    super::focus_id(report_id);
                },
            );
        })
    };
    let on_template = p.template.clone().map(|(path, name)| {
        let template_error = template_error.clone();
        Callback::from(move |_: MouseEvent| {
            let (path, name, template_error) = (path.clone(), name.clone(), template_error.clone());
            template_error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = crate::api::download(&path, &name).await {
                    template_error.set(Some(e.message(lang)));
                }
            });
        })
    });
    let file_error = fh.error("file", lang);
    let colon = if lang == Lang::Zh { "：" } else { ": " };
    let file_err_id = id("file-error");
    html! {
        <div class="import" id={p.id.clone()}>
            if let Some(onclick) = on_template {
                <p><button type="button" class="link" id={id("template")} {onclick}>{ ctx.t("courses.template") }</button></p>
            }
            if let Some(e) = &*template_error {
                <p class="error-summary" role="alert">{ e }</p>
            }
            { fh.banner(lang, &id("banner")) }
            <div class={classes!("field", file_error.is_some().then_some("has-error"))}>
                <label for={id("file")}>{ ctx.t("courses.import_file") }</label>
                <input type="file" id={id("file")} ref={input.clone()} accept=".xlsx,.csv" onchange={on_file}
                    aria-invalid={file_error.is_some().then_some("true")}
                    aria-describedby={file_error.is_some().then(|| file_err_id.clone())} />
                if let Some(e) = file_error { <p class="error" id={file_err_id}>{ e }</p> }
            </div>
            <p class="hint">{ ctx.t("import.safe_retry") }</p>
            <div class="buttons">
                <button type="button" id={id("check")} onclick={send(true)} disabled={fh.busy()}>{ ctx.t("import.check") }</button>
                <button type="button" class="primary" id={id("run")} onclick={send(false)} disabled={fh.busy()}>{ ctx.t("import.run") }</button>
                if fh.busy() { <span role="status">{ ctx.t("import.sending") }</span> }
            </div>
            <div id={id("report")} class="import-report" tabindex="-1" aria-live="polite">
                if let Some(r) = &*report {
                    <p class={if r.errors.is_empty() { "notice" } else { "error-summary" }} id={id("summary")}>{ summary(r, lang) }</p>
                    if !r.errors.is_empty() {
                        <ol class="row-errors" aria-label={ctx.t("import.problems")}>
                            { for by_row(r).into_iter().map(|(row, errs)| html! {
                                <li id={format!("{}-row-{row}", p.id)}>
                                    <strong>{ ctx.t("import.row_n").replace("{n}", &row.to_string()) }</strong>
                                    <ul>
                                        { for errs.into_iter().map(|e| html! {
                                            <li><span class="column">{ &e.column }</span>{ colon }{ &e.message }</li>
                                        }) }
                                    </ul>
                                </li>
                            }) }
                        </ol>
                    }
                }
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::RowError;

    fn err(row: usize, column: &str) -> RowError {
        RowError {
            row,
            column: column.into(),
            code: "required".into(),
            message: "必填".into(),
        }
    }

    #[test]
    fn problems_are_grouped_under_their_row() {
        let r = ImportReport {
            rows: 3,
            written: 0,
            errors: vec![err(2, "姓名"), err(2, "项目"), err(4, "发现日期")],
            dry_run: true,
        };
        let rows = by_row(&r);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[0].1.len(), 2);
        assert_eq!(rows[1].1[0].column, "发现日期");
    }

    #[test]
    fn the_summary_says_what_happened() {
        let clean = ImportReport {
            rows: 2,
            written: 2,
            errors: vec![],
            dry_run: true,
        };
        assert_eq!(
            summary(&clean, Lang::En),
            "The file has 2 rows. Check passed: 2 rows can be imported; nothing written yet."
        );
        let done = ImportReport {
            dry_run: false,
            ..clean.clone()
        };
        assert!(summary(&done, Lang::Zh).contains("已导入 2 行"));
        let bad = ImportReport {
            written: 0,
            errors: vec![err(2, "姓名")],
            ..clean
        };
        assert!(summary(&bad, Lang::Zh).contains("1 个问题"));
    }
}
