//! SSH keys.
use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::schema::{keys, users};
use crate::users::UserRow;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use roster_domain::Fingerprint;

/// A key as stored.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = keys)]
pub struct KeyRow {
    pub id: i64,
    pub user_id: i64,
    pub title: String,
    pub key: String,
    pub algorithm: String,
    pub fingerprint_sha256: String,
    pub fingerprint_md5: String,
    pub usage_type: String,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A key to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = keys)]
pub struct NewKey<'a> {
    pub user_id: i64,
    pub title: &'a str,
    pub key: &'a str,
    pub algorithm: &'a str,
    pub fingerprint_sha256: &'a str,
    pub fingerprint_md5: &'a str,
    pub usage_type: &'a str,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// Stores a key; `Taken(Fingerprint)` when any user already has it.
pub fn add_key(conn: &mut DbConnection, new: &NewKey<'_>) -> Result<KeyRow, RepoError> {
    let id: i64 = diesel::insert_into(keys::table)
        .values(new)
        .returning(keys::id)
        .get_result(conn)?;
    Ok(keys::table.find(id).select(KeyRow::as_select()).first(conn)?)
}

/// A user's keys, oldest first, expired ones included.
pub fn keys_of(conn: &mut DbConnection, user_id: i64) -> Result<Vec<KeyRow>, RepoError> {
    Ok(keys::table
        .filter(keys::user_id.eq(user_id))
        .order(keys::id.asc())
        .select(KeyRow::as_select())
        .load(conn)?)
}

/// One key by id, with its owner.
pub fn find_key(conn: &mut DbConnection, id: i64) -> Result<Option<(KeyRow, UserRow)>, RepoError> {
    Ok(keys::table
        .inner_join(users::table)
        .filter(keys::id.eq(id))
        .select((KeyRow::as_select(), UserRow::as_select()))
        .first(conn)
        .optional()?)
}

/// One of a user's keys.
pub fn find_user_key(
    conn: &mut DbConnection,
    user_id: i64,
    key_id: i64,
) -> Result<Option<KeyRow>, RepoError> {
    Ok(keys::table
        .filter(keys::id.eq(key_id))
        .filter(keys::user_id.eq(user_id))
        .select(KeyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Deletes one of a user's keys; `false` when there was none.
pub fn delete_key(conn: &mut DbConnection, user_id: i64, key_id: i64) -> Result<bool, RepoError> {
    let n = diesel::delete(
        keys::table
            .filter(keys::id.eq(key_id))
            .filter(keys::user_id.eq(user_id)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// The unexpired key with this fingerprint, with its owner (what an SSH
/// server asks). MD5 fingerprints are indexed too.
pub fn find_by_fingerprint(
    conn: &mut DbConnection,
    fingerprint: &Fingerprint,
    at: NaiveDateTime,
) -> Result<Option<(KeyRow, UserRow)>, RepoError> {
    let query = keys::table
        .inner_join(users::table)
        .filter(keys::expires_at.is_null().or(keys::expires_at.gt(at)))
        .select((KeyRow::as_select(), UserRow::as_select()))
        .into_boxed();
    let query = match fingerprint {
        Fingerprint::Sha256(f) => query.filter(keys::fingerprint_sha256.eq(f.clone())),
        Fingerprint::Md5(f) => query.filter(keys::fingerprint_md5.eq(f.clone())),
    };
    Ok(query.first(conn).optional()?)
}

/// The keys an SSH server may accept for `user_id` at `at`: unexpired, and
/// usable for authentication.
pub fn authorized_keys(
    conn: &mut DbConnection,
    user_id: i64,
    at: NaiveDateTime,
) -> Result<Vec<KeyRow>, RepoError> {
    Ok(keys::table
        .filter(keys::user_id.eq(user_id))
        .filter(keys::expires_at.is_null().or(keys::expires_at.gt(at)))
        .filter(keys::usage_type.ne("signing"))
        .order(keys::id.asc())
        .select(KeyRow::as_select())
        .load(conn)?)
}
