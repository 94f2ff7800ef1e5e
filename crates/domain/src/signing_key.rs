//! The RSA keys that sign OpenID Connect ID tokens (RS256), and their
//! public form as a JSON Web Key (RFC 7517), named by their RFC 7638
//! thumbprint.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};

/// The size of the keys Roster makes.
pub const SIGNING_KEY_BITS: usize = 2048;

/// Why a stored key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a stored signing key is not a PKCS#8 RSA key")]
pub struct BadSigningKey;

/// A private RSA signing key. `Debug` does not show it.
#[derive(Clone)]
pub struct SigningKeyPair(RsaPrivateKey);

impl std::fmt::Debug for SigningKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKeyPair({})", self.kid())
    }
}

impl SigningKeyPair {
    /// A new key of [`SIGNING_KEY_BITS`] from the operating system's
    /// generator. CPU work of a fraction of a second: not for an async worker.
    pub fn generate() -> Self {
        let mut rng = rsa::rand_core::OsRng;
        Self(RsaPrivateKey::new(&mut rng, SIGNING_KEY_BITS).expect("RSA key generation of a supported size"))
    }

    /// Reads the PKCS#8 DER form ([`SigningKeyPair::to_pkcs8_der`]).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, BadSigningKey> {
        RsaPrivateKey::from_pkcs8_der(der)
            .map(Self)
            .map_err(|_| BadSigningKey)
    }

    /// The private key as PKCS#8 DER, to be sealed before it is stored.
    pub fn to_pkcs8_der(&self) -> Vec<u8> {
        self.0
            .to_pkcs8_der()
            .expect("an RSA key encodes as PKCS#8")
            .as_bytes()
            .to_vec()
    }

    fn n_and_e(&self) -> (String, String) {
        (
            URL_SAFE_NO_PAD.encode(self.0.n().to_bytes_be()),
            URL_SAFE_NO_PAD.encode(self.0.e().to_bytes_be()),
        )
    }

    /// The key id: the RFC 7638 thumbprint of the public key.
    pub fn kid(&self) -> String {
        let (n, e) = self.n_and_e();
        // RFC 7638 §3.2: the required members, in lexical order, no spaces.
        let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
    }

    /// Signs `claims` (a JSON object's text) as a compact JWS with RS256
    /// (RFC 7515, RFC 7518 §3.3), naming this key in the header. CPU work
    /// of about a millisecond: not for an async worker.
    pub fn sign_jwt(&self, claims: &[u8]) -> String {
        let header = format!(r#"{{"alg":"RS256","typ":"JWT","kid":"{}"}}"#, self.kid());
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.as_bytes()),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let signer = SigningKey::<rsa::sha2::Sha256>::new(self.0.clone());
        // Blinded with fresh randomness, so the time a signature takes says
        // nothing about the key.
        let signature = signer
            .sign_with_rng(&mut rsa::rand_core::OsRng, signing_input.as_bytes())
            .to_bytes();
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// The payload of a compact JWS that this key signed with RS256, or
    /// `None` when the token is malformed or the signature does not verify.
    pub fn verify_jwt(&self, token: &str) -> Option<Vec<u8>> {
        let parts = JwsParts::split(token)?;
        let verifier = VerifyingKey::<rsa::sha2::Sha256>::new(self.0.to_public_key());
        let signature = Signature::try_from(parts.signature.as_slice()).ok()?;
        verifier.verify(parts.signing_input.as_bytes(), &signature).ok()?;
        Some(parts.payload)
    }

    /// The public key as a JWK (JSON text), for the JWKS.
    pub fn public_jwk(&self) -> String {
        let (n, e) = self.n_and_e();
        format!(
            r#"{{"kty":"RSA","use":"sig","alg":"RS256","kid":"{}","n":"{n}","e":"{e}"}}"#,
            self.kid()
        )
    }
}

/// The three parts of a compact JWS, decoded (the signature not checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwsParts {
    /// The protected header (JSON text).
    pub header: Vec<u8>,
    /// The payload.
    pub payload: Vec<u8>,
    /// The signature.
    pub signature: Vec<u8>,
    /// `header.payload` as sent, which the signature covers.
    pub signing_input: String,
}

impl JwsParts {
    /// Splits and decodes a compact JWS; `None` unless it has three
    /// base64url parts.
    pub fn split(token: &str) -> Option<Self> {
        let mut parts = token.trim().split('.');
        let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        Some(Self {
            header: URL_SAFE_NO_PAD.decode(h).ok()?,
            payload: URL_SAFE_NO_PAD.decode(p).ok()?,
            signature: URL_SAFE_NO_PAD.decode(s).ok()?,
            signing_input: format!("{h}.{p}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_publish_only_their_public_part() {
        let key = SigningKeyPair::generate();
        let again = SigningKeyPair::from_pkcs8_der(&key.to_pkcs8_der()).unwrap();
        assert_eq!(again.kid(), key.kid());
        let jwk = key.public_jwk();
        assert!(jwk.contains(r#""kty":"RSA""#) && jwk.contains(r#""e":"AQAB""#));
        assert!(!jwk.contains(r#""d":"#), "no private member");
        assert_eq!(key.kid().len(), 43, "a SHA-256 in base64url");
        assert!(SigningKeyPair::from_pkcs8_der(b"nonsense").is_err());
        assert!(!format!("{key:?}").contains("RsaPrivateKey"));
    }

    #[test]
    fn signed_tokens_verify_with_their_key_only() {
        let key = SigningKeyPair::generate();
        let token = key.sign_jwt(br#"{"sub":"1"}"#);
        let parts = JwsParts::split(&token).unwrap();
        assert_eq!(
            String::from_utf8(parts.header).unwrap(),
            format!(r#"{{"alg":"RS256","typ":"JWT","kid":"{}"}}"#, key.kid())
        );
        assert_eq!(key.verify_jwt(&token).unwrap(), br#"{"sub":"1"}"#);
        let other = SigningKeyPair::generate();
        assert!(other.verify_jwt(&token).is_none());
        let mut forged = token.clone();
        forged.replace_range(
            token.find('.').unwrap() + 1..token.rfind('.').unwrap(),
            "eyJzdWIiOiIyIn0",
        );
        assert!(key.verify_jwt(&forged).is_none());
        assert!(JwsParts::split("a.b").is_none() && JwsParts::split("a.b.c.d").is_none());
    }
}
