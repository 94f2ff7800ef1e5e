//! Users' statuses: `/user/status` and `/users/:id_or_username/status`.
use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use roster_domain::{Availability, StatusMessage, UserStatus};
use roster_testkit::TestRoster;
use serde_json::{json, Value};

fn empty_status() -> Value {
    json!({
        "emoji": null,
        "availability": "not_set",
        "message": null,
        "message_html": null,
        "clear_status_at": null,
    })
}

#[tokio::test]
async fn set_change_read_and_clear_a_status() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let status = |method: Method| roster.with_token(&alice.token, method, "/api/v4/user/status");

    assert_eq!(roster.expect_json(status(Method::GET), 200).await, empty_status());

    let set = json!({"emoji": ":coffee:", "message": "I crave coffee <3", "availability": "busy"});
    let body = roster.expect_json(status(Method::PUT).json(&set), 200).await;
    let expected = json!({
        "emoji": "coffee",
        "availability": "busy",
        "message": "I crave coffee <3",
        "message_html": "I crave coffee &lt;3",
        "clear_status_at": null,
    });
    assert_eq!(body, expected);
    assert_eq!(roster.expect_json(status(Method::GET), 200).await, expected);
    for reference in [alice.id.to_string(), "alice".into(), "ALICE".into()] {
        let seen = roster
            .expect_json(roster.get(&format!("/api/v4/users/{reference}/status")), 200)
            .await;
        assert_eq!(seen, expected, "as seen by anyone at /users/{reference}/status");
    }

    // PATCH changes only what it is given.
    let body = roster
        .expect_json(status(Method::PATCH).form(&[("message", "lunch")]), 200)
        .await;
    assert_eq!(
        (&body["emoji"], &body["availability"], &body["message"]),
        (&json!("coffee"), &json!("busy"), &json!("lunch"))
    );

    // PUT sets the whole status: a message alone gets GitLab's default emoji.
    let body = roster
        .expect_json(status(Method::PUT).json(&json!({"message": "only this"})), 200)
        .await;
    assert_eq!(
        (&body["emoji"], &body["availability"]),
        (&json!("speech_balloon"), &json!("not_set"))
    );

    // A status that clears itself after three hours.
    let before = Utc::now();
    let body = roster
        .expect_json(
            status(Method::PATCH).json(&json!({"clear_status_after": "3_hours"})),
            200,
        )
        .await;
    let clear_at: DateTime<Utc> = body["clear_status_at"]
        .as_str()
        .expect("a clear time")
        .parse()
        .expect("RFC 3339");
    assert!(clear_at >= before + Duration::hours(3) - Duration::seconds(1));
    assert!(clear_at <= Utc::now() + Duration::hours(3) + Duration::seconds(1));

    // Nothing left to show clears it.
    let body = roster
        .expect_json(status(Method::PUT).json(&json!({})), 200)
        .await;
    assert_eq!(body, empty_status());
    assert_eq!(roster.expect_json(status(Method::GET), 200).await, empty_status());
}

#[tokio::test]
async fn bad_status_values_are_refused_and_change_nothing() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let status = |method: Method| roster.with_token(&alice.token, method, "/api/v4/user/status");
    let kept = roster
        .expect_json(
            status(Method::PUT).json(&json!({"emoji": "palm_tree", "message": "away"})),
            200,
        )
        .await;

    let long = "x".repeat(StatusMessage::MAX_LEN + 1);
    for (field, body) in [
        ("emoji", json!({"emoji": "Not an emoji!"})),
        ("message", json!({"message": long})),
        ("message", json!({"message": "two\nlines"})),
        ("availability", json!({"availability": "away"})),
        ("clear_status_after", json!({"clear_status_after": "2_hours"})),
    ] {
        for method in [Method::PUT, Method::PATCH] {
            let refused = roster.expect_json(status(method.clone()).json(&body), 400).await;
            assert!(refused["message"][field].is_array(), "{method} {body}: {refused}");
        }
    }
    assert_eq!(roster.expect_json(status(Method::GET), 200).await, kept);
}

#[tokio::test]
async fn unknown_users_are_404_and_private_profiles_hide_their_status() {
    let roster = TestRoster::spawn().await;
    let alice = roster
        .create_user_with("alice", json!({"private_profile": true}))
        .await;
    let bob = roster.create_user("bob").await;
    for path in ["/api/v4/users/999999/status", "/api/v4/users/nobody/status"] {
        let body = roster.expect_json(roster.get(path), 404).await;
        assert_eq!(body, json!({"message": "404 User Not Found"}));
    }

    let set = json!({"emoji": "thermometer_face", "message": "Out sick"});
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, "/api/v4/user/status")
                .json(&set),
            200,
        )
        .await;
    let path = format!("/api/v4/users/{}/status", alice.id);
    let anonymous = roster.expect_json(roster.get(&path), 200).await;
    let other = roster
        .expect_json(roster.with_token(&bob.token, Method::GET, &path), 200)
        .await;
    assert_eq!((anonymous, other), (empty_status(), empty_status()));
    for token in [&alice.token, &roster.admin.token] {
        let seen = roster
            .expect_json(roster.with_token(token, Method::GET, &path), 200)
            .await;
        assert_eq!(seen["message"], "Out sick");
    }
}

#[tokio::test]
async fn a_status_past_its_clear_time_reads_as_unset() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    // Stored directly: through the API a clear time is always in the future.
    let past = roster_persistence::now() - Duration::minutes(1);
    let expired = UserStatus::new(None, None, Availability::Busy, Some(past));
    let mut conn = roster_persistence::DbManager::new(roster.database_url())
        .expect("a database URL")
        .connect_now()
        .expect("a connection");
    roster_persistence::user_statuses::set_status(&mut conn, alice.id, expired.as_ref()).expect("stored");

    let own = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/user/status"),
            200,
        )
        .await;
    assert_eq!(own, empty_status());
    let path = format!("/api/v4/users/{}/status", alice.id);
    assert_eq!(roster.expect_json(roster.get(&path), 200).await, empty_status());
    // PATCH starts from the status as it holds now: nothing.
    let body = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PATCH, "/api/v4/user/status")
                .json(&json!({"message": "back"})),
            200,
        )
        .await;
    assert_eq!(
        (&body["availability"], &body["message"]),
        (&json!("not_set"), &json!("back"))
    );
}
