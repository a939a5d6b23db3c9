//! A new rectification item: where the problem was found, the responsible county (a
//! county user's own), the category (三落实 / 三精准 / 三保障 sub-codes), what is wrong,
//! the household, the measure, the day found and the deadline. Sent under an id chosen
//! here, so a retry over a bad connection makes no second item.

use shared::rectification::{
    ProblemCategory, ProblemSource, RectificationCreate, RectificationInput, RectificationItem,
};
use shared::FieldError;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::field::{SelectField, TextField};
use crate::hooks::form::{use_form, Failure};
use crate::hooks::page::use_title;
use crate::pages::rehab::{options, parse_date, ymd};

/// The category choices, each named with its group ("三保障 · 住房安全").
fn categories(ctx: &Ctx) -> Vec<(String, String)> {
    std::iter::once((String::new(), ctx.t("form.choose")))
        .chain(ProblemCategory::ALL.iter().map(|c| {
            (
                c.to_string(),
                format!(
                    "{} · {}",
                    ctx.t(&format!("rc_group.{}", c.group())),
                    ctx.t(&format!("rc_category.{c}"))
                ),
            )
        }))
        .collect()
}

/// The new-item page.
#[function_component(ItemNew)]
pub fn item_new() -> Html {
    let ctx = use_context::<Ctx>();
    use_title(ctx.as_ref().map(|c| c.t("rc.new")).unwrap_or_default());
    let navigator = use_navigator();
    let units = crate::hooks::units::use_units();
    let own = ctx
        .as_ref()
        .and_then(|c| c.me.as_ref())
        .filter(|m| super::at_county(m))
        .map(|m| m.scope.code.clone())
        .unwrap_or_default();
    let county = use_state(move || own);
    let source = use_state(String::new);
    let category = use_state(String::new);
    let description = use_state(String::new);
    let household = use_state(String::new);
    let measure = use_state(|| "6".to_owned());
    let found = use_state(|| ymd(crate::clock::today()));
    let deadline = use_state(String::new);
    let fh = use_form("item-form");
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let err = |f: &str| fh.error(f, lang);
    let set = |s: &UseStateHandle<String>, f: &'static str| fh.bind(s, f);
    let scope = ctx
        .me
        .as_ref()
        .map(|m| m.scope.code.clone())
        .unwrap_or_default();
    let counties: Vec<(String, String)> = std::iter::once((String::new(), ctx.t("form.choose")))
        .chain(
            units
                .all()
                .iter()
                .filter(|u| {
                    u.kind == shared::OrgUnitKind::County && u.code.starts_with(scope.as_str())
                })
                .map(|u| (u.code.clone(), units.name(&u.code, lang))),
        )
        .collect();
    let onsubmit = {
        let fh = fh.clone();
        let navigator = navigator.clone();
        let (county, source, category, description, household, measure, found, deadline) = (
            county.clone(),
            source.clone(),
            category.clone(),
            description.clone(),
            household.clone(),
            measure.clone(),
            found.clone(),
            deadline.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut errs = Vec::new();
            let src = source.parse::<ProblemSource>().ok();
            if src.is_none() {
                errs.push(FieldError::new("source", "required", ""));
            }
            let cat = category.parse::<ProblemCategory>().ok();
            if cat.is_none() {
                errs.push(FieldError::new("category", "required", ""));
            }
            if county.is_empty() {
                errs.push(FieldError::new("county_code", "required", ""));
            }
            if description.trim().is_empty() {
                errs.push(FieldError::new("description", "required", ""));
            }
            let m = if measure.trim().is_empty() {
                Some(None)
            } else {
                measure.trim().parse::<i16>().ok().map(Some)
            };
            if m.is_none() {
                errs.push(FieldError::new("measure", "invalid_number", ""));
            }
            let f = parse_date(&found);
            if f.is_none() {
                errs.push(FieldError::new("found_on", "invalid_date", ""));
            }
            let dl = parse_date(&deadline);
            if dl.is_none() {
                errs.push(FieldError::new("deadline", "required", ""));
            }
            let (Some(source), Some(category), Some(measure), Some(found_on), Some(deadline), true) =
                (src, cat, m, f, dl, errs.is_empty())
            else {
                fh.reject(errs);
                return;
            };
            let fields = RectificationInput {
                source,
                source_id: None,
                source_ref: None,
                county_code: (*county).clone(),
                person_id: None,
                household: (!household.trim().is_empty()).then(|| household.trim().to_owned()),
                category,
                description: description.trim().to_owned(),
                measure,
                found_on,
                deadline,
            };
            let navigator = navigator.clone();
            fh.submit(
                move |id| async move {
                    crate::api::rectification::create(&RectificationCreate {
                        id: Some(id),
                        fields,
                    })
                    .await
                    .map_err(Failure::Api)
                },
                move |i: RectificationItem| {
                    if let Some(n) = &navigator {
                        n.push(&Route::RectificationItem {
                            id: i.id.to_string(),
                        });
                    }
                },
            );
        })
    };
    let at_county = ctx.me.as_deref().is_some_and(super::at_county);
    html! {
        <section class="card">
            <nav aria-label={ctx.t("nav.crumbs")} class="crumbs">
                <Link<Route> to={Route::Rectification}>{ ctx.t("rc.title") }</Link<Route>>{" › "}
                <span aria-current="page">{ ctx.t("rc.new") }</span>
            </nav>
            <h1>{ ctx.t("rc.new") }</h1>
            <form id="item-form" onsubmit={onsubmit} novalidate=true aria-label={ctx.t("rc.new")}>
                { fh.banner(lang, "item-banner") }
                <SelectField id="item-source" label={ctx.t("rc.source")} value={(*source).clone()} required=true
                    options={options(ProblemSource::ALL, "rc_source", lang, Some("form.choose"))} onchange={set(&source, "source")} error={err("source")} />
                if at_county {
                    <p id="item-county">{ format!("{}: {}", ctx.t("rc.unit"), units.name(&county, lang)) }</p>
                } else {
                    <SelectField id="item-county" label={ctx.t("rc.unit")} value={(*county).clone()} required=true
                        options={counties} onchange={set(&county, "county_code")} error={err("county_code")} />
                }
                <SelectField id="item-category" label={ctx.t("rc.category")} value={(*category).clone()} required=true
                    options={categories(&ctx)} onchange={set(&category, "category")} error={err("category")} />
                <TextField id="item-description" label={ctx.t("rc.description")} value={(*description).clone()} oninput={set(&description, "description")} error={err("description")} required=true multiline=true />
                <TextField id="item-household" label={ctx.t("rc.household")} value={(*household).clone()} oninput={set(&household, "household")} error={err("household")} />
                <TextField id="item-measure" kind="number" label={ctx.t("rc.measure")} value={(*measure).clone()} oninput={set(&measure, "measure")} error={err("measure")} inputmode={Some(AttrValue::Static("numeric"))} />
                <TextField id="item-found" kind="date" label={ctx.t("rc.found_on")} value={(*found).clone()} oninput={set(&found, "found_on")} error={err("found_on")} required=true />
                <TextField id="item-deadline" kind="date" label={ctx.t("rc.deadline")} value={(*deadline).clone()} oninput={set(&deadline, "deadline")} error={err("deadline")} required=true />
                <div class="buttons">
                    <button type="submit" class="primary" id="item-save" disabled={fh.busy()}>{ ctx.t("rc.create") }</button>
                </div>
            </form>
        </section>
    }
}
