//! E-mail addresses: secondary addresses and their confirmation tokens. The
//! primary address has a row too (so one unique index covers all), but is
//! managed through the user.
use crate::connection::{write_transaction, DbConnection};
use crate::error::RepoError;
use crate::now;
use crate::outbox::{self, NewMail};
use crate::schema::{email_changes, email_confirmations, emails, users};
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

pub(crate) fn insert_confirmation(
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
        let spent = diesel::update(
            email_confirmations::table
                .find(confirmation_id)
                .filter(email_confirmations::used_at.is_null()),
        )
        .set(email_confirmations::used_at.eq(at))
        .execute(conn)?;
        if spent == 0 {
            return Ok(None);
        }
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

/// Whether any user has `email` as a primary or secondary address.
pub fn email_taken(conn: &mut DbConnection, email: &str) -> Result<bool, RepoError> {
    Ok(emails::table
        .filter(emails::email.eq(email))
        .select(emails::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// A requested change of the primary address: the new address waits in
/// `users.unconfirmed_email` until its token is used. Older requests are
/// voided. `mails` (the link to the new address, the notice to the old one)
/// are queued in the same transaction. `Taken(Email)` when the address is
/// anyone's already.
pub fn request_email_change(
    conn: &mut DbConnection,
    user_id: i64,
    new_email: &str,
    token_digest: &str,
    expires_at: NaiveDateTime,
    mails: &[NewMail],
) -> Result<(), RepoError> {
    write_transaction(conn, |conn| {
        let at = now();
        if email_taken(conn, new_email)? {
            return Err(RepoError::Taken(crate::error::Taken::Email));
        }
        diesel::update(
            email_changes::table
                .filter(email_changes::user_id.eq(user_id))
                .filter(email_changes::used_at.is_null()),
        )
        .set(email_changes::used_at.eq(at))
        .execute(conn)?;
        diesel::insert_into(email_changes::table)
            .values((
                email_changes::user_id.eq(user_id),
                email_changes::email.eq(new_email),
                email_changes::token_digest.eq(token_digest),
                email_changes::expires_at.eq(expires_at),
                email_changes::created_at.eq(at),
            ))
            .execute(conn)?;
        diesel::update(users::table.find(user_id))
            .set((users::unconfirmed_email.eq(new_email), users::updated_at.eq(at)))
            .execute(conn)?;
        for mail in mails {
            outbox::enqueue(conn, mail)?;
        }
        Ok(())
    })
}

/// Uses an e-mail change token: the new address becomes the confirmed
/// primary one. `None` when the token is unknown, used, voided or expired;
/// `Taken(Email)` when someone took the address meanwhile.
pub fn confirm_email_change(
    conn: &mut DbConnection,
    token_digest: &str,
) -> Result<Option<crate::users::UserRow>, RepoError> {
    write_transaction(conn, |conn| {
        let at = now();
        let found: Option<(i64, i64, String)> = email_changes::table
            .filter(email_changes::token_digest.eq(token_digest))
            .filter(email_changes::used_at.is_null())
            .filter(email_changes::expires_at.gt(at))
            .select((email_changes::id, email_changes::user_id, email_changes::email))
            .first(conn)
            .optional()?;
        let Some((change_id, user_id, new_email)) = found else {
            return Ok(None);
        };
        let spent = diesel::update(
            email_changes::table
                .find(change_id)
                .filter(email_changes::used_at.is_null()),
        )
        .set(email_changes::used_at.eq(at))
        .execute(conn)?;
        if spent == 0 {
            return Ok(None);
        }
        let changes = crate::users::UserChangeset {
            email: Some(new_email.clone()),
            confirmed_at: Some(Some(at)),
            ..Default::default()
        };
        crate::users::update_user(conn, user_id, &changes, None)?;
        diesel::update(users::table.find(user_id))
            .set(users::unconfirmed_email.eq(None::<String>))
            .execute(conn)?;
        diesel::update(
            emails::table
                .filter(emails::user_id.eq(user_id))
                .filter(emails::email.eq(&new_email)),
        )
        .set(emails::confirmed_at.eq(at))
        .execute(conn)?;
        crate::users::find_user(conn, user_id)
    })
}

/// The user's confirmed address equal to `email` (primary or secondary), if
/// any: where a password reset may be sent. Unconfirmed addresses never
/// qualify.
pub fn find_confirmed_address(
    conn: &mut DbConnection,
    email: &str,
) -> Result<Option<(EmailRow, crate::users::UserRow)>, RepoError> {
    Ok(emails::table
        .inner_join(users::table)
        .filter(emails::email.eq(email))
        .filter(emails::confirmed_at.is_not_null())
        .select((EmailRow::as_select(), crate::users::UserRow::as_select()))
        .first(conn)
        .optional()?)
}

/// The user whose primary address is `email` and still unconfirmed, if any
/// (for "resend confirmation").
pub fn find_unconfirmed_primary(
    conn: &mut DbConnection,
    email: &str,
) -> Result<Option<(EmailRow, crate::users::UserRow)>, RepoError> {
    Ok(emails::table
        .inner_join(users::table)
        .filter(emails::email.eq(email))
        .filter(emails::confirmed_at.is_null())
        .select((EmailRow::as_select(), crate::users::UserRow::as_select()))
        .first(conn)
        .optional()?)
}

/// Stores a fresh confirmation token for an existing address and queues its mail.
pub fn resend_confirmation(
    conn: &mut DbConnection,
    email_id: i64,
    pending: &PendingConfirmation,
) -> Result<(), RepoError> {
    write_transaction(conn, |conn| insert_confirmation(conn, email_id, pending))
}

/// The user's confirmed addresses, primary included.
pub fn confirmed_addresses(conn: &mut DbConnection, user_id: i64) -> Result<Vec<String>, RepoError> {
    Ok(emails::table
        .filter(emails::user_id.eq(user_id))
        .filter(emails::confirmed_at.is_not_null())
        .select(emails::email)
        .load(conn)?)
}
