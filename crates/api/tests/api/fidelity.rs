//! Defects found by the contract suite from outside (issue: contract
//! fidelity), each checked on the backend the suite runs on.
use crate::process::{roster_command, serve};
use reqwest::Method;
use roster_testkit::{TestDatabase, TestRoster, TEST_PASSWORD};
use serde_json::{json, Value};
use std::process::Command;

#[tokio::test]
async fn nul_characters_are_refused_not_passed_to_the_database() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    for path in [
        "/api/v4/users?search=%00",
        "/api/v4/users?username=a%00b",
        "/api/v4/users/%00/keys",
        "/api/v4/users/%00",
        "/api/v4/users/alice%00/status",
        "/api/v4/keys?fingerprint=SHA256:%00",
        "/alice%00.keys",
    ] {
        let r = roster.as_admin(Method::GET, path).send().await.unwrap();
        let status = r.status().as_u16();
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert_eq!(r.headers()["content-type"], "application/json", "{path}");
    }
    // In a JSON body, a form body and a query of a write.
    let r = roster
        .with_token(&alice.token, Method::PUT, "/api/v4/user")
        .json(&json!({"bio": "a\u{0}b"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = roster
        .with_token(&alice.token, Method::POST, "/api/v4/user/emails")
        .form(&[("email", "x\u{0}@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = roster
        .request(Method::POST, "/oauth/token")
        .json(&json!({"grant_type": "password", "username": "alice\u{0}", "password": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Nothing was changed, and the server still answers.
    let me = roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
        .await;
    assert_eq!(me["bio"], "");
}

#[tokio::test]
async fn a_password_longer_than_the_stored_72_bytes_never_matches() {
    let roster = TestRoster::spawn().await;
    let password = "p".repeat(72);
    roster
        .create_user_with("long", json!({"password": password}))
        .await;
    let sign_in = |candidate: String| {
        roster
            .request(Method::POST, "/oauth/token")
            .json(&json!({"grant_type": "password", "username": "long", "password": candidate}))
    };
    roster.expect_json(sign_in(password.clone()), 200).await;
    for extra in ["p", "x", "pppp"] {
        let body = roster
            .expect_json(sign_in(format!("{password}{extra}")), 400)
            .await;
        assert_eq!(body["error"], "invalid_grant");
    }
}

#[tokio::test]
async fn every_error_body_is_json_even_when_the_body_is_too_large() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let big = json!({"preferences": {"a": "x".repeat(200 * 1024)}});
    let r = roster
        .with_token(&alice.token, Method::PUT, "/api/v4/user/preferences")
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["content-type"], "application/json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body, json!({"message": "413 Payload Too Large"}));
    // The same through the parameter reader of ordinary routes.
    let r = roster
        .with_token(&alice.token, Method::PUT, "/api/v4/user")
        .json(&json!({"bio": "x".repeat(100 * 1024)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn the_api_browser_answers_without_its_slash() {
    let roster = TestRoster::spawn().await;
    // reqwest follows the redirect, as a browser does.
    let r = roster.get("/api/v4/docs").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.url().path().ends_with("/api/v4/docs/"), "{}", r.url());
    let page = r.text().await.unwrap();
    assert!(page.contains("swagger"), "{page}");
}

#[tokio::test]
async fn views_carry_every_field_with_null_for_empty_ones() {
    let roster = TestRoster::spawn().await;
    let created = roster
        .expect_json(
            roster.as_admin(Method::POST, "/api/v4/users").json(&json!({
                "username": "fresh", "email": "fresh@example.com", "name": "Fresh",
                "password": TEST_PASSWORD,
            })),
            201,
        )
        .await;
    for field in [
        "last_activity_on",
        "followers",
        "following",
        "confirmed_at",
        "current_sign_in_at",
    ] {
        assert!(created.get(field).is_some(), "{field} missing: {created}");
    }
    assert_eq!(created["last_activity_on"], Value::Null);
    let registered = roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/registrations")
                .json(&json!({
                    "username": "newcomer", "email": "newcomer@example.com", "name": "Sign Up",
                    "password": TEST_PASSWORD,
                })),
            201,
        )
        .await;
    assert!(registered.get("last_activity_on").is_some(), "{registered}");
}

#[tokio::test]
async fn an_empty_json_body_is_refused_where_a_body_is_expected() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let empty_json = |method: Method, path: &str, token: &str| {
        roster
            .with_token(token, method, path)
            .header("Content-Type", "application/json")
            .body("")
    };
    for (method, path) in [
        (Method::PUT, "/api/v4/user".to_owned()),
        (Method::PUT, "/api/v4/user/privacy".to_owned()),
        (Method::PUT, format!("/api/v4/users/{}", alice.id)),
    ] {
        let token = if path.starts_with("/api/v4/users/") {
            roster.admin.token.clone()
        } else {
            alice.token.clone()
        };
        let r = empty_json(method.clone(), &path, &token).send().await.unwrap();
        assert_eq!(r.status(), 400, "{method} {path}");
    }
    // Routes without a body accept python-gitlab's empty JSON POST.
    let bob = roster.create_user("bob").await;
    let r = empty_json(
        Method::POST,
        &format!("/api/v4/users/{}/follow", bob.id),
        &alice.token,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    // RFC 7009: a revocation without a token.
    let body = roster
        .expect_json(
            roster.request(Method::POST, "/oauth/revoke").form(&[("x", "y")]),
            400,
        )
        .await;
    assert_eq!(body["error"], "invalid_request");
}

#[tokio::test]
async fn two_different_credentials_are_refused() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let get = |private: &str, authorization: &str| {
        roster
            .get("/api/v4/user")
            .header("PRIVATE-TOKEN", private)
            .header("Authorization", authorization)
    };
    for authorization in [
        "Bearer nonsense",
        "Basic YWxpY2U6eA==",
        "garbage",
        &format!("Bearer {}", roster.admin.token),
    ] {
        let r = get(&alice.token, authorization).send().await.unwrap();
        assert_eq!(r.status(), 401, "{authorization}");
    }
    // The same token twice is one credential.
    let me = roster
        .expect_json(get(&alice.token, &format!("Bearer {}", alice.token)), 200)
        .await;
    assert_eq!(me["username"], "alice");
    // On a route anyone may call, too.
    let r = roster
        .get("/api/v4/users")
        .header("PRIVATE-TOKEN", &alice.token)
        .header("Authorization", "Bearer nonsense")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn unknown_names_lock_like_known_accounts() {
    let roster = TestRoster::spawn().await;
    roster.create_user("alice").await;
    let attempt = |login: &str| {
        roster.request(Method::POST, "/oauth/token").json(&json!({
            "grant_type": "password", "username": login, "password": "wrong-password-1",
        }))
    };
    let max = roster.settings.max_failed_sign_ins;
    let mut answers: Vec<(Value, Value)> = Vec::new();
    for _ in 0..=max {
        let known = roster.expect_json(attempt("alice"), 400).await;
        let unknown = roster.expect_json(attempt("nobody-here"), 400).await;
        answers.push((known, unknown));
    }
    for (i, (known, unknown)) in answers.iter().enumerate() {
        assert_eq!(known, unknown, "attempt {}: the answers differ", i + 1);
    }
    let (last_known, _) = answers.last().unwrap();
    assert!(
        last_known["error_description"]
            .as_str()
            .unwrap()
            .contains("locked"),
        "{last_known}"
    );
    // Names are compared as typed by people: case does not matter.
    let upper = roster.expect_json(attempt("NOBODY-HERE"), 400).await;
    assert_eq!(upper, answers.last().unwrap().1);
    // The owner of the real account is told.
    let mails = roster.mails_to("alice@example.com");
    assert!(
        mails.iter().any(|m| m.kind == "account_locked"),
        "the owner is told by mail"
    );
}

#[tokio::test]
async fn the_access_log_names_the_address_the_rate_limits_use() {
    let db = TestDatabase::create();
    let log_path = std::env::temp_dir().join(format!("roster-log-{}.txt", uuid::Uuid::new_v4()));
    let mut cmd = roster_command(&db);
    cmd.env("RUST_LOG", "info");
    let server = serve(cmd, std::fs::File::create(&log_path).unwrap().into()).await;
    let r = reqwest::Client::new()
        .get(format!("{}/api/v4/users?forged=1", server.url))
        .header("X-Forwarded-For", "198.51.100.5")
        .header("Forwarded", "for=198.51.100.6")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    drop(server);
    let log = std::fs::read_to_string(&log_path).unwrap();
    let _ = std::fs::remove_file(&log_path);
    let line = log
        .lines()
        .find(|l| l.contains("\"GET /api/v4/users\""))
        .unwrap_or_else(|| panic!("the request is logged:\n{log}"));
    assert!(line.contains("127.0.0.1"), "{line}");
    assert!(
        !line.contains("198.51.100"),
        "a forged address was logged: {line}"
    );
}

/// A refused caller hears `401` or `403`, never what was wrong with the body
/// (actix runs the extractors side by side; the input's problems wait).
#[tokio::test]
async fn a_refused_caller_hears_401_or_403_before_anything_about_the_body() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    for (method, path) in [
        (Method::PUT, "/api/v4/user/password"),
        (Method::PUT, "/api/v4/user"),
        (Method::POST, "/api/v4/user/keys"),
        (Method::PUT, "/api/v4/user/preferences"),
    ] {
        let r = roster
            .with_token("glpat-not-a-real-token-at-all", method.clone(), path)
            .header("content-type", "text/plain")
            .body("not json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{method} {path}");
    }
    for (method, path) in [
        (Method::POST, "/api/v4/users"),
        (Method::PUT, "/api/v4/users/1"),
        (Method::POST, "/api/v4/users/1/keys"),
        (Method::POST, "/api/v4/users/1/emails"),
    ] {
        let r = roster
            .with_token(&alice.token, method.clone(), path)
            .json(&json!({"email": ["not", "text"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{method} {path}");
    }
}

/// In JSON a value has a type, and the document states it: a boolean is
/// `true` or `false`, a number a number, a text a string. In a query or a
/// form everything is text, and `true`, `True` and `1` are booleans (§1).
#[tokio::test]
async fn json_values_have_the_documented_types_while_forms_are_text() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    for body in [
        json!({"searchable": "0"}),
        json!({"searchable": 0}),
        json!({"public_email": 5}),
        json!({"share_activity": "true"}),
    ] {
        roster
            .expect_json(
                roster
                    .with_token(&alice.token, Method::PUT, "/api/v4/user/privacy")
                    .json(&body),
                400,
            )
            .await;
    }
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, "/api/v4/user")
                .json(&json!({"bio": 12, "theme_id": "2"})),
            400,
        )
        .await;
    let set = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, "/api/v4/user/privacy")
                .form(&[("searchable", "0"), ("show_followers", "True")]),
            200,
        )
        .await;
    assert_eq!(set["searchable"], false);
    assert_eq!(set["show_followers"], true);
    let me = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, "/api/v4/user?theme_id=3")
                .form(&[("bio", "12")]),
            200,
        )
        .await;
    assert_eq!(me["bio"], "12");
    assert_eq!(me["theme_id"], 3);
}
