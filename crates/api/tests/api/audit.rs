//! Security events: recorded with actor, subject, address and time; listed
//! for admins with filters, and for each user about themself.
use crate::keygen::keygen;
use reqwest::Method;
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::{json, Value};

fn names(events: &Value) -> Vec<String> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn security_events_are_recorded_and_listed() {
    let roster = TestRoster::spawn_with(|s| s.max_failed_sign_ins = 2).await;
    let alice = roster.create_user("alice").await;
    let sign_in = |password: &str| {
        roster
            .request(Method::POST, "/oauth/token")
            .json(&json!({"grant_type": "password", "username": "alice", "password": password}))
            .send()
    };
    assert_eq!(sign_in(TEST_PASSWORD).await.unwrap().status(), 200);
    sign_in("wrong-password-1").await.unwrap();
    sign_in("wrong-password-2").await.unwrap();
    roster
        .request(Method::POST, "/oauth/token")
        .json(&json!({"grant_type": "password", "username": "nobody", "password": "x-x-x-x-x"}))
        .send()
        .await
        .unwrap();

    let pat = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/personal_access_tokens")
                .json(&json!({"name": "ci", "scopes": ["api"]})),
            201,
        )
        .await;
    let rotated = roster
        .expect_json(
            roster.with_token(
                &alice.token,
                Method::POST,
                &format!("/api/v4/personal_access_tokens/{}/rotate", pat["id"]),
            ),
            200,
        )
        .await;
    let r = roster
        .with_token(
            &alice.token,
            Method::DELETE,
            &format!("/api/v4/personal_access_tokens/{}", rotated["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let key = keygen("ed25519", None, "audit");
    let added = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/keys")
                .json(&json!({"title": "k", "key": key.public_line})),
            201,
        )
        .await;
    roster
        .with_token(
            &alice.token,
            Method::DELETE,
            &format!("/api/v4/user/keys/{}", added["id"]),
        )
        .send()
        .await
        .unwrap();
    roster
        .with_token(&alice.token, Method::PUT, "/api/v4/user/password")
        .json(&json!({"current_password": TEST_PASSWORD, "password": "a-new-secret-pass"}))
        .send()
        .await
        .unwrap();
    roster
        .expect_json(
            roster.as_admin(Method::POST, &format!("/api/v4/users/{}/block", alice.id)),
            201,
        )
        .await;
    roster
        .expect_json(
            roster.as_admin(Method::POST, &format!("/api/v4/users/{}/unblock", alice.id)),
            201,
        )
        .await;
    roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &format!("/api/v4/users/{}", alice.id))
                .json(&json!({"bio": "b", "password": "set-by-admin-1"})),
            200,
        )
        .await;

    let r = roster
        .as_admin(
            Method::GET,
            &format!("/api/v4/audit_events?entity_id={}&per_page=100", alice.id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-total"));
    let events: Value = r.json().await.unwrap();
    let mut got = names(&events);
    got.reverse();
    assert_eq!(
        got,
        [
            "user_created",
            "personal_access_token_created",
            "sign_in_succeeded",
            "sign_in_failed",
            "sign_in_failed",
            "account_locked",
            "personal_access_token_created",
            "personal_access_token_rotated",
            "personal_access_token_revoked",
            "ssh_key_added",
            "ssh_key_removed",
            "password_changed",
            "user_blocked",
            "user_unblocked",
            "user_updated",
        ]
    );
    let newest = &events[0];
    assert_eq!(newest["author_id"], roster.admin.id);
    assert_eq!(newest["entity_id"], alice.id);
    assert_eq!(newest["entity_type"], "User");
    assert_eq!(newest["details"]["ip_address"], "127.0.0.1");
    assert_eq!(newest["details"]["password_set"], true);
    assert!(newest["created_at"].as_str().unwrap().ends_with('Z'));
    let text = events.to_string();
    for secret in [
        TEST_PASSWORD,
        "a-new-secret-pass",
        "set-by-admin-1",
        "wrong-password-1",
        rotated["token"].as_str().unwrap(),
    ] {
        assert!(!text.contains(secret), "no secret in events: {secret}");
    }

    let failed = roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/audit_events?event_name=sign_in_failed"),
            200,
        )
        .await;
    assert_eq!(
        failed.as_array().unwrap().len(),
        3,
        "two for alice, one for an unknown name"
    );
    assert!(failed
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["entity_id"].is_null() && e["details"]["login"] == "nobody"));
    let by_admin = roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                &format!("/api/v4/audit_events?author_id={}", roster.admin.id),
            ),
            200,
        )
        .await;
    assert!(names(&by_admin)
        .iter()
        .all(|n| n.starts_with("user_") || n == "personal_access_token_created"));
    roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/audit_events?created_after=2999-01-01"),
            200,
        )
        .await;
    roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/audit_events?entity_id=abc"),
            400,
        )
        .await;

    // A user sees the events about themself, and only those.
    let bob = roster.create_user("bob").await;
    let own = roster
        .expect_json(
            roster.with_token(&bob.token, Method::GET, "/api/v4/user/audit_events"),
            200,
        )
        .await;
    assert!(own.as_array().unwrap().iter().all(|e| e["entity_id"] == bob.id));
    let sneaky = roster
        .expect_json(
            roster.with_token(
                &bob.token,
                Method::GET,
                &format!("/api/v4/user/audit_events?entity_id={}", alice.id),
            ),
            200,
        )
        .await;
    assert!(sneaky
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["entity_id"] == bob.id));
    roster
        .expect_json(
            roster.with_token(&bob.token, Method::GET, "/api/v4/audit_events"),
            403,
        )
        .await;
}

#[tokio::test]
async fn reset_identity_change_deletion_and_reuse_events_outlive_the_account() {
    use crate::life_cycle::{link_param, mails};
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let bob = roster.create_user("bob").await;
    let r = &roster;
    let events = |query: String| async move {
        r.expect_json(
            r.as_admin(Method::GET, &format!("/api/v4/audit_events?per_page=100&{query}")),
            200,
        )
        .await
    };

    // A password reset.
    roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/password/reset")
                .json(&json!({"email": "alice@example.com"})),
            202,
        )
        .await;
    let reset = link_param(
        &mails(&roster, "alice@example.com", 1).await[0].body_text,
        "reset_token",
    );
    let r = roster
        .request(Method::POST, "/api/v4/password/reset/complete")
        .json(&json!({"reset_token": reset, "password": "reset-password-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    // A new user name and address.
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, "/api/v4/user")
                .json(&json!({
                    "username": "alice2", "email": "alice.new@example.com",
                    "current_password": "reset-password-1"
                })),
            200,
        )
        .await;
    // A rotated personal access token rotated again.
    let pat = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/personal_access_tokens")
                .json(&json!({"name": "ci", "scopes": ["api"]})),
            201,
        )
        .await;
    let rotate = format!("/api/v4/personal_access_tokens/{}/rotate", pat["id"]);
    let rotated = roster
        .expect_json(roster.with_token(&alice.token, Method::POST, &rotate), 200)
        .await;
    roster
        .expect_json(roster.with_token(&alice.token, Method::POST, &rotate), 400)
        .await;
    // A refresh token used twice.
    let grant = roster
        .expect_json(
            roster.request(Method::POST, "/oauth/token").json(&json!({
                "grant_type": "password", "username": "alice2", "password": "reset-password-1"
            })),
            200,
        )
        .await;
    let refresh = || {
        roster
            .request(Method::POST, "/oauth/token")
            .json(&json!({"grant_type": "refresh_token", "refresh_token": grant["refresh_token"]}))
    };
    roster.expect_json(refresh(), 200).await;
    roster.expect_json(refresh(), 400).await;
    // Both accounts deleted: bob by the admin, alice by herself.
    let r = roster
        .as_admin(Method::DELETE, &format!("/api/v4/users/{}", bob.id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = roster
        .with_token(&alice.token, Method::DELETE, "/api/v4/user")
        .json(&json!({"current_password": "reset-password-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/users/{}", alice.id)),
            404,
        )
        .await;

    // Every event about alice is still there after her account is gone.
    let about_alice = events(format!("entity_type=User&entity_id={}", alice.id)).await;
    let mut got = names(&about_alice);
    got.reverse();
    assert_eq!(
        got,
        [
            "user_created",
            "personal_access_token_created",
            "password_reset_completed",
            "sign_in_identity_changed",
            "personal_access_token_created",
            "personal_access_token_rotated",
            "personal_access_token_reuse_detected",
            "sign_in_succeeded",
            "account_deleted",
        ]
    );
    let by_name = |name: &str| {
        about_alice
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["event_name"] == name)
            .unwrap()
            .clone()
    };
    for event in about_alice.as_array().unwrap() {
        assert_eq!(event["entity_type"], "User");
        assert_eq!(event["entity_id"], alice.id);
    }
    // The reset is the owner's doing, from her address.
    let reset_done = by_name("password_reset_completed");
    assert_eq!(reset_done["author_id"], alice.id);
    assert_eq!(reset_done["details"], json!({"ip_address": "127.0.0.1"}));
    // The identity change names the new name and address, nothing else.
    assert_eq!(
        by_name("sign_in_identity_changed")["details"],
        json!({
            "new_email": "alice.new@example.com", "new_username": "alice2",
            "ip_address": "127.0.0.1"
        })
    );
    assert_eq!(by_name("sign_in_identity_changed")["author_id"], alice.id);
    let reuse = by_name("personal_access_token_reuse_detected");
    assert_eq!(reuse["author_id"], alice.id);
    assert_eq!(reuse["details"]["token_id"], pat["id"]);
    let deleted = by_name("account_deleted");
    assert_eq!(deleted["author_id"], alice.id);
    assert_eq!(deleted["details"]["ip_address"], "127.0.0.1");
    // What she did is still listed by author, too.
    let by_alice = events(format!("author_id={}", alice.id)).await;
    let mut authored = names(&by_alice);
    authored.reverse();
    assert_eq!(authored, got[2..], "all but the admin's two");

    // The admin's deletion of bob, and bob's history, are kept as well.
    let about_bob = events(format!("entity_id={}", bob.id)).await;
    let mut got = names(&about_bob);
    got.reverse();
    assert_eq!(
        got,
        ["user_created", "personal_access_token_created", "user_deleted"]
    );
    assert_eq!(about_bob[0]["author_id"], roster.admin.id);
    let deletions = events("event_name=user_deleted".into()).await;
    assert_eq!(deletions.as_array().unwrap().len(), 1);
    assert_eq!(deletions[0]["entity_id"], bob.id);

    // A reused refresh token is recorded, but without a user or an address:
    // the grant it belonged to is revoked before anyone is named.
    let reused = events("event_name=refresh_token_reused".into()).await;
    assert_eq!(reused.as_array().unwrap().len(), 1, "{reused}");
    assert_eq!(reused[0]["entity_id"], Value::Null);
    assert_eq!(reused[0]["author_id"], Value::Null);
    assert_eq!(reused[0]["details"], json!({}));

    let text = [&about_alice, &about_bob, &reused].map(Value::to_string).concat();
    for secret in [
        TEST_PASSWORD,
        "reset-password-1",
        reset.as_str(),
        rotated["token"].as_str().unwrap(),
        grant["refresh_token"].as_str().unwrap(),
    ] {
        assert!(!text.contains(secret), "no secret in events: {secret}");
    }
}
