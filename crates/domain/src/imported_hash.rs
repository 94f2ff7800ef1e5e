//! Password hashes brought from another system (`password_hash` on
//! `POST /users`): the formats the seeds' frameworks store, recognised by
//! their form and checked for sane cost parameters, so that a user moves in
//! without a password reset and an imported hash cannot make a sign-in
//! take minutes or gigabytes. Checking a password against one is the
//! hashing pool's work (roster-api); re-hashing at the first sign-in turns it
//! into Roster's own.
use crate::error::{FieldError, Problem};
use password_hash::{Ident, PasswordHash};

/// What an unknown or malformed hash is told (§13).
pub const NOT_SUPPORTED: &str = "is not a supported hash";

/// The highest costs taken: far above what the frameworks use by default,
/// far below what would tie up a hashing worker.
const MAX_BCRYPT_COST: u32 = 16;
const MAX_PBKDF2_ROUNDS: u32 = 10_000_000;
const MAX_ARGON2_MEMORY_KIB: u32 = 256 * 1024;
const MAX_ARGON2_PASSES: u32 = 16;
const MAX_ARGON2_LANES: u32 = 16;
const MAX_SCRYPT_LOG_N: u32 = 20;
const MAX_SCRYPT_R: u32 = 16;
const MAX_SCRYPT_P: u32 = 16;
/// The longest hash text taken.
const MAX_LENGTH: usize = 512;

/// The format of an imported hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashFormat {
    /// bcrypt, `$2a$`, `$2b$` or `$2y$` (Devise, Python's bcrypt, PHP).
    Bcrypt,
    /// Django's `pbkdf2_sha256$<rounds>$<salt>$<base64>`.
    DjangoPbkdf2Sha256,
    /// Django's `argon2$argon2id$…` (a PHC string after `argon2`).
    DjangoArgon2,
    /// A PHC string: `$argon2id$` or `$argon2i$`.
    Argon2,
    /// A PHC string: `$scrypt$`.
    Scrypt,
    /// A PHC string: `$pbkdf2-sha256$i=…`.
    Pbkdf2Sha256,
    /// passlib's `$pbkdf2-sha256$<rounds>$<salt>$<checksum>` (its "adapted
    /// base64", `.` for `+`).
    PasslibPbkdf2Sha256,
}

/// A password hash in one of the supported formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedHash {
    format: HashFormat,
    text: String,
}

fn unsupported() -> FieldError {
    FieldError::new("password_hash", Problem::InvalidBecause(NOT_SUPPORTED))
}

impl ImportedHash {
    /// Recognises `text`'s format and checks its parts and costs.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(FieldError::new("password_hash", Problem::Blank));
        }
        if text.len() > MAX_LENGTH || !text.is_ascii() {
            return Err(unsupported());
        }
        let format = if text.starts_with("$2") {
            check_bcrypt(text)?
        } else if let Some(rest) = text.strip_prefix("pbkdf2_sha256$") {
            check_django_pbkdf2(rest)?
        } else if let Some(phc) = text.strip_prefix("argon2") {
            match check_phc(phc)? {
                HashFormat::Argon2 => HashFormat::DjangoArgon2,
                _ => return Err(unsupported()),
            }
        } else if let Some(rest) = text
            .strip_prefix("$pbkdf2-sha256$")
            .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        {
            check_passlib_pbkdf2(rest)?
        } else if text.starts_with('$') {
            check_phc(text)?
        } else {
            return Err(unsupported());
        };
        Ok(Self {
            format,
            text: text.to_owned(),
        })
    }

    /// The format.
    pub fn format(&self) -> HashFormat {
        self.format
    }

    /// The hash as stored.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The hash as stored.
    pub fn into_inner(self) -> String {
        self.text
    }
}

/// `$2a$12$` + 22 characters of salt + 31 of hash, in bcrypt's alphabet.
fn check_bcrypt(text: &str) -> Result<HashFormat, FieldError> {
    let bytes = text.as_bytes();
    let version_ok = matches!(&text[..4.min(text.len())], "$2a$" | "$2b$" | "$2y$");
    let cost: Option<u32> = text.get(4..6).and_then(|c| c.parse().ok());
    let body = text.get(7..).unwrap_or_default();
    let alphabet = |c: u8| c == b'.' || c == b'/' || c.is_ascii_alphanumeric();
    let ok = version_ok
        && bytes.len() == 60
        && bytes.get(6) == Some(&b'$')
        && cost.is_some_and(|c| (4..=MAX_BCRYPT_COST).contains(&c))
        && body.bytes().all(alphabet);
    ok.then_some(HashFormat::Bcrypt).ok_or_else(unsupported)
}

/// `<rounds>$<salt>$<base64 of 32 bytes>`.
fn check_django_pbkdf2(rest: &str) -> Result<HashFormat, FieldError> {
    use base64::Engine;
    let mut parts = rest.split('$');
    let (Some(rounds), Some(salt), Some(hash), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(unsupported());
    };
    let rounds_ok = rounds
        .parse::<u32>()
        .is_ok_and(|r| (1..=MAX_PBKDF2_ROUNDS).contains(&r));
    let hash_ok = base64::engine::general_purpose::STANDARD
        .decode(hash)
        .is_ok_and(|h| h.len() == 32);
    (rounds_ok && !salt.is_empty() && hash_ok)
        .then_some(HashFormat::DjangoPbkdf2Sha256)
        .ok_or_else(unsupported)
}

/// passlib's adapted base64: standard base64 with `.` for `+`, unpadded.
pub fn passlib_ab64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(text.replace('.', "+"))
        .ok()
}

/// passlib's `<rounds>$<salt>$<checksum of 32 bytes>`.
fn check_passlib_pbkdf2(rest: &str) -> Result<HashFormat, FieldError> {
    let mut parts = rest.split('$');
    let (Some(rounds), Some(salt), Some(hash), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(unsupported());
    };
    let ok = rounds
        .parse::<u32>()
        .is_ok_and(|r| (1..=MAX_PBKDF2_ROUNDS).contains(&r))
        && passlib_ab64_decode(salt).is_some_and(|s| !s.is_empty())
        && passlib_ab64_decode(hash).is_some_and(|h| h.len() == 32);
    ok.then_some(HashFormat::PasslibPbkdf2Sha256)
        .ok_or_else(unsupported)
}

/// A PHC string of a supported algorithm, with costs within bounds.
fn check_phc(text: &str) -> Result<HashFormat, FieldError> {
    let phc = PasswordHash::new(text).map_err(|_| unsupported())?;
    if phc.hash.is_none() || phc.salt.is_none() {
        return Err(unsupported());
    }
    let param = |name: &str| phc.params.get_decimal(name);
    let format = match phc.algorithm {
        a if a == Ident::new_unwrap("argon2id") || a == Ident::new_unwrap("argon2i") => {
            let within = param("m").is_some_and(|m| (8..=MAX_ARGON2_MEMORY_KIB).contains(&m))
                && param("t").is_some_and(|t| (1..=MAX_ARGON2_PASSES).contains(&t))
                && param("p").is_some_and(|p| (1..=MAX_ARGON2_LANES).contains(&p));
            within.then_some(HashFormat::Argon2)
        }
        a if a == Ident::new_unwrap("scrypt") => {
            let within = param("ln").is_some_and(|n| (1..=MAX_SCRYPT_LOG_N).contains(&n))
                && param("r").is_some_and(|r| (1..=MAX_SCRYPT_R).contains(&r))
                && param("p").is_some_and(|p| (1..=MAX_SCRYPT_P).contains(&p));
            within.then_some(HashFormat::Scrypt)
        }
        a if a == Ident::new_unwrap("pbkdf2-sha256") => {
            let within = param("i").is_some_and(|i| (1..=MAX_PBKDF2_ROUNDS).contains(&i));
            within.then_some(HashFormat::Pbkdf2Sha256)
        }
        _ => None,
    };
    format.ok_or_else(unsupported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_format() {
        let cases = [
            ("$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", HashFormat::Bcrypt),
            ("$2y$04$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", HashFormat::Bcrypt),
            (
                "pbkdf2_sha256$870000$X1GKGYDqKv2Hn5YLawtV8m$ggHbsqwzkLKkFCOjFwLdHgUXZqTFzKQ2Ol1dbgVCNuU=",
                HashFormat::DjangoPbkdf2Sha256,
            ),
            (
                "argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHRzb21lc2FsdA$CzQmHWFO1Lx0JXb1wYzfvIRjgqA8Zt0g2Jz5bBcUhtU",
                HashFormat::DjangoArgon2,
            ),
            (
                "$argon2i$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$CzQmHWFO1Lx0JXb1wYzfvIRjgqA8Zt0g2Jz5bBcUhtU",
                HashFormat::Argon2,
            ),
            (
                "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
                HashFormat::Scrypt,
            ),
            (
                "$pbkdf2-sha256$i=29000$N2YuJWRgTUlMqdd6j2pIqA$JZ4gEdb8SwA1DoM3w7wENpxNdYjEnvDY4aJ0QVlwILU",
                HashFormat::Pbkdf2Sha256,
            ),
            (
                "$pbkdf2-sha256$29000$SMl5by0FgHBujVGKsVYKIQ$QFgQJmnEQxpyGYLv6qB1mDEK93rPUq7H2qCskx8K4F8",
                HashFormat::PasslibPbkdf2Sha256,
            ),
        ];
        for (text, format) in cases {
            assert_eq!(
                ImportedHash::parse(text).map(|h| h.format()),
                Ok(format),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_unknown_malformed_and_costly_hashes() {
        for text in [
            "password",
            "$1$saltsalt$hash",
            "$2a$10$tooshort",
            "$2x$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
            "$2b$31$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
            "pbkdf2_sha256$0$salt$ggHbsqwzkLKkFCOjFwLdHgUXZqTFzKQ2Ol1dbgVCNuU=",
            "pbkdf2_sha256$870000$salt$not-base64",
            "pbkdf2_sha1$870000$salt$ggHbsqwzkLKkFCOjFwLdHgUXZqTFzKQ2Ol1dbgVCNuU=",
            "$argon2d$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$CzQmHWFO1Lx0JXb1wYzfvIRjgqA8Zt0g2Jz5bBcUhtU",
            "$argon2id$v=19$m=4194304,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$CzQmHWFO1Lx0JXb1wYzfvIRjgqA8Zt0g2Jz5bBcUhtU",
            "$scrypt$ln=30,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
            "$pbkdf2-sha256$i=29000$N2YuJWRgTUlMqdd6j2pIqA",
        ] {
            let refused = ImportedHash::parse(text).unwrap_err();
            assert_eq!(refused.to_string(), "password_hash is not a supported hash", "{text}");
        }
        assert!(ImportedHash::parse(" ").is_err());
    }
}
