//! Sign-ins awaiting their second factor (§11): the `mfa_token` the
//! password step hands out, stored as SHA-256, single use, short-lived.
use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::schema::mfa_challenges as challenges;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A challenge of the password grant, finished by the mfa grant.
pub const FOR_TOKENS: &str = "token";
/// A challenge of the sign-in page, finished by its second-factor form.
pub const FOR_BROWSER: &str = "browser";

/// A stored challenge.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = challenges)]
pub struct MfaChallengeRow {
    /// Its id.
    pub id: i64,
    /// SHA-256 of the `mfa_token`.
    pub token_digest: String,
    /// Who gave the right password.
    pub user_id: i64,
    /// The application the password grant named, if any.
    pub application_id: Option<i64>,
    /// [`FOR_TOKENS`] or [`FOR_BROWSER`].
    pub purpose: String,
    /// The scopes asked for, joined by spaces.
    pub scopes: String,
    /// Wrong codes given with this token.
    pub failures: i32,
    /// A WebAuthn assertion's challenge state, once asked for.
    pub webauthn_state: Option<String>,
    /// When the token stops working.
    pub expires_at: NaiveDateTime,
    /// When it was spent.
    pub used_at: Option<NaiveDateTime>,
    /// When the password step made it.
    pub created_at: NaiveDateTime,
}

/// A challenge to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = challenges)]
pub struct NewMfaChallenge<'a> {
    /// SHA-256 of the `mfa_token`.
    pub token_digest: &'a str,
    /// Who gave the right password.
    pub user_id: i64,
    /// The application, if any.
    pub application_id: Option<i64>,
    /// [`FOR_TOKENS`] or [`FOR_BROWSER`].
    pub purpose: &'a str,
    /// The scopes asked for.
    pub scopes: &'a str,
    /// When it stops working.
    pub expires_at: NaiveDateTime,
    /// Now.
    pub created_at: NaiveDateTime,
}

/// Stores a challenge.
pub fn create(conn: &mut DbConnection, new: &NewMfaChallenge<'_>) -> Result<(), RepoError> {
    diesel::insert_into(challenges::table).values(new).execute(conn)?;
    Ok(())
}

/// The unspent, unexpired challenge of `purpose` whose token has this digest.
pub fn find_live(
    conn: &mut DbConnection,
    digest: &str,
    purpose: &str,
    at: NaiveDateTime,
) -> Result<Option<MfaChallengeRow>, RepoError> {
    Ok(challenges::table
        .filter(challenges::token_digest.eq(digest))
        .filter(challenges::purpose.eq(purpose))
        .filter(challenges::used_at.is_null())
        .filter(challenges::expires_at.gt(at))
        .select(MfaChallengeRow::as_select())
        .first(conn)
        .optional()?)
}

/// The unspent, unexpired challenge whose token has this digest, whatever
/// its purpose (asking for WebAuthn options is the same for both).
pub fn find_live_any(
    conn: &mut DbConnection,
    digest: &str,
    at: NaiveDateTime,
) -> Result<Option<MfaChallengeRow>, RepoError> {
    Ok(challenges::table
        .filter(challenges::token_digest.eq(digest))
        .filter(challenges::used_at.is_null())
        .filter(challenges::expires_at.gt(at))
        .select(MfaChallengeRow::as_select())
        .first(conn)
        .optional()?)
}

/// Spends the challenge: `true` for the one caller that spent it.
pub fn spend(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> Result<bool, RepoError> {
    let changed = diesel::update(
        challenges::table
            .filter(challenges::id.eq(id))
            .filter(challenges::used_at.is_null()),
    )
    .set(challenges::used_at.eq(Some(at)))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Counts a wrong code; after `max` of them the challenge is spent.
pub fn record_failure(
    conn: &mut DbConnection,
    id: i64,
    max: i32,
    at: NaiveDateTime,
) -> Result<(), RepoError> {
    diesel::update(challenges::table.find(id))
        .set(challenges::failures.eq(challenges::failures + 1))
        .execute(conn)?;
    diesel::update(
        challenges::table
            .filter(challenges::id.eq(id))
            .filter(challenges::failures.ge(max))
            .filter(challenges::used_at.is_null()),
    )
    .set(challenges::used_at.eq(Some(at)))
    .execute(conn)?;
    Ok(())
}

/// Keeps a WebAuthn assertion's state with the challenge.
pub fn set_webauthn_state(conn: &mut DbConnection, id: i64, state: &str) -> Result<(), RepoError> {
    diesel::update(challenges::table.find(id))
        .set(challenges::webauthn_state.eq(Some(state)))
        .execute(conn)?;
    Ok(())
}

/// Deletes challenges that expired before `before`.
pub fn sweep(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize, RepoError> {
    Ok(diesel::delete(challenges::table.filter(challenges::expires_at.lt(before))).execute(conn)?)
}
