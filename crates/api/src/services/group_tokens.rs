//! Group access tokens (GitLab's): each is the personal access token of a
//! bot user made for it, a member of the group and of nothing else, so it
//! sees what that member sees. Its value starts `roster_gat_`.
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::inputs::groups::CreateGroupToken;
use crate::services::audit::Actor;
use crate::services::groups::visible;
use crate::services::links::new_link_token;
use crate::services::tokens::issue;
use crate::state::AppState;
use roster_domain::{GroupRole, TokenKind, TokenSecret, UserState};
use roster_persistence::accounts::{self, NewUser};
use roster_persistence::group_tokens;
use roster_persistence::groups::GroupRow;
use roster_persistence::members::{self, NewMember};
use roster_persistence::personal_tokens::{self, PatRow};
use roster_persistence::users::{self, UserChangeset};
use roster_persistence::DbConnection;
use serde_json::json;

const TOKEN: &str = "Group Access Token";

/// The group, if the caller administers it (Owners, admins).
fn administered(
    conn: &mut DbConnection,
    caller: &Caller,
    reference: &str,
) -> Result<(GroupRow, GroupRole), ApiError> {
    let (group, role) = visible(conn, Some(caller), reference)?;
    if !role.can_administer() {
        return Err(ApiError::Forbidden(None));
    }
    Ok((group, role))
}

/// The host of the public URL, for the bots' addresses.
fn host_of(public_url: &str) -> &str {
    let rest = public_url.split_once("://").map_or(public_url, |(_, r)| r);
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    if host.is_empty() {
        "localhost"
    } else {
        host
    }
}

/// `POST /groups/:id/access_tokens`: a bot member at the token's level and
/// its token, made together.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    reference: String,
    input: CreateGroupToken,
) -> Result<(PatRow, i32, TokenSecret), ApiError> {
    let caller = caller.clone();
    let actor = Actor::of(&caller);
    let host = host_of(&state.public_url).to_owned();
    state
        .db
        .write(move |conn| {
            let (group, role) = administered(conn, &caller, &reference)?;
            if !role.can_grant(input.access_level) {
                return Err(ApiError::Forbidden(Some(
                    "A token cannot have a higher level than yours.".into(),
                )));
            }
            let tag = &new_link_token().secret[..16];
            let username = format!("group_{}_bot_{tag}", group.id);
            let bot = accounts::create_user(
                conn,
                &NewUser {
                    name: format!("{} bot", input.name),
                    email: format!("{username}@noreply.{host}"),
                    username,
                    // Not a bcrypt hash: no password ever matches it.
                    password_hash: "!".into(),
                    confirmed: true,
                    profile: UserChangeset {
                        can_create_group: Some(false),
                        projects_limit: Some(0),
                        ..UserChangeset::default()
                    },
                    identity: None,
                    confirmation: None,
                    reset: None,
                },
            )?;
            group_tokens::mark_bot(conn, bot.id, group.id)?;
            members::add_member(
                conn,
                &NewMember {
                    group_id: group.id,
                    user_id: bot.id,
                    access_level: input.access_level.value(),
                    expires_at: Some(input.expires_at.date()),
                    created_by: Some(caller.user.id),
                },
            )?;
            let (row, secret) = issue(
                conn,
                TokenKind::GroupAccess,
                bot.id,
                &input.name,
                &input.scopes,
                Some(input.expires_at),
            )?;
            actor.record_group(
                conn,
                "group_access_token_created",
                group.id,
                json!({"token_id": row.id, "bot_user_id": bot.id, "scopes": input.scopes.joined(), "access_level": input.access_level.value()}),
            )?;
            Ok((row, input.access_level.value(), secret))
        })
        .await
}

/// `GET /groups/:id/access_tokens`.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    reference: String,
) -> Result<Vec<(PatRow, Option<i32>)>, ApiError> {
    let caller = caller.clone();
    state
        .db
        .run_api(move |conn| {
            let (group, _) = administered(conn, &caller, &reference)?;
            Ok(group_tokens::group_tokens(conn, group.id)?)
        })
        .await
}

/// `GET /groups/:id/access_tokens/:token_id`.
pub async fn get(
    state: &AppState,
    caller: &Caller,
    reference: String,
    token: i64,
) -> Result<(PatRow, Option<i32>), ApiError> {
    let caller = caller.clone();
    state
        .db
        .run_api(move |conn| {
            let (group, _) = administered(conn, &caller, &reference)?;
            group_tokens::group_token(conn, group.id, token)?.ok_or(ApiError::NotFound(TOKEN))
        })
        .await
}

/// `DELETE /groups/:id/access_tokens/:token_id`: the token is revoked, and
/// its bot leaves the group and is blocked.
pub async fn revoke(
    state: &AppState,
    caller: &Caller,
    reference: String,
    token: i64,
) -> Result<(), ApiError> {
    let caller = caller.clone();
    let actor = Actor::of(&caller);
    state
        .db
        .write(move |conn| {
            let (group, _) = administered(conn, &caller, &reference)?;
            let (row, _) =
                group_tokens::group_token(conn, group.id, token)?.ok_or(ApiError::NotFound(TOKEN))?;
            if row.revoked {
                return Err(ApiError::NotFound(TOKEN));
            }
            personal_tokens::revoke_pat(conn, row.id)?;
            members::remove_member(conn, group.id, row.user_id)?;
            users::set_state(conn, row.user_id, UserState::Blocked.as_str())?;
            actor.record_group(
                conn,
                "group_access_token_revoked",
                group.id,
                json!({"token_id": row.id, "bot_user_id": row.user_id}),
            )?;
            crate::services::tokens::access_token_revoked(conn, row.user_id, row.id)?;
            Ok(())
        })
        .await
}
