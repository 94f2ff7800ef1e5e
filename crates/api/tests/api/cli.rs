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
            "sudo",
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
