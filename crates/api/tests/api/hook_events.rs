//! Roster's own system-hook events (§14), payload by payload: profiles,
//! passwords, addresses, blocks; memberships changed and removed; second
//! factors; and every way a token stops working. The `/hooks` API and the
//! delivery itself are in `hooks.rs`.
use crate::hook_receiver::Receiver;
use crate::hooks::{add_hook, names, roster};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn rosters_own_events_tell_of_profiles_passwords_addresses_and_tokens() {
    let roster = roster().await;
    let receiver = Receiver::start(0, None, None, None);
    let events = [
        "user_update",
        "password_change",
        "email_confirm",
        "user_block",
        "user_unblock",
        "token_revoke",
    ];
    add_hook(&roster, json!({"url": receiver.url(), "events": events})).await;
    let dora = roster
        .create_user_with("dora", json!({"skip_confirmation": false}))
        .await;
    roster
        .expect_json(
            roster
                .with_token(&dora.token, Method::PUT, "/api/v4/user")
                .json(&json!({"bio": "hello"})),
            200,
        )
        .await;
    roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &format!("/api/v4/users/{}", dora.id))
                .json(&json!({"password": "a brand new password 1"})),
            200,
        )
        .await;
    // Confirmed once: asked again, the hook hears nothing more.
    for _ in 0..2 {
        let confirmed = roster
            .as_admin(Method::POST, &format!("/api/v4/users/{}/confirm", dora.id))
            .send()
            .await
            .unwrap();
        assert!(confirmed.status().is_success(), "{}", confirmed.status());
    }
    for action in ["block", "unblock"] {
        roster
            .expect_json(
                roster.as_admin(Method::POST, &format!("/api/v4/users/{}/{action}", dora.id)),
                201,
            )
            .await;
    }
    let revoked = roster
        .with_token(&dora.token, Method::DELETE, "/api/v4/personal_access_tokens/self")
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);

    let received = receiver.wait_for(events.len() + 1);
    assert_eq!(
        names(&received),
        [
            "user_update",
            "user_update",
            "password_change",
            "email_confirm",
            "user_block",
            "user_unblock",
            "token_revoke"
        ],
        "{received:#?}"
    );
    for r in &received {
        assert_eq!(r["body"]["username"], "dora", "{r}");
        assert_eq!(r["body"]["user_id"], dora.id, "{r}");
    }
    assert_eq!(received[3]["body"]["confirmed_email"], dora.email);
    assert_eq!(received[4]["body"]["state"], "blocked");
    assert_eq!(received[5]["body"]["state"], "active");
    assert_eq!(received[6]["body"]["token_type"], "personal_access_token");
}

/// The membership changes and the second factor, payload by payload.
#[tokio::test]
async fn memberships_changed_and_second_factors_are_told_too() {
    let roster = roster().await;
    let receiver = Receiver::start(0, None, None, None);
    let events = [
        "user_update_for_group",
        "user_remove_from_group",
        "two_factor_enable",
        "two_factor_disable",
    ];
    add_hook(&roster, json!({"url": receiver.url(), "events": events})).await;
    let erin = roster.create_user("erin").await;
    let group = roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/groups")
                .json(&json!({"name": "Acme", "path": "acme"})),
            201,
        )
        .await;
    let member = format!("/api/v4/groups/acme/members/{}", erin.id);
    roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/groups/acme/members")
                .json(&json!({"user_id": erin.id, "access_level": 30})),
            201,
        )
        .await;
    roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &member)
                .json(&json!({"access_level": 40, "expires_at": "2099-01-31"})),
            200,
        )
        .await;
    let removed = roster.as_admin(Method::DELETE, &member).send().await.unwrap();
    assert_eq!(removed.status(), 204);
    crate::two_factor::enrol(&roster, &erin.token).await;
    let disabled = roster
        .as_admin(
            Method::PATCH,
            &format!("/api/v4/users/{}/disable_two_factor", erin.id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 204);

    let received = receiver.wait_for(events.len());
    assert_eq!(names(&received), events, "{received:#?}");
    for r in &received[..2] {
        let body = &r["body"];
        assert_eq!(body["group_id"], group["id"], "{r}");
        assert_eq!(body["group_path"], "acme", "{r}");
        assert_eq!(body["group_name"], "Acme", "{r}");
        assert_eq!(body["user_id"], erin.id, "{r}");
        assert_eq!(body["user_username"], "erin", "{r}");
        assert_eq!(body["user_email"], erin.email, "{r}");
        assert_eq!(body["group_access"], "Maintainer", "{r}");
        assert_eq!(body["expires_at"], "2099-01-31", "{r}");
    }
    assert_eq!(received[2]["body"]["method"], "totp");
    assert_eq!(received[3]["body"]["by_admin"], true);
    for r in &received[2..] {
        assert_eq!(r["body"]["username"], "erin", "{r}");
        assert_eq!(r["body"]["user_id"], erin.id, "{r}");
    }
}

/// Every way a token stops working is told as `token_revoke`: a rotation
/// (the old token), a group access token revoked, and OAuth tokens ended
/// with their session, one or all the others.
#[tokio::test]
async fn every_revoked_token_is_told() {
    let roster = roster().await;
    let receiver = Receiver::start(0, None, None, None);
    add_hook(
        &roster,
        json!({"url": receiver.url(), "events": ["token_revoke"]}),
    )
    .await;
    let fay = roster.create_user("fay").await;
    let own = roster
        .expect_json(
            roster.with_token(&fay.token, Method::GET, "/api/v4/personal_access_tokens/self"),
            200,
        )
        .await;
    let rotated = roster
        .expect_json(
            roster.with_token(
                &fay.token,
                Method::POST,
                &format!("/api/v4/personal_access_tokens/{}/rotate", own["id"]),
            ),
            200,
        )
        .await;
    let fay_token = rotated["token"].as_str().unwrap().to_owned();
    roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/groups")
                .json(&json!({"name": "Acme", "path": "acme"})),
            201,
        )
        .await;
    let gat = roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/groups/acme/access_tokens")
                .json(&json!({"name": "ci", "scopes": ["read_api"]})),
            201,
        )
        .await;
    let gone = roster
        .as_admin(
            Method::DELETE,
            &format!("/api/v4/groups/acme/access_tokens/{}", gat["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 204);
    let password_grant = || {
        roster.request(Method::POST, "/oauth/token").form(&[
            ("grant_type", "password"),
            ("username", "fay"),
            ("password", roster_testkit::TEST_PASSWORD),
        ])
    };
    roster.expect_json(password_grant(), 200).await;
    let sessions = roster
        .expect_json(
            roster.with_token(&fay_token, Method::GET, "/api/v4/user/sessions"),
            200,
        )
        .await;
    let oauth = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "oauth")
        .unwrap_or_else(|| panic!("{sessions}"));
    let ended = roster
        .with_token(
            &fay_token,
            Method::DELETE,
            &format!("/api/v4/user/sessions/{}", oauth["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    roster.expect_json(password_grant(), 200).await;
    let all = roster
        .with_token(&fay_token, Method::DELETE, "/api/v4/user/sessions")
        .send()
        .await
        .unwrap();
    assert_eq!(all.status(), 204);

    let received = receiver.wait_for(4);
    assert_eq!(names(&received), ["token_revoke"; 4], "{received:#?}");
    let told: Vec<(Value, Value, Value)> = received
        .iter()
        .map(|r| {
            let body = &r["body"];
            (
                body["user_id"].clone(),
                body["token_type"].clone(),
                body["token_id"].clone(),
            )
        })
        .collect();
    assert_eq!(
        told,
        [
            (json!(fay.id), json!("personal_access_token"), own["id"].clone()),
            (
                gat["user_id"].clone(),
                json!("group_access_token"),
                gat["id"].clone()
            ),
            (json!(fay.id), json!("oauth"), Value::Null),
            (json!(fay.id), json!("oauth"), Value::Null),
        ],
        "{received:#?}"
    );
}
