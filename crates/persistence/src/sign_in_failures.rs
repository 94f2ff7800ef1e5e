//! Failed sign-ins for names that belong to no account. They are counted the
//! way a real account's are (`users.failed_attempts`, `users.locked_until`),
//! so that after the same number of failures an unknown name is answered as
//! "locked" too: otherwise the lockout message would tell anyone which
//! accounts exist. Rows live in the database, so every node counts alike.
use crate::connection::{write_transaction, DbConnection};
use crate::error::RepoError;
use crate::schema::unknown_sign_in_failures as failures;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Whether the unknown name `login` (normalised: trimmed, lower case) is
/// "locked" at `at`.
pub fn is_locked(conn: &mut DbConnection, login: &str, at: NaiveDateTime) -> Result<bool, RepoError> {
    let until: Option<Option<NaiveDateTime>> = failures::table
        .find(login)
        .select(failures::locked_until)
        .first(conn)
        .optional()?;
    Ok(until.flatten().is_some_and(|until| until > at))
}

/// Counts one failed sign-in for the unknown name `login`; at `max_attempts`
/// in a row the name is "locked" until `lock_until` and counting starts
/// again, as for an account. Returns whether this failure locked it.
pub fn record_failure(
    conn: &mut DbConnection,
    login: &str,
    max_attempts: i32,
    lock_until: NaiveDateTime,
    at: NaiveDateTime,
) -> Result<bool, RepoError> {
    let attempt = |conn: &mut DbConnection| {
        write_transaction(conn, |conn| {
            let updated = diesel::update(failures::table.find(login))
                .set((
                    failures::failed_attempts.eq(failures::failed_attempts + 1),
                    failures::updated_at.eq(at),
                ))
                .execute(conn)?;
            if updated == 0 {
                diesel::insert_into(failures::table)
                    .values((
                        failures::login.eq(login),
                        failures::failed_attempts.eq(1),
                        failures::locked_until.eq(None::<NaiveDateTime>),
                        failures::updated_at.eq(at),
                    ))
                    .execute(conn)?;
            }
            let locked = diesel::update(
                failures::table
                    .find(login)
                    .filter(failures::failed_attempts.ge(max_attempts)),
            )
            .set((
                failures::failed_attempts.eq(0),
                failures::locked_until.eq(Some(lock_until)),
            ))
            .execute(conn)?;
            Ok::<bool, RepoError>(locked > 0)
        })
    };
    // Two nodes may count the first failure of a name at once; the loser's
    // insert fails on the primary key, and its retry counts by update.
    match attempt(conn) {
        Err(RepoError::Taken(_)) => attempt(conn),
        other => other,
    }
}

/// Forgets names whose last failure is older than `before` and that are not
/// locked any more (callers sweep now and then, not at every failure).
pub fn sweep(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize, RepoError> {
    Ok(diesel::delete(
        failures::table.filter(failures::updated_at.lt(before)).filter(
            failures::locked_until
                .is_null()
                .or(failures::locked_until.lt(before)),
        ),
    )
    .execute(conn)?)
}
