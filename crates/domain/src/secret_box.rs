//! Secrets at rest (TOTP seeds, OIDC signing keys) sealed with a key that is
//! not in the database: XChaCha20-Poly1305, a fresh random nonce a value.
//! A copy of the database alone reveals nothing sealed; a sealed value that
//! was changed does not open.
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::RngCore;

/// The format a sealed value starts with, so that a later format can be
/// told apart.
const VERSION: &str = "v1:";
const NONCE_LEN: usize = 24;

/// Why a key or a sealed value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretBoxError {
    /// The key is not 32 bytes in base64.
    #[error("the secret key must be 32 bytes, base64-encoded (`openssl rand -base64 32`)")]
    BadKey,
    /// The value was not sealed with this key, or was changed.
    #[error("a sealed secret does not open with this key (another key, or a changed value)")]
    DoesNotOpen,
}

/// The key that seals secrets at rest. `Debug` does not show it.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    /// A new random key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Reads a key written by [`SecretKey::to_base64`] (surrounding white
    /// space is ignored).
    pub fn from_base64(text: &str) -> Result<Self, SecretBoxError> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| SecretBoxError::BadKey)?;
        Ok(Self(bytes.try_into().map_err(|_| SecretBoxError::BadKey)?))
    }

    /// The key as base64, for its file.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(Key::from_slice(&self.0))
    }

    /// HMAC-SHA256 of `data` under this key, in hex: a digest that a copy
    /// of the database alone cannot be searched against offline.
    pub fn keyed_digest(&self, data: &[u8]) -> String {
        use hmac::{Hmac, Mac};
        let mut mac =
            <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(data);
        hex::encode(mac.finalize().into_bytes())
    }

    /// Seals `plain`: `v1:` and base64 of the nonce and the ciphertext.
    pub fn seal(&self, plain: &[u8]) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(XNonce::from_slice(&nonce), plain)
            .expect("XChaCha20-Poly1305 seals any length a database holds");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        format!("{VERSION}{}", STANDARD.encode(out))
    }

    /// Opens a value [`SecretKey::seal`] made with this key.
    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, SecretBoxError> {
        let bytes = sealed
            .strip_prefix(VERSION)
            .and_then(|b| STANDARD.decode(b).ok())
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or(SecretBoxError::DoesNotOpen)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        self.cipher()
            .decrypt(XNonce::from_slice(nonce), ciphertext)
            .map_err(|_| SecretBoxError::DoesNotOpen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_with_their_key_only() {
        let key = SecretKey::generate();
        let sealed = key.seal(b"a signing key");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("signing"));
        assert_eq!(key.open(&sealed).unwrap(), b"a signing key");
        assert_ne!(key.seal(b"a signing key"), sealed, "a fresh nonce each time");
        assert_eq!(
            SecretKey::generate().open(&sealed),
            Err(SecretBoxError::DoesNotOpen)
        );
        let mut changed = sealed.clone().into_bytes();
        let last = changed.len() - 3;
        changed[last] = if changed[last] == b'A' { b'B' } else { b'A' };
        assert!(key.open(&String::from_utf8(changed).unwrap()).is_err());
        assert!(key.open("v1:").is_err() && key.open("plain").is_err());
    }

    #[test]
    fn keys_round_trip_through_base64() {
        let key = SecretKey::generate();
        let again = SecretKey::from_base64(&format!(" {}\n", key.to_base64())).unwrap();
        assert_eq!(again.open(&key.seal(b"x")).unwrap(), b"x");
        assert!(SecretKey::from_base64("c2hvcnQ=").is_err());
        assert!(format!("{key:?}").contains('…'));
        // RFC 4231 test case 2 ("Jefe" is not 32 bytes, so a key of the
        // same digest is checked by value instead): keyed digests differ by key.
        let other = SecretKey::generate();
        assert_eq!(key.keyed_digest(b"code"), again.keyed_digest(b"code"));
        assert_ne!(key.keyed_digest(b"code"), other.keyed_digest(b"code"));
        assert_eq!(key.keyed_digest(b"code").len(), 64);
    }
}
