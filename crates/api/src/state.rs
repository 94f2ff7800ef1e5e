//! What every handler can reach.
use crate::background::hashing::PasswordHasher;
use crate::background::load::RequestLoad;
use crate::db::Db;
use crate::settings::Settings;
use crate::views::ViewContext;
use std::sync::Arc;

/// Shared application state, built once at start.
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The password hashing pool.
    pub hasher: PasswordHasher,
    /// Requests being answered now; the hashing pool yields to them.
    pub load: Arc<RequestLoad>,
    /// The settings read at start.
    pub settings: Settings,
    /// The public base URL, without a trailing slash.
    pub public_url: String,
    /// Request metrics.
    pub metrics: crate::background::metrics::Metrics,
    /// Sends system hooks' test events and redeliveries.
    pub hook_sender: crate::background::hooks::Sender,
    /// The key that seals secrets at rest (TOTP seeds, signing keys).
    pub secrets: roster_domain::SecretKey,
    /// The JWKS, served from memory.
    pub jwks: crate::services::signing_keys::JwksCache,
    /// The signing key, kept in memory for a few seconds.
    pub signer: crate::services::signing_keys::SignerCache,
    /// The OpenID Connect discovery document, made at its first request.
    pub discovery: std::sync::OnceLock<String>,
}

impl AppState {
    /// What the views need, as of now.
    pub fn view_context(&self) -> ViewContext<'_> {
        ViewContext {
            public_url: &self.public_url,
            now: roster_persistence::now(),
        }
    }
}
