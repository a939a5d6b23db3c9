//! Password hashing with argon2id at the OWASP-recommended cost (19 MiB, 2 passes,
//! 1 lane), always on the blocking pool and bounded in concurrency.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::ApiError;
use crate::state::AppState;

fn argon2() -> Argon2<'static> {
    // Params::DEFAULT is m=19456 KiB, t=2, p=1: OWASP's first recommendation for argon2id.
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// Hashes a password (synchronously; call from a blocking context).
pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?
        .to_string())
}

/// Checks a password against a stored hash (synchronously). A malformed hash never matches.
pub fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A valid hash of a random password, verified against when the username is unknown so
/// that a login takes as long for a missing user as for a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking(&uuid::Uuid::new_v4().to_string()).unwrap_or_default())
}

/// Waiting requests allowed per hashing worker before new ones are turned away.
pub const QUEUE_PER_WORKER: usize = 16;

/// The gate in front of argon2: at most one hash per worker at a time, and a bounded
/// queue of requests waiting for one. When the queue is full, callers get 503 with
/// `Retry-After` at once instead of piling up (each hash takes 19 MiB and tens of ms).
#[derive(Debug)]
pub struct HashGate {
    permits: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    verifications: AtomicU64,
}

impl HashGate {
    /// A gate with `workers` concurrent hashes and room for `max_waiting` waiters.
    pub fn new(workers: usize, max_waiting: usize) -> Self {
        Self {
            permits: Semaphore::new(workers.max(1)),
            waiting: AtomicUsize::new(0),
            max_waiting,
            verifications: AtomicU64::new(0),
        }
    }

    /// How many password verifications (real or dummy) have run; for monitoring and
    /// for tests that check the throttle stops attempts before they are verified.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::SeqCst)
    }

    /// Waits for a hashing slot, or fails at once with [`ApiError::Busy`] when the queue
    /// is full. Hold the permit while hashing.
    pub async fn enter(&self) -> Result<SemaphorePermit<'_>, ApiError> {
        if let Ok(permit) = self.permits.try_acquire() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::Busy { retry_after: 2 });
        }
        // Leaves the queue however the wait ends (also when the request is dropped).
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let _waiting = Waiting(&self.waiting);
        self.permits
            .acquire()
            .await
            .map_err(|e| ApiError::Internal(e.into()))
    }
}

/// Hashes off the executor, through the [`HashGate`].
pub async fn hash(state: &AppState, password: String) -> Result<String, ApiError> {
    let _permit = state.hash_gate.enter().await?;
    Ok(actix_web::web::block(move || hash_blocking(&password)).await??)
}

/// Verifies off the executor, through the [`HashGate`].
pub async fn verify(state: &AppState, password: String, hash: String) -> Result<bool, ApiError> {
    let _permit = state.hash_gate.enter().await?;
    state.hash_gate.verifications.fetch_add(1, Ordering::SeqCst);
    Ok(actix_web::web::block(move || verify_blocking(&password, &hash)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_full_queue_turns_callers_away() {
        let gate = std::sync::Arc::new(HashGate::new(1, 1));
        let first = gate.enter().await.unwrap_or_else(|e| panic!("{e}"));
        // One may wait; the next is refused at once.
        let g = gate.clone();
        let waiter = actix_web::rt::spawn(async move { g.enter().await.map(|_| ()) });
        while gate.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(
            gate.enter().await,
            Err(ApiError::Busy { retry_after: 2 })
        ));
        drop(first);
        assert!(matches!(waiter.await, Ok(Ok(()))));
        assert_eq!(gate.waiting.load(Ordering::SeqCst), 0);
    }
}
