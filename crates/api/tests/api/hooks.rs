//! System hooks (§14): GitLab's `/hooks` API, events written with the
//! change that caused them and delivered in order, signed (checked by the
//! Standard Webhooks reference library in a real receiver on loopback),
//! retried until the receiver takes them, tested and redelivered at once;
//! internal addresses refused unless allowed.
use crate::hook_receiver::Receiver;
use reqwest::Method;
use roster_testkit::TestRoster;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A Roster whose hooks may post to loopback and retry quickly.
pub(crate) async fn roster() -> TestRoster {
    TestRoster::spawn_with(|s| {
        s.hooks_allow_private = true;
        s.hooks_retry = Duration::from_millis(50);
        s.hooks_poll = Duration::from_millis(20);
    })
    .await
}

pub(crate) async fn add_hook(roster: &TestRoster, body: Value) -> Value {
    roster
        .expect_json(roster.as_admin(Method::POST, "/api/v4/hooks").json(&body), 201)
        .await
}

pub(crate) fn names(received: &[Value]) -> Vec<String> {
    received
        .iter()
        .map(|r| r["body"]["event_name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_hooks_api_keeps_gitlabs_shape_and_refuses_what_it_should() {
    let roster = TestRoster::spawn().await;
    // Internal addresses are refused with the setting off (the default).
    for url in [
        "http://127.0.0.1:9/h",
        "http://localhost/h",
        "http://10.1.2.3/h",
        "http://169.254.169.254/latest",
        "http://[::1]/h",
    ] {
        let body = roster
            .expect_json(
                roster
                    .as_admin(Method::POST, "/api/v4/hooks")
                    .json(&json!({"url": url})),
                400,
            )
            .await;
        assert!(
            body["message"]["url"][0].as_str().unwrap().contains("internal"),
            "{url}: {body}"
        );
    }
    for (body, field) in [
        (json!({}), None),
        (json!({"url": "ftp://hooks.roster.invalid/"}), Some("url")),
        (
            json!({"url": "https://hooks.roster.invalid/", "events": ["user_create", "nonsense"]}),
            Some("events"),
        ),
        (
            json!({"url": "https://hooks.roster.invalid/", "events": []}),
            Some("events"),
        ),
        (
            json!({"url": "https://hooks.roster.invalid/", "signing_secret": "whsec_short"}),
            Some("signing_secret"),
        ),
        (
            json!({"url": "https://hooks.roster.invalid/", "token": "two\nlines"}),
            Some("token"),
        ),
    ] {
        let answer = roster
            .expect_json(roster.as_admin(Method::POST, "/api/v4/hooks").json(&body), 400)
            .await;
        match field {
            Some(field) => assert!(answer["message"][field].is_array(), "{body}: {answer}"),
            None => assert_eq!(answer["error"], "url is missing"),
        }
    }

    let hook = add_hook(
        &roster,
        json!({"url": "https://hooks.roster.invalid/roster", "token": "t0ken", "name": "Audit", "signing_secret": "generate"}),
    )
    .await;
    let id = hook["id"].as_i64().unwrap();
    assert_eq!(hook["url"], "https://hooks.roster.invalid/roster");
    assert_eq!(hook["name"], "Audit");
    assert_eq!(hook["push_events"], false);
    assert_eq!(hook["repository_update_events"], true);
    assert_eq!(hook["enable_ssl_verification"], true);
    assert_eq!(hook["alert_status"], "executable");
    assert_eq!(hook["url_variables"], json!([]));
    assert_eq!(hook["signing"], true);
    assert!(hook.get("token").is_none(), "{hook}");
    let secret = hook["signing_secret"].as_str().unwrap();
    assert!(roster_domain::WebhookSecret::parse(secret).is_ok(), "{secret}");
    assert_eq!(
        hook["events"].as_array().unwrap().len(),
        roster_domain::SYSTEM_HOOK_EVENTS.len()
    );

    // Shown again: no secret.
    let shown = roster
        .expect_json(roster.as_admin(Method::GET, &format!("/api/v4/hooks/{id}")), 200)
        .await;
    assert!(shown.get("signing_secret").is_none(), "{shown}");
    let listed = roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/hooks"), 200)
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let changed = roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &format!("/api/v4/hooks/{id}"))
                .json(&json!({"events": "user_create, user_destroy", "enable_ssl_verification": false})),
            200,
        )
        .await;
    assert_eq!(changed["events"], json!(["user_create", "user_destroy"]));
    assert_eq!(changed["enable_ssl_verification"], false);
    let all_again = roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &format!("/api/v4/hooks/{id}"))
                .json(&json!({"events": null, "signing_secret": ""})),
            200,
        )
        .await;
    assert_eq!(
        all_again["events"].as_array().unwrap().len(),
        roster_domain::SYSTEM_HOOK_EVENTS.len()
    );
    assert_eq!(all_again["signing"], false);

    let alice = roster.create_user("alice").await;
    let refused = roster
        .with_token(&alice.token, Method::GET, "/api/v4/hooks")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let deleted = roster
        .as_admin(Method::DELETE, &format!("/api/v4/hooks/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    for method in [Method::GET, Method::DELETE, Method::PUT] {
        let gone = roster
            .as_admin(method.clone(), &format!("/api/v4/hooks/{id}"))
            .json(&json!({"name": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), 404, "{method}");
    }
}

#[tokio::test]
async fn events_arrive_in_order_signed_with_gitlabs_payloads() {
    let roster = roster().await;
    let secret = roster_domain::WebhookSecret::generate();
    let receiver = Receiver::start(0, Some(secret.expose()), None, None);
    let hook = add_hook(
        &roster,
        json!({"url": receiver.url(), "token": "s3cret-token", "signing_secret": secret.expose()}),
    )
    .await;

    let bob = roster.create_user("bob").await;
    roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &format!("/api/v4/users/{}", bob.id))
                .json(&json!({"username": "robert"})),
            200,
        )
        .await;
    let key = crate::keygen::keygen("ed25519", None, "bob@laptop")
        .public_line
        .clone();
    let added = roster
        .expect_json(
            roster
                .as_admin(Method::POST, &format!("/api/v4/users/{}/keys", bob.id))
                .json(&json!({"title": "laptop", "key": key})),
            201,
        )
        .await;
    let group = roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/groups")
                .json(&json!({"name": "Acme", "path": "acme"})),
            201,
        )
        .await;
    roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/groups/acme/members")
                .json(&json!({"user_id": bob.id, "access_level": 30})),
            201,
        )
        .await;
    let removed = roster
        .as_admin(
            Method::DELETE,
            &format!("/api/v4/users/{}/keys/{}", bob.id, added["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    roster
        .expect_json(
            roster.as_admin(Method::POST, &format!("/api/v4/users/{}/block", bob.id)),
            201,
        )
        .await;
    let refused = crate::life_cycle::sign_in(&roster, "robert", roster_testkit::TEST_PASSWORD).await;
    assert_eq!(refused.status(), 400);
    let deleted = roster
        .as_admin(Method::DELETE, &format!("/api/v4/users/{}", bob.id))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);

    let expected = [
        "user_create",
        "user_rename",
        "user_update",
        "key_create",
        "group_create",
        "user_add_to_group",
        "user_add_to_group",
        "key_destroy",
        "user_block",
        "user_failed_login",
        "user_destroy",
    ];
    let received = receiver.wait_for(expected.len());
    assert_eq!(names(&received), expected, "{received:#?}");
    for r in &received {
        assert_eq!(r["verified"], true, "{r}");
        assert_eq!(r["headers"]["x-gitlab-event"], "System Hook");
        assert_eq!(r["headers"]["x-gitlab-token"], "s3cret-token");
        assert!(r["headers"]["webhook-id"].as_str().unwrap().starts_with("msg_"));
        assert_eq!(r["path"], "/roster");
    }
    let create = &received[0]["body"];
    assert_eq!(create["username"], "bob");
    assert_eq!(create["user_id"], bob.id);
    assert_eq!(create["email"], bob.email);
    assert!(create["created_at"].as_str().unwrap().ends_with('Z'), "{create}");
    assert_eq!(received[1]["body"]["old_username"], "bob");
    assert_eq!(received[1]["body"]["username"], "robert");
    assert_eq!(received[3]["body"]["key"], key);
    assert_eq!(received[3]["body"]["username"], "robert");
    assert_eq!(received[4]["body"]["full_path"], "acme");
    assert_eq!(received[4]["body"]["group_id"], group["id"]);
    // GitLab sends a group's owner as null.
    assert!(received[4]["body"]["owner_name"].is_null() && received[4]["body"].get("owner_email").is_some());
    // The group's creator joins it as Owner, then bob as Developer.
    let bob_joins = &received[6]["body"];
    assert_eq!(bob_joins["user_username"], "robert");
    assert_eq!(bob_joins["group_access"], "Developer");
    assert_eq!(bob_joins["group_path"], "acme");
    assert_eq!(received[8]["body"]["state"], "blocked");
    assert_eq!(received[9]["body"]["state"], "blocked");

    // The log shows each delivery, newest first.
    let log = roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                &format!("/api/v4/hooks/{}/deliveries?per_page=100", hook["id"]),
            ),
            200,
        )
        .await;
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), expected.len());
    assert_eq!(log[0]["event_name"], "user_destroy");
    assert_eq!(log[0]["status"], "delivered");
    assert_eq!(log[0]["response_code"], 204);
    assert_eq!(log[0]["attempts"], 1);
    let (ms, seconds) = (&log[0]["duration_ms"], &log[0]["execution_duration"]);
    assert_eq!(
        seconds.as_f64(),
        ms.as_i64().map(|ms| ms as f64 / 1000.0),
        "{}",
        log[0]
    );
    assert_eq!(log[0]["payload"]["event_name"], "user_destroy");
}

#[tokio::test]
async fn a_receiver_down_then_up_gets_everything_in_order() {
    let roster = roster().await;
    // A port nobody listens on yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::env::temp_dir().join(format!("roster-hooks-{}.jsonl", uuid::Uuid::new_v4()));
    let hook = add_hook(
        &roster,
        json!({"url": format!("http://127.0.0.1:{port}/roster"), "events": ["user_create"]}),
    )
    .await;
    for name in ["one", "two", "three", "four"] {
        roster.create_user(name).await;
    }
    // The first delivery fails and waits; the hook says so.
    let started = Instant::now();
    loop {
        let shown = roster
            .expect_json(
                roster.as_admin(Method::GET, &format!("/api/v4/hooks/{}", hook["id"])),
                200,
            )
            .await;
        let log = roster
            .expect_json(
                roster.as_admin(Method::GET, &format!("/api/v4/hooks/{}/deliveries", hook["id"])),
                200,
            )
            .await;
        if log
            .as_array()
            .unwrap()
            .first()
            .is_some_and(|d| d["status"] == "failed")
        {
            assert!(log[0]["response_code"].is_null(), "{log}");
            assert!(log[0]["error"].is_string(), "{log}");
            assert!(
                ["temporarily_disabled", "executable"].contains(&shown["alert_status"].as_str().unwrap()),
                "{shown}"
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no failed delivery logged: {log}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let receiver = Receiver::start(port, None, None, Some(log));
    let received = receiver.wait_for(4);
    let users: Vec<&str> = received
        .iter()
        .map(|r| r["body"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["one", "two", "three", "four"]);
    // The filter kept everything else out.
    assert!(names(&received).iter().all(|n| n == "user_create"));
}

#[tokio::test]
async fn a_test_event_and_a_redelivery_are_sent_at_once() {
    let roster = roster().await;
    let flag = std::env::temp_dir().join(format!("roster-hooks-fail-{}", uuid::Uuid::new_v4()));
    std::fs::write(&flag, "").unwrap();
    let receiver = Receiver::start(0, None, Some(&flag), None);
    let hook = add_hook(&roster, json!({"url": receiver.url()})).await;
    let id = hook["id"].as_i64().unwrap();
    let sent = roster
        .expect_json(roster.as_admin(Method::POST, &format!("/api/v4/hooks/{id}")), 201)
        .await;
    assert_eq!(sent["event_name"], "project_create");
    let received = receiver.received();
    assert_eq!(received.len(), 1, "sent at once");
    assert_eq!(received[0]["answered"], 500);
    let log = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/hooks/{id}/deliveries")),
            200,
        )
        .await;
    assert_eq!(log[0]["test"], true);
    assert_eq!(log[0]["status"], "failed");
    assert_eq!(log[0]["response_code"], 500);
    // A test is not retried.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.received().len(), 1);

    std::fs::remove_file(&flag).unwrap();
    let delivery = log[0]["id"].as_i64().unwrap();
    let again = roster
        .expect_json(
            roster.as_admin(
                Method::POST,
                &format!("/api/v4/hooks/{id}/deliveries/{delivery}/redeliver"),
            ),
            201,
        )
        .await;
    assert_eq!(again["status"], "delivered");
    assert_eq!(again["attempts"], 2);
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[1]["answered"], 204);
    assert_eq!(
        received[0]["headers"]["x-gitlab-event-uuid"],
        received[1]["headers"]["x-gitlab-event-uuid"]
    );
    let missing = roster
        .as_admin(
            Method::POST,
            &format!("/api/v4/hooks/{id}/deliveries/999999/redeliver"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn forty_failures_in_a_row_disable_a_hook() {
    let roster = roster().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let hook = add_hook(&roster, json!({"url": format!("http://127.0.0.1:{port}/")})).await;
    let id = hook["id"].as_i64().unwrap();
    {
        // Thirty-nine failures already, the last retry due now.
        use diesel::prelude::*;
        use roster_persistence::schema::system_hooks;
        let mut conn = roster_persistence::DbManager::new(roster.database_url())
            .unwrap()
            .connect_now()
            .unwrap();
        diesel::update(system_hooks::table.find(id))
            .set(system_hooks::recent_failures.eq(39))
            .execute(&mut conn)
            .unwrap();
    }
    roster.create_user("carol").await;
    let started = Instant::now();
    loop {
        let shown = roster
            .expect_json(roster.as_admin(Method::GET, &format!("/api/v4/hooks/{id}")), 200)
            .await;
        if shown["alert_status"] == "disabled" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{shown}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let events = roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                "/api/v4/audit_events?event_name=system_hook_disabled",
            ),
            200,
        )
        .await;
    assert_eq!(events.as_array().unwrap().len(), 1, "{events}");
    // A change enables it again.
    let enabled = roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &format!("/api/v4/hooks/{id}"))
                .json(&json!({"name": "again"})),
            200,
        )
        .await;
    assert_eq!(enabled["alert_status"], "executable");
}

#[tokio::test]
async fn an_internal_address_is_refused_at_delivery_too() {
    // The setting off: a hook that reached the database with an internal
    // address (saved when it resolved elsewhere, or before an upgrade) is
    // still refused when its events are sent, by address and by name.
    let roster = TestRoster::spawn_with(|s| {
        s.hooks_retry = Duration::from_secs(3600);
        s.hooks_poll = Duration::from_millis(20);
    })
    .await;
    let receiver = Receiver::start(0, None, None, None);
    let hooks: Vec<i64> = {
        use roster_persistence::system_hooks::{create_hook, NewHook};
        let mut conn = roster_persistence::DbManager::new(roster.database_url())
            .unwrap()
            .connect_now()
            .unwrap();
        [
            format!("http://127.0.0.1:{}/x", receiver.port),
            format!("http://localhost:{}/x", receiver.port),
        ]
        .into_iter()
        .map(|url| {
            let new = NewHook {
                url,
                name: None,
                description: None,
                token_sealed: None,
                signing_secret_sealed: None,
                push_events: false,
                tag_push_events: false,
                merge_requests_events: false,
                repository_update_events: true,
                enable_ssl_verification: true,
                events: None,
            };
            create_hook(&mut conn, &new).unwrap().id
        })
        .collect()
    };
    roster.create_user("erin").await;
    for id in hooks {
        let started = Instant::now();
        let log = loop {
            let log = roster
                .expect_json(
                    roster.as_admin(Method::GET, &format!("/api/v4/hooks/{id}/deliveries")),
                    200,
                )
                .await;
            if log.as_array().is_some_and(|l| !l.is_empty()) {
                break log;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "hook {id}: nothing tried"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(log[0]["status"], "failed", "{log}");
        assert!(log[0]["response_code"].is_null(), "{log}");
        assert!(
            log[0]["error"].as_str().unwrap().contains("internal address"),
            "{log}"
        );
    }
    assert!(receiver.received().is_empty(), "{:?}", receiver.received());
}
