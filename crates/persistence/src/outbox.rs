//! The mail outbox: messages written in the same transaction as the change
//! that caused them, delivered later by a sender.
use crate::connection::{write_transaction, DbConnection};
use crate::error::RepoError;
use crate::now;
use crate::schema::outbox;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    /// What kind of message (`confirm_email`, …), for logs and metrics.
    pub kind: String,
    /// The address it goes to.
    pub recipient: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub body_text: String,
    /// The HTML part.
    pub body_html: String,
}

/// Queues a message. Call inside the transaction of the change it reports.
pub fn enqueue(conn: &mut DbConnection, mail: &NewMail) -> Result<(), RepoError> {
    let at = now();
    diesel::insert_into(outbox::table)
        .values((
            outbox::kind.eq(&mail.kind),
            outbox::recipient.eq(&mail.recipient),
            outbox::subject.eq(&mail.subject),
            outbox::body_text.eq(&mail.body_text),
            outbox::body_html.eq(&mail.body_html),
            outbox::next_attempt_at.eq(at),
            outbox::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Messages not yet sent.
pub fn pending_count(conn: &mut DbConnection) -> Result<i64, RepoError> {
    Ok(outbox::table
        .filter(outbox::sent_at.is_null())
        .count()
        .get_result(conn)?)
}

/// The newest queued messages to `recipient`, newest first (for tests and
/// support: what did we tell this address?).
pub fn messages_to(conn: &mut DbConnection, recipient: &str) -> Result<Vec<NewMail>, RepoError> {
    let rows: Vec<(String, String, String, String, String)> = outbox::table
        .filter(outbox::recipient.eq(recipient))
        .order(outbox::id.desc())
        .select((
            outbox::kind,
            outbox::recipient,
            outbox::subject,
            outbox::body_text,
            outbox::body_html,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(kind, recipient, subject, body_text, body_html)| NewMail {
            kind,
            recipient,
            subject,
            body_text,
            body_html,
        })
        .collect())
}

/// A queued message, as the sender sees it.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// Takes up to `limit` messages that are due and not leased by another
/// sender, leasing them to `owner` until `lease_until`. On PostgreSQL the
/// lease condition is re-checked on rows another node updated meanwhile, so
/// two nodes never lease the same message; SQLite serialises the writes.
pub fn claim_due(
    conn: &mut DbConnection,
    owner: &str,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<OutboxRow>, RepoError> {
    write_transaction(conn, |conn| {
        let at = now();
        let free = outbox::lease_until.is_null().or(outbox::lease_until.lt(at));
        let ids: Vec<i64> = outbox::table
            .filter(outbox::sent_at.is_null())
            .filter(outbox::next_attempt_at.le(at))
            .filter(free)
            .order(outbox::id.asc())
            .limit(limit)
            .select(outbox::id)
            .load(conn)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(
            outbox::table
                .filter(outbox::id.eq_any(&ids))
                .filter(outbox::sent_at.is_null())
                .filter(outbox::lease_until.is_null().or(outbox::lease_until.lt(at))),
        )
        .set((outbox::lease_owner.eq(owner), outbox::lease_until.eq(lease_until)))
        .execute(conn)?;
        Ok(outbox::table
            .filter(outbox::id.eq_any(&ids))
            .filter(outbox::lease_owner.eq(owner))
            .filter(outbox::lease_until.eq(lease_until))
            .order(outbox::id.asc())
            .select(OutboxRow::as_select())
            .load(conn)?)
    })
}

/// Marks a message delivered.
pub fn mark_sent(conn: &mut DbConnection, id: i64) -> Result<(), RepoError> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::sent_at.eq(now()),
            outbox::lease_owner.eq(None::<String>),
            outbox::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failed attempt; the message is tried again at `next_attempt_at`.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: i64,
    error: &str,
    next_attempt_at: NaiveDateTime,
) -> Result<(), RepoError> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::last_error.eq(error),
            outbox::next_attempt_at.eq(next_attempt_at),
            outbox::lease_owner.eq(None::<String>),
            outbox::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// A message as stored, for `roster mail list`.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = outbox)]
pub struct MailRow {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// The newest messages, queued or sent, to `to` or to anyone, at most `limit`.
pub fn list(conn: &mut DbConnection, to: Option<&str>, limit: i64) -> Result<Vec<MailRow>, RepoError> {
    let mut q = outbox::table.into_boxed();
    if let Some(to) = to {
        q = q.filter(outbox::recipient.eq(to.to_owned()));
    }
    Ok(q.order(outbox::id.desc())
        .limit(limit)
        .select(MailRow::as_select())
        .load(conn)?)
}
