//! One course: its roster, adding people by identity number or name, spreadsheet
//! export, and the import wizard (upload → report → commit, with progress).

use serde::Deserialize;
use shared::employment::{Course, Enrolment, EnrolmentCreate, EnrolmentStatus, EnrolmentUpdate};
use shared::person::{PersonItem, PersonQuery};
use yew::prelude::*;

use crate::app::Ctx;
use crate::components::field::TextField;

/// Props: the course id.
#[derive(Properties, PartialEq)]
pub struct CourseProps {
    /// Course id.
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct RowError {
    row: usize,
    column: String,
    message: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct ImportStatus {
    id: String,
    state: String,
    total_rows: usize,
    processed_rows: usize,
    errors: Vec<RowError>,
    error_count: usize,
    failure: Option<String>,
}

async fn poll(
    job: String,
    status: UseStateHandle<Option<ImportStatus>>,
    lang: crate::i18n::Lang,
    error: UseStateHandle<Option<String>>,
) -> Option<ImportStatus> {
    loop {
        match crate::api::get::<ImportStatus>(&format!("/api/v1/imports/{job}")).await {
            Ok(s) => {
                let busy = s.state == "validating" || s.state == "committing";
                status.set(Some(s.clone()));
                if !busy {
                    return Some(s);
                }
            }
            Err(e) => {
                error.set(Some(e.message(lang)));
                return None;
            }
        }
        gloo_timers::future::TimeoutFuture::new(400).await;
    }
}

/// The course page.
#[function_component(CoursePage)]
pub fn course_page(p: &CourseProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let course = use_state(|| None::<Course>);
    let roster = use_state(Vec::<Enrolment>::new);
    let error = use_state(|| None::<String>);
    let search = use_state(String::new);
    let found = use_state(Vec::<shared::person::Person>::new);
    let import = use_state(|| None::<ImportStatus>);
    let reload = use_state(|| 0u32);
    let lang = ctx.lang;
    let id = p.id.clone();
    {
        let (course, roster, error, id) =
            (course.clone(), roster.clone(), error.clone(), id.clone());
        use_effect_with((id, *reload), move |(id, _)| {
            let id = id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::get::<Course>(&format!("/api/v1/courses/{id}")).await {
                    Ok(c) => course.set(Some(c)),
                    Err(e) => error.set(Some(if e.status == 404 {
                        lang.t("persons.not_found")
                    } else {
                        e.message(lang)
                    })),
                }
                if let Ok(r) =
                    crate::api::get::<Vec<Enrolment>>(&format!("/api/v1/courses/{id}/enrolments"))
                        .await
                {
                    roster.set(r);
                }
            });
            || ()
        });
    }
    let can_write = ctx.me.as_ref().is_some_and(|m| {
        m.permissions
            .contains(&shared::auth::Capability::WriteTraining)
    });
    let on_search = {
        let (search, found, error) = (search.clone(), found.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let q = search.trim().to_owned();
            let query = if q.len() == 18 && q.chars().take(17).all(|c| c.is_ascii_digit()) {
                PersonQuery {
                    id_number: Some(q),
                    limit: Some(20),
                    ..PersonQuery::default()
                }
            } else {
                PersonQuery {
                    name: Some(q),
                    limit: Some(20),
                    ..PersonQuery::default()
                }
            };
            let (found, error) = (found.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::search_persons(&query).await {
                    Ok(p) => found.set(
                        p.items
                            .into_iter()
                            .filter_map(|i| {
                                if let PersonItem::Person(p) = i {
                                    Some(*p)
                                } else {
                                    None
                                }
                            })
                            .collect(),
                    ),
                    Err(e) => error.set(Some(e.message(lang))),
                }
            });
        })
    };
    let enrol = {
        let (id, reload, error, found) = (id.clone(), reload.clone(), error.clone(), found.clone());
        Callback::from(move |person: uuid::Uuid| {
            let (id, reload, error, found) =
                (id.clone(), reload.clone(), error.clone(), found.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let body = EnrolmentCreate {
                    id: Some(uuid::Uuid::new_v4()),
                    person_id: person,
                };
                match crate::api::post::<Enrolment, _>(
                    &format!("/api/v1/courses/{id}/enrolments"),
                    &body,
                )
                .await
                {
                    Ok(_) => {
                        error.set(None);
                        found.set(Vec::new());
                        reload.set(*reload + 1);
                    }
                    Err(e) => error.set(Some(e.message(lang))),
                }
            });
        })
    };
    let change_status = {
        let (reload, error, course) = (reload.clone(), error.clone(), course.clone());
        Callback::from(move |(e, status): (Enrolment, EnrolmentStatus)| {
            let Some(c) = (*course).clone() else { return };
            let completed = status == EnrolmentStatus::Completed;
            let body = EnrolmentUpdate {
                version: e.version,
                status,
                hours_attended: if completed {
                    c.fields.hours
                } else {
                    e.hours_attended
                },
                completion_date: completed.then_some(c.fields.end_date),
                certificate_obtained: false,
                outcome: e.outcome,
            };
            let (reload, error) = (reload.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::put::<Enrolment, _>(
                    &format!("/api/v1/enrolments/{}", e.id),
                    &body,
                )
                .await
                {
                    Ok(_) => {
                        error.set(None);
                        reload.set(*reload + 1);
                    }
                    Err(err) => error.set(Some(
                        match err.problem.as_ref().and_then(|p| p.errors.first()) {
                            Some(f) => lang.error(&f.code, &f.message),
                            None => err.message(lang),
                        },
                    )),
                }
            });
        })
    };
    let export = |format: &'static str| {
        let (id, error) = (id.clone(), error.clone());
        Callback::from(move |_| {
            let (id, error) = (id.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let path = format!("/api/v1/courses/{id}/roster/export?format={format}");
                if let Err(e) = crate::api::download(&path, &format!("花名册.{format}")).await {
                    error.set(Some(e.message(lang)));
                }
            });
        })
    };
    let on_file = {
        let (id, import, error) = (id.clone(), import.clone(), error.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            let format = if file.name().to_lowercase().ends_with(".csv") {
                "csv"
            } else {
                "xlsx"
            };
            let (id, import, error) = (id.clone(), import.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::upload::<ImportStatus>(
                    &format!("/api/v1/courses/{id}/roster/import?format={format}"),
                    &file,
                    lang,
                )
                .await
                {
                    Ok(s) => {
                        import.set(Some(s.clone()));
                        poll(s.id, import, lang, error).await;
                    }
                    Err(e) => error.set(Some(
                        e.problem
                            .as_ref()
                            .and_then(|p| p.errors.first())
                            .map(|f| f.message.clone())
                            .unwrap_or_else(|| e.message(lang)),
                    )),
                }
            });
        })
    };
    let on_commit = {
        let (import, error, reload) = (import.clone(), error.clone(), reload.clone());
        Callback::from(move |_| {
            let Some(job) = import.as_ref().map(|s| s.id.clone()) else {
                return;
            };
            let (import, error, reload) = (import.clone(), error.clone(), reload.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::post::<ImportStatus, _>(
                    &format!("/api/v1/imports/{job}/commit"),
                    &serde_json::json!({}),
                )
                .await
                {
                    Ok(_) => {
                        if poll(job, import, lang, error).await.is_some() {
                            reload.set(*reload + 1);
                        }
                    }
                    Err(e) => error.set(Some(e.message(lang))),
                }
            });
        })
    };
    let template = {
        let error = error.clone();
        Callback::from(move |_| {
            let error = error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) =
                    crate::api::download("/api/v1/roster-template?format=xlsx", "花名册模板.xlsx")
                        .await
                {
                    error.set(Some(e.message(lang)));
                }
            });
        })
    };
    let Some(c) = (*course).clone() else {
        return html! { <section class="card">{ match &*error { Some(e) => html!{ <p class="error-summary" role="alert">{ e }</p> }, None => html!{ <p role="status">{ ctx.t("app.loading") }</p> } } }</section> };
    };
    html! {
        <section class="card">
            <h1>{ &c.fields.name }</h1>
            <dl class="facts">
                <dt>{ ctx.t("courses.kind") }</dt><dd>{ ctx.t(&format!("kind.{}", c.fields.kind)) }</dd>
                <dt>{ ctx.t("courses.start") }</dt><dd>{ c.fields.start_date.to_string() }</dd>
                <dt>{ ctx.t("courses.end") }</dt><dd>{ c.fields.end_date.to_string() }</dd>
                <dt>{ ctx.t("courses.places") }</dt><dd>{ format!("{}/{}", c.enrolled, c.fields.planned_places) }</dd>
                <dt>{ ctx.t("courses.hours") }</dt><dd>{ c.fields.hours }</dd>
            </dl>
            if let Some(e) = &*error {
                <p class="error-summary" role="alert">{ e }</p>
            }
            <h2>{ ctx.t("courses.roster") }</h2>
            <p class="actions">
                <button type="button" onclick={export("xlsx")} id="export-xlsx">{ ctx.t("courses.export_xlsx") }</button>
                <button type="button" onclick={export("csv")}>{ ctx.t("courses.export_csv") }</button>
            </p>
            <ul class="results" id="roster">
                { for roster.iter().map(|e| {
                    let (done, drop) = (change_status.clone(), change_status.clone());
                    let (e1, e2) = (e.clone(), e.clone());
                    html! {
                        <li>
                            <span>{ &e.person_name }</span>
                            <span class="mono">{ &e.person_id_number }</span>
                            <span>{ ctx.t(&format!("status.{}", e.status)) }</span>
                            if can_write && e.status == EnrolmentStatus::Enrolled {
                                <button type="button" onclick={Callback::from(move |_| done.emit((e1.clone(), EnrolmentStatus::Completed)))}
                                    aria-label={format!("{} {}", ctx.t("courses.mark_completed"), e.person_name)}>{ ctx.t("courses.mark_completed") }</button>
                                <button type="button" class="danger" onclick={Callback::from(move |_| drop.emit((e2.clone(), EnrolmentStatus::Dropped)))}
                                    aria-label={format!("{} {}", ctx.t("courses.mark_dropped"), e.person_name)}>{ ctx.t("courses.mark_dropped") }</button>
                            }
                        </li>
                    }
                }) }
            </ul>
            if can_write {
                <h2>{ ctx.t("courses.add") }</h2>
                <form onsubmit={on_search} role="search">
                    <TextField id="enrol-search" label={ctx.t("courses.search")} value={(*search).clone()} oninput={let s = search.clone(); Callback::from(move |v| s.set(v))} />
                    <button type="submit" id="enrol-search-go">{ ctx.t("persons.search") }</button>
                </form>
                <ul class="results" id="enrol-candidates">
                    { for found.iter().map(|p| {
                        let pid = p.id;
                        let enrol = enrol.clone();
                        html! {
                            <li>
                                <span>{ &p.name }</span><span class="mono">{ &p.id_number }</span>
                                <button type="button" onclick={Callback::from(move |_| enrol.emit(pid))}>{ ctx.t("courses.enrol") }</button>
                            </li>
                        }
                    }) }
                </ul>
                <h2>{ ctx.t("courses.import") }</h2>
                <p><button type="button" class="link" onclick={template}>{ ctx.t("courses.template") }</button></p>
                <div class="field">
                    <label for="import-file">{ ctx.t("courses.import_file") }</label>
                    <input type="file" id="import-file" accept=".xlsx,.csv" onchange={on_file} />
                </div>
                if let Some(s) = &*import {
                    <div class="import" id="import-status" aria-live="polite">
                        <label for="import-progress">{ format!("{}: {}/{}", ctx.t(&format!("import.{}", s.state)), s.processed_rows, s.total_rows) }</label>
                        <progress id="import-progress" max={s.total_rows.max(1).to_string()} value={s.processed_rows.to_string()} />
                        if s.state == "invalid" {
                            <p class="error-summary" role="alert">{ format!("{} {}", ctx.t("import.errors"), s.error_count) }</p>
                            <table class="report">
                                <thead><tr><th scope="col">{ ctx.t("import.row") }</th><th scope="col">{ ctx.t("import.column") }</th><th scope="col">{ ctx.t("import.problem") }</th></tr></thead>
                                <tbody>
                                    { for s.errors.iter().map(|e| html! { <tr><td>{ e.row }</td><td>{ &e.column }</td><td>{ &e.message }</td></tr> }) }
                                </tbody>
                            </table>
                        }
                        if s.state == "valid" {
                            <button type="button" class="primary" id="import-commit" onclick={on_commit}>{ ctx.t("import.commit") }</button>
                        }
                        if let Some(f) = &s.failure {
                            <p class="error-summary" role="alert">{ f }</p>
                        }
                    </div>
                }
            }
        </section>
    }
}
