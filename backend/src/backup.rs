//! Backups and restores: `xiangzhu backup --to FILE` and `xiangzhu restore --from FILE`.
//!
//! - **SQLite**: `VACUUM INTO` writes a consistent copy of the live database while the
//!   server keeps running (readers and writers are not stopped); restoring copies it to
//!   the configured path, which must not exist yet.
//! - **PostgreSQL**: `pg_dump --format=custom` (a consistent snapshot under MVCC, taken
//!   online), restored by `pg_restore --single-transaction --exit-on-error` into an empty
//!   database: all or nothing.
//!
//! Neither contains the PII key (`<data dir>/pii.key` or `XIANGZHU_PII_KEY`), which must
//! be backed up separately and kept apart: without it the identity numbers and
//! petitioners' names of a restored database cannot be read, and with it anyone holding
//! the backup can read them.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::{DbConn, DbKind};

/// Writes a backup of the database at `url` (reached through `conn`) to `to`, which must
/// not exist.
pub fn backup(conn: &mut DbConn, url: &str, to: &Path) -> anyhow::Result<()> {
    if to.exists() {
        bail!("{} exists already; choose a new file", to.display());
    }
    match DbKind::of(url) {
        DbKind::Sqlite => {
            let path = to
                .to_str()
                .context("the backup path must be valid UTF-8")?
                .replace('\'', "''");
            diesel::sql_query(format!("VACUUM INTO '{path}'"))
                .execute(conn)
                .context("VACUUM INTO")?;
        }
        DbKind::Postgres => {
            let status = Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
                .arg(to)
                .arg("--dbname")
                .arg(url)
                .status()
                .context("running pg_dump (Debian package postgresql-client)")?;
            if !status.success() {
                let _ = std::fs::remove_file(to);
                bail!("pg_dump failed ({status})");
            }
        }
    }
    Ok(())
}

/// Restores the backup `from` into the database at `url`: for SQLite a file that must
/// not exist yet; for PostgreSQL an existing, empty database (all or nothing).
pub fn restore(from: &Path, url: &str) -> anyhow::Result<()> {
    if !from.is_file() {
        bail!("no backup file at {}", from.display());
    }
    match DbKind::of(url) {
        DbKind::Sqlite => {
            let target = Path::new(crate::db::sqlite_path(url));
            if target.exists() {
                bail!(
                    "{} exists already: restore into a new file",
                    target.display()
                );
            }
            std::fs::copy(from, target)
                .with_context(|| format!("copying to {}", target.display()))?;
        }
        DbKind::Postgres => {
            let status = Command::new("pg_restore")
                .args([
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    "--dbname",
                ])
                .arg(url)
                .arg(from)
                .status()
                .context("running pg_restore (Debian package postgresql-client)")?;
            if !status.success() {
                bail!("pg_restore failed ({status}); nothing was restored");
            }
        }
    }
    Ok(())
}

#[derive(QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct RowCount {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The rows of every table of the schema, by table name: what a restore must give back.
pub fn table_counts(conn: &mut DbConn) -> anyhow::Result<BTreeMap<String, i64>> {
    let sql = match conn {
        DbConn::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        DbConn::Pg(_) => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        }
    };
    let tables: Vec<TableName> = diesel::sql_query(sql).load(conn)?;
    let mut counts = BTreeMap::new();
    for t in tables {
        // Table names come from the catalogue, not from input; quote them all the same.
        let quoted = t.name.replace('"', "\"\"");
        let n: RowCount = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM \"{quoted}\""))
            .get_result(conn)?;
        counts.insert(t.name, n.n);
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::db_tests;
    use crate::testing::{empty_database, Backend, PersonBuilder, TestApp};

    db_tests!(a_backup_restores_to_an_identical_working_system);

    async fn a_backup_restores_to_an_identical_working_system(backend: Backend) {
        let app = TestApp::new(backend).await;
        let staff = app.token("xiangxiang.staff").await;
        let builder = PersonBuilder::new().name("备份甲");
        let number = builder.input().id_number.unwrap_or_default();
        let person = builder.create(&app);
        let before = app
            .get(&staff, &format!("/api/v1/persons/{}", person.id))
            .await;
        assert_eq!(before.status, 200, "{}", before.body);
        let counts = super::table_counts(&mut app.conn()).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            counts.get("persons").copied().unwrap_or(0) >= 1,
            "{counts:?}"
        );

        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("backup.bin");
        super::backup(&mut app.conn(), &app.url, &file).unwrap_or_else(|e| panic!("{e}"));
        // A second backup never overwrites the first.
        assert!(super::backup(&mut app.conn(), &app.url, &file).is_err());

        // Restore into a new database and run the app over it.
        let (url, guard) = empty_database(backend);
        super::restore(&file, &url).unwrap_or_else(|e| panic!("{e}"));
        let restored = TestApp::over(backend, &url, guard);
        let again = super::table_counts(&mut restored.conn()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, counts, "every table has the same rows");
        // It works: logins, the scoped registry, and the identity number decrypted with
        // the same key.
        let staff = restored.token("xiangxiang.staff").await;
        let after = restored
            .get(&staff, &format!("/api/v1/persons/{}", person.id))
            .await;
        assert_eq!(after.body, before.body);
        let r = restored
            .post(
                &staff,
                &format!("/api/v1/persons/{}/reveal", person.id),
                json!({"reason": "核对备份"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["id_number"], json!(number));
        // Restoring over a database that exists is refused (SQLite) or fails whole
        // (PostgreSQL: the tables exist).
        assert!(super::restore(&file, &url).is_err());
    }
}
