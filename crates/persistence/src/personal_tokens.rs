//! Personal access tokens.
use crate::connection::{per_backend, write_transaction, DbConnection};
use crate::error::RepoError;
use crate::now;
use crate::pagination::{Page, COUNT_LIMIT};
use crate::schema::{personal_access_tokens as pats, users};
use crate::users::UserRow;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A personal access token as stored (its digest, never the secret).
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = pats)]
pub struct PatRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub token_digest: String,
    pub scopes: String,
    pub revoked: bool,
    pub expires_at: Option<NaiveDate>,
    pub last_used_at: Option<NaiveDateTime>,
    pub previous_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl PatRow {
    /// Usable on `today`: not revoked, and not past its expiry date (a token
    /// expires at the start of its `expires_at` day, UTC, as in GitLab).
    pub fn is_active_on(&self, today: NaiveDate) -> bool {
        !self.revoked && self.expires_at.is_none_or(|d| d > today)
    }
}

/// A token to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = pats)]
pub struct NewPat<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub token_digest: &'a str,
    pub scopes: &'a str,
    pub expires_at: Option<NaiveDate>,
    pub previous_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Stores a token.
pub fn create_pat(conn: &mut DbConnection, new: &NewPat<'_>) -> Result<PatRow, RepoError> {
    let id: i64 = diesel::insert_into(pats::table)
        .values(new)
        .returning(pats::id)
        .get_result(conn)?;
    Ok(pats::table.find(id).select(PatRow::as_select()).first(conn)?)
}

/// One token by id.
pub fn find_pat(conn: &mut DbConnection, id: i64) -> Result<Option<PatRow>, RepoError> {
    Ok(pats::table
        .find(id)
        .select(PatRow::as_select())
        .first(conn)
        .optional()?)
}

/// Tokens, newest first, of one user or (for admins) of everyone.
pub fn list_pats(
    conn: &mut DbConnection,
    user_id: Option<i64>,
    page: i64,
    per_page: i64,
) -> Result<Page<PatRow>, RepoError> {
    let base = || {
        let mut q = pats::table.into_boxed();
        if let Some(user_id) = user_id {
            q = q.filter(pats::user_id.eq(user_id));
        }
        q
    };
    let items = base()
        .order(pats::id.desc())
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .select(PatRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = base().select(pats::id).limit(COUNT_LIMIT + 1).load(conn)?;
    let count = ids.len() as i64;
    Ok(Page {
        items,
        total: (count <= COUNT_LIMIT).then_some(count),
        has_more: page.saturating_mul(per_page) < count,
    })
}

/// The token with this digest and its owner, in one query.
pub fn authenticate_pat(
    conn: &mut DbConnection,
    digest: &str,
) -> Result<Option<(PatRow, UserRow)>, RepoError> {
    Ok(per_backend!(conn, c => pats::table
        .inner_join(users::table)
        .filter(pats::token_digest.eq(digest))
        .select((PatRow::as_select(), UserRow::as_select()))
        .first(c).optional())?)
}

/// Notes a use of the token.
pub fn touch_pat(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> Result<(), RepoError> {
    diesel::update(pats::table.find(id))
        .set(pats::last_used_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// Revokes a token; `false` when it does not exist.
pub fn revoke_pat(conn: &mut DbConnection, id: i64) -> Result<bool, RepoError> {
    Ok(diesel::update(pats::table.find(id))
        .set(pats::revoked.eq(true))
        .execute(conn)?
        > 0)
}

/// What rotating a token did.
#[derive(Debug, Clone, PartialEq)]
pub enum Rotation {
    /// The old token is revoked and this one replaces it.
    Rotated(PatRow),
    /// The token was already revoked: every token rotated from it has been
    /// revoked too, since a revoked token in use means the chain leaked.
    ReuseDetected,
    /// No such token.
    Missing,
}

/// Rotates token `id`: revokes it and stores `new_digest` with the same
/// owner, name and scopes. Rotating a revoked token revokes its whole chain.
pub fn rotate_pat(
    conn: &mut DbConnection,
    id: i64,
    new_digest: &str,
    expires_at: Option<NaiveDate>,
) -> Result<Rotation, RepoError> {
    write_transaction(conn, |conn| {
        let Some(old) = find_pat(conn, id)? else {
            return Ok(Rotation::Missing);
        };
        if old.revoked {
            revoke_descendants(conn, old.id)?;
            return Ok(Rotation::ReuseDetected);
        }
        // Revoke only if still active, so that of two concurrent rotations
        // exactly one wins and the other counts as reuse.
        let revoked = diesel::update(pats::table.find(old.id).filter(pats::revoked.eq(false)))
            .set(pats::revoked.eq(true))
            .execute(conn)?;
        if revoked == 0 {
            revoke_descendants(conn, old.id)?;
            return Ok(Rotation::ReuseDetected);
        }
        let new = create_pat(
            conn,
            &NewPat {
                user_id: old.user_id,
                name: &old.name,
                token_digest: new_digest,
                scopes: &old.scopes,
                expires_at,
                previous_id: Some(old.id),
                created_at: now(),
            },
        )?;
        Ok(Rotation::Rotated(new))
    })
}

fn revoke_descendants(conn: &mut DbConnection, root: i64) -> Result<(), RepoError> {
    let mut frontier = vec![root];
    while !frontier.is_empty() {
        let next: Vec<i64> = pats::table
            .filter(pats::previous_id.eq_any(&frontier))
            .select(pats::id)
            .load(conn)?;
        if !next.is_empty() {
            diesel::update(pats::table.filter(pats::id.eq_any(&next)))
                .set(pats::revoked.eq(true))
                .execute(conn)?;
        }
        frontier = next;
    }
    Ok(())
}
