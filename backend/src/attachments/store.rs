//! Where the bytes of attachments live, behind one small interface.
//!
//! - [`DbStore`], the default: the bytes are columns of `attachments`. Replicas see every
//!   file at once, one backup covers them, and a file is written in the transaction of
//!   its metadata and audit entry (no orphan on either side).
//! - [`DirStore`] (`XIANGZHU_ATTACHMENTS_DIR`): the bytes are files under a directory
//!   every replica mounts, and `bytes`/`thumbnail` stay NULL in the table. Keeps large
//!   evidence out of the database and its backups (the directory is backed up on its
//!   own). A file system takes no part in the transaction: a file written by an upload
//!   whose transaction then fails stays behind, unreachable (no row names it).

use std::io::Write;
use std::path::{Path, PathBuf};

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

/// Bytes as files under a directory: `<root>/<first two characters of the id>/<id>` and
/// `<id>.thumb`, each written to a temporary name, flushed to disk and renamed, so a
/// reader never sees half a file.
#[derive(Debug, Clone)]
pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    /// A store under `root`, created (owner-only, 0700) when missing (an existing one,
    /// e.g. a shared mount, keeps its permissions); fails at start-up rather than at the
    /// first upload when the directory cannot be written.
    pub fn open(root: &Path) -> anyhow::Result<Self> {
        if !root.exists() {
            crate::config::create_private_dir(root)?;
        }
        let probe = root.join(format!(".probe-{}", uuid::Uuid::new_v4().simple()));
        std::fs::write(&probe, b"ok")
            .map_err(|e| anyhow::anyhow!("the attachments directory {}: {e}", root.display()))?;
        std::fs::remove_file(&probe)?;
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    /// Where one form of the file `id` lives. Ids are UUIDs; anything else (a path
    /// separator, `..`) never reaches the file system.
    fn path(&self, id: &str, variant: Variant) -> Result<PathBuf, ApiError> {
        let id = uuid::Uuid::parse_str(id)
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("attachment id {id:?}")))?
            .hyphenated()
            .to_string();
        let name = match variant {
            Variant::Original => id.clone(),
            Variant::Thumbnail => format!("{id}.thumb"),
        };
        Ok(self.root.join(&id[..2]).join(name))
    }

    fn write(&self, path: &Path, bytes: &[u8]) -> Result<(), ApiError> {
        let io = |e: std::io::Error| {
            ApiError::Internal(anyhow::anyhow!("writing {}: {e}", path.display()))
        };
        let dir = path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(dir).map_err(io)?;
        let tmp = dir.join(format!(".tmp-{}", uuid::Uuid::new_v4().simple()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let written = options.open(&tmp).and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        });
        if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
            // Best effort: the temporary file is useless either way.
            let _ = std::fs::remove_file(&tmp);
            return Err(io(e));
        }
        // The rename itself on disk, before the transaction naming the file commits.
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io)
    }

    fn remove(path: &Path) -> Result<(), ApiError> {
        match std::fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(ApiError::Internal(anyhow::anyhow!(
                "removing {}: {e}",
                path.display()
            ))),
        }
    }
}

impl Store for DirStore {
    fn put(
        &self,
        _conn: &mut DbConn,
        id: &str,
        bytes: &[u8],
        thumbnail: Option<&[u8]>,
    ) -> Result<(), ApiError> {
        self.write(&self.path(id, Variant::Original)?, bytes)?;
        let thumb = self.path(id, Variant::Thumbnail)?;
        match thumbnail {
            Some(t) => self.write(&thumb, t),
            None => Self::remove(&thumb),
        }
    }

    fn get(
        &self,
        _conn: &mut DbConn,
        id: &str,
        variant: Variant,
    ) -> Result<Option<Vec<u8>>, ApiError> {
        let path = self.path(id, variant)?;
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ApiError::Internal(anyhow::anyhow!(
                "reading {}: {e}",
                path.display()
            ))),
        }
    }

    fn delete(&self, _conn: &mut DbConn, id: &str) -> Result<(), ApiError> {
        // The thumbnail first: if the original cannot be removed, the delete fails and
        // the file is still whole.
        Self::remove(&self.path(id, Variant::Thumbnail)?)?;
        Self::remove(&self.path(id, Variant::Original)?)
    }
}
