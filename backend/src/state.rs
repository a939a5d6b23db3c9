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
    /// One permit per pooled connection but one (kept for [`AppState::db_reserved`]):
    /// database work waits for a permit on the executor before it takes a blocking
    /// thread. Without it, 500 concurrent requests
    /// start 500 blocking threads that all queue on the pool (measured: 523 threads,
    /// a fifth of the throughput at 32 connections, p50 0.5 s).
    pub db_slots: Arc<tokio::sync::Semaphore>,
    /// The same for the read replica's pool, made on the first replica read (the
    /// replica's pool is set after the state is made).
    pub read_slots: Arc<std::sync::OnceLock<Arc<tokio::sync::Semaphore>>>,
    /// One permit for the liveness work ([`AppState::db_reserved`]: the heartbeat that
    /// keeps this replica's import jobs alive, the readiness probe), on the pool's one
    /// connection that [`AppState::db_slots`] leaves free: never queued behind requests.
    pub reserved_slot: Arc<tokio::sync::Semaphore>,
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
            db_slots: Arc::new(tokio::sync::Semaphore::new(
                (pool.max_size() as usize).saturating_sub(1).max(1),
            )),
            read_slots: Arc::new(std::sync::OnceLock::new()),
            reserved_slot: Arc::new(tokio::sync::Semaphore::new(1)),
            pool,
        }
    }

    /// Waits on the executor for a database slot (see [`AppState::db_slots`]); 503 after
    /// as long as the pool itself would wait for a connection.
    async fn db_slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        slot(&self.db_slots, self.pool.connection_timeout()).await
    }

    /// A database slot for a background job (an import's validation or commit), waited
    /// for as long as it takes: a job holds a pooled connection like a request does, so
    /// it must hold a slot too, or requests holding slots would queue on the pool.
    pub async fn job_slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        self.db_slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("the database slots are closed")))
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
        // The replica's own slots: a slow or unreachable replica holds none of the
        // primary's, and no replica slot is held while falling back to the primary.
        let slots = self
            .read_slots
            .get_or_init(|| {
                Arc::new(tokio::sync::Semaphore::new(
                    (replica.max_size() as usize).max(1),
                ))
            })
            .clone();
        let Ok(replica_slot) = slot(&slots, replica.connection_timeout()).await else {
            tracing::warn!("no read replica slot came free; reading the primary");
            return self.db(f).await;
        };
        let (answer, f) = actix_web::web::block(move || {
            let _slot = replica_slot;
            let answer = match replica.get() {
                Ok(mut conn) => match crate::db::replica::caught_up(&mut conn, lsn.as_deref()) {
                    Ok(true) => match f(&mut conn) {
                        // A replica that fails under the query (shutting down, a
                        // recovery conflict) is the replica's trouble, not the caller's:
                        // the read is read again on the primary. Answers about the
                        // request itself (404, 422, …) stand.
                        Err(e @ (ApiError::Internal(_) | ApiError::Unavailable(_))) => {
                            tracing::warn!(error = %e, "a read on the replica failed; reading the primary");
                            None
                        }
                        answer => Some(answer),
                    },
                    Ok(false) => None,
                    Err(e) => {
                        tracing::warn!(error = %e, "the read replica did not answer");
                        None
                    }
                },
                Err(e) => {
                    tracing::warn!(error = %e, "no connection to the read replica");
                    None
                }
            };
            (answer, f)
        })
        .await?;
        match answer {
            Some(answer) => answer,
            None => self.db(f).await,
        }
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

    /// [`AppState::db`] for liveness work only (the heartbeat, the readiness probe): on
    /// the connection the request slots leave free, so that a server busy with requests
    /// still beats (other replicas would otherwise take it for dead and fail its jobs)
    /// and still answers its load balancer.
    pub async fn db_reserved<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let slot = slot(&self.reserved_slot, pool.connection_timeout()).await?;
        actix_web::web::block(move || {
            let _slot = slot;
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }
}

/// A permit of `slots` within `wait`; 503 after it.
async fn slot(
    slots: &Arc<tokio::sync::Semaphore>,
    wait: std::time::Duration,
) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    match actix_web::rt::time::timeout(wait, slots.clone().acquire_owned()).await {
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
