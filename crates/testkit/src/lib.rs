//! Start a real Roster inside your integration tests.
//!
//! [`TestRoster::spawn`] creates a fresh database (a temporary SQLite file, or
//! a new PostgreSQL database when `ROSTER_TEST_DATABASE_URL` names a server),
//! applies the migrations, starts the real HTTP server on `127.0.0.1:0` in a
//! thread of its own, creates an admin with a personal access token, and hands
//! back the URL and request helpers. Everything is torn down on drop.
//!
//! ```no_run
//! # async fn demo() {
//! let roster = roster_testkit::TestRoster::spawn().await;
//! let alice = roster.create_user("alice").await;
//! let me: serde_json::Value = roster
//!     .get("/api/v4/user")
//!     .bearer_auth(&alice.token)
//!     .send()
//!     .await
//!     .unwrap()
//!     .json()
//!     .await
//!     .unwrap();
//! assert_eq!(me["username"], "alice");
//! # }
//! ```
#![deny(missing_docs)]

use actix_web::dev::ServerHandle;
use reqwest::{Client, Method, RequestBuilder};
use roster_api::settings::Settings;
use roster_api::{app, background::hashing::PasswordHasher, services};
use roster_domain::{Password, Scope, Scopes};
pub use roster_persistence::testing::{TestDatabase, TEST_DATABASE_ENV};
use serde_json::{json, Value};
use std::net::TcpListener;

/// The password every user made by [`TestRoster::create_user`] gets.
pub const TEST_PASSWORD: &str = "correct-horse-battery";

/// A user made for a test, with an `api` token.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// The user's id.
    pub id: i64,
    /// The user name.
    pub username: String,
    /// The primary address.
    pub email: String,
    /// A personal access token with the `api` scope.
    pub token: String,
}

/// A running Roster with a fresh database.
pub struct TestRoster {
    /// The server's base URL, e.g. `http://127.0.0.1:43117`.
    pub url: String,
    /// The admin created at start.
    pub admin: TestUser,
    /// The settings the server runs with.
    pub settings: Settings,
    client: Client,
    handle: ServerHandle,
    server_thread: Option<std::thread::JoinHandle<()>>,
    // Declared last: dropped after the server is gone (see `Drop`).
    database: TestDatabase,
}

impl TestRoster {
    /// Settings for tests: a fast bcrypt cost and few threads.
    pub fn test_settings(database_url: &str) -> Settings {
        Settings {
            database_url: database_url.to_owned(),
            bind: "127.0.0.1:0".into(),
            bcrypt_cost: 4,
            hash_workers: 1,
            http_workers: 2,
            db_pool_size: 4,
            // Tests about other things send many requests from one address;
            // the rate-limit tests switch the limits on themselves.
            rate_limits: roster_api::limits::RateLimits::off(),
            // A key of its own, so no key file is left beside the test database.
            secret_key: Some(roster_domain::SecretKey::generate()),
            ..Settings::default()
        }
    }

    /// Starts Roster with the test settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts Roster after `adjust` has changed the test settings.
    ///
    /// # Panics
    /// When the database or the server cannot be started: the test cannot go on.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        Self::spawn_on(TestDatabase::create(), adjust).await
    }

    /// [`TestRoster::spawn_with`] on `database` (`TestDatabase::sqlite()`
    /// for a test that needs SQLite whatever the suite's backend).
    ///
    /// # Panics
    /// When the database or the server cannot be started: the test cannot go on.
    pub async fn spawn_on(database: TestDatabase, adjust: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = Self::test_settings(database.url());
        adjust(&mut settings);
        let db = app::open_database(&settings).expect("open the test database");
        let admin = {
            let mut conn = db.pool().get().expect("a database connection");
            let hasher = PasswordHasher::single(settings.bcrypt_cost).expect("hasher");
            let password = Password::parse(TEST_PASSWORD).expect("valid password");
            let user =
                services::users::create_admin_now(&mut conn, &hasher, "root", "root@example.com", &password)
                    .expect("create the admin");
            let (_, secret) =
                services::tokens::issue_pat(&mut conn, user.id, "testkit", &Scopes::only(Scope::Api), None)
                    .expect("create the admin token");
            TestUser {
                id: user.id,
                username: user.username,
                email: user.email,
                token: secret.expose().to_owned(),
            }
        };
        Self::serve(database, settings, db, admin)
    }

    /// Serves a database that already holds this roster's data (a copy made
    /// with `roster copy` or `roster import`), with `source`'s settings (its
    /// secret key opens the copied secrets) and admin.
    ///
    /// # Panics
    /// When the database or the server cannot be started.
    pub fn serve_copy(source: &TestRoster, database: TestDatabase) -> Self {
        let settings = Settings {
            database_url: database.url().to_owned(),
            ..source.settings.clone()
        };
        let db = app::open_database(&settings).expect("open the copied database");
        Self::serve(database, settings, db, source.admin.clone())
    }

    fn serve(database: TestDatabase, settings: Settings, db: roster_api::db::Db, admin: TestUser) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port");
        let addr = listener.local_addr().expect("bound address");
        let server_settings = settings.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let server_thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let bound = app::bind(server_settings, db, listener).expect("start the server");
                tx.send(bound.server.handle())
                    .expect("hand back the server handle");
                let _ = bound.server.await;
            });
        });
        let handle = rx.recv().expect("the server started");
        Self {
            url: format!("http://{addr}"),
            admin,
            settings,
            client: Client::new(),
            handle,
            server_thread: Some(server_thread),
            database,
        }
    }

    /// The database URL in use.
    pub fn database_url(&self) -> &str {
        self.database.url()
    }

    /// The messages queued for `recipient`, newest first (mail is written to
    /// the outbox in the same transaction as the change that caused it).
    ///
    /// # Panics
    /// When the database cannot be read.
    pub fn mails_to(&self, recipient: &str) -> Vec<roster_persistence::outbox::NewMail> {
        let mut conn = roster_persistence::DbManager::new(self.database.url())
            .and_then(|m| {
                m.connect_now()
                    .map_err(|e| roster_persistence::RepoError::Config(e.to_string()))
            })
            .expect("open the test database");
        roster_persistence::outbox::messages_to(&mut conn, recipient).expect("read the outbox")
    }

    /// A request to `path` (relative to the server) with no token.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.url))
    }

    /// `GET path` with no token.
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    /// A request as the admin.
    pub fn as_admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.request(method, path)
            .header("PRIVATE-TOKEN", &self.admin.token)
    }

    /// A request with `token`.
    pub fn with_token(&self, token: &str, method: Method, path: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(token)
    }

    /// Creates a confirmed user named `username` through the API, with the
    /// password [`TEST_PASSWORD`] and an `api` token.
    ///
    /// # Panics
    /// When the API refuses.
    pub async fn create_user(&self, username: &str) -> TestUser {
        self.create_user_with(username, json!({})).await
    }

    /// Like [`TestRoster::create_user`], with extra create parameters.
    ///
    /// # Panics
    /// When the API refuses.
    pub async fn create_user_with(&self, username: &str, extra: Value) -> TestUser {
        let email = format!("{}@example.com", username.to_lowercase());
        let mut body = json!({
            "username": username,
            "email": email,
            "name": format!("{username} Tester"),
            "password": TEST_PASSWORD,
            "skip_confirmation": true,
        });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        let created: Value = self
            .expect_json(self.as_admin(Method::POST, "/api/v4/users").json(&body), 201)
            .await;
        let id = created["id"].as_i64().expect("an id");
        let token: Value = self
            .expect_json(
                self.as_admin(
                    Method::POST,
                    &format!("/api/v4/users/{id}/personal_access_tokens"),
                )
                .json(&json!({ "name": "test", "scopes": ["api"] })),
                201,
            )
            .await;
        TestUser {
            id,
            username: username.to_owned(),
            email,
            token: token["token"].as_str().expect("a token").to_owned(),
        }
    }

    /// Sends `request`, checks the status, and returns the JSON body.
    ///
    /// # Panics
    /// When the status differs or the body is not JSON.
    pub async fn expect_json(&self, request: RequestBuilder, status: u16) -> Value {
        let response = request.send().await.expect("the request was sent");
        let got = response.status().as_u16();
        let text = response.text().await.expect("a body");
        assert_eq!(got, status, "unexpected status; body: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }
}

impl Drop for TestRoster {
    fn drop(&mut self) {
        // Stop the server and wait for its thread, so that its connection
        // pool is gone before the database is dropped: a pool left behind
        // keeps reconnecting to a dropped PostgreSQL database, and a client
        // library busy connecting while the process exits can crash it.
        // (Sending the stop command happens on the call; the returned future
        // only waits for completion.)
        drop(self.handle.stop(false));
        if let Some(thread) = self.server_thread.take() {
            let _ = thread.join();
        }
    }
}
