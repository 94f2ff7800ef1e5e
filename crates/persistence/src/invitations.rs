//! Invitations to groups by e-mail address. The secret of the mailed link
//! is stored as its digest.
use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::now;
use crate::pagination::{Page, COUNT_LIMIT};
use crate::schema::{group_invitations, users};
use crate::user_list::like_pattern;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A stored invitation.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = group_invitations)]
pub struct InvitationRow {
    pub id: i64,
    pub group_id: i64,
    pub email: String,
    pub access_level: i32,
    pub expires_at: Option<NaiveDate>,
    pub token_digest: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

/// An invitation to store.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub group_id: i64,
    pub email: String,
    pub access_level: i32,
    pub expires_at: Option<NaiveDate>,
    pub token_digest: String,
    pub created_by: i64,
}

/// Stores an invitation; `Taken::Invitation` when the address is invited
/// to the group already.
pub fn create_invitation(conn: &mut DbConnection, new: &NewInvitation) -> Result<InvitationRow, RepoError> {
    let id: i64 = diesel::insert_into(group_invitations::table)
        .values((
            group_invitations::group_id.eq(new.group_id),
            group_invitations::email.eq(&new.email),
            group_invitations::access_level.eq(new.access_level),
            group_invitations::expires_at.eq(new.expires_at),
            group_invitations::token_digest.eq(&new.token_digest),
            group_invitations::created_by.eq(new.created_by),
            group_invitations::created_at.eq(now()),
        ))
        .returning(group_invitations::id)
        .get_result(conn)?;
    Ok(group_invitations::table
        .find(id)
        .select(InvitationRow::as_select())
        .first(conn)?)
}

/// The group's invitation of `email`.
pub fn find_invitation(
    conn: &mut DbConnection,
    group: i64,
    email: &str,
) -> Result<Option<InvitationRow>, RepoError> {
    Ok(group_invitations::table
        .filter(group_invitations::group_id.eq(group))
        .filter(group_invitations::email.eq(email))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?)
}

/// The invitations sent to any of `emails`, oldest first.
pub fn invitations_to(conn: &mut DbConnection, emails: &[String]) -> Result<Vec<InvitationRow>, RepoError> {
    Ok(group_invitations::table
        .filter(group_invitations::email.eq_any(emails))
        .order(group_invitations::id.asc())
        .select(InvitationRow::as_select())
        .load(conn)?)
}

/// One invitation, by id.
pub fn find_by_id(conn: &mut DbConnection, id: i64) -> Result<Option<InvitationRow>, RepoError> {
    Ok(group_invitations::table
        .find(id)
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?)
}

/// The invitation whose link secret has this digest.
pub fn find_by_digest(conn: &mut DbConnection, digest: &str) -> Result<Option<InvitationRow>, RepoError> {
    Ok(group_invitations::table
        .filter(group_invitations::token_digest.eq(digest))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Sets an invitation's level and the expiry of the membership it grants.
pub fn update_invitation(
    conn: &mut DbConnection,
    invitation: &InvitationRow,
    access_level: Option<i32>,
    expires_at: Option<Option<NaiveDate>>,
) -> Result<InvitationRow, RepoError> {
    diesel::update(group_invitations::table.find(invitation.id))
        .set((
            group_invitations::access_level.eq(access_level.unwrap_or(invitation.access_level)),
            group_invitations::expires_at.eq(expires_at.unwrap_or(invitation.expires_at)),
        ))
        .execute(conn)?;
    Ok(group_invitations::table
        .find(invitation.id)
        .select(InvitationRow::as_select())
        .first(conn)?)
}

/// Deletes an invitation; `false` when it was gone.
pub fn delete_invitation(conn: &mut DbConnection, id: i64) -> Result<bool, RepoError> {
    Ok(diesel::delete(group_invitations::table.find(id)).execute(conn)? > 0)
}

/// A page of the group's invitations, oldest first, with the name of who
/// sent each; `query` matches part of the address.
pub fn list_invitations(
    conn: &mut DbConnection,
    group: i64,
    query: Option<&str>,
    page: i64,
    per_page: i64,
) -> Result<Page<(InvitationRow, String)>, RepoError> {
    let base = || {
        let mut q = group_invitations::table
            .filter(group_invitations::group_id.eq(group))
            .into_boxed();
        if let Some(term) = query.map(str::trim).filter(|t| !t.is_empty()) {
            q = q.filter(group_invitations::email.like(like_pattern(term)).escape('\\'));
        }
        q
    };
    let count: i64 = base().count().get_result(conn)?;
    let items = base()
        .inner_join(users::table.on(users::id.eq(group_invitations::created_by)))
        .order(group_invitations::id.asc())
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .select((InvitationRow::as_select(), users::name))
        .load(conn)?;
    Ok(Page {
        items,
        total: (count <= COUNT_LIMIT).then_some(count),
        has_more: page.saturating_mul(per_page) < count,
    })
}
