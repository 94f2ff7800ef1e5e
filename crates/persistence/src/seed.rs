//! Bulk loading of generated users for benchmarks and demos
//! (`roster dev seed`). Rows go in many at a time, one transaction a batch, so
//! a million users load in about a minute; the caller supplies one password
//! hash for all of them instead of a million bcrypt calls.
use crate::connection::{per_backend, write_transaction, DbConnection};
use crate::error::RepoError;
use crate::schema::{emails, keys, users};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// Rows a single statement inserts: well under SQLite's 32,766 and
/// PostgreSQL's 65,535 bound parameters at 14 columns a row.
pub const ROWS_PER_STATEMENT: usize = 1_000;

/// One generated user, with what hangs off it.
#[derive(Debug, Clone)]
pub struct SeedUser {
    /// Unique user name.
    pub username: String,
    /// Unique primary address, lower case.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// City.
    pub location: String,
    /// Employer.
    pub organization: String,
    /// Role.
    pub job_title: String,
    /// `active` or `blocked`.
    pub state: &'static str,
    /// When the account was made (also the confirmation time).
    pub created_at: NaiveDateTime,
    /// Last day of activity, if any.
    pub last_activity_on: Option<NaiveDate>,
    /// A confirmed second address, if any.
    pub secondary_email: Option<String>,
    /// An SSH key, if any.
    pub key: Option<SeedKey>,
}

/// An SSH public key already parsed and fingerprinted by the caller.
#[derive(Debug, Clone)]
pub struct SeedKey {
    /// Key title.
    pub title: String,
    /// `ssh-ed25519 AAAA… comment`.
    pub key: String,
    /// `ssh-ed25519`.
    pub algorithm: String,
    /// `SHA256:…`.
    pub fingerprint_sha256: String,
    /// `aa:bb:…`.
    pub fingerprint_md5: String,
}

/// Inserts `batch` (at most [`ROWS_PER_STATEMENT`] users) with their
/// addresses and keys in one transaction, all with `password_hash`. Fails with
/// `Taken` if a name or address already exists, inserting nothing.
pub fn insert_batch(
    conn: &mut DbConnection,
    password_hash: &str,
    batch: &[SeedUser],
) -> Result<(), RepoError> {
    if batch.is_empty() {
        return Ok(());
    }
    write_transaction(conn, |conn| {
        let rows: Vec<_> = batch
            .iter()
            .map(|u| {
                (
                    users::username.eq(&u.username),
                    users::email.eq(&u.email),
                    users::name.eq(&u.name),
                    users::first_name.eq(&u.first_name),
                    users::last_name.eq(&u.last_name),
                    users::location.eq(&u.location),
                    users::organization.eq(&u.organization),
                    users::job_title.eq(&u.job_title),
                    users::state.eq(u.state),
                    users::password_hash.eq(password_hash),
                    users::confirmed_at.eq(Some(u.created_at)),
                    users::created_at.eq(u.created_at),
                    users::updated_at.eq(u.created_at),
                    users::last_activity_on.eq(u.last_activity_on),
                )
            })
            .collect();
        let ids: Vec<i64> = per_backend!(conn, c => diesel::insert_into(users::table)
            .values(&rows)
            .returning(users::id)
            .get_results(c))?;
        let mut addresses = Vec::with_capacity(batch.len() * 2);
        let mut new_keys = Vec::new();
        for (user, id) in batch.iter().zip(ids) {
            let confirmed = Some(user.created_at);
            addresses.push((
                emails::user_id.eq(id),
                emails::email.eq(&user.email),
                emails::confirmed_at.eq(confirmed),
                emails::created_at.eq(user.created_at),
            ));
            if let Some(second) = &user.secondary_email {
                addresses.push((
                    emails::user_id.eq(id),
                    emails::email.eq(second),
                    emails::confirmed_at.eq(confirmed),
                    emails::created_at.eq(user.created_at),
                ));
            }
            if let Some(key) = &user.key {
                new_keys.push((
                    keys::user_id.eq(id),
                    keys::title.eq(&key.title),
                    keys::key.eq(&key.key),
                    keys::algorithm.eq(&key.algorithm),
                    keys::fingerprint_sha256.eq(&key.fingerprint_sha256),
                    keys::fingerprint_md5.eq(&key.fingerprint_md5),
                    keys::usage_type.eq("auth_and_signing"),
                    keys::created_at.eq(user.created_at),
                ));
            }
        }
        for chunk in addresses.chunks(ROWS_PER_STATEMENT) {
            per_backend!(conn, c => diesel::insert_into(emails::table).values(chunk).execute(c))?;
        }
        if !new_keys.is_empty() {
            per_backend!(conn, c => diesel::insert_into(keys::table).values(&new_keys).execute(c))?;
        }
        Ok(())
    })
}

/// Tunes this connection for loading many rows: on SQLite a 512 MiB page
/// cache, so that the random inserts into the unique and search indexes hit
/// memory instead of re-reading pages, and no sync at commit; on PostgreSQL
/// commits that do not wait for the WAL flush. A crash during the load may
/// lose its last batches but never corrupts the database.
pub fn tune_for_bulk_load(conn: &mut DbConnection) -> Result<(), RepoError> {
    use diesel::connection::SimpleConnection;
    let pragmas = match conn {
        DbConnection::Sqlite(_) => {
            "PRAGMA cache_size = -524288; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY;"
        }
        DbConnection::Postgres(_) => "SET synchronous_commit = off;",
    };
    Ok(conn.batch_execute(pragmas)?)
}

/// Ends a bulk load: on SQLite merges the search index into one segment
/// (rows added one by one leave it in many, which every search would have to
/// merge); on PostgreSQL refreshes the planner's statistics and the visibility map.
pub fn finish_bulk_load(conn: &mut DbConnection) -> Result<(), RepoError> {
    use diesel::connection::SimpleConnection;
    let statements: &[&str] = match conn {
        DbConnection::Sqlite(_) => &["INSERT INTO users_search (users_search) VALUES ('optimize')"],
        // One statement a call: several in one string would form a
        // transaction block, where VACUUM may not run.
        DbConnection::Postgres(_) => &[
            "VACUUM ANALYZE users",
            "VACUUM ANALYZE emails",
            "VACUUM ANALYZE keys",
            "VACUUM ANALYZE group_members",
        ],
    };
    for statement in statements {
        conn.batch_execute(statement)?;
    }
    Ok(())
}

/// Makes every user with an id up to `last_user` a member of `group`, in
/// one statement, at levels cycling through Guest to Owner.
pub fn add_members_in_bulk(conn: &mut DbConnection, group: i64, last_user: i64) -> Result<usize, RepoError> {
    use diesel::connection::SimpleConnection;
    let at = crate::now().format("%Y-%m-%d %H:%M:%S");
    // Integers and a formatted time only: nothing to escape.
    let statement = format!(
        "INSERT INTO group_members (group_id, user_id, access_level, created_at, updated_at) \
         SELECT {group}, id, 10 * (1 + id % 5), '{at}', '{at}' FROM users \
         WHERE id <= {last_user} AND bot_group_id IS NULL \
         AND id NOT IN (SELECT user_id FROM group_members WHERE group_id = {group})"
    );
    conn.batch_execute(&statement)?;
    Ok(crate::schema::group_members::table
        .filter(crate::schema::group_members::group_id.eq(group))
        .count()
        .get_result::<i64>(conn)? as usize)
}

/// How many users exist, so that a second run numbers its users after them.
pub fn count_users(conn: &mut DbConnection) -> Result<i64, RepoError> {
    Ok(users::table.count().get_result(conn)?)
}
