//! §3 OAuth grants, revocation, token info and sign-in hygiene.
use reqwest::Method;
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::{json, Value};

async fn sign_in(roster: &TestRoster, username: &str, password: &str, status: u16) -> Value {
    roster
        .expect_json(
            roster
                .request(Method::POST, "/oauth/token")
                .json(&json!({"grant_type": "password", "username": username, "password": password})),
            status,
        )
        .await
}

#[tokio::test]
async fn password_grant_issues_working_tokens() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let grant = sign_in(&roster, "alice", TEST_PASSWORD, 200).await;
    assert_eq!(grant["token_type"], "Bearer");
    assert_eq!(grant["expires_in"], 7200);
    assert_eq!(grant["scope"], "api");
    assert!(grant["created_at"].is_i64());
    let access = grant["access_token"].as_str().unwrap();
    assert!(access.starts_with("roster_oat_"));
    assert!(grant["refresh_token"]
        .as_str()
        .unwrap()
        .starts_with("roster_ort_"));
    let me = roster
        .expect_json(roster.with_token(access, Method::GET, "/api/v4/user"), 200)
        .await;
    assert_eq!(me["id"], alice.id);
    assert!(me["current_sign_in_at"].is_string());
    assert!(me["last_activity_on"].is_string());

    // By e-mail, in any case, with a form body.
    let r = roster
        .request(Method::POST, "/oauth/token")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=password&username=ALICE%40example.com&password={TEST_PASSWORD}&scope=read_user"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let grant: Value = r.json().await.unwrap();
    assert_eq!(grant["scope"], "read_user");

    let info = roster
        .expect_json(roster.with_token(access, Method::GET, "/oauth/token/info"), 200)
        .await;
    assert_eq!(info["resource_owner_id"], alice.id);
    assert_eq!(info["scope"], json!(["api"]));
    assert!(info["expires_in"].as_i64().unwrap() > 7000);
    roster.expect_json(roster.get("/oauth/token/info"), 401).await;
}

#[tokio::test]
async fn grant_errors_follow_rfc_6749() {
    let roster = TestRoster::spawn().await;
    roster.create_user("alice").await;
    let body = sign_in(&roster, "alice", "wrong-password", 400).await;
    assert_eq!(body["error"], "invalid_grant");
    let unknown = sign_in(&roster, "nobody", "wrong-password", 400).await;
    assert_eq!(unknown, body, "unknown users look exactly like wrong passwords");
    let post = |b: Value| roster.request(Method::POST, "/oauth/token").json(&b);
    let body = roster
        .expect_json(post(json!({"grant_type": "password", "username": "alice"})), 400)
        .await;
    assert_eq!(body["error"], "invalid_request");
    let body = roster
        .expect_json(post(json!({"grant_type": "client_credentials"})), 400)
        .await;
    assert_eq!(body["error"], "unsupported_grant_type");
    let body = roster.expect_json(post(json!({})), 400).await;
    assert_eq!(body["error"], "invalid_request");
    let body = roster
        .expect_json(post(json!({"grant_type": "password", "username": "alice", "password": TEST_PASSWORD, "scope": "sudo"})), 400)
        .await;
    assert_eq!(body["error"], "invalid_scope");
    let body = roster
        .expect_json(
            post(json!({"grant_type": "refresh_token", "refresh_token": "roster_ort_nope"})),
            400,
        )
        .await;
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let roster = TestRoster::spawn().await;
    roster.create_user("alice").await;
    let first = sign_in(&roster, "alice", TEST_PASSWORD, 200).await;
    let refresh = |token: &str| {
        roster
            .request(Method::POST, "/oauth/token")
            .json(&json!({"grant_type": "refresh_token", "refresh_token": token}))
    };
    let second = roster
        .expect_json(refresh(first["refresh_token"].as_str().unwrap()), 200)
        .await;
    assert_ne!(second["access_token"], first["access_token"]);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let second_access = second["access_token"].as_str().unwrap();
    roster
        .expect_json(roster.with_token(second_access, Method::GET, "/api/v4/user"), 200)
        .await;
    roster
        .expect_json(
            roster.with_token(
                first["access_token"].as_str().unwrap(),
                Method::GET,
                "/api/v4/user",
            ),
            401,
        )
        .await;

    // The first refresh token again: stolen. Everything of this grant dies.
    let body = roster
        .expect_json(refresh(first["refresh_token"].as_str().unwrap()), 400)
        .await;
    assert_eq!(body["error"], "invalid_grant");
    roster
        .expect_json(roster.with_token(second_access, Method::GET, "/api/v4/user"), 401)
        .await;
    roster
        .expect_json(refresh(second["refresh_token"].as_str().unwrap()), 400)
        .await;
    // Other grants of the same user are untouched.
    let other = sign_in(&roster, "alice", TEST_PASSWORD, 200).await;
    roster
        .expect_json(
            roster.with_token(
                other["access_token"].as_str().unwrap(),
                Method::GET,
                "/api/v4/user",
            ),
            200,
        )
        .await;
}

#[tokio::test]
async fn revoke_answers_200_whatever_the_token() {
    let roster = TestRoster::spawn().await;
    roster.create_user("alice").await;
    let grant = sign_in(&roster, "alice", TEST_PASSWORD, 200).await;
    let access = grant["access_token"].as_str().unwrap();
    let revoke = |token: &str| {
        roster
            .request(Method::POST, "/oauth/revoke")
            .json(&json!({"token": token}))
    };
    assert_eq!(
        roster.expect_json(revoke("roster_oat_unknown"), 200).await,
        json!({})
    );
    assert_eq!(roster.expect_json(revoke(access), 200).await, json!({}));
    roster
        .expect_json(roster.with_token(access, Method::GET, "/api/v4/user"), 401)
        .await;
    // Revoking a refresh token takes the whole grant with it.
    let grant = sign_in(&roster, "alice", TEST_PASSWORD, 200).await;
    roster
        .expect_json(revoke(grant["refresh_token"].as_str().unwrap()), 200)
        .await;
    roster
        .expect_json(
            roster.with_token(
                grant["access_token"].as_str().unwrap(),
                Method::GET,
                "/api/v4/user",
            ),
            401,
        )
        .await;
}

#[tokio::test]
async fn ten_failures_lock_the_account() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    for _ in 0..9 {
        sign_in(&roster, "alice", "wrong-password", 400).await;
    }
    // A success resets the count…
    sign_in(&roster, "alice", TEST_PASSWORD, 200).await;
    for _ in 0..10 {
        sign_in(&roster, "alice", "wrong-password", 400).await;
    }
    // …ten in a row lock it, even against the right password.
    let body = sign_in(&roster, "alice", TEST_PASSWORD, 400).await;
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"].as_str().unwrap().contains("locked"));
    let view = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/users/{}", alice.id)),
            200,
        )
        .await;
    assert_eq!(view["locked"], true);
    // Tokens issued before keep working: the lock is on signing in.
    roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
        .await;
}

#[tokio::test]
async fn lock_expires() {
    let roster = TestRoster::spawn_with(|s| {
        s.max_failed_sign_ins = 2;
        s.lockout = std::time::Duration::from_secs(1);
    })
    .await;
    roster.create_user("alice").await;
    sign_in(&roster, "alice", "wrong-password", 400).await;
    sign_in(&roster, "alice", "wrong-password", 400).await;
    sign_in(&roster, "alice", TEST_PASSWORD, 400).await;
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    sign_in(&roster, "alice", TEST_PASSWORD, 200).await;
}

#[tokio::test]
async fn hard_confirmation_refuses_unconfirmed_sign_in() {
    let roster =
        TestRoster::spawn_with(|s| s.email_confirmation = roster_api::settings::EmailConfirmation::Hard)
            .await;
    roster
        .expect_json(
            roster.as_admin(Method::POST, "/api/v4/users").json(&json!({
                "email": "u@example.com", "username": "pending", "name": "P", "password": TEST_PASSWORD
            })),
            201,
        )
        .await;
    let body = sign_in(&roster, "pending", TEST_PASSWORD, 400).await;
    assert!(body["error_description"].as_str().unwrap().contains("confirm"));
}
