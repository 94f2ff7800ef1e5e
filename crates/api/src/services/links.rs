//! Single-use tokens for links in mail: the secret goes into the mail, only
//! its SHA-256 is stored.
use crate::background::mail;
use crate::state::AppState;
use roster_domain::{TokenDigest, TokenKind, TokenSecret};
use roster_persistence::emails::PendingConfirmation;
use roster_persistence::now;
use roster_persistence::password_resets::PendingReset;

/// A fresh link token.
pub struct LinkToken {
    /// The secret, for the link.
    pub secret: String,
    /// What to store.
    pub digest: TokenDigest,
}

/// Makes a link token: 192 random bits in hex.
pub fn new_link_token() -> LinkToken {
    let generated = TokenSecret::generate(TokenKind::Personal);
    let secret = generated.expose()[TokenKind::Personal.prefix().len()..].to_owned();
    let digest = TokenDigest::of(&secret);
    LinkToken { secret, digest }
}

fn hours(d: std::time::Duration) -> u64 {
    d.as_secs() / 3600
}

/// The expiry of a token made now that lives `ttl`.
pub fn expiry(ttl: std::time::Duration) -> chrono::NaiveDateTime {
    now() + chrono::Duration::seconds(ttl.as_secs() as i64)
}

/// A confirmation token for `email`, with its mail.
pub fn confirmation(state: &AppState, email: &str) -> PendingConfirmation {
    let token = new_link_token();
    let ttl = state.settings.confirmation_ttl;
    PendingConfirmation {
        token_digest: token.digest.as_str().to_owned(),
        expires_at: expiry(ttl),
        mail: mail::confirm_email(&state.public_url, email, &token.secret, hours(ttl)),
    }
}

/// A password reset token mailed to `email`.
pub fn reset(state: &AppState, email: &str) -> PendingReset {
    let token = new_link_token();
    let ttl = state.settings.reset_ttl;
    PendingReset {
        token_digest: token.digest.as_str().to_owned(),
        expires_at: expiry(ttl),
        mail: mail::password_reset(&state.public_url, email, &token.secret, hours(ttl)),
    }
}
