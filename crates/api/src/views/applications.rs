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

/// An application a user authorized (`GET /user/authorized_applications`).
#[derive(Serialize, ToSchema)]
pub struct AuthorizedApplicationView {
    /// The grant's id (what `DELETE` takes).
    id: i64,
    application: AuthorizedApplicationName,
    /// The scopes granted.
    scopes: Vec<String>,
    created_at: String,
    /// When a token was last issued under the grant.
    last_used_at: Option<String>,
}

/// The application of an authorization.
#[derive(Serialize, ToSchema)]
pub struct AuthorizedApplicationName {
    id: i64,
    name: String,
}

/// The view of one authorization.
pub fn authorized(
    row: &roster_persistence::oauth_grants::AuthorizedApplication,
) -> AuthorizedApplicationView {
    AuthorizedApplicationView {
        id: row.grant.id,
        application: AuthorizedApplicationName {
            id: row.grant.application_id,
            name: row.application_name.clone(),
        },
        scopes: row
            .grant
            .scopes
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        created_at: crate::views::time(row.grant.created_at),
        last_used_at: row.last_used_at.map(crate::views::time),
    }
}
