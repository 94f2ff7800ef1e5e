//! Users' statuses (`/user/status`): one row a user, none when unset.
use crate::connection::{per_backend, write_transaction, DbConnection};
use crate::error::RepoError;
use crate::now;
use crate::schema::{user_statuses, users};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use roster_domain::{Availability, StatusEmoji, StatusMessage, UserStatus};

/// A stored status.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = user_statuses)]
struct StatusRow {
    emoji: Option<String>,
    message: Option<String>,
    availability: String,
    clear_status_at: Option<NaiveDateTime>,
}

impl StatusRow {
    /// The status, read back through the domain's parsers; a stored value
    /// that no longer parses is left out rather than shown.
    fn into_status(self) -> Option<UserStatus> {
        UserStatus::new(
            self.emoji.and_then(|v| StatusEmoji::parse(&v).ok().flatten()),
            self.message.and_then(|v| StatusMessage::parse(&v).ok().flatten()),
            Availability::from_stored(&self.availability),
            self.clear_status_at,
        )
    }
}

/// The user's status as it holds at `at`: `None` when unset or cleared.
pub fn status_of(
    conn: &mut DbConnection,
    user_id: i64,
    at: NaiveDateTime,
) -> Result<Option<UserStatus>, RepoError> {
    let row: Option<StatusRow> = user_statuses::table
        .find(user_id)
        .select(StatusRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.and_then(StatusRow::into_status).filter(|s| s.holds_at(at)))
}

/// Replaces the user's status; `None` removes it. One statement either way,
/// so that two changes at once cannot collide on the row.
pub fn set_status(
    conn: &mut DbConnection,
    user_id: i64,
    status: Option<&UserStatus>,
) -> Result<(), RepoError> {
    let Some(status) = status else {
        diesel::delete(user_statuses::table.find(user_id)).execute(conn)?;
        return Ok(());
    };
    let values = (
        user_statuses::user_id.eq(user_id),
        user_statuses::emoji.eq(status.emoji.as_ref().map(StatusEmoji::as_str)),
        user_statuses::message.eq(status.message.as_ref().map(StatusMessage::as_str)),
        user_statuses::availability.eq(status.availability.as_str()),
        user_statuses::clear_status_at.eq(status.clear_status_at),
        user_statuses::updated_at.eq(now()),
    );
    per_backend!(conn, c => diesel::insert_into(user_statuses::table)
        .values(values)
        .on_conflict(user_statuses::user_id)
        .do_update()
        .set(values)
        .execute(c))?;
    Ok(())
}

/// Changes the user's status: `change` gets the status as it holds at `at`
/// and returns the new one (`None` clears it), which is stored and returned.
/// Changes of one user's status are serialized (SQLite's write lock; on
/// PostgreSQL a lock on the user's row), so two `PATCH`es at once cannot
/// lose each other's fields.
pub fn change_status(
    conn: &mut DbConnection,
    user_id: i64,
    at: NaiveDateTime,
    change: impl FnOnce(Option<UserStatus>) -> Option<UserStatus>,
) -> Result<Option<UserStatus>, RepoError> {
    write_transaction(conn, |conn| {
        if let DbConnection::Postgres(pg) = conn {
            users::table
                .find(user_id)
                .select(users::id)
                .for_update()
                .first::<i64>(pg)
                .optional()?;
        }
        let status = change(status_of(conn, user_id, at)?);
        set_status(conn, user_id, status.as_ref())?;
        Ok(status)
    })
}
