//! Several Roster processes on one database agree: what one node writes,
//! the others see on the next request.
use crate::process::{roster_command, serve, Node};
use reqwest::Method;
use roster_testkit::{TestDatabase, TEST_PASSWORD};
use serde_json::{json, Value};
use std::process::{Command, Stdio};

fn nodes_command(db: &TestDatabase) -> Command {
    let mut cmd = roster_command(db);
    cmd.env("ROSTER_MAX_FAILED_SIGN_INS", "4")
        .env("ROSTER_RATE_LIMIT_SIGNIN_IP", "off")
        .env("ROSTER_RATE_LIMIT_SIGNIN_ACCOUNT", "off")
        .env("RUST_LOG", "warn");
    cmd
}

async fn start_node(db: &TestDatabase, signup_limit: &str) -> Node {
    let mut cmd = nodes_command(db);
    cmd.env("ROSTER_RATE_LIMIT_SIGNUP_IP", signup_limit);
    serve(cmd, Stdio::null()).await
}

#[tokio::test]
async fn three_nodes_on_one_database_agree() {
    let db = TestDatabase::create();
    // Migrate once, then start the nodes (as docs/deployment.md says).
    assert!(nodes_command(&db).arg("migrate").status().unwrap().success());
    let out = nodes_command(&db)
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
    assert!(out.status.success());
    let admin = String::from_utf8(
        nodes_command(&db)
            .args(["token", "create", "--username", "root", "--name", "n"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    let nodes = [
        start_node(&db, "3/3600").await,
        start_node(&db, "3/3600").await,
        start_node(&db, "3/3600").await,
    ];
    let client = reqwest::Client::new();
    let at = |n: usize, method: Method, path: &str| client.request(method, format!("{}{path}", nodes[n].url));

    // A user created on node 0 signs in on node 1 and is seen on node 2.
    let created: Value = at(0, Method::POST, "/api/v4/users")
        .header("PRIVATE-TOKEN", &admin)
        .json(&json!({"email": "alice@example.com", "username": "alice", "name": "A", "password": TEST_PASSWORD, "skip_confirmation": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let grant: Value = at(1, Method::POST, "/oauth/token")
        .json(&json!({"grant_type": "password", "username": "alice", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = grant["access_token"].as_str().unwrap().to_owned();
    let me = at(2, Method::GET, "/api/v4/user")
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<Value>().await.unwrap()["id"], created["id"]);

    // A token revoked through node 0 is refused by node 1 on the next request.
    let revoke = at(0, Method::POST, "/oauth/revoke")
        .json(&json!({"token": access}))
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 200);
    assert_eq!(
        at(1, Method::GET, "/api/v4/user")
            .bearer_auth(&access)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        at(2, Method::GET, "/api/v4/user")
            .bearer_auth(&access)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    // A lockout counts failures made on every node (four allowed here).
    for n in 0..4 {
        let r = at(n % 3, Method::POST, "/oauth/token")
            .json(&json!({"grant_type": "password", "username": "alice", "password": "wrong-password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
    }
    let locked = at(2, Method::POST, "/oauth/token")
        .json(&json!({"grant_type": "password", "username": "alice", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(locked.status(), 400);
    assert!(locked.text().await.unwrap().contains("locked"));

    // A rate limit is shared: three sign-ups an hour from one address, across nodes.
    let signup = |n: usize, i: usize| {
        at(n, Method::POST, "/api/v4/registrations")
            .json(&json!({"email": format!("s{i}@example.com"), "username": format!("signup{i}"), "name": "S", "password": TEST_PASSWORD}))
            .send()
    };
    for i in 0..3 {
        assert_eq!(signup(i % 3, i).await.unwrap().status(), 201);
    }
    let limited = signup(1, 9).await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn one_address_signed_up_on_two_nodes_at_once_makes_one_account() {
    let db = TestDatabase::create();
    assert!(nodes_command(&db).arg("migrate").status().unwrap().success());
    let nodes = [start_node(&db, "off").await, start_node(&db, "off").await];
    let client = reqwest::Client::new();
    let requests = (0..20).map(|i| {
        client
            .post(format!("{}/api/v4/registrations", nodes[i % 2].url))
            .json(&json!({"email": "same@example.com", "username": format!("twin{i}"), "name": "T", "password": TEST_PASSWORD}))
            .send()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(requests)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 19, "{statuses:?}");
}
