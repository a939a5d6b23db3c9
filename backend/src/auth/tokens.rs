//! Access tokens (HS256 JWTs, 15 minutes) and refresh tokens (random, stored hashed).

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Lifetime of an access token.
pub const ACCESS_TTL_SECS: i64 = 15 * 60;
/// Lifetime of one refresh token.
pub const REFRESH_TTL_SECS: i64 = 14 * 24 * 3600;
/// Longest a session lives, however often it is refreshed.
pub const SESSION_MAX_SECS: i64 = 30 * 24 * 3600;
/// The `aud` of every access token.
pub const AUDIENCE: &str = "xiangzhu-api";
/// The `iss` of every access token.
pub const ISSUER: &str = "xiangzhu";

/// Claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: Uuid,
    /// Session (refresh-token family) id.
    pub sid: Uuid,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Audience.
    pub aud: String,
    /// Issuer.
    pub iss: String,
}

/// Signing and verification keys, pinned to HS256.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    /// Keys from a secret.
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "aud", "iss"]);
        validation.leeway = 30;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// Signs an access token for a user's session.
    pub fn issue(&self, user: Uuid, session: Uuid, now: i64) -> anyhow::Result<String> {
        let claims = Claims {
            sub: user,
            sid: session,
            iat: now,
            exp: now + ACCESS_TTL_SECS,
            aud: AUDIENCE.into(),
            iss: ISSUER.into(),
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// Verifies signature, algorithm, expiry, audience and issuer.
    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map(|d| d.claims)
    }
}

/// A new random refresh token (256 bits, base64url).
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    B64URL.encode(bytes)
}

/// How a refresh token is stored: its SHA-256, hex.
pub fn hash_refresh_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_reject() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let now = chrono::Utc::now().timestamp();
        let (u, s) = (Uuid::new_v4(), Uuid::new_v4());
        let t = keys.issue(u, s, now).expect("sign");
        let c = keys.verify(&t).expect("valid");
        assert_eq!((c.sub, c.sid), (u, s));
        assert!(JwtKeys::new(b"another secret another secret 12")
            .verify(&t)
            .is_err());
        let old = keys.issue(u, s, now - ACCESS_TTL_SECS - 120).expect("sign");
        assert!(keys.verify(&old).is_err(), "expired");
        // A token signed with another algorithm is refused even with the same secret.
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &Claims {
                sub: u,
                sid: s,
                iat: now,
                exp: now + 60,
                aud: AUDIENCE.into(),
                iss: ISSUER.into(),
            },
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        )
        .expect("sign");
        assert!(keys.verify(&hs512).is_err());
    }
}
