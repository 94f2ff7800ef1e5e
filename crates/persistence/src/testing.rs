//! Fresh databases for tests: a temporary SQLite file, or a new PostgreSQL
//! database on the server named by `ROSTER_TEST_DATABASE_URL`, so that tests
//! run in parallel without sharing state. Dropped when the value is dropped.
use diesel::connection::SimpleConnection;
use diesel::Connection;

/// The environment variable naming a PostgreSQL server for tests. When it is
/// unset, tests use SQLite.
pub const TEST_DATABASE_ENV: &str = "ROSTER_TEST_DATABASE_URL";

/// A database that exists for the life of one test.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    SqliteFile(std::path::PathBuf),
    PostgresDatabase { server_url: String, name: String },
}

impl TestDatabase {
    /// A fresh database on the backend the environment chooses.
    ///
    /// # Panics
    /// When `ROSTER_TEST_DATABASE_URL` names a PostgreSQL server that cannot be
    /// reached: a test run meant for PostgreSQL must fail, not pass on SQLite.
    pub fn create() -> Self {
        match std::env::var(TEST_DATABASE_ENV) {
            Ok(url) if !url.is_empty() => Self::postgres(&url),
            _ => Self::sqlite(),
        }
    }

    /// A fresh SQLite file in the temporary directory.
    pub fn sqlite() -> Self {
        let path = std::env::temp_dir().join(format!("roster-test-{}.db", uuid::Uuid::new_v4()));
        Self {
            url: format!("sqlite://{}", path.display()),
            cleanup: Cleanup::SqliteFile(path),
        }
    }

    /// A fresh database on the PostgreSQL server at `server_url`.
    ///
    /// # Panics
    /// When the server cannot be reached or refuses to create the database.
    pub fn postgres(server_url: &str) -> Self {
        Self::try_postgres(server_url).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A fresh database on the PostgreSQL server at `server_url`, or why
    /// there is none.
    pub fn try_postgres(server_url: &str) -> Result<Self, crate::RepoError> {
        // A local test server needs neither TLS nor Kerberos. Without them
        // libpq never touches OpenSSL or libkrb5, whose clean-up at process
        // exit aborts a test process (`k5_mutex_lock: Assertion r == 0`)
        // when another thread opens a connection at that moment.
        let server_url = &plain_connection(server_url);
        let config = |reason: String| crate::RepoError::Config(reason);
        let mut url = url::Url::parse(server_url).map_err(|e| config(format!("{server_url}: {e}")))?;
        let name = format!("roster_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = diesel::PgConnection::establish(server_url)
            .map_err(|e| config(format!("cannot reach PostgreSQL at {server_url}: {e}")))?;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| config(format!("cannot create the database {name}: {e}")))?;
        url.set_path(&name);
        Ok(Self {
            url: url.to_string(),
            cleanup: Cleanup::PostgresDatabase {
                server_url: server_url.to_owned(),
                name,
            },
        })
    }

    /// The URL to connect to.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// `url` with `sslmode` and `gssencmode` set to `disable` unless it names them.
fn plain_connection(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    for setting in ["sslmode", "gssencmode"] {
        if !parsed.query_pairs().any(|(k, _)| k == setting) {
            parsed.query_pairs_mut().append_pair(setting, "disable");
        }
    }
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use super::plain_connection;

    #[test]
    fn test_connections_skip_tls_and_kerberos_unless_the_url_says_otherwise() {
        assert_eq!(
            plain_connection("postgres://postgres@127.0.0.1:5432/test"),
            "postgres://postgres@127.0.0.1:5432/test?sslmode=disable&gssencmode=disable"
        );
        assert_eq!(
            plain_connection("postgres://h/test?sslmode=require"),
            "postgres://h/test?sslmode=require&gssencmode=disable"
        );
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::PostgresDatabase { server_url, name } => {
                if let Ok(mut admin) = diesel::PgConnection::establish(server_url) {
                    let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}
