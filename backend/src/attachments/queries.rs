//! Reads and writes of `attachments`. Every function that finds an attachment for a
//! caller goes through [`visible`], which checks its owner with
//! [`super::owner_region`], so no route can forget the scope.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;
use shared::api::AuditAction;
use shared::attachments::{AttachmentMeta, AttachmentUpload, ContentType, OwnerKind};
use uuid::Uuid;

use super::media::Processed;
use super::owner_region;
use super::store::{Store, Variant};
use crate::audit::{self, Event};
use crate::auth::AuthUser;
use crate::db::schema::{attachments, users};
use crate::db::{code, now, utc, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::pagination::Cursor;
use crate::record;

/// The metadata of a row of `attachments` (never the bytes).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    /// Id.
    pub id: String,
    /// Kind of owner.
    pub owner_type: String,
    /// Owner id.
    pub owner_id: String,
    /// The owner's county at upload.
    pub county_code: String,
    /// Stored MIME type.
    pub content_type: String,
    /// Stored size.
    pub size_bytes: i64,
    /// SHA-256 of the stored bytes.
    pub sha256: String,
    /// Keyed digest of the upload.
    pub create_hash: Option<String>,
    /// When taken.
    pub taken_at: Option<chrono::NaiveDateTime>,
    /// Where taken.
    pub latitude: Option<f64>,
    /// Where taken.
    pub longitude: Option<f64>,
    /// Width.
    pub width: Option<i32>,
    /// Height.
    pub height: Option<i32>,
    /// Uploaded at.
    pub created_at: chrono::NaiveDateTime,
    /// Uploader (user id).
    pub created_by: String,
    /// Deleted at.
    pub deleted_at: Option<chrono::NaiveDateTime>,
}

impl AttachmentRow {
    fn owner(&self) -> Result<(OwnerKind, Uuid), ApiError> {
        Ok((code(&self.owner_type)?, uuid(&self.owner_id)?))
    }

    fn content_type(&self) -> Result<ContentType, ApiError> {
        ContentType::parse(&self.content_type).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!(
                "stored content type {:?}",
                self.content_type
            ))
        })
    }

    fn to_api(&self, created_by: String) -> Result<AttachmentMeta, ApiError> {
        let (owner_type, owner_id) = self.owner()?;
        let content_type = self.content_type()?;
        Ok(AttachmentMeta {
            id: uuid(&self.id)?,
            owner_type,
            owner_id,
            content_type,
            size_bytes: self.size_bytes,
            sha256: self.sha256.clone(),
            taken_at: self.taken_at.map(utc),
            latitude: self.latitude,
            longitude: self.longitude,
            width: self.width,
            height: self.height,
            // From the type, not the column: another store keeps the column NULL.
            has_thumbnail: content_type.is_image(),
            created_at: utc(self.created_at),
            created_by,
        })
    }
}

/// The API form of rows, with the uploaders' login names in one query.
fn metas(conn: &mut DbConn, rows: &[AttachmentRow]) -> Result<Vec<AttachmentMeta>, ApiError> {
    let mut ids: Vec<&str> = rows.iter().map(|r| r.created_by.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<String, String> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::username))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    rows.iter()
        .map(|r| r.to_api(names.get(&r.created_by).cloned().unwrap_or_default()))
        .collect()
}

fn meta(conn: &mut DbConn, row: &AttachmentRow) -> Result<AttachmentMeta, ApiError> {
    metas(conn, std::slice::from_ref(row))?
        .pop()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("attachment {} vanished", row.id)))
}

/// A live attachment whose owner the caller may read now; 404 otherwise (unknown,
/// deleted, or its owner out of scope or gone). Without the capability to read that
/// kind of owner, 403.
pub fn visible(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<AttachmentRow, ApiError> {
    let row: AttachmentRow = attachments::table
        .find(id.to_string())
        .filter(attachments::deleted_at.is_null())
        .select(AttachmentRow::as_select())
        .first(conn)?;
    let (kind, owner) = row.owner()?;
    // Without the right to read the owner, the attachment is as absent as an unknown id.
    owner_region(conn, user, kind, owner, false).map_err(|e| match e {
        ApiError::Forbidden(_) => ApiError::NotFound,
        other => other,
    })?;
    Ok(row)
}

/// One form of a visible attachment's bytes, with the type to send them as.
pub fn bytes(
    conn: &mut DbConn,
    store: &dyn Store,
    user: &AuthUser,
    id: Uuid,
    variant: Variant,
) -> Result<(ContentType, Vec<u8>), ApiError> {
    let row = visible(conn, user, id)?;
    let content_type = match variant {
        Variant::Original => row.content_type()?,
        Variant::Thumbnail => ContentType::Jpeg,
    };
    let bytes = store
        .get(conn, &row.id, variant)?
        .ok_or(ApiError::NotFound)?;
    Ok((content_type, bytes))
}

/// A page of the live attachments of an owner the caller may read, oldest first.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    owner: OwnerKind,
    owner_id: Uuid,
    after: Option<Cursor>,
    limit: i64,
) -> Result<(Vec<AttachmentMeta>, Option<String>), ApiError> {
    owner_region(conn, user, owner, owner_id, false)?;
    let mut query = attachments::table
        .filter(attachments::owner_type.eq(owner.as_str()))
        .filter(attachments::owner_id.eq(owner_id.to_string()))
        .filter(attachments::deleted_at.is_null())
        .into_boxed();
    if let Some(c) = after {
        let ts =
            c.ts.and_then(chrono::DateTime::from_timestamp_micros)
                .ok_or_else(|| {
                    ApiError::field(
                        "cursor",
                        "invalid_cursor",
                        "the cursor does not fit this list",
                    )
                })?
                .naive_utc();
        query = query.filter(
            attachments::created_at
                .gt(ts)
                .or(attachments::created_at.eq(ts).and(attachments::id.gt(c.id))),
        );
    }
    let mut rows: Vec<AttachmentRow> = query
        .order((attachments::created_at.asc(), attachments::id.asc()))
        .limit(limit + 1)
        .select(AttachmentRow::as_select())
        .load(conn)?;
    let next = Cursor::next_page(&mut rows, limit, |r| Cursor {
        ts: Some(r.created_at.and_utc().timestamp_micros()),
        id: r.id.clone(),
    });
    Ok((metas(conn, &rows)?, next))
}

/// What a create answers: a new attachment, or the one an earlier try of the same
/// upload made.
#[derive(Debug)]
pub enum Created {
    /// Stored now.
    New(AttachmentMeta),
    /// Stored by an earlier try with the same id, file and uploader.
    Existing(AttachmentMeta),
}

/// What identifies an upload for the idempotency rule: the owner, the uploaded bytes
/// (by their SHA-256) and what the client said about them.
#[derive(Debug, Serialize)]
struct UploadIdentity<'a> {
    owner_type: OwnerKind,
    owner_id: Uuid,
    upload_sha256: &'a str,
    taken_at: Option<chrono::DateTime<chrono::Utc>>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

/// The keyed digest of an upload (see `record.rs`).
pub fn upload_digest(
    pii: &crate::pii::Pii,
    q: &AttachmentUpload,
    upload_sha256: &str,
) -> Result<String, ApiError> {
    record::create_digest(
        pii,
        "attachment",
        &UploadIdentity {
            owner_type: q.owner_type,
            owner_id: q.owner_id,
            upload_sha256,
            taken_at: q.taken_at,
            latitude: q.latitude,
            longitude: q.longitude,
        },
    )
}

/// An upload as the idempotency rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    /// The client's id (or a new one).
    pub id: Uuid,
    /// Owner and what the client said about the file.
    pub query: &'a AttachmentUpload,
    /// SHA-256 (hex) of the uploaded bytes.
    pub upload_sha256: &'a str,
    /// Keyed digest of the whole ([`upload_digest`]).
    pub digest: &'a str,
}

/// Before any decoding: checks the owner (403/404) and returns its county with the
/// answer of an earlier identical try (`Some`), or refuses a taken id (409).
pub fn check_upload(
    conn: &mut DbConn,
    user: &AuthUser,
    upload: &Upload<'_>,
) -> Result<(String, Option<AttachmentMeta>), ApiError> {
    let q = upload.query;
    let county = owner_region(conn, user, q.owner_type, q.owner_id, true)?;
    if crate::replay_create!(conn, attachments, upload.id, upload.digest, user)? {
        let row = visible(conn, user, upload.id)?;
        return Ok((county, Some(meta(conn, &row)?)));
    }
    Ok((county, None))
}

/// The metadata of a new upload, its bytes kept by `store` and the audit entry written,
/// in one transaction (owner and id checked again inside it).
pub fn create(
    conn: &mut DbConn,
    store: &dyn Store,
    user: &AuthUser,
    upload: &Upload<'_>,
    file: &Processed,
) -> Result<Created, ApiError> {
    let Upload {
        id,
        query: q,
        upload_sha256,
        digest,
    } = *upload;
    write_tx(conn, |conn| {
        let (county, existing) = check_upload(conn, user, upload)?;
        if let Some(existing) = existing {
            return Ok(Created::Existing(existing));
        }
        let (width, height) = match file.size {
            Some((w, h)) => (Some(dimension(w)?), Some(dimension(h)?)),
            None => (None, None),
        };
        let size = i64::try_from(file.bytes.len()).map_err(|e| ApiError::Internal(e.into()))?;
        diesel::insert_into(attachments::table)
            .values((
                attachments::id.eq(id.to_string()),
                attachments::owner_type.eq(q.owner_type.as_str()),
                attachments::owner_id.eq(q.owner_id.to_string()),
                attachments::county_code.eq(&county),
                attachments::content_type.eq(file.content_type.as_str()),
                attachments::size_bytes.eq(size),
                attachments::sha256.eq(super::media::sha256_hex(&file.bytes)),
                attachments::upload_sha256.eq(upload_sha256),
                attachments::create_hash.eq(digest),
                attachments::taken_at.eq(q.taken_at.map(|t| t.naive_utc())),
                attachments::latitude.eq(q.latitude),
                attachments::longitude.eq(q.longitude),
                attachments::width.eq(width),
                attachments::height.eq(height),
                attachments::created_at.eq(now()),
                attachments::created_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        store.put(
            conn,
            &id.to_string(),
            &file.bytes,
            file.thumbnail.as_deref(),
        )?;
        let row = visible(conn, user, id)?;
        let created = meta(conn, &row)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "attachment",
                entity_id: id,
                owner_region: &county,
                reason: None,
                before: None,
                after: Some(audit_view(&created)),
            },
        )?;
        Ok(Created::New(created))
    })
}

fn dimension(n: u32) -> Result<i32, ApiError> {
    i32::try_from(n).map_err(|e| ApiError::Internal(e.into()))
}

/// The metadata as the audit log keeps it (never the bytes).
fn audit_view(m: &AttachmentMeta) -> serde_json::Value {
    serde_json::to_value(m).unwrap_or_default()
}

/// Deletes an attachment: by its uploader, or by anyone who may write its kind of owner.
/// The metadata stays as a tombstone; the bytes are forgotten (the usual reason to delete
/// a photo is that it shows the wrong person).
pub fn delete(
    conn: &mut DbConn,
    store: &dyn Store,
    user: &AuthUser,
    id: Uuid,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let row = visible(conn, user, id)?;
        let (kind, owner) = row.owner()?;
        if row.created_by != user.id.to_string() {
            user.require(kind.write_capability())?;
        }
        // Deleting is writing to the owner: the same level and rights as adding.
        owner_region(conn, user, kind, owner, true)?;
        if super::in_use(conn, id)? {
            return Err(ApiError::Conflict {
                code: "evidence_in_use",
                detail: "this file is the evidence of a recorded step and stays".into(),
            });
        }
        let before = meta(conn, &row)?;
        let rows = diesel::update(
            attachments::table
                .find(&row.id)
                .filter(attachments::deleted_at.is_null()),
        )
        .set((
            attachments::deleted_at.eq(Some(now())),
            attachments::deleted_by.eq(Some(user.id.to_string())),
        ))
        .execute(conn)?;
        if rows == 0 {
            return Err(ApiError::NotFound);
        }
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Delete,
                entity_type: "attachment",
                entity_id: id,
                owner_region: &row.county_code,
                reason: None,
                before: Some(audit_view(&before)),
                after: None,
            },
        )?;
        // Last, so a file system store forgets the file only once nothing else can fail.
        store.delete(conn, &row.id)
    })
}
