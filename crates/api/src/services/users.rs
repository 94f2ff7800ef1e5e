//! Creating and changing users on an admin's behalf.
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::inputs::users::{CreateUser, PasswordChoice, UpdateUser};
use crate::services::audit::Actor;
use crate::services::user_views::Shown;
use crate::services::{avatars, links, system_events};
use crate::settings::EmailConfirmation;
use crate::state::AppState;
use roster_domain::{
    EmailAddress, Password, ProfileView, StateChange, TokenKind, TokenSecret, Transition, UserState,
    Username, Viewer,
};
use roster_persistence::accounts::NewUser;
use roster_persistence::users::{self, UserChangeset, UserRow};
use roster_persistence::write_transaction;
use serde_json::{json, Value};

const USER: &str = "User";

/// A random password for accounts created with `reset_password` or
/// `force_random_password`: nobody knows it; the owner resets it by mail.
pub fn random_password() -> Password {
    let secret = TokenSecret::generate(TokenKind::Personal);
    // 48 hex characters after the prefix: 192 bits, within bcrypt's 72 bytes.
    Password::parse(&secret.expose()["roster_pat_".len()..]).expect("48 characters is a valid password")
}

/// `POST /users`: hashes the password off the workers and stores the
/// user. `409` when the name or address is taken.
pub async fn create_user(
    state: &AppState,
    actor: Actor,
    viewer: Viewer,
    input: CreateUser,
) -> Result<Shown, ApiError> {
    let CreateUser {
        email,
        username,
        name,
        password,
        skip_confirmation,
        profile,
        identity,
        avatar,
    } = input;
    // Decode the image before anything is stored, so a bad one leaves nothing behind.
    let avatar = match avatar {
        Some(upload) => Some(avatars::prepare(upload).await?),
        None => None,
    };
    let (password_hash, reset) = stored_password(state, password).await?;
    // Like GitLab: the address is confirmed by mail unless the admin skips
    // it, and `reset_password` mails a link to choose a password.
    let confirmed = skip_confirmation || state.settings.email_confirmation == EmailConfirmation::Off;
    let new = NewUser {
        confirmation: (!confirmed).then(|| links::confirmation(state, email.as_str())),
        reset: reset.then(|| links::reset(state, email.as_str())),
        username: username.into_inner(),
        email: email.into_inner(),
        name,
        password_hash,
        confirmed,
        profile,
        identity,
    };
    state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let user = roster_persistence::accounts::create_user(conn, &new)?;
                if let Some(avatar) = &avatar {
                    avatars::store(conn, user.id, avatar)?;
                }
                actor.record(
                    conn,
                    "user_created",
                    Some(user.id),
                    json!({"username": user.username}),
                )?;
                let user = users::find_user(conn, user.id)?.unwrap_or(user);
                system_events::user_event(conn, "user_create", &user, json!({}))?;
                Shown::load(conn, user, viewer, ProfileView::Admin, true)
            })
        })
        .await
}

/// The hash to store for a new user's password choice, and whether a reset
/// link is to be mailed.
pub async fn stored_password(state: &AppState, choice: PasswordChoice) -> Result<(String, bool), ApiError> {
    Ok(match choice {
        PasswordChoice::Given(p) => (state.hasher.hash(p).await?, false),
        PasswordChoice::MailedLink => (state.hasher.hash(random_password()).await?, true),
        PasswordChoice::Random => (state.hasher.hash(random_password()).await?, false),
        // Stored as it came (it is not re-hashed now): the first sign-in
        // replaces it with Roster's own.
        PasswordChoice::Imported(hash) => (hash.into_inner(), false),
    })
}

/// `PUT /users/:id`: a partial update by an admin. `None` when absent.
pub async fn update_user(
    state: &AppState,
    actor: Actor,
    viewer: Viewer,
    id: i64,
    input: UpdateUser,
) -> Result<Option<Shown>, ApiError> {
    let UpdateUser {
        email,
        username,
        password,
        mut changes,
        identity,
        avatar,
        fields_given,
    } = input;
    let password_set = password.is_some();
    let details = json!({"fields": fields_given, "password_set": password_set});
    let avatar = match avatar {
        Some(upload) => Some(avatars::prepare(upload).await?),
        None => None,
    };
    changes.email = email.map(EmailAddress::into_inner);
    changes.username = username.map(Username::into_inner);
    if let Some(password) = password {
        changes.password_hash = Some(state.hasher.hash(password).await?);
    }
    state
        .db
        .run_api(move |conn| {
            write_transaction(conn, |conn| {
                crate::services::privacy::check_public_email(conn, id, &changes)?;
                let Some(before) = users::find_user(conn, id)? else {
                    return Ok(None);
                };
                if users::update_user(conn, id, &changes, identity.as_ref())?.is_none() {
                    return Ok(None);
                }
                if let Some(avatar) = &avatar {
                    avatars::store(conn, id, avatar)?;
                }
                actor.record(conn, "user_updated", Some(id), details)?;
                let Some(updated) = users::find_user(conn, id)? else {
                    return Ok(None);
                };
                system_events::user_changed(conn, &before, &updated)?;
                if password_set {
                    system_events::user_event(conn, "password_change", &updated, json!({}))?;
                }
                Ok(Some(Shown::load(
                    conn,
                    updated,
                    viewer,
                    ProfileView::Admin,
                    true,
                )?))
            })
        })
        .await
}

/// `DELETE /users/:id`: the user, their rows and their avatar, with the
/// event, in one transaction. Admins delete themselves at `DELETE /user`.
pub async fn delete_user(state: &AppState, caller: &Caller, id: i64) -> Result<(), ApiError> {
    if caller.user.id == id {
        return Err(ApiError::Forbidden(Some(
            "You cannot delete yourself here; use DELETE /api/v4/user.".into(),
        )));
    }
    let actor = Actor::of(caller);
    state
        .db
        .run_api(move |conn| {
            write_transaction(conn, |conn| {
                let user = users::find_user(conn, id)?.ok_or(ApiError::NotFound(USER))?;
                if !roster_persistence::accounts::delete_user(conn, id)? {
                    return Err(ApiError::NotFound(USER));
                }
                actor.record(conn, "user_deleted", Some(id), Value::Null)?;
                system_events::user_event(conn, "user_destroy", &user, json!({}))?;
                Ok(())
            })
        })
        .await
}

/// Blocks, unblocks, deactivates, activates, bans, unbans or approves a
/// user, as the domain's state machine allows; `false` when the user already
/// was in that state. Admins may not block, deactivate or ban themselves. An
/// approved user is told by mail, in the same transaction.
pub async fn change_state(
    state: &AppState,
    caller: &Caller,
    id: i64,
    t: Transition,
) -> Result<bool, ApiError> {
    if caller.user.id == id && !matches!(t, Transition::Activate | Transition::Unblock) {
        return Err(ApiError::Forbidden(Some(
            "You cannot change the state of your own account.".into(),
        )));
    }
    let actor = Actor::of(caller);
    let public_url = state.public_url.clone();
    state
        .db
        .run_api(move |conn| {
            write_transaction(conn, |conn| {
                let user = users::find_user(conn, id)?.ok_or(ApiError::NotFound(USER))?;
                let current = UserState::from_stored(&user.state)
                    .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("unknown state {:?}", user.state)))?;
                match current.apply(t) {
                    StateChange::To(next) => {
                        users::set_state(conn, id, next.as_str())?;
                        actor.record(conn, t.event(), Some(id), json!({ "from": current.as_str() }))?;
                        system_events::state_changed(conn, id, current, next)?;
                        if t == Transition::Approve {
                            let welcome = crate::background::mail::sign_up_approved(
                                &public_url,
                                &user.email,
                                &user.username,
                            );
                            roster_persistence::outbox::enqueue(conn, &welcome)?;
                        }
                        Ok(true)
                    }
                    StateChange::Unchanged => Ok(false),
                    StateChange::Forbidden(why) => Err(ApiError::Forbidden(Some(why.into()))),
                    StateChange::Refused(why) => Err(ApiError::Refused(why)),
                    StateChange::Conflict(why) => Err(ApiError::Conflict(why.into())),
                }
            })
        })
        .await
}

/// `POST /users/:id/reject`: deletes a sign-up that waits for approval, with
/// its event and a mail to the address it gave, in one transaction; the
/// user as it was. `409` for anyone not pending.
pub async fn reject_sign_up(state: &AppState, caller: &Caller, id: i64) -> Result<UserRow, ApiError> {
    let actor = Actor::of(caller);
    state
        .db
        .run_api(move |conn| {
            write_transaction(conn, |conn| {
                let user = users::find_user(conn, id)?.ok_or(ApiError::NotFound(USER))?;
                if UserState::from_stored(&user.state) != Some(UserState::PendingApproval) {
                    return Err(ApiError::Conflict("User does not have a pending request".into()));
                }
                if !roster_persistence::accounts::delete_user(conn, id)? {
                    return Err(ApiError::NotFound(USER));
                }
                actor.record(
                    conn,
                    "user_rejected",
                    Some(id),
                    json!({ "username": user.username }),
                )?;
                system_events::user_event(conn, "user_destroy", &user, json!({}))?;
                roster_persistence::outbox::enqueue(
                    conn,
                    &crate::background::mail::sign_up_rejected(&user.email, &user.username),
                )?;
                Ok(user)
            })
        })
        .await
}

/// `POST /users/:id/confirm`: the primary address counts as confirmed
/// from now on.
pub async fn confirm_user(state: &AppState, caller: &Caller, id: i64) -> Result<(), ApiError> {
    let actor = Actor::of(caller);
    state
        .db
        .run_api(move |conn| {
            write_transaction(conn, |conn| {
                let newly = match users::confirm_primary(conn, id)? {
                    users::PrimaryConfirmation::Missing => return Err(ApiError::NotFound(USER)),
                    users::PrimaryConfirmation::Confirmed => true,
                    users::PrimaryConfirmation::AlreadyConfirmed => false,
                };
                actor.record(conn, "user_confirmed", Some(id), Value::Null)?;
                // Hooks hear of an address confirmed, not of a repeated request.
                if newly {
                    if let Some(user) = users::find_user(conn, id)? {
                        let confirmed = json!({"confirmed_email": user.email});
                        system_events::user_event(conn, "email_confirm", &user, confirmed)?;
                    }
                }
                Ok(())
            })
        })
        .await
}

/// `DELETE /users/:id/identities/:provider`: the user can no longer sign
/// in through that provider.
pub async fn unlink_identity(
    state: &AppState,
    caller: &Caller,
    id: i64,
    provider: String,
) -> Result<(), ApiError> {
    let actor = Actor::of(caller);
    state
        .db
        .run_api(move |conn| {
            write_transaction(conn, |conn| {
                users::find_user(conn, id)?.ok_or(ApiError::NotFound(USER))?;
                if !users::delete_identity(conn, id, &provider)? {
                    return Err(ApiError::NotFound("Identity"));
                }
                actor.record(
                    conn,
                    "identity_removed",
                    Some(id),
                    json!({ "provider": provider }),
                )?;
                Ok(())
            })
        })
        .await
}

/// Creates an admin from the command line, on the calling thread.
pub fn create_admin_now(
    conn: &mut roster_persistence::DbConnection,
    hasher: &crate::background::hashing::PasswordHasher,
    username: &str,
    email: &str,
    password: &Password,
) -> anyhow::Result<UserRow> {
    let username = Username::parse(username)?;
    let email = EmailAddress::parse(email)?;
    password.ensure_differs_from(username.as_str(), email.as_str())?;
    let new = NewUser {
        name: username.as_str().to_owned(),
        username: username.into_inner(),
        email: email.into_inner(),
        password_hash: hasher.hash_now(password)?,
        confirmed: true,
        profile: UserChangeset {
            is_admin: Some(true),
            ..UserChangeset::default()
        },
        identity: None,
        confirmation: None,
        reset: None,
    };
    Ok(roster_persistence::accounts::create_user(conn, &new)?)
}

/// Mails user `id` a link to choose a new password, as if they had asked
/// for one (the admin console's "send a reset"); only an active user who
/// signs in with a password can be sent one.
pub async fn send_reset(state: &AppState, caller: &Caller, id: i64) -> Result<(), ApiError> {
    let user = state
        .db
        .run(move |conn| users::find_user(conn, id))
        .await?
        .ok_or(ApiError::NotFound(USER))?;
    if UserState::from_stored(&user.state) != Some(UserState::Active) || user.is_bot() {
        return Err(ApiError::BadRequest(
            "Only an active user who signs in with a password can be sent a reset link.".into(),
        ));
    }
    let pending = links::reset(state, &user.email);
    let actor = Actor::of(caller);
    state
        .db
        .write(move |conn| {
            roster_persistence::password_resets::request_reset(conn, id, &pending)?;
            actor.record(conn, "password_reset_sent", Some(id), json!({"by_admin": true}))?;
            Ok(())
        })
        .await
}
