//! Stationed supervision (蹲点督战, attachment 3).
//!
//! - **The list** of the stationings of the user's area in a year: the county, the
//!   leader, the period, the departments tasked alongside.
//! - **The form** (the poverty office): the leader, the county, the departments, the
//!   first and last day, a remark. A create keeps its client id across retries; an edit
//!   sends the version seen, and a 409 offers the server's version.
//! - **The page** of one stationing with its log, oldest first, and for the stationed
//!   leader and the poverty office a form to add an entry (the day, what was done).

use shared::auth::Capability;
use shared::supervision::{
    Stationing, StationingCreate, StationingInput, StationingLogInput, StationingUpdate,
};
use shared::FieldError;
use uuid::Uuid;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{can, department_options, period, some, year_options, CountySelect, LeaderPicker};
use crate::api::supervision::{self as api, StationingQuery};
use crate::app::{Ctx, Route};
use crate::components::field::{CheckField, SelectField, TextField};
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::pages::rehab::{focus_id, parse_date, ymd};

/// Whether the user keeps the stationing table (the poverty office).
fn manager(ctx: &Ctx) -> bool {
    can(ctx, Capability::ManageStationings)
}

/// The stationing list.
#[function_component(StationingList)]
pub fn stationing_list() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("stn.title")).unwrap_or_default());
    let units = crate::hooks::units::use_units();
    let year = use_state(|| Some(crate::clock::this_year()));
    let list = use_remote(*year, |year: Option<i32>| async move {
        api::stationings(&StationingQuery { year, area: None }).await
    });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let set_year = {
        let year = year.clone();
        Callback::from(move |v: String| year.set(v.parse().ok()))
    };
    html! {
        <section class="card">
            <h1>{ ctx.t("stn.title") }</h1>
            if manager(&ctx) {
                <div class="actions">
                    <Link<Route> to={Route::StationingNew} classes="button primary">{ ctx.t("stn.new") }</Link<Route>>
                </div>
            }
            <div class="filters">
                <SelectField id="stn-filter-year" label={ctx.t("kpi.year")} value={year.map(|y| y.to_string()).unwrap_or_default()}
                    options={year_options(lang, true)} onchange={set_year} />
            </div>
            { match list.ready() {
                None => list.placeholder(lang, None),
                Some(items) if items.is_empty() => html! { <p role="status">{ ctx.t("stn.none") }</p> },
                Some(items) => html! {
                    <ul class="results" id="stationings">
                        { for items.iter().map(|s| {
                            let depts: Vec<String> = s.fields.departments.iter().map(|d| units.name(d, lang)).collect();
                            html! {
                                <li id={format!("stationing-{}", s.id)}>
                                    <Link<Route> to={Route::Stationing { id: s.id.to_string() }}>{ format!("{} · {}", s.county_name, s.leader_name) }</Link<Route>>
                                    <span>{ period(s.fields.from_on, s.fields.to_on, lang) }</span>
                                    if !depts.is_empty() {
                                        <span>{ depts.join("、") }</span>
                                    }
                                    <span>{ ctx.t("stn.log_count").replace("{n}", &s.log.len().to_string()) }</span>
                                </li>
                            }
                        }) }
                    </ul>
                },
            } }
        </section>
    }
}

/// Props of the form page: the stationing to change, or none for a new one.
#[derive(Properties, PartialEq)]
pub struct StationingFormProps {
    /// Stationing id, when changing one.
    #[prop_or_default]
    pub id: Option<String>,
}

/// Stations a leader, or changes a stationing (the poverty office).
#[function_component(StationingFormPage)]
pub fn stationing_form_page(p: &StationingFormProps) -> Html {
    let ctx = use_context::<Ctx>();
    let title_key = if p.id.is_some() {
        "stn.edit"
    } else {
        "stn.new"
    };
    use_title(ctx.as_ref().map(|c| c.t(title_key)).unwrap_or_default());
    let existing = use_remote(p.id.clone(), |id: Option<String>| async move {
        match id {
            Some(id) => api::stationing(&id).await.map(Some),
            None => Ok(None),
        }
    });
    // The leaders of other stationings, for the leader picker.
    let others = use_remote((), |()| async move {
        api::stationings(&StationingQuery::default()).await
    });
    // The provincial DPF's leaders.
    let leaders = use_remote((), |()| async move { api::people("leaders", None).await });
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(current) = existing.ready().cloned() else {
        return html! { <section class="card">{ existing.placeholder(lang, Some("stn.not_found")) }</section> };
    };
    let mut known: Vec<(Uuid, String)> = super::me_as_leader(&ctx, true).into_iter().collect();
    if let Some(s) = &current {
        known.push((s.fields.leader_id, s.leader_name.clone()));
    }
    known.extend(
        others
            .ready()
            .into_iter()
            .flatten()
            .map(|s| (s.fields.leader_id, s.leader_name.clone())),
    );
    known.extend(
        leaders
            .ready()
            .into_iter()
            .flatten()
            .map(|c| (c.id, format!("{} · {}", c.display_name, c.unit_name))),
    );
    let restart = {
        let existing = existing.clone();
        Callback::from(move |s: Stationing| existing.set(Some(s)))
    };
    let key = current
        .as_ref()
        .map_or_else(|| "new".to_owned(), |s| format!("{}-{}", s.id, s.version));
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Stationings}>{ ctx.t("stn.title") }</Link<Route>>{" › "}
                <span aria-current="page">{ ctx.t(title_key) }</span>
            </nav>
            <h1>{ ctx.t(title_key) }</h1>
            <StationingEditor key={key} existing={current.clone()} {known} onstale={restart} />
        </section>
    }
}

/// Props of [`StationingEditor`].
#[derive(Properties, PartialEq)]
struct EditorProps {
    existing: Option<Stationing>,
    known: Vec<(Uuid, String)>,
    onstale: Callback<Stationing>,
}

#[function_component(StationingEditor)]
fn stationing_editor(p: &EditorProps) -> Html {
    let ctx = use_context::<Ctx>();
    let fh = use_form("stn-form");
    let navigator = use_navigator();
    let units = crate::hooks::units::use_units();
    let x = p.existing.as_ref().map(|s| &s.fields);
    let leader = use_state(|| x.map(|f| f.leader_id.to_string()).unwrap_or_default());
    let county = use_state(|| x.map(|f| f.county_code.clone()).unwrap_or_default());
    let departments = use_state(|| x.map(|f| f.departments.clone()).unwrap_or_default());
    let from = use_state(|| ymd(x.map_or_else(crate::clock::today, |f| f.from_on)));
    let to = use_state(|| x.and_then(|f| f.to_on).map(ymd).unwrap_or_default());
    let note = use_state(|| x.and_then(|f| f.note.clone()).unwrap_or_default());
    let theirs = use_state(|| None::<Stationing>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| fh.error(f, lang);
    let input = || -> Result<StationingInput, Vec<FieldError>> {
        let mut errs = Vec::new();
        let leader_id = super::leader_id(&leader).map_err(|e| errs.push(e)).ok();
        if county.is_empty() {
            errs.push(FieldError::new("county_code", "required", ""));
        }
        let from_on = parse_date(&from);
        if from_on.is_none() {
            errs.push(FieldError::new("from_on", "invalid_date", ""));
        }
        let to_on = if to.trim().is_empty() {
            None
        } else {
            let d = parse_date(&to);
            if d.is_none() {
                errs.push(FieldError::new("to_on", "invalid_date", ""));
            }
            d
        };
        let (Some(leader_id), Some(from_on)) = (leader_id, from_on) else {
            return Err(errs);
        };
        let f = StationingInput {
            leader_id,
            county_code: (*county).clone(),
            departments: (*departments).clone(),
            from_on,
            to_on,
            note: some(&note),
        };
        if let Err(more) = f.validate() {
            errs.extend(more);
        }
        if errs.is_empty() {
            Ok(f)
        } else {
            Err(errs)
        }
    };
    let onsubmit = {
        let (fh, fields, navigator, theirs) =
            (fh.clone(), input(), navigator.clone(), theirs.clone());
        let existing = p.existing.as_ref().map(|s| (s.id, s.version));
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let fields = match fields.clone() {
                Ok(f) => f,
                Err(errs) => return fh.reject(errs),
            };
            let (navigator, theirs) = (navigator.clone(), theirs.clone());
            fh.submit(
                move |id| async move {
                    let answer = match existing {
                        Some((sid, version)) => {
                            let body = StationingUpdate {
                                version: Some(version),
                                fields,
                            };
                            api::update_stationing(sid, &body).await
                        }
                        None => {
                            let body = StationingCreate {
                                id: Some(id),
                                fields,
                            };
                            api::create_stationing(&body).await
                        }
                    };
                    answer.map_err(|e| {
                        if let Some(current) = api::current_of::<Stationing>(&e) {
                            theirs.set(Some(current));
                        }
                        Failure::Api(e)
                    })
                },
                move |s: Stationing| {
                    if let Some(n) = navigator {
                        n.push(&Route::Stationing {
                            id: s.id.to_string(),
                        });
                    }
                },
            );
        })
    };
    let set_county = {
        let (county, fh) = (county.clone(), fh.clone());
        Callback::from(move |c: String| {
            county.set(c);
            fh.clear_error("county_code");
        })
    };
    let use_theirs = {
        let (theirs, onstale) = (theirs.clone(), p.onstale.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(t) = (*theirs).clone() {
                onstale.emit(t);
            }
        })
    };
    let dept_error = err("departments");
    html! {
        <form id="stn-form" onsubmit={onsubmit} novalidate=true>
            { fh.banner(lang, "stn-banner") }
            if let Some(t) = &*theirs {
                <section class="notice pending" id="stn-conflict" role="alert">
                    <h2>{ ctx.t("stn.conflict") }</h2>
                    <p>{ format!("{} · {} · {}", t.county_name, t.leader_name, period(t.fields.from_on, t.fields.to_on, lang)) }</p>
                    <button type="button" id="stn-use-theirs" onclick={use_theirs}>{ ctx.t("insp.use_theirs") }</button>
                </section>
            }
            <LeaderPicker id="stn-leader" label={ctx.t("stn.leader")} value={(*leader).clone()} known={p.known.clone()}
                onchange={fh.bind(&leader, "leader_id")} error={err("leader_id")} />
            <CountySelect id="stn-county" label={ctx.t("stn.county")} value={(*county).clone()} onchange={set_county} error={err("county_code")} />
            <fieldset class={classes!("roles", dept_error.is_some().then_some("has-error"))} id="stn-departments"
                aria-describedby={dept_error.is_some().then_some("stn-departments-error")}>
                <legend>{ ctx.t("stn.departments") }</legend>
                { for department_options(&units, lang).into_iter().map(|(code, name)| {
                    let (departments, fh, c) = (departments.clone(), fh.clone(), code.clone());
                    html! { <CheckField id={format!("stn-dept-{}", code.replace('.', "-"))} label={name} checked={departments.contains(&code)}
                        onchange={Callback::from(move |on: bool| {
                            let mut v: Vec<String> = departments.iter().filter(|d| **d != c).cloned().collect();
                            if on { v.push(c.clone()); }
                            departments.set(v);
                            fh.clear_error("departments");
                        })} /> }
                }) }
                if let Some(e) = &dept_error {
                    <p class="error" id="stn-departments-error">{ e }</p>
                }
            </fieldset>
            <TextField id="stn-from" kind="date" label={ctx.t("stn.from_on")} value={(*from).clone()}
                oninput={fh.bind(&from, "from_on")} error={err("from_on")} required=true />
            <TextField id="stn-to" kind="date" label={ctx.t("stn.to_on")} value={(*to).clone()}
                oninput={fh.bind(&to, "to_on")} error={err("to_on")} />
            <TextField id="stn-note" multiline=true label={ctx.t("stn.note")} value={(*note).clone()}
                oninput={fh.bind(&note, "note")} error={err("note")} />
            <div class="buttons">
                <button type="submit" class="primary" id="stn-save" disabled={fh.busy()}>{ ctx.t("form.save") }</button>
            </div>
        </form>
    }
}

/// Props: the stationing's id.
#[derive(Properties, PartialEq)]
pub struct StationingProps {
    /// Stationing id.
    pub id: String,
}

/// One stationing and its log.
#[function_component(StationingPage)]
pub fn stationing_page(p: &StationingProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("stn.one")).unwrap_or_default());
    let stationing = use_remote(p.id.clone(), |id: String| async move {
        api::stationing(&id).await
    });
    let units = crate::hooks::units::use_units();
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(s) = stationing.ready().cloned() else {
        return html! { <section class="card">{ stationing.placeholder(lang, Some("stn.not_found")) }</section> };
    };
    let title = format!("{} · {}", s.county_name, s.leader_name);
    let writes_log = manager(&ctx)
        || ctx
            .me
            .as_ref()
            .is_some_and(|m| m.user.id == s.fields.leader_id);
    let depts: Vec<String> = s
        .fields
        .departments
        .iter()
        .map(|d| units.name(d, lang))
        .collect();
    let on_logged = {
        let stationing = stationing.clone();
        Callback::from(move |s: Stationing| stationing.set(s))
    };
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Stationings}>{ ctx.t("stn.title") }</Link<Route>>{" › "}
                <span aria-current="page">{ &title }</span>
            </nav>
            <h1>{ &title }</h1>
            <dl class="facts" id="stn-facts">
                <dt>{ ctx.t("stn.leader") }</dt><dd>{ &s.leader_name }</dd>
                <dt>{ ctx.t("stn.county") }</dt><dd>{ &s.county_name }</dd>
                <dt>{ ctx.t("stn.period") }</dt><dd>{ period(s.fields.from_on, s.fields.to_on, lang) }</dd>
                <dt>{ ctx.t("stn.departments") }</dt>
                <dd>{ if depts.is_empty() { "—".to_owned() } else { depts.join("、") } }</dd>
                if let Some(n) = &s.fields.note {
                    <dt>{ ctx.t("stn.note") }</dt><dd>{ n }</dd>
                }
            </dl>
            if manager(&ctx) {
                <div class="actions">
                    <Link<Route> to={Route::StationingEdit { id: s.id.to_string() }} classes="button">{ ctx.t("stn.edit") }</Link<Route>>
                </div>
            }
            <h2 id="stn-log-title">{ ctx.t("stn.log") }</h2>
            if s.log.is_empty() {
                <p>{ ctx.t("stn.no_log") }</p>
            } else {
                <ol class="timeline" id="stn-log" aria-labelledby="stn-log-title">
                    { for s.log.iter().map(|e| html! {
                        <li id={format!("log-{}", e.id)}>
                            <strong>{ ymd(e.on) }</strong>{ format!(" · {}", e.written_by) }
                            <p class="content">{ &e.text }</p>
                        </li>
                    }) }
                </ol>
            }
            if writes_log {
                <LogForm id={s.id} onlogged={on_logged} />
            }
            <crate::pages::audit::RecordAuditLink id={s.id.to_string()} />
        </section>
    }
}

/// Props of [`LogForm`].
#[derive(Properties, PartialEq)]
struct LogFormProps {
    id: Uuid,
    onlogged: Callback<Stationing>,
}

/// Adds an entry to a stationing's log.
#[function_component(LogForm)]
fn log_form(p: &LogFormProps) -> Html {
    let ctx = use_context::<Ctx>();
    let fh = use_form("stn-log-form");
    let on = use_state(|| ymd(crate::clock::today()));
    let text = use_state(String::new);
    let done = use_state(|| false);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let onsubmit = {
        let (fh, on, text, done, onlogged, sid) = (
            fh.clone(),
            on.clone(),
            text.clone(),
            done.clone(),
            p.onlogged.clone(),
            p.id,
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(day) = parse_date(&on) else {
                return fh.reject(vec![FieldError::new("on", "invalid_date", "")]);
            };
            let mut body = StationingLogInput {
                id: None,
                on: day,
                text: text.trim().to_owned(),
            };
            if let Err(errs) = body.validate(crate::clock::today()) {
                return fh.reject(errs);
            }
            let (text, done, onlogged) = (text.clone(), done.clone(), onlogged.clone());
            done.set(false);
            fh.submit(
                move |id| async move {
                    body.id = Some(id);
                    Ok(api::add_log(sid, &body).await?)
                },
                move |s: Stationing| {
                    text.set(String::new());
                    done.set(true);
                    onlogged.emit(s);
                    focus_id("stn-log-done");
                },
            );
        })
    };
    html! {
        <form id="stn-log-form" class="step" onsubmit={onsubmit} novalidate=true aria-labelledby="stn-log-form-title">
            <h2 id="stn-log-form-title">{ ctx.t("stn.add_log") }</h2>
            { fh.banner(lang, "stn-log-banner") }
            if *done {
                <p class="notice" role="status" id="stn-log-done" tabindex="-1">{ ctx.t("stn.logged") }</p>
            }
            <TextField id="stn-log-on" kind="date" label={ctx.t("stn.log_on")} value={(*on).clone()}
                oninput={fh.bind(&on, "on")} error={fh.error("on", lang)} required=true />
            <TextField id="stn-log-text" multiline=true label={ctx.t("stn.log_text")} value={(*text).clone()}
                oninput={fh.bind(&text, "text")} error={fh.error("text", lang)} required=true />
            <div class="buttons">
                <button type="submit" class="primary" id="stn-log-save" disabled={fh.busy()}>{ ctx.t("stn.add_log") }</button>
            </div>
        </form>
    }
}
