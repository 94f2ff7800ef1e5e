//! The JSON shape of OAuth applications (GitLab's).
use roster_persistence::applications::ApplicationRow;
use serde::Serialize;
use utoipa::ToSchema;

/// `Application`: `secret` only in the answers that make one.
#[derive(Serialize, ToSchema)]
pub struct ApplicationView {
    id: i64,
    /// The client id.
    application_id: String,
    application_name: String,
    /// The redirect URIs, one a line.
    callback_url: String,
    confidential: bool,
    /// Roster's: whether the consent page is skipped.
    trusted: bool,
    /// Roster's: the scopes it may ask for, space-separated.
    scopes: String,
    /// The client secret: shown when made, never again.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

/// The view of an application; `secret` only when it was just made.
pub fn application(row: &ApplicationRow, secret: Option<&str>) -> ApplicationView {
    ApplicationView {
        id: row.id,
        application_id: row.uid.clone(),
        application_name: row.name.clone(),
        callback_url: row.redirect_uris.clone(),
        confidential: row.confidential,
        trusted: row.trusted,
        scopes: row.scopes.clone(),
        secret: secret.map(str::to_owned),
    }
}
