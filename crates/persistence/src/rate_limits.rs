//! Fixed-window counters for rate limits, in the database so that every node
//! counts into the same window.
use crate::connection::{write_transaction, DbConnection};
use crate::error::RepoError;
use crate::schema::rate_limits;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Counts one hit in `bucket` for the window starting at `window_start` and
/// returns the count including it. Old windows are swept now and then.
pub fn hit(conn: &mut DbConnection, bucket: &str, window_start: NaiveDateTime) -> Result<i32, RepoError> {
    let attempt = |conn: &mut DbConnection| {
        write_transaction(conn, |conn| {
            let updated = diesel::update(rate_limits::table.find((bucket, window_start)))
                .set(rate_limits::count.eq(rate_limits::count + 1))
                .execute(conn)?;
            if updated == 0 {
                diesel::insert_into(rate_limits::table)
                    .values((
                        rate_limits::bucket.eq(bucket),
                        rate_limits::window_start.eq(window_start),
                        rate_limits::count.eq(1),
                    ))
                    .execute(conn)?;
            }
            Ok::<i32, RepoError>(
                rate_limits::table
                    .find((bucket, window_start))
                    .select(rate_limits::count)
                    .first(conn)?,
            )
        })
    };
    // Two nodes may insert the first hit of a window at once; the loser's
    // insert fails on the primary key, and its retry counts by update.
    match attempt(conn) {
        Err(RepoError::Taken(_)) => attempt(conn),
        other => other,
    }
}

/// Deletes windows that ended before `before`.
pub fn sweep(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize, RepoError> {
    Ok(diesel::delete(rate_limits::table.filter(rate_limits::window_start.lt(before))).execute(conn)?)
}
