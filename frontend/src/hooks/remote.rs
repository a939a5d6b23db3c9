//! Loaded data: one loading/error state ([`Remote`]) for a detail page
//! ([`use_remote`]) and cursor paging for a list ([`use_paged`]), each with the view of
//! its loading and failed states (a retry button where a retry can help).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use shared::api::Page;
use yew::prelude::*;

use crate::api::ApiError;
use crate::i18n::Lang;

/// Page size of the lists.
pub const PAGE_SIZE: i64 = 50;

/// Data loaded from the API.
#[derive(Debug, Clone, PartialEq)]
pub enum Remote<T> {
    /// The request is under way.
    Loading,
    /// The request failed.
    Failed(ApiError),
    /// The data.
    Ready(T),
}

impl<T> Remote<T> {
    /// The data, once there.
    pub fn ready(&self) -> Option<&T> {
        match self {
            Remote::Ready(t) => Some(t),
            _ => None,
        }
    }
}

/// Whether trying again can help (not for a missing record or a refusal).
fn retryable(e: &ApiError) -> bool {
    !matches!(e.status, 400..=499) || e.status == 408 || e.status == 429
}

/// The message of a failed load: `not_found` (a message key) for a 404.
fn load_message(e: &ApiError, lang: Lang, not_found: Option<&str>) -> String {
    match not_found {
        Some(key) if e.status == 404 => lang.t(key),
        _ => e.message(lang),
    }
}

/// The "loading" line.
pub fn loading_view(lang: Lang) -> Html {
    html! { <p role="status" class="loading">{ lang.t("app.loading") }</p> }
}

/// A failed load: the message, and a retry button when a retry can help.
pub fn failed_view(e: &ApiError, lang: Lang, not_found: Option<&str>, retry: Callback<()>) -> Html {
    html! {
        <div class="error-summary" role="alert">
            <p>{ load_message(e, lang, not_found) }</p>
            if retryable(e) {
                <button type="button" class="retry" onclick={retry.reform(|_| ())}>{ lang.t("app.retry") }</button>
            }
        </div>
    }
}

/// What to show for `remote` until it is ready: the loading line or the failure with a
/// retry button; nothing once ready.
pub fn placeholder<T>(
    remote: &Remote<T>,
    lang: Lang,
    not_found: Option<&str>,
    retry: Callback<()>,
) -> Html {
    match remote {
        Remote::Loading => loading_view(lang),
        Remote::Failed(e) => failed_view(e, lang, not_found, retry),
        Remote::Ready(_) => html! {},
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// The handle [`use_remote`] returns.
#[derive(Clone)]
pub struct UseRemote<T: 'static> {
    state: UseStateHandle<Remote<T>>,
    reloads: UseStateHandle<u32>,
}

impl<T: Clone + 'static> UseRemote<T> {
    /// The data, once there.
    pub fn ready(&self) -> Option<&T> {
        self.state.ready()
    }

    /// Replaces the data (with the answer of a change, say).
    pub fn set(&self, value: T) {
        self.state.set(Remote::Ready(value));
    }

    /// Loads again; the data stays on screen until the new answer is in.
    pub fn reload(&self) {
        self.reloads.set(*self.reloads + 1);
    }

    /// A callback that shows "loading" and loads again (the retry button).
    pub fn retry(&self) -> Callback<()> {
        let (state, reloads) = (self.state.clone(), self.reloads.clone());
        Callback::from(move |_| {
            state.set(Remote::Loading);
            reloads.set(*reloads + 1);
        })
    }

    /// The loading or failed view until the data is there (`not_found`: message key for
    /// a 404).
    pub fn placeholder(&self, lang: Lang, not_found: Option<&str>) -> Html {
        placeholder(&self.state, lang, not_found, self.retry())
    }
}

/// Loads `fetch(deps)` whenever `deps` change (and on [`UseRemote::reload`]); an answer
/// that arrives after a newer request started is dropped.
#[hook]
pub fn use_remote<T, D, F, Fut>(deps: D, fetch: F) -> UseRemote<T>
where
    T: Clone + 'static,
    D: PartialEq + Clone + 'static,
    F: Fn(D) -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let state = use_state(|| Remote::<T>::Loading);
    let reloads = use_state(|| 0u32);
    let generation = use_memo((), |_| Cell::new(0u32));
    let last_deps = use_mut_ref(|| None::<D>);
    {
        let state = state.clone();
        use_effect_with((deps, *reloads), move |(deps, _)| {
            let changed = last_deps.borrow().as_ref() != Some(deps);
            if changed {
                *last_deps.borrow_mut() = Some(deps.clone());
                if !matches!(*state, Remote::Loading) {
                    state.set(Remote::Loading);
                }
            }
            // A reload of the same data that fails (a bad connection after a save)
            // keeps what is shown, instead of wiping the page and the save's notice.
            let keep_on_failure = !changed && matches!(*state, Remote::Ready(_));
            let mine = generation.get().wrapping_add(1);
            generation.set(mine);
            let future = fetch(deps.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = future.await;
                if generation.get() == mine {
                    match result {
                        Ok(v) => state.set(Remote::Ready(v)),
                        Err(_) if keep_on_failure => {}
                        Err(e) => state.set(Remote::Failed(e)),
                    }
                }
            });
            || ()
        });
    }
    UseRemote { state, reloads }
}

/// Where a paged list stands.
#[derive(Debug, Clone, PartialEq)]
enum Status {
    Idle,
    Loading,
    Failed(ApiError),
}

/// The pages loaded so far.
#[derive(Debug, Clone, PartialEq)]
struct Paged<T> {
    items: Vec<T>,
    next: Option<String>,
    /// The cursor of the page last asked for (a retry asks again).
    asked: Option<String>,
    status: Status,
    generation: u32,
}

impl<T> Default for Paged<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            next: None,
            asked: None,
            status: Status::Loading,
            generation: 0,
        }
    }
}

enum PagedAction<T> {
    Start {
        generation: u32,
        cursor: Option<String>,
    },
    Loaded {
        generation: u32,
        page: Page<T>,
    },
    Failed {
        generation: u32,
        error: ApiError,
    },
}

impl<T: Clone> Reducible for Paged<T> {
    type Action = PagedAction<T>;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            PagedAction::Start { generation, cursor } => {
                if cursor.is_none() {
                    s.items.clear();
                    s.next = None;
                }
                s.asked = cursor;
                s.status = Status::Loading;
                s.generation = generation;
            }
            PagedAction::Loaded { generation, page } => {
                if generation != s.generation {
                    return self;
                }
                s.items.extend(page.items);
                s.next = page.next_cursor;
                s.status = Status::Idle;
            }
            PagedAction::Failed { generation, error } => {
                if generation != s.generation {
                    return self;
                }
                s.status = Status::Failed(error);
            }
        }
        Rc::new(s)
    }
}

type Loader = Rc<dyn Fn(Option<String>)>;

/// The handle [`use_paged`] returns.
#[derive(Clone)]
pub struct UsePaged<T: Clone + 'static> {
    state: UseReducerHandle<Paged<T>>,
    load: Loader,
}

impl<T: Clone + 'static> UsePaged<T> {
    /// The items of the pages loaded so far.
    pub fn items(&self) -> &[T] {
        &self.state.items
    }

    /// Loads the first page again (after a change).
    pub fn reload(&self) {
        (self.load)(None);
    }

    /// Loads the next page, unless one is loading or this is the last.
    pub fn more(&self) -> Callback<()> {
        let (state, load) = (self.state.clone(), self.load.clone());
        Callback::from(move |_| {
            if state.status != Status::Loading {
                if let Some(c) = state.next.clone() {
                    load(Some(c));
                }
            }
        })
    }

    /// Below the list: "loading", the failure with a retry button, `empty` (a message
    /// key) for an empty list, or the "more" button (element id `{list}-more`).
    pub fn footer(&self, lang: Lang, list: &str, empty: &str) -> Html {
        let retry = {
            let (state, load) = (self.state.clone(), self.load.clone());
            Callback::from(move |_| load(state.asked.clone()))
        };
        match &self.state.status {
            Status::Loading => loading_view(lang),
            Status::Failed(e) => failed_view(e, lang, None, retry),
            Status::Idle if self.state.items.is_empty() => {
                html! { <p role="status">{ lang.t(empty) }</p> }
            }
            Status::Idle => html! {
                <div class="pager">
                    if self.state.next.is_some() {
                        <button type="button" id={format!("{list}-more")} onclick={self.more().reform(|_| ())}>
                            { lang.t("app.more") }
                        </button>
                    }
                </div>
            },
        }
    }
}

/// A list loaded a page at a time by cursor: `fetch(deps, cursor)` answers one page.
/// The first page loads whenever `deps` change; answers to superseded requests are
/// dropped.
#[hook]
pub fn use_paged<T, D, F, Fut>(deps: D, fetch: F) -> UsePaged<T>
where
    T: Clone + 'static,
    D: PartialEq + Clone + 'static,
    F: Fn(D, Option<String>) -> Fut + 'static,
    Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
{
    let state = use_reducer(Paged::<T>::default);
    let generation = use_memo((), |_| Cell::new(0u32));
    // The newest fetch, bound to the newest deps.
    let fetcher = use_mut_ref(|| None::<Rc<dyn Fn(Option<String>) -> BoxFuture<Page<T>>>>);
    {
        let deps = deps.clone();
        let fetch = Rc::new(fetch);
        *fetcher.borrow_mut() = Some(Rc::new(move |cursor| {
            Box::pin(fetch(deps.clone(), cursor)) as BoxFuture<Page<T>>
        }));
    }
    let load: Loader = {
        let (dispatcher, fetcher, generation) =
            (state.dispatcher(), fetcher.clone(), generation.clone());
        Rc::new(move |cursor: Option<String>| {
            let Some(fetch) = fetcher.borrow().clone() else {
                return;
            };
            let mine = generation.get().wrapping_add(1);
            generation.set(mine);
            dispatcher.dispatch(PagedAction::Start {
                generation: mine,
                cursor: cursor.clone(),
            });
            let dispatcher = dispatcher.clone();
            let future = fetch(cursor);
            wasm_bindgen_futures::spawn_local(async move {
                dispatcher.dispatch(match future.await {
                    Ok(page) => PagedAction::Loaded {
                        generation: mine,
                        page,
                    },
                    Err(error) => PagedAction::Failed {
                        generation: mine,
                        error,
                    },
                });
            });
        })
    };
    {
        let load = load.clone();
        use_effect_with(deps, move |_| {
            load(None);
            || ()
        });
    }
    UsePaged { state, load }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(items: Vec<u8>, next: Option<&str>) -> Page<u8> {
        Page {
            items,
            next_cursor: next.map(str::to_owned),
        }
    }

    #[test]
    fn pages_append_and_a_superseded_answer_is_dropped() {
        let s = Rc::new(Paged::<u8>::default());
        let s = s.reduce(PagedAction::Start {
            generation: 1,
            cursor: None,
        });
        let s = s.reduce(PagedAction::Loaded {
            generation: 1,
            page: page(vec![1, 2], Some("c")),
        });
        assert_eq!(s.items, vec![1, 2]);
        assert_eq!(s.next.as_deref(), Some("c"));
        let s = s.reduce(PagedAction::Start {
            generation: 2,
            cursor: Some("c".into()),
        });
        // An answer to the first request, late: ignored.
        let s = s.reduce(PagedAction::Loaded {
            generation: 1,
            page: page(vec![9], None),
        });
        let s = s.reduce(PagedAction::Loaded {
            generation: 2,
            page: page(vec![3], None),
        });
        assert_eq!(s.items, vec![1, 2, 3]);
        assert_eq!(s.next, None);
        assert_eq!(s.status, Status::Idle);
    }

    #[test]
    fn a_new_first_page_starts_over_and_a_failure_keeps_the_cursor() {
        let s = Rc::new(Paged::<u8> {
            items: vec![1],
            next: Some("c".into()),
            ..Paged::default()
        });
        let s = s.reduce(PagedAction::Start {
            generation: 1,
            cursor: Some("c".into()),
        });
        let s = s.reduce(PagedAction::Failed {
            generation: 1,
            error: ApiError {
                status: 0,
                problem: None,
            },
        });
        assert_eq!(s.items, vec![1]);
        assert_eq!(s.asked.as_deref(), Some("c"));
        let s = s.reduce(PagedAction::Start {
            generation: 2,
            cursor: None,
        });
        assert!(s.items.is_empty());
    }

    #[test]
    fn missing_records_and_refusals_are_not_retried() {
        let e = |status| ApiError {
            status,
            problem: None,
        };
        assert!(retryable(&e(0)));
        assert!(retryable(&e(503)));
        assert!(!retryable(&e(404)));
        assert!(!retryable(&e(403)));
    }
}
