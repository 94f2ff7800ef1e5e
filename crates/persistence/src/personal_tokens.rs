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
    pub description: Option<String>,
    /// The last addresses it was used from, newest first, space-separated.
    pub last_used_ips: String,
    /// Made by an admin to act as the user (an impersonation token).
    pub impersonation: bool,
    /// The admin who made an impersonation token.
    pub created_by_id: Option<i64>,
}

/// How many addresses a token remembers (GitLab's five).
pub const LAST_USED_IPS: usize = 5;

impl PatRow {
    /// The addresses it was used from, newest first.
    pub fn last_used_ips(&self) -> Vec<&str> {
        self.last_used_ips
            .split(' ')
            .filter(|ip| !ip.is_empty())
            .collect()
    }

    /// `last_used_ips` after a use from `ip`, if that changes it.
    pub fn ips_after_use_from(&self, ip: &str) -> Option<String> {
        let known = self.last_used_ips();
        if known.first() == Some(&ip) || ip.is_empty() || ip.contains(' ') {
            return None;
        }
        let mut ips = vec![ip];
        ips.extend(known.into_iter().filter(|k| *k != ip).take(LAST_USED_IPS - 1));
        Some(ips.join(" "))
    }

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
    pub description: Option<&'a str>,
    pub impersonation: bool,
    pub created_by_id: Option<i64>,
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

/// Which tokens a list holds.
#[derive(Debug, Clone, Default)]
pub struct PatFilter {
    /// Only this user's.
    pub user_id: Option<i64>,
    /// Impersonation tokens instead of personal ones.
    pub impersonation: bool,
    /// Only those active (`Some(true)`) or not (`Some(false)`) on `today`.
    pub active: Option<bool>,
    /// The day `active` is judged on.
    pub today: Option<NaiveDate>,
    /// Only revoked (`Some(true)`) or not revoked ones.
    pub revoked: Option<bool>,
    /// Made at or after / at or before.
    pub created_after: Option<NaiveDateTime>,
    pub created_before: Option<NaiveDateTime>,
    /// Last used at or after / at or before.
    pub last_used_after: Option<NaiveDateTime>,
    pub last_used_before: Option<NaiveDateTime>,
    /// The name holds this, whatever the case.
    pub search: Option<String>,
}

/// Tokens, newest first, as `filter` says.
pub fn list_pats(
    conn: &mut DbConnection,
    filter: &PatFilter,
    page: i64,
    per_page: i64,
) -> Result<Page<PatRow>, RepoError> {
    let base = || {
        let mut q = pats::table
            .filter(pats::impersonation.eq(filter.impersonation))
            .into_boxed();
        if let Some(user_id) = filter.user_id {
            q = q.filter(pats::user_id.eq(user_id));
        }
        if let Some(revoked) = filter.revoked {
            q = q.filter(pats::revoked.eq(revoked));
        }
        if let (Some(active), Some(today)) = (filter.active, filter.today) {
            // Active: not revoked, and no expiry or one after today.
            let live = pats::revoked
                .eq(false)
                .and(pats::expires_at.is_null().or(pats::expires_at.gt(today)));
            q = if active {
                q.filter(live)
            } else {
                q.filter(pats::revoked.eq(true).or(pats::expires_at.le(today)))
            };
        }
        if let Some(at) = filter.created_after {
            q = q.filter(pats::created_at.ge(at));
        }
        if let Some(at) = filter.created_before {
            q = q.filter(pats::created_at.le(at));
        }
        if let Some(at) = filter.last_used_after {
            q = q.filter(pats::last_used_at.ge(at));
        }
        if let Some(at) = filter.last_used_before {
            q = q.filter(pats::last_used_at.le(at));
        }
        if let Some(text) = &filter.search {
            let pattern = crate::user_list::like_pattern(&text.to_lowercase());
            q = q.filter(crate::users::lower(pats::name).like(pattern).escape('\\'));
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

/// Notes a use of the token, and the addresses it was used from when they
/// changed.
pub fn touch_pat(
    conn: &mut DbConnection,
    id: i64,
    at: NaiveDateTime,
    last_used_ips: Option<&str>,
) -> Result<(), RepoError> {
    match last_used_ips {
        None => diesel::update(pats::table.find(id))
            .set(pats::last_used_at.eq(at))
            .execute(conn)?,
        Some(ips) => diesel::update(pats::table.find(id))
            .set((pats::last_used_at.eq(at), pats::last_used_ips.eq(ips)))
            .execute(conn)?,
    };
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
                description: old.description.as_deref(),
                impersonation: old.impersonation,
                created_by_id: old.created_by_id,
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
