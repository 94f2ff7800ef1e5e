//! GPG keys: GitLab's routes, keys read with an OpenPGP library, private
//! and broken keys refused with a reason.
use reqwest::Method;
use roster_testkit::TestRoster;
use serde_json::{json, Value};

const ALICE: &str = include_str!("../data/gpg/alice.asc");
const BOB_RSA: &str = include_str!("../data/gpg/bob-rsa.asc");

#[tokio::test]
async fn users_add_list_revoke_and_delete_their_gpg_keys() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let bob = roster.create_user("bob").await;
    let add = |token: &str, key: &str| {
        roster
            .with_token(token, Method::POST, "/api/v4/user/gpg_keys")
            .json(&json!({ "key": key }))
    };
    let added = roster.expect_json(add(&alice.token, ALICE), 201).await;
    assert_eq!(added["key"], ALICE.trim());
    assert!(added["created_at"].is_string());
    let rsa = roster.expect_json(add(&alice.token, BOB_RSA), 201).await;

    let own = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/user/gpg_keys"),
            200,
        )
        .await;
    assert_eq!(own.as_array().unwrap().len(), 2);
    let public = roster
        .expect_json(roster.get(&format!("/api/v4/users/{}/gpg_keys", alice.id)), 200)
        .await;
    assert_eq!(public, own);
    let one = roster
        .expect_json(
            roster.get(&format!("/api/v4/users/{}/gpg_keys/{}", alice.id, added["id"])),
            200,
        )
        .await;
    assert_eq!(one, added);
    // GitLab's `/:username.gpg`: the armored keys, one after another.
    let armored = roster.get("/alice.gpg").send().await.unwrap();
    assert_eq!(armored.status(), 200);
    assert!(armored.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(
        armored.text().await.unwrap(),
        format!("{}\n{}\n", ALICE.trim(), BOB_RSA.trim())
    );
    assert_eq!(roster.get("/nobody.gpg").send().await.unwrap().status(), 404);

    // A key belongs to one account.
    let taken = roster.expect_json(add(&bob.token, ALICE), 400).await;
    assert_eq!(taken["message"]["fingerprint"], json!(["has already been taken"]));

    // Revoke (202, as GitLab) and delete (204); then they are gone.
    let revoked = roster
        .expect_json(
            roster.with_token(
                &alice.token,
                Method::POST,
                &format!("/api/v4/user/gpg_keys/{}/revoke", added["id"]),
            ),
            202,
        )
        .await;
    assert_eq!(revoked, json!({"message": "202 Accepted"}));
    let deleted = roster
        .with_token(
            &alice.token,
            Method::DELETE,
            &format!("/api/v4/user/gpg_keys/{}", rsa["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let own = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/user/gpg_keys"),
            200,
        )
        .await;
    assert_eq!(own, json!([]));
    // Another's key is not one's own to touch.
    let again = roster.expect_json(add(&alice.token, ALICE), 201).await;
    roster
        .expect_json(
            roster.with_token(
                &bob.token,
                Method::DELETE,
                &format!("/api/v4/user/gpg_keys/{}", again["id"]),
            ),
            404,
        )
        .await;
    let events = roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                &format!("/api/v4/audit_events?entity_id={}", alice.id),
            ),
            200,
        )
        .await;
    let names: Vec<_> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_name"].clone())
        .collect();
    for name in ["gpg_key_added", "gpg_key_revoked", "gpg_key_removed"] {
        assert!(names.contains(&json!(name)), "{name}: {names:?}");
    }

    // Admins act for anyone.
    let for_bob = roster
        .expect_json(
            roster
                .as_admin(Method::POST, &format!("/api/v4/users/{}/gpg_keys", bob.id))
                .json(&json!({ "key": BOB_RSA })),
            201,
        )
        .await;
    let response = roster
        .as_admin(
            Method::DELETE,
            &format!("/api/v4/users/{}/gpg_keys/{}", bob.id, for_bob["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    roster
        .expect_json(
            roster.as_admin(
                Method::DELETE,
                &format!("/api/v4/users/99999/gpg_keys/{}", for_bob["id"]),
            ),
            404,
        )
        .await;

    // A private profile's keys are its owner's and the admins' to see.
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, "/api/v4/user")
                .json(&json!({"private_profile": true})),
            200,
        )
        .await;
    roster
        .expect_json(roster.get(&format!("/api/v4/users/{}/gpg_keys", alice.id)), 403)
        .await;
    assert_eq!(roster.get("/alice.gpg").send().await.unwrap().status(), 403);
    roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/users/{}/gpg_keys", alice.id)),
            200,
        )
        .await;
}

#[tokio::test]
async fn private_broken_and_foreign_keys_are_refused_with_a_reason() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let refusal = |key: Value| {
        let roster = &roster;
        let token = alice.token.clone();
        async move {
            let answer = roster
                .expect_json(
                    roster
                        .with_token(&token, Method::POST, "/api/v4/user/gpg_keys")
                        .json(&json!({ "key": key })),
                    400,
                )
                .await;
            answer.to_string()
        }
    };
    let private = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlFgEaxIqpxYJKwYBBAHaRw8BAQdA\n-----END PGP PRIVATE KEY BLOCK-----";
    assert!(refusal(json!(private)).await.contains("private key"));
    let ssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    assert!(refusal(json!(ssh)).await.contains("BEGIN PGP PUBLIC KEY BLOCK"));
    let garbage = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm90IGEga2V5\n-----END PGP PUBLIC KEY BLOCK-----";
    assert!(refusal(json!(garbage)).await.contains("OpenPGP public key"));
    assert!(refusal(json!("")).await.contains("blank"));
    assert!(refusal(json!(12)).await.contains("key"));
    let missing = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/gpg_keys")
                .json(&json!({})),
            400,
        )
        .await;
    assert_eq!(missing["error"], "key is missing");
}
