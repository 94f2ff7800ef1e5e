//! WebAuthn credentials and the ceremonies under way (§11). Binary parts
//! are kept base64url-encoded by the caller; nothing here is secret.
use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::schema::{webauthn_ceremonies as ceremonies, webauthn_credentials as credentials};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A ceremony registering a credential for `user_id`.
pub const REGISTRATION: &str = "registration";
/// A ceremony proving the second factor of an `mfa_challenge_id`.
pub const SECOND_FACTOR: &str = "second_factor";
/// A ceremony signing in with a passkey alone (no user named yet).
pub const PASSKEY: &str = "passkey";

/// A stored credential.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = credentials)]
pub struct CredentialRow {
    /// Its id in Roster's API.
    pub id: i64,
    /// Its owner.
    pub user_id: i64,
    /// The name its owner gave it.
    pub name: String,
    /// The WebAuthn credential id.
    pub credential_id: String,
    /// The owner's WebAuthn user handle.
    pub user_handle: String,
    /// The transports the authenticator named, encoded.
    pub transports: i32,
    /// The public key and its algorithm, encoded.
    pub static_state: String,
    /// The signature counter and flags, encoded.
    pub dynamic_state: String,
    /// `ES256`, `EdDSA` or `RS256`.
    pub algorithm: String,
    /// When it was registered.
    pub created_at: NaiveDateTime,
    /// When it last proved a sign-in.
    pub last_used_at: Option<NaiveDateTime>,
}

/// A credential to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = credentials)]
pub struct NewCredential<'a> {
    /// Its owner.
    pub user_id: i64,
    /// Its name.
    pub name: &'a str,
    /// The WebAuthn credential id.
    pub credential_id: &'a str,
    /// The owner's user handle.
    pub user_handle: &'a str,
    /// Transports, encoded.
    pub transports: i32,
    /// Public key, encoded.
    pub static_state: &'a str,
    /// Counter and flags, encoded.
    pub dynamic_state: &'a str,
    /// The algorithm's name.
    pub algorithm: &'a str,
    /// Now.
    pub created_at: NaiveDateTime,
}

/// Stores a credential; `Err(Taken)`-like unique violation when its id is
/// registered already.
pub fn create(conn: &mut DbConnection, new: &NewCredential<'_>) -> Result<CredentialRow, RepoError> {
    let id: i64 = diesel::insert_into(credentials::table)
        .values(new)
        .returning(credentials::id)
        .get_result(conn)?;
    Ok(credentials::table
        .find(id)
        .select(CredentialRow::as_select())
        .first(conn)?)
}

/// Whether any user has a credential with this WebAuthn id.
pub fn id_taken(conn: &mut DbConnection, credential_id: &str) -> Result<bool, RepoError> {
    Ok(credentials::table
        .filter(credentials::credential_id.eq(credential_id))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// A user's credentials, oldest first.
pub fn list(conn: &mut DbConnection, user_id: i64) -> Result<Vec<CredentialRow>, RepoError> {
    Ok(credentials::table
        .filter(credentials::user_id.eq(user_id))
        .order(credentials::id.asc())
        .select(CredentialRow::as_select())
        .load(conn)?)
}

/// The credential with this WebAuthn id and user handle, whoever owns it.
pub fn find_by_handle(
    conn: &mut DbConnection,
    credential_id: &str,
    user_handle: &str,
) -> Result<Option<CredentialRow>, RepoError> {
    Ok(credentials::table
        .filter(credentials::credential_id.eq(credential_id))
        .filter(credentials::user_handle.eq(user_handle))
        .select(CredentialRow::as_select())
        .first(conn)
        .optional()?)
}

/// The user's credential with this WebAuthn id.
pub fn find_for_user(
    conn: &mut DbConnection,
    user_id: i64,
    credential_id: &str,
) -> Result<Option<CredentialRow>, RepoError> {
    Ok(credentials::table
        .filter(credentials::user_id.eq(user_id))
        .filter(credentials::credential_id.eq(credential_id))
        .select(CredentialRow::as_select())
        .first(conn)
        .optional()?)
}

/// Saves a credential's counter and flags after a use.
pub fn record_use(
    conn: &mut DbConnection,
    id: i64,
    dynamic_state: Option<&str>,
    at: NaiveDateTime,
) -> Result<(), RepoError> {
    match dynamic_state {
        Some(state) => diesel::update(credentials::table.find(id))
            .set((
                credentials::dynamic_state.eq(state),
                credentials::last_used_at.eq(Some(at)),
            ))
            .execute(conn)?,
        None => diesel::update(credentials::table.find(id))
            .set(credentials::last_used_at.eq(Some(at)))
            .execute(conn)?,
    };
    Ok(())
}

/// Deletes the user's credential `id`: `false` when it is not theirs.
pub fn delete(conn: &mut DbConnection, user_id: i64, id: i64) -> Result<bool, RepoError> {
    Ok(diesel::delete(
        credentials::table
            .filter(credentials::id.eq(id))
            .filter(credentials::user_id.eq(user_id)),
    )
    .execute(conn)?
        == 1)
}

/// Deletes every credential of the user; how many there were.
pub fn delete_all(conn: &mut DbConnection, user_id: i64) -> Result<usize, RepoError> {
    Ok(diesel::delete(credentials::table.filter(credentials::user_id.eq(user_id))).execute(conn)?)
}

/// A ceremony to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = ceremonies)]
pub struct NewCeremony<'a> {
    /// The challenge sent, base64url.
    pub challenge: &'a str,
    /// [`REGISTRATION`] or [`SECOND_FACTOR`].
    pub kind: &'a str,
    /// The registering user.
    pub user_id: Option<i64>,
    /// The sign-in awaiting its second factor.
    pub mfa_challenge_id: Option<i64>,
    /// The relying party's state, encoded.
    pub state: &'a str,
    /// When it stops working.
    pub expires_at: NaiveDateTime,
    /// Now.
    pub created_at: NaiveDateTime,
}

/// Stores a ceremony, forgetting the expired ones (few: each lives five
/// minutes).
pub fn begin(conn: &mut DbConnection, new: &NewCeremony<'_>) -> Result<(), RepoError> {
    diesel::delete(ceremonies::table.filter(ceremonies::expires_at.lt(new.created_at))).execute(conn)?;
    diesel::insert_into(ceremonies::table).values(new).execute(conn)?;
    Ok(())
}

/// Takes (deletes and returns the state of) the unexpired ceremony of
/// `kind` with this challenge, for this user or sign-in: single use, on
/// every node.
pub fn take(
    conn: &mut DbConnection,
    challenge: &str,
    kind: &str,
    user_id: Option<i64>,
    mfa_challenge_id: Option<i64>,
    at: NaiveDateTime,
) -> Result<Option<String>, RepoError> {
    let found: Option<(String, Option<i64>, Option<i64>, NaiveDateTime)> = ceremonies::table
        .filter(ceremonies::challenge.eq(challenge))
        .filter(ceremonies::kind.eq(kind))
        .select((
            ceremonies::state,
            ceremonies::user_id,
            ceremonies::mfa_challenge_id,
            ceremonies::expires_at,
        ))
        .first(conn)
        .optional()?;
    let Some((state, owner, mfa, expires_at)) = found else {
        return Ok(None);
    };
    let deleted =
        diesel::delete(ceremonies::table.filter(ceremonies::challenge.eq(challenge))).execute(conn)?;
    let fits = owner == user_id && mfa == mfa_challenge_id && expires_at > at;
    Ok((deleted == 1 && fits).then_some(state))
}
