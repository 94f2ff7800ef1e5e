//! GPG public keys.
use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::now;
use crate::schema::gpg_keys;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use roster_domain::GpgPublicKey;

/// A GPG key as stored.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = gpg_keys)]
pub struct GpgKeyRow {
    /// Its id.
    pub id: i64,
    /// Whose.
    pub user_id: i64,
    /// The armored key, as given (trimmed).
    pub key: String,
    /// The primary key's fingerprint, upper-case hex.
    pub fingerprint: String,
    /// The primary key's id, upper-case hex.
    pub primary_keyid: String,
    /// When it was added.
    pub created_at: NaiveDateTime,
}

/// Stores `key` for `user_id`; `Taken(Fingerprint)` when anyone has it.
pub fn add(conn: &mut DbConnection, user_id: i64, key: &GpgPublicKey) -> Result<GpgKeyRow, RepoError> {
    let id: i64 = diesel::insert_into(gpg_keys::table)
        .values((
            gpg_keys::user_id.eq(user_id),
            gpg_keys::key.eq(key.armored()),
            gpg_keys::fingerprint.eq(key.fingerprint()),
            gpg_keys::primary_keyid.eq(key.key_id()),
            gpg_keys::created_at.eq(now()),
        ))
        .returning(gpg_keys::id)
        .get_result(conn)?;
    Ok(gpg_keys::table
        .find(id)
        .select(GpgKeyRow::as_select())
        .first(conn)?)
}

/// A user's keys, oldest first.
pub fn of_user(conn: &mut DbConnection, user_id: i64) -> Result<Vec<GpgKeyRow>, RepoError> {
    Ok(gpg_keys::table
        .filter(gpg_keys::user_id.eq(user_id))
        .order(gpg_keys::id.asc())
        .select(GpgKeyRow::as_select())
        .load(conn)?)
}

/// One of a user's keys.
pub fn find(conn: &mut DbConnection, user_id: i64, id: i64) -> Result<Option<GpgKeyRow>, RepoError> {
    Ok(gpg_keys::table
        .filter(gpg_keys::id.eq(id).and(gpg_keys::user_id.eq(user_id)))
        .select(GpgKeyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Removes one of a user's keys; `false` when there is none.
pub fn delete(conn: &mut DbConnection, user_id: i64, id: i64) -> Result<bool, RepoError> {
    Ok(
        diesel::delete(gpg_keys::table.filter(gpg_keys::id.eq(id).and(gpg_keys::user_id.eq(user_id))))
            .execute(conn)?
            > 0,
    )
}
