//! Personal access tokens: issuing, and the writes of the token routes,
//! each with its security event in one transaction.
use crate::http::error::ApiError;
use crate::inputs::tokens::CreateToken;
use crate::services::audit::Actor;
use crate::services::system_events;
use crate::state::AppState;
use roster_domain::{Scope, Scopes, TokenExpiry, TokenKind, TokenSecret};
use roster_persistence::personal_tokens::{self, NewPat, PatRow, Rotation};
use roster_persistence::{users, write_transaction, DbConnection, RepoError};
use serde_json::json;

/// Stores a new personal access token for `user_id` and gives back its row
/// and secret.
pub fn issue_pat(
    conn: &mut DbConnection,
    user_id: i64,
    name: &str,
    scopes: &Scopes,
    expires_at: Option<TokenExpiry>,
) -> Result<(PatRow, TokenSecret), RepoError> {
    issue(conn, TokenKind::Personal, user_id, name, scopes, expires_at)
}

/// What a new token is besides its owner, name, scopes and expiry.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenExtras<'a> {
    /// What it is used for, in more words.
    pub description: Option<&'a str>,
    /// For an impersonation token: the admin who makes it.
    pub impersonated_by: Option<i64>,
}

/// Stores a new token of `kind` (a personal one, or a group bot's) for
/// `user_id`.
pub fn issue(
    conn: &mut DbConnection,
    kind: TokenKind,
    user_id: i64,
    name: &str,
    scopes: &Scopes,
    expires_at: Option<TokenExpiry>,
) -> Result<(PatRow, TokenSecret), RepoError> {
    issue_with(
        conn,
        kind,
        user_id,
        name,
        scopes,
        expires_at,
        TokenExtras::default(),
    )
}

/// Like [`issue`], with a description or as an impersonation token.
pub fn issue_with(
    conn: &mut DbConnection,
    kind: TokenKind,
    user_id: i64,
    name: &str,
    scopes: &Scopes,
    expires_at: Option<TokenExpiry>,
    extras: TokenExtras<'_>,
) -> Result<(PatRow, TokenSecret), RepoError> {
    let secret = TokenSecret::generate(kind);
    let digest = secret.digest();
    let row = personal_tokens::create_pat(
        conn,
        &NewPat {
            user_id,
            name,
            token_digest: digest.as_str(),
            scopes: &scopes.joined(),
            expires_at: expires_at.map(TokenExpiry::date),
            previous_id: None,
            created_at: roster_persistence::now(),
            description: extras.description,
            impersonation: extras.impersonated_by.is_some(),
            created_by_id: extras.impersonated_by,
        },
    )?;
    Ok((row, secret))
}

/// Which token `create` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    /// A personal access token, by its owner or an admin.
    Personal,
    /// An impersonation token.
    Impersonation {
        /// The admin who makes it.
        by: i64,
    },
}

/// `POST /user/personal_access_tokens`, `POST /users/:id/personal_access_tokens`
/// and `POST /users/:id/impersonation_tokens`: the token and its security
/// event, in one transaction. `404` for no such user; the `sudo` scope only
/// for admins' tokens.
pub async fn create(
    state: &AppState,
    actor: Actor,
    user_id: i64,
    input: CreateToken,
    made: Made,
) -> Result<(PatRow, TokenSecret), ApiError> {
    let CreateToken {
        name,
        scopes,
        expires_at,
        description,
    } = input;
    state
        .db
        .run_api(move |conn| {
            write_transaction(conn, |conn| {
                let owner = users::find_user(conn, user_id)?.ok_or(ApiError::NotFound("User"))?;
                if scopes.contains(Scope::Sudo) && !owner.is_admin {
                    return Err(ApiError::field("scopes", "sudo is for admins' tokens only"));
                }
                let extras = TokenExtras {
                    description: description.as_deref(),
                    impersonated_by: match made {
                        Made::Personal => None,
                        Made::Impersonation { by } => Some(by),
                    },
                };
                let (row, secret) = issue_with(
                    conn,
                    TokenKind::Personal,
                    user_id,
                    &name,
                    &scopes,
                    Some(expires_at),
                    extras,
                )?;
                let details = json!({"token_id": row.id, "name": row.name, "scopes": row.scopes});
                let event = match made {
                    Made::Personal => "personal_access_token_created",
                    Made::Impersonation { .. } => "impersonation_token_created",
                };
                actor.record(conn, event, Some(user_id), details)?;
                Ok((row, secret))
            })
        })
        .await
}

/// `token_revoke` for access token `id` of `owner`: a group access token
/// when the owner is a group's bot, else a personal one.
pub fn access_token_revoked(conn: &mut DbConnection, owner: i64, id: i64) -> Result<(), RepoError> {
    let bot = users::find_user(conn, owner)?.is_some_and(|u| u.bot_group_id.is_some());
    let kind = if bot {
        "group_access_token"
    } else {
        "personal_access_token"
    };
    system_events::token_revoked(conn, owner, kind, Some(id))
}

/// Revokes `token`, with its security event.
pub async fn revoke(state: &AppState, actor: Actor, token: &PatRow) -> Result<(), ApiError> {
    let (id, owner, impersonation) = (token.id, token.user_id, token.impersonation);
    state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                personal_tokens::revoke_pat(conn, id)?;
                actor.record(
                    conn,
                    if impersonation {
                        "impersonation_token_revoked"
                    } else {
                        "personal_access_token_revoked"
                    },
                    Some(owner),
                    json!({"token_id": id}),
                )?;
                access_token_revoked(conn, owner, id)
            })
        })
        .await
}

/// Rotates `token` into a new one that expires at `expires`, with the
/// security event of what happened (a rotation, or a revoked token's reuse).
pub async fn rotate(
    state: &AppState,
    actor: Actor,
    token: &PatRow,
    expires: TokenExpiry,
) -> Result<(Rotation, TokenSecret), ApiError> {
    let (id, owner) = (token.id, token.user_id);
    let (outcome, secret) = state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                // A group's bot keeps a group access token.
                let bot = users::find_user(conn, owner)?.is_some_and(|u| u.bot_group_id.is_some());
                let secret = TokenSecret::generate(if bot {
                    TokenKind::GroupAccess
                } else {
                    TokenKind::Personal
                });
                let outcome =
                    personal_tokens::rotate_pat(conn, id, secret.digest().as_str(), Some(expires.date()))?;
                match &outcome {
                    Rotation::Rotated(new) => {
                        actor.record(
                            conn,
                            "personal_access_token_rotated",
                            Some(owner),
                            json!({"token_id": id, "new_token_id": new.id}),
                        )?;
                        // The old token stops working.
                        access_token_revoked(conn, owner, id)?;
                    }
                    Rotation::ReuseDetected => actor.record(
                        conn,
                        "personal_access_token_reuse_detected",
                        Some(owner),
                        json!({"token_id": id}),
                    )?,
                    Rotation::Missing => {}
                }
                Ok::<_, RepoError>((outcome, secret))
            })
        })
        .await?;
    Ok((outcome, secret))
}
