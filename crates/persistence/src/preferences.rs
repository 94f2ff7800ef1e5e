//! A user's preferences document (`user_preferences`).
use crate::connection::{per_backend, DbConnection};
use crate::error::RepoError;
use crate::now;
use crate::schema::user_preferences;
use diesel::prelude::*;

/// The stored preferences (a JSON object as text), if any.
pub fn preferences(conn: &mut DbConnection, user_id: i64) -> Result<Option<String>, RepoError> {
    Ok(user_preferences::table
        .find(user_id)
        .select(user_preferences::data)
        .first(conn)
        .optional()?)
}

/// Replaces the preferences, in one statement, so that two changes at once
/// cannot collide on the row.
pub fn set_preferences(conn: &mut DbConnection, user_id: i64, data: &str) -> Result<(), RepoError> {
    let values = (
        user_preferences::user_id.eq(user_id),
        user_preferences::data.eq(data),
        user_preferences::updated_at.eq(now()),
    );
    per_backend!(conn, c => diesel::insert_into(user_preferences::table)
        .values(values)
        .on_conflict(user_preferences::user_id)
        .do_update()
        .set(values)
        .execute(c))?;
    Ok(())
}
