//! OAuth access and refresh tokens, in families that share one grant.
use crate::connection::{per_backend, write_transaction, DbConnection};
use crate::error::RepoError;
use crate::now;
use crate::schema::{oauth_tokens as oauth, users};
use crate::users::UserRow;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// An access token and its refresh token, as stored (digests only).
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = oauth)]
pub struct OAuthRow {
    pub id: i64,
    pub user_id: i64,
    pub family: String,
    pub access_digest: String,
    pub refresh_digest: String,
    pub scopes: String,
    pub expires_at: NaiveDateTime,
    pub refresh_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// The application the pair was issued to, if any.
    pub application_id: Option<i64>,
    /// When the person signed in for this grant (browser flows).
    pub auth_time: Option<NaiveDateTime>,
    /// The address the pair was issued to.
    pub ip_address: Option<String>,
    /// The user agent it was issued to.
    pub user_agent: Option<String>,
}

impl OAuthRow {
    /// Whether the access token may be used at `at`.
    pub fn access_valid_at(&self, at: NaiveDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > at
    }
}

/// A token pair to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = oauth)]
pub struct NewOAuth<'a> {
    pub user_id: i64,
    pub application_id: Option<i64>,
    pub family: &'a str,
    pub access_digest: &'a str,
    pub refresh_digest: &'a str,
    pub scopes: &'a str,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub auth_time: Option<NaiveDateTime>,
    pub ip_address: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// Stores a token pair.
pub fn create_oauth(conn: &mut DbConnection, new: &NewOAuth<'_>) -> Result<OAuthRow, RepoError> {
    let id: i64 = diesel::insert_into(oauth::table)
        .values(new)
        .returning(oauth::id)
        .get_result(conn)?;
    Ok(oauth::table.find(id).select(OAuthRow::as_select()).first(conn)?)
}

/// The access token with this digest and its owner, in one query.
pub fn authenticate_oauth(
    conn: &mut DbConnection,
    access_digest: &str,
) -> Result<Option<(OAuthRow, UserRow)>, RepoError> {
    Ok(per_backend!(conn, c => oauth::table
        .inner_join(users::table)
        .filter(oauth::access_digest.eq(access_digest))
        .select((OAuthRow::as_select(), UserRow::as_select()))
        .first(c).optional())?)
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq)]
pub enum Refresh {
    /// A new pair was stored; the old one is revoked.
    Rotated(Box<(OAuthRow, UserRow)>),
    /// The refresh token had been used or revoked already: the whole family is
    /// now revoked (a stolen refresh token is only good once, for someone).
    Reused,
    /// No such refresh token.
    Unknown,
}

/// The new pair a refresh stores.
#[derive(Debug, Clone)]
pub struct Renewal {
    pub access_digest: String,
    pub refresh_digest: String,
    pub expires_at: NaiveDateTime,
    /// Where the refresh came from.
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

/// Exchanges the refresh token with digest `refresh_digest`, presented by
/// application `client` (or none), for a new pair.
pub fn refresh(
    conn: &mut DbConnection,
    refresh_digest: &str,
    client: Option<i64>,
    new: impl FnOnce(&OAuthRow) -> Renewal,
) -> Result<Refresh, RepoError> {
    write_transaction(conn, |conn| {
        let found = oauth::table
            .inner_join(users::table)
            .filter(oauth::refresh_digest.eq(refresh_digest))
            .select((OAuthRow::as_select(), UserRow::as_select()))
            .first::<(OAuthRow, UserRow)>(conn)
            .optional()?;
        let Some((old, user)) = found else {
            return Ok(Refresh::Unknown);
        };
        // Bound to its client: another client (or none) learns nothing and
        // spends nothing.
        if old.application_id != client {
            return Ok(Refresh::Unknown);
        }
        let at = now();
        if old.refresh_used_at.is_some() || old.revoked_at.is_some() {
            revoke_family(conn, &old.family)?;
            return Ok(Refresh::Reused);
        }
        // Spend the refresh token only if nobody else did meanwhile: on
        // PostgreSQL a concurrent refresh waits for this row and then finds
        // the condition false, so exactly one of them wins.
        let spent = diesel::update(
            oauth::table
                .find(old.id)
                .filter(oauth::refresh_used_at.is_null())
                .filter(oauth::revoked_at.is_null()),
        )
        .set((oauth::refresh_used_at.eq(at), oauth::revoked_at.eq(at)))
        .execute(conn)?;
        if spent == 0 {
            revoke_family(conn, &old.family)?;
            return Ok(Refresh::Reused);
        }
        let renewal = new(&old);
        let row = create_oauth(
            conn,
            &NewOAuth {
                user_id: old.user_id,
                application_id: old.application_id,
                family: &old.family,
                access_digest: &renewal.access_digest,
                refresh_digest: &renewal.refresh_digest,
                scopes: &old.scopes,
                expires_at: renewal.expires_at,
                created_at: at,
                auth_time: old.auth_time,
                ip_address: renewal.ip_address.as_deref(),
                user_agent: renewal.user_agent.as_deref(),
            },
        )?;
        Ok(Refresh::Rotated(Box::new((row, user))))
    })
}

/// Revokes every token of a family.
pub fn revoke_family(conn: &mut DbConnection, family: &str) -> Result<(), RepoError> {
    diesel::update(
        oauth::table
            .filter(oauth::family.eq(family))
            .filter(oauth::revoked_at.is_null()),
    )
    .set(oauth::revoked_at.eq(now()))
    .execute(conn)?;
    Ok(())
}

/// Revokes the token pair whose access or refresh digest is `digest` (RFC
/// 7009). A refresh token takes its whole family with it. Unknown tokens are
/// ignored. Answers the revoked pair's owner and application, when a live
/// token was revoked.
pub fn revoke_by_digest(
    conn: &mut DbConnection,
    digest: &str,
) -> Result<Option<(i64, Option<i64>)>, RepoError> {
    let by_refresh: Option<(String, i64, Option<i64>, Option<NaiveDateTime>)> = oauth::table
        .filter(oauth::refresh_digest.eq(digest))
        .select((
            oauth::family,
            oauth::user_id,
            oauth::application_id,
            oauth::revoked_at,
        ))
        .first(conn)
        .optional()?;
    if let Some((family, user, app, revoked)) = by_refresh {
        revoke_family(conn, &family)?;
        return Ok(revoked.is_none().then_some((user, app)));
    }
    let by_access: Option<(i64, i64, Option<i64>)> = oauth::table
        .filter(oauth::access_digest.eq(digest))
        .filter(oauth::revoked_at.is_null())
        .select((oauth::id, oauth::user_id, oauth::application_id))
        .first(conn)
        .optional()?;
    let Some((id, user, app)) = by_access else {
        return Ok(None);
    };
    diesel::update(oauth::table.find(id))
        .set(oauth::revoked_at.eq(now()))
        .execute(conn)?;
    Ok(Some((user, app)))
}

/// Revokes every OAuth token of a user but the family `keep` (after a
/// password change, say).
pub fn revoke_user_tokens(
    conn: &mut DbConnection,
    user_id: i64,
    keep: Option<&str>,
) -> Result<usize, RepoError> {
    let mut q = diesel::update(oauth::table)
        .filter(oauth::user_id.eq(user_id))
        .filter(oauth::revoked_at.is_null())
        .into_boxed();
    if let Some(keep) = keep {
        q = q.filter(oauth::family.ne(keep.to_owned()));
    }
    Ok(q.set(oauth::revoked_at.eq(now())).execute(conn)?)
}

/// The pair whose refresh token has this digest, and its owner.
pub fn find_by_refresh(
    conn: &mut DbConnection,
    refresh_digest: &str,
) -> Result<Option<(OAuthRow, UserRow)>, RepoError> {
    Ok(per_backend!(conn, c => oauth::table
        .inner_join(users::table)
        .filter(oauth::refresh_digest.eq(refresh_digest))
        .select((OAuthRow::as_select(), UserRow::as_select()))
        .first(c).optional())?)
}

/// A live token family: its newest pair and when the family began.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveFamily {
    /// The pair in use (the family's one unrevoked row).
    pub current: OAuthRow,
    /// When the first pair of the family was issued.
    pub started_at: NaiveDateTime,
    /// The id of the family's first pair: it names the family for good
    /// (a refresh changes the pair in use).
    pub first_id: i64,
}

/// The user's token families that still work, newest first. A refresh
/// revokes the pair it replaces, so a live family has one unrevoked row.
pub fn live_families(conn: &mut DbConnection, user_id: i64) -> Result<Vec<LiveFamily>, RepoError> {
    let current: Vec<OAuthRow> = oauth::table
        .filter(oauth::user_id.eq(user_id))
        .filter(oauth::revoked_at.is_null())
        .order(oauth::id.desc())
        .select(OAuthRow::as_select())
        .load(conn)?;
    let families: Vec<&str> = current.iter().map(|r| r.family.as_str()).collect();
    let starts: Vec<(String, Option<NaiveDateTime>, Option<i64>)> = oauth::table
        .filter(oauth::family.eq_any(&families))
        .group_by(oauth::family)
        .select((
            oauth::family,
            diesel::dsl::min(oauth::created_at),
            diesel::dsl::min(oauth::id),
        ))
        .load(conn)?;
    let starts: std::collections::HashMap<String, (Option<NaiveDateTime>, Option<i64>)> = starts
        .into_iter()
        .map(|(family, at, first)| (family, (at, first)))
        .collect();
    Ok(current
        .into_iter()
        .map(|row| {
            let (at, first) = starts.get(&row.family).copied().unwrap_or((None, None));
            LiveFamily {
                started_at: at.unwrap_or(row.created_at),
                first_id: first.unwrap_or(row.id),
                current: row,
            }
        })
        .collect())
}

/// The family whose first pair has this id, if it is the user's (the id
/// that names the family for good: a refresh replaces the pair in use).
pub fn family_of_first_pair(
    conn: &mut DbConnection,
    user_id: i64,
    id: i64,
) -> Result<Option<String>, RepoError> {
    let Some(family) = oauth::table
        .find(id)
        .filter(oauth::user_id.eq(user_id))
        .select(oauth::family)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let first: Option<i64> = oauth::table
        .filter(oauth::family.eq(&family))
        .select(diesel::dsl::min(oauth::id))
        .first(conn)?;
    Ok((first == Some(id)).then_some(family))
}

/// The family of the user's pair with this id, if that pair is live.
pub fn live_family_of(conn: &mut DbConnection, user_id: i64, id: i64) -> Result<Option<String>, RepoError> {
    Ok(oauth::table
        .find(id)
        .filter(oauth::user_id.eq(user_id))
        .filter(oauth::revoked_at.is_null())
        .select(oauth::family)
        .first(conn)
        .optional()?)
}

/// Revokes the user's token family `family`; how many live pairs it had.
pub fn revoke_user_family(conn: &mut DbConnection, user_id: i64, family: &str) -> Result<usize, RepoError> {
    Ok(diesel::update(
        oauth::table
            .filter(oauth::user_id.eq(user_id))
            .filter(oauth::family.eq(family))
            .filter(oauth::revoked_at.is_null()),
    )
    .set(oauth::revoked_at.eq(now()))
    .execute(conn)?)
}
