//! Training courses: the list and the create form.

use serde::Serialize;
use shared::api::Page;
use shared::employment::{Course, CourseCreate, CourseInput, CourseKind, Programme};
use shared::FieldError;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::use_form;
use crate::hooks::page::use_title;
use crate::hooks::remote::{use_paged, PAGE_SIZE};

/// The query of the course list.
#[derive(Serialize)]
struct CourseQuery {
    year: String,
    limit: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

/// The year of the course list, in the address.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

/// The course list.
#[function_component(CourseList)]
pub fn course_list() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    use_title(ctx.t("courses.title"));
    // The year is in the address (`?year=2020`), so "back" from a course returns to the
    // year it was in; without one, this calendar year.
    let location = use_location();
    let navigator = use_navigator();
    let this_year = crate::clock::this_year();
    let year = location
        .and_then(|l| l.query::<YearQuery>().ok())
        .and_then(|q| q.year)
        .unwrap_or(this_year)
        .to_string();
    let lang = ctx.lang;
    let courses = use_paged(year.clone(), |year: String, cursor: Option<String>| {
        let path = crate::api::with_query(
            "/api/v1/courses",
            &CourseQuery {
                year,
                limit: PAGE_SIZE,
                cursor,
            },
        );
        async move { crate::api::get::<Page<Course>>(&path).await }
    });
    let can_write = ctx.me.as_ref().is_some_and(|m| {
        m.permissions
            .contains(&shared::auth::Capability::WriteTraining)
    });
    let years: Vec<(String, String)> = (2019..=this_year + 1)
        .rev()
        .map(|y| (y.to_string(), y.to_string()))
        .collect();
    let on_year = Callback::from(move |v: String| {
        if let (Some(n), Ok(y)) = (&navigator, v.parse::<i32>()) {
            let _ = n.replace_with_query(&Route::Courses, &YearQuery { year: Some(y) });
        }
    });
    html! {
        <section class="card">
            <h1>{ ctx.t("courses.title") }</h1>
            if can_write {
                <p><Link<Route> to={Route::CourseNew} classes="button primary">{ ctx.t("courses.new") }</Link<Route>></p>
            }
            <SelectField id="course-year" label={ctx.t("courses.year")} value={year.clone()} options={years}
                onchange={on_year} />
            <ul class="results" id="courses">
                { for courses.items().iter().map(|c| html! {
                    <li>
                        <Link<Route> to={Route::Course { id: c.id.to_string() }}>{ &c.fields.name }</Link<Route>>
                        <span>{ format!("{} – {}", c.fields.start_date, c.fields.end_date) }</span>
                        <span>{ format!("{} {}/{}", ctx.t("courses.enrolled"), c.enrolled, c.fields.planned_places) }</span>
                    </li>
                }) }
            </ul>
            { courses.footer(lang, "courses", "courses.none") }
        </section>
    }
}

/// The create form.
#[function_component(CourseForm)]
pub fn course_form() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    use_title(ctx.t("courses.new"));
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
    let fh = use_form("course-form");
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
                crate::pages::rehab::parse_ymd(v).map_err(|_| FieldError::new(f, "required", ""))
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
        let fh = fh.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match input() {
                Err(errs) => fh.reject(errs),
                Ok(fields) => {
                    let navigator = navigator.clone();
                    fh.submit(
                        move |id| async move {
                            let body = CourseCreate {
                                id: Some(id),
                                fields,
                            };
                            Ok(crate::api::post::<Course, _>("/api/v1/courses", &body).await?)
                        },
                        move |c: Course| {
                            if let Some(n) = navigator {
                                n.push(&Route::Course {
                                    id: c.id.to_string(),
                                });
                            }
                        },
                    );
                }
            }
        })
    };
    let err = |f: &str| fh.error(f, lang);
    let set = |s: &UseStateHandle<String>, field: &'static str| fh.bind(s, field);
    let kinds: Vec<(String, String)> = CourseKind::ALL
        .iter()
        .map(|k| (k.to_string(), ctx.t(&format!("kind.{k}"))))
        .collect();
    html! {
        <section class="card">
            <h1>{ ctx.t("courses.new") }</h1>
            { fh.banner(lang, "course-banner") }
            <form onsubmit={onsubmit} novalidate=true id="course-form">
                <TextField id="course-name" label={ctx.t("courses.name")} value={(*name).clone()} oninput={set(&name, "name")} error={err("name")} required=true />
                <SelectField id="course-kind" label={ctx.t("courses.kind")} value={kind.to_string()} options={kinds}
                    onchange={let k = kind.clone(); Callback::from(move |v: String| if let Ok(x) = v.parse() { k.set(x) })} />
                <TextField id="course-county" label={ctx.t("field.county_code")} value={(*county).clone()} oninput={set(&county, "county_code")} error={err("county_code")} required=true inputmode={Some(AttrValue::Static("numeric"))} />
                <TextField id="course-venue" label={ctx.t("courses.venue")} value={(*venue).clone()} oninput={set(&venue, "venue")} error={err("venue")} />
                <TextField id="course-start" label={ctx.t("courses.start")} kind="date" value={(*start).clone()} oninput={set(&start, "start_date")} error={err("start_date")} required=true />
                <TextField id="course-end" label={ctx.t("courses.end")} kind="date" value={(*end).clone()} oninput={set(&end, "end_date")} error={err("end_date")} required=true />
                <TextField id="course-places" label={ctx.t("courses.places")} kind="number" value={(*places).clone()} oninput={set(&places, "planned_places")} error={err("planned_places")} required=true />
                <TextField id="course-hours" label={ctx.t("courses.hours")} kind="number" value={(*hours).clone()} oninput={set(&hours, "hours")} error={err("hours")} required=true />
                <TextField id="course-trainer" label={ctx.t("courses.trainer")} value={(*trainer).clone()} oninput={set(&trainer, "trainer")} error={err("trainer")} />
                <TextField id="course-funding" label={ctx.t("courses.funding")} value={(*funding).clone()} oninput={set(&funding, "funding_fen")} error={err("funding_fen")} inputmode={Some(AttrValue::Static("decimal"))} />
                <div class="buttons"><button type="submit" class="primary" id="course-save" disabled={fh.busy()}>{ ctx.t("persons.save") }</button></div>
            </form>
        </section>
    }
}
