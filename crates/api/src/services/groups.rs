//! Groups: finding one as a caller may see it, creating, changing and
//! deleting them, each write with its security event in one transaction.
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::inputs::groups::{CreateGroup, GroupFilterFields, UpdateGroup};
use crate::services::audit::Actor;
use crate::services::avatars;
use crate::services::system_events;
use crate::state::AppState;
use roster_domain::{visibility_problem, AccessLevel, GroupRole, Visibility, MAX_ANCESTORS};
use roster_persistence::groups::{self, GroupChanges, GroupFilter, GroupRow, GroupScope, NewGroup};
use roster_persistence::members::{self, NewMember};
use roster_persistence::{DbConnection, RepoError, Taken};
use serde_json::json;

pub(crate) const GROUP: &str = "Group";

/// What `caller` is to `group`.
pub fn role_in(conn: &mut DbConnection, caller: Option<&Caller>, group: i64) -> Result<GroupRole, RepoError> {
    let Some(caller) = caller else {
        return Ok(GroupRole::default());
    };
    let (level, member_below) = members::standing(conn, group, caller.user.id)?;
    Ok(GroupRole {
        signed_in: true,
        admin: caller.user.is_admin,
        external: caller.user.external,
        level: level.and_then(|l| AccessLevel::from_value(l.into())),
        member_below,
    })
}

/// The group `reference` (an id or a full path) names, with the caller's
/// role in it; `404` when there is none or the caller may not see it.
pub fn visible(
    conn: &mut DbConnection,
    caller: Option<&Caller>,
    reference: &str,
) -> Result<(GroupRow, GroupRole), ApiError> {
    let group = groups::find_by_reference(conn, reference)?.ok_or(ApiError::NotFound(GROUP))?;
    let role = role_in(conn, caller, group.id)?;
    if !role.can_read(Visibility::from_stored(&group.visibility)) {
        return Err(ApiError::NotFound(GROUP));
    }
    Ok((group, role))
}

/// Finds the group as [`visible`] does, in its own trip to the database.
pub async fn find(
    state: &AppState,
    caller: Option<&Caller>,
    reference: String,
) -> Result<(GroupRow, GroupRole), ApiError> {
    let caller = caller.cloned();
    state
        .db
        .run_api(move |conn| visible(conn, caller.as_ref(), &reference))
        .await
}

/// The groups a list may show the caller.
pub fn scope_for(caller: Option<&Caller>, all_available: Option<bool>) -> GroupScope {
    match caller {
        None => GroupScope::Readable {
            user: None,
            internal: false,
        },
        Some(c) if c.user.is_admin => GroupScope::All,
        Some(c) if all_available == Some(true) => GroupScope::Readable {
            user: Some(c.user.id),
            internal: !c.user.external,
        },
        Some(c) => GroupScope::MemberOf(c.user.id),
    }
}

/// The storage filter of a list's query parameters.
pub fn filter_of(caller: Option<&Caller>, f: &GroupFilterFields, scope: GroupScope) -> GroupFilter {
    let mut filter = GroupFilter::of(scope);
    filter.search = f.search.clone();
    filter.top_level_only = f.top_level_only.unwrap_or(false);
    filter.skip = f.skip_groups.clone();
    if let Some(c) = caller {
        if f.owned == Some(true) {
            filter.min_level = Some((c.user.id, AccessLevel::Owner.value()));
        }
        if let Some(level) = f.min_access_level {
            let wanted = filter.min_level.map_or(0, |(_, l)| l).max(level.value());
            filter.min_level = Some((c.user.id, wanted));
        }
    }
    filter
}

fn refuse_visibility(problem: &'static str) -> ApiError {
    ApiError::field("visibility_level", problem)
}

fn path_taken(e: RepoError) -> ApiError {
    match e {
        RepoError::Taken(Taken::GroupPath) => ApiError::field("path", "has already been taken"),
        other => other.into(),
    }
}

/// `POST /groups`: the caller becomes its Owner. Top-level groups need
/// `can_create_group`; subgroups, a Maintainer or Owner of the parent.
pub async fn create(state: &AppState, caller: &Caller, input: CreateGroup) -> Result<GroupRow, ApiError> {
    let avatar = match input.avatar {
        Some(upload) => Some(avatars::prepare(upload).await?),
        None => None,
    };
    let caller = caller.clone();
    let actor = Actor::of(&caller);
    state
        .db
        .write(move |conn| {
            let visibility = input.settings.visibility.unwrap_or(Visibility::Private);
            let parent = match input.group.parent_id {
                None => {
                    if !(caller.user.is_admin || caller.user.can_create_group) {
                        return Err(ApiError::Forbidden(Some(
                            "You cannot create top-level groups.".into(),
                        )));
                    }
                    None
                }
                Some(id) => {
                    let (parent, role) = visible(conn, Some(&caller), &id.to_string())
                        .map_err(|_| ApiError::NotFound("Parent Group"))?;
                    if !role.can_maintain() {
                        return Err(ApiError::Forbidden(Some(
                            "You cannot create subgroups in this group.".into(),
                        )));
                    }
                    if parent.depth as usize + 1 > MAX_ANCESTORS {
                        return Err(ApiError::field(
                            "parent_id",
                            format!("is too deep: a group has at most {MAX_ANCESTORS} ancestors"),
                        ));
                    }
                    Some(parent)
                }
            };
            let parent_visibility = parent.as_ref().map(|p| Visibility::from_stored(&p.visibility));
            if let Some(problem) = visibility_problem(visibility, parent_visibility, None) {
                return Err(refuse_visibility(problem));
            }
            let avatar = avatar
                .as_ref()
                .map(|a| avatars::store_image(conn, a))
                .transpose()?;
            let group = groups::create_group(
                conn,
                parent.as_ref(),
                &NewGroup {
                    name: input.group.name.as_str().to_owned(),
                    path: input.group.path.as_str().to_owned(),
                    description: input.settings.description.unwrap_or_default(),
                    visibility: visibility.as_str().to_owned(),
                    avatar,
                },
            )
            .map_err(path_taken)?;
            members::add_member(
                conn,
                &NewMember {
                    group_id: group.id,
                    user_id: caller.user.id,
                    access_level: AccessLevel::Owner.value(),
                    expires_at: None,
                    created_by: Some(caller.user.id),
                },
            )?;
            actor.record_group(
                conn,
                "group_created",
                group.id,
                json!({"full_path": group.full_path, "visibility": group.visibility}),
            )?;
            system_events::group_event(conn, "group_create", &group)?;
            let owner = AccessLevel::Owner;
            system_events::member_event(conn, "user_add_to_group", &group, &caller.user, owner, None)?;
            Ok(group)
        })
        .await
}

/// `PUT /groups/:id` (Owners).
pub async fn update(
    state: &AppState,
    caller: &Caller,
    reference: String,
    input: UpdateGroup,
) -> Result<GroupRow, ApiError> {
    let avatar = match input.avatar {
        Some(upload) => Some(avatars::prepare(upload).await?),
        None => None,
    };
    let caller = caller.clone();
    let actor = Actor::of(&caller);
    state
        .db
        .write(move |conn| {
            let (group, role) = visible(conn, Some(&caller), &reference)?;
            if !role.can_administer() {
                return Err(ApiError::Forbidden(None));
            }
            if let Some(visibility) = input.settings.visibility {
                let parent = group
                    .parent_id
                    .map(|p| groups::find_group(conn, p))
                    .transpose()?
                    .flatten()
                    .map(|p| Visibility::from_stored(&p.visibility));
                let widest_child = groups::child_visibilities(conn, group.id)?
                    .iter()
                    .map(|v| Visibility::from_stored(v))
                    .max();
                if let Some(problem) = visibility_problem(visibility, parent, widest_child) {
                    return Err(refuse_visibility(problem));
                }
            }
            let avatar = avatar
                .as_ref()
                .map(|a| avatars::store_image(conn, a))
                .transpose()?;
            let changes = GroupChanges {
                name: input.rename.name.map(|n| n.as_str().to_owned()),
                path: input.rename.path.map(|p| p.as_str().to_owned()),
                description: input.settings.description,
                visibility: input.settings.visibility.map(|v| v.as_str().to_owned()),
                avatar: avatar.map(Some),
            };
            let updated = groups::update_group(conn, &group, &changes).map_err(path_taken)?;
            if let (Some(old), true) = (&group.avatar, changes.avatar.is_some()) {
                roster_persistence::avatars::delete_unused_avatar(conn, old)?;
            }
            actor.record_group(
                conn,
                "group_updated",
                group.id,
                json!({
                    "full_path": updated.full_path,
                    "previous_full_path": group.full_path,
                    "visibility": updated.visibility,
                }),
            )?;
            Ok(updated)
        })
        .await
}

/// `DELETE /groups/:id` (Owners): the group, its subgroups, memberships,
/// invitations and tokens, in one transaction.
pub async fn delete(state: &AppState, caller: &Caller, reference: String) -> Result<(), ApiError> {
    let caller = caller.clone();
    let actor = Actor::of(&caller);
    state
        .db
        .write(move |conn| {
            let (group, role) = visible(conn, Some(&caller), &reference)?;
            if !role.can_administer() {
                return Err(ApiError::Forbidden(None));
            }
            let avatars = groups::delete_group(conn, group.id)?.unwrap_or_default();
            for name in avatars {
                roster_persistence::avatars::delete_unused_avatar(conn, &name)?;
            }
            actor.record_group(
                conn,
                "group_deleted",
                group.id,
                json!({"full_path": group.full_path}),
            )?;
            system_events::group_event(conn, "group_destroy", &group)?;
            Ok(())
        })
        .await
}
