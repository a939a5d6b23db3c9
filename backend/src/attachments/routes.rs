//! `/api/v1/attachments`: upload (the raw file as the body), list an owner's, download
//! the file or its thumbnail, delete.

use std::sync::OnceLock;

use actix_web::http::header::{self, ContentEncoding};
use actix_web::{web, HttpResponse};
use shared::api::{Page, Problem};
use shared::attachments::{AttachmentListQuery, AttachmentMeta, AttachmentUpload, ContentType};
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::media;
use super::queries::{self, Created, Upload};
use super::store::Variant;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{created, Query};
use crate::pagination::{limit_of, Cursor};
use crate::state::AppState;

/// The route's body limit, the file limit: a larger body is refused with 413 from its
/// `Content-Length`, or as soon as a body without one passes the limit.
pub const PAYLOAD_LIMIT: usize = shared::attachments::MAX_UPLOAD_BYTES;

/// Decoding a 40-megapixel picture takes up to 160 MB and a core for a while: at most
/// one per core at a time, the others wait their turn.
fn processing_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| {
        Semaphore::new(
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
        )
    })
}

/// Attaches a photo, scan or signature to a record. The body is the file itself (any
/// `Content-Type`: the type is read from the bytes). JPEG and WebP are stored as JPEG,
/// PNG as PNG, both re-encoded without metadata; a PDF as sent. With a client-chosen
/// `id`, a retry of the same file answers the stored one (200) and another file 409.
#[utoipa::path(post, path = "/api/v1/attachments", tag = "attachments", params(AttachmentUpload),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file: JPEG, PNG, WebP or PDF, at most 10 MiB"),
    responses((status = 201, body = AttachmentMeta), (status = 200, description = "retry of an earlier upload", body = AttachmentMeta),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn upload(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<AttachmentUpload>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let errs = q.validate(chrono::Utc::now());
    if !errs.is_empty() {
        return Err(ApiError::Validation(errs));
    }
    let id = q.id.unwrap_or_else(Uuid::now_v7);
    let upload_sha256 = media::sha256_hex(&body);
    let digest = queries::upload_digest(&state.pii, &q, &upload_sha256)?;
    let q = std::sync::Arc::new(q);
    let (u, q1, sha, dig) = (
        user.clone(),
        q.clone(),
        upload_sha256.clone(),
        digest.clone(),
    );
    let (_, existing) = state
        .db(move |conn| {
            let upload = Upload {
                id,
                query: &q1,
                upload_sha256: &sha,
                digest: &dig,
            };
            queries::check_upload(conn, &u, &upload)
        })
        .await?;
    if let Some(meta) = existing {
        return Ok(HttpResponse::Ok().json(meta));
    }
    let file = {
        let _slot = processing_slots()
            .acquire()
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
        web::block(move || media::process(&body)).await??
    };
    let store = state.attachments.clone();
    let result = state
        .db(move |conn| {
            let upload = Upload {
                id,
                query: &q,
                upload_sha256: &upload_sha256,
                digest: &digest,
            };
            queries::create(conn, store.as_ref(), &user, &upload, &file)
        })
        .await?;
    Ok(match result {
        Created::New(meta) => created(true, format!("/api/v1/attachments/{}", meta.id), &meta),
        Created::Existing(meta) => created(false, String::new(), &meta),
    })
}

/// The attachments of one record, oldest first.
#[utoipa::path(get, path = "/api/v1/attachments", tag = "attachments", params(AttachmentListQuery),
    responses((status = 200, body = Page<AttachmentMeta>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    Query(q): Query<AttachmentListQuery>,
) -> Result<web::Json<Page<AttachmentMeta>>, ApiError> {
    let limit = limit_of(q.limit)?;
    let after = Cursor::decode_opt(q.cursor.as_deref())?;
    let (items, next_cursor) = state
        .db(move |conn| queries::list(conn, &user, q.owner_type, q.owner_id, after, limit))
        .await?;
    Ok(web::Json(Page { items, next_cursor }))
}

async fn serve(
    state: web::Data<AppState>,
    user: AuthUser,
    id: Uuid,
    variant: Variant,
) -> Result<HttpResponse, ApiError> {
    let store = state.attachments.clone();
    let (content_type, bytes) = state
        .db(move |conn| queries::bytes(conn, store.as_ref(), &user, id, variant))
        .await?;
    let extension = match content_type {
        ContentType::Jpeg => "jpg",
        ContentType::Png => "png",
        ContentType::Pdf => "pdf",
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type.as_str())
        // Personal pictures: kept by no cache, shown in place, never sniffed as
        // anything else, and not compressed again.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{id}.{extension}\""),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header(ContentEncoding::Identity)
        .body(bytes))
}

/// The stored file, if its record is in the caller's area.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "attachments", params(("id" = Uuid, Path, description = "attachment id")),
    responses((status = 200, description = "the file (image/jpeg, image/png or application/pdf)"), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    serve(state, user, path.into_inner(), Variant::Original).await
}

/// A JPEG thumbnail (at most 320 pixels a side) of a picture; 404 for a PDF.
#[utoipa::path(get, path = "/api/v1/attachments/{id}/thumbnail", tag = "attachments", params(("id" = Uuid, Path, description = "attachment id")),
    responses((status = 200, description = "the thumbnail (image/jpeg)"), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn thumbnail(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    serve(state, user, path.into_inner(), Variant::Thumbnail).await
}

/// Deletes an attachment (its uploader, or anyone who may write its record); the file
/// is forgotten, the entry kept as a tombstone, the deletion audited.
#[utoipa::path(delete, path = "/api/v1/attachments/{id}", tag = "attachments", params(("id" = Uuid, Path, description = "attachment id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let store = state.attachments.clone();
    state
        .db(move |conn| queries::delete(conn, store.as_ref(), &user, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
