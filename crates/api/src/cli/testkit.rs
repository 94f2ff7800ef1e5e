//! `roster testkit serve`: a real Roster for another program's tests, in any
//! language. It makes a fresh database (a temporary SQLite file, or a new
//! database on the PostgreSQL server `--database-url` names), an admin with a
//! token, loads the fixtures, and prints one JSON line once it answers. It
//! stops, and removes that database, when its standard input closes (the test
//! runner that started it ended, even by SIGKILL) or on SIGTERM / Ctrl-C.
use crate::app;
use crate::background::hashing::PasswordHasher;
use crate::cli::fixtures::{self, Fixtures};
use crate::services;
use crate::settings::Settings;
use anyhow::Context;
use roster_domain::{Scope, Scopes};
use roster_persistence::testing::TestDatabase;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

/// The admin every instance starts with.
pub const ADMIN_USERNAME: &str = "root";
const ADMIN_EMAIL: &str = "root@example.com";

/// What `roster testkit serve` was asked for.
pub struct ServeOptions {
    /// The port on 127.0.0.1; 0 lets the system choose.
    pub port: u16,
    /// A PostgreSQL server to make the database on; SQLite when absent.
    pub database_url: Option<String>,
    /// Users, groups and applications to load first.
    pub fixtures: Option<std::path::PathBuf>,
    /// bcrypt's cost (4, the fastest, unless asked).
    pub bcrypt_cost: u32,
    /// Keep the rate limits of `settings` (off unless asked).
    pub rate_limits: bool,
}

/// Why the instance stops.
enum Stop {
    /// Standard input reached its end or failed: whoever started us is gone.
    InputClosed,
    /// The server ended by itself (SIGTERM, SIGINT) or failed.
    ServerEnded(anyhow::Result<()>),
}

/// Runs an instance until it is told to stop, then removes its database.
/// `settings` are those of the environment; the database, address, hashing
/// cost, rate limits and secret key are the testkit's own.
pub fn serve(mut settings: Settings, options: ServeOptions) -> anyhow::Result<()> {
    let fixtures = match &options.fixtures {
        Some(path) => Fixtures::read(path)?,
        None => Fixtures::default(),
    };
    let database = fresh_database(options.database_url.as_deref())?;
    settings.database_url = database.url().to_owned();
    settings.bind = format!("127.0.0.1:{}", options.port);
    settings.bcrypt_cost = options.bcrypt_cost;
    settings.hash_workers = 1;
    settings.hash_workers_under_load = 1;
    settings.http_workers = 2;
    settings.db_pool_size = 4;
    if !options.rate_limits {
        settings.rate_limits = crate::limits::RateLimits::off();
    }
    // A key of its own, so that no key file is left behind.
    settings.secret_key = Some(roster_domain::SecretKey::generate());
    settings.testkit = true;
    // From here on, `database` is removed when this function returns, on
    // success or error.
    let db = app::open_database(&settings)?;
    let admin_password = services::users::random_password();
    let admin_token = {
        let mut conn = db.pool().get()?;
        let hasher = PasswordHasher::single(settings.bcrypt_cost)?;
        let admin = services::users::create_admin_now(
            &mut conn,
            &hasher,
            ADMIN_USERNAME,
            ADMIN_EMAIL,
            &admin_password,
        )?;
        let (_, secret) =
            services::tokens::issue_pat(&mut conn, admin.id, "testkit", &Scopes::only(Scope::Api), None)?;
        let secrets = crate::secret_key::load(&settings)?;
        services::signing_keys::current(&mut conn, &secrets)?;
        secret.expose().to_owned()
    };
    let listener =
        TcpListener::bind(&settings.bind).with_context(|| format!("cannot listen on {}", settings.bind))?;
    let url = format!("http://{}", listener.local_addr()?);

    let (stop_tx, stop_rx) = mpsc::channel();
    let (handle_tx, handle_rx) = mpsc::channel();
    let server_stop = stop_tx.clone();
    let server_thread = std::thread::Builder::new()
        .name("roster-testkit-server".into())
        .spawn(move || {
            let ended = actix_web::rt::System::new().block_on(async move {
                use tokio::signal::unix::{signal, SignalKind};
                let bound = app::bind(settings, db, listener)?;
                // Listening for the signals before the line is printed: a
                // SIGTERM right after it must stop the server, not kill the
                // process with the database still there.
                let mut terminate = signal(SignalKind::terminate())?;
                let mut interrupt = signal(SignalKind::interrupt())?;
                let handle = bound.server.handle();
                let _ = handle_tx.send(handle.clone());
                let served = tokio::select! {
                    served = bound.server => served,
                    _ = terminate.recv() => {
                        handle.stop(true).await;
                        Ok(())
                    }
                    _ = interrupt.recv() => {
                        handle.stop(true).await;
                        Ok(())
                    }
                };
                bound.mailer.stop();
                bound.hooks.stop();
                Ok(served?)
            });
            let _ = server_stop.send(Stop::ServerEnded(ended));
        })?;
    let Ok(handle) = handle_rx.recv() else {
        // The server failed before it could start: say why.
        return match stop_rx.recv() {
            Ok(Stop::ServerEnded(Err(e))) => Err(e),
            _ => Err(anyhow::anyhow!("the server did not start")),
        };
    };

    let announced = fixtures::load(&url, &admin_token, fixtures).and_then(|loaded| {
        let mut line = json!({
            "url": url,
            "admin_token": admin_token,
            "admin_username": ADMIN_USERNAME,
            "admin_password": admin_password.expose(),
            "database_url": database.url(),
            "pid": std::process::id(),
        });
        if let Value::Object(object) = &mut line {
            object.extend(loaded);
        }
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}").and_then(|_| out.flush())?;
        Ok(())
    });
    if let Err(e) = announced {
        drop(handle.stop(false));
        let _ = server_thread.join();
        return Err(e);
    }

    std::thread::Builder::new()
        .name("roster-testkit-stdin".into())
        .spawn(move || {
            let mut sink = [0u8; 256];
            let mut input = std::io::stdin().lock();
            while matches!(input.read(&mut sink), Ok(n) if n > 0) {}
            let _ = stop_tx.send(Stop::InputClosed);
        })?;
    let ended = match stop_rx.recv() {
        Ok(Stop::ServerEnded(result)) => result,
        Ok(Stop::InputClosed) | Err(_) => {
            log::info!("standard input closed: stopping");
            drop(handle.stop(false));
            Ok(())
        }
    };
    let _ = server_thread.join();
    drop(database);
    ended
}

/// A temporary SQLite file, or a new database on the PostgreSQL server
/// `server_url` names.
fn fresh_database(server_url: Option<&str>) -> anyhow::Result<TestDatabase> {
    match server_url {
        None => Ok(TestDatabase::sqlite()),
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(TestDatabase::try_postgres(url)?)
        }
        Some(_) => Err(anyhow::anyhow!(
            "--database-url names a PostgreSQL server (postgres://…); without it the database is a temporary SQLite file"
        )),
    }
}
