//! Account workflows that span several tables: creating a user with its
//! address, confirmation and reset; changing a password, which revokes
//! sessions and queues mail; deleting a user with its avatar; a profile
//! change with its mail. Each runs in one write transaction. They sit above
//! the single-table modules (`users`, `emails`, `password_resets`,
//! `oauth_tokens`, `social`, `outbox`), which never call back up here.
use crate::connection::{write_transaction, DbConnection};
use crate::error::RepoError;
use crate::outbox::{self, NewMail};
use crate::schema::{emails, users};
use crate::users::{link_identity, update_user, InsertUser, NewIdentity, UserChangeset, UserRow};
use crate::{now, oauth_tokens};
use diesel::prelude::*;

/// A new user: the required fields, then everything else as a changeset.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub confirmed: bool,
    pub profile: UserChangeset,
    pub identity: Option<NewIdentity>,
    /// A confirmation token for the primary address, with its mail.
    pub confirmation: Option<crate::emails::PendingConfirmation>,
    /// A password reset token, with its mail (admin create with `reset_password`).
    pub reset: Option<crate::password_resets::PendingReset>,
}

/// Creates a user with its primary address and optional identity, in one
/// transaction. Fails with `Taken` when the name, address or identity is taken.
pub fn create_user(conn: &mut DbConnection, new: &NewUser) -> Result<UserRow, RepoError> {
    write_transaction(conn, |conn| {
        let at = now();
        let confirmed_at = new.confirmed.then_some(at);
        let id: i64 = diesel::insert_into(users::table)
            .values(InsertUser {
                username: &new.username,
                email: &new.email,
                name: &new.name,
                password_hash: &new.password_hash,
                confirmed_at,
                created_at: at,
                updated_at: at,
            })
            .returning(users::id)
            .get_result(conn)?;
        let mut profile = new.profile.clone();
        profile.updated_at = Some(at);
        diesel::update(users::table.find(id))
            .set(&profile)
            .execute(conn)?;
        let email_id: i64 = diesel::insert_into(emails::table)
            .values((
                emails::user_id.eq(id),
                emails::email.eq(&new.email),
                emails::confirmed_at.eq(confirmed_at),
                emails::created_at.eq(at),
            ))
            .returning(emails::id)
            .get_result(conn)?;
        if let Some(identity) = &new.identity {
            link_identity(conn, id, identity)?;
        }
        if let Some(pending) = &new.confirmation {
            crate::emails::insert_confirmation(conn, email_id, pending)?;
        }
        if let Some(pending) = &new.reset {
            crate::password_resets::insert_reset(conn, id, pending)?;
        }
        Ok(users::table.find(id).select(UserRow::as_select()).first(conn)?)
    })
}

/// Deletes a user and, by cascade, everything it owns; its avatar image goes
/// too unless someone else shows the same one. `false` when absent.
pub fn delete_user(conn: &mut DbConnection, id: i64) -> Result<bool, RepoError> {
    write_transaction(conn, |conn| {
        let Some(avatar) = users::table
            .find(id)
            .select(users::avatar)
            .first::<Option<String>>(conn)
            .optional()?
        else {
            return Ok(false);
        };
        diesel::delete(users::table.find(id)).execute(conn)?;
        if let Some(name) = avatar {
            crate::avatars::delete_unused_avatar(conn, &name)?;
        }
        Ok(true)
    })
}

/// Sets a new password hash, revokes the user's OAuth tokens but those of the
/// sign-in `keep_family`, and queues `notice`, in one transaction.
pub fn change_password(
    conn: &mut DbConnection,
    id: i64,
    password_hash: &str,
    keep_family: Option<&str>,
    keep_session: Option<i64>,
    notice: &NewMail,
) -> Result<(), RepoError> {
    write_transaction(conn, |conn| {
        diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(password_hash),
                users::updated_at.eq(now()),
            ))
            .execute(conn)?;
        oauth_tokens::revoke_user_tokens(conn, id, keep_family)?;
        crate::browser_sessions::delete_others(conn, id, keep_session)?;
        outbox::enqueue(conn, notice)
    })
}

/// Deletes a user and queues `farewell` in the same transaction.
pub fn delete_user_with_notice(
    conn: &mut DbConnection,
    id: i64,
    farewell: &NewMail,
) -> Result<bool, RepoError> {
    write_transaction(conn, |conn| {
        let deleted = delete_user(conn, id)?;
        if deleted {
            outbox::enqueue(conn, farewell)?;
        }
        Ok(deleted)
    })
}

/// Updates the user's own profile and queues `mails`, in one transaction.
pub fn update_profile_with_mail(
    conn: &mut DbConnection,
    id: i64,
    changes: &UserChangeset,
    mails: &[NewMail],
) -> Result<Option<UserRow>, RepoError> {
    write_transaction(conn, |conn| {
        let updated = update_user(conn, id, changes, None)?;
        if updated.is_some() {
            for mail in mails {
                outbox::enqueue(conn, mail)?;
            }
        }
        Ok(updated)
    })
}
