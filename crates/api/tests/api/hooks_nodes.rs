//! System hooks across processes (§14): a burst of events survives a
//! SIGKILL of the node delivering it, and two nodes on one database then
//! deliver every event, once their lease lapses, in the order it happened.
use crate::hook_receiver::Receiver;
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The `roster` binary on `db`, delivering hooks quickly to loopback, with
/// one secret key for every node.
fn node_command(db: &roster_testkit::TestDatabase, secret_key: &str) -> Command {
    let mut cmd = crate::process::roster_command(db);
    cmd.env("ROSTER_HOOKS_ALLOW_PRIVATE", "true")
        .env("ROSTER_HOOKS_RETRY_MS", "50")
        .env("ROSTER_HOOKS_POLL_MS", "20")
        // A killed node's leases last the time-out and five seconds.
        .env("ROSTER_HOOKS_TIMEOUT_SECONDS", "2")
        .env("ROSTER_SECRET_KEY", secret_key)
        .env("ROSTER_EMAIL_CONFIRMATION", "off")
        .env("RUST_LOG", "error");
    cmd
}

#[tokio::test]
async fn a_burst_survives_a_kill_and_two_nodes_deliver_every_event_in_order() {
    use base64::Engine;
    let db = roster_testkit::TestDatabase::create();
    let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    assert!(node_command(&db, &key).arg("migrate").status().unwrap().success());
    let created = node_command(&db, &key)
        .args([
            "admin",
            "create",
            "--username",
            "root",
            "--email",
            "root@example.com",
        ])
        .output()
        .unwrap();
    assert!(created.status.success());
    let token = String::from_utf8(
        node_command(&db, &key)
            .args(["token", "create", "--username", "root", "--name", "hooks"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    let secret = roster_domain::WebhookSecret::generate();
    let receiver = Receiver::start(0, Some(secret.expose()), None, None);
    let client = reqwest::Client::new();
    let mut first = crate::process::serve(node_command(&db, &key), Stdio::null()).await;
    let hook: Value = client
        .post(format!("{}/api/v4/hooks", first.url))
        .header("PRIVATE-TOKEN", &token)
        .json(&json!({"url": receiver.url(), "signing_secret": secret.expose(), "events": ["user_create"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(hook["id"].is_i64(), "{hook}");

    // A burst of 300 events in one transaction; the node is killed while
    // delivering them.
    let burst: Vec<Value> = (0..300)
        .map(|i| json!({"username": format!("burst{i:03}"), "email": format!("burst{i:03}@example.com"), "name": "B", "force_random_password": true}))
        .collect();
    let imported = client
        .post(format!("{}/api/v4/users/import", first.url))
        .header("PRIVATE-TOKEN", &token)
        .json(&burst)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), 200);
    let started = Instant::now();
    while receiver.received().len() < 10 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "nothing was delivered"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let before_restart = receiver.received().len();
    assert!(
        before_restart < 300,
        "the whole burst went out before the kill; kill sooner"
    );

    // Two nodes take over, and more events are made on each.
    let nodes = [
        crate::process::serve(node_command(&db, &key), Stdio::null()).await,
        crate::process::serve(node_command(&db, &key), Stdio::null()).await,
    ];
    for i in 0..20 {
        let node = &nodes[i % 2];
        let made = client
            .post(format!("{}/api/v4/users", node.url))
            .header("PRIVATE-TOKEN", &token)
            .json(&json!({"username": format!("later{i:02}"), "email": format!("later{i:02}@example.com"), "name": "L", "force_random_password": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(made.status(), 201);
    }

    // Every event arrives, verified, in the order it happened; a repeat
    // (at least once) carries the same webhook-id.
    let expected: Vec<String> = (0..300)
        .map(|i| format!("burst{i:03}"))
        .chain((0..20).map(|i| format!("later{i:02}")))
        .collect();
    let started = Instant::now();
    let unique = loop {
        let received = receiver.received();
        let mut seen = std::collections::HashSet::new();
        let mut order = Vec::new();
        for r in &received {
            assert_eq!(r["verified"], true, "{r}");
            if seen.insert(r["headers"]["webhook-id"].as_str().unwrap().to_owned()) {
                order.push(r["body"]["username"].as_str().unwrap().to_owned());
            }
        }
        if order.len() >= expected.len() {
            break order;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{} of {} events arrived",
            order.len(),
            expected.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(unique, expected);
}
