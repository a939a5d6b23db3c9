//! The database layer: one connection type for PostgreSQL and SQLite, the pool, the
//! embedded migrations and transaction helpers.
//!
//! Functions that touch the database take `&mut DbConn`, never the pool, so a caller can
//! compose several of them inside one transaction. They are synchronous: handlers run
//! them through [`crate::state::AppState::db`], which moves them off the async executor.

pub mod replica;
#[expect(missing_docs, reason = "the table! macro generates undocumented items")]
pub mod schema;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// The migrations of `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Kept in a private module: the derive generates undocumented helper items.
mod conn {
    use diesel::{PgConnection, SqliteConnection};

    /// A connection to either database. SQLite comes last: it accepts any string as a path.
    #[derive(diesel::MultiConnection)]
    pub enum DbConn {
        /// PostgreSQL, the production database.
        Pg(PgConnection),
        /// SQLite, the embedded default.
        Sqlite(SqliteConnection),
    }
}
pub use conn::DbConn;

#[cfg(test)]
mod replica_tests;
#[cfg(test)]
mod schema_tests;
#[cfg(test)]
mod tests;

/// The pool of connections.
pub type DbPool = Pool<ConnectionManager<DbConn>>;
/// A connection borrowed from the pool.
pub type PooledConn = PooledConnection<ConnectionManager<DbConn>>;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    /// `postgres://` or `postgresql://`.
    Postgres,
    /// Anything else: a SQLite path or `sqlite://` URL.
    Sqlite,
}

impl DbKind {
    /// The kind of database `url` names.
    pub fn of(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

/// Sets up each connection. SQLite: WAL, foreign keys, a busy timeout. PostgreSQL: no
/// JIT compilation, which costs a KPI query more than it saves (measured with
/// `rehab_kpi_bench` at 1 M persons: the province's rehab KPI 5.8 s → 4.0 s, a city's
/// 2.3 s → 1.2 s) and never fires on the short queries that make up the rest.
#[derive(Debug, Clone, Copy)]
struct ConnectionSetup;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if let DbConn::Sqlite(c) = conn {
            // The busy timeout first, so that nothing after it fails on a lock; WAL is
            // switched on once, before the pool opens (see `prepare_sqlite`), and stays.
            c.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        if let DbConn::Pg(c) = conn {
            c.batch_execute("SET jit = off")
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Strips a `sqlite://` or `sqlite:` prefix, which diesel's SQLite driver does not take.
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Errors the pool met while opening connections in the background (each is logged).
pub static POOL_ERRORS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[derive(Debug)]
struct PoolErrors;

impl diesel::r2d2::HandleError<diesel::r2d2::Error> for PoolErrors {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        POOL_ERRORS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tracing::error!(%error, "opening a database connection failed");
    }
}

/// Makes a SQLite database file private (0600, before SQLite creates it: its `-wal` and
/// `-shm` files take the same mode) and switches it to WAL once, on one connection, so
/// that the pool's connections do not race to switch it ("database is locked").
fn prepare_sqlite(path: &str) -> anyhow::Result<()> {
    if path != ":memory:" && !path.starts_with("file:") {
        let p = std::path::Path::new(path);
        if !p.exists() {
            crate::config::create_private_file(p)?;
        }
    }
    let mut c = diesel::SqliteConnection::establish(path)?;
    c.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")?;
    Ok(())
}

/// Opens a pool on `url` and runs pending migrations.
pub fn connect(url: &str, max_size: u32) -> anyhow::Result<DbPool> {
    let target = match DbKind::of(url) {
        DbKind::Postgres => url.to_owned(),
        DbKind::Sqlite => {
            let path = sqlite_path(url);
            prepare_sqlite(path)?;
            path.to_owned()
        }
    };
    let pool = Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(ConnectionSetup))
        .error_handler(Box::new(PoolErrors))
        .build(ConnectionManager::<DbConn>::new(target))?;
    let mut conn = pool.get()?;
    run_migrations(&mut conn)?;
    Ok(pool)
}

/// Opens a pool on a PostgreSQL read replica (`DATABASE_READ_URL`): no migrations (a
/// standby is read-only; it gets them from the primary), and the pool is built without
/// a first connection, so a replica that is down does not stop the server (reads then
/// go to the primary).
pub fn connect_replica(url: &str, max_size: u32) -> anyhow::Result<DbPool> {
    anyhow::ensure!(
        DbKind::of(url) == DbKind::Postgres,
        "DATABASE_READ_URL must be a postgres:// URL"
    );
    Ok(Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(2))
        .connection_customizer(Box::new(ConnectionSetup))
        .error_handler(Box::new(PoolErrors))
        .build_unchecked(ConnectionManager::<DbConn>::new(url)))
}

/// Applies every pending migration.
pub fn run_migrations(conn: &mut DbConn) -> anyhow::Result<()> {
    conn.run_pending_migrations(MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    Ok(())
}

/// Runs `f` in a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so the write lock
/// is taken up front and concurrent writers wait (busy timeout) instead of failing with
/// "database is locked" when they upgrade from a read.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    // What the transaction audits as written moves the KPI aggregates before it
    // commits (`plan::aggregates`). A transaction inside another (which callers avoid)
    // keeps what the outer one noted.
    if !in_transaction(conn) {
        crate::plan::aggregates::begin();
    }
    let body = |conn: &mut DbConn| -> Result<T, E> {
        let value = f(conn)?;
        crate::plan::aggregates::flush(conn)?;
        Ok(value)
    };
    match conn {
        DbConn::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            match body(conn) {
                Ok(value) => {
                    <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
                    Ok(value)
                }
                Err(e) => {
                    <DbConn as Connection>::TransactionManager::rollback_transaction(conn)?;
                    Err(e)
                }
            }
        }
        DbConn::Pg(_) => conn.transaction(body),
    }
}

/// Serialises the transactions that name the same `keys` until they end: on
/// PostgreSQL a transaction-scoped advisory lock per key, taken in one statement in the
/// order of the keys' hashes (the same in every transaction); on
/// SQLite nothing, since `write_tx` holds the database's one write lock already.
pub fn advisory_lock(conn: &mut DbConn, keys: &[String]) -> Result<(), crate::error::ApiError> {
    if let DbConn::Pg(pg) = conn {
        use diesel::RunQueryDsl;
        match keys {
            [] => {}
            [key] => {
                diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind::<diesel::sql_types::Text, _>(key)
                    .execute(pg)?;
            }
            // One statement for all (an import's commit locks one key per record: one
            // round trip each cost 30 s for 50,000 rows). Taken in the order of their
            // hashes, the same in every transaction, so two that share keys cannot
            // deadlock; PostgreSQL evaluates the volatile lock call after the ORDER BY.
            _ => {
                diesel::sql_query(
                    "SELECT pg_advisory_xact_lock(h) FROM \
                     (SELECT DISTINCT hashtext(k) AS h FROM unnest($1::text[]) AS k) AS s \
                     ORDER BY h",
                )
                .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(keys)
                .execute(pg)?;
            }
        }
    }
    Ok(())
}

/// Whether a transaction is open on `conn`.
pub fn in_transaction(conn: &mut DbConn) -> bool {
    let depth = match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()
            .ok()
            .flatten(),
        DbConn::Pg(c) => AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()
            .ok()
            .flatten(),
    };
    depth.is_some()
}

/// The current instant in UTC, truncated to microseconds so that it round-trips through
/// both databases unchanged.
pub fn now() -> chrono::NaiveDateTime {
    let n = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(n, chrono::TimeDelta::microseconds(1)).unwrap_or(n)
}

/// A stored instant (naive UTC) as a `DateTime<Utc>`.
pub fn utc(t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    t.and_utc()
}

/// Parses a stored UUID; a malformed one is a fault of ours, not of the caller.
pub fn uuid(s: &str) -> Result<uuid::Uuid, crate::error::ApiError> {
    uuid::Uuid::parse_str(s).map_err(|e| {
        crate::error::ApiError::Internal(anyhow::anyhow!("stored id {s:?} is not a UUID: {e}"))
    })
}

/// Parses a stored enum identifier.
pub fn code<T: std::str::FromStr>(s: &str) -> Result<T, crate::error::ApiError>
where
    T::Err: std::fmt::Display,
{
    s.parse()
        .map_err(|e: T::Err| crate::error::ApiError::Internal(anyhow::anyhow!("stored value: {e}")))
}

/// Today's date in China Standard Time (UTC+8), the calendar the programme runs on.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::TimeDelta::hours(8)).date_naive()
}

/// Inserts many rows in one statement. Diesel's multi-backend cannot express a batch
/// insert (the two dialects write default values differently), so this dispatches to
/// the inner connection, inside whatever transaction is open on it.
macro_rules! batch_insert {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            $crate::db::DbConn::Pg(c) => diesel::insert_into($table).values($rows).execute(c),
            $crate::db::DbConn::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
        }
    };
}
pub(crate) use batch_insert;
