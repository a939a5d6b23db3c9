//! Attachments: a photo scaled down in the browser, uploaded with progress (through
//! XMLHttpRequest: fetch reports no upload progress), and thumbnails fetched with the
//! token into object URLs (`<img src>` cannot send it).

use js_sys::{Function, Promise};
use shared::api::Problem;
use shared::attachments::{AttachmentMeta, AttachmentUpload, CLIENT_MAX_SIDE};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, HtmlCanvasElement, ImageBitmap, XmlHttpRequest};

use super::{access_token, refresh, with_query, ApiError};

/// JPEG quality of a photo scaled down for upload: a 12-megapixel phone photo leaves
/// the phone at a few hundred kilobytes.
const UPLOAD_QUALITY: f64 = 0.8;

/// The picture in `file` as a JPEG at most [`CLIENT_MAX_SIDE`] pixels on its longest
/// side, laid on white (a transparent PNG would turn black). The camera's orientation
/// is applied by `createImageBitmap`. Fails when the browser cannot decode the file.
pub async fn scale_down(file: &Blob) -> Result<Blob, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let bitmap: ImageBitmap = JsFuture::from(window.create_image_bitmap_with_blob(file)?)
        .await?
        .dyn_into()?;
    let (w, h) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    let scale = (f64::from(CLIENT_MAX_SIDE) / w.max(h).max(1.0)).min(1.0);
    let (tw, th) = ((w * scale).round().max(1.0), (h * scale).round().max(1.0));
    let canvas: HtmlCanvasElement = window
        .document()
        .ok_or_else(|| JsValue::from_str("no document"))?
        .create_element("canvas")?
        .dyn_into()?;
    // Whole pixels, at most CLIENT_MAX_SIDE: the casts cannot truncate.
    canvas.set_width(tw as u32);
    canvas.set_height(th as u32);
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2d context"))?
        .dyn_into()?;
    ctx.set_fill_style_str("#fff");
    ctx.fill_rect(0.0, 0.0, tw, th);
    ctx.draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, tw, th)?;
    bitmap.close();
    let mut failed = None;
    let encoded = Promise::new(&mut |resolve: Function, reject: Function| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            let _ = if blob.is_null() {
                reject.call0(&JsValue::NULL)
            } else {
                resolve.call1(&JsValue::NULL, &blob)
            };
        });
        if let Err(e) = canvas.to_blob_with_type_and_encoder_options(
            done.unchecked_ref(),
            "image/jpeg",
            &JsValue::from_f64(UPLOAD_QUALITY),
        ) {
            failed = Some(e);
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    JsFuture::from(encoded).await?.dyn_into()
}

/// Uploads `body` as an attachment, reporting progress in percent. The client id in
/// `query` makes a retry after a dropped connection answer the stored file instead of a
/// second one. An expired token is refreshed once.
pub async fn upload(
    query: &AttachmentUpload,
    body: &Blob,
    on_progress: yew::Callback<u8>,
) -> Result<AttachmentMeta, ApiError> {
    let path = with_query("/api/v1/attachments", query);
    let mut retried = false;
    loop {
        let (status, text) = send(&path, body, access_token(), on_progress.clone()).await?;
        if (200..300).contains(&status) {
            return serde_json::from_str(&text).map_err(|_| ApiError {
                status,
                problem: None,
            });
        }
        let err = ApiError {
            status,
            problem: serde_json::from_str::<Problem>(&text).ok(),
        };
        if status == 401 && !retried && err.code() == "token_expired" && refresh().await {
            retried = true;
            continue;
        }
        return Err(err);
    }
}

/// One POST through XMLHttpRequest: status and body text (status 0 is a network error).
async fn send(
    path: &str,
    body: &Blob,
    token: Option<String>,
    on_progress: yew::Callback<u8>,
) -> Result<(u16, String), ApiError> {
    let net = |_| ApiError::network();
    let xhr = XmlHttpRequest::new().map_err(net)?;
    xhr.open_with_async("POST", path, true).map_err(net)?;
    xhr.set_request_header("Content-Type", "application/octet-stream")
        .map_err(net)?;
    xhr.set_request_header("Accept", "application/json")
        .map_err(net)?;
    if let Some(t) = token {
        xhr.set_request_header("Authorization", &format!("Bearer {t}"))
            .map_err(net)?;
    }
    let progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                // 0 to 100: the cast cannot truncate.
                on_progress.emit((e.loaded() / e.total() * 100.0).round().clamp(0.0, 100.0) as u8);
            }
        });
    if let Ok(up) = xhr.upload() {
        up.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    let finished = Promise::new(&mut |resolve: Function, _| xhr.set_onloadend(Some(&resolve)));
    xhr.send_with_opt_blob(Some(body)).map_err(net)?;
    JsFuture::from(finished).await.map_err(net)?;
    // The progress handler lives until the request has ended.
    drop(progress);
    let status = xhr.status().unwrap_or(0);
    if status == 0 {
        return Err(ApiError::network());
    }
    Ok((
        status,
        xhr.response_text().ok().flatten().unwrap_or_default(),
    ))
}

/// An object URL of an attachment's thumbnail, fetched with the token; revoke it with
/// `web_sys::Url::revoke_object_url` when it is no longer shown.
pub async fn thumbnail_url(id: uuid::Uuid) -> Result<String, ApiError> {
    let blob = super::fetch_blob(&format!("/api/v1/attachments/{id}/thumbnail")).await?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| ApiError::network())
}
