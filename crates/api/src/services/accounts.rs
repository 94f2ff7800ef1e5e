//! The account life cycle, done by the account's owner: sign-up, profile and
//! address changes, password change and reset, confirmation, self-deletion.
use crate::background::mail;
use crate::http::auth::{Caller, TokenUsed};
use crate::http::error::ApiError;
use crate::inputs::account::{
    ChangePassword, CurrentPassword, Registration, ResetComplete, UpdateOwnProfile,
};
use crate::services::audit::Actor;
use crate::services::user_views::Shown;
use crate::services::{links, system_events};
use crate::settings::EmailConfirmation;
use crate::state::AppState;
use actix_web::web;
use roster_domain::{EmailAddress, TokenDigest, UserState, Username};
use roster_persistence::accounts::NewUser;
use roster_persistence::users::{self, UserRow};
use roster_persistence::{emails, password_resets, write_transaction, RepoError, Taken};
use serde_json::{json, Value};

/// The answer to every reset request, known address or not.
pub const RESET_REQUESTED: &str = "If the address is registered, instructions have been sent.";

/// `POST /registrations`: a new, unconfirmed (unless confirmation is off)
/// account, with its confirmation mail queued in the same transaction.
pub async fn register(state: &AppState, input: Registration) -> Result<Shown, ApiError> {
    if !state.settings.signup_enabled {
        return Err(ApiError::Forbidden(Some("Sign-up is disabled.".into())));
    }
    let Registration {
        email,
        username,
        password,
        name,
        profile,
    } = input;
    let confirmed = state.settings.email_confirmation == EmailConfirmation::Off;
    let needs_approval = state.settings.signup_approval;
    let password_hash = state.hasher.hash(password).await?;
    let new = NewUser {
        confirmation: (!confirmed).then(|| links::confirmation(state, email.as_str())),
        reset: None,
        username: username.into_inner(),
        email: email.into_inner(),
        name,
        password_hash,
        confirmed,
        profile,
        identity: None,
    };
    state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let mut user = roster_persistence::accounts::create_user(conn, &new)?;
                if needs_approval {
                    // Blocked from the start: it can neither sign in nor use a
                    // token until an admin approves it (or is deleted if rejected).
                    let pending = UserState::PendingApproval.as_str();
                    users::set_state(conn, user.id, pending)?;
                    user.state = pending.to_owned();
                    Actor::default().record(conn, "sign_up_pending_approval", Some(user.id), Value::Null)?;
                }
                system_events::user_event(conn, "user_create", &user, json!({}))?;
                Shown::own(conn, user)
            })
        })
        .await
}

/// Checks `current_password` against the caller's password. Missing: the
/// GitLab "is missing" error; wrong: a field error.
pub async fn check_current_password(
    state: &AppState,
    user: &UserRow,
    given: Option<String>,
) -> Result<(), ApiError> {
    let Some(given) = given else {
        return Err(ApiError::Missing(vec!["current_password".into()]));
    };
    if state
        .hasher
        .verify(given, Some(user.password_hash.clone()))
        .await?
    {
        Ok(())
    } else {
        Err(ApiError::field("current_password", "is incorrect"))
    }
}

/// `PUT /user`: the caller's own profile. Changing the user name or the
/// e-mail address needs `current_password`; a new address waits in
/// `unconfirmed_email` until confirmed, and the old address is told.
pub async fn update_profile(
    state: &AppState,
    caller: &Caller,
    input: UpdateOwnProfile,
) -> Result<Shown, ApiError> {
    let user = &caller.user;
    let email = input.email.filter(|e| e.as_str() != user.email);
    let username = input.username.filter(|u| u.as_str() != user.username);
    let mut changes = input.profile.into_changeset();
    if email.is_some() || username.is_some() {
        check_current_password(state, user, input.current_password).await?;
    }
    changes.username = username.map(Username::into_inner);
    let mut mails = Vec::new();
    if let Some(new_email) = &email {
        mails.push(mail::primary_change_notice(
            &user.email,
            &user.username,
            new_email.as_str(),
        ));
        if state.settings.email_confirmation == EmailConfirmation::Off {
            changes.email = Some(new_email.as_str().to_owned());
        }
    }
    let id = user.id;
    let changed_identity = email.is_some() || changes.username.is_some();
    let identity_details = json!({
        "new_email": email.as_ref().map(|e| e.as_str().to_owned()),
        "new_username": changes.username.clone(),
    });
    let pending_change = match (&email, state.settings.email_confirmation) {
        (Some(new_email), EmailConfirmation::Soft | EmailConfirmation::Hard) => {
            let token = links::new_link_token();
            let ttl = state.settings.confirmation_ttl;
            mails.push(mail::confirm_new_primary(
                &state.public_url,
                &user.username,
                new_email.as_str(),
                &token.secret,
                ttl.as_secs() / 3600,
            ));
            Some((new_email.as_str().to_owned(), token.digest, links::expiry(ttl)))
        }
        _ => None,
    };
    let actor = Actor::of(caller);
    state
        .db
        .run_api(move |conn| {
            roster_persistence::write_transaction(conn, |conn| {
                crate::services::privacy::check_public_email(conn, id, &changes)?;
                let before = users::find_user(conn, id)?.ok_or(ApiError::NotFound("User"))?;
                let updated = if let Some((new_email, digest, expires_at)) = &pending_change {
                    emails::request_email_change(conn, id, new_email, digest.as_str(), *expires_at, &mails)?;
                    roster_persistence::accounts::update_profile_with_mail(conn, id, &changes, &[])?
                } else {
                    roster_persistence::accounts::update_profile_with_mail(conn, id, &changes, &mails)?
                }
                .ok_or(ApiError::NotFound("User"))?;
                if changed_identity {
                    actor.record(conn, "sign_in_identity_changed", Some(id), identity_details)?;
                }
                system_events::user_changed(conn, &before, &updated)?;
                Ok(Shown::own(conn, updated)?)
            })
        })
        .await
}

/// `PUT /user/password`: needs the current password; signs out the caller's
/// other OAuth sessions and tells the owner by mail.
pub async fn change_password(
    state: &AppState,
    caller: &Caller,
    input: ChangePassword,
) -> Result<(), ApiError> {
    let user = &caller.user;
    let ChangePassword {
        current_password,
        password,
        ..
    } = input;
    password.ensure_differs_from(&user.username, &user.email)?;
    check_current_password(state, user, Some(current_password)).await?;
    let hash = state.hasher.hash(password).await?;
    // The session the change is made from stays signed in; every other
    // one ends.
    let (keep_family, keep_session) = match &caller.token {
        TokenUsed::OAuth { family, .. } => (Some(family.clone()), None),
        TokenUsed::Session(id) => (None, Some(*id)),
        TokenUsed::Personal(_) => (None, None),
    };
    let notice = mail::password_changed(&user.email, &user.username);
    let id = user.id;
    let actor = Actor::of(caller);
    state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                roster_persistence::accounts::change_password(
                    conn,
                    id,
                    &hash,
                    keep_family.as_deref(),
                    keep_session,
                    &notice,
                )?;
                actor.record(conn, "password_changed", Some(id), Value::Null)?;
                system_events::user_event_by_id(conn, "password_change", id, json!({}))
            })
        })
        .await
}

/// `POST /password/reset`: answers at once, the same for every address; the
/// look-up and the mail happen afterwards, in the background. A reset goes
/// only to a confirmed address of an active account — exactly the stored
/// address that matched, never the text of the request.
pub fn request_reset(state: web::Data<AppState>, email: EmailAddress) -> Result<(), ApiError> {
    actix_web::rt::spawn(async move {
        let lookup = email.clone();
        let found = state
            .db
            .run(move |conn| emails::find_confirmed_address(conn, lookup.as_str()))
            .await;
        let (address, user) = match found {
            Ok(Some(found)) => found,
            Ok(None) => return,
            Err(e) => {
                log::error!("password reset look-up failed: {e}");
                return;
            }
        };
        // Bots never use a password, so they never get to set one.
        if UserState::from_stored(&user.state) != Some(UserState::Active) || user.is_bot() {
            return;
        }
        let pending = links::reset(&state, &address.email);
        if let Err(e) = state
            .db
            .run(move |conn| password_resets::request_reset(conn, user.id, &pending))
            .await
        {
            log::error!("storing a password reset failed: {e}");
        }
    });
    Ok(())
}

/// `POST /password/reset/complete`: spends the token, sets the password,
/// unlocks the account and signs out every OAuth session.
pub async fn complete_reset(
    state: &AppState,
    input: ResetComplete,
    ip: Option<&str>,
) -> Result<(), ApiError> {
    let ResetComplete {
        reset_token: token,
        password,
        ..
    } = input;
    let invalid = || ApiError::field("reset_token", "is invalid or has expired");
    let digest = TokenDigest::of(&token);
    let peek = digest.clone();
    let user = state
        .db
        .run(move |conn| password_resets::peek_reset(conn, peek.as_str()))
        .await?
        .ok_or_else(invalid)?;
    password.ensure_differs_from(&user.username, &user.email)?;
    let hash = state.hasher.hash(password).await?;
    let ip = ip.map(str::to_owned);
    let done = state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let done = password_resets::complete_reset(conn, digest.as_str(), &hash, |u| {
                    mail::password_changed(&u.email, &u.username)
                })?;
                if let Some(user) = &done {
                    Actor::user(user.id, ip.as_deref()).record(
                        conn,
                        "password_reset_completed",
                        Some(user.id),
                        Value::Null,
                    )?;
                    system_events::user_event(conn, "password_change", user, json!({}))?;
                }
                Ok::<_, RepoError>(done)
            })
        })
        .await?;
    done.ok_or_else(invalid)?;
    Ok(())
}

/// `POST /confirmations`: an added address, a new account's address, or a
/// new primary address. `None` when the token is not usable.
pub async fn confirm(state: &AppState, token: &str) -> Result<Option<UserRow>, ApiError> {
    let digest = TokenDigest::of(token.trim());
    state
        .db
        .run_api(move |conn| {
            write_transaction(conn, |conn| {
                if let Some((address, user)) = emails::confirm_by_token(conn, digest.as_str())? {
                    let confirmed = json!({"confirmed_email": address.email});
                    system_events::user_event(conn, "email_confirm", &user, confirmed)?;
                    return Ok(Some(user));
                }
                let changed = emails::confirm_email_change(conn, digest.as_str()).map_err(|e| match e {
                    RepoError::Taken(Taken::Email) => {
                        ApiError::Conflict("Email has already been taken".into())
                    }
                    other => other.into(),
                })?;
                if let Some(user) = &changed {
                    let confirmed = json!({"confirmed_email": user.email});
                    system_events::user_event(conn, "email_confirm", user, confirmed)?;
                }
                Ok(changed)
            })
        })
        .await
}

/// `POST /confirmations/resend`: answers at once; when the address is an
/// unconfirmed one, a new confirmation mail is queued in the background.
pub fn resend_confirmation(state: web::Data<AppState>, email: EmailAddress) -> Result<(), ApiError> {
    actix_web::rt::spawn(async move {
        let lookup = email.clone();
        let found = state
            .db
            .run(move |conn| emails::find_unconfirmed_primary(conn, lookup.as_str()))
            .await;
        if let Ok(Some((address, _))) = found {
            let pending = links::confirmation(&state, &address.email);
            if let Err(e) = state
                .db
                .run(move |conn| emails::resend_confirmation(conn, address.id, &pending))
                .await
            {
                log::error!("resending a confirmation failed: {e}");
            }
        }
    });
    Ok(())
}

/// `DELETE /user`: needs the current password. The last admin cannot
/// delete itself.
pub async fn delete_self(state: &AppState, caller: &Caller, input: CurrentPassword) -> Result<(), ApiError> {
    check_current_password(state, &caller.user, Some(input.current_password)).await?;
    let user = caller.user.clone();
    let actor = Actor::of(caller);
    let farewell = mail::account_deleted(&user.email, &user.username);
    state
        .db
        .run_api(move |conn| {
            // One transaction, so that two last admins cannot both go.
            write_transaction(conn, |conn| {
                if user.is_admin && users::count_admins(conn)? <= 1 {
                    return Err(ApiError::Forbidden(Some(
                        "The last admin cannot delete itself.".into(),
                    )));
                }
                roster_persistence::accounts::delete_user_with_notice(conn, user.id, &farewell)?;
                actor.record(conn, "account_deleted", Some(user.id), Value::Null)?;
                system_events::user_event(conn, "user_destroy", &user, json!({}))?;
                Ok(())
            })
        })
        .await
}
