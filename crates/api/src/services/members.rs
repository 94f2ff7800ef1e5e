//! Group members: adding, changing and removing them under GitLab's rules,
//! each write with its security event in one transaction. The caller's role
//! is read again inside the transaction, after the top-level group's lock:
//! two Owners demoting each other at once leave one Owner.
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::inputs::groups::{AddMember, MemberRef, UpdateMember};
use crate::services::audit::Actor;
use crate::services::groups::visible;
use crate::services::system_events;
use crate::state::AppState;
use roster_domain::{AccessLevel, GroupRole};
use roster_persistence::groups::{self, GroupRow};
use roster_persistence::members::{self, MemberRow, NewMember};
use roster_persistence::users::{self, UserRow};
use roster_persistence::{DbConnection, RepoError, Taken};
use serde_json::json;

const MEMBER: &str = "Member";

/// The group, locked for changes to its members, and the caller's role
/// in it.
fn locked(
    conn: &mut DbConnection,
    caller: &Caller,
    reference: &str,
) -> Result<(GroupRow, GroupRole), ApiError> {
    let (group, _) = visible(conn, Some(caller), reference)?;
    let top = groups::ancestors(conn, group.id)?
        .first()
        .map_or(group.id, |g| g.id);
    groups::lock_group(conn, top)?;
    // Read after the lock: what a concurrent change left is what counts.
    visible(conn, Some(caller), &group.id.to_string())
}

fn level_of(member: &MemberRow) -> AccessLevel {
    AccessLevel::from_value(member.access_level.into()).unwrap_or(AccessLevel::Guest)
}

/// `403` when the change would leave a top-level group without an Owner.
fn keep_an_owner(conn: &mut DbConnection, group: &GroupRow, member: &MemberRow) -> Result<(), ApiError> {
    if group.parent_id.is_none()
        && level_of(member) == AccessLevel::Owner
        && members::owner_count(conn, group.id)? <= 1
    {
        return Err(ApiError::Forbidden(Some(
            "A group must keep at least one Owner: the last one cannot be removed or demoted.".into(),
        )));
    }
    Ok(())
}

fn details(group: &GroupRow, user: i64, level: i32) -> serde_json::Value {
    json!({"user_id": user, "access_level": level, "full_path": group.full_path})
}

/// Adds `user` to `group` at `level` inside the caller's transaction, with
/// its event; `409` when they are a member already.
pub fn add_in(
    conn: &mut DbConnection,
    actor: &Actor,
    group: &GroupRow,
    user: i64,
    level: AccessLevel,
    expires_at: Option<chrono::NaiveDate>,
) -> Result<MemberRow, ApiError> {
    let row = members::add_member(
        conn,
        &NewMember {
            group_id: group.id,
            user_id: user,
            access_level: level.value(),
            expires_at,
            created_by: actor.id,
        },
    )
    .map_err(|e| match e {
        RepoError::Taken(Taken::Member) => ApiError::Conflict("Member already exists".into()),
        other => other.into(),
    })?;
    actor.record_group(
        conn,
        "member_added",
        group.id,
        details(group, user, level.value()),
    )?;
    if let Some(member) = users::find_user(conn, user)? {
        system_events::member_event(conn, "user_add_to_group", group, &member, level, expires_at)?;
    }
    Ok(row)
}

/// `POST /groups/:id/members`: Owners add anyone at any level; Maintainers
/// up to their own.
pub async fn add(
    state: &AppState,
    caller: &Caller,
    reference: String,
    input: AddMember,
) -> Result<(MemberRow, UserRow), ApiError> {
    let caller = caller.clone();
    let actor = Actor::of(&caller);
    state
        .db
        .write(move |conn| {
            let (group, role) = locked(conn, &caller, &reference)?;
            if !role.can_grant(input.access_level) {
                return Err(ApiError::Forbidden(None));
            }
            let user = match &input.who {
                MemberRef::Id(id) => users::find_user(conn, *id)?,
                MemberRef::Username(name) => users::find_by_username(conn, name.as_str())?,
            }
            .ok_or(ApiError::NotFound("User"))?;
            let row = add_in(
                conn,
                &actor,
                &group,
                user.id,
                input.access_level,
                input.expires_at,
            )?;
            Ok((row, user))
        })
        .await
}

/// `PUT /groups/:id/members/:user_id`.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    reference: String,
    user_id: i64,
    input: UpdateMember,
) -> Result<(MemberRow, UserRow), ApiError> {
    let caller = caller.clone();
    let actor = Actor::of(&caller);
    state
        .db
        .write(move |conn| {
            let (group, role) = locked(conn, &caller, &reference)?;
            let member =
                members::direct_member(conn, group.id, user_id)?.ok_or(ApiError::NotFound(MEMBER))?;
            let new_level = input.access_level;
            if !role.can_manage(level_of(&member)) || !role.can_grant(new_level) {
                return Err(ApiError::Forbidden(None));
            }
            if new_level < AccessLevel::Owner {
                keep_an_owner(conn, &group, &member)?;
            }
            let row = members::update_member(conn, &member, Some(new_level.value()), input.expires_at)?;
            actor.record_group(
                conn,
                "member_updated",
                group.id,
                json!({
                    "user_id": user_id,
                    "access_level": row.access_level,
                    "previous_access_level": member.access_level,
                    "expires_at": row.expires_at.map(|d| d.to_string()),
                    "full_path": group.full_path,
                }),
            )?;
            let user = users::find_user(conn, user_id)?.ok_or(ApiError::NotFound("User"))?;
            system_events::member_event(
                conn,
                "user_update_for_group",
                &group,
                &user,
                new_level,
                row.expires_at,
            )?;
            Ok((row, user))
        })
        .await
}

/// `DELETE /groups/:id/members/:user_id`: a member may always leave (but
/// the last Owner of a top-level group may not).
pub async fn remove(
    state: &AppState,
    caller: &Caller,
    reference: String,
    user_id: i64,
) -> Result<(), ApiError> {
    let caller = caller.clone();
    let actor = Actor::of(&caller);
    state
        .db
        .write(move |conn| {
            let (group, role) = locked(conn, &caller, &reference)?;
            let member =
                members::direct_member(conn, group.id, user_id)?.ok_or(ApiError::NotFound(MEMBER))?;
            let leaving = user_id == caller.user.id;
            if !leaving && !role.can_manage(level_of(&member)) {
                return Err(ApiError::Forbidden(None));
            }
            keep_an_owner(conn, &group, &member)?;
            members::remove_member(conn, group.id, user_id)?;
            if let Some(user) = users::find_user(conn, user_id)? {
                let level = level_of(&member);
                system_events::member_event(
                    conn,
                    "user_remove_from_group",
                    &group,
                    &user,
                    level,
                    member.expires_at,
                )?;
            }
            actor.record_group(
                conn,
                "member_removed",
                group.id,
                details(&group, user_id, member.access_level),
            )?;
            Ok(())
        })
        .await
}
