//! The one typed API client: attaches the access token, refreshes it once when it has
//! expired (never two refreshes at once: a reused refresh token ends the session), and
//! turns problem JSON into [`ApiError`].

pub mod care;
pub mod crosscheck;
pub mod duties;
pub mod outbox;
pub mod petitions;
pub mod plan;
pub mod rectification;
pub mod rehab;
pub mod retrofit;
pub mod supervision;
pub mod survey;
pub mod visits;

use std::cell::{Cell, RefCell};

use gloo_net::http::{Method, RequestBuilder};
use gloo_storage::{LocalStorage, Storage};
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::api::{Problem, TokenResponse};

pub mod attachments;

const ACCESS: &str = "xz.access";
const REFRESH: &str = "xz.refresh";

thread_local! {
    static REFRESHING: Cell<bool> = const { Cell::new(false) };
    static ON_SESSION_END: RefCell<Option<yew::Callback<()>>> = const { RefCell::new(None) };
}

/// A failed call: HTTP status (0 when the network failed) and the problem, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status, 0 for a network failure.
    pub status: u16,
    /// The problem JSON the server sent.
    pub problem: Option<Problem>,
}

impl ApiError {
    pub(crate) fn network() -> Self {
        Self {
            status: 0,
            problem: None,
        }
    }

    /// The problem's machine code, or "".
    pub fn code(&self) -> &str {
        self.problem.as_ref().map_or("", |p| p.code.as_str())
    }

    /// The message to show for this error in `lang`.
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        match self.status {
            0 => lang.t("err.network"),
            403 => match self.code() {
                "" | "forbidden" => lang.t("err.forbidden"),
                code => lang.error(code, &lang.t("err.forbidden")),
            },
            503 if self.code() == "busy" => lang.t("err.busy"),
            500.. => lang.t("err.server"),
            _ => match &self.problem {
                Some(p) => lang.error(&p.code, &p.detail),
                None => lang.t("err.server"),
            },
        }
    }
}

/// Registers what to do when the session can no longer be refreshed.
pub fn on_session_end(cb: yew::Callback<()>) {
    ON_SESSION_END.with(|c| *c.borrow_mut() = Some(cb));
}

/// Whether tokens are stored (the session survives reloads).
pub fn has_session() -> bool {
    LocalStorage::get::<String>(ACCESS).is_ok()
}

/// Stores the tokens of a login or refresh.
pub fn store_tokens(t: &TokenResponse) {
    let _ = LocalStorage::set(ACCESS, &t.access_token);
    let _ = LocalStorage::set(REFRESH, &t.refresh_token);
}

/// Forgets the tokens.
pub fn clear_tokens() {
    LocalStorage::delete(ACCESS);
    LocalStorage::delete(REFRESH);
}

/// The stored refresh token.
pub fn refresh_token() -> Option<String> {
    LocalStorage::get(REFRESH).ok()
}

async fn send<B: Serialize>(
    method: Method,
    path: &str,
    body: Option<&B>,
    token: Option<String>,
) -> Result<gloo_net::http::Response, ApiError> {
    let mut req = RequestBuilder::new(path)
        .method(method)
        .header("Accept", "application/json");
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req.json(b).map_err(|_| ApiError::network())?,
        None => req.build().map_err(|_| ApiError::network())?,
    };
    req.send().await.map_err(|_| ApiError::network())
}

pub(crate) async fn problem_of(resp: gloo_net::http::Response) -> ApiError {
    ApiError {
        status: resp.status(),
        problem: resp.json::<Problem>().await.ok(),
    }
}

/// The stored access token, for requests this client cannot make through gloo-net
/// (uploads with progress events).
pub(crate) fn access_token() -> Option<String> {
    LocalStorage::get::<String>(ACCESS).ok()
}

/// Trades the refresh token for new tokens; waits for one already under way instead of
/// starting a second.
pub(crate) async fn refresh() -> bool {
    if REFRESHING.with(Cell::get) {
        while REFRESHING.with(Cell::get) {
            gloo_timers::future::TimeoutFuture::new(50).await;
        }
        return has_session();
    }
    let Some(token) = refresh_token() else {
        return false;
    };
    REFRESHING.with(|r| r.set(true));
    let body = shared::api::RefreshRequest {
        refresh_token: token,
    };
    let ok = match send(Method::POST, "/api/v1/auth/refresh", Some(&body), None).await {
        Ok(resp) if resp.ok() => match resp.json::<TokenResponse>().await {
            Ok(t) => {
                store_tokens(&t);
                true
            }
            Err(_) => false,
        },
        _ => false,
    };
    if !ok {
        clear_tokens();
    }
    REFRESHING.with(|r| r.set(false));
    ok
}

/// Calls the API: `Ok(None)` for an empty (204) answer.
pub async fn call<T: DeserializeOwned, B: Serialize>(
    method: Method,
    path: &str,
    body: Option<&B>,
) -> Result<Option<T>, ApiError> {
    let mut retried = false;
    loop {
        let token = LocalStorage::get::<String>(ACCESS).ok();
        let had_token = token.is_some();
        let resp = send(method.clone(), path, body, token).await?;
        if resp.status() == 401 && had_token {
            let err = problem_of(resp).await;
            if !retried && err.code() == "token_expired" && refresh().await {
                retried = true;
                continue;
            }
            clear_tokens();
            ON_SESSION_END.with(|c| {
                if let Some(cb) = c.borrow().as_ref() {
                    cb.emit(());
                }
            });
            return Err(err);
        }
        if !resp.ok() {
            return Err(problem_of(resp).await);
        }
        if resp.status() == 204 {
            return Ok(None);
        }
        return resp.json::<T>().await.map(Some).map_err(|_| ApiError {
            status: resp.status(),
            problem: None,
        });
    }
}

/// GET a JSON answer.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    call::<T, ()>(Method::GET, path, None)
        .await?
        .ok_or(ApiError {
            status: 204,
            problem: None,
        })
}

/// POST a body and read the JSON answer.
pub async fn post<T: DeserializeOwned, B: Serialize>(path: &str, body: &B) -> Result<T, ApiError> {
    call::<T, B>(Method::POST, path, Some(body))
        .await?
        .ok_or(ApiError {
            status: 204,
            problem: None,
        })
}

/// POST a body; no answer expected.
pub async fn post_empty<B: Serialize>(path: &str, body: &B) -> Result<(), ApiError> {
    call::<serde_json::Value, B>(Method::POST, path, Some(body))
        .await
        .map(|_| ())
}

/// PUT a body and read the JSON answer.
pub async fn put<T: DeserializeOwned, B: Serialize>(path: &str, body: &B) -> Result<T, ApiError> {
    call::<T, B>(Method::PUT, path, Some(body))
        .await?
        .ok_or(ApiError {
            status: 204,
            problem: None,
        })
}

/// DELETE.
pub async fn delete(path: &str) -> Result<(), ApiError> {
    call::<serde_json::Value, ()>(Method::DELETE, path, None)
        .await
        .map(|_| ())
}

/// A path with a query string built by an encoder (never by hand).
pub fn with_query<Q: Serialize>(path: &str, query: &Q) -> String {
    match serde_urlencoded::to_string(query) {
        Ok(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_owned(),
    }
}

/// A file the API serves behind the token, as a blob of its content type (`<img src>`
/// and links cannot send the token).
pub async fn fetch_blob(path: &str) -> Result<web_sys::Blob, ApiError> {
    let token = LocalStorage::get::<String>(ACCESS).ok();
    let resp = send::<()>(Method::GET, path, None, token).await?;
    if !resp.ok() {
        return Err(problem_of(resp).await);
    }
    let content_type = resp.headers().get("content-type").unwrap_or_default();
    let bytes = resp.binary().await.map_err(|_| ApiError::network())?;
    let array = js_sys::Uint8Array::from(bytes.as_slice());
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&content_type);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| ApiError::network())
}

/// Downloads a file the API serves behind the token, and hands it to the browser.
pub async fn download(path: &str, filename: &str) -> Result<(), ApiError> {
    let blob = fetch_blob(path).await?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| ApiError::network())?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(ApiError::network)?;
    let a: web_sys::HtmlAnchorElement = wasm_bindgen::JsCast::dyn_into(
        document
            .create_element("a")
            .map_err(|_| ApiError::network())?,
    )
    .map_err(|_| ApiError::network())?;
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Uploads a file as the raw body of a POST and reads the JSON answer; the server
/// writes its report in `lang`.
pub async fn upload<T: DeserializeOwned>(
    path: &str,
    file: &web_sys::File,
    lang: crate::i18n::Lang,
) -> Result<T, ApiError> {
    let token = LocalStorage::get::<String>(ACCESS).ok();
    let mut req = RequestBuilder::new(path)
        .method(Method::POST)
        .header("Content-Type", "application/octet-stream")
        .header("Accept-Language", lang.tag());
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    let resp = req
        .body(wasm_bindgen::JsValue::from(file.clone()))
        .map_err(|_| ApiError::network())?
        .send()
        .await
        .map_err(|_| ApiError::network())?;
    if !resp.ok() {
        return Err(problem_of(resp).await);
    }
    resp.json::<T>().await.map_err(|_| ApiError {
        status: resp.status(),
        problem: None,
    })
}

/// Searches the registry with `POST /api/v1/persons/search`: filters travel in the body,
/// so that an identity number never appears in a URL (and in no proxy's log).
pub async fn search_persons(
    query: &shared::person::PersonQuery,
) -> Result<shared::api::Page<shared::person::PersonItem>, ApiError> {
    post("/api/v1/persons/search", query).await
}
