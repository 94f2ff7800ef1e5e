//! The operator's commands: `roster admin reset-password|disable-two-factor`, `roster user
//! list|block|unblock`, `roster token list|revoke` and `roster mail list`.
//! They work on the database directly (no token, no SMTP needed), through
//! the same storage calls, state rules and security events as the API.
use crate::background::hashing::PasswordHasher;
use crate::services::audit::Actor;
use anyhow::Context;
use roster_domain::{Password, StateChange, Transition, UserState};
use roster_persistence::outbox::MailRow;
use roster_persistence::personal_tokens::PatRow;
use roster_persistence::user_list::{self, UserFilter, UserOrder};
use roster_persistence::users::{self, UserRow};
use roster_persistence::{
    accounts, outbox, personal_tokens, write_transaction, DbConnection, PageRequest, RepoError,
};
use serde_json::{json, Value};

fn user_named(conn: &mut DbConnection, username: &str) -> anyhow::Result<UserRow> {
    users::find_by_username(conn, username)?.with_context(|| format!("no user named {username}"))
}

/// Sets a new password for `username` (a lost admin password, without
/// SMTP): the lockout is lifted, every OAuth token and browser session of
/// the account ends, the user is told by mail, and the change is a
/// security event.
pub fn reset_password(
    conn: &mut DbConnection,
    hasher: &PasswordHasher,
    username: &str,
    password: &Password,
) -> anyhow::Result<UserRow> {
    let user = user_named(conn, username)?;
    let hash = hasher.hash_now(password)?;
    let notice = crate::background::mail::password_changed(&user.email, &user.username);
    write_transaction(conn, |conn| {
        accounts::change_password(conn, user.id, &hash, None, None, &notice)?;
        users::clear_lockout(conn, user.id)?;
        Actor::default().record(
            conn,
            "password_reset_by_operator",
            Some(user.id),
            json!({"via": "command line"}),
        )
    })?;
    Ok(user)
}

/// Re-seals every value sealed with the secret key `current` (TOTP seeds,
/// signing keys, the recovery codes' key) with `new`, in one transaction:
/// all or nothing. How many values moved. Run it with the nodes stopped,
/// then give every node the new key.
pub fn reseal(
    conn: &mut DbConnection,
    current: &roster_domain::SecretKey,
    new: &roster_domain::SecretKey,
) -> anyhow::Result<usize> {
    write_transaction(conn, |conn| {
        let everything = roster_persistence::sealed::everything(conn)?;
        for (at, sealed) in &everything {
            let plain = current.open(sealed).map_err(|e| {
                anyhow::anyhow!("{at:?}: {e}; is ROSTER_SECRET_KEY (or the key file) the current key?")
            })?;
            roster_persistence::sealed::replace(conn, at, &new.seal(&plain))?;
        }
        Actor::default().record(
            conn,
            "secret_key_replaced",
            None,
            json!({"values": everything.len(), "via": "command line"}),
        )?;
        Ok::<usize, anyhow::Error>(everything.len())
    })
}

/// Removes every second factor of `username`, admins' included; `false`
/// when there was none.
pub fn disable_two_factor(conn: &mut DbConnection, username: &str) -> anyhow::Result<bool> {
    let user = user_named(conn, username)?;
    Ok(crate::services::two_factor::disable_on_server(conn, &user)?)
}

/// Users whose name, user name or e-mail address holds `search` (every
/// user without one), by id, at most `limit`.
pub fn list_users(
    conn: &mut DbConnection,
    search: Option<String>,
    limit: i64,
) -> anyhow::Result<Vec<UserRow>> {
    let filter = UserFilter {
        search,
        search_emails: true,
        ..UserFilter::default()
    };
    let page = user_list::list_users(
        conn,
        &filter,
        UserOrder::Id,
        false,
        PageRequest::Offset {
            page: 1,
            per_page: limit,
        },
    )?;
    Ok(page.items)
}

/// What a state change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// The state changed.
    Yes,
    /// The user was already in that state.
    AlreadySo,
}

/// Blocks or unblocks `username` by the API's rules (a blocked user's
/// sessions end; tokens stop working while blocked).
pub fn change_state(conn: &mut DbConnection, username: &str, t: Transition) -> anyhow::Result<Changed> {
    let user = user_named(conn, username)?;
    let current =
        UserState::from_stored(&user.state).with_context(|| format!("unknown state {}", user.state))?;
    let event = t.event();
    match current.apply(t) {
        StateChange::To(next) => {
            write_transaction(conn, |conn| {
                users::set_state(conn, user.id, next.as_str())?;
                Actor::default().record(conn, event, Some(user.id), json!({"via": "command line"}))
            })?;
            Ok(Changed::Yes)
        }
        StateChange::Unchanged => Ok(Changed::AlreadySo),
        StateChange::Forbidden(why) | StateChange::Conflict(why) => anyhow::bail!("{why}"),
        StateChange::Refused(why) => anyhow::bail!("{why}"),
    }
}

/// Personal access tokens, newest first: of `username`, or of everyone;
/// with their owners' user names.
pub fn list_tokens(
    conn: &mut DbConnection,
    username: Option<&str>,
    limit: i64,
) -> anyhow::Result<Vec<(PatRow, String)>> {
    let owner = match username {
        Some(name) => Some(user_named(conn, name)?),
        None => None,
    };
    let filter = personal_tokens::PatFilter {
        user_id: owner.as_ref().map(|u| u.id),
        ..Default::default()
    };
    let page = personal_tokens::list_pats(conn, &filter, 1, limit)?;
    let mut out = Vec::with_capacity(page.items.len());
    for pat in page.items {
        let name = match &owner {
            Some(u) => u.username.clone(),
            None => users::find_user(conn, pat.user_id)?.map_or_else(|| "?".into(), |u| u.username),
        };
        out.push((pat, name));
    }
    Ok(out)
}

/// Revokes personal access token `id`; `false` when there is none (or it
/// was revoked already).
pub fn revoke_token(conn: &mut DbConnection, id: i64) -> anyhow::Result<bool> {
    let Some(pat) = personal_tokens::find_pat(conn, id)? else {
        return Ok(false);
    };
    if pat.revoked {
        return Ok(false);
    }
    write_transaction(conn, |conn| {
        personal_tokens::revoke_pat(conn, id)?;
        Actor::default().record(
            conn,
            "personal_access_token_revoked",
            Some(pat.user_id),
            json!({"token_id": id, "via": "command line"}),
        )?;
        crate::services::tokens::access_token_revoked(conn, pat.user_id, id)?;
        Ok::<(), RepoError>(())
    })?;
    Ok(true)
}

/// Queued and sent messages, newest first, to `to` or to anyone.
pub fn list_mail(conn: &mut DbConnection, to: Option<&str>, limit: i64) -> anyhow::Result<Vec<MailRow>> {
    Ok(outbox::list(conn, to, limit)?)
}

/// A token as one JSON line.
pub fn token_line(pat: &PatRow, owner: &str) -> Value {
    json!({
        "id": pat.id,
        "username": owner,
        "name": pat.name,
        "scopes": pat.scopes.split(' ').filter(|s| !s.is_empty()).collect::<Vec<_>>(),
        "revoked": pat.revoked,
        "expires_at": pat.expires_at.map(|d| d.to_string()),
        "last_used_at": pat.last_used_at.map(crate::views::time),
    })
}

/// A user as one JSON line.
pub fn user_line(user: &UserRow) -> Value {
    json!({
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "email": user.email,
        "state": user.state,
        "is_admin": user.is_admin,
    })
}
