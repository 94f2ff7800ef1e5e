//! §7 operations: metrics, and no secret in any log line of a full flow.
use crate::keygen::keygen;
use crate::process::{roster_command, serve};
use roster_testkit::{TestDatabase, TestRoster, TEST_PASSWORD};
use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;

#[tokio::test]
async fn metrics_in_prometheus_text() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    roster
        .expect_json(roster.get(&format!("/api/v4/users/{}", alice.id)), 200)
        .await;
    roster.expect_json(roster.get("/api/v4/users/999999"), 404).await;
    let r = roster.get("/-/metrics").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = r.text().await.unwrap();
    for needle in [
        r#"roster_http_requests_total{method="GET",route="/api/v4/users/{id}",status="200"} 1"#,
        r#"roster_http_requests_total{method="GET",route="/api/v4/users/{id}",status="404"} 1"#,
        r#"roster_http_requests_total{method="POST",route="/api/v4/users",status="201"} 1"#,
        r#"roster_http_request_duration_seconds_bucket{method="GET",route="/api/v4/users/{id}",le="0.5"} 2"#,
        "roster_password_hash_total 1",
        "roster_password_hash_in_flight 0",
        "roster_password_hash_seconds_total ",
        r#"roster_db_pool_connections{state="idle"}"#,
        r#"roster_db_pool_connections{state="in_use"}"#,
        "roster_mail_outbox_pending 0",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    // Unknown paths share one label instead of one series each.
    roster.get("/no/such/path/123").send().await.unwrap();
    let text = roster
        .get("/-/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains(r#"route="unmatched",status="404""#), "{text}");
    assert!(!text.contains("/no/such/path"));
}

#[tokio::test]
async fn no_secret_reaches_the_log() {
    let db = TestDatabase::create();
    let log_path = std::env::temp_dir().join(format!("roster-log-{}.txt", uuid::Uuid::new_v4()));
    let bin = env!("CARGO_BIN_EXE_roster");
    let run = |args: &[&str]| {
        Command::new(bin)
            .args(args)
            .env("DATABASE_URL", db.url())
            .env("ROSTER_BCRYPT_COST", "4")
            .env("RUST_LOG", "debug")
            .output()
            .unwrap()
    };
    let admin = run(&[
        "admin",
        "create",
        "--username",
        "root",
        "--email",
        "root@example.com",
    ]);
    let admin_password = String::from_utf8(admin.stdout).unwrap().trim().to_owned();
    let admin_token =
        String::from_utf8(run(&["token", "create", "--username", "root", "--name", "ops"]).stdout)
            .unwrap()
            .trim()
            .to_owned();
    let mut cmd = roster_command(&db);
    cmd.env("ROSTER_MAIL_POLL_MS", "100").env("RUST_LOG", "debug");
    let mut server = serve(cmd, std::fs::File::create(&log_path).unwrap().into()).await;
    let base = server.url.clone();
    let client = reqwest::Client::new();
    let post = |path: &str, body: Value, token: Option<&str>| {
        let mut r = client.post(format!("{base}{path}")).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r
    };

    // A full flow: sign-up, sign-in, refresh, token, key, password change and reset.
    let user_password = "a-very-secret-passphrase";
    post(
        "/api/v4/registrations",
        json!({"email": "logged@example.com", "username": "logged", "name": "L", "password": user_password}),
        None,
    )
    .send()
    .await
    .unwrap();
    let grant: Value = post(
        "/oauth/token",
        json!({"grant_type": "password", "username": "logged", "password": user_password}),
        None,
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let access = grant["access_token"].as_str().unwrap().to_owned();
    let refresh = grant["refresh_token"].as_str().unwrap().to_owned();
    let refreshed: Value = post(
        "/oauth/token",
        json!({"grant_type": "refresh_token", "refresh_token": refresh}),
        None,
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let access2 = refreshed["access_token"].as_str().unwrap().to_owned();
    let pat: Value = post(
        "/api/v4/user/personal_access_tokens",
        json!({"name": "x", "scopes": ["api"]}),
        Some(&access2),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let pat = pat["token"].as_str().unwrap().to_owned();
    let key = keygen("ed25519", None, "logged");
    post(
        "/api/v4/user/keys",
        json!({"title": "k", "key": key.public_line}),
        Some(&pat),
    )
    .send()
    .await
    .unwrap();
    let private = std::fs::read_to_string(&key.private).unwrap();
    post(
        "/api/v4/user/keys",
        json!({"title": "oops", "key": private}),
        Some(&pat),
    )
    .send()
    .await
    .unwrap();
    let new_password = "another-secret-passphrase";
    client
        .put(format!("{base}/api/v4/user/password"))
        .bearer_auth(&pat)
        .json(&json!({"current_password": user_password, "password": new_password}))
        .send()
        .await
        .unwrap();
    post(
        "/oauth/token",
        json!({"grant_type": "password", "username": "logged", "password": "wrong-guess-123"}),
        None,
    )
    .send()
    .await
    .unwrap();
    post(
        "/api/v4/password/reset",
        json!({"email": "root@example.com"}),
        None,
    )
    .send()
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut conn = roster_persistence::DbManager::new(db.url())
        .unwrap()
        .connect_now()
        .unwrap();
    let mail = roster_persistence::outbox::messages_to(&mut conn, "root@example.com").unwrap();
    let reset_token = crate::life_cycle::link_param(&mail[0].body_text, "reset_token");
    let reset_password = "reset-secret-passphrase";
    post(
        "/api/v4/password/reset/complete",
        json!({"reset_token": reset_token, "password": reset_password, "password_confirmation": reset_password}),
        None,
    )
    .send()
    .await
    .unwrap();
    client
        .get(format!("{base}/api/v4/user"))
        .header("PRIVATE-TOKEN", &admin_token)
        .send()
        .await
        .unwrap();
    client
        .get(format!("{base}/api/v4/user?private_token={admin_token}"))
        .send()
        .await
        .unwrap();
    let mut hashes: Vec<String> = Vec::new();
    {
        use diesel::prelude::*;
        use roster_persistence::schema::users::dsl;
        hashes.extend(
            dsl::users
                .select(dsl::password_hash)
                .load::<String>(&mut conn)
                .unwrap(),
        );
    }

    // Stop the server the way an init system does, and read what it logged.
    Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    let status = tokio::task::spawn_blocking(move || server.child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "SIGTERM stops the server cleanly: {status}");
    let log = std::fs::read_to_string(&log_path).unwrap();
    let _ = std::fs::remove_file(&log_path);
    assert!(log.contains("request_id="), "the access log is there:\n{log}");
    assert!(
        log.contains("route=/api/v4/users/{id}") || log.contains("route=/api/v4/user "),
        "route templates are logged"
    );
    let key_body = key.public_line.split(' ').nth(1).unwrap().to_owned();
    let private_body = private.lines().nth(1).unwrap().to_owned();
    let secrets: Vec<(&str, String)> = vec![
        ("admin password", admin_password),
        ("admin token", admin_token),
        ("user password", user_password.to_owned()),
        ("new password", new_password.to_owned()),
        ("reset password", reset_password.to_owned()),
        ("wrong password", "wrong-guess-123".to_owned()),
        ("access token", access),
        ("refreshed access token", access2),
        ("refresh token", refresh),
        ("personal access token", pat),
        ("reset token", reset_token),
        ("public key material", key_body),
        ("private key material", private_body),
        ("test password", TEST_PASSWORD.to_owned()),
    ];
    for (what, secret) in secrets.iter().chain(
        hashes
            .iter()
            .map(|h| ("password hash", h.clone()))
            .collect::<Vec<_>>()
            .iter(),
    ) {
        assert!(!log.contains(secret.as_str()), "the {what} reached the log");
    }
    assert!(!log.contains("$2b$"), "no bcrypt hash in the log");
}
