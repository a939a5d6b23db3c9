//! Where the bytes of attachments live, behind one small interface. The database is the
//! default and only store so far: replicas see every file at once, one backup covers
//! them, and a file is written in the transaction of its metadata and audit entry (no
//! orphan on either side). A directory or object store would implement the same trait,
//! keeping `bytes` and `thumbnail` NULL in the table.

use diesel::prelude::*;

use crate::db::schema::attachments;
use crate::db::DbConn;
use crate::error::ApiError;

/// The two forms kept of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The stored file itself.
    Original,
    /// Its thumbnail (images only).
    Thumbnail,
}

/// Keeps, hands out and forgets the bytes of attachments, by attachment id. Calls take
/// the connection so that a database store joins the caller's transaction.
pub trait Store: Send + Sync {
    /// Stores a file and its thumbnail under `id` (whose metadata row exists).
    fn put(
        &self,
        conn: &mut DbConn,
        id: &str,
        bytes: &[u8],
        thumbnail: Option<&[u8]>,
    ) -> Result<(), ApiError>;

    /// One form of the file stored under `id`; `None` when there is none (a PDF has no
    /// thumbnail; a deleted file has neither).
    fn get(
        &self,
        conn: &mut DbConn,
        id: &str,
        variant: Variant,
    ) -> Result<Option<Vec<u8>>, ApiError>;

    /// Forgets the bytes stored under `id` (the metadata stays as a tombstone).
    fn delete(&self, conn: &mut DbConn, id: &str) -> Result<(), ApiError>;
}

/// Bytes in the `attachments` table itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct DbStore;

impl Store for DbStore {
    fn put(
        &self,
        conn: &mut DbConn,
        id: &str,
        bytes: &[u8],
        thumbnail: Option<&[u8]>,
    ) -> Result<(), ApiError> {
        let rows = diesel::update(attachments::table.find(id))
            .set((
                attachments::bytes.eq(Some(bytes)),
                attachments::thumbnail.eq(thumbnail),
            ))
            .execute(conn)?;
        if rows == 1 {
            Ok(())
        } else {
            Err(ApiError::Internal(anyhow::anyhow!(
                "storing the bytes of attachment {id}: no metadata row"
            )))
        }
    }

    fn get(
        &self,
        conn: &mut DbConn,
        id: &str,
        variant: Variant,
    ) -> Result<Option<Vec<u8>>, ApiError> {
        let query = attachments::table.find(id);
        let found: Option<Option<Vec<u8>>> = match variant {
            Variant::Original => query.select(attachments::bytes).first(conn),
            Variant::Thumbnail => query.select(attachments::thumbnail).first(conn),
        }
        .optional()?;
        Ok(found.flatten())
    }

    fn delete(&self, conn: &mut DbConn, id: &str) -> Result<(), ApiError> {
        diesel::update(attachments::table.find(id))
            .set((
                attachments::bytes.eq(None::<Vec<u8>>),
                attachments::thumbnail.eq(None::<Vec<u8>>),
            ))
            .execute(conn)?;
        Ok(())
    }
}
