//! Standard Webhooks signing (<https://www.standardwebhooks.com>): a
//! hook's secret is `whsec_` and the base64 of 24 to 64 random bytes, the
//! HMAC-SHA256 key is those bytes, and a message is signed as
//! `{webhook-id}.{webhook-timestamp}.{body}`, the signature sent as
//! `v1,<base64>` in `webhook-signature`.
use crate::error::{FieldError, Problem};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The events a system hook can be sent: GitLab's system-hook events, then
/// Roster's own (§14).
pub const SYSTEM_HOOK_EVENTS: &[&str] = &[
    "user_create",
    "user_destroy",
    "user_rename",
    "user_failed_login",
    "key_create",
    "key_destroy",
    "group_create",
    "group_destroy",
    "user_add_to_group",
    "user_remove_from_group",
    "user_update_for_group",
    "user_update",
    "user_block",
    "user_unblock",
    "password_change",
    "email_confirm",
    "two_factor_enable",
    "two_factor_disable",
    "token_revoke",
];

/// A hook's signing secret.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(…)")
    }
}

impl WebhookSecret {
    /// The prefix of the secret's text.
    pub const PREFIX: &'static str = "whsec_";
    /// The fewest and most bytes the secret may hold.
    pub const BYTES: std::ops::RangeInclusive<usize> = 24..=64;

    /// Reads a secret for the field `signing_secret`.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        let bytes = text
            .strip_prefix(Self::PREFIX)
            .and_then(|b| STANDARD.decode(b).ok());
        match bytes {
            Some(bytes) if Self::BYTES.contains(&bytes.len()) => Ok(Self(text.to_owned())),
            _ => Err(FieldError::new(
                "signing_secret",
                Problem::InvalidBecause("must be whsec_ and the base64 of 24 to 64 bytes, or generate"),
            )),
        }
    }

    /// A new random secret of 32 bytes.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(format!("{}{}", Self::PREFIX, STANDARD.encode(bytes)))
    }

    /// The secret's text (`whsec_…`), to show once and to seal.
    pub fn expose(&self) -> &str {
        &self.0
    }

    fn key(&self) -> Vec<u8> {
        let encoded = self.0.strip_prefix(Self::PREFIX).unwrap_or_default();
        STANDARD.decode(encoded).unwrap_or_default()
    }

    /// The `webhook-signature` header of a message.
    pub fn signature(&self, webhook_id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key()).expect("HMAC takes a key of any length");
        mac.update(webhook_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_reference_example() {
        // The example of the Standard Webhooks reference libraries.
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signature = secret.signature(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn secrets_have_the_standard_form() {
        let made = WebhookSecret::generate();
        assert!(made.expose().starts_with("whsec_"));
        assert_eq!(WebhookSecret::parse(made.expose()), Ok(made));
        for bad in ["", "whsec_", "whsec_AAAA", "secret", "whsec_not base64!"] {
            assert!(WebhookSecret::parse(bad).is_err(), "{bad}");
        }
        let too_long = format!("whsec_{}", STANDARD.encode([7u8; 65]));
        assert!(WebhookSecret::parse(&too_long).is_err());
        assert_eq!(format!("{:?}", WebhookSecret::generate()), "WebhookSecret(…)");
    }
}
