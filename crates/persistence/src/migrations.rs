//! The migrations of both backends, embedded in the binary.
use crate::connection::{write_transaction, DbConnection};
use crate::error::RepoError;
use diesel::sql_types::BigInt;
use diesel::RunQueryDsl;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

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
    if matches!(conn, DbConnection::Sqlite(_)) {
        return write_transaction(conn, apply_pending);
    }
    advisory_lock(conn, "pg_advisory_lock")?;
    let applied = apply_pending(conn);
    let unlocked = advisory_lock(conn, "pg_advisory_unlock");
    let applied = applied?;
    unlocked?;
    Ok(applied)
}

/// Applies the pending migrations of the connection's own tree.
fn apply_pending(conn: &mut DbConnection) -> Result<Vec<String>, RepoError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE).map(names),
        DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES).map(names),
    };
    applied.map_err(migration_error)
}

/// Calls a PostgreSQL advisory-lock `function` on the migration lock; nothing
/// on SQLite, which has no such locks.
fn advisory_lock(conn: &mut DbConnection, function: &str) -> Result<(), RepoError> {
    if let DbConnection::Postgres(c) = conn {
        diesel::sql_query(format!("SELECT {function}($1)"))
            .bind::<BigInt, _>(MIGRATION_LOCK)
            .execute(c)?;
    }
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
    result.map_err(migration_error)
}

/// Reverts the newest `steps` applied migrations, newest first, each with
/// its `down.sql`; returns their versions. Fewer when fewer were applied.
/// Every node must be stopped first: a node that expects the reverted
/// schema fails on its next query.
pub fn revert_last(conn: &mut DbConnection, steps: usize) -> Result<Vec<String>, RepoError> {
    advisory_lock(conn, "pg_advisory_lock")?;
    let mut reverted = Vec::new();
    let mut outcome = Ok(());
    for _ in 0..steps {
        let applied = match conn {
            DbConnection::Sqlite(c) => c.applied_migrations().map(|v| v.len()),
            DbConnection::Postgres(c) => c.applied_migrations().map(|v| v.len()),
        };
        match applied {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                outcome = Err(migration_error(e));
                break;
            }
        }
        let step = match conn {
            DbConnection::Sqlite(c) => c.revert_last_migration(SQLITE).map(|v| v.to_string()),
            DbConnection::Postgres(c) => c.revert_last_migration(POSTGRES).map(|v| v.to_string()),
        };
        match step {
            Ok(version) => reverted.push(version),
            Err(e) => {
                outcome = Err(migration_error(e));
                break;
            }
        }
    }
    let unlocked = advisory_lock(conn, "pg_advisory_unlock");
    outcome?;
    unlocked?;
    Ok(reverted)
}

/// The newest migration applied: the schema's version (the same on both
/// backends, whose migrations carry the same names). `None` before any.
pub fn schema_version(conn: &mut DbConnection) -> Result<Option<String>, RepoError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.applied_migrations().map(names),
        DbConnection::Postgres(c) => c.applied_migrations().map(names),
    };
    Ok(applied.map_err(migration_error)?.into_iter().max())
}

fn names(versions: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    versions.into_iter().map(|v| v.to_string()).collect()
}
