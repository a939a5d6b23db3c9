//! What every handler shares: the pool, the keys, the throttles.

use std::sync::Arc;

use crate::auth::client::ProxyNet;
use crate::auth::password::{HashGate, QUEUE_PER_WORKER};
use crate::auth::tokens::JwtKeys;
use crate::db::{DbConn, DbKind, DbPool};
use crate::error::ApiError;
use crate::pii::Pii;

/// Application state, cloned into every worker.
#[derive(Clone)]
pub struct AppState {
    /// Database pool.
    pub pool: DbPool,
    /// Pool on a PostgreSQL read replica (`DATABASE_READ_URL`), for reads that tolerate
    /// a little lag; see [`AppState::read_db`].
    pub read_pool: Option<DbPool>,
    /// Which database the pool talks to.
    pub db_kind: DbKind,
    /// Access-token signing keys.
    pub jwt: Arc<JwtKeys>,
    /// Identity-number protection.
    pub pii: Arc<Pii>,
    /// Proxies whose `X-Forwarded-For` is believed (none by default).
    pub trusted_proxies: Arc<Vec<ProxyNet>>,
    /// Progress of the import commits running in this process (jobs themselves are
    /// in the database).
    pub imports: Arc<crate::jobs::LocalProgress>,
    /// Bounds concurrent password hashing and its queue, and owns the hashing threads
    /// (one per core, each with one reused 19 MiB argon2 work area).
    pub hash_gate: Arc<HashGate>,
    /// Where the bytes of attachments are kept (the database unless
    /// `XIANGZHU_ATTACHMENTS_DIR` names a directory).
    pub attachments: Arc<dyn crate::attachments::store::Store>,
    /// Prometheus series of this server (served by the metrics listener); one registry
    /// per state, so tests never share counters.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// One permit per pooled connection: database work waits for a permit on the
    /// executor before it takes a blocking thread. Without it, 500 concurrent requests
    /// start 500 blocking threads that all queue on the pool (measured: 523 threads,
    /// a fifth of the throughput at 32 connections, p50 0.5 s).
    pub db_slots: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// State over a pool and the secrets.
    pub fn new(pool: DbPool, db_kind: DbKind, secrets: &crate::config::Secrets) -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Self {
            read_pool: None,
            db_kind,
            jwt: Arc::new(JwtKeys::new(&secrets.jwt)),
            pii: Arc::new(Pii::new(&secrets.pii)),
            trusted_proxies: Arc::new(Vec::new()),
            imports: Arc::new(crate::jobs::LocalProgress::default()),
            hash_gate: Arc::new(HashGate::new(cores, cores * QUEUE_PER_WORKER)),
            attachments: Arc::new(crate::attachments::store::DbStore),
            metrics: Arc::new(crate::metrics::Metrics::new()),
            db_slots: Arc::new(tokio::sync::Semaphore::new(pool.max_size() as usize)),
            pool,
        }
    }

    /// Waits on the executor for a database slot (see [`AppState::db_slots`]); 503 after
    /// as long as the pool itself would wait for a connection.
    async fn db_slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        let wait = self.pool.connection_timeout();
        match actix_web::rt::time::timeout(wait, self.db_slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(ApiError::Internal(anyhow::anyhow!(
                "the database slots are closed"
            ))),
            Err(_) => Err(ApiError::Unavailable(format!(
                "no database connection came free within {} s",
                wait.as_secs()
            ))),
        }
    }

    /// Runs the read-only `f` on the read replica when there is one and it has replayed
    /// the caller's last write, `lsn` (the caller's `AuthUser::write_lsn`); else on the
    /// primary, as [`AppState::db`]. For KPIs, dashboards and large lists, which
    /// tolerate a little lag. `f` must not write.
    pub async fn read_db<T, F>(&self, lsn: Option<String>, f: F) -> Result<T, ApiError>
    where
        F: Fn(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let Some(replica) = self.read_pool.clone() else {
            return self.db(f).await;
        };
        let pool = self.pool.clone();
        let slot = self.db_slot().await?;
        actix_web::web::block(move || {
            let _slot = slot;
            match replica.get() {
                Ok(mut conn) => match crate::db::replica::caught_up(&mut conn, lsn.as_deref()) {
                    Ok(true) => match f(&mut conn) {
                        // A replica that fails under the query (shutting down, a
                        // recovery conflict) is the replica's trouble, not the caller's:
                        // the read is read again on the primary. Answers about the
                        // request itself (404, 422, …) stand.
                        Err(e @ (ApiError::Internal(_) | ApiError::Unavailable(_))) => {
                            tracing::warn!(error = %e, "a read on the replica failed; reading the primary");
                        }
                        answer => return answer,
                    },
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "the read replica did not answer"),
                },
                Err(e) => tracing::warn!(error = %e, "no connection to the read replica"),
            }
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// Runs `f` with a pooled connection on the blocking thread pool, never on the
    /// async executor.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let slot = self.db_slot().await?;
        actix_web::web::block(move || {
            let _slot = slot;
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }
}
