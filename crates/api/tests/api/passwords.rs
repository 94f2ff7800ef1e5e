//! §6 passwords: change, reset in two steps, and self-deletion.
use crate::life_cycle::{link_param, mails, sign_in};
use reqwest::Method;
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn password_change_signs_out_other_sessions() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let here: Value = sign_in(&roster, "alice", TEST_PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let elsewhere: Value = sign_in(&roster, "alice", TEST_PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let here_token = here["access_token"].as_str().unwrap();
    let change = |body: Value| {
        roster
            .with_token(here_token, Method::PUT, "/api/v4/user/password")
            .json(&body)
    };

    let err = roster
        .expect_json(
            change(json!({"current_password": "wrong-one", "password": "brand-new-pass"})),
            400,
        )
        .await;
    assert_eq!(err["message"]["current_password"], json!(["is incorrect"]));
    let err = roster
        .expect_json(
            change(json!({"current_password": TEST_PASSWORD, "password": "short"})),
            400,
        )
        .await;
    assert!(err["message"]["password"].is_array());
    let err = roster
        .expect_json(change(json!({"current_password": TEST_PASSWORD, "password": "brand-new-pass", "password_confirmation": "other"})), 400)
        .await;
    assert!(err["message"]["password_confirmation"].is_array());
    let r = change(json!({"current_password": TEST_PASSWORD, "password": "brand-new-pass", "password_confirmation": "brand-new-pass"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);

    roster
        .expect_json(roster.with_token(here_token, Method::GET, "/api/v4/user"), 200)
        .await;
    roster
        .expect_json(
            roster.with_token(
                elsewhere["access_token"].as_str().unwrap(),
                Method::GET,
                "/api/v4/user",
            ),
            401,
        )
        .await;
    roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
        .await;
    assert_eq!(sign_in(&roster, "alice", TEST_PASSWORD).await.status(), 400);
    assert_eq!(sign_in(&roster, "alice", "brand-new-pass").await.status(), 200);
    assert_eq!(
        mails(&roster, "alice@example.com", 1).await[0].kind,
        "password_changed"
    );
}

#[tokio::test]
async fn password_reset_in_two_steps() {
    let roster = TestRoster::spawn_with(|s| s.max_failed_sign_ins = 3).await;
    let alice = roster.create_user("alice").await;
    let session: Value = sign_in(&roster, "alice", TEST_PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    for _ in 0..3 {
        sign_in(&roster, "alice", "wrong-password").await;
    }
    assert_eq!(
        sign_in(&roster, "alice", TEST_PASSWORD).await.status(),
        400,
        "locked"
    );
    // The owner is told that the account was locked.
    assert_eq!(
        mails(&roster, "alice@example.com", 1).await[0].kind,
        "account_locked"
    );

    let ask = |email: Value| {
        roster
            .request(Method::POST, "/api/v4/password/reset")
            .json(&json!({"email": email}))
    };
    let known = roster.expect_json(ask(json!("ALICE@example.com")), 202).await;
    let unknown = roster.expect_json(ask(json!("nobody@example.com")), 202).await;
    assert_eq!(known, unknown);
    assert_eq!(
        known,
        json!({"message": "If the address is registered, instructions have been sent."})
    );
    let first = link_param(
        &mails(&roster, "alice@example.com", 2).await[0].body_text,
        "reset_token",
    );
    roster.expect_json(ask(json!("alice@example.com")), 202).await;
    let second = link_param(
        &mails(&roster, "alice@example.com", 3).await[0].body_text,
        "reset_token",
    );
    assert_ne!(first, second);

    let complete = |token: &str, password: &str| {
        roster
            .request(Method::POST, "/api/v4/password/reset/complete")
            .json(&json!({"reset_token": token, "password": password, "password_confirmation": password}))
    };
    let invalid = json!({"message": {"reset_token": ["is invalid or has expired"]}});
    assert_eq!(
        roster
            .expect_json(complete(&first, "reset-password-1"), 400)
            .await,
        invalid,
        "voided by the newer request"
    );
    let weak = roster.expect_json(complete(&second, "short"), 400).await;
    assert!(weak["message"]["password"].is_array());
    assert_eq!(
        complete(&second, "reset-password-1")
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        roster
            .expect_json(complete(&second, "reset-password-2"), 400)
            .await,
        invalid,
        "single use"
    );

    assert_eq!(
        sign_in(&roster, "alice", "reset-password-1").await.status(),
        200,
        "unlocked"
    );
    roster
        .expect_json(
            roster.with_token(
                session["access_token"].as_str().unwrap(),
                Method::GET,
                "/api/v4/user",
            ),
            401,
        )
        .await;
    roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(roster.mails_to("nobody@example.com").is_empty());
}

#[tokio::test]
async fn resets_never_go_to_unconfirmed_addresses() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    // An added address that was never confirmed (the CVE-2023-7028 lesson).
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/emails")
                .json(&json!({"email": "attacker@example.com"})),
            201,
        )
        .await;
    roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/password/reset")
                .json(&json!({"email": "attacker@example.com"})),
            202,
        )
        .await;
    // A list of addresses is refused outright.
    let body = roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/password/reset")
                .json(&json!({"email": ["alice@example.com", "attacker@example.com"]})),
            400,
        )
        .await;
    assert_eq!(body, json!({"error": "email is invalid"}));
    let form = roster
        .request(Method::POST, "/api/v4/password/reset")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("email[]=alice%40example.com&email[]=attacker%40example.com");
    roster.expect_json(form, 400).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let to_attacker: Vec<_> = roster
        .mails_to("attacker@example.com")
        .into_iter()
        .filter(|m| m.kind == "password_reset")
        .collect();
    assert!(to_attacker.is_empty());
    assert!(roster.mails_to("alice@example.com").is_empty());
    // Blocked accounts get no reset either.
    roster
        .expect_json(
            roster.as_admin(Method::POST, &format!("/api/v4/users/{}/block", alice.id)),
            201,
        )
        .await;
    roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/password/reset")
                .json(&json!({"email": "alice@example.com"})),
            202,
        )
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(roster.mails_to("alice@example.com").is_empty());
}

#[tokio::test]
async fn self_deletion_needs_the_password() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let delete = |body: Value| {
        roster
            .with_token(&alice.token, Method::DELETE, "/api/v4/user")
            .json(&body)
    };
    roster.expect_json(delete(json!({})), 400).await;
    roster
        .expect_json(delete(json!({"current_password": "nope-nope"})), 400)
        .await;
    assert_eq!(
        delete(json!({"current_password": TEST_PASSWORD}))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 401)
        .await;
    roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/users/{}", alice.id)),
            404,
        )
        .await;
    assert_eq!(roster.mails_to("alice@example.com")[0].kind, "account_deleted");
    // The only admin cannot delete itself.
    let body = roster
        .expect_json(
            roster
                .as_admin(Method::DELETE, "/api/v4/user")
                .json(&json!({"current_password": TEST_PASSWORD})),
            403,
        )
        .await;
    assert!(body["message"].as_str().unwrap().contains("last admin"));
}

#[tokio::test]
async fn reset_links_expire() {
    use diesel::prelude::*;
    use roster_persistence::schema::password_resets::dsl as resets;
    let roster = TestRoster::spawn_with(|s| s.reset_ttl = Duration::from_secs(2 * 3600)).await;
    roster.create_user("alice").await;
    roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/password/reset")
                .json(&json!({"email": "alice@example.com"})),
            202,
        )
        .await;
    let mail = &mails(&roster, "alice@example.com", 1).await[0];
    assert!(mail.body_text.contains("for 2 hours"), "{}", mail.body_text);
    let token = link_param(&mail.body_text, "reset_token");
    let digest = roster_domain::TokenDigest::of(&token);
    let mut conn = roster_persistence::DbManager::new(roster.database_url())
        .unwrap()
        .connect_now()
        .unwrap();
    // The link lives ROSTER_RESET_TTL_HOURS from the request.
    let expires_at: chrono::NaiveDateTime = resets::password_resets
        .filter(resets::token_digest.eq(digest.as_str()))
        .select(resets::expires_at)
        .first(&mut conn)
        .unwrap();
    let left = expires_at - roster_persistence::now();
    assert!(
        left <= chrono::Duration::hours(2)
            && left > chrono::Duration::hours(2) - chrono::Duration::minutes(1),
        "{left}"
    );

    let set_expiry = |conn: &mut roster_persistence::DbConnection, at: chrono::NaiveDateTime| {
        diesel::update(resets::password_resets.filter(resets::token_digest.eq(digest.as_str())))
            .set(resets::expires_at.eq(at))
            .execute(conn)
            .unwrap()
    };
    let complete = || {
        roster
            .request(Method::POST, "/api/v4/password/reset/complete")
            .json(&json!({"reset_token": token, "password": "after-the-reset-1"}))
    };
    // Once its time is up the link is refused, as an unknown one is…
    assert_eq!(
        set_expiry(
            &mut conn,
            roster_persistence::now() - chrono::Duration::seconds(1)
        ),
        1
    );
    assert_eq!(
        roster.expect_json(complete(), 400).await,
        json!({"message": {"reset_token": ["is invalid or has expired"]}})
    );
    assert_eq!(sign_in(&roster, "alice", TEST_PASSWORD).await.status(), 200);
    assert_eq!(sign_in(&roster, "alice", "after-the-reset-1").await.status(), 400);
    // …and the refusal spent nothing: the time was the only reason.
    set_expiry(&mut conn, roster_persistence::now() + chrono::Duration::hours(1));
    assert_eq!(complete().send().await.unwrap().status(), 204);
    assert_eq!(sign_in(&roster, "alice", "after-the-reset-1").await.status(), 200);
}
