//! A user's second factors (§11): the sealed TOTP seed with the last time
//! step used, recovery codes (as SHA-256), and the `two_factor_enabled`
//! flag on the user, kept in the same transaction as the factors.
use crate::connection::{per_backend, DbConnection};
use crate::error::RepoError;
use crate::schema::{recovery_codes, totp_credentials as totp, users};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored TOTP credential.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = totp)]
pub struct TotpRow {
    /// The user.
    pub user_id: i64,
    /// The seed, sealed with the secret key.
    pub sealed_seed: String,
    /// When the first code was given; until then the seed does not count.
    pub confirmed_at: Option<NaiveDateTime>,
    /// The last time step a code was accepted for.
    pub last_used_step: Option<i64>,
    /// When enrolment began.
    pub created_at: NaiveDateTime,
}

/// The user's TOTP credential, confirmed or not.
pub fn find_totp(conn: &mut DbConnection, user_id: i64) -> Result<Option<TotpRow>, RepoError> {
    Ok(totp::table
        .find(user_id)
        .select(TotpRow::as_select())
        .first(conn)
        .optional()?)
}

/// Begins an enrolment: stores a new unconfirmed seed in place of any
/// earlier unconfirmed one. A confirmed seed is left alone (`false`).
pub fn start_totp(
    conn: &mut DbConnection,
    user_id: i64,
    sealed_seed: &str,
    at: NaiveDateTime,
) -> Result<bool, RepoError> {
    diesel::delete(
        totp::table
            .filter(totp::user_id.eq(user_id))
            .filter(totp::confirmed_at.is_null()),
    )
    .execute(conn)?;
    if find_totp(conn, user_id)?.is_some() {
        return Ok(false);
    }
    diesel::insert_into(totp::table)
        .values((
            totp::user_id.eq(user_id),
            totp::sealed_seed.eq(sealed_seed),
            totp::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Confirms the pending seed with the step its first code matched.
pub fn confirm_totp(
    conn: &mut DbConnection,
    user_id: i64,
    step: i64,
    at: NaiveDateTime,
) -> Result<bool, RepoError> {
    let changed = diesel::update(
        totp::table
            .filter(totp::user_id.eq(user_id))
            .filter(totp::confirmed_at.is_null()),
    )
    .set((
        totp::confirmed_at.eq(Some(at)),
        totp::last_used_step.eq(Some(step)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Spends `step` of the confirmed seed: `true` when no code of this step or
/// a later one was accepted before. One statement, so that two nodes
/// given the same code accept it once.
pub fn use_totp_step(conn: &mut DbConnection, user_id: i64, step: i64) -> Result<bool, RepoError> {
    let changed = diesel::update(
        totp::table
            .filter(totp::user_id.eq(user_id))
            .filter(totp::confirmed_at.is_not_null())
            .filter(totp::last_used_step.is_null().or(totp::last_used_step.lt(step))),
    )
    .set(totp::last_used_step.eq(Some(step)))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Replaces the user's recovery codes with these digests.
pub fn replace_recovery_codes(
    conn: &mut DbConnection,
    user_id: i64,
    digests: &[String],
    at: NaiveDateTime,
) -> Result<(), RepoError> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id))).execute(conn)?;
    let rows: Vec<_> = digests
        .iter()
        .map(|d| {
            (
                recovery_codes::user_id.eq(user_id),
                recovery_codes::code_digest.eq(d),
                recovery_codes::created_at.eq(at),
            )
        })
        .collect();
    per_backend!(conn, c => diesel::insert_into(recovery_codes::table).values(&rows).execute(c))?;
    Ok(())
}

/// Spends the unused recovery code with this digest: `true` if there was one.
pub fn use_recovery_code(
    conn: &mut DbConnection,
    user_id: i64,
    digest: &str,
    at: NaiveDateTime,
) -> Result<bool, RepoError> {
    let changed = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::code_digest.eq(digest))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(Some(at)))
    .execute(conn)?;
    Ok(changed == 1)
}

/// How many of the user's recovery codes are still unused.
pub fn unused_recovery_codes(conn: &mut DbConnection, user_id: i64) -> Result<i64, RepoError> {
    Ok(recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Removes every factor of the user (TOTP, confirmed or still pending,
/// recovery codes and WebAuthn credentials) and clears the flag: `true`
/// if two-factor was on (an enrolment never confirmed does not count).
pub fn remove_all(conn: &mut DbConnection, user_id: i64) -> Result<bool, RepoError> {
    diesel::delete(totp::table.filter(totp::user_id.eq(user_id))).execute(conn)?;
    crate::webauthn::delete_all(conn, user_id)?;
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id))).execute(conn)?;
    set_enabled(conn, user_id, false)
}

/// Sets the user's `two_factor_enabled`; `true` if it was set before.
pub fn set_enabled(conn: &mut DbConnection, user_id: i64, enabled: bool) -> Result<bool, RepoError> {
    let was: bool = users::table
        .find(user_id)
        .select(users::two_factor_enabled)
        .first(conn)?;
    if was != enabled {
        diesel::update(users::table.find(user_id))
            .set(users::two_factor_enabled.eq(enabled))
            .execute(conn)?;
    }
    Ok(was)
}
