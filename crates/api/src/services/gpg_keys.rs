//! GPG keys: adding (the key read and its signatures checked on a blocking
//! thread), deleting and revoking, each with its security event in one
//! transaction.
use crate::http::error::ApiError;
use crate::services::audit::Actor;
use crate::state::AppState;
use roster_domain::GpgPublicKey;
use roster_persistence::gpg_keys::{self, GpgKeyRow};
use roster_persistence::{users, write_transaction};
use serde_json::json;

/// How a key goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// `DELETE …/gpg_keys/:key_id`.
    Deleted,
    /// `POST …/gpg_keys/:key_id/revoke`: gone too, and recorded as revoked
    /// (GitLab also marks what it signed as unverified; Roster keeps no
    /// signatures).
    Revoked,
}

/// Adds `text` as a key of `user_id`: `400` for anything but one valid
/// public key, `400` (`fingerprint has already been taken`) for a key
/// anyone has, `404` for no such user.
pub async fn add(state: &AppState, actor: Actor, user_id: i64, text: String) -> Result<GpgKeyRow, ApiError> {
    state
        .db
        .run_api(move |conn| {
            let key = GpgPublicKey::parse(&text)?;
            write_transaction(conn, |conn| {
                users::find_user(conn, user_id)?.ok_or(ApiError::NotFound("User"))?;
                let row = gpg_keys::add(conn, user_id, &key)?;
                let details = json!({ "gpg_key_id": row.id, "fingerprint": row.fingerprint });
                actor.record(conn, "gpg_key_added", Some(user_id), details)?;
                Ok(row)
            })
        })
        .await
}

/// Removes key `key_id` of `user_id`; `false` when there is no such key.
pub async fn remove(
    state: &AppState,
    actor: Actor,
    user_id: i64,
    key_id: i64,
    how: Removal,
) -> Result<bool, ApiError> {
    state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let Some(row) = gpg_keys::find(conn, user_id, key_id)? else {
                    return Ok(false);
                };
                gpg_keys::delete(conn, user_id, key_id)?;
                let event = match how {
                    Removal::Deleted => "gpg_key_removed",
                    Removal::Revoked => "gpg_key_revoked",
                };
                let details = json!({ "gpg_key_id": row.id, "fingerprint": row.fingerprint });
                actor.record(conn, event, Some(user_id), details)?;
                Ok(true)
            })
        })
        .await
}
