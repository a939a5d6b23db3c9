//! Cadre ↔ household pairings and visits (measure 4), and the **outbox** of visits
//! recorded without a network.
//!
//! A visit is sent with a client-chosen id. When the send fails for lack of a network
//! (status 0), the visit is kept in local storage with that id and shown as waiting; it
//! is sent again on the next page load and when the browser says it is back `online`.
//! The server answers a re-send of the same id and body with the stored visit, so a send
//! that did arrive but whose answer was lost is never recorded twice.

use std::cell::RefCell;

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};
use shared::api::Page;
use shared::visits::{
    Pairing, PairingCreate, PairingKpi, PairingUpdate, Visit, VisitCreate, VisitUpdate,
};
use uuid::Uuid;

use super::{get, post, put, with_query, ApiError};

/// Filters of `GET /api/v1/pairings`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PairingQuery {
    /// Only the caller's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mine: Option<bool>,
    /// Page size.
    pub limit: i64,
    /// Page cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A cadre county staff may pair.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CadreOption {
    /// User id.
    pub id: Uuid,
    /// Display name.
    pub display_name: String,
    /// Unit code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
}

/// One page of pairings.
pub async fn pairings(q: &PairingQuery) -> Result<Page<Pairing>, ApiError> {
    get(&with_query("/api/v1/pairings", q)).await
}

/// One pairing.
pub async fn pairing(id: &str) -> Result<Pairing, ApiError> {
    get(&format!("/api/v1/pairings/{id}")).await
}

/// The cadres the county may pair.
pub async fn cadres() -> Result<Vec<CadreOption>, ApiError> {
    get("/api/v1/pairings/cadres").await
}

/// Pairs a cadre with a household.
pub async fn create_pairing(body: &PairingCreate) -> Result<Pairing, ApiError> {
    post("/api/v1/pairings", body).await
}

/// Changes a pairing (its post or period).
pub async fn update_pairing(id: Uuid, body: &PairingUpdate) -> Result<Pairing, ApiError> {
    put(&format!("/api/v1/pairings/{id}"), body).await
}

/// The visits of a pairing (first page, up to 100).
pub async fn visits_of(pairing: &str) -> Result<Page<Visit>, ApiError> {
    get(&format!("/api/v1/visits?pairing_id={pairing}&limit=100")).await
}

/// Records a visit (idempotent by its id).
pub async fn create_visit(body: &VisitCreate) -> Result<Visit, ApiError> {
    post("/api/v1/visits", body).await
}

/// Changes a visit against the version seen; 409 `stale_version` carries the server's
/// visit in the problem's `current`.
pub async fn update_visit(id: Uuid, body: &VisitUpdate) -> Result<Visit, ApiError> {
    put(&format!("/api/v1/visits/{id}"), body).await
}

/// The server's visit sent with a 409 `stale_version`.
pub fn current_of(e: &ApiError) -> Option<Visit> {
    let p = e.problem.as_ref().filter(|p| p.code == "stale_version")?;
    serde_json::from_value(p.current.clone()?).ok()
}

/// The pairing KPI of a unit.
pub async fn kpi(region: Option<String>) -> Result<PairingKpi, ApiError> {
    #[derive(Serialize)]
    struct Q {
        #[serde(skip_serializing_if = "Option::is_none")]
        region: Option<String>,
    }
    get(&with_query("/api/v1/kpi/pairing", &Q { region })).await
}

const OUTBOX: &str = "xz.visits.outbox";

/// A visit waiting to be sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    /// The create, with its client id.
    pub body: VisitCreate,
    /// The household's name, for the list.
    pub household: String,
    /// Why the server refused it (a machine code), if it did; such a visit is not sent
    /// again until the user sends it by hand.
    #[serde(default)]
    pub refused: Option<String>,
}

impl Queued {
    /// The client id.
    pub fn id(&self) -> Uuid {
        self.body.id.unwrap_or_default()
    }
}

thread_local! {
    static WATCHER: RefCell<Option<yew::Callback<()>>> = const { RefCell::new(None) };
    static SENDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The visits waiting to be sent, oldest first.
pub fn outbox() -> Vec<Queued> {
    LocalStorage::get(OUTBOX).unwrap_or_default()
}

fn store(items: &[Queued]) {
    if items.is_empty() {
        LocalStorage::delete(OUTBOX);
    } else {
        let _ = LocalStorage::set(OUTBOX, items);
    }
    WATCHER.with(|w| {
        if let Some(cb) = w.borrow().as_ref() {
            cb.emit(());
        }
    });
}

/// Keeps a visit to send later (replacing one with the same id).
pub fn enqueue(q: Queued) {
    let mut items = outbox();
    items.retain(|i| i.id() != q.id());
    items.push(q);
    store(&items);
}

/// Forgets a waiting visit.
pub fn discard(id: Uuid) {
    let mut items = outbox();
    items.retain(|i| i.id() != id);
    store(&items);
}

/// Registers the page that shows the outbox (told after every change).
pub fn watch(cb: Option<yew::Callback<()>>) {
    WATCHER.with(|w| *w.borrow_mut() = cb);
}

/// Sends a visit now: `Ok` when the server has it, `Err` with the failure otherwise; a
/// network failure keeps it in the outbox.
pub async fn send(q: Queued) -> Result<Visit, ApiError> {
    match create_visit(&q.body).await {
        Ok(v) => {
            discard(q.id());
            Ok(v)
        }
        Err(e) if e.status == 0 => {
            enqueue(Queued { refused: None, ..q });
            Err(e)
        }
        Err(e) => {
            enqueue(Queued {
                refused: Some(e.code().to_owned()),
                ..q
            });
            Err(e)
        }
    }
}

/// Sends every waiting visit the server has not refused, oldest first, stopping at the
/// first network failure. One run at a time.
pub async fn flush() {
    if SENDING.with(|s| s.replace(true)) {
        return;
    }
    if super::has_session() {
        for q in outbox().into_iter().filter(|q| q.refused.is_none()) {
            if let Err(e) = send(q).await {
                if e.status == 0 {
                    break;
                }
            }
        }
    }
    SENDING.with(|s| s.set(false));
}

/// Sends the outbox now and whenever the browser comes back online (call once).
pub fn start_outbox() {
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
