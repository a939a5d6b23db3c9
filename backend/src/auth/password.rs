//! Password hashing with argon2id at the OWASP-recommended cost (19 MiB, 2 passes,
//! 1 lane), always on the blocking pool and bounded in concurrency.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

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

/// Hashes off the executor, at most one hash per core at a time.
pub async fn hash(state: &AppState, password: String) -> Result<String, ApiError> {
    let _permit = state
        .hash_permits
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(actix_web::web::block(move || hash_blocking(&password)).await??)
}

/// Verifies off the executor, at most one hash per core at a time.
pub async fn verify(state: &AppState, password: String, hash: String) -> Result<bool, ApiError> {
    let _permit = state
        .hash_permits
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(actix_web::web::block(move || verify_blocking(&password, &hash)).await?)
}
