//! §3 personal access tokens.
use reqwest::Method;
use roster_testkit::TestRoster;
use serde_json::{json, Value};

async fn create_token(roster: &TestRoster, token: &str, body: Value) -> Value {
    roster
        .expect_json(
            roster
                .with_token(token, Method::POST, "/api/v4/user/personal_access_tokens")
                .json(&body),
            201,
        )
        .await
}

#[tokio::test]
async fn create_list_get_and_revoke() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string();
    let made = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/personal_access_tokens")
                .json(&json!({"name": "ci", "scopes": ["read_user", "api"], "expires_at": tomorrow})),
            201,
        )
        .await;
    let secret = made["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("roster_pat_"));
    assert_eq!(made["scopes"], json!(["api", "read_user"]));
    assert_eq!(made["active"], true);
    assert_eq!(made["revoked"], false);
    assert_eq!(made["user_id"], alice.id);
    assert_eq!(made["expires_at"], tomorrow);
    let id = made["id"].as_i64().unwrap();

    let seen = roster
        .expect_json(
            roster.with_token(&secret, Method::GET, "/api/v4/personal_access_tokens/self"),
            200,
        )
        .await;
    assert_eq!(seen["id"], id);
    assert!(seen.get("token").is_none(), "the secret is shown once");
    assert!(seen["last_used_at"].is_string(), "a use is recorded");

    let list = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/personal_access_tokens"),
            200,
        )
        .await;
    assert!(list.as_array().unwrap().iter().all(|t| t["user_id"] == alice.id));
    let all = roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/personal_access_tokens?per_page=100"),
            200,
        )
        .await;
    assert!(all.as_array().unwrap().len() > list.as_array().unwrap().len());
    let filtered = roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                &format!("/api/v4/personal_access_tokens?user_id={}", alice.id),
            ),
            200,
        )
        .await;
    assert_eq!(filtered.as_array().unwrap().len(), list.as_array().unwrap().len());

    let bob = roster.create_user("bob").await;
    roster
        .expect_json(
            roster.with_token(
                &bob.token,
                Method::GET,
                &format!("/api/v4/personal_access_tokens/{id}"),
            ),
            404,
        )
        .await;
    roster
        .expect_json(
            roster.with_token(
                &bob.token,
                Method::DELETE,
                &format!("/api/v4/personal_access_tokens/{id}"),
            ),
            404,
        )
        .await;
    roster
        .expect_json(
            roster.with_token(
                &bob.token,
                Method::GET,
                &format!("/api/v4/personal_access_tokens?user_id={}", alice.id),
            ),
            403,
        )
        .await;

    let r = roster
        .with_token(
            &alice.token,
            Method::DELETE,
            &format!("/api/v4/personal_access_tokens/{id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    roster
        .expect_json(roster.with_token(&secret, Method::GET, "/api/v4/user"), 401)
        .await;
    let seen = roster
        .expect_json(
            roster.with_token(
                &alice.token,
                Method::GET,
                &format!("/api/v4/personal_access_tokens/{id}"),
            ),
            200,
        )
        .await;
    assert_eq!(seen["revoked"], true);
    assert_eq!(seen["active"], false);
}

#[tokio::test]
async fn invalid_token_requests_are_400() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let post = |body: Value| {
        roster
            .with_token(&alice.token, Method::POST, "/api/v4/user/personal_access_tokens")
            .json(&body)
    };
    assert_eq!(
        roster.expect_json(post(json!({"scopes": ["api"]})), 400).await,
        json!({"error": "name is missing"})
    );
    assert_eq!(
        roster.expect_json(post(json!({"name": "x"})), 400).await,
        json!({"error": "scopes is missing"})
    );
    let body = roster
        .expect_json(post(json!({"name": "x", "scopes": ["sudo"]})), 400)
        .await;
    assert!(body["message"]["scopes"].is_array(), "{body}");
    let body = roster
        .expect_json(
            post(json!({"name": "x", "scopes": ["api"], "expires_at": "2001-01-01"})),
            400,
        )
        .await;
    assert_eq!(body["message"]["expires_at"], json!(["must be in the future"]));
    let body = roster
        .expect_json(
            post(json!({"name": "x", "scopes": ["api"], "expires_at": "2099-01-01"})),
            400,
        )
        .await;
    assert!(body["message"]["expires_at"].is_array());
    let body = roster
        .expect_json(
            post(json!({"name": "x", "scopes": ["api"], "expires_at": "soon"})),
            400,
        )
        .await;
    assert!(body["message"]["expires_at"].is_array());
    // Form bodies with repeated scopes work too (python-gitlab sends JSON, curl users send forms).
    let body = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/personal_access_tokens")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body("name=form&scopes[]=read_api&scopes[]=read_user"),
            201,
        )
        .await;
    assert_eq!(body["scopes"], json!(["read_api", "read_user"]));
    let year = chrono::Utc::now().date_naive() + chrono::Days::new(365);
    assert_eq!(body["expires_at"], year.to_string(), "a year by default");
}

#[tokio::test]
async fn read_scopes_cannot_write() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let read = create_token(
        &roster,
        &alice.token,
        json!({"name": "ro", "scopes": ["read_user"]}),
    )
    .await;
    let read = read["token"].as_str().unwrap();
    roster
        .expect_json(roster.with_token(read, Method::GET, "/api/v4/user"), 200)
        .await;
    let body = roster
        .expect_json(
            roster
                .with_token(read, Method::POST, "/api/v4/user/personal_access_tokens")
                .json(&json!({"name": "x", "scopes": ["api"]})),
            403,
        )
        .await;
    assert_eq!(body["error"], "insufficient_scope");
    // An admin's read-only token cannot write either.
    let admin_read = roster
        .expect_json(
            roster
                .as_admin(
                    Method::POST,
                    &format!("/api/v4/users/{}/personal_access_tokens", roster.admin.id),
                )
                .json(&json!({"name": "ro", "scopes": ["read_api"]})),
            201,
        )
        .await;
    let admin_read = admin_read["token"].as_str().unwrap();
    roster
        .expect_json(
            roster.with_token(
                admin_read,
                Method::POST,
                &format!("/api/v4/users/{}/block", alice.id),
            ),
            403,
        )
        .await;
}

#[tokio::test]
async fn rotation_replaces_and_reuse_revokes_the_chain() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let first = create_token(
        &roster,
        &alice.token,
        json!({"name": "deploy", "scopes": ["api"]}),
    )
    .await;
    let first_id = first["id"].as_i64().unwrap();
    let first_secret = first["token"].as_str().unwrap().to_owned();

    let second = roster
        .expect_json(
            roster.with_token(
                &first_secret,
                Method::POST,
                "/api/v4/personal_access_tokens/self/rotate",
            ),
            200,
        )
        .await;
    let second_secret = second["token"].as_str().unwrap().to_owned();
    assert_ne!(second_secret, first_secret);
    assert_eq!(second["name"], "deploy");
    assert_eq!(second["scopes"], json!(["api"]));
    let week = chrono::Utc::now().date_naive() + chrono::Days::new(7);
    assert_eq!(second["expires_at"], week.to_string());
    roster
        .expect_json(roster.with_token(&first_secret, Method::GET, "/api/v4/user"), 401)
        .await;
    roster
        .expect_json(
            roster.with_token(&second_secret, Method::GET, "/api/v4/user"),
            200,
        )
        .await;

    // Rotating the revoked first token again means the chain leaked.
    roster
        .expect_json(
            roster.with_token(
                &alice.token,
                Method::POST,
                &format!("/api/v4/personal_access_tokens/{first_id}/rotate"),
            ),
            400,
        )
        .await;
    roster
        .expect_json(
            roster.with_token(&second_secret, Method::GET, "/api/v4/user"),
            401,
        )
        .await;
    roster
        .expect_json(
            roster.with_token(
                &alice.token,
                Method::POST,
                "/api/v4/personal_access_tokens/424242/rotate",
            ),
            404,
        )
        .await;
}

#[tokio::test]
async fn admins_make_tokens_for_others() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let bob = roster.create_user("bob").await;
    roster
        .expect_json(
            roster
                .with_token(
                    &bob.token,
                    Method::POST,
                    &format!("/api/v4/users/{}/personal_access_tokens", alice.id),
                )
                .json(&json!({"name": "x", "scopes": ["api"]})),
            403,
        )
        .await;
    roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/users/999999/personal_access_tokens")
                .json(&json!({"name": "x", "scopes": ["api"]})),
            404,
        )
        .await;
}

/// GitLab's list filters, `description` and `last_used_ips`.
#[tokio::test]
async fn descriptions_filters_and_the_addresses_a_token_was_used_from() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let deploy = create_token(
        &roster,
        &alice.token,
        json!({"name": "Deploy bot", "scopes": ["read_api"], "description": "pushes releases"}),
    )
    .await;
    assert_eq!(deploy["description"], "pushes releases");
    assert_eq!(deploy["last_used_ips"], json!([]));
    let old = create_token(
        &roster,
        &alice.token,
        json!({"name": "old laptop", "scopes": ["api"]}),
    )
    .await;
    assert_eq!(old["description"], Value::Null);
    let revoked = roster
        .with_token(
            &alice.token,
            Method::DELETE,
            &format!("/api/v4/personal_access_tokens/{}", old["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    // A use is noted with its address.
    let secret = deploy["token"].as_str().unwrap();
    roster
        .expect_json(roster.with_token(secret, Method::GET, "/api/v4/user"), 200)
        .await;
    let seen = roster
        .expect_json(
            roster.with_token(
                &alice.token,
                Method::GET,
                &format!("/api/v4/personal_access_tokens/{}", deploy["id"]),
            ),
            200,
        )
        .await;
    assert_eq!(seen["last_used_ips"], json!(["127.0.0.1"]));
    assert!(seen["last_used_at"].is_string());

    let names = |query: &'static str| {
        let roster = &roster;
        let token = alice.token.clone();
        async move {
            let list = roster
                .expect_json(
                    roster.with_token(
                        &token,
                        Method::GET,
                        &format!("/api/v4/personal_access_tokens?{query}"),
                    ),
                    200,
                )
                .await;
            list.as_array()
                .unwrap()
                .iter()
                .map(|t| t["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(names("search=DEPLOY").await, ["Deploy bot"]);
    assert_eq!(names("state=inactive").await, ["old laptop"]);
    assert_eq!(names("revoked=true").await, ["old laptop"]);
    assert_eq!(names("state=active&search=test").await, ["test"]);
    // The token these lists are read with is used too.
    assert_eq!(names("last_used_after=2000-01-01").await, ["Deploy bot", "test"]);
    assert!(names("created_after=2999-01-01").await.is_empty());
    assert_eq!(names("created_before=2999-01-01").await.len(), 3);
    for bad in ["state=expired", "revoked=maybe", "last_used_before=yesterday"] {
        roster
            .expect_json(
                roster.with_token(
                    &alice.token,
                    Method::GET,
                    &format!("/api/v4/personal_access_tokens?{bad}"),
                ),
                400,
            )
            .await;
    }
    let long = "d".repeat(256);
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/personal_access_tokens")
                .json(&json!({"name": "x", "scopes": ["api"], "description": long})),
            400,
        )
        .await;
}
