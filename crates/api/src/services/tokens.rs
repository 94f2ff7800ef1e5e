//! Personal access tokens: issuing, and the writes of the token routes,
//! each with its security event in one transaction.
use crate::http::error::ApiError;
use crate::inputs::tokens::CreateToken;
use crate::services::audit::Actor;
use crate::state::AppState;
use roster_domain::{Scopes, TokenExpiry, TokenKind, TokenSecret};
use roster_persistence::personal_tokens::{self, NewPat, PatRow, Rotation};
use roster_persistence::{users, write_transaction, DbConnection, RepoError};
use serde_json::json;

/// Stores a new token for `user_id` and gives back its row and secret.
pub fn issue_pat(
    conn: &mut DbConnection,
    user_id: i64,
    name: &str,
    scopes: &Scopes,
    expires_at: Option<TokenExpiry>,
) -> Result<(PatRow, TokenSecret), RepoError> {
    issue(conn, TokenKind::Personal, user_id, name, scopes, expires_at)
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
        },
    )?;
    Ok((row, secret))
}

/// `POST /user/personal_access_tokens` and `POST /users/:id/personal_access_tokens`:
/// the token and its security event, in one transaction. `404` for no such user.
pub async fn create(
    state: &AppState,
    actor: Actor,
    user_id: i64,
    input: CreateToken,
) -> Result<(PatRow, TokenSecret), ApiError> {
    let CreateToken {
        name,
        scopes,
        expires_at,
    } = input;
    state
        .db
        .run_api(move |conn| {
            write_transaction(conn, |conn| {
                users::find_user(conn, user_id)?.ok_or(ApiError::NotFound("User"))?;
                let (row, secret) = issue_pat(conn, user_id, &name, &scopes, Some(expires_at))?;
                let details = json!({"token_id": row.id, "name": row.name, "scopes": row.scopes});
                actor.record(conn, "personal_access_token_created", Some(user_id), details)?;
                Ok((row, secret))
            })
        })
        .await
}

/// Revokes `token`, with its security event.
pub async fn revoke(state: &AppState, actor: Actor, token: &PatRow) -> Result<(), ApiError> {
    let (id, owner) = (token.id, token.user_id);
    state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                personal_tokens::revoke_pat(conn, id)?;
                actor.record(
                    conn,
                    "personal_access_token_revoked",
                    Some(owner),
                    json!({"token_id": id}),
                )
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
                    Rotation::Rotated(new) => actor.record(
                        conn,
                        "personal_access_token_rotated",
                        Some(owner),
                        json!({"token_id": id, "new_token_id": new.id}),
                    )?,
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
