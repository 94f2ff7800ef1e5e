//! The JSON shapes of groups, members, memberships, invitations and group
//! access tokens, in GitLab's shapes (§9).
use super::{date, time, PatView, ViewContext};
use chrono::NaiveDate;
use roster_persistence::groups::GroupRow;
use roster_persistence::invitations::InvitationRow;
use roster_persistence::members::MemberRow;
use roster_persistence::personal_tokens::PatRow;
use roster_persistence::users::UserRow;
use serde::Serialize;
use utoipa::ToSchema;

/// `Group`.
#[derive(Serialize, ToSchema)]
pub struct GroupView {
    id: i64,
    name: String,
    path: String,
    full_name: String,
    full_path: String,
    description: String,
    /// `private`, `internal` or `public`.
    visibility: String,
    parent_id: Option<i64>,
    web_url: String,
    avatar_url: Option<String>,
    created_at: String,
}

fn avatar_url(name: Option<&String>, ctx: &ViewContext<'_>) -> Option<String> {
    name.map(|n| format!("{}/uploads/avatars/{n}", ctx.public_url))
}

/// The view of a group.
pub fn group(row: &GroupRow, ctx: &ViewContext<'_>) -> GroupView {
    GroupView {
        id: row.id,
        name: row.name.clone(),
        path: row.path.clone(),
        full_name: row.full_name.clone(),
        full_path: row.full_path.clone(),
        description: row.description.clone(),
        visibility: row.visibility.clone(),
        parent_id: row.parent_id,
        web_url: format!("{}/groups/{}", ctx.public_url, row.full_path),
        avatar_url: avatar_url(row.avatar.as_ref(), ctx),
        created_at: time(row.created_at),
    }
}

/// `Member`: the user and their membership.
#[derive(Serialize, ToSchema)]
pub struct MemberView {
    id: i64,
    username: String,
    name: String,
    state: String,
    avatar_url: Option<String>,
    web_url: String,
    /// 10, 20, 30, 40 or 50.
    access_level: i32,
    created_at: String,
    expires_at: Option<String>,
    /// `active` (pending invitations are listed apart).
    membership_state: &'static str,
    /// The group the membership is in (for `members/all`, the ancestor it
    /// comes from).
    source_id: i64,
}

/// The view of a member.
pub fn member(m: &MemberRow, user: &UserRow, ctx: &ViewContext<'_>) -> MemberView {
    MemberView {
        id: user.id,
        username: user.username.clone(),
        name: user.name.clone(),
        state: user.state.clone(),
        avatar_url: avatar_url(user.avatar.as_ref(), ctx),
        web_url: format!("{}/{}", ctx.public_url, user.username),
        access_level: m.access_level,
        created_at: time(m.created_at),
        expires_at: m.expires_at.map(date),
        membership_state: "active",
        source_id: m.group_id,
    }
}

/// `Membership`: one of a user's memberships (`GET /users/:id/memberships`).
#[derive(Serialize, ToSchema)]
pub struct MembershipView {
    source_id: i64,
    source_name: String,
    /// Always `Namespace` (a group).
    source_type: &'static str,
    access_level: i32,
    /// Roster's: the group's full path (an organisation's has no `/`).
    source_full_path: String,
    /// Roster's: the top-level group, for a team.
    source_parent_id: Option<i64>,
    expires_at: Option<String>,
}

/// The view of a membership.
pub fn membership(m: &MemberRow, group: &GroupRow) -> MembershipView {
    MembershipView {
        source_id: group.id,
        source_name: group.name.clone(),
        source_type: "Namespace",
        access_level: m.access_level,
        source_full_path: group.full_path.clone(),
        source_parent_id: group.parent_id,
        expires_at: m.expires_at.map(date),
    }
}

/// `Invitation`.
#[derive(Serialize, ToSchema)]
pub struct InvitationView {
    id: i64,
    invite_email: String,
    /// Roster's: `invite_email` again, which clients such as python-gitlab
    /// read as the invitation's id in its routes.
    email: String,
    created_at: String,
    access_level: i32,
    expires_at: Option<String>,
    /// The invited person's name, once known (never, before acceptance).
    user_name: Option<String>,
    created_by_name: String,
}

/// The view of an invitation sent by `sender`.
pub fn invitation(row: &InvitationRow, sender: &str) -> InvitationView {
    InvitationView {
        id: row.id,
        invite_email: row.email.clone(),
        email: row.email.clone(),
        created_at: time(row.created_at),
        access_level: row.access_level,
        expires_at: row.expires_at.map(date),
        user_name: None,
        created_by_name: sender.to_owned(),
    }
}

/// `{"status": "success"}`, or `"error"` with a reason for each address.
#[derive(Serialize, ToSchema)]
pub struct InvitationOutcome {
    /// `success` or `error`.
    pub status: &'static str,
    /// For each address that was not invited, why.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub message: Option<std::collections::BTreeMap<String, String>>,
}

/// `GroupAccessToken`: a personal access token of the group's bot, with
/// the bot's level.
#[derive(Serialize, ToSchema)]
pub struct GroupTokenView {
    #[serde(flatten)]
    token: PatView,
    /// The bot member's level; `null` once the bot was removed.
    access_level: Option<i32>,
}

/// The view of a group token; `secret` only when it is made.
pub fn group_token(
    row: &PatRow,
    level: Option<i32>,
    today: NaiveDate,
    secret: Option<&str>,
) -> GroupTokenView {
    GroupTokenView {
        token: super::pat(row, today, secret),
        access_level: level,
    }
}
