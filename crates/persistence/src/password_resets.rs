//! Password reset tokens.
use crate::connection::{write_transaction, DbConnection};
use crate::error::RepoError;
use crate::now;
use crate::oauth_tokens;
use crate::outbox::{self, NewMail};
use crate::schema::{password_resets, users};
use crate::users::{find_user, UserRow};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A reset token to store, and the mail carrying it.
#[derive(Debug, Clone)]
pub struct PendingReset {
    pub token_digest: String,
    pub expires_at: NaiveDateTime,
    pub mail: NewMail,
}

/// Stores a reset token for `user_id` and queues its mail, voiding every
/// older unused token of that user.
pub fn request_reset(conn: &mut DbConnection, user_id: i64, pending: &PendingReset) -> Result<(), RepoError> {
    write_transaction(conn, |conn| insert_reset(conn, user_id, pending))
}

pub(crate) fn insert_reset(
    conn: &mut DbConnection,
    user_id: i64,
    pending: &PendingReset,
) -> Result<(), RepoError> {
    let at = now();
    diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(user_id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(at))
    .execute(conn)?;
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::user_id.eq(user_id),
            password_resets::token_digest.eq(&pending.token_digest),
            password_resets::expires_at.eq(pending.expires_at),
            password_resets::created_at.eq(at),
        ))
        .execute(conn)?;
    outbox::enqueue(conn, &pending.mail)
}

/// Spends a reset token: sets the new password hash, unlocks the account,
/// revokes every OAuth token of the user and queues `notice(user)`. `None`
/// when the token is unknown, used, voided or expired.
pub fn complete_reset(
    conn: &mut DbConnection,
    token_digest: &str,
    password_hash: &str,
    notice: impl FnOnce(&UserRow) -> NewMail,
) -> Result<Option<UserRow>, RepoError> {
    write_transaction(conn, |conn| {
        let at = now();
        let found: Option<(i64, i64)> = password_resets::table
            .filter(password_resets::token_digest.eq(token_digest))
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::expires_at.gt(at))
            .select((password_resets::id, password_resets::user_id))
            .first(conn)
            .optional()?;
        let Some((reset_id, user_id)) = found else {
            return Ok(None);
        };
        // Spend the token only if still unused: of two concurrent uses one wins.
        let spent = diesel::update(
            password_resets::table
                .find(reset_id)
                .filter(password_resets::used_at.is_null()),
        )
        .set(password_resets::used_at.eq(at))
        .execute(conn)?;
        if spent == 0 {
            return Ok(None);
        }
        diesel::update(users::table.find(user_id))
            .set((
                users::password_hash.eq(password_hash),
                users::failed_attempts.eq(0),
                users::locked_until.eq(None::<NaiveDateTime>),
                users::updated_at.eq(at),
            ))
            .execute(conn)?;
        oauth_tokens::revoke_user_tokens(conn, user_id, None)?;
        crate::browser_sessions::delete_for_user(conn, user_id)?;
        let user = find_user(conn, user_id)?.ok_or(RepoError::MissingReference)?;
        outbox::enqueue(conn, &notice(&user))?;
        Ok(Some(user))
    })
}

/// The user a usable reset token belongs to, without spending it.
pub fn peek_reset(conn: &mut DbConnection, token_digest: &str) -> Result<Option<UserRow>, RepoError> {
    let user_id: Option<i64> = password_resets::table
        .filter(password_resets::token_digest.eq(token_digest))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now()))
        .select(password_resets::user_id)
        .first(conn)
        .optional()?;
    match user_id {
        Some(id) => find_user(conn, id),
        None => Ok(None),
    }
}
