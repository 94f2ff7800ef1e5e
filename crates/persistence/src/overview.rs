//! The counts the admin console's overview shows.
use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::schema::{groups, oauth_applications, system_hooks, users};
use diesel::prelude::*;
use roster_domain::UserState;

/// How many of each there are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Users (bots and service accounts included).
    pub users: i64,
    /// Users blocked, banned or waiting for approval.
    pub blocked: i64,
    /// Admins.
    pub admins: i64,
    /// Groups.
    pub groups: i64,
    /// OAuth applications.
    pub applications: i64,
    /// System hooks.
    pub hooks: i64,
}

/// The counts, in one read.
pub fn counts(conn: &mut DbConnection) -> Result<Counts, RepoError> {
    let blocked_states =
        [UserState::Blocked, UserState::Banned, UserState::PendingApproval].map(UserState::as_str);
    Ok(Counts {
        users: users::table.count().get_result(conn)?,
        blocked: users::table
            .filter(users::state.eq_any(blocked_states))
            .count()
            .get_result(conn)?,
        admins: users::table
            .filter(users::is_admin.eq(true))
            .count()
            .get_result(conn)?,
        groups: groups::table.count().get_result(conn)?,
        applications: oauth_applications::table.count().get_result(conn)?,
        hooks: system_hooks::table.count().get_result(conn)?,
    })
}
