//! Fuzzing the contract: schemathesis (installed from PyPI into the test
//! environment by `scripts/test`) generates requests from the served OpenAPI
//! document in every phase (examples, coverage, fuzzing, stateful), bounded
//! in count and seeded so that a run can be repeated, and runs every check:
//! no server error, no answer the document does not describe, every request
//! the document allows accepted and every one it forbids refused. Its
//! settings, with the reason for each, are in `tests/schemathesis.toml`.
use roster_testkit::TestRoster;
use std::process::Command;

#[tokio::test]
async fn schemathesis_finds_no_server_error_and_no_contradiction() {
    let python = std::env::var("ROSTER_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let schemathesis = std::path::Path::new(&python).with_file_name("schemathesis");
    assert!(
        schemathesis.exists(),
        "{} is missing: run the tests with scripts/test, which installs schemathesis",
        schemathesis.display()
    );
    let roster = TestRoster::spawn().await;
    let url = format!("{}/api/v4/openapi.json", roster.url);
    let token = roster.admin.token.clone();
    let spare = roster.create_user("spare").await;
    let spare_token = roster
        .expect_json(
            roster.with_token(
                &spare.token,
                reqwest::Method::GET,
                "/api/v4/personal_access_tokens/self",
            ),
            200,
        )
        .await["id"]
        .to_string();
    let group = roster
        .expect_json(
            roster
                .as_admin(reqwest::Method::POST, "/api/v4/groups")
                .json(&serde_json::json!({"name": "Fuzz", "path": "fuzz"})),
            201,
        )
        .await["id"]
        .to_string();
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemathesis.toml");
    let out = tokio::task::spawn_blocking(move || {
        Command::new("timeout")
            .arg("600")
            .arg(schemathesis)
            .args(["--config-file", config])
            .args([
                "run",
                &url,
                "-H",
                &format!("PRIVATE-TOKEN: {token}"),
                "--max-examples",
                "15",
            ])
            // Every check runs (schemathesis's default); the config turns
            // one off for one route, which `--checks all` would override.
            .args(["--seed", "20261203"])
            .env("ROSTER_FUZZ_SPARE_TOKEN_ID", spare_token)
            .env("ROSTER_FUZZ_GROUP_ID", group)
            // Metrics change with every request the fuzzer makes.
            .args(["--exclude-path", "/-/metrics"])
            .env("NO_COLOR", "1")
            // schemathesis keeps a cache in its working directory; keep it out of the tree.
            .current_dir(std::env::temp_dir())
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found problems:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("passed"), "{stdout}");
}
