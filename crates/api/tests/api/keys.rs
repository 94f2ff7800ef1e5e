//! §5 SSH keys, with real keys from ssh-keygen.
use crate::keygen::keygen;
use reqwest::Method;
use roster_testkit::TestRoster;
use serde_json::{json, Value};

async fn add_key(roster: &TestRoster, token: &str, body: Value, status: u16) -> Value {
    roster
        .expect_json(
            roster
                .with_token(token, Method::POST, "/api/v4/user/keys")
                .json(&body),
            status,
        )
        .await
}

#[tokio::test]
async fn keys_are_parsed_fingerprinted_and_listed() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    for (kind, bits) in [
        ("ed25519", None),
        ("ecdsa", Some(256)),
        ("ecdsa", Some(521)),
        ("rsa", Some(2048)),
    ] {
        let k = keygen(kind, bits, "alice@laptop");
        let body = add_key(
            &roster,
            &alice.token,
            json!({"title": format!("{kind}"), "key": k.public_line}),
            201,
        )
        .await;
        assert_eq!(
            body["fingerprint"], k.sha256,
            "{kind}: the fingerprint ssh-keygen prints"
        );
        assert_eq!(body["key"], k.public_line, "the canonical line");
        assert_eq!(body["usage_type"], "auth_and_signing");
        assert_eq!(body["expires_at"], Value::Null);
        assert!(body["created_at"].as_str().unwrap().ends_with('Z'));
    }
    let own = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/user/keys"),
            200,
        )
        .await;
    assert_eq!(own.as_array().unwrap().len(), 4);
    let id = own[0]["id"].as_i64().unwrap();
    let one = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, &format!("/api/v4/user/keys/{id}")),
            200,
        )
        .await;
    assert_eq!(one["title"], "ed25519");
    // Anyone may list a user's keys, by id or by name.
    let by_name = roster
        .expect_json(roster.get("/api/v4/users/alice/keys"), 200)
        .await;
    let by_id = roster
        .expect_json(roster.get(&format!("/api/v4/users/{}/keys", alice.id)), 200)
        .await;
    assert_eq!(by_name, by_id);
    assert_eq!(by_name, own);
    roster
        .expect_json(roster.get(&format!("/api/v4/users/alice/keys/{id}")), 200)
        .await;
    roster
        .expect_json(roster.get("/api/v4/users/nobody/keys"), 404)
        .await;
    // Another user cannot see alice's key through /user/keys.
    let bob = roster.create_user("bob").await;
    roster
        .expect_json(
            roster.with_token(&bob.token, Method::GET, &format!("/api/v4/user/keys/{id}")),
            404,
        )
        .await;
    roster
        .expect_json(
            roster.with_token(&bob.token, Method::DELETE, &format!("/api/v4/user/keys/{id}")),
            404,
        )
        .await;
}

#[tokio::test]
async fn a_key_belongs_to_one_user_only() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let bob = roster.create_user("bob").await;
    let k = keygen("ed25519", None, "shared");
    add_key(
        &roster,
        &alice.token,
        json!({"title": "mine", "key": k.public_line}),
        201,
    )
    .await;
    let body = add_key(
        &roster,
        &bob.token,
        json!({"title": "mine too", "key": k.public_line}),
        400,
    )
    .await;
    assert_eq!(
        body,
        json!({"message": {"fingerprint": ["has already been taken"], "key": ["has already been taken"]}})
    );
    // The same key with another comment is the same key.
    let other_comment = format!("{} other-comment", k.public_line.rsplit_once(' ').unwrap().0);
    add_key(
        &roster,
        &alice.token,
        json!({"title": "again", "key": other_comment}),
        400,
    )
    .await;
}

#[tokio::test]
async fn bad_keys_get_clear_reasons_and_are_not_stored() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let reason = |body: &Value| body["message"]["key"][0].as_str().unwrap_or_default().to_owned();

    let short = keygen("rsa", Some(1024), "short");
    let body = add_key(
        &roster,
        &alice.token,
        json!({"title": "t", "key": short.public_line}),
        400,
    )
    .await;
    assert!(reason(&body).contains("2048"), "{body}");

    let pair = keygen("ed25519", None, "oops");
    let private = std::fs::read_to_string(&pair.private).unwrap();
    let body = add_key(&roster, &alice.token, json!({"title": "t", "key": private}), 400).await;
    assert!(reason(&body).contains("private key"), "{body}");
    assert!(
        !body.to_string().contains(private.lines().nth(1).unwrap()),
        "never echoed"
    );

    let dsa = "ssh-dss AAAAB3NzaC1kc3MAAACBAMLrhYgI3atfrSD6KDas1b/3n6R/HP+bLaHHX6oh+L1vg31mdUqK0Ac/NjZoQunavoyzqdPYhFz9zzOezCrZKjuJDS3NRK9rspvjgM0xYR4d47oNZbdZbwkI4cTv/gcMlquRy0OvpfIvJtjtaJWMwTLtM5VhRusRuUlpH99UUVeXAAAAFQCVyX+92hBEjInEKL0v13c/egDCTQAAAIEAvFdWGq0ccOPbw4f/F8LpZqvWDydAcpXHV3thwb7WkFfppvm4SZte0zds1FJ+Hr8Xzzc5zMHe6J4Nlay/rP4ewmIW7iFKNBEYb/yWa+ceLrs+TfR672TaAgO6o7iSRofEq5YLdwgrwkMmIawa21FrZ2D9SPao/IwvENzk/xcHu7YAAACAQFXQH6HQnxOrw4dqf0NqeKy1tfIPxYYUZhPJfo9O0AmBW2S36pD2l14kS89fvz6Y1g8gN/FwFnRncMzlLY/hX70FSc/3hKBSbH6C6j8hwlgFKfizav21eS358JJz93leOakJZnGb8XlWvz1UJbwCsnR2VEY8Dz90uIk1l/UqHkA= loic@call";
    let body = add_key(&roster, &alice.token, json!({"title": "t", "key": dsa}), 400).await;
    assert!(reason(&body).contains("DSA"), "{body}");

    for garbage in [
        "",
        "ssh-ed25519",
        "ssh-ed25519 AAAA",
        "hello world",
        "ssh-ed25519 QUJD\nssh-rsa QUJD",
    ] {
        let body = add_key(&roster, &alice.token, json!({"title": "t", "key": garbage}), 400).await;
        assert!(body["message"]["key"].is_array(), "{garbage:?}: {body}");
    }
    let body = add_key(&roster, &alice.token, json!({"key": pair.public_line}), 400).await;
    assert_eq!(body, json!({"error": "title is missing"}));
    let body = add_key(
        &roster,
        &alice.token,
        json!({"title": "t", "key": pair.public_line, "usage_type": "root"}),
        400,
    )
    .await;
    assert!(body["message"]["usage_type"].is_array());
    let body = add_key(
        &roster,
        &alice.token,
        json!({"title": "t", "key": pair.public_line, "expires_at": "2001-01-01"}),
        400,
    )
    .await;
    assert_eq!(body["message"]["expires_at"], json!(["must be in the future"]));

    let listed = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/user/keys"),
            200,
        )
        .await;
    assert_eq!(listed, json!([]), "nothing refused was stored");
}

#[tokio::test]
async fn admin_look_ups_for_ssh_servers() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let k = keygen("ed25519", None, "alice@laptop");
    let added = roster
        .expect_json(
            roster
                .as_admin(Method::POST, &format!("/api/v4/users/{}/keys", alice.id))
                .json(&json!({"title": "by admin", "key": k.public_line, "usage_type": "auth"})),
            201,
        )
        .await;
    let id = added["id"].as_i64().unwrap();
    let got = roster
        .expect_json(roster.as_admin(Method::GET, &format!("/api/v4/keys/{id}")), 200)
        .await;
    assert_eq!(got["user"]["username"], "alice");
    assert_eq!(got["usage_type"], "auth");
    let by_sha = roster
        .expect_json(
            roster
                .as_admin(Method::GET, "/api/v4/keys")
                .query(&[("fingerprint", &k.sha256)]),
            200,
        )
        .await;
    assert_eq!(by_sha["id"], id);
    assert_eq!(by_sha["user"]["id"], alice.id);
    let by_md5 = roster
        .expect_json(
            roster
                .as_admin(Method::GET, "/api/v4/keys")
                .query(&[("fingerprint", &k.md5)]),
            200,
        )
        .await;
    assert_eq!(by_md5["id"], id);
    let md5_prefixed = format!("MD5:{}", k.md5.to_uppercase());
    roster
        .expect_json(
            roster
                .as_admin(Method::GET, "/api/v4/keys")
                .query(&[("fingerprint", &md5_prefixed)]),
            200,
        )
        .await;
    roster
        .expect_json(
            roster
                .as_admin(Method::GET, "/api/v4/keys")
                .query(&[("fingerprint", "SHA256:nope")]),
            404,
        )
        .await;
    let body = roster
        .expect_json(
            roster
                .as_admin(Method::GET, "/api/v4/keys")
                .query(&[("fingerprint", "xyz")]),
            400,
        )
        .await;
    assert!(body["message"]["fingerprint"].is_array());
    roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/keys"), 400)
        .await;
    roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, &format!("/api/v4/keys/{id}")),
            403,
        )
        .await;
    roster
        .expect_json(
            roster
                .with_token(
                    &alice.token,
                    Method::POST,
                    &format!("/api/v4/users/{}/keys", alice.id),
                )
                .json(&json!({})),
            403,
        )
        .await;

    let r = roster
        .as_admin(Method::DELETE, &format!("/api/v4/users/{}/keys/{id}", alice.id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    roster
        .expect_json(
            roster.as_admin(Method::DELETE, &format!("/api/v4/users/{}/keys/{id}", alice.id)),
            404,
        )
        .await;
    roster
        .expect_json(roster.as_admin(Method::GET, &format!("/api/v4/keys/{id}")), 404)
        .await;
}

#[tokio::test]
async fn dot_keys_serves_active_auth_keys_as_text() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let auth = keygen("ed25519", None, "auth");
    let signing = keygen("ed25519", None, "signing");
    let expiring = keygen("ecdsa", Some(256), "expiring");
    add_key(
        &roster,
        &alice.token,
        json!({"title": "a", "key": auth.public_line}),
        201,
    )
    .await;
    add_key(
        &roster,
        &alice.token,
        json!({"title": "s", "key": signing.public_line, "usage_type": "signing"}),
        201,
    )
    .await;
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let e = add_key(
        &roster,
        &alice.token,
        json!({"title": "e", "key": expiring.public_line, "expires_at": soon}),
        201,
    )
    .await;
    assert!(e["expires_at"].is_string());

    let r = roster.get("/alice.keys").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(
        r.text().await.unwrap(),
        format!("{}\n{}\n", auth.public_line, expiring.public_line)
    );

    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let text = roster
        .get("/ALICE.keys")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        text,
        format!("{}\n", auth.public_line),
        "expired keys are not served"
    );
    roster
        .expect_json(
            roster
                .as_admin(Method::GET, "/api/v4/keys")
                .query(&[("fingerprint", &expiring.sha256)]),
            404,
        )
        .await;
    let listed = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/user/keys"),
            200,
        )
        .await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        3,
        "expired keys are still listed"
    );

    let r = roster.get("/nobody.keys").send().await.unwrap();
    assert_eq!(r.status(), 404);
    roster
        .expect_json(
            roster.as_admin(Method::POST, &format!("/api/v4/users/{}/block", alice.id)),
            201,
        )
        .await;
    assert_eq!(
        roster
            .get("/alice.keys")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "",
        "blocked users serve no keys"
    );
}

#[tokio::test]
async fn deleting_own_keys() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let k = keygen("ed25519", None, "x");
    let added = add_key(
        &roster,
        &alice.token,
        json!({"title": "x", "key": k.public_line}),
        201,
    )
    .await;
    let path = format!("/api/v4/user/keys/{}", added["id"]);
    assert_eq!(
        roster
            .with_token(&alice.token, Method::DELETE, &path)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    roster
        .expect_json(roster.with_token(&alice.token, Method::DELETE, &path), 404)
        .await;
    // The key is free for someone else now.
    let bob = roster.create_user("bob").await;
    add_key(
        &roster,
        &bob.token,
        json!({"title": "x", "key": k.public_line}),
        201,
    )
    .await;
}

#[tokio::test]
async fn the_authorized_keys_command_prints_all_or_nothing() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let k = keygen("ed25519", None, "cli");
    add_key(
        &roster,
        &alice.token,
        json!({"title": "x", "key": k.public_line}),
        201,
    )
    .await;
    fn run(url: &str, user: &str) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(["ssh", "authorized-keys", "--timeout", "3", "--url", url, user])
            .env("DATABASE_URL", "mysql://not-used")
            .output()
            .unwrap()
    }
    let url = roster.url.clone();
    let out = tokio::task::spawn_blocking(move || run(&url, "alice"))
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{}\n", k.public_line)
    );

    let url = roster.url.clone();
    let out = tokio::task::spawn_blocking(move || run(&url, "nobody"))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let url = roster.url.clone();
    let out = tokio::task::spawn_blocking(move || run(&url, "../etc/passwd"))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let out = tokio::task::spawn_blocking(|| run("http://127.0.0.1:9", "alice"))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
