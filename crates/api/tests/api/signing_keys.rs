//! The keys that sign ID tokens (§10): made at first need, stored sealed,
//! published as a JWKS for any origin, rotated from the command line.
use roster_testkit::{TestDatabase, TestRoster};
use serde_json::Value;
use std::process::Command;

fn published(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_jwks_publishes_the_current_key_sealed_in_storage() {
    let roster = TestRoster::spawn().await;
    let r = roster.get("/oauth/discovery/keys").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let jwks: Value = r.json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{jwks}");
    let key = &keys[0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["e"], "AQAB");
    assert!(key["n"].as_str().unwrap().len() > 300, "a 2048-bit modulus");
    assert!(
        key.get("d").is_none() && key.get("p").is_none(),
        "no private part"
    );

    // In storage the private key is sealed: it opens with the server's
    // secret key only.
    let mut conn = roster_persistence::DbManager::new(roster.database_url())
        .unwrap()
        .connect_now()
        .unwrap();
    let row = roster_persistence::signing_keys::current(&mut conn)
        .unwrap()
        .unwrap();
    assert_eq!(row.kid, key["kid"].as_str().unwrap());
    assert!(row.private_key.starts_with("v1:"));
    assert!(roster_domain::SecretKey::generate()
        .open(&row.private_key)
        .is_err());
    let secrets = roster.settings.secret_key.clone().unwrap();
    let der = secrets.open(&row.private_key).unwrap();
    assert_eq!(
        roster_domain::SigningKeyPair::from_pkcs8_der(&der).unwrap().kid(),
        row.kid
    );
}

#[tokio::test]
async fn a_rotated_key_stays_published_while_its_tokens_may_live() {
    let roster = TestRoster::spawn().await;
    let secrets = roster.settings.secret_key.clone().unwrap();
    let mut conn = roster_persistence::DbManager::new(roster.database_url())
        .unwrap()
        .connect_now()
        .unwrap();
    let long_ago = roster_api::services::signing_keys::rotate(&mut conn, &secrets).unwrap();
    let recent = roster_api::services::signing_keys::rotate(&mut conn, &secrets).unwrap();
    let current = roster_api::services::signing_keys::rotate(&mut conn, &secrets).unwrap();
    // Another secret key than the nodes' cannot rotate: it could not open
    // the current key, and the nodes could not open the new one.
    let stranger = roster_domain::SecretKey::generate();
    assert!(roster_api::services::signing_keys::rotate(&mut conn, &stranger).is_err());
    {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!(
            "UPDATE signing_keys SET retired_at = '2020-01-01 00:00:00' WHERE kid = '{long_ago}'"
        ))
        .execute(&mut conn)
        .unwrap();
    }
    let jwks: Value = roster
        .get("/oauth/discovery/keys")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(published(&jwks), [current, recent]);
}

#[test]
fn keys_rotate_prints_the_new_key_id() {
    let db = TestDatabase::create();
    let dir = std::env::temp_dir().join(format!("roster-keys-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = || {
        let out = Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(["keys", "rotate"])
            .env("DATABASE_URL", db.url())
            .env("ROSTER_SECRET_KEY_FILE", dir.join("secret.key"))
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let first = run();
    let second = run();
    assert_eq!(first.len(), 43);
    assert_ne!(first, second);
    let mut conn = roster_persistence::DbManager::new(db.url())
        .unwrap()
        .connect_now()
        .unwrap();
    assert_eq!(
        roster_persistence::signing_keys::current(&mut conn)
            .unwrap()
            .unwrap()
            .kid,
        second
    );
    assert!(dir.join("secret.key").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
