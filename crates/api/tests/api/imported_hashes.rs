//! Users brought in with their existing password hashes (§13): hashes made
//! by Django, Python's bcrypt, argon2-cffi and passlib sign in with the
//! right password and not with a wrong one, and the first sign-in replaces
//! the imported hash with Roster's own.
use crate::life_cycle::sign_in;
use reqwest::Method;
use roster_testkit::TestRoster;
use serde_json::{json, Value};
use std::process::Command;

const PASSWORD: &str = "an imported password 1";

/// `{format: hash}` of `PASSWORD`, from the frameworks' own libraries.
fn foreign_hashes() -> serde_json::Map<String, Value> {
    let python = std::env::var("ROSTER_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/compat/password_hashes.py");
    let out = Command::new(&python).arg(script).arg(PASSWORD).output().unwrap();
    assert!(
        out.status.success(),
        "{python} could not make the hashes (scripts/test installs Django, bcrypt, argon2-cffi, passlib): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hashes: Value = serde_json::from_slice(&out.stdout).unwrap();
    hashes.as_object().unwrap().clone()
}

fn stored_hash(roster: &TestRoster, id: i64) -> String {
    let mut conn = roster_persistence::DbManager::new(roster.database_url())
        .unwrap()
        .connect_now()
        .unwrap();
    roster_persistence::users::find_user(&mut conn, id)
        .unwrap()
        .unwrap()
        .password_hash
}

#[tokio::test]
async fn foreign_hashes_sign_in_and_become_roster_hashes() {
    let roster = TestRoster::spawn().await;
    let hashes = foreign_hashes();
    assert_eq!(hashes.len(), 9, "{hashes:?}");
    for (n, (format, hash)) in hashes.iter().enumerate() {
        let username = format!("imported{n}");
        let created = roster
            .expect_json(
                roster.as_admin(Method::POST, "/api/v4/users").json(&json!({
                    "username": username, "email": format!("{username}@example.com"), "name": format,
                    "password_hash": hash, "skip_confirmation": true,
                })),
                201,
            )
            .await;
        let id = created["id"].as_i64().unwrap();
        // Stored as it came: importing does not re-hash.
        assert_eq!(&stored_hash(&roster, id), hash.as_str().unwrap(), "{format}");

        let wrong = sign_in(&roster, &username, "not the password").await;
        assert_eq!(wrong.status(), 400, "{format}: a wrong password");
        let right = sign_in(&roster, &username, PASSWORD).await;
        assert_eq!(right.status(), 200, "{format}: {}", right.text().await.unwrap());
        let now = stored_hash(&roster, id);
        assert!(now.starts_with("$2b$"), "{format}: still {now}");
        if format != "bcrypt_2b" {
            assert_ne!(&now, hash.as_str().unwrap(), "{format}: not re-hashed");
        }
        let again = sign_in(&roster, &username, PASSWORD).await;
        assert_eq!(again.status(), 200, "{format}: after the re-hash");
    }
}

#[tokio::test]
async fn unsupported_hashes_are_refused_and_nothing_is_stored() {
    let roster = TestRoster::spawn().await;
    let create = |extra: Value| {
        let mut body = json!({"username": "dora", "email": "dora@example.com", "name": "Dora", "skip_confirmation": true});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        roster.as_admin(Method::POST, "/api/v4/users").json(&body)
    };
    for hash in [
        "md5$salt$5f4dcc3b5aa765d61d8327deb882cf99",
        "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
        "sha1$salt$hash",
        "$argon2id$v=19$m=4194304,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$CzQmHWFO1Lx0JXb1wYzfvIRjgqA8Zt0g2Jz5bBcUhtU",
        "pbkdf2_sha256$870000$salt$short",
    ] {
        let refused = roster
            .expect_json(create(json!({ "password_hash": hash })), 400)
            .await;
        assert_eq!(
            refused["message"]["password_hash"],
            json!(["is not a supported hash"]),
            "{hash}: {refused}"
        );
    }
    let both = roster
        .expect_json(
            create(json!({"password": "a-real-password-1", "password_hash": "$2b$04$Y0GBBfAOzJ2peh48GwOdt.HXUpNIilcC2c9ZAjl0JZ56mqhOtf0mm"})),
            400,
        )
        .await;
    assert!(both["message"]["password_hash"].is_array(), "{both}");
    let found = roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/users?username=dora"), 200)
        .await;
    assert_eq!(found, json!([]), "a refused user was stored");
}
