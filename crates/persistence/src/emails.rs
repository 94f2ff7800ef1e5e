//! E-mail addresses: secondary addresses and their confirmation tokens. The
//! primary address has a row too (so one unique index covers all), but is
//! managed through the user.
use crate::connection::{write_transaction, DbConnection};
use crate::error::RepoError;
use crate::now;
use crate::outbox::{self, NewMail};
use crate::schema::{email_confirmations, emails, users};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// An address as stored.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = emails)]
pub struct EmailRow {
    pub id: i64,
    pub user_id: i64,
    pub email: String,
    pub confirmed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A confirmation token to store with a new address, and the mail carrying it.
#[derive(Debug, Clone)]
pub struct PendingConfirmation {
    pub token_digest: String,
    pub expires_at: NaiveDateTime,
    pub mail: NewMail,
}

/// The user's secondary addresses (every address but the primary), oldest first.
pub fn secondary_emails(conn: &mut DbConnection, user_id: i64) -> Result<Vec<EmailRow>, RepoError> {
    Ok(emails::table
        .inner_join(users::table)
        .filter(emails::user_id.eq(user_id))
        .filter(emails::email.ne(users::email))
        .order(emails::id.asc())
        .select(EmailRow::as_select())
        .load(conn)?)
}

/// One of the user's addresses, primary included.
pub fn find_email(
    conn: &mut DbConnection,
    user_id: i64,
    email_id: i64,
) -> Result<Option<EmailRow>, RepoError> {
    Ok(emails::table
        .filter(emails::id.eq(email_id))
        .filter(emails::user_id.eq(user_id))
        .select(EmailRow::as_select())
        .first(conn)
        .optional()?)
}

/// Adds a secondary address, confirmed now or with a pending confirmation
/// whose mail is queued in the same transaction. `Taken(Email)` when any user
/// has the address.
pub fn add_email(
    conn: &mut DbConnection,
    user_id: i64,
    email: &str,
    confirmation: Option<&PendingConfirmation>,
) -> Result<EmailRow, RepoError> {
    write_transaction(conn, |conn| {
        let at = now();
        let id: i64 = diesel::insert_into(emails::table)
            .values((
                emails::user_id.eq(user_id),
                emails::email.eq(email),
                emails::confirmed_at.eq(confirmation.is_none().then_some(at)),
                emails::created_at.eq(at),
            ))
            .returning(emails::id)
            .get_result(conn)?;
        if let Some(pending) = confirmation {
            insert_confirmation(conn, id, pending)?;
        }
        Ok(emails::table.find(id).select(EmailRow::as_select()).first(conn)?)
    })
}

fn insert_confirmation(
    conn: &mut DbConnection,
    email_id: i64,
    pending: &PendingConfirmation,
) -> Result<(), RepoError> {
    diesel::insert_into(email_confirmations::table)
        .values((
            email_confirmations::email_id.eq(email_id),
            email_confirmations::token_digest.eq(&pending.token_digest),
            email_confirmations::expires_at.eq(pending.expires_at),
            email_confirmations::created_at.eq(now()),
        ))
        .execute(conn)?;
    outbox::enqueue(conn, &pending.mail)
}

/// What deleting an address did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailDeletion {
    /// It was deleted.
    Deleted,
    /// The user has no such address.
    Missing,
    /// It is the primary address, which is changed, not deleted.
    Primary,
}

/// Deletes one of the user's secondary addresses.
pub fn delete_email(
    conn: &mut DbConnection,
    user_id: i64,
    email_id: i64,
) -> Result<EmailDeletion, RepoError> {
    write_transaction(conn, |conn| {
        let Some(row) = find_email(conn, user_id, email_id)? else {
            return Ok(EmailDeletion::Missing);
        };
        let primary: String = users::table.find(user_id).select(users::email).first(conn)?;
        if primary == row.email {
            return Ok(EmailDeletion::Primary);
        }
        diesel::delete(emails::table.find(email_id)).execute(conn)?;
        Ok(EmailDeletion::Deleted)
    })
}

/// Uses a confirmation token: confirms its address (and the user, when it is
/// the primary address) and spends the token. `None` when the token is
/// unknown, used or expired.
pub fn confirm_by_token(
    conn: &mut DbConnection,
    token_digest: &str,
) -> Result<Option<(EmailRow, crate::users::UserRow)>, RepoError> {
    write_transaction(conn, |conn| {
        let at = now();
        let found: Option<(i64, i64)> = email_confirmations::table
            .filter(email_confirmations::token_digest.eq(token_digest))
            .filter(email_confirmations::used_at.is_null())
            .filter(email_confirmations::expires_at.gt(at))
            .select((email_confirmations::id, email_confirmations::email_id))
            .first(conn)
            .optional()?;
        let Some((confirmation_id, email_id)) = found else {
            return Ok(None);
        };
        diesel::update(email_confirmations::table.find(confirmation_id))
            .set(email_confirmations::used_at.eq(at))
            .execute(conn)?;
        let email: EmailRow = emails::table
            .find(email_id)
            .select(EmailRow::as_select())
            .first(conn)?;
        if email.confirmed_at.is_none() {
            diesel::update(emails::table.find(email_id))
                .set(emails::confirmed_at.eq(at))
                .execute(conn)?;
            diesel::update(
                users::table
                    .find(email.user_id)
                    .filter(users::email.eq(&email.email))
                    .filter(users::confirmed_at.is_null()),
            )
            .set(users::confirmed_at.eq(at))
            .execute(conn)?;
        }
        let email: EmailRow = emails::table
            .find(email_id)
            .select(EmailRow::as_select())
            .first(conn)?;
        let user = crate::users::find_user(conn, email.user_id)?.ok_or(RepoError::MissingReference)?;
        Ok(Some((email, user)))
    })
}
