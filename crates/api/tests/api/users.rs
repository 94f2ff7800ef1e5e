//! §4: single users, admin create/update/delete and state changes.
use reqwest::Method;
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::{json, Value};

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn create_returns_the_admin_view_with_every_seed_field() {
    let roster = TestRoster::spawn().await;
    let body = roster
        .expect_json(
            roster.as_admin(Method::POST, "/api/v4/users").json(&json!({
                "email": "Ada@Example.com",
                "username": "Ada",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "password": "analytical-engine",
                "phone": "+44 20 7946 0000",
                "gender": "female",
                "birthday": "1985-12-10",
                "time_zone": "europe/london",
                "bio": "  Poet of science ",
                "website_url": "ada.example.org",
                "organization": "Analytical Society",
                "job_title": "Programmer",
                "pronouns": "she/her",
                "note": "first programmer",
                "external": true,
                "projects_limit": 5,
                "theme_id": 2,
                "extern_uid": "ada-123",
                "provider": "github",
                "skip_confirmation": true
            })),
            201,
        )
        .await;
    assert_eq!(body["name"], "Ada Lovelace");
    assert_eq!(body["username"], "Ada");
    assert_eq!(body["email"], "ada@example.com");
    assert_eq!(body["phone"], "+442079460000");
    assert_eq!(body["gender"], "female");
    assert_eq!(body["time_zone"], "Europe/London");
    assert_eq!(body["bio"], "Poet of science");
    assert_eq!(body["website_url"], "https://ada.example.org");
    assert_eq!(body["pronouns"], "she/her");
    assert_eq!(body["note"], "first programmer");
    assert_eq!(body["external"], true);
    assert_eq!(body["projects_limit"], 5);
    assert_eq!(body["theme_id"], 2);
    assert_eq!(body["is_admin"], false);
    assert_eq!(body["state"], "active");
    assert_eq!(
        body["identities"],
        json!([{"provider": "github", "extern_uid": "ada-123"}])
    );
    assert!(body["confirmed_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["web_url"], format!("{}/Ada", roster.url));
    assert_eq!(body["birthday"], "1985-12-10");
}

#[tokio::test]
async fn create_reports_missing_and_invalid_fields_like_gitlab() {
    let roster = TestRoster::spawn().await;
    let post = |body: Value| roster.as_admin(Method::POST, "/api/v4/users").json(&body);
    let body = roster
        .expect_json(post(json!({"name": "X", "password": "long-enough"})), 400)
        .await;
    assert_eq!(body, json!({"error": "email is missing, username is missing"}));

    let body = roster
        .expect_json(
            post(json!({"email": "x@example.com", "username": "xx", "name": "X"})),
            400,
        )
        .await;
    assert_eq!(
        body,
        json!({"error": "password, reset_password, force_random_password are missing, at least one parameter must be provided"})
    );

    let body = roster
        .expect_json(
            post(json!({
                "email": "not-an-email", "username": "api", "name": "X", "password": "short",
                "phone": "12", "birthday": "2999-01-01", "time_zone": "Mars/Base", "website_url": "javascript:alert(1)"
            })),
            400,
        )
        .await;
    assert_eq!(body["message"]["email"], json!(["is invalid"]));
    assert_eq!(body["message"]["username"], json!(["is reserved"]));
    assert_eq!(
        body["message"]["password"],
        json!(["is too short (minimum is 8 characters)"])
    );
    assert_eq!(body["message"]["birthday"], json!(["must be in the past"]));
    for field in ["phone", "time_zone", "website_url"] {
        assert!(body["message"][field].is_array(), "{field}: {body}");
    }

    let body = roster
        .expect_json(
            post(json!({"email": "x@example.com", "username": "xavier", "name": "X", "password": "x".repeat(73)})),
            400,
        )
        .await;
    assert_eq!(
        body["message"]["password"],
        json!(["is too long (maximum is 72 characters)"])
    );

    let body = roster
        .expect_json(
            post(json!({"email": "xavier@example.com", "username": "xavier", "name": "X", "password": "Xavier@Example.com"})),
            400,
        )
        .await;
    assert_eq!(
        body["message"]["password"],
        json!(["must not be the same as your email"])
    );

    let body = roster
        .expect_json(
            post(json!({"email": "x@example.com", "username": "xavier", "password": "long-enough"})),
            400,
        )
        .await;
    assert_eq!(body, json!({"error": "name is missing"}));
}

#[tokio::test]
async fn taken_names_and_addresses_are_409_case_insensitively() {
    let roster = TestRoster::spawn().await;
    roster.create_user("alice").await;
    let post = |body: Value| roster.as_admin(Method::POST, "/api/v4/users").json(&body);
    let body = roster
        .expect_json(
            post(json!({"email": "ALICE@example.com", "username": "other", "name": "A", "password": "long-enough"})),
            409,
        )
        .await;
    assert_eq!(body, json!({"message": "Email has already been taken"}));
    let body = roster
        .expect_json(
            post(json!({"email": "new@example.com", "username": "ALICE", "name": "A", "password": "long-enough"})),
            409,
        )
        .await;
    assert_eq!(body, json!({"message": "Username has already been taken"}));
    // Nothing half-made was left behind: the address is still free.
    roster
        .expect_json(
            post(json!({"email": "new@example.com", "username": "newbie", "name": "N", "password": "long-enough"})),
            201,
        )
        .await;
}

#[tokio::test]
async fn each_caller_gets_its_view() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let bob = roster.create_user("bob").await;
    let path = format!("/api/v4/users/{}", alice.id);

    let anonymous = roster.expect_json(roster.get(&path), 200).await;
    let other = roster
        .expect_json(roster.with_token(&bob.token, Method::GET, &path), 200)
        .await;
    let admin = roster.expect_json(roster.as_admin(Method::GET, &path), 200).await;
    let own = roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
        .await;

    assert_eq!(keys(&anonymous), keys(&other));
    assert!(
        other.get("email").is_none(),
        "no private fields for others: {other}"
    );
    assert!(other.get("created_at").is_some() && other.get("bio").is_some());
    assert_eq!(own["email"], "alice@example.com");
    assert!(own.get("note").is_none(), "no admin fields for the owner");
    assert!(own.get("phone").is_some() && own.get("identities").is_some());
    assert_eq!(admin["email"], "alice@example.com");
    assert!(admin.get("note").is_some() && admin.get("current_sign_in_ip").is_some());

    // A private profile shows only UserBasic + private_profile to others.
    roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &path)
                .json(&json!({"private_profile": true})),
            200,
        )
        .await;
    let other = roster
        .expect_json(roster.with_token(&bob.token, Method::GET, &path), 200)
        .await;
    assert_eq!(
        keys(&other),
        [
            "avatar_url",
            "id",
            "locked",
            "name",
            "private_profile",
            "state",
            "username",
            "web_url"
        ]
    );
    assert_eq!(other["private_profile"], true);
    let anonymous = roster.expect_json(roster.get(&path), 200).await;
    assert_eq!(keys(&anonymous), keys(&other));
    let owner = roster
        .expect_json(roster.with_token(&alice.token, Method::GET, &path), 200)
        .await;
    assert!(owner.get("bio").is_some());
    let admin = roster.expect_json(roster.as_admin(Method::GET, &path), 200).await;
    assert!(admin.get("email").is_some());

    let missing = roster.expect_json(roster.get("/api/v4/users/999999"), 404).await;
    assert_eq!(missing, json!({"message": "404 User Not Found"}));
    roster.expect_json(roster.get("/api/v4/users/alice"), 404).await;
    roster.expect_json(roster.get("/api/v4/user"), 401).await;
}

#[tokio::test]
async fn admins_update_partially_and_get_the_whole_user() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    roster.create_user("bob").await;
    let path = format!("/api/v4/users/{}", alice.id);
    let body = roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &path)
                .json(&json!({"bio": "hello", "location": "Paris", "phone": "+33 6 12 34 56 78"})),
            200,
        )
        .await;
    assert_eq!(body["bio"], "hello");
    assert_eq!(body["location"], "Paris");
    assert_eq!(body["phone"], "+33612345678");
    assert_eq!(body["name"], "alice Tester", "untouched fields stay");
    assert!(body.get("note").is_some(), "the whole UserAdmin");

    let body = roster
        .expect_json(
            roster.as_admin(Method::PUT, &path).json(&json!({"phone": ""})),
            200,
        )
        .await;
    assert_eq!(
        body["phone"],
        Value::Null,
        "an empty value clears a nullable field"
    );

    let body = roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &path)
                .json(&json!({"email": "BOB@example.com"})),
            409,
        )
        .await;
    assert_eq!(body, json!({"message": "Email has already been taken"}));
    roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &path)
                .json(&json!({"username": "Bob"})),
            409,
        )
        .await;
    let body = roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &path)
                .json(&json!({"email": "alice2@example.com", "username": "alice_2"})),
            200,
        )
        .await;
    assert_eq!(body["email"], "alice2@example.com");
    assert_eq!(body["username"], "alice_2");
    // The old address is free again; the new one is taken.
    roster
        .create_user_with("carol", json!({"email": "alice@example.com"}))
        .await;

    roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &path)
                .json(&json!({"password": "a-new-password"})),
            200,
        )
        .await;
    roster
        .expect_json(
            roster.request(Method::POST, "/oauth/token").json(&json!({
                "grant_type": "password", "username": "alice_2", "password": "a-new-password"
            })),
            200,
        )
        .await;

    let body = roster
        .expect_json(
            roster.as_admin(Method::PUT, &path).json(&json!({"theme_id": 99})),
            400,
        )
        .await;
    assert_eq!(body["message"]["theme_id"], json!(["is invalid"]));
    roster
        .expect_json(
            roster
                .as_admin(Method::PUT, "/api/v4/users/424242")
                .json(&json!({"bio": "x"})),
            404,
        )
        .await;
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, &path)
                .json(&json!({"bio": "x"})),
            403,
        )
        .await;
}

#[tokio::test]
async fn delete_removes_the_user_and_its_tokens() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let bob = roster.create_user("bob").await;
    let path = format!("/api/v4/users/{}", alice.id);
    roster
        .expect_json(roster.with_token(&bob.token, Method::DELETE, &path), 403)
        .await;
    let r = roster.as_admin(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(r.status(), 204);
    roster.expect_json(roster.as_admin(Method::GET, &path), 404).await;
    roster
        .expect_json(roster.as_admin(Method::DELETE, &path), 404)
        .await;
    roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 401)
        .await;
    // Its address can be used again.
    roster.create_user("alice").await;
    let me = format!("/api/v4/users/{}", roster.admin.id);
    roster
        .expect_json(roster.as_admin(Method::DELETE, &me), 403)
        .await;
}

#[tokio::test]
async fn state_changes_follow_gitlab() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let base = format!("/api/v4/users/{}", alice.id);
    let act = |what: &str, method: Method| roster.as_admin(method, &format!("{base}/{what}"));

    assert_eq!(
        roster.expect_json(act("block", Method::POST), 201).await,
        json!(true)
    );
    assert_eq!(
        roster.expect_json(act("block", Method::POST), 201).await,
        Value::Null
    );
    let user = roster.expect_json(roster.as_admin(Method::GET, &base), 200).await;
    assert_eq!(user["state"], "blocked");
    let body = roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 403)
        .await;
    assert!(body["message"].as_str().unwrap().starts_with("403 Forbidden"));
    let body = roster
        .expect_json(
            roster.request(Method::POST, "/oauth/token").json(&json!({
                "grant_type": "password", "username": "alice", "password": TEST_PASSWORD
            })),
            400,
        )
        .await;
    assert_eq!(body["error"], "invalid_grant");

    roster.expect_json(act("deactivate", Method::POST), 403).await;
    roster.expect_json(act("activate", Method::POST), 403).await;
    assert_eq!(
        roster.expect_json(act("unblock", Method::PUT), 201).await,
        json!(true)
    );
    assert_eq!(
        roster.expect_json(act("unblock", Method::POST), 201).await,
        Value::Null
    );
    roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
        .await;

    assert_eq!(
        roster.expect_json(act("deactivate", Method::POST), 201).await,
        json!(true)
    );
    assert_eq!(
        roster.expect_json(act("deactivate", Method::POST), 201).await,
        Value::Null
    );
    roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 403)
        .await;
    roster.expect_json(act("unblock", Method::POST), 403).await;
    assert_eq!(
        roster.expect_json(act("activate", Method::POST), 201).await,
        json!(true)
    );
    assert_eq!(
        roster.expect_json(act("activate", Method::POST), 201).await,
        Value::Null
    );

    let me = format!("/api/v4/users/{}/block", roster.admin.id);
    roster.expect_json(roster.as_admin(Method::POST, &me), 403).await;
    roster
        .expect_json(roster.as_admin(Method::POST, "/api/v4/users/987654/block"), 404)
        .await;
    roster
        .expect_json(
            roster.with_token(&alice.token, Method::POST, &format!("{base}/block")),
            403,
        )
        .await;
}

#[tokio::test]
async fn confirm_and_identities() {
    let roster = TestRoster::spawn().await;
    let body = roster
        .expect_json(
            roster.as_admin(Method::POST, "/api/v4/users").json(&json!({
                "email": "u@example.com", "username": "unconfirmed", "name": "U", "reset_password": true,
                "extern_uid": "u-1", "provider": "ldap"
            })),
            201,
        )
        .await;
    assert_eq!(body["confirmed_at"], Value::Null);
    let id = body["id"].as_i64().unwrap();
    assert_eq!(
        roster
            .expect_json(
                roster.as_admin(Method::POST, &format!("/api/v4/users/{id}/confirm")),
                201
            )
            .await,
        json!(true)
    );
    let body = roster
        .expect_json(roster.as_admin(Method::GET, &format!("/api/v4/users/{id}")), 200)
        .await;
    assert!(body["confirmed_at"].is_string());

    let taken = roster
        .expect_json(
            roster.as_admin(Method::POST, "/api/v4/users").json(&json!({
                "email": "v@example.com", "username": "other", "name": "V", "force_random_password": true,
                "extern_uid": "u-1", "provider": "ldap"
            })),
            409,
        )
        .await;
    assert_eq!(taken, json!({"message": "Identity has already been taken"}));

    let found = roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/users?extern_uid=u-1&provider=ldap"),
            200,
        )
        .await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["id"], id);

    let r = roster
        .as_admin(Method::DELETE, &format!("/api/v4/users/{id}/identities/ldap"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    roster
        .expect_json(
            roster.as_admin(Method::DELETE, &format!("/api/v4/users/{id}/identities/ldap")),
            404,
        )
        .await;
    let body = roster
        .expect_json(roster.as_admin(Method::GET, &format!("/api/v4/users/{id}")), 200)
        .await;
    assert_eq!(body["identities"], json!([]));

    let events = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/audit_events?entity_id={id}")),
            200,
        )
        .await;
    let names: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["identity_removed", "user_confirmed", "user_created"]);
    assert_eq!(events[0]["details"]["provider"], "ldap");
}

#[tokio::test]
async fn an_admin_cannot_block_deactivate_demote_or_delete_itself() {
    let roster = TestRoster::spawn().await;
    let me = format!("/api/v4/users/{}", roster.admin.id);
    let r = &roster;
    let refused = |method: Method, path: String| async move {
        r.expect_json(r.as_admin(method, &path), 403).await["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for action in ["block", "deactivate"] {
        for method in [Method::POST, Method::PUT] {
            let message = refused(method, format!("{me}/{action}")).await;
            assert!(message.contains("your own account"), "{action}: {message}");
        }
    }
    assert!(refused(Method::DELETE, me.clone())
        .await
        .contains("DELETE /api/v4/user"));
    let demote = roster
        .expect_json(
            roster.as_admin(Method::PUT, &me).json(&json!({"admin": false})),
            403,
        )
        .await;
    assert_eq!(
        demote,
        json!({"message": "403 Forbidden - You cannot remove your own admin rights."})
    );
    // None of it happened, and nothing of the refused update was applied.
    let root = roster.expect_json(roster.as_admin(Method::GET, &me), 200).await;
    assert_eq!(root["is_admin"], true);
    assert_eq!(root["state"], "active");
    roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/user"), 200)
        .await;
    let demote_with_more = roster
        .as_admin(Method::PUT, &me)
        .json(&json!({"admin": false, "bio": "sneaked in"}))
        .send()
        .await
        .unwrap();
    assert_eq!(demote_with_more.status(), 403);
    let after = roster.expect_json(roster.as_admin(Method::GET, &me), 200).await;
    assert_eq!(after["bio"], root["bio"]);
    assert_ne!(after["bio"], "sneaked in");
    // Keeping its own admin flag, or unblocking and activating itself
    // (already so), is allowed.
    let kept = roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &me)
                .json(&json!({"admin": true, "bio": "still here"})),
            200,
        )
        .await;
    assert_eq!(
        (kept["is_admin"].clone(), kept["bio"].clone()),
        (json!(true), json!("still here"))
    );
    for action in ["unblock", "activate"] {
        assert_eq!(
            roster
                .expect_json(roster.as_admin(Method::POST, &format!("{me}/{action}")), 201)
                .await,
            Value::Null
        );
    }
    // Another admin may do to it what it may not do to itself.
    let other = roster.create_user_with("second", json!({"admin": true})).await;
    let by_other = |method: Method, path: &str| roster.with_token(&other.token, method, path);
    let demoted = roster
        .expect_json(by_other(Method::PUT, &me).json(&json!({"admin": false})), 200)
        .await;
    assert_eq!(demoted["is_admin"], false);
    assert_eq!(
        roster
            .expect_json(by_other(Method::POST, &format!("{me}/deactivate")), 201)
            .await,
        json!(true)
    );
}

/// GitLab's `github` profile field: set by the user or an admin, shown in
/// the public view, and checked like the other handles.
#[tokio::test]
async fn the_github_field_is_part_of_the_profile() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let own = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, "/api/v4/user")
                .json(&json!({"github": "alice-codes"})),
            200,
        )
        .await;
    assert_eq!(own["github"], "alice-codes");
    let public = roster
        .expect_json(roster.get(&format!("/api/v4/users/{}", alice.id)), 200)
        .await;
    assert_eq!(public["github"], "alice-codes");
    let by_admin = roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &format!("/api/v4/users/{}", alice.id))
                .json(&json!({"github": ""})),
            200,
        )
        .await;
    assert_eq!(by_admin["github"], "");
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, "/api/v4/user")
                .json(&json!({"github": "x".repeat(256)})),
            400,
        )
        .await;
}
