//! One course: its roster, adding people by identity number or name, spreadsheet
//! export, and the import wizard (upload → report → commit, with progress).

use shared::api::{ImportStatus, JobState};
use shared::employment::{Course, Enrolment, EnrolmentCreate, EnrolmentStatus, EnrolmentUpdate};
use shared::person::Person;
use yew::prelude::*;

use crate::app::Ctx;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{CheckField, TextField};
use crate::components::person_picker::PersonPicker;
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;

/// Props: the course id.
#[derive(Properties, PartialEq)]
pub struct CourseProps {
    /// Course id.
    pub id: String,
}

async fn poll(
    job: uuid::Uuid,
    status: UseStateHandle<Option<ImportStatus>>,
    lang: crate::i18n::Lang,
    error: UseStateHandle<Option<String>>,
) -> Option<ImportStatus> {
    loop {
        match crate::api::get::<ImportStatus>(&format!("/api/v1/imports/{job}")).await {
            Ok(s) => {
                let busy = matches!(s.state, JobState::Validating | JobState::Committing);
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
    let ctx = use_context::<Ctx>();
    let units = crate::hooks::units::use_units();
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let id = p.id.clone();
    let course = use_remote(id.clone(), |id: String| async move {
        crate::api::get::<Course>(&format!("/api/v1/courses/{id}")).await
    });
    let roster = use_remote(id.clone(), |id: String| async move {
        crate::api::get::<Vec<Enrolment>>(&format!("/api/v1/courses/{id}/enrolments")).await
    });
    // Errors of the export and import.
    let error = use_state(|| None::<String>);
    let import = use_state(|| None::<ImportStatus>);
    // Adding a person, and changing an enrolment's status.
    let enrol_form = use_form("course-enrol");
    let status_form = use_form("roster");
    let import_form = use_form("import-status");
    let last_pick = use_mut_ref(|| None::<uuid::Uuid>);
    let reload = {
        let (course, roster) = (course.clone(), roster.clone());
        Callback::from(move |()| {
            course.reload();
            roster.reload();
        })
    };
    let can_write = ctx.me.as_ref().is_some_and(|m| {
        m.permissions
            .contains(&shared::auth::Capability::WriteTraining)
    });
    let enrol = {
        let (id, reload, form) = (id.clone(), reload.clone(), enrol_form.clone());
        Callback::from(move |person: Person| {
            // One id per person: a retry for the same person replays the same create.
            if last_pick.borrow_mut().replace(person.id) != Some(person.id) {
                form.renew_id();
            }
            let (id, reload) = (id.clone(), reload.clone());
            form.submit(
                move |record_id| async move {
                    let body = EnrolmentCreate {
                        id: Some(record_id),
                        person_id: person.id,
                    };
                    let path = format!("/api/v1/courses/{id}/enrolments");
                    Ok(crate::api::post::<Enrolment, _>(&path, &body).await?)
                },
                move |_| reload.emit(()),
            );
        })
    };
    let change_status = {
        let (reload, form, course) = (reload.clone(), status_form.clone(), course.clone());
        Callback::from(move |(e, status): (Enrolment, EnrolmentStatus)| {
            let Some(c) = course.ready().cloned() else {
                return;
            };
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
            let (reload, stale) = (reload.clone(), reload.clone());
            form.submit(
                move |_| async move {
                    let path = format!("/api/v1/enrolments/{}", e.id);
                    match crate::api::put::<Enrolment, _>(&path, &body).await {
                        Ok(x) => Ok(x),
                        Err(err) => {
                            if err.code() == "stale_version" {
                                stale.emit(());
                            }
                            // The roster has no input per field: the first field
                            // error goes to the banner.
                            Err(match err.problem.as_ref().and_then(|p| p.errors.first()) {
                                Some(f) => Failure::Text(lang.error(&f.code, &f.message)),
                                None => err.into(),
                            })
                        }
                    }
                },
                move |_| reload.emit(()),
            );
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
        let (import, error, reload, form) = (
            import.clone(),
            error.clone(),
            reload.clone(),
            import_form.clone(),
        );
        Callback::from(move |_| {
            let Some(job) = import.as_ref().map(|s| s.id) else {
                return;
            };
            let (import, error, reload) = (import.clone(), error.clone(), reload.clone());
            // Busy until the rows are written: a second click does not commit again.
            form.submit(
                move |_| async move {
                    let path = format!("/api/v1/imports/{job}/commit");
                    crate::api::post::<ImportStatus, _>(&path, &serde_json::json!({})).await?;
                    Ok(poll(job, import, lang, error).await)
                },
                move |done: Option<ImportStatus>| {
                    if done.is_some() {
                        reload.emit(());
                    }
                },
            );
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
    use_title(
        course
            .ready()
            .map_or_else(|| ctx.t("courses.title"), |c| c.fields.name.clone()),
    );
    let Some(c) = course.ready().cloned() else {
        return html! { <section class="card">{ course.placeholder(lang, Some("courses.not_found")) }</section> };
    };
    let status_busy = status_form.busy();
    html! {
        <section class="card">
            <h1>{ &c.fields.name }</h1>
            <dl class="facts">
                <dt>{ ctx.t("courses.kind") }</dt><dd>{ ctx.t(&format!("kind.{}", c.fields.kind)) }</dd>
                <dt>{ ctx.t("courses.start") }</dt><dd>{ c.fields.start_date.to_string() }</dd>
                <dt>{ ctx.t("courses.end") }</dt><dd>{ c.fields.end_date.to_string() }</dd>
                <dt>{ ctx.t("courses.places") }</dt><dd>{ format!("{}/{}", c.enrolled, c.fields.planned_places) }</dd>
                <dt>{ ctx.t("courses.hours") }</dt><dd>{ c.fields.hours }</dd>
                <dt>{ ctx.t("field.county_code") }</dt><dd>{ units.name(&c.fields.county_code, lang) }</dd>
                if let Some(v) = &c.fields.venue { <dt>{ ctx.t("courses.venue") }</dt><dd>{ v }</dd> }
                if let Some(t) = &c.fields.trainer { <dt>{ ctx.t("courses.trainer") }</dt><dd>{ t }</dd> }
                <dt>{ ctx.t("courses.funding") }</dt><dd>{ shared::money::format_hundredths(c.fields.funding_fen) }</dd>
            </dl>
            if let Some(e) = &*error {
                <p class="error-summary" role="alert">{ e }</p>
            }
            <h2>{ ctx.t("courses.roster") }</h2>
            <p class="actions">
                <button type="button" onclick={export("xlsx")} id="export-xlsx">{ ctx.t("courses.export_xlsx") }</button>
                <button type="button" onclick={export("csv")}>{ ctx.t("courses.export_csv") }</button>
            </p>
            { status_form.banner(lang, "roster-banner") }
            { roster.placeholder(lang, None) }
            if roster.ready().is_some_and(|r| r.is_empty()) {
                <p role="status" id="roster-empty">{ ctx.t("courses.roster_empty") }</p>
            }
            <ul class="results" id="roster">
                { for roster.ready().into_iter().flatten().map(|e| {
                    let (done, drop) = (change_status.clone(), change_status.clone());
                    let (e1, e2, e3) = (e.clone(), e.clone(), e.clone());
                    let undo = change_status.clone();
                    html! {
                        <li>
                            <span>{ &e.person_name }</span>
                            <span class="mono">{ &e.person_id_number }</span>
                            <span>{ ctx.t(&format!("status.{}", e.status)) }</span>
                            if e.status == EnrolmentStatus::Completed {
                                <span>{ format!("{} {}", e.hours_attended, ctx.t("courses.hours")) }</span>
                                if e.certificate_obtained { <span>{ ctx.t("courses.certificate") }</span> }
                            }
                            if can_write && e.status == EnrolmentStatus::Enrolled {
                                <button type="button" disabled={status_busy} onclick={Callback::from(move |_| done.emit((e1.clone(), EnrolmentStatus::Completed)))}
                                    aria-label={format!("{} {}", ctx.t("courses.mark_completed"), e.person_name)}>{ ctx.t("courses.mark_completed") }</button>
                                <ConfirmButton id={format!("drop-{}", e.id)} class="danger" disabled={status_busy}
                                    label={ctx.t("courses.mark_dropped")}
                                    question={ctx.t("courses.drop_confirm").replace("{name}", &e.person_name)}
                                    onconfirm={Callback::from(move |()| drop.emit((e2.clone(), EnrolmentStatus::Dropped)))} />
                            }
                            if can_write && e.status == EnrolmentStatus::Completed {
                                <ConfirmButton id={format!("undo-{}", e.id)} disabled={status_busy}
                                    label={ctx.t("courses.undo_completion")}
                                    question={ctx.t("courses.undo_confirm").replace("{name}", &e.person_name)}
                                    onconfirm={Callback::from(move |()| undo.emit((e3.clone(), EnrolmentStatus::Enrolled)))} />
                            }
                        </li>
                    }
                }) }
            </ul>
            if can_write {
                if let Some(r) = roster.ready() {
                    if r.iter().any(|e| e.status == EnrolmentStatus::Enrolled) {
                        <BulkCompletion course={c.clone()} roster={r.clone()} on_saved={reload.clone()} />
                    }
                }
                <h2>{ ctx.t("courses.add") }</h2>
                <div id="course-enrol">
                    { enrol_form.banner(lang, "enrol-banner") }
                    <PersonPicker id="enrol" action={ctx.t("courses.enrol")} onpick={enrol}
                        error={enrol_form.errors().first().map(|e| lang.error(&e.code, &e.message))} busy={enrol_form.busy()} />
                </div>
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
                        if s.state == JobState::Invalid {
                            <p class="error-summary" role="alert">{ format!("{} {}", ctx.t("import.errors"), s.error_count) }</p>
                            <table class="report">
                                <thead><tr><th scope="col">{ ctx.t("import.row") }</th><th scope="col">{ ctx.t("import.column") }</th><th scope="col">{ ctx.t("import.problem") }</th></tr></thead>
                                <tbody>
                                    { for s.errors.iter().map(|e| html! { <tr><td>{ e.row }</td><td>{ &e.column }</td><td>{ &e.message }</td></tr> }) }
                                </tbody>
                            </table>
                        }
                        if s.state == JobState::Valid {
                            { import_form.banner(lang, "import-banner") }
                            <button type="button" class="primary" id="import-commit" onclick={on_commit} disabled={import_form.busy()}>{ ctx.t("import.commit") }</button>
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

/// Props of [`BulkCompletion`].
#[derive(Properties, PartialEq)]
struct BulkProps {
    course: Course,
    roster: Vec<Enrolment>,
    on_saved: Callback<()>,
}

/// One trainee's line of the bulk form, as typed.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    enrolment: Enrolment,
    include: bool,
    hours: String,
    certificate: bool,
}

/// Completing a roster in one go: every trainee still on it, each with the hours
/// attended and whether a certificate was obtained; one save writes all or none (the
/// server names a wrong line, and the error shows on that line).
#[function_component(BulkCompletion)]
fn bulk_completion(p: &BulkProps) -> Html {
    let ctx = use_context::<Ctx>();
    let lines = {
        let (roster, hours) = (p.roster.clone(), p.course.fields.hours);
        use_state(move || {
            roster
                .into_iter()
                .filter(|e| e.status == EnrolmentStatus::Enrolled)
                .map(|enrolment| Line {
                    enrolment,
                    include: true,
                    hours: hours.to_string(),
                    certificate: false,
                })
                .collect::<Vec<_>>()
        })
    };
    let date = use_state(|| p.course.fields.end_date.to_string());
    let fh = use_form("bulk-form");
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    // The index each included line has in the request, for the server's `items[i].…`.
    let sent: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.include)
        .map(|(i, _)| i)
        .collect();
    let error_of = |row: usize, field: &str| {
        sent.iter()
            .position(|r| *r == row)
            .and_then(|i| fh.error(&format!("items[{i}].{field}"), lang))
    };
    let update = |row: usize, f: fn(&mut Line, String)| {
        let lines = lines.clone();
        Callback::from(move |v: String| {
            let mut next = (*lines).clone();
            if let Some(l) = next.get_mut(row) {
                f(l, v);
            }
            lines.set(next);
        })
    };
    let toggle = |row: usize, f: fn(&mut Line, bool)| {
        let lines = lines.clone();
        Callback::from(move |v: bool| {
            let mut next = (*lines).clone();
            if let Some(l) = next.get_mut(row) {
                f(l, v);
            }
            lines.set(next);
        })
    };
    let onsubmit = {
        let (fh, lines, date, course, on_saved) = (
            fh.clone(),
            lines.clone(),
            date.clone(),
            p.course.id,
            p.on_saved.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut errs = Vec::new();
            let completion = crate::pages::rehab::parse_ymd(&date).ok();
            if completion.is_none() {
                errs.push(shared::FieldError::new("completion_date", "required", ""));
            }
            let mut items = Vec::new();
            for l in lines.iter().filter(|l| l.include) {
                let i = items.len();
                match l.hours.trim().parse::<i32>() {
                    Ok(hours) => items.push(shared::employment::EnrolmentBatchItem {
                        id: l.enrolment.id,
                        update: EnrolmentUpdate {
                            version: l.enrolment.version,
                            status: EnrolmentStatus::Completed,
                            hours_attended: hours,
                            completion_date: completion,
                            certificate_obtained: l.certificate,
                            outcome: l.enrolment.outcome,
                        },
                    }),
                    Err(_) => {
                        errs.push(shared::FieldError::new(
                            format!("items[{i}].hours_attended"),
                            "invalid_number",
                            "",
                        ));
                        // Keep the numbering of later lines.
                        items.push(shared::employment::EnrolmentBatchItem {
                            id: l.enrolment.id,
                            update: EnrolmentUpdate {
                                version: l.enrolment.version,
                                status: EnrolmentStatus::Completed,
                                hours_attended: 0,
                                completion_date: completion,
                                certificate_obtained: l.certificate,
                                outcome: None,
                            },
                        });
                    }
                }
            }
            if items.is_empty() {
                errs.push(shared::FieldError::new("items", "required", ""));
            }
            if !errs.is_empty() {
                return fh.reject(errs);
            }
            let on_saved = on_saved.clone();
            fh.submit(
                move |_| async move {
                    let body = shared::employment::EnrolmentBatch { items };
                    let path = format!("/api/v1/courses/{course}/enrolments");
                    Ok(crate::api::put::<Vec<Enrolment>, _>(&path, &body).await?)
                },
                move |_| on_saved.emit(()),
            );
        })
    };
    html! {
        <details class="bulk" id="bulk">
            <summary>{ ctx.t("courses.bulk") }</summary>
            <form id="bulk-form" onsubmit={onsubmit} novalidate=true>
                <TextField id="bulk-date" kind="date" label={ctx.t("courses.completion_date")} value={(*date).clone()}
                    oninput={fh.bind(&date, "completion_date")} error={fh.error("completion_date", lang)} required=true />
                if let Some(e) = fh.error("items", lang) {
                    <p class="error" id="bulk-items-error">{ e }</p>
                }
                <ul class="results bulk-lines">
                    { for lines.iter().enumerate().map(|(row, l)| html! {
                        <li>
                            <CheckField id={format!("bulk-{row}-include")} label={l.enrolment.person_name.clone()}
                                checked={l.include} onchange={toggle(row, |l, v| l.include = v)} />
                            <TextField id={format!("bulk-{row}-hours")} label={format!("{} {}", l.enrolment.person_name, ctx.t("courses.hours_attended"))}
                                value={l.hours.clone()} oninput={update(row, |l, v| l.hours = v)}
                                error={error_of(row, "hours_attended").or_else(|| error_of(row, "completion_date"))}
                                inputmode={Some(AttrValue::Static("numeric"))} />
                            <CheckField id={format!("bulk-{row}-certificate")} label={format!("{} {}", l.enrolment.person_name, ctx.t("courses.certificate"))}
                                checked={l.certificate} onchange={toggle(row, |l, v| l.certificate = v)} />
                        </li>
                    }) }
                </ul>
                { fh.banner(lang, "bulk-banner") }
                <p class="actions">
                    <button type="submit" class="primary" id="bulk-save" disabled={fh.busy()}>
                        { ctx.t("courses.bulk_save").replace("{n}", &sent.len().to_string()) }
                    </button>
                </p>
            </form>
        </details>
    }
}
