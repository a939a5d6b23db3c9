//! Request extractors whose failures are problem JSON: bodies and query strings that do
//! not parse are reported with the field that failed.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest JSON body accepted.
pub const MAX_JSON_BODY: usize = 256 * 1024;

/// A JSON body; a malformed one answers 422 naming the field, a large one 413.
#[derive(Debug)]
pub struct Json<T>(pub T);

fn path_field(path: &serde_path_to_error::Path) -> String {
    let s = path.to_string();
    if s == "." {
        "body".into()
    } else {
        s
    }
}

/// The field a deserialisation error is about: its path, and for a missing field the
/// field itself (serde names it only in the message).
fn error_field(path: &serde_path_to_error::Path, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    match (missing, path.to_string().as_str()) {
        (Some(name), ".") => name.to_owned(),
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, _) => path_field(path),
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json_type = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mime = v
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !json_type {
                return Err(ApiError::BadRequest {
                    code: "unsupported_media_type",
                    detail: "send the body as application/json".into(),
                });
            }
            let bytes = body.await.map_err(|e| match e.as_error::<PayloadError>() {
                Some(PayloadError::Overflow) => ApiError::PayloadTooLarge,
                _ => ApiError::BadRequest {
                    code: "bad_body",
                    detail: "the request body could not be read".into(),
                },
            })?;
            let de = &mut serde_json::Deserializer::from_slice(&bytes);
            serde_path_to_error::deserialize(de).map(Json).map_err(|e| {
                let field = error_field(e.path(), &e.inner().to_string());
                let inner = e.into_inner();
                let code = if inner.is_syntax() || inner.is_eof() {
                    "malformed_json"
                } else {
                    "invalid_value"
                };
                ApiError::field(&field, code, inner.to_string())
            })
        })
    }
}

/// Deserialises a JSON value, naming the failing field. Used for bodies whose type
/// flattens another (serde cannot track the path through `#[serde(flatten)]`).
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let message = e.inner().to_string();
        let field = error_field(e.path(), &message);
        ApiError::field(&field, "invalid_value", message)
    })
}

/// A query string; one that does not parse answers 422.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(req.query_string()));
        std::future::ready(
            serde_path_to_error::deserialize(de)
                .map(Query)
                .map_err(|e| {
                    let message = e.inner().to_string();
                    let field = error_field(e.path(), &message);
                    ApiError::field(&field, "invalid_value", message)
                }),
        )
    }
}

fn form_urlencoded_parse(q: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(q.as_bytes())
}

/// Path ids that are not UUIDs name no record: 404, not 400.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into())
}

/// The answer to a create: 201 with `Location` for a new record, 200 for the retry of an
/// earlier create with the same client-chosen id.
pub fn created<T: serde::Serialize>(
    new: bool,
    location: String,
    body: &T,
) -> actix_web::HttpResponse {
    if new {
        actix_web::HttpResponse::Created()
            .insert_header((actix_web::http::header::LOCATION, location))
            .json(body)
    } else {
        actix_web::HttpResponse::Ok().json(body)
    }
}

/// The version an update or delete was made against: from the body or `?version=`,
/// else from `If-Match` (`3`, `"3"` or `W/"3"`); 422 when there is none.
pub fn version_of(given: Option<i64>, req: &actix_web::HttpRequest) -> Result<i64, ApiError> {
    if let Some(v) = given {
        return Ok(v);
    }
    let Some(h) = req.headers().get(actix_web::http::header::IF_MATCH) else {
        return Err(version_required());
    };
    let text = h
        .to_str()
        .unwrap_or("")
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"');
    text.parse().map_err(|_| {
        ApiError::field(
            "If-Match",
            "invalid_version",
            "If-Match must carry the record's version number",
        )
    })
}

/// 422 when an update or delete carries no version (in the body, `If-Match` or `?version=`).
pub fn version_required() -> ApiError {
    ApiError::field(
        "version",
        "required",
        "send the version you last saw, in the body, If-Match or ?version=",
    )
}

/// Whether the caller asked for English (`Accept-Language: en…`); Chinese otherwise.
pub fn english(req: &actix_web::HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("en"))
}
