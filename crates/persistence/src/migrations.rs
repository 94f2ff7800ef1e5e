//! The migrations of both backends, embedded in the binary.
use crate::connection::write_transaction;
use crate::connection::DbConnection;
use crate::error::RepoError;
use diesel::sql_types::BigInt;
use diesel::RunQueryDsl;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// The key of the PostgreSQL advisory lock held while migrating ("roster").
const MIGRATION_LOCK: i64 = 0x726f_7374_6572;

/// Applies every pending migration; returns the names of those applied.
///
/// Several processes may do this at once on one database (nodes started
/// together behind a load balancer): one applies the migrations while the
/// others wait, then find nothing left to do. On PostgreSQL the wait is an
/// advisory lock held for the session; on SQLite, one `BEGIN IMMEDIATE`
/// transaction around them all (each migration is a savepoint inside it).
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, RepoError> {
    match conn {
        DbConnection::Sqlite(_) => write_transaction(conn, |conn| {
            let DbConnection::Sqlite(c) = conn else {
                unreachable!("the variant of a connection never changes");
            };
            c.run_pending_migrations(SQLITE)
                .map(names)
                .map_err(migration_error)
        }),
        DbConnection::Postgres(c) => {
            advisory_lock(c, "pg_advisory_lock")?;
            let applied = c
                .run_pending_migrations(POSTGRES)
                .map(names)
                .map_err(migration_error);
            let unlocked = advisory_lock(c, "pg_advisory_unlock");
            let applied = applied?;
            unlocked?;
            Ok(applied)
        }
    }
}

fn advisory_lock(conn: &mut diesel::PgConnection, function: &str) -> Result<(), RepoError> {
    diesel::sql_query(format!("SELECT {function}($1)"))
        .bind::<BigInt, _>(MIGRATION_LOCK)
        .execute(conn)?;
    Ok(())
}

fn migration_error(e: Box<dyn std::error::Error + Send + Sync>) -> RepoError {
    RepoError::Migration(e.to_string())
}

/// Reverts every applied migration, newest first (for tests of `down.sql`).
pub fn revert_all(conn: &mut DbConnection) -> Result<(), RepoError> {
    let result = match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE).map(drop),
        DbConnection::Postgres(c) => c.revert_all_migrations(POSTGRES).map(drop),
    };
    result.map_err(|e| RepoError::Migration(e.to_string()))
}

fn names(versions: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    versions.into_iter().map(|v| v.to_string()).collect()
}
