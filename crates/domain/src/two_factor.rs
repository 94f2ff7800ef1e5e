//! The second factor's values (§11): TOTP seeds and codes (RFC 6238:
//! SHA-1, 6 digits, 30-second steps, one step of clock skew either way) and
//! recovery codes. Checking a code tells which time step it matched, so that
//! the caller can refuse a step that was already used (RFC 6238 §5.2).
use crate::error::{FieldError, Problem};
use crate::secret_box::SecretKey;
use rand::RngCore;
use totp_rs::{Algorithm, Builder, Totp};

/// Bytes in a TOTP seed: 160 bits, as RFC 4226 §4 recommends.
pub const TOTP_SEED_BYTES: usize = 20;
/// Seconds in a TOTP step.
pub const TOTP_STEP_SECONDS: u64 = 30;
/// How many recovery codes a confirmation or regeneration hands out.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// Hex digits in a recovery code (64 random bits), as GitLab's.
const RECOVERY_CODE_HEX: usize = 16;

/// A TOTP seed. `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSeed([u8; TOTP_SEED_BYTES]);

impl std::fmt::Debug for TotpSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSeed(…)")
    }
}

/// A sealed seed that opened to the wrong number of bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a stored TOTP seed is not {TOTP_SEED_BYTES} bytes")]
pub struct BadSeed;

impl TotpSeed {
    /// A new random seed.
    pub fn generate() -> Self {
        let mut bytes = [0u8; TOTP_SEED_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// A seed from its bytes (as opened from storage).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BadSeed> {
        Ok(Self(bytes.try_into().map_err(|_| BadSeed)?))
    }

    /// The raw bytes, to seal for storage.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    fn totp(&self, issuer: &str, account: &str) -> Totp {
        // Neither part may hold a colon (Key Uri Format); the label only
        // names the account in the person's app.
        let clean = |s: &str| s.replace(':', " ");
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(6)
            .with_skew(1)
            .with_step_duration(TOTP_STEP_SECONDS)
            .with_secret(self.0.to_vec())
            .with_issuer(Some(clean(issuer)))
            .with_account_name(clean(account))
            .build_noncompliant()
    }

    /// The seed in base32 (RFC 4648, no padding), as authenticator apps
    /// take it when typed in.
    pub fn to_base32(&self) -> String {
        self.totp("", "").secret().to_base32()
    }

    /// The `otpauth://totp/…` URI of Google's Key Uri Format, for a QR code.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        self.totp(issuer, account)
            .to_url()
            .unwrap_or_else(|_| format!("otpauth://totp/?secret={}", self.to_base32()))
    }

    /// The time step `code` matches at `unix_time`, within one step either
    /// way; `None` when it matches none.
    pub fn matching_step(&self, code: &OtpCode, unix_time: u64) -> Option<u64> {
        self.totp("", "").check(&code.0, unix_time)
    }
}

/// A six-digit TOTP code, as typed (white space is ignored).
#[derive(Clone, PartialEq, Eq)]
pub struct OtpCode(String);

impl std::fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OtpCode(…)")
    }
}

impl OtpCode {
    /// Reads a code: six digits, spaces allowed between them.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let digits: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err(FieldError::new(
                "otp",
                Problem::InvalidBecause("must be a 6-digit code"),
            ))
        }
    }
}

/// A recovery code: 16 hex digits, shown once; only its digest is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(…)")
    }
}

impl RecoveryCode {
    /// A fresh set of [`RECOVERY_CODE_COUNT`] codes.
    pub fn generate_set() -> Vec<Self> {
        (0..RECOVERY_CODE_COUNT)
            .map(|_| {
                let mut bytes = [0u8; RECOVERY_CODE_HEX / 2];
                rand::rng().fill_bytes(&mut bytes);
                Self(hex::encode(bytes))
            })
            .collect()
    }

    /// Reads a code as typed: case, spaces and dashes do not matter.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let code: String = value
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if code.len() == RECOVERY_CODE_HEX && code.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(code))
        } else {
            Err(FieldError::new("otp", Problem::Invalid))
        }
    }

    /// The code, to show once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What is stored: its HMAC-SHA256 under the secret key, which is not
    /// in the database, so that a copy of the database alone cannot be
    /// searched for the codes offline; online, the lockout limits guesses.
    pub fn keyed_digest(&self, key: &SecretKey) -> String {
        key.keyed_digest(self.0.as_bytes())
    }
}

/// A second-factor code as a person types it: a TOTP code or a recovery
/// code, told apart by their form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorCode {
    /// Six digits from the authenticator app.
    Totp(OtpCode),
    /// One of the recovery codes.
    Recovery(RecoveryCode),
    /// An answer of neither form, given to sign in: it matches nothing, and
    /// is refused as a wrong code is (§11: `invalid_grant`, and it counts
    /// toward the lockout), not as a malformed request.
    Unreadable,
}

impl SecondFactorCode {
    /// Reads the `otp` of a sign-in: any answer is a code, and one of
    /// neither form is [`SecondFactorCode::Unreadable`].
    pub fn read(value: &str) -> Self {
        Self::parse(value).unwrap_or(Self::Unreadable)
    }

    /// Reads `otp`: six digits are a TOTP code, 16 hex digits a recovery
    /// code; anything else is a field error.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        OtpCode::parse(value)
            .map(Self::Totp)
            .or_else(|_| RecoveryCode::parse(value).map(Self::Recovery))
            .map_err(|_| {
                FieldError::new(
                    "otp",
                    Problem::InvalidBecause("must be a 6-digit code or a recovery code"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B's SHA-1 seed and its 8-digit vectors, last six
    // digits (the same HOTP value truncated to six).
    const RFC_SEED: &[u8; 20] = b"12345678901234567890";

    #[test]
    fn a_sign_in_reads_any_answer_as_a_code() {
        assert!(matches!(
            SecondFactorCode::read("123456"),
            SecondFactorCode::Totp(_)
        ));
        assert!(matches!(
            SecondFactorCode::read("0123456789abcdef"),
            SecondFactorCode::Recovery(_)
        ));
        for odd in ["12345", "abc", "1234567", ""] {
            assert_eq!(SecondFactorCode::read(odd), SecondFactorCode::Unreadable, "{odd}");
            assert!(SecondFactorCode::parse(odd).is_err(), "{odd}");
        }
    }

    #[test]
    fn codes_match_the_rfc_vectors_and_their_steps() {
        let seed = TotpSeed::from_bytes(RFC_SEED).unwrap();
        for (time, code) in [(59u64, "287082"), (1111111109, "081804"), (1234567890, "005924")] {
            let code = OtpCode::parse(code).unwrap();
            assert_eq!(seed.matching_step(&code, time), Some(time / 30), "at {time}");
            // One step of skew either way, not two.
            assert_eq!(seed.matching_step(&code, time + 30), Some(time / 30));
            assert_eq!(seed.matching_step(&code, time - 30), Some(time / 30));
            assert_eq!(seed.matching_step(&code, time + 61), None);
        }
    }

    #[test]
    fn the_uri_names_issuer_account_and_seed() {
        let seed = TotpSeed::from_bytes(RFC_SEED).unwrap();
        assert_eq!(seed.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let uri = seed.otpauth_uri("Roster", "ada:lovelace");
        assert!(uri.starts_with("otpauth://totp/Roster:ada%20lovelace?"), "{uri}");
        assert!(uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), "{uri}");
        assert!(uri.contains("issuer=Roster"), "{uri}");
        assert!(!format!("{seed:?}").contains("GEZ"));
    }

    #[test]
    fn codes_are_told_apart_by_their_form() {
        assert!(matches!(
            SecondFactorCode::parse("123 456"),
            Ok(SecondFactorCode::Totp(_))
        ));
        let recovery = RecoveryCode::generate_set();
        assert_eq!(recovery.len(), RECOVERY_CODE_COUNT);
        let typed = recovery[0].expose().to_uppercase();
        match SecondFactorCode::parse(&format!("{}-{}", &typed[..8], &typed[8..])) {
            Ok(SecondFactorCode::Recovery(code)) => {
                let key = SecretKey::generate();
                assert_eq!(code.keyed_digest(&key), recovery[0].keyed_digest(&key));
            }
            other => panic!("{other:?}"),
        }
        for bad in ["", "12345", "1234567", "abcdef", "zzzzzzzzzzzzzzzz", "١٢٣٤٥٦"] {
            assert!(SecondFactorCode::parse(bad).is_err(), "{bad}");
        }
        assert!(TotpSeed::from_bytes(b"short").is_err());
    }
}
