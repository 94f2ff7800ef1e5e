//! SSH public keys, parsed with the `ssh-key` crate (never pattern-matched).
use crate::error::{FieldError, Problem};
use md5::{Digest, Md5};
use ssh_key::public::KeyData;
use ssh_key::{Algorithm, EcdsaCurve, HashAlg, PublicKey};
use std::fmt;

/// The smallest RSA modulus accepted unless configured otherwise.
pub const DEFAULT_MIN_RSA_BITS: u32 = 2048;

/// What a key may be used for, with GitLab's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KeyUsage {
    /// Authentication only.
    Auth,
    /// Commit signing only.
    Signing,
    /// Both (the default).
    #[default]
    AuthAndSigning,
}

impl KeyUsage {
    /// Parses `auth`, `signing` or `auth_and_signing`.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        match value.trim() {
            "auth" => Ok(Self::Auth),
            "signing" => Ok(Self::Signing),
            "auth_and_signing" => Ok(Self::AuthAndSigning),
            _ => Err(FieldError::new(
                "usage_type",
                Problem::NotOneOf("auth, signing, auth_and_signing"),
            )),
        }
    }

    /// The stored and shown form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::Signing => "signing",
            Self::AuthAndSigning => "auth_and_signing",
        }
    }

    /// Whether an SSH server may let the key in.
    pub fn allows_auth(self) -> bool {
        !matches!(self, Self::Signing)
    }
}

/// An accepted OpenSSH public key: Ed25519, ECDSA on P-256/384/521, the FIDO
/// `sk-` variants of Ed25519 and ECDSA P-256, or RSA of at least the
/// configured size. Held in its canonical one-line form
/// (`type base64 [comment]`), with both fingerprints computed from the parsed
/// key.
#[derive(Clone, PartialEq, Eq)]
pub struct SshPublicKey {
    /// The modulus size of an RSA key.
    rsa_bits: Option<u32>,
    canonical: String,
    algorithm: String,
    sha256: String,
    md5: String,
}

const PRIVATE_KEY_MESSAGE: &str =
    "is a private key: paste the public key (the .pub file) instead; it was not stored";

impl SshPublicKey {
    /// Parses a key for the field `key`, with the default RSA minimum.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        Self::parse_with_min_rsa(value, DEFAULT_MIN_RSA_BITS)
    }

    /// Parses a key, refusing RSA moduli smaller than `min_rsa_bits`.
    pub fn parse_with_min_rsa(value: &str, min_rsa_bits: u32) -> Result<Self, FieldError> {
        let key = Self::parse_any_size(value)?;
        key.refuse_rsa_below(min_rsa_bits)?;
        Ok(key)
    }

    /// Refuses an RSA key whose modulus is smaller than `min_rsa_bits` (the
    /// server's setting, applied after the key is read).
    pub fn refuse_rsa_below(&self, min_rsa_bits: u32) -> Result<(), FieldError> {
        match self.rsa_bits {
            Some(bits) if bits < min_rsa_bits => Err(FieldError::new(
                "key",
                Problem::InvalidBecause(if min_rsa_bits <= 2048 {
                    "is an RSA key shorter than 2048 bits; use a longer RSA key or Ed25519"
                } else {
                    "is an RSA key shorter than this server accepts; use a longer RSA key or Ed25519"
                }),
            )),
            _ => Ok(()),
        }
    }

    /// Parses a key of an accepted type, whatever the size of an RSA key
    /// (see [`Self::refuse_rsa_below`]).
    pub fn parse_any_size(value: &str) -> Result<Self, FieldError> {
        let err = |p| Err(FieldError::new("key", p));
        let text = value.trim();
        if text.is_empty() {
            return err(Problem::Blank);
        }
        if text.contains("PRIVATE KEY") || text.starts_with("PuTTY-User-Key-File") {
            return err(Problem::InvalidBecause(PRIVATE_KEY_MESSAGE));
        }
        if text.lines().count() > 1 {
            return err(Problem::InvalidBecause(
                "must be a single line: type, key and an optional comment",
            ));
        }
        let Ok(key) = PublicKey::from_openssh(text) else {
            return err(Problem::InvalidBecause(
                "is not a valid OpenSSH public key (expected e.g. \"ssh-ed25519 AAAA… comment\")",
            ));
        };
        match key.algorithm() {
            Algorithm::Ed25519 | Algorithm::SkEd25519 | Algorithm::SkEcdsaSha2NistP256 => {}
            Algorithm::Ecdsa { curve } => match curve {
                EcdsaCurve::NistP256 | EcdsaCurve::NistP384 | EcdsaCurve::NistP521 => {}
            },
            Algorithm::Rsa { .. } => {}
            Algorithm::Dsa => {
                return err(Problem::InvalidBecause(
                    "is a DSA key, which is no longer accepted; use Ed25519 (ssh-keygen -t ed25519)",
                ))
            }
            _ => return err(Problem::InvalidBecause("uses a key type that is not accepted")),
        }
        let Ok(canonical) = key.to_openssh() else {
            return err(Problem::Invalid);
        };
        let Ok(blob) = key.to_bytes() else {
            return err(Problem::Invalid);
        };
        let md5 = Md5::digest(&blob)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":");
        let rsa_bits = match key.algorithm() {
            Algorithm::Rsa { .. } => Some(rsa_bits(key.key_data()).unwrap_or(0)),
            _ => None,
        };
        Ok(Self {
            canonical,
            rsa_bits,
            algorithm: key.algorithm().as_str().to_owned(),
            sha256: key.fingerprint(HashAlg::Sha256).to_string(),
            md5,
        })
    }

    /// The canonical `type base64 [comment]` line.
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    /// The algorithm name (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …).
    pub fn algorithm(&self) -> &str {
        &self.algorithm
    }

    /// The SHA-256 fingerprint, `SHA256:…` as `ssh-keygen -l` prints it.
    pub fn sha256_fingerprint(&self) -> &str {
        &self.sha256
    }

    /// The MD5 fingerprint, `aa:bb:…`, as `ssh-keygen -l -E md5` prints it
    /// (without its `MD5:` prefix).
    pub fn md5_fingerprint(&self) -> &str {
        &self.md5
    }
}

impl fmt::Debug for SshPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SshPublicKey({} {})", self.algorithm, self.sha256)
    }
}

fn rsa_bits(data: &KeyData) -> Option<u32> {
    let rsa = data.rsa()?;
    let bytes = rsa.n.as_positive_bytes()?;
    let first = bytes.first()?;
    Some((bytes.len() as u32 - 1) * 8 + (8 - first.leading_zeros()))
}

/// A fingerprint given in a look-up: `SHA256:…` or an MD5 `aa:bb:…` (with or
/// without `MD5:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fingerprint {
    /// `SHA256:` followed by unpadded base64.
    Sha256(String),
    /// Sixteen lower-case hex pairs joined by `:`.
    Md5(String),
}

impl Fingerprint {
    /// Parses a fingerprint for the field `fingerprint`.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        if let Some(b64) = value.strip_prefix("SHA256:") {
            let ok = !b64.is_empty()
                && b64.len() <= 64
                && b64
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/');
            return if ok {
                Ok(Self::Sha256(value.to_owned()))
            } else {
                Err(FieldError::new("fingerprint", Problem::Invalid))
            };
        }
        let hex = value.strip_prefix("MD5:").unwrap_or(value).to_ascii_lowercase();
        let parts: Vec<&str> = hex.split(':').collect();
        if parts.len() == 16
            && parts
                .iter()
                .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
        {
            Ok(Self::Md5(hex))
        } else {
            Err(FieldError::new("fingerprint", Problem::Invalid))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_types() {
        assert_eq!(KeyUsage::parse("auth").unwrap(), KeyUsage::Auth);
        assert_eq!(KeyUsage::default().as_str(), "auth_and_signing");
        assert!(!KeyUsage::Signing.allows_auth());
        assert!(KeyUsage::parse("everything").is_err());
    }

    #[test]
    fn refuses_garbage_private_keys_and_dsa() {
        let problem = |s: &str| SshPublicKey::parse(s).unwrap_err().problem.to_string();
        assert_eq!(problem(""), "can't be blank");
        assert!(problem("ssh-ed25519 not-base64!").contains("not a valid OpenSSH public key"));
        assert!(problem("hello world").contains("not a valid"));
        assert!(problem("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----")
            .contains("private key"));
        assert!(problem("-----BEGIN RSA PRIVATE KEY-----").contains("private key"));
        let dsa = "ssh-dss AAAAB3NzaC1kc3MAAACBAMLrhYgI3atfrSD6KDas1b/3n6R/HP+bLaHHX6oh+L1vg31mdUqK0Ac/NjZoQunavoyzqdPYhFz9zzOezCrZKjuJDS3NRK9rspvjgM0xYR4d47oNZbdZbwkI4cTv/gcMlquRy0OvpfIvJtjtaJWMwTLtM5VhRusRuUlpH99UUVeXAAAAFQCVyX+92hBEjInEKL0v13c/egDCTQAAAIEAvFdWGq0ccOPbw4f/F8LpZqvWDydAcpXHV3thwb7WkFfppvm4SZte0zds1FJ+Hr8Xzzc5zMHe6J4Nlay/rP4ewmIW7iFKNBEYb/yWa+ceLrs+TfR672TaAgO6o7iSRofEq5YLdwgrwkMmIawa21FrZ2D9SPao/IwvENzk/xcHu7YAAACAQFXQH6HQnxOrw4dqf0NqeKy1tfIPxYYUZhPJfo9O0AmBW2S36pD2l14kS89fvz6Y1g8gN/FwFnRncMzlLY/hX70FSc/3hKBSbH6C6j8hwlgFKfizav21eS358JJz93leOakJZnGb8XlWvz1UJbwCsnR2VEY8Dz90uIk1l/UqHkA= loic@call";
        assert!(problem(dsa).contains("DSA"));
        // The seed's 1024-bit RSA key is too short.
        let short_rsa = "ssh-rsa AAAAB3NzaC1yc2EAAAABJQAAAIEAiPWx6WM4lhHNedGfBpPJNPpZ7yKu+dnn1SJejgt4596k6YjzGGphH2TUxwKzxcKDKKezwkpfnxPkSMkuEspGRt/aZZ9wa++Oi7Qkr8prgHc4soW6NUlfDzpvZK2H5E7eQaSeP3SAwGmQKUFHCddNaP0L+hM7zhFNzjFvpaMgJw0=";
        assert!(problem(short_rsa).contains("shorter than 2048"));
        assert!(SshPublicKey::parse_with_min_rsa(short_rsa, 1024).is_ok());
    }

    #[test]
    fn fingerprints_parse() {
        assert!(matches!(
            Fingerprint::parse("SHA256:abc+/9"),
            Ok(Fingerprint::Sha256(_))
        ));
        assert_eq!(
            Fingerprint::parse("MD5:AA:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99").unwrap(),
            Fingerprint::Md5("aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99".into())
        );
        assert!(Fingerprint::parse("SHA256:").is_err());
        assert!(Fingerprint::parse("aa:bb").is_err());
        assert!(Fingerprint::parse("zz:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99").is_err());
    }
}
