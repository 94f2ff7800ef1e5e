//! The mail outbox: messages written in the same transaction as the change
//! that caused them, delivered later by a sender.
use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::now;
use crate::schema::outbox;
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
