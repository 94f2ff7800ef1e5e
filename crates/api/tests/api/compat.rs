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
    // Sign-ups wait for an admin's approval, for the approve and reject step.
    let roster = TestRoster::spawn_with(|s| s.signup_approval = true).await;
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
    assert!(stdout.contains("python-gitlab: 22 passed, 0 failed"), "{stdout}");
}

/// Runs a peer's script against a fresh Roster, with its URL and the
/// admin's token, and checks its summary line.
async fn run_peer(program: String, script: String, extra: Vec<String>, summary: &str) {
    let roster = TestRoster::spawn().await;
    let mut args = vec![script, roster.url.clone(), roster.admin.token.clone()];
    args.extend(extra);
    let out = tokio::task::spawn_blocking(move || Command::new(program).args(args).output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(summary),
        "the peer failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn test_python(module: &str) -> String {
    let python = std::env::var("ROSTER_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let present = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        present,
        "{python} has no {module}: run the tests with scripts/test, which installs it"
    );
    python
}

#[tokio::test]
async fn authlib_signs_in_with_roster() {
    let python = test_python("authlib");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/compat/authlib_oidc.py");
    run_peer(python, script.into(), vec![], "authlib: 12 passed, 0 failed").await;
}

#[tokio::test]
async fn a_software_authenticator_registers_and_signs_in() {
    let python = test_python("fido2");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/compat/webauthn_client.py");
    run_peer(python, script.into(), vec![], "webauthn: 7 passed, 0 failed").await;
}

#[tokio::test]
async fn chromium_signs_in_through_the_pages() {
    let python = test_python("selenium");
    assert!(
        std::path::Path::new("/usr/bin/chromedriver").exists(),
        "no /usr/bin/chromedriver: run the tests with scripts/test, which installs chromium-driver"
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/compat/chromium_pages.py");
    let failures = roster_testkit::TestRoster::test_settings("sqlite::memory:").max_failed_sign_ins;
    run_peer(
        python,
        script.into(),
        vec![failures.to_string()],
        "chromium: 10 passed, 0 failed",
    )
    .await;
}

#[tokio::test]
async fn openid_client_signs_in_with_roster() {
    let modules =
        std::env::var("ROSTER_TEST_NODE_MODULES").unwrap_or_else(|_| "target/test-node/node_modules".into());
    let modules = std::path::Path::new(&modules);
    let modules = if modules.is_absolute() {
        modules.to_path_buf()
    } else {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(modules)
    };
    assert!(
        modules.join("openid-client").exists(),
        "{} has no openid-client: run the tests with scripts/test, which installs it",
        modules.display()
    );
    // An ES module finds its imports in the node_modules beside it.
    let script = modules.parent().unwrap().join("openid_client.mjs");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/node/openid_client.mjs"),
        &script,
    )
    .unwrap();
    run_peer(
        "node".into(),
        script.display().to_string(),
        vec![],
        "openid-client: 39 passed, 0 failed",
    )
    .await;
}

/// Where the test environment's npm packages are (`scripts/test` installs
/// them from `tests/node/package-lock.json`).
fn node_modules() -> std::path::PathBuf {
    let modules =
        std::env::var("ROSTER_TEST_NODE_MODULES").unwrap_or_else(|_| "target/test-node/node_modules".into());
    let modules = std::path::Path::new(&modules);
    if modules.is_absolute() {
        modules.to_path_buf()
    } else {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(modules)
    }
}

/// The account pages and the admin console in Chromium, axe-core on each
/// page, mail through a real SMTP server. `ROSTER_SCREENSHOTS=DIR` saves
/// the pages there (`scripts/screenshots` does, into `docs/console/`).
#[tokio::test]
async fn chromium_drives_the_console() {
    let python = test_python("selenium");
    assert!(
        std::path::Path::new("/usr/bin/chromedriver").exists(),
        "no /usr/bin/chromedriver: run the tests with scripts/test, which installs chromium-driver"
    );
    let axe = node_modules().join("axe-core/axe.min.js");
    assert!(
        axe.exists(),
        "{} is missing: run the tests with scripts/test, which installs axe-core",
        axe.display()
    );
    let sink = tokio::task::spawn_blocking(crate::smtp::SmtpSink::start)
        .await
        .unwrap();
    let smtp = sink.url();
    let roster = TestRoster::spawn_with(move |s| {
        s.smtp_url = Some(smtp);
        s.signup_enabled = true;
    })
    .await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/compat/chromium_console.py");
    let mut args = vec![
        script.to_owned(),
        roster.url.clone(),
        roster.admin.token.clone(),
        sink.dir.join("").display().to_string(),
        axe.display().to_string(),
    ];
    if let Ok(dir) = std::env::var("ROSTER_SCREENSHOTS") {
        args.push(dir);
    }
    let out = tokio::task::spawn_blocking(move || Command::new(python).args(args).output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("console: 16 passed, 0 failed"),
        "the console in Chromium failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
