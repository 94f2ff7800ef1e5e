//! GitLab's moderation: ban and unban, and sign-ups that wait for an admin's
//! approval (`ROSTER_SIGNUP_APPROVAL`), approved or rejected; banned and
//! pending users are treated like blocked ones everywhere.
use crate::life_cycle::{mails, sign_in};
use reqwest::Method;
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::{json, Value};

async fn post(roster: &TestRoster, path: &str, status: u16) -> Value {
    roster
        .expect_json(roster.as_admin(Method::POST, path), status)
        .await
}

async fn state_of(roster: &TestRoster, id: i64) -> Value {
    let user = roster
        .expect_json(roster.as_admin(Method::GET, &format!("/api/v4/users/{id}")), 200)
        .await;
    user["state"].clone()
}

#[tokio::test]
async fn ban_and_unban_answer_as_gitlab_does() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let bob = roster.create_user("bob").await;
    let ban = format!("/api/v4/users/{}/ban", alice.id);
    let unban = format!("/api/v4/users/{}/unban", alice.id);

    assert_eq!(post(&roster, &ban, 201).await, json!(true));
    assert_eq!(state_of(&roster, alice.id).await, "banned");
    // Banned is blocked: no token, no sign-in, hidden from follows.
    let me = roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 403)
        .await;
    assert_eq!(me["message"], "403 Forbidden - Your account has been blocked.");
    let refused: Value = sign_in(&roster, "alice", TEST_PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(refused["error"], "invalid_grant");
    roster
        .expect_json(
            roster.with_token(
                &bob.token,
                Method::POST,
                &format!("/api/v4/users/{}/follow", alice.id),
            ),
            404,
        )
        .await;
    let listed = roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/users?blocked=true"), 200)
        .await;
    let names: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].clone())
        .collect();
    assert_eq!(names, [json!("alice")]);

    // GitLab's refusals: the message alone, 403.
    let again = post(&roster, &ban, 403).await;
    assert_eq!(again, json!({"message": "You cannot ban banned users."}));
    // Blocking a banned user changes nothing; deactivating is refused.
    let block = format!("/api/v4/users/{}/block", alice.id);
    assert_eq!(post(&roster, &block, 201).await, Value::Null);
    post(&roster, &format!("/api/v4/users/{}/deactivate", alice.id), 403).await;

    assert_eq!(post(&roster, &unban, 201).await, json!(true));
    assert_eq!(state_of(&roster, alice.id).await, "active");
    roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
        .await;
    let not_banned = post(&roster, &unban, 403).await;
    assert_eq!(not_banned, json!({"message": "You cannot unban active users."}));
    post(&roster, &block, 201).await;
    let blocked = post(&roster, &ban, 403).await;
    assert_eq!(blocked, json!({"message": "You cannot ban blocked users."}));
    // Unblock ends a ban too.
    post(&roster, &format!("/api/v4/users/{}/unblock", alice.id), 201).await;
    post(&roster, &ban, 201).await;
    post(&roster, &format!("/api/v4/users/{}/unblock", alice.id), 201).await;
    assert_eq!(state_of(&roster, alice.id).await, "active");

    // Not oneself; not for others than admins; 404 for nobody.
    post(&roster, &format!("/api/v4/users/{}/ban", roster.admin.id), 403).await;
    roster
        .expect_json(roster.with_token(&bob.token, Method::POST, &ban), 403)
        .await;
    post(&roster, "/api/v4/users/99999/ban", 404).await;

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
    assert!(
        names.contains(&json!("user_banned")) && names.contains(&json!("user_unbanned")),
        "{names:?}"
    );
}

#[tokio::test]
async fn sign_ups_wait_for_approval_and_are_approved_or_rejected() {
    let roster = TestRoster::spawn_with(|s| s.signup_approval = true).await;
    let register = |username: &str| {
        roster
            .request(Method::POST, "/api/v4/registrations")
            .json(&json!({
                "email": format!("{username}@example.com"), "username": username, "name": username,
                "password": TEST_PASSWORD, "password_confirmation": TEST_PASSWORD,
            }))
    };
    let carol = roster.expect_json(register("carol"), 201).await;
    assert_eq!(carol["state"], "blocked_pending_approval");
    let carol_id = carol["id"].as_i64().unwrap();
    let refused: Value = sign_in(&roster, "carol", TEST_PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(refused["error"], "invalid_grant");
    assert_eq!(
        refused["error_description"],
        "Your account is pending approval from your administrator and hence blocked."
    );
    let listed = roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/users?blocked=true"), 200)
        .await;
    assert_eq!(listed[0]["username"], "carol");

    let approve = format!("/api/v4/users/{carol_id}/approve");
    assert_eq!(post(&roster, &approve, 201).await, json!({"message": "Success"}));
    assert_eq!(state_of(&roster, carol_id).await, "active");
    assert_eq!(sign_in(&roster, "carol", TEST_PASSWORD).await.status(), 200);
    let told = mails(&roster, "carol@example.com", 1).await;
    assert!(told.iter().any(|m| m.kind == "sign_up_approved"), "{told:?}");
    let again = post(&roster, &approve, 409).await;
    assert_eq!(
        again,
        json!({"message": "The user you are trying to approve is not pending approval"})
    );
    let reject_active = post(&roster, &format!("/api/v4/users/{carol_id}/reject"), 409).await;
    assert_eq!(
        reject_active,
        json!({"message": "User does not have a pending request"})
    );

    let dan = roster.expect_json(register("dan"), 201).await;
    let dan_id = dan["id"].as_i64().unwrap();
    let rejected = post(&roster, &format!("/api/v4/users/{dan_id}/reject"), 200).await;
    assert_eq!(rejected, json!({"message": "Success"}), "GitLab's answer");
    roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/users/{dan_id}")),
            404,
        )
        .await;
    let told = mails(&roster, "dan@example.com", 1).await;
    assert!(told.iter().any(|m| m.kind == "sign_up_rejected"), "{told:?}");
    // The address and the name are free again.
    roster.expect_json(register("dan"), 201).await;

    // Users an admin creates do not wait.
    let admin_made = roster.create_user("erin").await;
    assert_eq!(state_of(&roster, admin_made.id).await, "active");
}
