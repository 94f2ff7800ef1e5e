//! Service accounts: bot users an admin made (`users.service_account`),
//! listed apart from everyone else.
use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::pagination::{Page, COUNT_LIMIT};
use crate::schema::users;
use crate::users::UserRow;
use diesel::prelude::*;

/// How the list is ordered (GitLab's `order_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceAccountOrder {
    /// By id.
    Id,
    /// By user name.
    Username,
}

/// A page of service accounts.
pub fn list(
    conn: &mut DbConnection,
    order: ServiceAccountOrder,
    ascending: bool,
    page: i64,
    per_page: i64,
) -> Result<Page<UserRow>, RepoError> {
    let base = || users::table.filter(users::service_account.eq(true)).into_boxed();
    let ordered = match (order, ascending) {
        (ServiceAccountOrder::Id, true) => base().order(users::id.asc()),
        (ServiceAccountOrder::Id, false) => base().order(users::id.desc()),
        (ServiceAccountOrder::Username, true) => base().order((users::username.asc(), users::id.asc())),
        (ServiceAccountOrder::Username, false) => base().order((users::username.desc(), users::id.desc())),
    };
    let items = ordered
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .select(UserRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = base().select(users::id).limit(COUNT_LIMIT + 1).load(conn)?;
    let count = ids.len() as i64;
    Ok(Page {
        items,
        total: (count <= COUNT_LIMIT).then_some(count),
        has_more: page.saturating_mul(per_page) < count,
    })
}
