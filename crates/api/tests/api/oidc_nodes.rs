//! "Sign in with Roster" behind a load balancer: two nodes, one issuer,
//! one database; a session, a code and a revocation made on one are known
//! to the other.
use crate::browser::{hidden_fields, Browser};
use crate::oidc::{authorize_path, claims_of, code_of, pkce, App, CALLBACK};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use roster_testkit::TEST_PASSWORD;
use serde_json::{json, Value};

#[tokio::test]
async fn a_code_from_one_node_is_exchanged_at_another() {
    use crate::process::{roster_command, serve};
    let db = roster_testkit::TestDatabase::create();
    let key = roster_domain::SecretKey::generate().to_base64();
    let command = || {
        let mut cmd = roster_command(&db);
        // Behind one load balancer: one issuer, one secret key.
        cmd.env("ROSTER_PUBLIC_URL", "http://roster.test")
            .env("ROSTER_SECRET_KEY", &key)
            .env("RUST_LOG", "warn");
        cmd
    };
    assert!(command().arg("migrate").status().unwrap().success());
    let out = command()
        .args([
            "admin",
            "create",
            "--username",
            "root",
            "--email",
            "root@example.com",
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(TEST_PASSWORD.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let admin = String::from_utf8(
        command()
            .args(["token", "create", "--username", "root", "--name", "n"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    let a = serve(command(), std::process::Stdio::null()).await;
    let b = serve(command(), std::process::Stdio::null()).await;
    let client = reqwest::Client::new();
    let app: Value = client
        .post(format!("{}/api/v4/applications", a.url))
        .header("PRIVATE-TOKEN", &admin)
        .json(&json!({"name": "Wiki", "redirect_uri": CALLBACK, "scopes": "openid profile"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let app = App {
        id: app["id"].as_i64().unwrap(),
        client_id: app["application_id"].as_str().unwrap().to_owned(),
        secret: app["secret"].as_str().unwrap().to_owned(),
    };

    // Signed in on A; the session is known on B, which issues the code.
    let mut browser = Browser::new(&a.url);
    let (verifier, challenge) = pkce();
    let path = authorize_path(&app, &challenge, &[("scope", "openid profile")]);
    let first = browser.get(&path).await;
    let consent = browser.sign_in_from(&first, "root", TEST_PASSWORD).await;
    let mut fields = hidden_fields(&consent.body);
    fields.push(("decision".into(), "allow".into()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let on_b = browser.post(&format!("{}/oauth/authorize", b.url), &pairs).await;
    let code = code_of(&on_b);

    // The code goes to A; the ID token verifies against either node's JWKS.
    let exchanged: Value = client
        .post(format!("{}/oauth/token", a.url))
        .basic_auth(&app.client_id, Some(&app.secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_token = exchanged["id_token"]
        .as_str()
        .unwrap_or_else(|| panic!("{exchanged}"));
    let kid = serde_json::from_slice::<Value>(
        &URL_SAFE_NO_PAD
            .decode(id_token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap()["kid"]
        .clone();
    assert_eq!(claims_of(id_token)["iss"], "http://roster.test");
    for node in [&a, &b] {
        let jwks: Value = client
            .get(format!("{}/oauth/discovery/keys", node.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            jwks["keys"].as_array().unwrap().iter().any(|k| k["kid"] == kid),
            "{jwks}"
        );
    }

    // The browser session, ended through A, is gone on B too.
    let sessions: Value = client
        .get(format!("{}/api/v4/user/sessions", b.url))
        .header("PRIVATE-TOKEN", &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let browser_session = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "browser")
        .unwrap_or_else(|| panic!("{sessions}"))["id"]
        .to_string();
    let ended = client
        .delete(format!("{}/api/v4/user/sessions/{browser_session}", a.url))
        .header("PRIVATE-TOKEN", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    let (_, challenge) = pkce();
    let on_b = browser
        .get(&format!(
            "{}{}",
            b.url,
            authorize_path(&app, &challenge, &[("scope", "openid profile")])
        ))
        .await;
    assert_eq!(on_b.status, 303, "signed out on B as well");

    // Used again at B: refused, and what A issued is revoked everywhere.
    let again = client
        .post(format!("{}/oauth/token", b.url))
        .basic_auth(&app.client_id, Some(&app.secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
    let access = exchanged["access_token"].as_str().unwrap();
    let info = client
        .get(format!("{}/oauth/userinfo", a.url))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), 401);
}
