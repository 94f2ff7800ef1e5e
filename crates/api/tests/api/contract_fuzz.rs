//! Fuzzing the contract: schemathesis (installed from PyPI into the test
//! environment by `scripts/test`) generates requests from the served OpenAPI
//! document, bounded in count, and checks that no answer is a server error or
//! contradicts the document (status, content type, schema).
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
    let out = tokio::task::spawn_blocking(move || {
        Command::new("timeout")
            .arg("600")
            .arg(schemathesis)
            .args(["run", &url, "-H", &format!("PRIVATE-TOKEN: {token}"), "--max-examples", "15"])
            .args(["--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"])
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
