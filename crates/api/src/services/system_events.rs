//! The events system hooks are sent (§14), written to the outbox in the
//! transaction of the change that caused them: none is sent for a change
//! that was rolled back, none is lost when a node stops. While no hook is
//! enabled nothing is written, so a deployment without hooks pays one
//! indexed lookup a change. Payloads are GitLab's system-hook payloads,
//! their times RFC 3339 as everywhere in the API.
use crate::views::time;
use roster_persistence::groups::GroupRow;
use roster_persistence::keys::KeyRow;
use roster_persistence::users::UserRow;
use roster_persistence::{system_hooks, DbConnection, RepoError};
use serde_json::{json, Value};

/// Writes `event_name` with `payload` (an object; `event_name` is added)
/// to the outbox, if some hook is enabled.
pub fn emit(conn: &mut DbConnection, event_name: &str, mut payload: Value) -> Result<(), RepoError> {
    if !system_hooks::any_enabled(conn)? {
        return Ok(());
    }
    if let Some(object) = payload.as_object_mut() {
        object.insert("event_name".into(), json!(event_name));
    }
    let webhook_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    system_hooks::record_event(conn, &webhook_id, event_name, &payload.to_string())
}

/// GitLab's user payload (`user_create`, `user_destroy`, …).
pub fn user_payload(user: &UserRow) -> Value {
    json!({
        "created_at": time(user.created_at),
        "updated_at": time(user.updated_at),
        "name": user.name,
        "email": user.email,
        "user_id": user.id,
        "username": user.username,
    })
}

/// A user event: GitLab's user payload, with `extra` fields added.
pub fn user_event(
    conn: &mut DbConnection,
    event_name: &str,
    user: &UserRow,
    extra: Value,
) -> Result<(), RepoError> {
    let mut payload = user_payload(user);
    if let (Some(object), Value::Object(extra)) = (payload.as_object_mut(), extra) {
        object.extend(extra);
    }
    emit(conn, event_name, payload)
}

/// A user event about the user with id `user`, as stored now (nothing when
/// the user is gone).
pub fn user_event_by_id(
    conn: &mut DbConnection,
    event_name: &str,
    user: i64,
    extra: Value,
) -> Result<(), RepoError> {
    match roster_persistence::users::find_user(conn, user)? {
        Some(row) => user_event(conn, event_name, &row, extra),
        None => Ok(()),
    }
}

/// `token_revoke`: a token of `user` stopped working. `token_type` is
/// `personal_access_token`, `group_access_token` or `oauth`; `token_id`
/// names a personal or group access token.
pub fn token_revoked(
    conn: &mut DbConnection,
    user: i64,
    token_type: &str,
    token_id: Option<i64>,
) -> Result<(), RepoError> {
    let mut token = json!({"token_type": token_type});
    if let Some(id) = token_id {
        token["token_id"] = json!(id);
    }
    user_event_by_id(conn, "token_revoke", user, token)
}

/// After a profile change: `user_rename` when the user name changed (with
/// `old_username`, as GitLab sends it), then `user_update`.
pub fn user_changed(conn: &mut DbConnection, before: &UserRow, after: &UserRow) -> Result<(), RepoError> {
    if before.username != after.username {
        user_event(
            conn,
            "user_rename",
            after,
            json!({"old_username": before.username}),
        )?;
    }
    user_event(conn, "user_update", after, json!({}))
}

/// After a change of state: `user_block` when the account became
/// blocked-like (blocked, banned, waiting for approval), `user_unblock` when
/// it stopped being so; each with the new `state`.
pub fn state_changed(
    conn: &mut DbConnection,
    user: i64,
    from: roster_domain::UserState,
    to: roster_domain::UserState,
) -> Result<(), RepoError> {
    let event = match (from.is_blocked(), to.is_blocked()) {
        (false, true) => "user_block",
        (true, false) => "user_unblock",
        _ => return Ok(()),
    };
    user_event_by_id(conn, event, user, json!({"state": to.as_str()}))
}

/// `key_create` or `key_destroy`.
pub fn key_event(
    conn: &mut DbConnection,
    event_name: &str,
    key: &KeyRow,
    username: &str,
) -> Result<(), RepoError> {
    emit(
        conn,
        event_name,
        json!({
            "created_at": time(key.created_at),
            "updated_at": time(key.created_at),
            "key": key.key,
            "id": key.id,
            "username": username,
        }),
    )
}

/// `group_create` or `group_destroy`.
pub fn group_event(conn: &mut DbConnection, event_name: &str, group: &GroupRow) -> Result<(), RepoError> {
    emit(conn, event_name, group_payload(group))
}

fn group_payload(group: &GroupRow) -> Value {
    json!({
        "created_at": time(group.created_at),
        "updated_at": time(group.updated_at),
        "name": group.name,
        "path": group.path,
        "full_path": group.full_path,
        "group_id": group.id,
        // GitLab's payload names a group's owner as a namespace's, and
        // sends null for a group.
        "owner_name": null,
        "owner_email": null,
    })
}

/// `user_add_to_group`, `user_remove_from_group` or `user_update_for_group`.
pub fn member_event(
    conn: &mut DbConnection,
    event_name: &str,
    group: &GroupRow,
    user: &UserRow,
    access_level: roster_domain::AccessLevel,
    expires_at: Option<chrono::NaiveDate>,
) -> Result<(), RepoError> {
    let at = roster_persistence::now();
    emit(
        conn,
        event_name,
        json!({
            "created_at": time(at),
            "updated_at": time(at),
            "group_name": group.name,
            "group_path": group.path,
            "group_id": group.id,
            "user_username": user.username,
            "user_name": user.name,
            "user_email": user.email,
            "user_id": user.id,
            "group_access": access_level.name(),
            "expires_at": expires_at.map(crate::views::date),
        }),
    )
}
