//! Protection of identity numbers at rest: AES-256-GCM encryption with a random nonce,
//! and an HMAC-SHA256 keyed hash for exact look-up and uniqueness without decrypting.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Keys for encrypting and hashing personal identifiers, derived from one master key.
#[derive(Clone)]
pub struct Pii {
    cipher: Aes256Gcm,
    mac_key: [u8; 32],
    digest_key: [u8; 32],
}

impl std::fmt::Debug for Pii {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pii(<keys>)")
    }
}

fn derive(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    // HMAC as a PRF for key separation: one key for the cipher, one for the look-up hash.
    let mut mac = hmac_with(master);
    mac.update(label);
    mac.finalize().into_bytes().into()
}

fn hmac_with(key: &[u8; 32]) -> HmacSha256 {
    <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

impl Pii {
    /// Derives the keys from a 32-byte master key.
    pub fn new(master: &[u8; 32]) -> Self {
        let enc = derive(master, b"xiangzhu pii encryption v1");
        Self {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&enc)),
            mac_key: derive(master, b"xiangzhu pii lookup v1"),
            digest_key: derive(master, b"xiangzhu request digest v1"),
        }
    }

    /// Encrypts `plain`; the result is base64 of nonce ‖ ciphertext ‖ tag.
    pub fn encrypt(&self, plain: &str) -> anyhow::Result<String> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ct = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(B64.encode(out))
    }

    /// Decrypts what [`Pii::encrypt`] produced.
    pub fn decrypt(&self, stored: &str) -> anyhow::Result<String> {
        let bytes = B64.decode(stored)?;
        if bytes.len() < 12 {
            anyhow::bail!("ciphertext too short");
        }
        let (nonce, ct) = bytes.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| anyhow::anyhow!("decryption failed: wrong key or corrupted data"))?;
        Ok(String::from_utf8(plain)?)
    }

    /// The keyed hash of an identifier (hex), stable for equal inputs.
    pub fn lookup_hash(&self, value: &str) -> String {
        let mut mac = hmac_with(&self.mac_key);
        mac.update(value.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl Pii {
    /// A keyed digest (hex HMAC-SHA256) of `bytes` in the domain `label`, for remembering
    /// request bodies that hold personal data: without the key, no one can test a guess
    /// against it. Its key is separate from the look-up key.
    pub fn digest(&self, label: &str, bytes: &[u8]) -> String {
        let mut mac = hmac_with(&self.digest_key);
        mac.update(label.as_bytes());
        mac.update(&[0]);
        mac.update(bytes);
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_lookup() {
        let pii = Pii::new(&[7u8; 32]);
        let a = pii.encrypt("430381199001011234").expect("encrypt");
        let b = pii.encrypt("430381199001011234").expect("encrypt");
        assert_ne!(a, b, "random nonces make equal plaintexts differ");
        assert_eq!(pii.decrypt(&a).expect("decrypt"), "430381199001011234");
        assert_eq!(pii.lookup_hash("x"), pii.lookup_hash("x"));
        assert_ne!(pii.lookup_hash("x"), Pii::new(&[8u8; 32]).lookup_hash("x"));
        assert!(Pii::new(&[8u8; 32]).decrypt(&a).is_err());
    }
}
