//! §8 the command line: `migrate`, `admin create`, `token create`.
use roster_testkit::TestDatabase;
use std::io::Write;
use std::process::{Command, Stdio};

fn roster(db: &TestDatabase, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(args)
        .env("DATABASE_URL", db.url())
        .env("ROSTER_BCRYPT_COST", "4")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("roster runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn admin_and_token_from_the_command_line() {
    let db = TestDatabase::create();
    let (ok, out, _) = roster(&db, &["migrate"], None);
    assert!(ok);
    assert_eq!(out.trim(), "migrations applied");

    let (ok, out, err) = roster(
        &db,
        &[
            "admin",
            "create",
            "--username",
            "root",
            "--email",
            "root@example.com",
        ],
        None,
    );
    assert!(ok, "{err}");
    let password = out.trim();
    assert_eq!(password.len(), 48, "a generated password, printed once");

    let (ok, _, err) = roster(
        &db,
        &[
            "admin",
            "create",
            "--username",
            "root",
            "--email",
            "x@example.com",
        ],
        None,
    );
    assert!(!ok);
    assert!(err.contains("Username"), "{err}");

    let (ok, _, err) = roster(
        &db,
        &[
            "admin",
            "create",
            "--username",
            "ops",
            "--email",
            "ops@example.com",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!ok);
    assert!(err.contains("password is too short"), "{err}");
    let (ok, out, err) = roster(
        &db,
        &[
            "admin",
            "create",
            "--username",
            "ops",
            "--email",
            "ops@example.com",
            "--password-stdin",
        ],
        Some("a-chosen-password\n"),
    );
    assert!(ok, "{err}");
    assert_eq!(out, "", "a given password is not printed");

    let (ok, out, err) = roster(
        &db,
        &[
            "token",
            "create",
            "--username",
            "root",
            "--name",
            "ci",
            "--scopes",
            "api,read_user",
        ],
        None,
    );
    assert!(ok, "{err}");
    let token = out.trim();
    assert!(
        token.starts_with("roster_pat_") && !token.contains(char::is_whitespace),
        "only the token: {out:?}"
    );

    let (ok, _, err) = roster(
        &db,
        &["token", "create", "--username", "ghost", "--name", "ci"],
        None,
    );
    assert!(!ok);
    assert!(err.contains("no user named ghost"), "{err}");
    let (ok, _, _) = roster(
        &db,
        &[
            "token",
            "create",
            "--username",
            "root",
            "--name",
            "ci",
            "--scopes",
            "write_everything",
        ],
        None,
    );
    assert!(!ok);
    let (ok, _, _) = roster(
        &db,
        &[
            "token",
            "create",
            "--username",
            "root",
            "--name",
            "ci",
            "--expires-at",
            "2000-01-01",
        ],
        None,
    );
    assert!(!ok);
}

#[test]
fn dev_seed_loads_searchable_users_with_addresses_and_keys() {
    use roster_persistence::user_list::{self, UserFilter, UserOrder};
    use roster_persistence::{keys, seed, users, DbManager, PageRequest};
    let db = TestDatabase::create();
    let (ok, _, err) = roster(&db, &["dev", "seed", "--users", "1200"], None);
    assert!(ok, "{err}");
    assert!(err.contains("added 1200 users"), "{err}");
    // A second run numbers its users after the first's.
    let (ok, _, err) = roster(&db, &["dev", "seed", "--users", "10"], None);
    assert!(ok, "{err}");

    let mut conn = DbManager::new(db.url()).unwrap().connect_now().unwrap();
    assert_eq!(seed::count_users(&mut conn).unwrap(), 1210);
    let last = users::find_user(&mut conn, 1210).unwrap().unwrap();
    assert!(last.username.ends_with("1210"), "{}", last.username);
    assert!(last.confirmed_at.is_some());
    let filter = UserFilter {
        search: Some(last.username.to_uppercase()),
        search_emails: true,
        ..UserFilter::default()
    };
    let page = user_list::list_users(
        &mut conn,
        &filter,
        UserOrder::Id,
        true,
        PageRequest::Offset {
            page: 1,
            per_page: 20,
        },
    )
    .unwrap();
    assert_eq!(page.items.len(), 1, "seeded users are in the search index");
    assert_eq!(page.items[0].id, 1210);
    let with_keys: Vec<_> = (1..=40)
        .flat_map(|id| keys::keys_of(&mut conn, id).unwrap())
        .collect();
    assert!(with_keys.len() > 5, "about half the users have a key");
    for key in &with_keys {
        let parsed = roster_domain::SshPublicKey::parse(&key.key).unwrap();
        assert_eq!(parsed.sha256_fingerprint(), key.fingerprint_sha256);
    }
}

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn operators_reset_passwords_block_users_revoke_tokens_and_read_mail() {
    let db = TestDatabase::create();
    assert!(roster(&db, &["migrate"], None).0);
    let (ok, _, err) = roster(
        &db,
        &[
            "admin",
            "create",
            "--username",
            "root",
            "--email",
            "root@example.com",
            "--password-stdin",
        ],
        Some("first-password-1"),
    );
    assert!(ok, "{err}");
    let (ok, _, err) = roster(
        &db,
        &[
            "admin",
            "create",
            "--username",
            "second",
            "--email",
            "second@example.com",
            "--password-stdin",
        ],
        Some("second-password-1"),
    );
    assert!(ok, "{err}");

    // A lost password, set anew without mail; the user is told by mail.
    let (ok, out, err) = roster(&db, &["admin", "reset-password", "--username", "root"], None);
    assert!(ok, "{err}");
    assert_eq!(out.trim().len(), 48, "a generated password, printed once");
    let (ok, _, err) = roster(&db, &["admin", "reset-password", "--username", "nobody"], None);
    assert!(!ok && err.contains("no user named nobody"), "{err}");
    let (ok, out, _) = roster(&db, &["mail", "list", "--to", "root@example.com"], None);
    assert!(ok);
    assert!(
        out.contains("to root@example.com") && out.contains("Subject:"),
        "{out}"
    );
    let (ok, out, _) = roster(&db, &["mail", "list", "--to", "nobody@example.com"], None);
    assert!(ok && out.is_empty());

    // Users as JSON lines; block and unblock by name.
    let (ok, out, _) = roster(&db, &["user", "list", "--search", "second"], None);
    assert!(ok);
    let users = json_lines(&out);
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["username"], "second");
    assert_eq!(users[0]["state"], "active");
    let (ok, _, err) = roster(&db, &["user", "block", "second"], None);
    assert!(ok && err.contains("second is blocked"), "{err}");
    let (ok, _, err) = roster(&db, &["user", "block", "second"], None);
    assert!(ok && err.contains("already"), "{err}");
    let (_, out, _) = roster(&db, &["user", "list", "--search", "second"], None);
    assert_eq!(json_lines(&out)[0]["state"], "blocked");
    let (ok, _, err) = roster(&db, &["user", "unblock", "second"], None);
    assert!(ok && err.contains("second is unblocked"), "{err}");
    let (ok, _, _) = roster(&db, &["user", "block", "ghost"], None);
    assert!(!ok);

    // Tokens listed as JSON lines (never their secrets) and revoked by id.
    let (ok, secret, _) = roster(
        &db,
        &["token", "create", "--username", "root", "--name", "ci"],
        None,
    );
    assert!(ok);
    let (ok, out, _) = roster(&db, &["token", "list", "--username", "root"], None);
    assert!(ok);
    assert!(!out.contains(secret.trim()), "no secret in the list");
    let tokens = json_lines(&out);
    assert_eq!(tokens[0]["name"], "ci");
    assert_eq!(tokens[0]["revoked"], false);
    let id = tokens[0]["id"].to_string();
    let (ok, _, err) = roster(&db, &["token", "revoke", &id], None);
    assert!(ok, "{err}");
    let (ok, _, _) = roster(&db, &["token", "revoke", &id], None);
    assert!(!ok, "revoked already");
    let (_, out, _) = roster(&db, &["token", "list"], None);
    assert_eq!(json_lines(&out)[0]["revoked"], true);

    // --version, as /-/health reports it.
    let (ok, out, _) = roster(&db, &["--version"], None);
    assert!(
        ok && out.trim() == format!("roster {}", env!("CARGO_PKG_VERSION")),
        "{out}"
    );
}

#[test]
fn migrations_revert_and_apply_again() {
    let db = TestDatabase::create();
    assert!(roster(&db, &["migrate"], None).0);
    let (ok, out, err) = roster(&db, &["migrate", "--revert", "--steps", "2"], None);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines.iter().all(|l| l.starts_with("reverted ")), "{out}");
    assert!(lines[0] > lines[1], "newest first: {out}");
    // The next start applies them again, and the database works.
    let (ok, out, _) = roster(&db, &["migrate"], None);
    assert!(ok && out.trim() == "migrations applied");
    let (ok, _, err) = roster(
        &db,
        &[
            "admin",
            "create",
            "--username",
            "root",
            "--email",
            "root@example.com",
        ],
        None,
    );
    assert!(ok, "{err}");
    let (ok, _, err) = roster(&db, &["migrate", "--steps", "2"], None);
    assert!(!ok && err.contains("--revert"), "--steps needs --revert: {err}");
}
