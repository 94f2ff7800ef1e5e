//! Adding and removing SSH keys, each with its security event in one
//! transaction.
use crate::http::error::ApiError;
use crate::inputs::keys::AddKey;
use crate::services::audit::Actor;
use crate::services::system_events;
use crate::state::AppState;
use roster_persistence::keys::{self, KeyRow, NewKey};
use roster_persistence::{now, users, write_transaction, RepoError};
use serde_json::json;

const USER: &str = "User";

/// Stores a new key for `user_id`, refusing an RSA key smaller than this
/// server accepts.
pub async fn add(state: &AppState, actor: Actor, user_id: i64, input: AddKey) -> Result<KeyRow, ApiError> {
    input.key.refuse_rsa_below(state.settings.min_rsa_bits)?;
    let AddKey {
        title,
        key,
        expires_at,
        usage_type: usage,
    } = input;
    state
        .db
        .run_api(move |conn| {
            write_transaction(conn, |conn| {
                let owner = users::find_user(conn, user_id)?.ok_or(ApiError::NotFound(USER))?;
                let row = keys::add_key(
                    conn,
                    &NewKey {
                        user_id,
                        title: title.as_str(),
                        key: key.as_str(),
                        algorithm: key.algorithm(),
                        fingerprint_sha256: key.sha256_fingerprint(),
                        fingerprint_md5: key.md5_fingerprint(),
                        usage_type: usage.as_str(),
                        expires_at,
                        created_at: now(),
                    },
                )?;
                actor.record(conn, "ssh_key_added", Some(user_id), key_details(&row))?;
                system_events::key_event(conn, "key_create", &row, &owner.username)?;
                Ok(row)
            })
        })
        .await
}

/// Deletes key `key_id` of `user_id`: whether the user exists, and whether
/// the key was deleted.
pub async fn remove(
    state: &AppState,
    actor: Actor,
    user_id: i64,
    key_id: i64,
) -> Result<(bool, bool), ApiError> {
    state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let Some(owner) = users::find_user(conn, user_id)? else {
                    return Ok((false, false));
                };
                let key = keys::find_user_key(conn, user_id, key_id)?;
                let deleted = keys::delete_key(conn, user_id, key_id)?;
                if deleted {
                    actor.record(conn, "ssh_key_removed", Some(user_id), json!({"key_id": key_id}))?;
                    if let Some(key) = &key {
                        system_events::key_event(conn, "key_destroy", key, &owner.username)?;
                    }
                }
                Ok::<_, RepoError>((true, deleted))
            })
        })
        .await
}

fn key_details(row: &KeyRow) -> serde_json::Value {
    json!({"key_id": row.id, "title": row.title, "fingerprint": row.fingerprint_sha256})
}
