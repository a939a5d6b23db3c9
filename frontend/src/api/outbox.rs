//! The **outbox** of records made on a phone without a network: visits (measure 4) and
//! surveys (measure 7).
//!
//! A record is created with a client-chosen id. When the send fails for lack of a
//! network (status 0), the create is kept in local storage with that id and shown as
//! waiting; it is sent again on the next page load and when the browser says it is back
//! `online`. The server answers a re-send of the same id and body with the stored
//! record, so a send that did arrive but whose answer was lost is never recorded twice.

use std::cell::{Cell, RefCell};
use std::future::Future;

use gloo_storage::{LocalStorage, Storage};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use yew::prelude::*;

use super::ApiError;

/// A create that may wait in the outbox.
pub trait Outgoing: Clone + PartialEq + Serialize + DeserializeOwned + 'static {
    /// The local storage key of this kind's outbox.
    const KEY: &'static str;
    /// The record the server answers with.
    type Saved: 'static;
    /// The client-chosen id.
    fn client_id(&self) -> Uuid;
    /// The day the record is of (shown in the list of waiting records).
    fn day(&self) -> chrono::NaiveDate;
    /// Sends the create.
    fn create(&self) -> impl Future<Output = Result<Self::Saved, ApiError>>;
}

/// A create waiting to be sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "B: Outgoing")]
pub struct Queued<B> {
    /// The create, with its client id.
    pub body: B,
    /// Whom it is about (household or person), for the list. Stored as `household`,
    /// the name the first outbox (visits) gave it: a phone's waiting visits stay
    /// readable after an update.
    #[serde(rename = "household")]
    pub who: String,
    /// Why the server refused it (a machine code), if it did; such a record is not sent
    /// again until the user sends it by hand.
    #[serde(default)]
    pub refused: Option<String>,
}

impl<B: Outgoing> Queued<B> {
    /// The client id.
    pub fn id(&self) -> Uuid {
        self.body.client_id()
    }
}

thread_local! {
    static WATCHER: RefCell<Option<Callback<()>>> = const { RefCell::new(None) };
    static SENDING: Cell<bool> = const { Cell::new(false) };
}

/// The records of kind `B` waiting to be sent, oldest first.
pub fn items<B: Outgoing>() -> Vec<Queued<B>> {
    LocalStorage::get(B::KEY).unwrap_or_default()
}

fn store<B: Outgoing>(items: &[Queued<B>]) {
    if items.is_empty() {
        LocalStorage::delete(B::KEY);
    } else {
        let _ = LocalStorage::set(B::KEY, items);
    }
    WATCHER.with(|w| {
        if let Some(cb) = w.borrow().as_ref() {
            cb.emit(());
        }
    });
}

/// Keeps a record to send later (replacing one with the same id).
pub fn enqueue<B: Outgoing>(q: Queued<B>) {
    let mut all = items::<B>();
    all.retain(|i| i.id() != q.id());
    all.push(q);
    store(&all);
}

/// Forgets a waiting record.
pub fn discard<B: Outgoing>(id: Uuid) {
    let mut all = items::<B>();
    all.retain(|i| i.id() != id);
    store(&all);
}

/// Registers the page that shows an outbox (told after every change).
pub fn watch(cb: Option<Callback<()>>) {
    WATCHER.with(|w| *w.borrow_mut() = cb);
}

/// Sends a record now: `Ok` when the server has it, `Err` with the failure otherwise; a
/// network failure keeps it in the outbox, a refusal keeps it marked refused.
pub async fn send<B: Outgoing>(q: Queued<B>) -> Result<B::Saved, ApiError> {
    match q.body.create().await {
        Ok(v) => {
            discard::<B>(q.id());
            Ok(v)
        }
        Err(e) => {
            let refused = (e.status != 0).then(|| e.code().to_owned());
            enqueue(Queued { refused, ..q });
            Err(e)
        }
    }
}

/// Sends every waiting record of kind `B` the server has not refused, oldest first;
/// `false` at the first network failure.
async fn flush_kind<B: Outgoing>() -> bool {
    for q in items::<B>().into_iter().filter(|q| q.refused.is_none()) {
        if let Err(e) = send(q).await {
            if e.status == 0 {
                return false;
            }
        }
    }
    true
}

/// Sends every waiting visit and survey. One run at a time.
pub async fn flush() {
    if SENDING.with(|s| s.replace(true)) {
        return;
    }
    if super::has_session() && flush_kind::<shared::visits::VisitCreate>().await {
        flush_kind::<shared::survey::SurveyCreate>().await;
    }
    SENDING.with(|s| s.set(false));
}

/// Sends the outbox now and whenever the browser comes back online (call once).
pub fn start() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    wasm_bindgen_futures::spawn_local(flush());
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_online = Closure::<dyn FnMut()>::new(|| wasm_bindgen_futures::spawn_local(flush()));
    let _ = window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    on_online.forget();
}

/// The outbox of kind `B` as state, kept up to date while the page is shown; `changed`
/// runs after every change (a record sent: the page shows it).
#[hook]
pub fn use_outbox<B>(changed: Callback<()>) -> UseStateHandle<Vec<Queued<B>>>
where
    B: Outgoing,
{
    let list = use_state(items::<B>);
    {
        let list = list.clone();
        use_effect_with((), move |_| {
            watch(Some(Callback::from(move |()| {
                list.set(items::<B>());
                changed.emit(());
            })));
            wasm_bindgen_futures::spawn_local(flush());
            || watch(None)
        });
    }
    list
}

/// The records of kind `B` waiting to be sent (section `#outbox`, each `#queued-{id}`),
/// with "send now" and, for a refused one, "discard"; nothing when there are none.
/// `title` is the section's message key; `sent` runs after a record went out by hand.
pub fn outbox_view<B: Outgoing>(
    list: &[Queued<B>],
    title: &str,
    lang: crate::i18n::Lang,
    sent: Callback<()>,
) -> Html {
    if list.is_empty() {
        return html! {};
    }
    html! {
        <section class="notice pending" id="outbox" aria-labelledby="outbox-title">
            <h2 id="outbox-title">{ lang.t(title) }</h2>
            <ul class="results">
                { for list.iter().map(|q| {
                    let id = q.id();
                    let again = {
                        let (q, sent) = (q.clone(), sent.clone());
                        Callback::from(move |_: MouseEvent| {
                            let (q, sent) = (q.clone(), sent.clone());
                            wasm_bindgen_futures::spawn_local(async move {
                                if send(Queued { refused: None, ..q }).await.is_ok() {
                                    sent.emit(());
                                }
                            });
                        })
                    };
                    let forget = Callback::from(move |_: MouseEvent| discard::<B>(id));
                    html! {
                        <li id={format!("queued-{id}")}>
                            <strong>{ &q.who }</strong>
                            <span>{ q.body.day().to_string() }</span>
                            if let Some(code) = &q.refused {
                                <span class="badge off">{ lang.error(code, &lang.t("visits.refused")) }</span>
                                <button type="button" class="link" onclick={forget}>{ lang.t("visits.discard") }</button>
                            } else {
                                <span class="badge pending">{ lang.t("visits.waiting") }</span>
                            }
                            <button type="button" class="link" onclick={again}>{ lang.t("visits.send_now") }</button>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}
