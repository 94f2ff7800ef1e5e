//! One connection type for both backends, and the pool that hands them out.
use crate::error::RepoError;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use std::time::Duration;

/// A connection to whichever backend `DATABASE_URL` chose. Queries are written
/// once against this type; Diesel dispatches to the variant at run time.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL, for deployments with several Roster nodes.
    Postgres(diesel::PgConnection),
    /// SQLite, the embedded default.
    Sqlite(diesel::SqliteConnection),
}

/// Runs `$body` with `$c` bound to the backend's own connection type. For
/// what Diesel's `MultiConnection` cannot do (insert many rows in one
/// statement), and for the hottest queries: through `MultiConnection` a query
/// is written out as SQL at every execution, even when its prepared statement
/// is cached; on the backend's own connection a cached statement is reused as
/// it is.
macro_rules! per_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::connection::DbConnection::Sqlite($c) => $body,
            $crate::connection::DbConnection::Postgres($c) => $body,
        }
    };
}
pub(crate) use per_backend;

/// Which backend a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// `postgres://…` or `postgresql://…`.
    Postgres,
    /// `sqlite://PATH`, `sqlite:PATH` or a plain path: a file.
    SqliteFile(String),
    /// `sqlite::memory:`: a private in-memory database (one connection).
    SqliteMemory,
}

impl Backend {
    /// Reads the backend from a database URL.
    pub fn from_url(url: &str) -> Result<Self, RepoError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres);
        }
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        match rest {
            "" => Err(RepoError::Config(format!("no database path in {url:?}"))),
            ":memory:" => Ok(Self::SqliteMemory),
            _ if url.contains("://") && !url.starts_with("sqlite://") => Err(RepoError::Config(
                "DATABASE_URL must start with sqlite:// or postgres://".into(),
            )),
            path => Ok(Self::SqliteFile(path.to_owned())),
        }
    }

    /// A short name for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Postgres => "postgres",
            Self::SqliteFile(_) | Self::SqliteMemory => "sqlite",
        }
    }
}

/// Makes connections for r2d2. Diesel's stock manager hides the real error when
/// PostgreSQL is down and cannot apply SQLite's settings, hence this one.
#[derive(Debug, Clone)]
pub struct DbManager {
    url: String,
    backend: Backend,
}

/// Why a connection could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The server or file refused.
    #[error("cannot connect to the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    /// A connection setting could not be applied.
    #[error("cannot set up the database connection: {0}")]
    Setup(#[from] diesel::result::Error),
}

impl DbManager {
    /// A manager for `url`.
    pub fn new(url: &str) -> Result<Self, RepoError> {
        Ok(Self {
            url: url.to_owned(),
            backend: Backend::from_url(url)?,
        })
    }

    /// The backend this manager connects to.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Opens one connection, with SQLite's settings applied.
    pub fn connect_now(&self) -> Result<DbConnection, ConnectError> {
        match &self.backend {
            Backend::Postgres => Ok(DbConnection::Postgres(diesel::PgConnection::establish(
                &self.url,
            )?)),
            Backend::SqliteFile(path) => {
                let mut conn = diesel::SqliteConnection::establish(path)?;
                // busy_timeout first: switching to WAL needs a lock other
                // connections may hold for a moment.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                )?;
                Ok(DbConnection::Sqlite(conn))
            }
            Backend::SqliteMemory => {
                let mut conn = diesel::SqliteConnection::establish(":memory:")?;
                conn.batch_execute("PRAGMA foreign_keys = ON;")?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for DbManager {
    type Connection = DbConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConnection, ConnectError> {
        self.connect_now()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1")?;
        Ok(())
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        crate::lost::take()
    }
}

/// The pool of connections.
pub type DbPool = r2d2::Pool<DbManager>;
/// A connection borrowed from the pool.
pub type PooledConnection = r2d2::PooledConnection<DbManager>;

/// How big the pool is and how long to wait for a connection.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Most connections open at once.
    pub max_size: u32,
    /// How long a caller waits for a free connection before an error.
    pub connection_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 10,
            connection_timeout: Duration::from_secs(5),
        }
    }
}

/// Builds the pool for `url`. An in-memory SQLite database lives in one
/// connection, so its pool holds exactly one, never closed.
pub fn build_pool(url: &str, options: &PoolOptions) -> Result<DbPool, RepoError> {
    let manager = DbManager::new(url)?;
    let builder = r2d2::Pool::builder().connection_timeout(options.connection_timeout);
    let builder = match manager.backend() {
        Backend::SqliteMemory => builder
            .max_size(1)
            .min_idle(Some(1))
            .idle_timeout(None)
            .max_lifetime(None),
        // A connection to a local file does not break the way a network
        // connection does, so it is not tested with a query at each checkout.
        Backend::SqliteFile(_) => builder
            .max_size(options.max_size.max(1))
            .min_idle(Some(1))
            .test_on_check_out(false),
        // No `SELECT 1` at each checkout either: that round trip cost a fifth
        // of the throughput of `GET /user` (docs/performance.md). A connection
        // the server has dropped fails its next query with `ConnectionLost`
        // (answered 503), and the pool then replaces it.
        Backend::Postgres => builder
            .max_size(options.max_size.max(1))
            .min_idle(Some(1))
            .test_on_check_out(false),
    };
    builder.build(manager).map_err(RepoError::from)
}

/// Runs `f` in a transaction that may write. On SQLite it starts with
/// `BEGIN IMMEDIATE`, so the write lock is taken (waiting up to the busy
/// timeout) before anything is read; a deferred transaction that read first
/// would fail with `SQLITE_BUSY` when another connection wrote meanwhile.
/// Inside a transaction already, it nests with a savepoint.
pub fn write_transaction<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<RepoError>,
{
    let caller = |conn: &mut DbConnection| f(conn).map_err(Failure::Caller);
    let begins = match conn {
        DbConnection::Sqlite(sqlite) => !in_transaction(sqlite),
        DbConnection::Postgres(_) => false,
    };
    let result = if begins {
        immediate(conn, caller)
    } else {
        conn.transaction(caller)
    };
    result.map_err(|failure| match failure {
        Failure::Storage(e) => E::from(RepoError::from(e)),
        Failure::Caller(e) => e,
    })
}

/// Why a transaction failed: storage itself, or the work done in it.
enum Failure<E> {
    Storage(diesel::result::Error),
    Caller(E),
}

impl<E> From<diesel::result::Error> for Failure<E> {
    fn from(e: diesel::result::Error) -> Self {
        Self::Storage(e)
    }
}

fn in_transaction(sqlite: &mut SqliteConnection) -> bool {
    // An unreadable status is a broken connection: beginning anew reports it.
    AnsiTransactionManager::transaction_manager_status_mut(sqlite)
        .transaction_depth()
        .is_ok_and(|depth| depth.is_some())
}

/// A SQLite transaction begun with `BEGIN IMMEDIATE`.
fn immediate<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, Failure<E>>,
) -> Result<T, Failure<E>> {
    with_sqlite(conn, |sqlite| {
        AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")
    })?;
    match f(conn) {
        Ok(value) => {
            with_sqlite(conn, AnsiTransactionManager::commit_transaction)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback) = with_sqlite(conn, AnsiTransactionManager::rollback_transaction) {
                log::error!("rollback failed: {rollback}");
            }
            Err(e)
        }
    }
}

/// Runs `f` on the SQLite connection inside `conn`; a PostgreSQL one has no
/// SQLite transaction to manage (the callers match on the variant first).
fn with_sqlite(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut SqliteConnection) -> diesel::QueryResult<()>,
) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(sqlite) => f(sqlite),
        DbConnection::Postgres(_) => Err(diesel::result::Error::BrokenTransactionManager),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_url() {
        assert_eq!(Backend::from_url("postgres://u@h/db").unwrap(), Backend::Postgres);
        assert_eq!(Backend::from_url("postgresql://h/db").unwrap(), Backend::Postgres);
        assert_eq!(
            Backend::from_url("sqlite://roster.db").unwrap(),
            Backend::SqliteFile("roster.db".into())
        );
        assert_eq!(
            Backend::from_url("sqlite:///var/lib/roster.db").unwrap(),
            Backend::SqliteFile("/var/lib/roster.db".into())
        );
        assert_eq!(
            Backend::from_url("sqlite::memory:").unwrap(),
            Backend::SqliteMemory
        );
        assert!(Backend::from_url("mysql://x").is_err());
        assert!(Backend::from_url("sqlite://").is_err());
    }
}
