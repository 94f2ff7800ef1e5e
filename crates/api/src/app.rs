//! Building and running the HTTP server.
use crate::background::hashing::{HashPoolSize, PasswordHasher};
use crate::background::hooks::{DeliveryMetrics, HookDeliverer, Sender as HookSender};
use crate::background::load::RequestLoad;
use crate::background::mailer::Mailer;
use crate::db::Db;
use crate::http::error::ApiError;
use crate::http::middleware;
use crate::http::params::MAX_BODY_BYTES;
use crate::routes;
use crate::settings::Settings;
use crate::state::AppState;
use actix_web::dev::{Server, ServerHandle, Service};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Logger;
use actix_web::{web, App, HttpMessage, HttpServer};
use roster_persistence::{build_pool, migrations, PoolOptions};
use std::net::{SocketAddr, TcpListener};

const REQUEST_ID: &str = "x-request-id";

fn request_id_from(value: Option<&HeaderValue>) -> String {
    value
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 200 && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Opens the pool and applies pending migrations.
pub fn open_database(settings: &Settings) -> anyhow::Result<Db> {
    let pool = build_pool(
        &settings.database_url,
        &PoolOptions {
            max_size: settings.db_pool_size,
            ..PoolOptions::default()
        },
    )?;
    // At start the database may still be coming up, or busy (a node among
    // several starting at once): wait longer for the first connection than
    // a request would.
    let mut conn = pool.get_timeout(std::time::Duration::from_secs(30))?;
    let applied = migrations::run_pending(&mut conn)?;
    if !applied.is_empty() {
        log::info!("applied migrations: {}", applied.join(", "));
    }
    drop(conn);
    Ok(Db::new(pool))
}

/// Opens one connection (no pool, so no background threads) and applies
/// pending migrations: for the command line, which exits right after.
pub fn open_connection(settings: &Settings) -> anyhow::Result<roster_persistence::DbConnection> {
    let mut conn = roster_persistence::DbManager::new(&settings.database_url)?.connect_now()?;
    let applied = migrations::run_pending(&mut conn)?;
    if !applied.is_empty() {
        log::info!("applied migrations: {}", applied.join(", "));
    }
    Ok(conn)
}

/// A connection to the configured database, without applying migrations
/// (`roster migrate --revert`).
pub fn connect_only(settings: &Settings) -> anyhow::Result<roster_persistence::DbConnection> {
    Ok(roster_persistence::DbManager::new(&settings.database_url)?.connect_now()?)
}

/// The route a request matched (`/api/v4/users/{id}`), for the access log.
struct RouteTemplate(String);

/// A server bound to its address, ready to run.
pub struct Bound {
    /// The server future; await it to serve.
    pub server: Server,
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The public URL in use.
    pub public_url: String,
    /// The mail sender; stop it once the server has stopped.
    pub mailer: Mailer,
    /// The system-hook deliverer; stop it once the server has stopped.
    pub hooks: HookDeliverer,
}

/// Builds the server on `listener` (which may be bound to port 0). Must be
/// called inside an actix/tokio runtime.
pub fn bind(settings: Settings, db: Db, listener: TcpListener) -> anyhow::Result<Bound> {
    let addr = listener.local_addr()?;
    let public_url = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let load = std::sync::Arc::new(RequestLoad::default());
    let hash_pool = HashPoolSize {
        workers: settings.hash_workers,
        under_load: settings.hash_workers_under_load,
        queue: settings.hash_queue,
    };
    let hasher = PasswordHasher::start(settings.bcrypt_cost, hash_pool, std::sync::Arc::clone(&load))?;
    let workers = settings.http_workers;
    let testkit = settings.testkit;
    let secrets = crate::secret_key::load(&settings)?;
    let mailer = Mailer::start(db.pool().clone(), &settings)?;
    let metrics = crate::background::metrics::Metrics::new()?;
    let hook_sender = HookSender::new(&settings, secrets.clone(), &public_url)?;
    let hooks = HookDeliverer::start(
        db.pool().clone(),
        &settings,
        secrets.clone(),
        &public_url,
        DeliveryMetrics {
            deliveries: metrics.hook_deliveries.clone(),
        },
    )?;
    let state = web::Data::new(AppState {
        db,
        hasher,
        load,
        settings,
        public_url: public_url.clone(),
        metrics,
        hook_sender,
        secrets,
        jwks: Default::default(),
        signer: Default::default(),
        discovery: Default::default(),
    });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(crate::http::input::DeclaredInputs(crate::openapi::request_of))
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .configure(routes::configure)
            .configure(|cfg| {
                if testkit {
                    routes::testkit::configure(cfg);
                }
            })
            .default_service(web::to(routes::not_found))
            .wrap_fn(|req, srv| {
                use futures_util::future::{Either, FutureExt};
                if let Some(preflight) = middleware::cors_preflight(&req) {
                    return Either::Left(futures_util::future::ready(Ok(req.into_response(preflight))));
                }
                match middleware::refuse_early(&req) {
                    Some(problem) => Either::Left(futures_util::future::ready(Ok(middleware::refusal(
                        req, &problem,
                    )))),
                    None => Either::Right(
                        srv.call(req)
                            .map(|r| r.map(|res| middleware::allow_any_origin(middleware::json_errors(res)))),
                    ),
                }
            })
            .wrap_fn(|req, srv| {
                let started = std::time::Instant::now();
                let state = req.app_data::<web::Data<AppState>>().cloned();
                let in_flight = state.as_ref().map(|state| state.load.enter());
                let method = req.method().to_string();
                let id = request_id_from(req.headers().get(REQUEST_ID));
                let response = srv.call(req);
                async move {
                    let mut response = response.await?;
                    drop(in_flight);
                    // Matching the path against the routes again costs a few
                    // regular expressions: once here, kept for the access log.
                    let route = response.request().match_pattern();
                    if let Some(state) = state {
                        let label = route.as_deref().unwrap_or("unmatched");
                        let status = response.status().as_u16();
                        state
                            .metrics
                            .observe(label, &method, status, started.elapsed().as_secs_f64());
                    }
                    response
                        .request()
                        .extensions_mut()
                        .insert(RouteTemplate(route.unwrap_or_else(|| "-".into())));
                    if let Ok(value) = HeaderValue::from_str(&id) {
                        response
                            .headers_mut()
                            .insert(HeaderName::from_static(REQUEST_ID), value);
                    }
                    Ok(response)
                }
            })
            // Only where a response set none of its own: avatars keep their
            // long cache, the pages their stricter policy.
            .wrap(
                actix_web::middleware::DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "no-referrer"))
                    .add(("Cache-Control", "no-store")),
            )
            .wrap(
                Logger::new(
                    "%{client}xi \"%{method}xo %U\" route=%{route}xo %s %b %Dms request_id=%{x-request-id}o",
                )
                // The address the rate limits and security events use: the
                // peer's, or the forwarded one only with `ROSTER_TRUST_PROXY`.
                .custom_request_replace("client", |req| {
                    let trust_proxy = req
                        .app_data::<web::Data<AppState>>()
                        .is_some_and(|state| state.settings.trust_proxy);
                    crate::rate_limit::client_address(req.request(), trust_proxy)
                })
                .custom_response_replace("method", |res| res.request().method().to_string())
                .custom_response_replace("route", |res| {
                    res.request()
                        .extensions()
                        .get::<RouteTemplate>()
                        .map_or_else(|| "-".to_owned(), |r| r.0.clone())
                }),
            )
    })
    .workers(workers)
    .listen(listener)?
    .run();
    Ok(Bound {
        server,
        addr,
        public_url,
        mailer,
        hooks,
    })
}

/// Serves until the process is told to stop (SIGTERM or Ctrl-C finish the
/// requests in flight, then return).
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let db = open_database(&settings)?;
    let listener = TcpListener::bind(&settings.bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
    let pool = db.pool().clone();
    let secrets = crate::secret_key::load(&settings)?;
    let fresh = web::block(move || -> anyhow::Result<bool> {
        let mut conn = pool.get()?;
        // The key that signs ID tokens is made at first start (§10), not
        // by the first sign-in's request.
        crate::services::signing_keys::current(&mut conn, &secrets)?;
        Ok(!roster_persistence::users::any_user(&mut conn)?)
    })
    .await??;
    let Bound {
        server,
        addr,
        public_url,
        mailer,
        hooks,
    } = bind(settings, db, listener)?;
    log::info!("Roster listening on {addr}; public URL {public_url}");
    if fresh {
        log::info!(
            "no users yet: create the first admin with `roster admin create --username root --email you@example.com`"
        );
    }
    server.await?;
    mailer.stop();
    hooks.stop();
    log::info!("Roster stopped");
    Ok(())
}

/// A handle to stop a running server.
pub type Handle = ServerHandle;

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::Internal(e.into())
    }
}
