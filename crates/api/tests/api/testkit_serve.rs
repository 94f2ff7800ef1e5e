//! `roster testkit serve`, the harness for other languages' tests: the line
//! it prints, the fixtures, the captured mail, stopping when its input
//! closes, on SIGTERM or when the test runner is killed, and the examples of
//! docs/testing.md (pytest, Node's test runner, Go's `TestMain`) as written.
use roster_testkit::TEST_DATABASE_ENV;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ROSTER: &str = env!("CARGO_BIN_EXE_roster");
const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/examples/testkit");

/// `roster testkit serve` on this run's backend (`--database-url` when the
/// tests run on PostgreSQL).
fn testkit(extra: &[&str]) -> Command {
    let mut cmd = Command::new(ROSTER);
    cmd.args(["testkit", "serve"]).args(extra);
    if let Some(server) = postgres_server() {
        cmd.args(["--database-url", &server]);
    }
    cmd
}

fn postgres_server() -> Option<String> {
    std::env::var(TEST_DATABASE_ENV).ok().filter(|v| !v.is_empty())
}

/// Starts `cmd` with piped input and output and reads its line.
fn start(mut cmd: Command) -> (Child, Value) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let line = first_line(&mut child);
    (
        child,
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}")),
    )
}

fn first_line(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(!line.is_empty(), "no line; exit: {:?}", child.wait());
    line
}

/// Whether the database a testkit line names still exists.
fn database_exists(database_url: &str) -> bool {
    match database_url.strip_prefix("sqlite://") {
        Some(path) => Path::new(path).exists(),
        None => {
            use diesel::Connection;
            diesel::PgConnection::establish(database_url).is_ok()
        }
    }
}

/// Whether a process of this id is still running (a zombie waiting for a
/// parent that is gone counts as stopped).
fn running(pid: u64) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            let state = stat
                .rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().chars().next());
            !matches!(state, Some(Some('Z' | 'X')))
        })
        .unwrap_or(false)
}

fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn get(url: &str, token: Option<&str>) -> reqwest::blocking::Response {
    let mut request = reqwest::blocking::Client::new().get(url);
    if let Some(token) = token {
        request = request.header("PRIVATE-TOKEN", token);
    }
    request.send().unwrap()
}

#[test]
fn it_prints_its_line_loads_the_fixtures_and_cleans_up_when_its_input_closes() {
    let fixtures = format!("{EXAMPLES}/fixtures.json");
    let (mut child, line) = start(testkit(&["--fixtures", &fixtures]));
    let url = line["url"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    assert_eq!(line["admin_username"], "root");
    assert_eq!(line["pid"].as_u64(), Some(u64::from(child.id())));
    let database_url = line["database_url"].as_str().unwrap();
    assert!(database_exists(database_url));
    match postgres_server() {
        Some(_) => assert!(database_url.starts_with("postgres://"), "{database_url}"),
        None => assert!(database_url.starts_with("sqlite://"), "{database_url}"),
    }

    let admin = line["admin_token"].as_str();
    let me: Value = get(&format!("{url}/api/v4/user"), admin).json().unwrap();
    assert_eq!(
        (me["username"].as_str(), me["is_admin"].as_bool()),
        (Some("root"), Some(true))
    );

    // Each fixture's answer, in the file's order, with the secrets shown once.
    let alice = &line["users"][0];
    assert_eq!(alice["username"], "alice");
    assert_eq!(alice["keys"][0]["title"], "laptop");
    let alice_token = alice["personal_access_tokens"][0]["token"].as_str();
    let as_alice: Value = get(&format!("{url}/api/v4/user"), alice_token).json().unwrap();
    assert_eq!(as_alice["id"], alice["id"]);
    // The subgroup comes first in the file, though its parent is made first.
    let groups = line["groups"].as_array().unwrap();
    assert_eq!(groups[0]["full_path"], "acme/backend");
    assert_eq!(groups[0]["parent_id"], groups[1]["id"]);
    assert_eq!(groups[0]["members"][0]["username"], "bob");
    assert_eq!(groups[1]["members"][0]["access_level"], 50);
    let shop = &line["applications"][0];
    assert!(
        shop["secret"].as_str().unwrap().starts_with("roster_oas_"),
        "{shop}"
    );

    // bob was not confirmed: his link is in the captured mail.
    let mail: Value = get(&format!("{url}/-/testkit/mail?to=bob@example.com"), None)
        .json()
        .unwrap();
    assert_eq!(mail[0]["kind"], "confirm_email");
    assert!(mail[0]["text"].as_str().unwrap().contains(url), "{mail}");
    assert_eq!(get(&format!("{url}/-/testkit/mail?limit=0"), None).status(), 400);
    assert_eq!(
        get(&format!("{url}/-/testkit/mail?color=red"), None).status(),
        400
    );

    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(!database_exists(database_url), "{database_url} is left behind");
    assert!(reqwest::blocking::get(url).is_err(), "still answering");
}

#[test]
fn sigterm_stops_it_and_removes_its_database() {
    let (mut child, line) = start(testkit(&[]));
    let database_url = line["database_url"].as_str().unwrap().to_owned();
    assert!(database_exists(&database_url));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(!database_exists(&database_url), "{database_url} is left behind");
}

/// The test runner that started it is killed with SIGKILL, so nothing of it
/// runs to clean up: Roster sees its input close and stops by itself.
#[test]
fn a_killed_test_runner_leaves_no_server_and_no_database_behind() {
    let mut runner_command = Command::new("python3");
    runner_command.arg("-c").arg(
        "import subprocess, sys, time\n\
         server = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)\n\
         sys.stdout.buffer.write(server.stdout.readline()); sys.stdout.flush()\n\
         time.sleep(600)\n",
    );
    let serve = testkit(&[]);
    runner_command.arg(serve.get_program()).args(serve.get_args());
    let (mut runner, line) = start(runner_command);
    let pid = line["pid"].as_u64().unwrap();
    let url = line["url"].as_str().unwrap().to_owned();
    let database_url = line["database_url"].as_str().unwrap().to_owned();
    assert!(running(pid));
    assert_eq!(get(&format!("{url}/-/readiness"), None).status(), 200);

    runner.kill().unwrap();
    runner.wait().unwrap();
    wait_until("the server stopped", || !running(pid));
    assert!(reqwest::blocking::get(&url).is_err(), "still answering");
    assert!(!database_exists(&database_url), "{database_url} is left behind");
}

/// A fixture the API refuses stops the start with the API's reason, and the
/// database made for it is removed.
#[test]
fn a_refused_fixture_names_itself_and_leaves_nothing_behind() {
    let dir = std::env::temp_dir().join(format!("roster-testkit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fixtures = dir.join("fixtures.json");
    std::fs::write(
        &fixtures,
        r#"{"users": [{"username": "ok", "email": "ok@example.com", "name": "Ok", "password": "correct-horse-battery"},
                      {"username": "bad", "email": "not an address", "name": "Bad", "password": "correct-horse-battery"}]}"#,
    )
    .unwrap();
    // SQLite in a directory of its own, so that what is left is seen.
    let tmp = dir.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let out = Command::new(ROSTER)
        .args(["testkit", "serve", "--fixtures"])
        .arg(&fixtures)
        .env("TMPDIR", &tmp)
        .stdin(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        out.stdout.is_empty(),
        "printed a line: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains("users[1]") && stderr.contains("400") && stderr.contains("email"),
        "{stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");

    // A file that is not a fixture file is refused before anything starts.
    std::fs::write(&fixtures, r#"{"user": []}"#).unwrap();
    let out = Command::new(ROSTER)
        .args(["testkit", "serve", "--fixtures"])
        .arg(&fixtures)
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("unknown field `user`"), "{stderr}");
    let out = Command::new(ROSTER)
        .args(["testkit", "serve", "--database-url", "sqlite://elsewhere.db"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("PostgreSQL server"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs an example of docs/testing.md with the binary under test.
fn run_example(program: &str, args: &[&str], dir: &str, summary: &str) {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(format!("{EXAMPLES}/{dir}"))
        .env("ROSTER_BIN", ROSTER)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    if let Some(server) = postgres_server() {
        cmd.env("ROSTER_TESTKIT_DATABASE_URL", server);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (scripts/test installs it)"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(summary),
        "the {dir} example failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_pytest_example_passes() {
    let python = std::env::var("ROSTER_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    run_example(
        &python,
        &["-m", "pytest", "-p", "no:cacheprovider"],
        "python",
        "6 passed",
    );
}

#[test]
fn the_node_example_passes() {
    run_example("node", &["--test"], "node", "# pass 5");
}

#[test]
fn the_go_example_passes() {
    run_example(
        "go",
        &["test", "-v", "./..."],
        "go",
        "ok  \texample.com/roster-testkit-example",
    );
}
