//! What users consented to give applications (the "authorized
//! applications" of GitLab's API).
use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::now;
use crate::schema::{oauth_applications as apps, oauth_grants as grants, oauth_tokens as tokens};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored consent.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = grants)]
pub struct GrantRow {
    pub id: i64,
    pub user_id: i64,
    pub application_id: i64,
    /// The scopes granted, joined by spaces.
    pub scopes: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A consent with its application's name and its tokens' last use.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizedApplication {
    pub grant: GrantRow,
    pub application_name: String,
    pub last_used_at: Option<NaiveDateTime>,
}

/// The user's consent to the application, if any.
pub fn find(
    conn: &mut DbConnection,
    user_id: i64,
    application_id: i64,
) -> Result<Option<GrantRow>, RepoError> {
    Ok(grants::table
        .filter(grants::user_id.eq(user_id))
        .filter(grants::application_id.eq(application_id))
        .select(GrantRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records consent to `scopes` (the caller merges them with earlier ones).
pub fn upsert(
    conn: &mut DbConnection,
    user_id: i64,
    application_id: i64,
    scopes: &str,
) -> Result<GrantRow, RepoError> {
    let at = now();
    if let Some(existing) = find(conn, user_id, application_id)? {
        diesel::update(grants::table.find(existing.id))
            .set((grants::scopes.eq(scopes), grants::updated_at.eq(at)))
            .execute(conn)?;
    } else {
        diesel::insert_into(grants::table)
            .values((
                grants::user_id.eq(user_id),
                grants::application_id.eq(application_id),
                grants::scopes.eq(scopes),
                grants::created_at.eq(at),
                grants::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(find(conn, user_id, application_id)?.expect("the grant was just written"))
}

/// The user's consents, oldest first, with names and last use (the
/// newest token issued under them).
pub fn list_for_user(conn: &mut DbConnection, user_id: i64) -> Result<Vec<AuthorizedApplication>, RepoError> {
    let rows: Vec<(GrantRow, String)> = grants::table
        .inner_join(apps::table)
        .filter(grants::user_id.eq(user_id))
        .order(grants::id.asc())
        .select((GrantRow::as_select(), apps::name))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (grant, application_name) in rows {
        let last_used_at: Option<NaiveDateTime> = tokens::table
            .filter(tokens::user_id.eq(user_id))
            .filter(tokens::application_id.eq(grant.application_id))
            .select(diesel::dsl::max(tokens::created_at))
            .first(conn)?;
        out.push(AuthorizedApplication {
            grant,
            application_name,
            last_used_at,
        });
    }
    Ok(out)
}

/// Withdraws consent `id` of the user and revokes every token the
/// application holds for them; `None` when there is no such consent.
pub fn revoke(
    conn: &mut DbConnection,
    user_id: i64,
    id: i64,
) -> Result<Option<(GrantRow, usize)>, RepoError> {
    let Some(grant) = grants::table
        .find(id)
        .filter(grants::user_id.eq(user_id))
        .select(GrantRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    diesel::delete(grants::table.find(id)).execute(conn)?;
    let revoked = diesel::update(
        tokens::table
            .filter(tokens::user_id.eq(user_id))
            .filter(tokens::application_id.eq(grant.application_id))
            .filter(tokens::revoked_at.is_null()),
    )
    .set(tokens::revoked_at.eq(now()))
    .execute(conn)?;
    Ok(Some((grant, revoked)))
}
