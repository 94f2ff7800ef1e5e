//! §1 conventions: errors, 404/405, request ids, bodies, auth headers.
use reqwest::Method;
use roster_testkit::TestRoster;
use serde_json::json;

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let roster = TestRoster::spawn().await;
    let r = roster.get("/api/v4/nothing-here").send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap(),
        json!({"message": "404 Not Found"})
    );

    let r = roster.get("/elsewhere").send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap(),
        json!({"message": "404 Not Found"})
    );

    let r = roster
        .as_admin(Method::PATCH, "/api/v4/users")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET, POST, HEAD");
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap(),
        json!({"message": "405 Method Not Allowed"})
    );
}

#[tokio::test]
async fn request_ids_are_echoed_or_made() {
    let roster = TestRoster::spawn().await;
    let r = roster
        .get("/-/health")
        .header("X-Request-Id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-request-id"], "abc-123");
    let r = roster.get("/-/health").send().await.unwrap();
    let made = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(made.len(), 36, "a UUID: {made}");
    let health: serde_json::Value = r.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(
        health["version"],
        env!("CARGO_PKG_VERSION"),
        "the version, as --version prints it"
    );
}

#[tokio::test]
async fn security_headers_on_every_answer() {
    let roster = TestRoster::spawn().await;
    for path in ["/api/v4/user", "/api/v4/users", "/-/health", "/api/v4/nothing"] {
        let r = roster.as_admin(Method::GET, path).send().await.unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(
            h["cache-control"], "no-store",
            "{path}: tokens and profiles are not cached"
        );
    }
}

#[tokio::test]
async fn deep_json_and_huge_headers_are_refused_clearly() {
    let roster = TestRoster::spawn().await;
    let deep = format!("{{\"bio\": {}1{}}}", "[".repeat(40), "]".repeat(40));
    for path in ["/api/v4/user", "/api/v4/user/preferences"] {
        let r = roster
            .as_admin(Method::PUT, path)
            .header("Content-Type", "application/json")
            .body(deep.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(
            body["message"].as_str().unwrap().contains("nested too deeply"),
            "{body}"
        );
    }
    let big = roster
        .get("/-/health")
        .header("X-Padding", "x".repeat(20 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 431);
    assert_eq!(
        big.json::<serde_json::Value>().await.unwrap(),
        json!({"message": "431 Request Header Fields Too Large"})
    );
    let mut many = roster.get("/-/health");
    for n in 0..70 {
        many = many.header(format!("X-H{n}"), "v");
    }
    assert_eq!(many.send().await.unwrap().status(), 431);
    // The server is still fine afterwards.
    roster.expect_json(roster.get("/-/health"), 200).await;
}

#[tokio::test]
async fn readiness_checks_the_database() {
    let roster = TestRoster::spawn().await;
    let body = roster.expect_json(roster.get("/-/readiness"), 200).await;
    assert_eq!(body["checks"]["database"], "ok");
}

#[tokio::test]
async fn tokens_come_in_either_header_but_not_the_query() {
    let roster = TestRoster::spawn().await;
    let token = roster.admin.token.clone();
    let body = roster
        .expect_json(roster.get("/api/v4/user").header("PRIVATE-TOKEN", &token), 200)
        .await;
    assert_eq!(body["username"], "root");
    roster
        .expect_json(roster.get("/api/v4/user").bearer_auth(&token), 200)
        .await;
    let body = roster
        .expect_json(roster.get(&format!("/api/v4/user?private_token={token}")), 401)
        .await;
    assert_eq!(body, json!({"message": "401 Unauthorized"}));
    let r = roster
        .get("/api/v4/user")
        .bearer_auth("roster_pat_nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
    // A bad token is refused even on routes anyone may call.
    roster
        .expect_json(roster.get("/api/v4/users").bearer_auth("garbage"), 401)
        .await;
}

#[tokio::test]
async fn json_form_and_query_bodies_all_work() {
    let roster = TestRoster::spawn().await;
    let form = roster
        .as_admin(Method::POST, "/api/v4/users")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("email=form%40example.com&username=formuser&name=Form+User&password=long-enough-1&admin=false&external=1");
    let body = roster.expect_json(form, 201).await;
    assert_eq!(body["name"], "Form User");
    assert_eq!(body["external"], true);
    let query = roster.as_admin(
        Method::POST,
        "/api/v4/users?email=q%40example.com&username=queryuser&name=Q&password=long-enough-1",
    );
    let body = roster.expect_json(query, 201).await;
    assert_eq!(body["username"], "queryuser");
    // python-gitlab sends Content-Type: application/json on bodiless GETs.
    roster
        .expect_json(
            roster
                .get("/api/v4/users")
                .header("Content-Type", "application/json"),
            200,
        )
        .await;
    roster
        .expect_json(
            roster
                .as_admin(Method::DELETE, "/api/v4/users/999")
                .header("Content-Type", "application/json"),
            404,
        )
        .await;
}

#[tokio::test]
async fn malformed_bodies_are_clear_4xx() {
    let roster = TestRoster::spawn().await;
    let r = roster
        .as_admin(Method::POST, "/api/v4/users")
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().starts_with("400 Bad request"),
        "{body}"
    );

    let r = roster
        .as_admin(Method::POST, "/api/v4/users")
        .header("Content-Type", "application/json")
        .body("[1, 2]")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let r = roster
        .as_admin(Method::POST, "/api/v4/users")
        .header("Content-Type", "text/csv")
        .body("a,b")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap(),
        json!({"message": "415 Unsupported Media Type"})
    );

    let huge = "x".repeat(600 * 1024);
    let r = roster
        .as_admin(Method::POST, "/api/v4/users")
        .json(&json!({ "bio": huge }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
}

#[tokio::test]
async fn every_page_has_the_strict_policy() {
    let roster = TestRoster::spawn().await;
    let policy = roster_api::http::browser::CONTENT_SECURITY_POLICY;
    assert!(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"));
    // Scripts only from Roster itself (the WebAuthn ceremonies), never inline.
    assert!(
        !policy.contains("unsafe-inline")
            && !policy.contains("unsafe-eval")
            && policy.contains("script-src 'self';"),
        "{policy}"
    );
    for path in [
        "/-/confirm?confirmation_token=x",
        "/-/reset-password?reset_token=x",
        "/-/invitation?invite_token=x",
        "/-/sign_in",
        "/-/sign_out",
        "/oauth/authorize",
        "/oauth/logout",
        "/oauth/device",
    ] {
        let r = roster.get(path).send().await.unwrap();
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert_eq!(r.headers()["content-security-policy"], policy, "{path}");
        assert_eq!(r.headers()["x-frame-options"], "DENY", "{path}");
        let html = r.text().await.unwrap();
        // The one script is Roster's own file, never inline.
        let without_own = html.replace(r#"<script src="/-/assets/webauthn.js" defer></script>"#, "");
        assert!(
            !without_own.contains("<script") && !html.contains("style="),
            "{path}: {html}"
        );
    }
}
