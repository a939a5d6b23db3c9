//! The assessment form: one visit (date, assessor, where the needs were found) and the
//! list of needs found, each with its kind, project, device (for a device need), result
//! and note. It is sent once, all or nothing; each need carries a client id made when
//! its row was added, so a retry after a lost answer replays the same needs. The
//! server's errors name `needs[i].field` and show next to that field of row i.

use shared::person::Person;
use shared::rehab::{
    AssessedNeed, AssessmentCreate, AssessmentResult, DeviceItem, NeedKind, NeedSource,
    RehabProject, MAX_NEEDS_PER_ASSESSMENT,
};
use shared::FieldError;
use uuid::Uuid;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{options, parse_date, ymd};
use crate::api::rehab::CatalogueQuery;
use crate::app::{Ctx, Route};
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::use_form;
use crate::hooks::page::use_title;
use crate::hooks::remote::use_remote;
use crate::i18n::Lang;

/// One row of the list, as typed.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    /// The need's client id, kept across retries.
    id: Uuid,
    kind: String,
    project: String,
    item: String,
    result: String,
    note: String,
}

impl Row {
    fn new() -> Self {
        Self {
            id: Uuid::new_v4(),
            kind: String::new(),
            project: String::new(),
            item: String::new(),
            result: AssessmentResult::Needed.to_string(),
            note: String::new(),
        }
    }

    /// The need to send, or the errors of this row (`needs[i].field`).
    fn need(&self, i: usize) -> Result<AssessedNeed, Vec<FieldError>> {
        let f = |field: &str| format!("needs[{i}].{field}");
        let mut errs = Vec::new();
        let kind = self.kind.parse::<NeedKind>().ok();
        let project = self.project.parse::<RehabProject>().ok();
        let result = self.result.parse::<AssessmentResult>().ok();
        let item = self.item.parse::<Uuid>().ok();
        if kind.is_none() {
            errs.push(FieldError::new(f("kind"), "required", ""));
        }
        if project.is_none() {
            errs.push(FieldError::new(f("project"), "required", ""));
        }
        if result.is_none() {
            errs.push(FieldError::new(f("result"), "required", ""));
        }
        if kind == Some(NeedKind::Device) && item.is_none() {
            errs.push(FieldError::new(f("item_id"), "required", ""));
        }
        match (kind, project, result) {
            (Some(kind), Some(project), Some(result)) if errs.is_empty() => Ok(AssessedNeed {
                id: Some(self.id),
                kind,
                project,
                item_id: if kind == NeedKind::Device { item } else { None },
                result,
                evidence_id: None,
                note: (!self.note.trim().is_empty()).then(|| self.note.trim().to_owned()),
            }),
            _ => Err(errs),
        }
    }
}

/// A device's name in `lang`, with its code.
pub fn device_name(d: &DeviceItem, lang: Lang) -> String {
    let name = if lang == Lang::En {
        &d.fields.name_en
    } else {
        &d.fields.name_zh
    };
    format!("{name} ({})", d.fields.code)
}

/// Props: the person's id.
#[derive(Properties, PartialEq)]
pub struct AssessProps {
    /// Person id.
    pub id: String,
}

/// The assessment form.
#[function_component(AssessmentForm)]
pub fn assessment_form(p: &AssessProps) -> Html {
    let ctx = use_context::<Ctx>();
    use_title(
        ctx.as_ref()
            .map(|c| c.t("assess.title"))
            .unwrap_or_default(),
    );
    let person = use_remote(p.id.clone(), |id: String| async move {
        crate::api::get::<Person>(&format!("/api/v1/persons/{id}")).await
    });
    let catalogue = use_remote((), |()| async move {
        crate::api::rehab::catalogue(&CatalogueQuery {
            active: Some(true),
            ..CatalogueQuery::default()
        })
        .await
    });
    let fh = use_form("assess-form");
    let navigator = use_navigator();
    let assessed_on = use_state(|| ymd(crate::clock::today()));
    let assessor = use_state(String::new);
    let source = use_state(String::new);
    let rows = use_state(|| vec![Row::new()]);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(pv) = person.ready().cloned() else {
        return html! { <section class="card">{ person.placeholder(lang, Some("persons.not_found")) }</section> };
    };
    let devices: Vec<DeviceItem> = catalogue.ready().cloned().unwrap_or_default();
    // The person's own category first: the devices that most likely fit.
    let mut device_opts: Vec<(String, String)> = devices
        .iter()
        .filter(|d| d.fields.categories.contains(&pv.disability_category))
        .chain(
            devices
                .iter()
                .filter(|d| !d.fields.categories.contains(&pv.disability_category)),
        )
        .map(|d| (d.id.to_string(), device_name(d, lang)))
        .collect();
    device_opts.insert(0, (String::new(), ctx.t("assess.choose_device")));

    let body = || -> Result<AssessmentCreate, Vec<FieldError>> {
        let mut errs = Vec::new();
        let on = parse_date(&assessed_on);
        if on.is_none() {
            errs.push(FieldError::new("assessed_on", "required", ""));
        }
        if assessor.trim().is_empty() {
            errs.push(FieldError::new("assessor", "required", ""));
        }
        let src = source.parse::<NeedSource>().ok();
        if src.is_none() {
            errs.push(FieldError::new("source", "required", ""));
        }
        let mut needs = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            match r.need(i) {
                Ok(n) => needs.push(n),
                Err(e) => errs.extend(e),
            }
        }
        match (on, src) {
            (Some(assessed_on), Some(source)) if errs.is_empty() => Ok(AssessmentCreate {
                person_id: pv.id,
                source,
                assessed_on,
                assessor: assessor.trim().to_owned(),
                needs,
            }),
            _ => Err(errs),
        }
    };
    let onsubmit = {
        let (fh, body, navigator, person_id) =
            (fh.clone(), body(), navigator.clone(), p.id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = match body.clone() {
                Ok(b) => b,
                Err(errs) => {
                    fh.reject(errs);
                    return;
                }
            };
            let (navigator, person_id) = (navigator.clone(), person_id.clone());
            fh.submit(
                move |_| async move { Ok(crate::api::rehab::assess(&body).await?) },
                move |_| {
                    if let Some(n) = navigator {
                        n.push(&Route::PersonRehab { id: person_id });
                    }
                },
            );
        })
    };
    let set_row = |i: usize, f: fn(&mut Row, String), field: &'static str| {
        let (rows, fh) = (rows.clone(), fh.clone());
        Callback::from(move |v: String| {
            let mut next = (*rows).clone();
            if let Some(r) = next.get_mut(i) {
                f(r, v);
            }
            rows.set(next);
            fh.clear_error(&format!("needs[{i}].{field}"));
        })
    };
    let add = {
        let rows = rows.clone();
        Callback::from(move |_| {
            let mut next = (*rows).clone();
            next.push(Row::new());
            let n = next.len();
            rows.set(next);
            super::focus_id(format!("need-{}-kind", n - 1));
        })
    };
    let remove = |i: usize| {
        let (rows, fh) = (rows.clone(), fh.clone());
        Callback::from(move |_| {
            let mut next = (*rows).clone();
            next.remove(i);
            rows.set(next);
            // The rows below move up: their errors would name the wrong row.
            fh.clear_errors("needs[");
            super::focus_id("assess-add");
        })
    };
    let err = |f: &str| fh.error(f, lang);
    let set = |s: &UseStateHandle<String>, f: &'static str| fh.bind(s, f);
    let n_rows = rows.len();
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Person { id: p.id.clone() }}>{ &pv.name }</Link<Route>>{" › "}
                <Link<Route> to={Route::PersonRehab { id: p.id.clone() }}>{ ctx.t("rehab.person_title") }</Link<Route>>{" › "}
                <span aria-current="page">{ ctx.t("assess.title") }</span>
            </nav>
            <h1>{ format!("{} · {}", ctx.t("assess.title"), pv.name) }</h1>
            { fh.banner(lang, "assess-banner") }
            <form id="assess-form" onsubmit={onsubmit} novalidate=true>
                <TextField id="assess-on" kind="date" label={ctx.t("rehab.assessed_on")} value={(*assessed_on).clone()} oninput={set(&assessed_on, "assessed_on")} error={err("assessed_on")} required=true />
                <TextField id="assess-assessor" label={ctx.t("rehab.assessor")} value={(*assessor).clone()} oninput={set(&assessor, "assessor")} error={err("assessor")} required=true />
                <SelectField id="assess-source" label={ctx.t("rehab.source")} value={(*source).clone()} required=true
                    options={options(NeedSource::ALL, "source", lang, Some("form.choose"))} onchange={set(&source, "source")} error={err("source")} />
                <h2>{ ctx.t("assess.needs") }</h2>
                if let Some(e) = err("needs") {
                    <p class="error" id="assess-needs-error">{ e }</p>
                }
                { for rows.iter().enumerate().map(|(i, r)| {
                    let n = (i + 1).to_string();
                    let id = |f: &str| format!("need-{i}-{f}");
                    let e = |f: &str| fh.error(&format!("needs[{i}].{f}"), lang);
                    html! {
                        <fieldset class="area" key={r.id.to_string()} id={format!("need-{i}")}>
                            <legend>{ ctx.t("assess.need_n").replace("{n}", &n) }</legend>
                            <SelectField id={id("kind")} label={ctx.t("rehab.kind")} value={r.kind.clone()} required=true
                                options={options(NeedKind::ALL, "need_kind", lang, Some("form.choose"))} onchange={set_row(i, |r, v| r.kind = v, "kind")} error={e("kind")} />
                            <SelectField id={id("project")} label={ctx.t("rehab.project")} value={r.project.clone()} required=true
                                options={options(RehabProject::ALL, "project", lang, Some("form.choose"))} onchange={set_row(i, |r, v| r.project = v, "project")} error={e("project")} />
                            if r.kind == NeedKind::Device.to_string() {
                                <SelectField id={id("item")} label={ctx.t("rehab.item")} value={r.item.clone()} required=true
                                    options={device_opts.clone()} onchange={set_row(i, |r, v| r.item = v, "item_id")} error={e("item_id")} />
                            }
                            <SelectField id={id("result")} label={ctx.t("rehab.result")} value={r.result.clone()} required=true
                                options={options(AssessmentResult::ALL, "result", lang, None)} onchange={set_row(i, |r, v| r.result = v, "result")} error={e("result").or_else(|| e("evidence_id"))} />
                            if r.result == AssessmentResult::Refused.to_string() {
                                <p class="hint">{ ctx.t("assess.refusal_hint") }</p>
                            }
                            <TextField id={id("note")} label={ctx.t("rehab.note")} value={r.note.clone()} oninput={set_row(i, |r, v| r.note = v, "note")} error={e("note")} />
                            if n_rows > 1 {
                                <button type="button" class="danger" id={id("remove")} onclick={remove(i)}>{ ctx.t("assess.remove").replace("{n}", &n) }</button>
                            }
                        </fieldset>
                    }
                }) }
                <div class="buttons">
                    if n_rows < MAX_NEEDS_PER_ASSESSMENT {
                        <button type="button" id="assess-add" onclick={add}>{ ctx.t("assess.add") }</button>
                    }
                    <button type="submit" class="primary" id="assess-save" disabled={fh.busy()}>{ ctx.t("assess.save") }</button>
                </div>
            </form>
        </section>
    }
}
