//! GitLab's service accounts: bots an admin makes, acting only through
//! their personal access tokens.
use crate::life_cycle::sign_in;
use reqwest::Method;
use roster_testkit::TestRoster;
use serde_json::{json, Value};

#[tokio::test]
async fn service_accounts_act_through_tokens_and_never_sign_in() {
    let roster = TestRoster::spawn().await;
    // Everything left out: GitLab's defaults.
    let plain = roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/service_accounts")
                .json(&json!({})),
            201,
        )
        .await;
    let username = plain["username"].as_str().unwrap();
    assert!(username.starts_with("service_account_") && username.len() == "service_account_".len() + 32);
    assert_eq!(plain["name"], "Service account user");
    assert!(plain["email"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{username}@noreply.")));
    let ci = roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/service_accounts")
                .json(&json!({"name": "CI", "username": "ci-bot", "email": "ci@example.com"})),
            201,
        )
        .await;
    assert_eq!(
        (ci["username"].as_str(), ci["email"].as_str()),
        (Some("ci-bot"), Some("ci@example.com"))
    );
    let id = ci["id"].as_i64().unwrap();

    // A bot in every view; listed apart.
    let user = roster
        .expect_json(roster.as_admin(Method::GET, &format!("/api/v4/users/{id}")), 200)
        .await;
    assert_eq!(user["bot"], true);
    let listed = roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/service_accounts?order_by=username&sort=asc"),
            200,
        )
        .await;
    let names: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].clone())
        .collect();
    assert_eq!(names, [json!("ci-bot"), json!(username)]);
    let by_id = roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/service_accounts"), 200)
        .await;
    assert_eq!(by_id[0]["id"], ci["id"], "newest first by default");

    // Its own token works; no password, no reset, ever.
    let token: Value = roster
        .expect_json(
            roster
                .as_admin(
                    Method::POST,
                    &format!("/api/v4/users/{id}/personal_access_tokens"),
                )
                .json(&json!({"name": "deploy", "scopes": ["api"]})),
            201,
        )
        .await;
    let me = roster
        .expect_json(
            roster.with_token(token["token"].as_str().unwrap(), Method::GET, "/api/v4/user"),
            200,
        )
        .await;
    assert_eq!(me["username"], "ci-bot");
    let admin_set = roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &format!("/api/v4/users/{id}"))
                .json(&json!({"password": "a-password-set-by-admin"})),
            200,
        )
        .await;
    assert_eq!(admin_set["username"], "ci-bot");
    let refused: Value = sign_in(&roster, "ci-bot", "a-password-set-by-admin")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(refused["error"], "invalid_grant");

    // Taken names, bad input, and only for admins.
    roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/service_accounts")
                .json(&json!({"username": "ci-bot"})),
            409,
        )
        .await;
    roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/service_accounts")
                .json(&json!({"email": "nope"})),
            400,
        )
        .await;
    roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/service_accounts?order_by=name"),
            400,
        )
        .await;
    let alice = roster.create_user("alice").await;
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/service_accounts")
                .json(&json!({})),
            403,
        )
        .await;
}
