//! Inputs of the SSH key routes.
use super::formats;
use crate::http::input::RequestInput;
use crate::http::params::Fields;
use chrono::NaiveDateTime;
use roster_domain::{FieldError, Fingerprint, KeyUsage, Problem, SshPublicKey, Title};
use utoipa::ToSchema;

/// `GET /keys?fingerprint=…`: what an SSH server asks.
#[derive(ToSchema)]
pub struct KeyLookup {
    /// A SHA-256 fingerprint (`SHA256:` and unpadded base64, as `ssh-keygen
    /// -lf` prints it) or an MD5 one (16 hexadecimal pairs, with or without
    /// `MD5:`).
    #[schema(
        value_type = String,
        pattern = r"^\s*(SHA256:[A-Za-z0-9+/]{1,64}|(MD5:)?[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){15})\s*$"
    )]
    pub fingerprint: Fingerprint,
}

impl RequestInput for KeyLookup {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let fingerprint = f.required("fingerprint", Fingerprint::parse);
        Some(Self {
            fingerprint: fingerprint?,
        })
    }
}

/// How a key may be used.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum KeyUsageType {
    auth,
    signing,
    auth_and_signing,
}

/// `POST /user/keys` and `POST /users/:id/keys`.
#[derive(ToSchema)]
pub struct AddKey {
    /// What the key is (a machine, a purpose).
    #[schema(schema_with = formats::title)]
    pub title: Title,
    /// The OpenSSH public key line: type, base64 and an optional comment.
    /// Ed25519, ECDSA (P-256, P-384, P-521), their FIDO `sk-` forms, or RSA
    /// of at least the server's minimum size (2048 bits unless set higher).
    #[schema(
        value_type = String,
        pattern = r"^\s*(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) AAAA[A-Za-z0-9+/]+={0,2}( [^\r\n]*)?$"
    )]
    pub key: SshPublicKey,
    /// When the key stops working: a future date or RFC 3339 time.
    #[schema(schema_with = formats::future_date_or_time)]
    pub expires_at: Option<NaiveDateTime>,
    /// `auth_and_signing` when left out.
    #[schema(value_type = Option<KeyUsageType>)]
    pub usage_type: KeyUsage,
}

fn future_instant(value: &str) -> Result<NaiveDateTime, FieldError> {
    match roster_domain::parse_instant(value) {
        Some(t) if t > roster_persistence::now() => Ok(t),
        Some(_) => Err(FieldError::new(
            "expires_at",
            Problem::InvalidBecause("must be in the future"),
        )),
        None => Err(FieldError::new(
            "expires_at",
            Problem::InvalidBecause("must be a date or an RFC 3339 time"),
        )),
    }
}

impl RequestInput for AddKey {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let title = f.required("title", |v| Title::parse("title", v));
        let key = f.required("key", SshPublicKey::parse_any_size);
        let expires_at = f.optional("expires_at", future_instant);
        let usage_type = f.optional("usage_type", KeyUsage::parse).unwrap_or_default();
        Some(Self {
            title: title?,
            key: key?,
            expires_at,
            usage_type,
        })
    }
}

/// `POST /user/gpg_keys` and `POST /users/:id/gpg_keys`.
#[derive(ToSchema)]
pub struct AddGpgKey {
    /// The ASCII-armored public key (`gpg --armor --export …`), at most
    /// 65,536 characters (an armored key is ASCII: 64 KiB).
    /// A private key block is refused.
    #[schema(value_type = String, min_length = 1, max_length = 65536)]
    pub key: String,
}

impl RequestInput for AddGpgKey {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        // Only the size here: the key is read, and its signatures checked,
        // on a blocking thread (services::gpg_keys).
        let key = f.required("key", |v| {
            if v.trim().is_empty() {
                Err(FieldError::new("key", Problem::Blank))
            } else if v.chars().count() > roster_domain::MAX_GPG_KEY_BYTES {
                Err(FieldError::new(
                    "key",
                    Problem::TooLong {
                        max: roster_domain::MAX_GPG_KEY_BYTES,
                    },
                ))
            } else {
                Ok(v.to_owned())
            }
        });
        Some(Self { key: key? })
    }
}
