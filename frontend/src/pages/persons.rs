//! The registry: search and filter, a paged list with masked identity numbers.

use shared::api::Page;
use shared::person::{PersonItem, PersonQuery};
use shared::{DisabilityCategory, PovertyStatus};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::{Ctx, Route};
use crate::components::field::{SelectField, TextField};
use crate::components::unit_picker::{AreaPicker, Place};
use crate::hooks::page::use_title;
use crate::hooks::remote::{placeholder, Remote};

#[derive(Debug, Clone, Default, PartialEq)]
struct Filters {
    name: String,
    id_number: String,
    place: Place,
    poverty_status: String,
    category: String,
    registered_poor: String,
    flag: String,
}

impl Filters {
    fn query(&self, cursor: Option<String>) -> PersonQuery {
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        PersonQuery {
            name: opt(&self.name),
            // Four characters are the tail a masked list shows; eighteen a full number.
            id_number: opt(&self.id_number).filter(|n| n.chars().count() != 4),
            id_tail: opt(&self.id_number).filter(|n| n.chars().count() == 4),
            county_code: opt(&self.place.county),
            town_code: opt(&self.place.town),
            village_code: opt(&self.place.village),
            poverty_status: self.poverty_status.parse::<PovertyStatus>().ok(),
            disability_category: self.category.parse::<DisabilityCategory>().ok(),
            registered_poor: self.registered_poor.parse().ok(),
            multi_disabled_household: (self.flag == "multi").then_some(true),
            elderly_disabled: (self.flag == "elderly").then_some(true),
            severe: (self.flag == "severe").then_some(true),
            limit: Some(20),
            cursor,
            updated_since: None,
        }
    }
}

/// Whether the window is desktop-wide (48rem at 16 px), where folded filters start open.
fn wide_screen() -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .is_some_and(|w| w >= 768.0)
}

/// The registry list page.
#[function_component(PersonList)]
pub fn person_list() -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    use_title(ctx.t("persons.title"));
    let filters = use_state(Filters::default);
    let page = use_state(|| Remote::<Page<PersonItem>>::Loading);
    let cursors = use_state(|| vec![None::<String>]); // cursor of each page shown so far
                                                      // Only the newest search may fill the list.
    let generation = use_memo((), |_| std::cell::Cell::new(0u32));
    let lang = ctx.lang;

    let load = {
        let (filters, page) = (filters.clone(), page.clone());
        Callback::from(move |cursor: Option<String>| {
            let query = filters.query(cursor);
            let page = page.clone();
            let mine = generation.get().wrapping_add(1);
            generation.set(mine);
            let generation = generation.clone();
            page.set(Remote::Loading);
            wasm_bindgen_futures::spawn_local(async move {
                let result = crate::api::search_persons(&query).await;
                if generation.get() == mine {
                    page.set(match result {
                        Ok(p) => Remote::Ready(p),
                        Err(e) => Remote::Failed(e),
                    });
                }
            });
        })
    };
    let retry = {
        let (load, cursors) = (load.clone(), cursors.clone());
        Callback::from(move |()| load.emit(cursors.last().cloned().flatten()))
    };
    {
        let load = load.clone();
        use_effect_with((), move |_| {
            load.emit(None);
            || ()
        });
    }
    let onsubmit = {
        let (load, cursors) = (load.clone(), cursors.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            cursors.set(vec![None]);
            load.emit(None);
        })
    };
    let next = {
        let (load, cursors, page) = (load.clone(), cursors.clone(), page.clone());
        Callback::from(move |_| {
            if let Some(c) = page.ready().and_then(|p| p.next_cursor.clone()) {
                let mut v = (*cursors).clone();
                v.push(Some(c.clone()));
                cursors.set(v);
                load.emit(Some(c));
            }
        })
    };
    let prev = {
        let (load, cursors) = (load.clone(), cursors.clone());
        Callback::from(move |_| {
            let mut v = (*cursors).clone();
            v.pop();
            let c = v.last().cloned().flatten();
            cursors.set(v);
            load.emit(c);
        })
    };
    let set = |f: fn(&mut Filters, String)| {
        let filters = filters.clone();
        Callback::from(move |v: String| {
            let mut x = (*filters).clone();
            f(&mut x, v);
            filters.set(x);
        })
    };
    let can_write = ctx.me.as_ref().is_some_and(|m| {
        m.permissions
            .contains(&shared::auth::Capability::WritePersons)
    });
    let any = (String::new(), ctx.t("persons.any"));
    let poverty: Vec<(String, String)> = std::iter::once(any.clone())
        .chain(
            PovertyStatus::ALL
                .iter()
                .map(|s| (s.to_string(), ctx.t(&format!("pov.{s}")))),
        )
        .collect();
    let categories: Vec<(String, String)> = std::iter::once(any.clone())
        .chain(
            DisabilityCategory::ALL
                .iter()
                .map(|c| (c.to_string(), ctx.t(&format!("cat.{c}")))),
        )
        .collect();
    let yes_no = vec![
        any.clone(),
        ("true".into(), ctx.t("persons.yes")),
        ("false".into(), ctx.t("persons.no")),
    ];
    let flags = vec![
        any,
        (
            "severe".into(),
            format!("{}/{}", ctx.t("level.1"), ctx.t("level.2")),
        ),
        ("multi".into(), ctx.t("field.multi_disabled_household")),
        ("elderly".into(), ctx.t("field.elderly_disabled")),
    ];
    let scope_name = ctx
        .me
        .as_ref()
        .map(|m| m.scope.name.clone())
        .unwrap_or_default();

    html! {
        <section class="card">
            <nav aria-label="breadcrumb" class="crumbs"><span>{ scope_name }</span>{" › "}<span aria-current="page">{ ctx.t("persons.title") }</span></nav>
            <h1>{ ctx.t("persons.title") }</h1>
            if can_write {
                <p><Link<Route> to={Route::PersonNew} classes="button primary">{ ctx.t("persons.new") }</Link<Route>></p>
            }
            <form class="filters" onsubmit={onsubmit} role="search">
                <TextField id="f-name" label={ctx.t("field.name")} value={filters.name.clone()} oninput={set(|f, v| f.name = v)} />
                <TextField id="f-id" label={ctx.t("persons.id_or_tail")} value={filters.id_number.clone()} oninput={set(|f, v| f.id_number = v)} />
                // On a phone the results come first: the finer filters fold away (open
                // by default on a desktop, where there is room).
                <details class="more-filters" id="f-more" open={wide_screen()}>
                    <summary>{ ctx.t("filter.more") }</summary>
                    <AreaPicker id="f" value={filters.place.clone()} optional=true
                        onchange={let filters = filters.clone(); Callback::from(move |p: Place| { let mut x = (*filters).clone(); x.place = p; filters.set(x); })} />
                    <SelectField id="f-poverty" label={ctx.t("field.poverty_status")} value={filters.poverty_status.clone()} options={poverty} onchange={set(|f, v| f.poverty_status = v)} />
                    <SelectField id="f-category" label={ctx.t("field.disability_category")} value={filters.category.clone()} options={categories} onchange={set(|f, v| f.category = v)} />
                    <SelectField id="f-poor" label={ctx.t("field.registered_poor")} value={filters.registered_poor.clone()} options={yes_no} onchange={set(|f, v| f.registered_poor = v)} />
                    <SelectField id="f-flag" label={ctx.t("field.flags")} value={filters.flag.clone()} options={flags} onchange={set(|f, v| f.flag = v)} />
                </details>
                <div class="buttons">
                    <button type="submit" class="primary" id="search">{ ctx.t("persons.search") }</button>
                </div>
            </form>
            <h2 class="sr-only">{ ctx.t("persons.results") }</h2>
            { match &*page {
                // A filter the server refused: name the field.
                Remote::Failed(e) if e.problem.as_ref().is_some_and(|p| !p.errors.is_empty()) => {
                    let f = e.problem.as_ref().and_then(|p| p.errors.first());
                    html! { <p class="error-summary" role="alert">{ f.map(|f| format!("{}: {}", lang.t(&format!("field.{}", f.field)), lang.error(&f.code, &f.message))).unwrap_or_default() }</p> }
                }
                Remote::Loading | Remote::Failed(_) => placeholder(&page, lang, None, retry),
                Remote::Ready(p) if p.items.is_empty() => html! { <p role="status">{ ctx.t("persons.none") }</p> },
                Remote::Ready(p) => html! {
                    <ul class="results" id="results">
                        { for p.items.iter().filter_map(|i| match i { PersonItem::Person(p) => Some(p), PersonItem::Tombstone(_) => None }).map(|p| html! {
                            <li>
                                <Link<Route> to={Route::Person { id: p.id.to_string() }}>{ &p.name }</Link<Route>>
                                <span class="mono">{ &p.id_number }</span>
                                <span>{ format!("{} · {}", ctx.t(&format!("cat.{}", p.disability_category)), ctx.t(&format!("level.{}", p.disability_level.get()))) }</span>
                                <span>{ ctx.t(&format!("pov.{}", p.poverty_status)) }</span>
                            </li>
                        }) }
                    </ul>
                },
            } }
            <div class="pager">
                if cursors.len() > 1 {
                    <button type="button" onclick={prev}>{ ctx.t("persons.prev") }</button>
                }
                if page.ready().is_some_and(|p| p.next_cursor.is_some()) {
                    <button type="button" onclick={next}>{ ctx.t("persons.next") }</button>
                }
            </div>
        </section>
    }
}
