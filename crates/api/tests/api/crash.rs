//! Crash safety: writes under load, SIGKILL mid-load, restart; every write
//! that was answered 2xx is there, and the database is consistent.
use crate::keygen::keygen;
use crate::process::{roster_command, serve};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use roster_testkit::{TestDatabase, TEST_PASSWORD};
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn roster(db: &TestDatabase) -> Command {
    let mut cmd = roster_command(db);
    cmd.env("ROSTER_EMAIL_CONFIRMATION", "off")
        .env("ROSTER_RATE_LIMIT_SIGNUP_IP", "off")
        .env("ROSTER_RATE_LIMIT_EMAIL_ADD_ACCOUNT", "off")
        .env("RUST_LOG", "error");
    cmd
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(Default)]
struct Acknowledged {
    users: Vec<String>,
    keys: Vec<i64>,
    bios: Vec<String>,
}

#[tokio::test]
async fn every_acknowledged_write_survives_a_kill() {
    let db = TestDatabase::create();
    assert!(roster(&db).arg("migrate").status().unwrap().success());
    assert!(roster(&db)
        .args([
            "admin",
            "create",
            "--username",
            "root",
            "--email",
            "root@example.com"
        ])
        .output()
        .unwrap()
        .status
        .success());
    let admin = String::from_utf8(
        roster(&db)
            .args(["token", "create", "--username", "root", "--name", "c"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    let mut server = serve(roster(&db), Stdio::null()).await;
    let url = server.url.clone();
    // Keys are made before the load so that the load is all HTTP.
    let keys: Vec<String> = (0..60)
        .map(|i| keygen("ed25519", None, &format!("crash{i}")).public_line.clone())
        .collect();
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut workers = Vec::new();
    for w in 0..6usize {
        let (client, url, admin, acknowledged, keys) = (
            client.clone(),
            url.clone(),
            admin.clone(),
            acknowledged.clone(),
            keys.clone(),
        );
        workers.push(tokio::spawn(async move {
            for i in 0..1000usize {
                let n = w * 1000 + i;
                let result = match i % 3 {
                    0 => client
                        .post(format!("{url}/api/v4/registrations"))
                        .json(&json!({"email": format!("c{n}@example.com"), "username": format!("c{n}"), "name": "C", "password": TEST_PASSWORD}))
                        .send()
                        .await
                        .map(|r| (r.status().as_u16(), "user", format!("c{n}"), r)),
                    1 => client
                        .post(format!("{url}/api/v4/user/keys"))
                        .header("PRIVATE-TOKEN", &admin)
                        .json(&json!({"title": format!("k{n}"), "key": keys[(w * 10 + i / 3) % keys.len()]}))
                        .send()
                        .await
                        .map(|r| (r.status().as_u16(), "key", String::new(), r)),
                    _ => client
                        .put(format!("{url}/api/v4/user"))
                        .header("PRIVATE-TOKEN", &admin)
                        .json(&json!({"bio": format!("bio {n}")}))
                        .send()
                        .await
                        .map(|r| (r.status().as_u16(), "bio", format!("bio {n}"), r)),
                };
                let Ok((status, kind, name, response)) = result else { return };
                if !(200..300).contains(&status) {
                    continue;
                }
                let Ok(body) = response.json::<Value>().await else { return };
                let mut ack = acknowledged.lock().unwrap();
                match kind {
                    "user" => ack.users.push(name),
                    "key" => ack.keys.push(body["id"].as_i64().unwrap()),
                    _ => ack.bios.push(name),
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    Command::new("kill")
        .args(["-KILL", &server.child.id().to_string()])
        .status()
        .unwrap();
    let _ = server.child.wait();
    for w in workers {
        let _ = w.await;
    }
    let ack = std::mem::take(&mut *acknowledged.lock().unwrap());
    assert!(
        ack.users.len() > 5 && !ack.keys.is_empty(),
        "the load ran: {} users, {} keys",
        ack.users.len(),
        ack.keys.len()
    );

    // Restart on the same database: everything acknowledged is there.
    let server = serve(roster(&db), Stdio::null()).await;
    let url = server.url.clone();
    for name in &ack.users {
        let found: Value = client
            .get(format!("{url}/api/v4/users?username={name}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            found.as_array().unwrap().len(),
            1,
            "{name} was acknowledged but is gone"
        );
    }
    let own_keys: Value = client
        .get(format!("{url}/api/v4/user/keys"))
        .header("PRIVATE-TOKEN", &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let stored: Vec<i64> = own_keys
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_i64().unwrap())
        .collect();
    for id in &ack.keys {
        assert!(stored.contains(id), "key {id} was acknowledged but is gone");
    }
    let me: Value = client
        .get(format!("{url}/api/v4/user"))
        .header("PRIVATE-TOKEN", &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    if !ack.bios.is_empty() {
        assert!(
            me["bio"].as_str().unwrap().starts_with("bio "),
            "an acknowledged bio survives: {}",
            me["bio"]
        );
    }
    drop(server);

    // And the database is consistent: no half-made users, no dangling rows.
    let mut conn = roster_persistence::DbManager::new(db.url())
        .unwrap()
        .connect_now()
        .unwrap();
    let count = |conn: &mut roster_persistence::DbConnection, sql: &str| {
        diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
    };
    assert_eq!(
        count(&mut conn, "SELECT COUNT(*) AS n FROM users u WHERE NOT EXISTS (SELECT 1 FROM emails e WHERE e.user_id = u.id AND e.email = u.email)"),
        0,
        "every user has its primary address row"
    );
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM emails e WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id)"), 0);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM keys k WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = k.user_id)"), 0);
    if let roster_persistence::DbConnection::Sqlite(sqlite) = &mut conn {
        let violations = diesel::sql_query("SELECT COUNT(*) AS n FROM pragma_foreign_key_check")
            .get_result::<Count>(sqlite)
            .unwrap()
            .n;
        assert_eq!(violations, 0);
        #[derive(QueryableByName)]
        struct Check {
            #[diesel(sql_type = diesel::sql_types::Text)]
            integrity_check: String,
        }
        let check = diesel::sql_query("PRAGMA integrity_check")
            .get_result::<Check>(sqlite)
            .unwrap();
        assert_eq!(check.integrity_check, "ok");
    }
}
