//! The keys that sign ID tokens. Rows hold the private key sealed (the
//! caller seals and opens it) and the public JWK.
use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::now;
use crate::schema::signing_keys as keys;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored signing key.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = keys)]
pub struct SigningKeyRow {
    pub id: i64,
    pub kid: String,
    pub algorithm: String,
    /// Sealed PKCS#8 DER.
    pub private_key: String,
    /// The public JWK, as JSON text.
    pub public_jwk: String,
    pub created_at: NaiveDateTime,
    pub retired_at: Option<NaiveDateTime>,
}

/// Stores a new key and retires every other one, in the caller's
/// transaction: from now on it signs.
pub fn add_current(
    conn: &mut DbConnection,
    kid: &str,
    sealed_private_key: &str,
    public_jwk: &str,
) -> Result<SigningKeyRow, RepoError> {
    let at = now();
    diesel::update(keys::table.filter(keys::retired_at.is_null()))
        .set(keys::retired_at.eq(at))
        .execute(conn)?;
    let id: i64 = diesel::insert_into(keys::table)
        .values((
            keys::kid.eq(kid),
            keys::algorithm.eq("RS256"),
            keys::private_key.eq(sealed_private_key),
            keys::public_jwk.eq(public_jwk),
            keys::created_at.eq(at),
        ))
        .returning(keys::id)
        .get_result(conn)?;
    Ok(keys::table
        .find(id)
        .select(SigningKeyRow::as_select())
        .first(conn)?)
}

/// The key that signs now, if there is one.
pub fn current(conn: &mut DbConnection) -> Result<Option<SigningKeyRow>, RepoError> {
    Ok(keys::table
        .filter(keys::retired_at.is_null())
        .order(keys::id.desc())
        .select(SigningKeyRow::as_select())
        .first(conn)
        .optional()?)
}

/// The keys a JWKS shows: the current one, and those retired after
/// `retired_since` (a token they signed may still be valid).
pub fn published(
    conn: &mut DbConnection,
    retired_since: NaiveDateTime,
) -> Result<Vec<SigningKeyRow>, RepoError> {
    Ok(keys::table
        .filter(keys::retired_at.is_null().or(keys::retired_at.gt(retired_since)))
        .order(keys::id.desc())
        .select(SigningKeyRow::as_select())
        .load(conn)?)
}

/// The key with this id, retired or not.
pub fn by_kid(conn: &mut DbConnection, kid: &str) -> Result<Option<SigningKeyRow>, RepoError> {
    Ok(keys::table
        .filter(keys::kid.eq(kid))
        .select(SigningKeyRow::as_select())
        .first(conn)
        .optional()?)
}
