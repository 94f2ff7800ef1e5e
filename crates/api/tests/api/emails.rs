//! §5 e-mail addresses and their confirmation.
use reqwest::Method;
use roster_testkit::TestRoster;
use serde_json::{json, Value};

fn token_from(mail_text: &str) -> String {
    let start = mail_text
        .find("confirmation_token=")
        .expect("a confirmation link")
        + "confirmation_token=".len();
    mail_text[start..].split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn added_addresses_wait_for_confirmation_by_mail() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let added = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/emails")
                .json(&json!({"email": "Alice.Work@Example.com"})),
            201,
        )
        .await;
    assert_eq!(added["email"], "alice.work@example.com");
    assert_eq!(added["confirmed_at"], Value::Null);
    let listed = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/user/emails"),
            200,
        )
        .await;
    assert_eq!(listed, json!([added]), "the primary address is not listed");

    let mails = roster.mails_to("alice.work@example.com");
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].kind, "confirm_email");
    let token = token_from(&mails[0].body_text);
    assert!(mails[0].body_html.contains(&token));

    let confirmed = roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/confirmations")
                .json(&json!({"confirmation_token": token})),
            200,
        )
        .await;
    assert_eq!(confirmed["username"], "alice");
    let one = roster
        .expect_json(
            roster.with_token(
                &alice.token,
                Method::GET,
                &format!("/api/v4/user/emails/{}", added["id"]),
            ),
            200,
        )
        .await;
    assert!(one["confirmed_at"].is_string());

    let again = roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/confirmations")
                .json(&json!({"confirmation_token": token})),
            400,
        )
        .await;
    assert_eq!(
        again,
        json!({"message": {"confirmation_token": ["is invalid or has expired"]}})
    );
    roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/confirmations")
                .json(&json!({"confirmation_token": "made-up"})),
            400,
        )
        .await;
    roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/confirmations")
                .json(&json!({})),
            400,
        )
        .await;
}

#[tokio::test]
async fn addresses_are_unique_everywhere() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    roster.create_user("bob").await;
    let add = |email: &str| {
        roster
            .with_token(&alice.token, Method::POST, "/api/v4/user/emails")
            .json(&json!({"email": email}))
    };
    let taken = json!({"message": {"email": ["has already been taken"]}});
    assert_eq!(
        roster.expect_json(add("BOB@example.com"), 400).await,
        taken,
        "another user's primary"
    );
    assert_eq!(
        roster.expect_json(add("alice@example.com"), 400).await,
        taken,
        "one's own primary"
    );
    roster.expect_json(add("second@example.com"), 201).await;
    assert_eq!(
        roster.expect_json(add("Second@Example.com"), 400).await,
        taken,
        "case-insensitively"
    );
    // …and a secondary address cannot become someone's primary either.
    let body = roster
        .expect_json(
            roster.as_admin(Method::POST, "/api/v4/users").json(&json!({
                "email": "second@example.com", "username": "carol", "name": "C", "password": "long-enough"
            })),
            409,
        )
        .await;
    assert_eq!(body, json!({"message": "Email has already been taken"}));
    let body = roster.expect_json(add("not-an-address"), 400).await;
    assert_eq!(body, json!({"message": {"email": ["is invalid"]}}));
    assert_eq!(
        roster
            .expect_json(
                roster.with_token(&alice.token, Method::POST, "/api/v4/user/emails"),
                400
            )
            .await,
        json!({"error": "email is missing"})
    );
}

#[tokio::test]
async fn deleting_addresses() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let added = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/emails")
                .json(&json!({"email": "x@example.com"})),
            201,
        )
        .await;
    let path = format!("/api/v4/user/emails/{}", added["id"]);
    assert_eq!(
        roster
            .with_token(&alice.token, Method::DELETE, &path)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        roster
            .with_token(&alice.token, Method::DELETE, &path)
            .send()
            .await
            .unwrap()
            .status(),
        204,
        "idempotent"
    );
    assert_eq!(
        roster
            .with_token(&alice.token, Method::DELETE, "/api/v4/user/emails/999999")
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    // The address is free again.
    roster
        .create_user_with("xavier", json!({"email": "x@example.com"}))
        .await;

    // The primary address has a row too, but cannot be deleted.
    let admin_view = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/users/{}", alice.id)),
            200,
        )
        .await;
    assert_eq!(admin_view["email"], "alice@example.com");
    let bob = roster.create_user("bob").await;
    let bob_secondary = roster
        .expect_json(
            roster
                .as_admin(Method::POST, &format!("/api/v4/users/{}/emails", bob.id))
                .json(&json!({"email": "b2@example.com", "skip_confirmation": true})),
            201,
        )
        .await;
    assert!(
        bob_secondary["confirmed_at"].is_string(),
        "admins may skip confirmation"
    );
    assert!(
        roster.mails_to("b2@example.com").is_empty(),
        "no mail when confirmation is skipped"
    );
    let listed = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/users/{}/emails", bob.id)),
            200,
        )
        .await;
    assert_eq!(listed, json!([bob_secondary]));
    // alice cannot delete bob's address through her own route (it is not hers: 204, nothing happens).
    let other = format!("/api/v4/user/emails/{}", bob_secondary["id"]);
    assert_eq!(
        roster
            .with_token(&alice.token, Method::DELETE, &other)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let listed = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/users/{}/emails", bob.id)),
            200,
        )
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let admin_path = format!("/api/v4/users/{}/emails/{}", bob.id, bob_secondary["id"]);
    roster
        .expect_json(roster.with_token(&alice.token, Method::DELETE, &admin_path), 403)
        .await;
    assert_eq!(
        roster
            .as_admin(Method::DELETE, &admin_path)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    roster
        .expect_json(roster.as_admin(Method::DELETE, &admin_path), 404)
        .await;
    roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/users/999999/emails"), 404)
        .await;
    roster
        .expect_json(
            roster.with_token(
                &alice.token,
                Method::GET,
                &format!("/api/v4/users/{}/emails", bob.id),
            ),
            403,
        )
        .await;
}
