//! Training courses: the list and the create form.

use shared::api::Page;
use shared::employment::{Course, CourseCreate, CourseInput, CourseKind, Programme};
use shared::FieldError;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::field::{SelectField, TextField};

/// The course list.
#[function_component(CourseList)]
pub fn course_list() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let courses = use_state(|| None::<Result<Page<Course>, String>>);
    let year = use_state(|| "2020".to_owned());
    let lang = ctx.lang;
    {
        let courses = courses.clone();
        use_effect_with((*year).clone(), move |y| {
            let path = crate::api::with_query(
                "/api/v1/courses",
                &[("year", y.clone()), ("limit", "500".into())],
            );
            wasm_bindgen_futures::spawn_local(async move {
                courses.set(Some(
                    crate::api::get::<Page<Course>>(&path)
                        .await
                        .map_err(|e| e.message(lang)),
                ));
            });
            || ()
        });
    }
    let can_write = ctx.me.as_ref().is_some_and(|m| {
        m.permissions
            .contains(&shared::auth::Capability::WriteTraining)
    });
    let years: Vec<(String, String)> = (2019..=2027)
        .map(|y| (y.to_string(), y.to_string()))
        .collect();
    html! {
        <section class="card">
            <h1>{ ctx.t("courses.title") }</h1>
            if can_write {
                <p><Link<Route> to={Route::CourseNew} classes="button primary">{ ctx.t("courses.new") }</Link<Route>></p>
            }
            <SelectField id="course-year" label={ctx.t("courses.year")} value={(*year).clone()} options={years}
                onchange={let y = year.clone(); Callback::from(move |v| y.set(v))} />
            { match &*courses {
                None => html! { <p role="status">{ ctx.t("app.loading") }</p> },
                Some(Err(e)) => html! { <p class="error-summary" role="alert">{ e }</p> },
                Some(Ok(p)) if p.items.is_empty() => html! { <p role="status">{ ctx.t("courses.none") }</p> },
                Some(Ok(p)) => html! {
                    <ul class="results" id="courses">
                        { for p.items.iter().map(|c| html! {
                            <li>
                                <Link<Route> to={Route::Course { id: c.id.to_string() }}>{ &c.fields.name }</Link<Route>>
                                <span>{ format!("{} – {}", c.fields.start_date, c.fields.end_date) }</span>
                                <span>{ format!("{} {}/{}", ctx.t("courses.enrolled"), c.enrolled, c.fields.planned_places) }</span>
                            </li>
                        }) }
                    </ul>
                },
            } }
        </section>
    }
}

/// The create form.
#[function_component(CourseForm)]
pub fn course_form() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let navigator = use_navigator();
    let own = ctx
        .me
        .as_ref()
        .map(|m| m.scope.code.clone())
        .filter(|c| c.len() == 6)
        .unwrap_or_default();
    let name = use_state(String::new);
    let kind = use_state(|| CourseKind::PracticalTechnique);
    let county = use_state(|| own.clone());
    let venue = use_state(String::new);
    let start = use_state(String::new);
    let end = use_state(String::new);
    let places = use_state(|| "30".to_owned());
    let hours = use_state(|| "32".to_owned());
    let trainer = use_state(String::new);
    let funding = use_state(String::new);
    let errors = use_state(Vec::<FieldError>::new);
    let banner = use_state(|| None::<String>);
    let lang = ctx.lang;
    let input = {
        let (name, kind, county, venue, start, end, places, hours, trainer, funding) = (
            name.clone(),
            kind.clone(),
            county.clone(),
            venue.clone(),
            start.clone(),
            end.clone(),
            places.clone(),
            hours.clone(),
            trainer.clone(),
            funding.clone(),
        );
        move || -> Result<CourseInput, Vec<FieldError>> {
            let date = |f: &str, v: &str| {
                chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| FieldError::new(f, "required", ""))
            };
            let num = |f: &str, v: &str| {
                v.trim()
                    .parse::<i32>()
                    .map_err(|_| FieldError::new(f, "out_of_range", ""))
            };
            let mut errs = Vec::new();
            let s = date("start_date", &start).map_err(|e| errs.push(e)).ok();
            let e = date("end_date", &end).map_err(|e| errs.push(e)).ok();
            let p = num("planned_places", &places)
                .map_err(|e| errs.push(e))
                .ok();
            let h = num("hours", &hours).map_err(|e| errs.push(e)).ok();
            let fund = match funding.trim() {
                "" => Some(0),
                f => shared::money::parse_hundredths(f).or_else(|| {
                    errs.push(FieldError::new("funding_fen", "out_of_range", ""));
                    None
                }),
            };
            let (Some(s), Some(e), Some(p), Some(h), Some(fund)) = (s, e, p, h, fund) else {
                return Err(errs);
            };
            let i = CourseInput {
                name: (*name).clone(),
                kind: *kind,
                programme: Programme::SunshineIncomePlan,
                county_code: (*county).clone(),
                venue: (!venue.trim().is_empty()).then(|| (*venue).clone()),
                start_date: s,
                end_date: e,
                planned_places: p,
                hours: h,
                trainer: (!trainer.trim().is_empty()).then(|| (*trainer).clone()),
                funding_fen: fund,
            };
            i.validate()?;
            Ok(i)
        }
    };
    let onsubmit = {
        let (errors, banner) = (errors.clone(), banner.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match input() {
                Err(errs) => {
                    errors.set(errs);
                    banner.set(Some(lang.t("persons.fix_errors")));
                }
                Ok(fields) => {
                    let (errors, banner, navigator) =
                        (errors.clone(), banner.clone(), navigator.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        let body = CourseCreate {
                            id: Some(uuid::Uuid::new_v4()),
                            fields,
                        };
                        match crate::api::post::<Course, _>("/api/v1/courses", &body).await {
                            Ok(c) => {
                                if let Some(n) = navigator {
                                    n.push(&Route::Course {
                                        id: c.id.to_string(),
                                    });
                                }
                            }
                            Err(e) => {
                                errors.set(
                                    e.problem
                                        .as_ref()
                                        .map(|p| p.errors.clone())
                                        .unwrap_or_default(),
                                );
                                banner.set(Some(e.message(lang)));
                            }
                        }
                    });
                }
            }
        })
    };
    let err = |f: &str| {
        errors
            .iter()
            .find(|e| e.field == f)
            .map(|e| lang.error(&e.code, &e.message))
    };
    let set = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |v: String| s.set(v))
    };
    let kinds: Vec<(String, String)> = CourseKind::ALL
        .iter()
        .map(|k| (k.to_string(), ctx.t(&format!("kind.{k}"))))
        .collect();
    html! {
        <section class="card">
            <h1>{ ctx.t("courses.new") }</h1>
            if let Some(b) = &*banner {
                <p class="error-summary" role="alert">{ b }</p>
            }
            <form onsubmit={onsubmit} novalidate=true id="course-form">
                <TextField id="course-name" label={ctx.t("courses.name")} value={(*name).clone()} oninput={set(&name)} error={err("name")} required=true />
                <SelectField id="course-kind" label={ctx.t("courses.kind")} value={kind.to_string()} options={kinds}
                    onchange={let k = kind.clone(); Callback::from(move |v: String| if let Ok(x) = v.parse() { k.set(x) })} />
                <TextField id="course-county" label={ctx.t("field.county_code")} value={(*county).clone()} oninput={set(&county)} error={err("county_code")} required=true inputmode={Some(AttrValue::Static("numeric"))} />
                <TextField id="course-venue" label={ctx.t("courses.venue")} value={(*venue).clone()} oninput={set(&venue)} error={err("venue")} />
                <TextField id="course-start" label={ctx.t("courses.start")} kind="date" value={(*start).clone()} oninput={set(&start)} error={err("start_date")} required=true />
                <TextField id="course-end" label={ctx.t("courses.end")} kind="date" value={(*end).clone()} oninput={set(&end)} error={err("end_date")} required=true />
                <TextField id="course-places" label={ctx.t("courses.places")} kind="number" value={(*places).clone()} oninput={set(&places)} error={err("planned_places")} required=true />
                <TextField id="course-hours" label={ctx.t("courses.hours")} kind="number" value={(*hours).clone()} oninput={set(&hours)} error={err("hours")} required=true />
                <TextField id="course-trainer" label={ctx.t("courses.trainer")} value={(*trainer).clone()} oninput={set(&trainer)} error={err("trainer")} />
                <TextField id="course-funding" label={ctx.t("courses.funding")} value={(*funding).clone()} oninput={set(&funding)} error={err("funding_fen")} inputmode={Some(AttrValue::Static("decimal"))} />
                <div class="buttons"><button type="submit" class="primary" id="course-save">{ ctx.t("persons.save") }</button></div>
            </form>
        </section>
    }
}
