//! A real GitLab client against Roster: python-gitlab (installed from PyPI
//! into the test environment by `scripts/test`) runs `tests/compat/python_gitlab.py`.
use roster_testkit::TestRoster;
use std::process::Command;

#[tokio::test]
async fn python_gitlab_drives_roster() {
    let python = std::env::var("ROSTER_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_client = Command::new(&python)
        .args(["-c", "import gitlab"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        has_client,
        "{python} has no python-gitlab: run the tests with scripts/test, which installs it"
    );
    let roster = TestRoster::spawn().await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/compat/python_gitlab.py");
    let (url, token) = (roster.url.clone(), roster.admin.token.clone());
    let out =
        tokio::task::spawn_blocking(move || Command::new(python).arg(script).arg(url).arg(token).output())
            .await
            .unwrap()
            .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python-gitlab failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("python-gitlab: 17 passed, 0 failed"), "{stdout}");
}
