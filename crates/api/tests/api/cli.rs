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
