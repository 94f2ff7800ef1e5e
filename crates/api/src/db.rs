//! Runs storage calls on the blocking pool, never on the async workers.
use crate::http::error::ApiError;
use actix_web::web;
use roster_persistence::{DbConnection, DbPool, RepoError};

/// The database handle the handlers use.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
}

impl Db {
    /// Wraps a pool.
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }

    /// The pool (for health checks and metrics).
    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// Runs `f` with a pooled connection on actix's blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, RepoError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
        .map_err(ApiError::from)
    }

    /// Like [`Db::run`], for closures that fail with [`ApiError`] themselves.
    pub async fn run_api<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(RepoError::from)?;
            f(&mut conn)
        })
        .await?
    }

    /// Runs `f` in one write transaction (see
    /// [`roster_persistence::write_transaction`]): a change, its security
    /// event and its outbox rows are stored together or not at all.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.run_api(move |conn| roster_persistence::write_transaction(conn, f))
            .await
    }
}
