//! GPG (OpenPGP) public keys, as GitLab takes them: one ASCII-armored
//! transferable public key, read with rPGP, whose self-signatures hold.
//! A private key block is refused by name, so that nobody stores a secret
//! key by mistake.
use crate::error::{FieldError, Problem};
use pgp::composed::{Deserializable, SignedPublicKey};
use pgp::types::KeyDetails;

const BEGIN: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
const END: &str = "-----END PGP PUBLIC KEY BLOCK-----";

/// The longest armored key taken, in bytes (a key with many signatures is
/// large; 64 KiB is far beyond an ordinary one).
pub const MAX_GPG_KEY_BYTES: usize = 64 * 1024;

/// A parsed GPG public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpgPublicKey {
    armored: String,
    fingerprint: String,
    key_id: String,
}

fn invalid(why: &'static str) -> FieldError {
    FieldError::new("key", Problem::InvalidBecause(why))
}

impl GpgPublicKey {
    /// Reads an armored public key. The whole text must be one public key
    /// block; its binding signatures are verified.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(FieldError::new("key", Problem::Blank));
        }
        if text.len() > MAX_GPG_KEY_BYTES {
            return Err(FieldError::new(
                "key",
                Problem::TooLong {
                    max: MAX_GPG_KEY_BYTES,
                },
            ));
        }
        if text.contains("PRIVATE KEY BLOCK") {
            return Err(invalid(
                "is a private key: give the public key (gpg --armor --export), never the secret one",
            ));
        }
        if !text.starts_with(BEGIN) || !text.ends_with(END) {
            return Err(invalid(
                "is invalid. A valid public GPG key begins with '-----BEGIN PGP PUBLIC KEY BLOCK-----' and ends with '-----END PGP PUBLIC KEY BLOCK-----'",
            ));
        }
        let (key, _) = SignedPublicKey::from_string(text)
            .map_err(|_| invalid("is not an OpenPGP public key that can be read"))?;
        key.verify_bindings()
            .map_err(|_| invalid("has a self-signature that does not verify"))?;
        Ok(Self {
            armored: text.to_owned(),
            fingerprint: format!("{:X}", key.fingerprint()),
            key_id: hex::encode_upper(key.legacy_key_id()),
        })
    }

    /// The armored text, trimmed.
    pub fn armored(&self) -> &str {
        &self.armored
    }

    /// The primary key's fingerprint, upper-case hex (40 digits for a v4 key).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The primary key's id, upper-case hex (16 digits).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Ed25519 key made with `gpg --quick-gen-key 'Alice <alice@example.com>' ed25519`.
    const ALICE: &str = include_str!("../tests/data/alice.gpg.asc");

    #[test]
    fn reads_a_public_key_with_its_fingerprint_and_id() {
        let key = GpgPublicKey::parse(&format!("\n  {ALICE}  \n")).unwrap();
        assert_eq!(key.fingerprint().len(), 40);
        assert!(key.fingerprint().ends_with(key.key_id()));
        assert_eq!(key.armored(), ALICE.trim());
        let rsa = GpgPublicKey::parse(include_str!("../tests/data/bob.gpg.asc")).unwrap();
        assert_ne!(rsa.fingerprint(), key.fingerprint());
    }

    #[test]
    fn refuses_private_blank_foreign_and_broken_keys() {
        let problem = |text: &str| GpgPublicKey::parse(text).unwrap_err().to_string();
        assert!(problem("").contains("blank"));
        // (The refusal reads the armor's name; no secret key is kept here.)
        let secret = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlFgEaxIqpxYJKwYBBAHaRw8BAQdA\n-----END PGP PRIVATE KEY BLOCK-----";
        assert!(problem(secret).contains("private key"));
        assert!(problem("ssh-ed25519 AAAA").contains("A valid public GPG key begins with"));
        // One character of the key material changed: unreadable, or a
        // signature that no longer verifies; refused either way.
        let mut lines: Vec<String> = ALICE.lines().map(str::to_owned).collect();
        let line = &mut lines[4];
        let flipped = if line.starts_with('A') { "B" } else { "A" };
        line.replace_range(0..1, flipped);
        assert!(GpgPublicKey::parse(&lines.join("\n")).is_err());
        assert!(problem(&"x".repeat(MAX_GPG_KEY_BYTES + 1)).contains("too long"));
    }
}
