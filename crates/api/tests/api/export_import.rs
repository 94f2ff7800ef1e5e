//! `roster export`, `roster import` and `roster copy` (§13): a deployment
//! on SQLite moves to the suite's backend (PostgreSQL in its half) whole —
//! the two exports are identical line for line after the header, and a
//! server on the copy answers the same reads, existing tokens included —
//! and a database with users, or a cut-off file, is refused.
use crate::keygen::keygen;
use reqwest::Method;
use roster_persistence::testing::TestDatabase;
use roster_testkit::TestRoster;
use serde_json::{json, Value};
use std::process::{Command, Output};

fn roster(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn succeeded(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn png_base64() -> String {
    use base64::Engine;
    let img = image::RgbImage::from_pixel(4, 4, image::Rgb([9, 8, 7]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    base64::engine::general_purpose::STANDARD.encode(out.into_inner())
}

/// Users, addresses, keys, groups and members, tokens (one rotated), an
/// application, an attribute and an avatar: a row in most tables, and a
/// value of every column type.
async fn populate(source: &TestRoster) -> (String, Value) {
    let alice = source
        .create_user_with(
            "alice",
            json!({"birthday": "1990-02-03", "bio": "Ünïcödé ✓", "extern_uid": "a-1", "provider": "github"}),
        )
        .await;
    let bob = source.create_user("bob").await;
    let key = keygen("ed25519", None, "alice@laptop").public_line.clone();
    source
        .expect_json(
            source
                .with_token(&alice.token, Method::POST, "/api/v4/user/keys")
                .json(&json!({"title": "laptop", "key": key})),
            201,
        )
        .await;
    source
        .expect_json(
            source
                .with_token(&alice.token, Method::POST, "/api/v4/user/emails")
                .json(&json!({"email": "alice@work.example"})),
            201,
        )
        .await;
    source
        .expect_json(
            source
                .with_token(&alice.token, Method::PUT, "/api/v4/user/avatar")
                .json(&json!({"avatar_base64": png_base64()})),
            200,
        )
        .await;
    let group = source
        .expect_json(
            source
                .as_admin(Method::POST, "/api/v4/groups")
                .json(&json!({"name": "Acme", "path": "acme"})),
            201,
        )
        .await;
    source
        .expect_json(
            source
                .as_admin(Method::POST, "/api/v4/groups")
                .json(&json!({"name": "Platform", "path": "platform", "parent_id": group["id"]})),
            201,
        )
        .await;
    source
        .expect_json(
            source
                .as_admin(Method::POST, "/api/v4/groups/acme/members")
                .json(&json!({"user_id": bob.id, "access_level": 40})),
            201,
        )
        .await;
    source
        .expect_json(
            source
                .as_admin(
                    Method::PUT,
                    &format!("/api/v4/users/{}/custom_attributes/team", alice.id),
                )
                .json(&json!({"value": "blue"})),
            200,
        )
        .await;
    source
        .expect_json(
            source.as_admin(Method::POST, "/api/v4/applications").json(&json!({
                "name": "Wiki", "redirect_uri": "https://wiki.example/callback", "scopes": "openid profile",
            })),
            201,
        )
        .await;
    let rotated = source
        .expect_json(
            source.with_token(
                &bob.token,
                Method::POST,
                "/api/v4/personal_access_tokens/self/rotate",
            ),
            200,
        )
        .await;
    let bob_token = rotated["token"].as_str().unwrap().to_owned();
    (
        alice.token.clone(),
        json!({"alice": alice.id, "bob": bob.id, "bob_token": bob_token}),
    )
}

/// The reads a client of the copy must see as it saw them on the source.
async fn reads(roster: &TestRoster, alice_token: &str, ids: &Value) -> Value {
    let alice = ids["alice"].as_i64().unwrap();
    let mut seen = Vec::new();
    for path in [
        "/api/v4/users?per_page=100".to_owned(),
        format!("/api/v4/users/{alice}"),
        format!("/api/v4/users/{alice}/keys"),
        format!("/api/v4/users/{alice}/emails"),
        format!("/api/v4/users/{alice}/custom_attributes"),
        "/api/v4/groups/acme/members".to_owned(),
        "/api/v4/groups/acme/subgroups".to_owned(),
        "/api/v4/applications".to_owned(),
    ] {
        seen.push(roster.expect_json(roster.as_admin(Method::GET, &path), 200).await);
    }
    for token in [alice_token, ids["bob_token"].as_str().unwrap()] {
        seen.push(
            roster
                .expect_json(roster.with_token(token, Method::GET, "/api/v4/user"), 200)
                .await,
        );
    }
    let avatar = seen[1]["avatar_url"].as_str().unwrap().to_owned();
    let image = reqwest::get(&avatar).await.unwrap();
    assert_eq!(image.status(), 200, "{avatar}");
    seen.push(json!(image.bytes().await.unwrap().len()));
    // Links name the server they came from.
    let text = serde_json::to_string(&seen)
        .unwrap()
        .replace(&roster.url, "ROSTER");
    serde_json::from_str(&text).unwrap()
}

/// A directory of its own for a test's files, removed when dropped.
struct ScratchDir(std::path::PathBuf);

impl ScratchDir {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("roster-export-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn lines_after_header(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_sqlite_deployment_is_copied_whole_and_the_copy_answers_the_same() {
    // A quiet deployment, as a copy wants one stopped: its mail sender
    // sends nothing during the test (else a mail sent between the copy and
    // the exports would change the source's `outbox` alone).
    let source = TestRoster::spawn_on(TestDatabase::sqlite(), |s| {
        s.mail_poll = std::time::Duration::from_secs(3600);
    })
    .await;
    let (alice_token, ids) = populate(&source).await;
    let before = reads(&source, &alice_token, &ids).await;

    // The suite's backend: PostgreSQL in its half, SQLite in the other.
    let target = TestDatabase::create();
    let report = succeeded(&roster(source.database_url(), &["copy", "--to", target.url()]));
    assert!(
        report.contains("the copy's export is identical to the source's"),
        "{report}"
    );
    assert!(report.contains("users"), "{report}");
    assert!(!report.contains("DIFFERS"), "{report}");

    let dir = ScratchDir::new();
    let (from, to) = (dir.path().join("source.jsonl"), dir.path().join("copy.jsonl"));
    succeeded(&roster(
        source.database_url(),
        &["export", "--output", from.to_str().unwrap()],
    ));
    succeeded(&roster(
        target.url(),
        &["export", "--output", to.to_str().unwrap()],
    ));
    let exported = lines_after_header(&from);
    assert!(exported.len() > 30, "{exported:?}");
    assert_eq!(exported, lines_after_header(&to));
    let header: Value =
        serde_json::from_str(std::fs::read_to_string(&to).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(header["format"], "roster-export");
    assert_eq!(header["format_version"], 1);

    // A server on the copy: the same answers, the same tokens.
    let copy = TestRoster::serve_copy(&source, target);
    let after = reads(&copy, &alice_token, &ids).await;
    assert_eq!(before, after);
    // Ids continue past the copied ones.
    let carol = copy.create_user("carol").await;
    assert!(carol.id > ids["bob"].as_i64().unwrap(), "{}", carol.id);
    let group = copy
        .expect_json(
            copy.as_admin(Method::POST, "/api/v4/groups")
                .json(&json!({"name": "New", "path": "new"})),
            201,
        )
        .await;
    assert!(group["id"].as_i64().unwrap() > 2, "{group}");

    // The file imports into another empty database, and gives the same export.
    let again = TestDatabase::create();
    succeeded(&roster(again.url(), &["import", from.to_str().unwrap()]));
    let third = dir.path().join("third.jsonl");
    succeeded(&roster(
        again.url(),
        &["export", "--output", third.to_str().unwrap()],
    ));
    assert_eq!(exported, lines_after_header(&third));
}

#[tokio::test]
async fn an_import_refuses_a_database_with_users_and_a_damaged_file() {
    let source = TestRoster::spawn().await;
    source.create_user("alice").await;
    let dir = ScratchDir::new();
    let file = dir.path().join("export.jsonl");
    succeeded(&roster(
        source.database_url(),
        &["export", "--output", file.to_str().unwrap()],
    ));

    // Into the source itself: it has users.
    let out = roster(source.database_url(), &["import", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already has users"),
        "{out:?}"
    );

    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let damaged = [
        ("cut off", lines[..lines.len() - 1].join("\n")),
        ("do not match", {
            let mut changed: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
            let row = changed.iter().position(|l| l.contains("\"alice\"")).unwrap();
            changed[row] = changed[row].replace("\"alice\"", "\"mallory\"");
            changed.join("\n")
        }),
        (
            "format version",
            text.replacen("\"format_version\":1", "\"format_version\":99", 1),
        ),
        ("not a Roster export", "{\"hello\": 1}\n".to_owned()),
    ];
    for (reason, content) in damaged {
        let path = dir.path().join("damaged.jsonl");
        std::fs::write(&path, content).unwrap();
        let empty = TestDatabase::create();
        let out = roster(empty.url(), &["import", path.to_str().unwrap()]);
        assert!(!out.status.success(), "{reason}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(reason), "{reason}: {stderr}");
        // Nothing was kept.
        let mut conn = roster_persistence::DbManager::new(empty.url())
            .unwrap()
            .connect_now()
            .unwrap();
        assert!(
            !roster_persistence::users::any_user(&mut conn).unwrap(),
            "{reason}"
        );
    }
}
