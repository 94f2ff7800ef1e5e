//! The sessions of the browser pages. The cookie carries a secret; only its
//! SHA-256 is stored, so every node can check a cookie and the database
//! alone signs nobody in.
use crate::connection::{per_backend, DbConnection};
use crate::error::RepoError;
use crate::schema::{browser_sessions as sessions, users};
use crate::users::UserRow;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored session.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = sessions)]
pub struct BrowserSessionRow {
    pub id: i64,
    pub user_id: i64,
    pub secret_digest: String,
    /// When the person last proved who they are (the ID token's `auth_time`).
    pub authenticated_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A session to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewBrowserSession<'a> {
    pub user_id: i64,
    pub secret_digest: &'a str,
    pub authenticated_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

/// Stores a session.
pub fn create(conn: &mut DbConnection, new: &NewBrowserSession<'_>) -> Result<BrowserSessionRow, RepoError> {
    let id: i64 = diesel::insert_into(sessions::table)
        .values(new)
        .returning(sessions::id)
        .get_result(conn)?;
    Ok(sessions::table
        .find(id)
        .select(BrowserSessionRow::as_select())
        .first(conn)?)
}

/// The unexpired session with this digest and its user, in one query.
pub fn find_live(
    conn: &mut DbConnection,
    digest: &str,
    at: NaiveDateTime,
) -> Result<Option<(BrowserSessionRow, UserRow)>, RepoError> {
    Ok(per_backend!(conn, c => sessions::table
        .inner_join(users::table)
        .filter(sessions::secret_digest.eq(digest))
        .filter(sessions::expires_at.gt(at))
        .select((BrowserSessionRow::as_select(), UserRow::as_select()))
        .first(c)
        .optional())?)
}

/// Notes that the session's person proved who they are again at `at`
/// (their password, for a sensitive change).
pub fn reauthenticated(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> Result<(), RepoError> {
    diesel::update(sessions::table.find(id))
        .set((sessions::authenticated_at.eq(at), sessions::last_seen_at.eq(at)))
        .execute(conn)?;
    Ok(())
}

/// Notes that the session was used at `at`.
pub fn touch(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> Result<(), RepoError> {
    diesel::update(sessions::table.find(id))
        .set(sessions::last_seen_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// Ends the session with this digest; whether there was one.
pub fn delete_by_digest(
    conn: &mut DbConnection,
    digest: &str,
) -> Result<Option<BrowserSessionRow>, RepoError> {
    let found = sessions::table
        .filter(sessions::secret_digest.eq(digest))
        .select(BrowserSessionRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(row) = &found {
        diesel::delete(sessions::table.find(row.id)).execute(conn)?;
    }
    Ok(found)
}

/// Ends every session of a user (a password change, a block).
pub fn delete_for_user(conn: &mut DbConnection, user_id: i64) -> Result<usize, RepoError> {
    Ok(diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?)
}

/// Deletes sessions that expired before `before`.
pub fn sweep(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize, RepoError> {
    Ok(diesel::delete(sessions::table.filter(sessions::expires_at.lt(before))).execute(conn)?)
}

/// The user's live sessions, newest first.
pub fn live_for_user(
    conn: &mut DbConnection,
    user_id: i64,
    at: NaiveDateTime,
) -> Result<Vec<BrowserSessionRow>, RepoError> {
    Ok(sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::expires_at.gt(at))
        .order(sessions::id.desc())
        .select(BrowserSessionRow::as_select())
        .load(conn)?)
}

/// Ends session `id` of the user; whether there was one.
pub fn delete_for_user_by_id(conn: &mut DbConnection, user_id: i64, id: i64) -> Result<bool, RepoError> {
    Ok(diesel::delete(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::user_id.eq(user_id)),
    )
    .execute(conn)?
        > 0)
}

/// Ends every session of the user but `keep`.
pub fn delete_others(conn: &mut DbConnection, user_id: i64, keep: Option<i64>) -> Result<usize, RepoError> {
    let mut q = diesel::delete(sessions::table)
        .filter(sessions::user_id.eq(user_id))
        .into_boxed();
    if let Some(keep) = keep {
        q = q.filter(sessions::id.ne(keep));
    }
    Ok(q.execute(conn)?)
}
