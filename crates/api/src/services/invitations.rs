//! Invitations to groups by e-mail address: sent through the outbox,
//! accepted by whoever holds that address, confirmed. Each write and its
//! security event (and mail) share one transaction.
use crate::background::mail;
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::inputs::groups::{Invite, UpdateInvitation};
use crate::services::audit::Actor;
use crate::services::groups::visible;
use crate::services::links::new_link_token;
use crate::services::members::add_in;
use crate::state::AppState;
use roster_domain::{AccessLevel, TokenDigest};
use roster_persistence::groups::{self, GroupRow};
use roster_persistence::invitations::{self, InvitationRow, NewInvitation};
use roster_persistence::members::MemberRow;
use roster_persistence::users::UserRow;
use roster_persistence::{emails, members, outbox, users, write_transaction, RepoError, Taken};
use serde_json::json;
use std::collections::BTreeMap;

const INVITATION: &str = "Invitation";

fn level_of(row: &InvitationRow) -> AccessLevel {
    AccessLevel::from_value(row.access_level.into()).unwrap_or(AccessLevel::Guest)
}

/// `POST /groups/:id/invitations`: each address that belongs to a confirmed
/// user makes them a member at once (as GitLab does); each other one gets
/// an invitation by mail. What could not be done is told per address.
pub async fn invite(
    state: &AppState,
    caller: &Caller,
    reference: String,
    input: Invite,
) -> Result<BTreeMap<String, String>, ApiError> {
    let caller = caller.clone();
    let actor = Actor::of(&caller);
    let public_url = state.public_url.clone();
    state
        .db
        .write(move |conn| {
            let (group, role) = visible(conn, Some(&caller), &reference)?;
            if !role.can_grant(input.access_level) {
                return Err(ApiError::Forbidden(None));
            }
            let mut refused = BTreeMap::new();
            for email in &input.email {
                let email = email.as_str();
                if let Some((_, user)) = emails::find_confirmed_address(conn, email)? {
                    // In a savepoint: a refused insert must not spoil the
                    // transaction (PostgreSQL) for the other addresses.
                    let added = write_transaction(conn, |conn| {
                        add_in(conn, &actor, &group, user.id, input.access_level, input.expires_at)
                    });
                    match added {
                        Ok(_) => {}
                        Err(ApiError::Conflict(_)) => {
                            refused.insert(email.to_owned(), "User is already a member of this group".into());
                        }
                        Err(e) => return Err(e),
                    }
                    continue;
                }
                let token = new_link_token();
                let new = NewInvitation {
                    group_id: group.id,
                    email: email.to_owned(),
                    access_level: input.access_level.value(),
                    expires_at: input.expires_at,
                    token_digest: token.digest.as_str().to_owned(),
                    created_by: caller.user.id,
                };
                let created = write_transaction(conn, |conn| invitations::create_invitation(conn, &new));
                match created {
                    Ok(row) => {
                        outbox::enqueue(
                            conn,
                            &mail::group_invitation(
                                &public_url,
                                email,
                                &group.full_name,
                                &caller.user.name,
                                input.access_level.name(),
                                &token.secret,
                            ),
                        )?;
                        actor.record_group(
                            conn,
                            "invitation_created",
                            group.id,
                            json!({"invitation_id": row.id, "email": email, "access_level": row.access_level}),
                        )?;
                    }
                    Err(RepoError::Taken(Taken::Invitation)) => {
                        refused.insert(email.to_owned(), "Invite email has already been taken".into());
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(refused)
        })
        .await
}

/// The group (visible, and managed by the caller: Maintainers and Owners)
/// and its invitation of `email`.
fn managed_invitation(
    conn: &mut roster_persistence::DbConnection,
    caller: &Caller,
    reference: &str,
    email: &str,
) -> Result<(GroupRow, roster_domain::GroupRole, InvitationRow), ApiError> {
    let (group, role) = visible(conn, Some(caller), reference)?;
    if !role.can_maintain() {
        return Err(ApiError::Forbidden(None));
    }
    let row = invitations::find_invitation(conn, group.id, &email.trim().to_lowercase())?
        .ok_or(ApiError::NotFound(INVITATION))?;
    Ok((group, role, row))
}

/// `PUT /groups/:id/invitations/:email`.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    reference: String,
    email: String,
    input: UpdateInvitation,
) -> Result<(InvitationRow, String), ApiError> {
    let caller = caller.clone();
    let actor = Actor::of(&caller);
    state
        .db
        .write(move |conn| {
            let (group, role, row) = managed_invitation(conn, &caller, &reference, &email)?;
            let new_level = input.access_level.unwrap_or(level_of(&row));
            if !role.can_manage(level_of(&row)) || !role.can_grant(new_level) {
                return Err(ApiError::Forbidden(None));
            }
            let updated = invitations::update_invitation(
                conn,
                &row,
                input.access_level.map(AccessLevel::value),
                input.expires_at,
            )?;
            actor.record_group(
                conn,
                "invitation_updated",
                group.id,
                json!({"invitation_id": row.id, "email": row.email, "access_level": updated.access_level}),
            )?;
            let sender = users::find_user(conn, row.created_by)?
                .map(|u| u.name)
                .unwrap_or_default();
            Ok((updated, sender))
        })
        .await
}

/// `DELETE /groups/:id/invitations/:email`.
pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    reference: String,
    email: String,
) -> Result<(), ApiError> {
    let caller = caller.clone();
    let actor = Actor::of(&caller);
    state
        .db
        .write(move |conn| {
            let (group, role, row) = managed_invitation(conn, &caller, &reference, &email)?;
            if !role.can_manage(level_of(&row)) {
                return Err(ApiError::Forbidden(None));
            }
            invitations::delete_invitation(conn, row.id)?;
            actor.record_group(
                conn,
                "invitation_deleted",
                group.id,
                json!({"invitation_id": row.id, "email": row.email}),
            )?;
            Ok(())
        })
        .await
}

/// The invitation of a link's secret, with its group.
pub fn find_by_secret(
    conn: &mut roster_persistence::DbConnection,
    secret: &str,
) -> Result<(InvitationRow, GroupRow), ApiError> {
    let row = invitations::find_by_digest(conn, TokenDigest::of(secret.trim()).as_str())?
        .ok_or(ApiError::NotFound(INVITATION))?;
    let group = groups::find_group(conn, row.group_id)?.ok_or(ApiError::NotFound(INVITATION))?;
    Ok((row, group))
}

/// `POST /invitations/accept`: the caller, holding the invited address
/// confirmed, becomes a member; the invitation is spent.
pub async fn accept(
    state: &AppState,
    caller: &Caller,
    secret: String,
) -> Result<(MemberRow, UserRow), ApiError> {
    let caller = caller.clone();
    state
        .db
        .write(move |conn| {
            let (row, group) = find_by_secret(conn, &secret)?;
            accept_in(conn, &caller, row, group)
        })
        .await
}

/// The invitation `id`, when it was sent to one of the caller's confirmed
/// addresses (`404` otherwise: nobody learns of others' invitations).
fn own_invitation(
    conn: &mut roster_persistence::DbConnection,
    caller: &Caller,
    id: i64,
) -> Result<(InvitationRow, GroupRow), ApiError> {
    let row = invitations::find_by_id(conn, id)?.ok_or(ApiError::NotFound(INVITATION))?;
    if !emails::confirmed_addresses(conn, caller.user.id)?.contains(&row.email) {
        return Err(ApiError::NotFound(INVITATION));
    }
    let group = groups::find_group(conn, row.group_id)?.ok_or(ApiError::NotFound(INVITATION))?;
    Ok((row, group))
}

/// The invitations waiting for the caller: those sent to their confirmed
/// addresses, with their groups.
pub async fn waiting_for(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<(InvitationRow, GroupRow)>, ApiError> {
    let user_id = caller.user.id;
    state
        .db
        .run(move |conn| {
            let mine = emails::confirmed_addresses(conn, user_id)?;
            let mut found = Vec::new();
            for row in invitations::invitations_to(conn, &mine)? {
                if let Some(group) = groups::find_group(conn, row.group_id)? {
                    found.push((row, group));
                }
            }
            Ok(found)
        })
        .await
}

/// Accepts the caller's invitation `id` (the account pages' button).
pub async fn accept_own(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<(MemberRow, UserRow), ApiError> {
    let caller = caller.clone();
    state
        .db
        .write(move |conn| {
            let (row, group) = own_invitation(conn, &caller, id)?;
            accept_in(conn, &caller, row, group)
        })
        .await
}

/// Declines the caller's invitation `id`: it is spent, and the group's
/// log says so.
pub async fn decline_own(state: &AppState, caller: &Caller, id: i64) -> Result<(), ApiError> {
    let caller = caller.clone();
    let actor = Actor::of(&caller);
    state
        .db
        .write(move |conn| {
            let (row, group) = own_invitation(conn, &caller, id)?;
            invitations::delete_invitation(conn, row.id)?;
            actor.record_group(
                conn,
                "invitation_declined",
                group.id,
                json!({"invitation_id": row.id, "email": row.email, "user_id": caller.user.id}),
            )?;
            Ok(())
        })
        .await
}

/// Spends the invitation `row` to `group`, making the caller a member.
fn accept_in(
    conn: &mut roster_persistence::DbConnection,
    caller: &Caller,
    row: InvitationRow,
    group: GroupRow,
) -> Result<(MemberRow, UserRow), ApiError> {
    let actor = Actor::of(caller);
    let mine = emails::confirmed_addresses(conn, caller.user.id)?;
    if !mine.contains(&row.email) {
        return Err(ApiError::Forbidden(Some(
            "This invitation was sent to an address you have not confirmed.".into(),
        )));
    }
    invitations::delete_invitation(conn, row.id)?;
    if members::direct_member(conn, group.id, caller.user.id)?.is_some() {
        return Err(ApiError::Conflict("Member already exists".into()));
    }
    let member = add_in(
        conn,
        &actor,
        &group,
        caller.user.id,
        level_of(&row),
        row.expires_at,
    )?;
    actor.record_group(
        conn,
        "invitation_accepted",
        group.id,
        json!({"invitation_id": row.id, "email": row.email, "user_id": caller.user.id}),
    )?;
    Ok((member, caller.user.clone()))
}
