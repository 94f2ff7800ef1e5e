//! Roster's storage: one code path over SQLite and PostgreSQL.
//!
//! [`DbConnection`] is a Diesel `MultiConnection` over both backends; the
//! backend is chosen at run time from the database URL. Queries are plain
//! functions taking `&mut DbConnection`; they return rows (`UserRow`, …) or
//! [`RepoError`], whose [`Taken`] variant names the field a unique index refused
//! on either backend.
#![deny(missing_docs)]

#[allow(missing_docs)]
pub mod accounts;
#[allow(missing_docs)]
pub mod applications;
#[allow(missing_docs)]
pub mod audit;
#[allow(missing_docs)]
pub mod avatars;
#[allow(missing_docs)]
pub mod browser_sessions;
mod connection;
#[allow(missing_docs)]
pub mod custom_attributes;
#[allow(missing_docs)]
pub mod device_codes;
pub mod dump;
#[allow(missing_docs)]
pub mod emails;
mod error;
#[allow(missing_docs)]
pub mod follows;
pub mod gpg_keys;
pub mod group_tokens;
#[allow(missing_docs)]
pub mod groups;
#[allow(missing_docs)]
pub mod invitations;
#[allow(missing_docs)]
pub mod keys;
mod lost;
#[allow(missing_docs)]
pub mod members;
pub mod mfa_challenges;
pub mod migrations;
#[allow(missing_docs)]
pub mod oauth_codes;
#[allow(missing_docs)]
pub mod oauth_grants;
#[allow(missing_docs)]
pub mod oauth_tokens;
#[allow(missing_docs)]
pub mod outbox;
pub mod overview;
mod pagination;
#[allow(missing_docs)]
pub mod password_resets;
#[allow(missing_docs)]
pub mod personal_tokens;
#[allow(missing_docs)]
pub mod preferences;
pub mod rate_limits;
pub mod schema;
pub mod sealed;
pub mod seed;
pub mod service_accounts;
pub mod sign_in_failures;
#[allow(missing_docs)]
pub mod signing_keys;
pub mod system_hooks;
pub mod testing;
pub mod two_factor;
pub mod user_import;
pub mod user_list;
pub mod user_statuses;
#[allow(missing_docs)]
pub mod users;
pub mod webauthn;

pub use connection::{
    build_pool, write_transaction, Backend, ConnectError, DbConnection, DbManager, DbPool, PoolOptions,
    PooledConnection,
};
pub use error::{RepoError, Taken};
pub use pagination::{Page, PageRequest, COUNT_LIMIT};

/// The backend type of [`DbConnection`], for boxed queries.
pub type Db = <DbConnection as diesel::Connection>::Backend;

/// The current time in UTC, as stored in `TIMESTAMP` columns: to the
/// microsecond, PostgreSQL's precision, so that both backends hold the same
/// values (and a copy from one to the other changes none).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}

/// Today, in UTC.
pub fn today() -> chrono::NaiveDate {
    now().date()
}

/// Checks that the database answers (for readiness probes).
pub fn ping(conn: &mut DbConnection) -> Result<(), RepoError> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute("SELECT 1").map_err(RepoError::from)
}
