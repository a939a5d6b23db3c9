//! Picking a registered person: search by name or identity number (through
//! `POST /api/v1/persons/search`, so that no number lands in a URL), a list of matches
//! with masked numbers, each with a labelled button.

use shared::api::Page;
use shared::person::{Person, PersonItem, PersonQuery};
use yew::prelude::*;

use super::field::TextField;
use crate::app::Ctx;
use crate::hooks::remote::{failed_view, loading_view, Remote};

/// Matches shown per page.
const PICK_PAGE: i64 = 20;

/// The search for what the user typed: an identity number (17 digits and a check
/// character) searches by number, anything else by name.
pub fn person_query(text: &str, cursor: Option<String>) -> PersonQuery {
    let q = text.trim().to_owned();
    let is_number = q.chars().count() == 18 && q.chars().take(17).all(|c| c.is_ascii_digit());
    let (id_number, name) = if is_number {
        (Some(q.to_ascii_uppercase()), None)
    } else {
        (None, Some(q))
    };
    PersonQuery {
        id_number,
        name,
        limit: Some(PICK_PAGE),
        cursor,
        ..PersonQuery::default()
    }
}

/// The persons of a search page (tombstones of deleted entries left out).
fn persons(page: Page<PersonItem>) -> (Vec<Person>, Option<String>) {
    let items = page
        .items
        .into_iter()
        .filter_map(|i| match i {
            PersonItem::Person(p) => Some(*p),
            PersonItem::Tombstone(_) => None,
        })
        .collect();
    (items, page.next_cursor)
}

/// Props of the picker.
#[derive(Properties, PartialEq, Clone)]
pub struct PersonPickerProps {
    /// Id prefix: the input is `{id}-search`, the button `{id}-search-go`, the list
    /// `{id}-candidates`.
    pub id: AttrValue,
    /// Label of each match's button ("Enrol", "Choose").
    pub action: AttrValue,
    /// The chosen person.
    pub onpick: Callback<Person>,
    /// An error about the choice (shown under the input and tied to it).
    #[prop_or_default]
    pub error: Option<String>,
    /// Disables the buttons (a request is in flight).
    #[prop_or_default]
    pub busy: bool,
}

/// The picker: a search form and the matches.
#[function_component(PersonPicker)]
pub fn person_picker(p: &PersonPickerProps) -> Html {
    let Some(ctx) = use_context::<Ctx>() else {
        return html! {};
    };
    let lang = ctx.lang;
    let text = use_state(String::new);
    // None before the first search.
    let found = use_state(|| None::<Remote<(Vec<Person>, Option<String>)>>);
    let asked = use_state(|| None::<PersonQuery>);

    let run = {
        let (found, asked) = (found.clone(), asked.clone());
        Callback::from(move |(query, previous): (PersonQuery, Vec<Person>)| {
            let (found, asked_handle) = (found.clone(), asked.clone());
            asked_handle.set(Some(query.clone()));
            if previous.is_empty() {
                found.set(Some(Remote::Loading));
            }
            wasm_bindgen_futures::spawn_local(async move {
                let result = crate::api::search_persons(&query).await;
                found.set(Some(match result {
                    Ok(page) => {
                        let (more, next) = persons(page);
                        let mut all = previous;
                        all.extend(more);
                        Remote::Ready((all, next))
                    }
                    Err(e) => Remote::Failed(e),
                }));
            });
        })
    };
    let onsubmit = {
        let (text, run) = (text.clone(), run.clone());
        let input_id = format!("{}-search", p.id);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // What the box holds now: a submit that follows the last keystroke before
            // the state has re-rendered must not search for what was there before.
            let typed =
                crate::components::field::typed_value(&input_id).unwrap_or_else(|| (*text).clone());
            if !typed.trim().is_empty() {
                run.emit((person_query(&typed, None), Vec::new()));
            }
        })
    };
    let more = {
        let (found, run, asked) = (found.clone(), run.clone(), asked.clone());
        Callback::from(move |_: MouseEvent| {
            if let (Some(Remote::Ready((shown, Some(cursor)))), Some(q)) = (&*found, &*asked) {
                let query = PersonQuery {
                    cursor: Some(cursor.clone()),
                    ..q.clone()
                };
                run.emit((query, shown.clone()));
            }
        })
    };
    let retry = {
        let (run, asked) = (run.clone(), asked.clone());
        Callback::from(move |_| {
            if let Some(q) = (*asked).clone() {
                run.emit((PersonQuery { cursor: None, ..q }, Vec::new()));
            }
        })
    };
    let list_id = format!("{}-candidates", p.id);
    let status_id = format!("{}-status", p.id);
    html! {
        <div class="picker">
            <form onsubmit={onsubmit} role="search" aria-label={ctx.t("picker.label")}>
                <TextField id={format!("{}-search", p.id)} label={ctx.t("courses.search")} value={(*text).clone()}
                    oninput={let s = text.clone(); Callback::from(move |v| s.set(v))} error={p.error.clone()} />
                <button type="submit" id={format!("{}-search-go", p.id)}>{ ctx.t("persons.search") }</button>
            </form>
            <div id={status_id.clone()} aria-live="polite">
                { match &*found {
                    None => html! {},
                    Some(Remote::Loading) => loading_view(lang),
                    Some(Remote::Failed(e)) => failed_view(e, lang, None, retry),
                    Some(Remote::Ready((list, _))) if list.is_empty() => html! { <p role="status">{ ctx.t("persons.none") }</p> },
                    Some(Remote::Ready((list, _))) => html! { <p class="sr-only">{ format!("{} {}", ctx.t("picker.found"), list.len()) }</p> },
                } }
            </div>
            <ul class="results" id={list_id} aria-label={ctx.t("persons.results")}>
                if let Some(Remote::Ready((list, _))) = &*found {
                    { for list.iter().map(|person| {
                        let (pick, onpick) = (person.clone(), p.onpick.clone());
                        html! {
                            <li>
                                <span>{ &person.name }</span>
                                <span class="mono">{ &person.id_number }</span>
                                <span>{ format!("{} · {}", ctx.t(&format!("cat.{}", person.disability_category)), ctx.t(&format!("level.{}", person.disability_level.get()))) }</span>
                                <button type="button" disabled={p.busy} aria-label={format!("{} {}", p.action, person.name)}
                                    onclick={Callback::from(move |_| onpick.emit(pick.clone()))}>{ &p.action }</button>
                            </li>
                        }
                    }) }
                }
            </ul>
            if matches!(&*found, Some(Remote::Ready((_, Some(_))))) {
                <div class="pager"><button type="button" id={format!("{}-more", p.id)} onclick={more}>{ ctx.t("app.more") }</button></div>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_searches_by_number_and_anything_else_by_name() {
        let q = person_query(" 43038119800101123x ", None);
        assert_eq!(q.id_number.as_deref(), Some("43038119800101123X"));
        assert_eq!(q.name, None);
        let q = person_query("张三", Some("c".into()));
        assert_eq!(q.name.as_deref(), Some("张三"));
        assert_eq!(q.id_number, None);
        assert_eq!(q.cursor.as_deref(), Some("c"));
        assert_eq!(q.limit, Some(PICK_PAGE));
        // Digits but not a whole number: a name search (the server says what it accepts).
        assert_eq!(person_query("4303", None).id_number, None);
    }
}
