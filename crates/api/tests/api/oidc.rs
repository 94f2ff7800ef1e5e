//! "Sign in with Roster" (§10): the browser flows end to end against the
//! real server: sign-in page, consent, the code with PKCE, ID tokens,
//! userinfo, introspection, logout, the device grant and CORS.
use crate::browser::{field, hidden_fields, query_of, Browser, Seen};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Method;
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub(crate) const CALLBACK: &str = "https://app.example/callback";

pub(crate) struct App {
    pub(crate) id: i64,
    pub(crate) client_id: String,
    pub(crate) secret: String,
}

pub(crate) async fn register(roster: &TestRoster, confidential: bool, trusted: bool, scopes: &str) -> App {
    let app = roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/applications")
                .json(&json!({
                    "name": "Wiki", "redirect_uri": format!("{CALLBACK} http://localhost:9/other"),
                    "scopes": scopes, "confidential": confidential, "trusted": trusted,
                })),
            201,
        )
        .await;
    App {
        id: app["id"].as_i64().unwrap(),
        client_id: app["application_id"].as_str().unwrap().to_owned(),
        secret: app["secret"].as_str().unwrap().to_owned(),
    }
}

pub(crate) fn pkce() -> (String, String) {
    let verifier = URL_SAFE_NO_PAD.encode(rand_bytes());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn rand_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    let seed = uuid::Uuid::new_v4();
    bytes[..16].copy_from_slice(seed.as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes
}

pub(crate) fn authorize_path(app: &App, challenge: &str, extra: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", &app.client_id),
        ("redirect_uri", CALLBACK),
        ("scope", "openid profile email"),
        ("state", "st-1"),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    for (k, v) in extra {
        pairs.retain(|(name, _)| name != k);
        pairs.push((k, v));
    }
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    format!("/oauth/authorize?{}", query.finish())
}

/// Allows the application on its consent page.
pub(crate) async fn allow(browser: &mut Browser, consent: &Seen) -> Seen {
    assert_eq!(consent.status, 200, "{}", consent.body);
    assert!(consent.body.contains("Wiki"), "names the application");
    let mut fields: Vec<(String, String)> = hidden_fields(&consent.body);
    fields.push(("decision".into(), "allow".into()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.post("/oauth/authorize", &pairs).await
}

pub(crate) fn code_of(seen: &Seen) -> String {
    assert_eq!(seen.status, 302, "{}", seen.body);
    let location = seen.location.clone().unwrap();
    assert!(location.starts_with(CALLBACK), "{location}");
    let query = query_of(&location);
    assert_eq!(query.get("state").map(String::as_str), Some("st-1"), "{location}");
    query
        .get("code")
        .cloned()
        .unwrap_or_else(|| panic!("no code: {location}"))
}

pub(crate) async fn exchange(roster: &TestRoster, app: &App, code: &str, verifier: &str) -> (u16, Value) {
    let response = roster
        .request(Method::POST, "/oauth/token")
        .basic_auth(&app.client_id, Some(&app.secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// The names of the security events about application `id`, newest first.
async fn application_events(roster: &TestRoster, id: i64) -> Vec<String> {
    let events = roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                &format!("/api/v4/audit_events?entity_type=Application&entity_id={id}"),
            ),
            200,
        )
        .await;
    events
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["event_name"].as_str().map(str::to_owned))
        .collect()
}

pub(crate) fn claims_of(id_token: &str) -> Value {
    let payload = id_token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn the_code_flow_signs_in_asks_consent_and_issues_an_id_token() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let app = register(&roster, true, false, "openid profile email read_user").await;
    let group = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/groups")
                .json(&json!({"name": "Team", "path": "team"})),
            201,
        )
        .await;
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/groups")
                .json(&json!({"name": "Sub", "path": "sub", "parent_id": group["id"]})),
            201,
        )
        .await;
    let mut browser = Browser::new(&roster.url);
    let (verifier, challenge) = pkce();

    // Not signed in: to the sign-in page, which comes back here.
    let first = browser.get(&authorize_path(&app, &challenge, &[])).await;
    assert_eq!(first.status, 303, "{}", first.body);
    let csp = first.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let consent = browser.sign_in_from(&first, "alice", TEST_PASSWORD).await;
    let session = browser
        .cookie("_roster_session")
        .cloned()
        .expect("a session cookie");
    assert!(
        consent.body.contains("see your e-mail address"),
        "{}",
        consent.body
    );
    assert!(consent.headers.get("access-control-allow-origin").is_none());

    let code = code_of(&allow(&mut browser, &consent).await);
    let (status, tokens) = exchange(&roster, &app, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens["refresh_token"]
        .as_str()
        .unwrap()
        .starts_with("roster_ort_"));
    let id_token = tokens["id_token"].as_str().expect("an ID token");
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(id_token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "RS256");
    let jwks = roster.expect_json(roster.get("/oauth/discovery/keys"), 200).await;
    assert_eq!(jwks["keys"][0]["kid"], header["kid"]);
    let claims = claims_of(id_token);
    assert_eq!(claims["iss"], roster.url.as_str());
    assert_eq!(claims["sub"], alice.id.to_string());
    assert_eq!(claims["aud"], app.client_id.as_str());
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["preferred_username"], "alice");
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["groups_direct"], json!(["team", "team/sub"]));
    assert!(claims["auth_time"].as_i64().unwrap() <= claims["iat"].as_i64().unwrap());
    let access = tokens["access_token"].as_str().unwrap();
    let expected_at_hash = URL_SAFE_NO_PAD.encode(&Sha256::digest(access.as_bytes())[..16]);
    assert_eq!(claims["at_hash"], expected_at_hash.as_str());
    assert!(
        claims.get("picture").is_none(),
        "claims without a value are left out"
    );

    // Userinfo; the API needs an API scope, which this token lacks.
    let info = roster
        .expect_json(roster.with_token(access, Method::GET, "/oauth/userinfo"), 200)
        .await;
    assert_eq!(info["sub"], alice.id.to_string());
    assert_eq!(info["nickname"], "alice");
    assert_eq!(info["groups"], json!(["team", "team/sub"]));
    assert_eq!(info["profile"], format!("{}/alice", roster.url));
    let api = roster
        .with_token(access, Method::GET, "/api/v4/user")
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 403);

    // The code is single use; a second use revokes what the first issued.
    let (status, again) = exchange(&roster, &app, &code, &verifier).await;
    assert_eq!((status, again["error"].as_str()), (400, Some("invalid_grant")));
    let gone = roster
        .with_token(access, Method::GET, "/oauth/userinfo")
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 401);
    assert!(gone.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("invalid_token"));

    // Consent given: the next request skips the page, same session.
    assert_eq!(browser.cookie("_roster_session"), Some(&session));
    let (verifier, challenge) = pkce();
    let code = code_of(&browser.get(&authorize_path(&app, &challenge, &[])).await);
    let (status, tokens) = exchange(&roster, &app, &code, "A".repeat(43).as_str()).await;
    assert_eq!(
        (status, tokens["error"].as_str()),
        (400, Some("invalid_grant")),
        "a wrong verifier"
    );
    // A refused attempt does not spend the code: whoever stole it without
    // the verifier cannot take it from the application that holds both.
    let (status, _) = exchange(&roster, &app, &code, &verifier).await;
    assert_eq!(status, 200);

    // prompt=consent asks again; prompt=none answers at once.
    let (_, challenge) = pkce();
    let asked = browser
        .get(&authorize_path(&app, &challenge, &[("prompt", "consent")]))
        .await;
    assert_eq!(asked.status, 200);
    assert!(asked.body.contains("decision"));
    let silent = browser
        .get(&authorize_path(&app, &challenge, &[("prompt", "none")]))
        .await;
    code_of(&silent);

    // The authorized applications: listed, and revoking ends the tokens.
    let (verifier, challenge) = pkce();
    let code = code_of(&browser.get(&authorize_path(&app, &challenge, &[])).await);
    let (_, tokens) = exchange(&roster, &app, &code, &verifier).await;
    let listed = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/user/authorized_applications"),
            200,
        )
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["application"]["id"], app.id);
    assert_eq!(listed[0]["application"]["name"], "Wiki");
    assert_eq!(listed[0]["scopes"], json!(["openid", "profile", "email"]));
    let grant = listed[0]["id"].as_i64().unwrap();
    let deleted = roster
        .with_token(
            &alice.token,
            Method::DELETE,
            &format!("/api/v4/user/authorized_applications/{grant}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let access = tokens["access_token"].as_str().unwrap();
    let revoked = roster
        .with_token(access, Method::GET, "/oauth/userinfo")
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 401);
    let (_, challenge) = pkce();
    let asked_again = browser.get(&authorize_path(&app, &challenge, &[])).await;
    assert_eq!(asked_again.status, 200, "consent is asked for again");

    // Security events name the application.
    let names = application_events(&roster, app.id).await;
    for expected in [
        "oauth_consent_granted",
        "oauth_authorization_granted",
        "oauth_token_issued",
        "authorization_code_reused",
        "oauth_authorization_revoked",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} in {names:?}");
    }
}

#[tokio::test]
async fn bad_requests_are_refused_on_a_page_or_at_the_redirect_uri() {
    let roster = TestRoster::spawn().await;
    roster.create_user("alice").await;
    let app = register(&roster, true, false, "openid profile email").await;
    let public = register(&roster, false, false, "openid").await;
    let mut browser = Browser::new(&roster.url);
    let (_, challenge) = pkce();

    // Never redirect to what is not registered.
    for path in [
        "/oauth/authorize?response_type=code&client_id=nope&redirect_uri=https://evil.example/".to_owned(),
        authorize_path(&app, &challenge, &[]).replace("app.example", "evil.example"),
        format!("/oauth/authorize?response_type=code&client_id={}", app.client_id),
    ] {
        let seen = browser.get(&path).await;
        assert_eq!(seen.status, 400, "{path}: {}", seen.body);
        assert!(seen.location.is_none());
        assert!(seen.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
    }

    // Other problems go back to the application, with the state.
    let error_of = |seen: &Seen| {
        assert_eq!(seen.status, 302, "{}", seen.body);
        let query = query_of(seen.location.as_deref().unwrap());
        assert_eq!(query["state"], "st-1");
        assert_eq!(query["iss"], roster.url);
        query["error"].clone()
    };
    let cases: Vec<(String, &str)> = vec![
        (
            authorize_path(&app, &challenge, &[]).replace("response_type=code", "response_type=token"),
            "unsupported_response_type",
        ),
        (
            authorize_path(&app, &challenge, &[("scope", "openid api")]),
            "invalid_scope",
        ),
        (
            authorize_path(&app, &challenge, &[("scope", "openid sudo")]),
            "invalid_scope",
        ),
        (
            authorize_path(&app, &challenge, &[]).replace("S256", "plain"),
            "invalid_request",
        ),
        (
            authorize_path(&app, &challenge, &[("prompt", "none")]),
            "login_required",
        ),
        (
            authorize_path(&app, &challenge, &[("prompt", "sometimes")]),
            "invalid_request",
        ),
        (
            authorize_path(&app, &challenge, &[("max_age", "-1")]),
            "invalid_request",
        ),
    ];
    for (path, expected) in cases {
        assert_eq!(error_of(&browser.get(&path).await), expected, "{path}");
    }
    // A public client must use PKCE.
    let no_pkce = format!(
        "/oauth/authorize?response_type=code&client_id={}&redirect_uri={CALLBACK}&scope=openid&state=st-1",
        public.client_id
    );
    assert_eq!(error_of(&browser.get(&no_pkce).await), "invalid_request");

    // A form without its CSRF token is refused; a wrong password is told.
    let page = browser.get("/-/sign_in").await;
    let refused = browser
        .post("/-/sign_in", &[("login", "alice"), ("password", TEST_PASSWORD)])
        .await;
    assert_eq!(refused.status, 403);
    let token = field(&page.body, "authenticity_token");
    let wrong = browser
        .post(
            "/-/sign_in",
            &[
                ("authenticity_token", &token),
                ("login", "alice"),
                ("password", "not-the-password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong.body.contains("Invalid username or password"),
        "{}",
        wrong.body
    );
    assert!(browser.cookie("_roster_session").is_none());
    let off_site = browser
        .post(
            "/-/sign_in",
            &[
                ("authenticity_token", &token),
                ("login", "alice"),
                ("password", TEST_PASSWORD),
                ("return_to", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(
        off_site.location.as_deref(),
        Some("/-/account"),
        "never off the site"
    );

    // Denying consent answers access_denied.
    let (_, challenge) = pkce();
    let consent = browser.get(&authorize_path(&app, &challenge, &[])).await;
    let mut fields = hidden_fields(&consent.body);
    fields.push(("decision".into(), "deny".into()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        error_of(&browser.post("/oauth/authorize", &pairs).await),
        "access_denied"
    );
}

#[tokio::test]
async fn a_trusted_public_client_skips_consent_and_refreshes_with_an_id_token() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let app = register(&roster, false, true, "openid email").await;
    let mut browser = Browser::new(&roster.url);
    let (verifier, challenge) = pkce();
    let first = browser
        .get(&authorize_path(&app, &challenge, &[("scope", "openid")]))
        .await;
    let back = browser
        .sign_in_from(&first, "alice@example.com", TEST_PASSWORD)
        .await;
    let code = code_of(&back);
    // A public client names itself and proves the verifier.
    let tokens = roster
        .expect_json(
            roster.request(Method::POST, "/oauth/token").form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", CALLBACK),
                ("code_verifier", verifier.as_str()),
                ("client_id", app.client_id.as_str()),
            ]),
            200,
        )
        .await;
    // Under `openid` alone the ID token tells who the person is, as
    // GitLab's does (§10); the userinfo endpoint answers by scope.
    let first_claims = claims_of(tokens["id_token"].as_str().unwrap());
    assert_eq!(first_claims["preferred_username"], "alice", "{first_claims}");
    assert_eq!(first_claims["email"], "alice@example.com", "{first_claims}");
    assert_eq!(first_claims["email_verified"], true, "{first_claims}");
    assert_eq!(first_claims["name"], "alice Tester", "{first_claims}");
    let userinfo = roster
        .expect_json(
            roster.with_token(
                tokens["access_token"].as_str().unwrap(),
                Method::GET,
                "/oauth/userinfo",
            ),
            200,
        )
        .await;
    assert!(userinfo.get("email").is_none(), "{userinfo}");
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let refreshed = roster
        .expect_json(
            roster.request(Method::POST, "/oauth/token").form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh),
                ("client_id", app.client_id.as_str()),
            ]),
            200,
        )
        .await;
    let claims = claims_of(refreshed["id_token"].as_str().expect("an ID token on refresh"));
    assert_eq!(claims["sub"], alice.id.to_string());
    assert!(claims.get("nonce").is_none());
    // A token that only signs in does not reach the API.
    let access = refreshed["access_token"].as_str().unwrap();
    let api = roster
        .with_token(access, Method::GET, "/api/v4/user")
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 403);
}

#[tokio::test]
async fn introspection_logout_discovery_and_cors() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let app = register(&roster, true, true, "openid profile").await;
    let mut browser = Browser::new(&roster.url);
    let (verifier, challenge) = pkce();
    let first = browser
        .get(&authorize_path(&app, &challenge, &[("scope", "openid profile")]))
        .await;
    let code = code_of(&browser.sign_in_from(&first, "alice", TEST_PASSWORD).await);
    let (_, tokens) = exchange(&roster, &app, &code, &verifier).await;
    let access = tokens["access_token"].as_str().unwrap();

    let introspect = |token: &str, auth: Option<(&str, &str)>| {
        let mut request = roster
            .request(Method::POST, "/oauth/introspect")
            .form(&[("token", token)]);
        if let Some((id, secret)) = auth {
            request = request.basic_auth(id, Some(secret));
        }
        request.send()
    };
    let described: Value = introspect(access, Some((&app.client_id, &app.secret)))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(described["active"], true, "{described}");
    assert_eq!(described["client_id"], app.client_id.as_str());
    assert_eq!(described["username"], "alice");
    assert_eq!(described["sub"], alice.id.to_string());
    assert_eq!(described["scope"], "openid profile");
    assert!(described["exp"].as_i64().unwrap() > described["iat"].as_i64().unwrap());
    let unknown: Value = introspect("roster_oat_nothing", Some((&app.client_id, &app.secret)))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unknown, json!({"active": false}));
    // Another application learns nothing of a token it was not given.
    let other = register(&roster, true, false, "openid").await;
    let elsewhere: Value = introspect(access, Some((&other.client_id, &other.secret)))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(elsewhere, json!({"active": false}));
    assert_eq!(introspect(access, None).await.unwrap().status(), 401);
    assert_eq!(
        introspect(access, Some((&app.client_id, "wrong")))
            .await
            .unwrap()
            .status(),
        401
    );

    // Discovery names every endpoint; only the API-facing ones answer CORS.
    let doc = roster
        .expect_json(roster.get("/.well-known/openid-configuration"), 200)
        .await;
    assert_eq!(doc["issuer"], roster.url.as_str());
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(doc["jwks_uri"], format!("{}/oauth/discovery/keys", roster.url));
    for path in [
        "/oauth/token",
        "/oauth/userinfo",
        "/.well-known/openid-configuration",
    ] {
        let preflight = roster
            .request(Method::OPTIONS, path)
            .header("Origin", "https://spa.example")
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status(), 204, "{path}");
        assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    }
    let failed = roster
        .request(Method::POST, "/oauth/token")
        .header("Origin", "https://spa.example")
        .form(&[("grant_type", "nonsense")])
        .send()
        .await
        .unwrap();
    assert_eq!(failed.headers()["access-control-allow-origin"], "*", "errors too");
    let authorize = roster
        .request(Method::OPTIONS, "/oauth/authorize")
        .header("Origin", "https://spa.example")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert!(authorize.headers().get("access-control-allow-origin").is_none());

    // RP-initiated logout with the ID token as hint: at once, back to the app.
    let hint = tokens["id_token"].as_str().unwrap();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("id_token_hint", hint)
        .append_pair("post_logout_redirect_uri", CALLBACK)
        .append_pair("state", "bye");
    let out = browser.get(&format!("/oauth/logout?{}", query.finish())).await;
    assert_eq!(out.status, 302, "{}", out.body);
    assert_eq!(
        out.location.as_deref(),
        Some(format!("{CALLBACK}?state=bye").as_str())
    );
    assert!(browser.cookie("_roster_session").is_none());
    let (_, challenge) = pkce();
    let again = browser
        .get(&authorize_path(&app, &challenge, &[("scope", "openid")]))
        .await;
    assert_eq!(again.status, 303, "signed out: to the sign-in page");
    // An unregistered place to return to is refused.
    let evil = browser
        .get(&format!(
            "/oauth/logout?client_id={}&post_logout_redirect_uri=https://evil.example/",
            app.client_id
        ))
        .await;
    assert_eq!(evil.status, 400);
    let forged = browser.get("/oauth/logout?id_token_hint=a.b.c").await;
    assert_eq!(forged.status, 400);
}

#[tokio::test]
async fn prompt_login_and_max_age_ask_for_the_password_again() {
    let roster = TestRoster::spawn().await;
    roster.create_user("alice").await;
    let app = register(&roster, true, true, "openid").await;
    let mut browser = Browser::new(&roster.url);
    let (verifier, challenge) = pkce();
    let first = browser
        .get(&authorize_path(&app, &challenge, &[("scope", "openid")]))
        .await;
    let code = code_of(&browser.sign_in_from(&first, "alice", TEST_PASSWORD).await);
    let (_, tokens) = exchange(&roster, &app, &code, &verifier).await;
    let first_auth = claims_of(tokens["id_token"].as_str().unwrap())["auth_time"]
        .as_i64()
        .unwrap();
    let session = browser.cookie("_roster_session").cloned().unwrap();

    for extra in [("prompt", "login"), ("max_age", "0")] {
        // A second later: the sign-in before is older than `max_age=0`.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let (verifier, challenge) = pkce();
        let asked = browser
            .get(&authorize_path(&app, &challenge, &[("scope", "openid"), extra]))
            .await;
        assert_eq!(asked.status, 303, "{extra:?}");
        let to = asked.location.clone().unwrap();
        assert!(to.ends_with("&prompt=login"), "{to}");
        // Signed in, yet the form is shown, with the name filled in.
        let page = browser.get(&to).await;
        assert_eq!(page.status, 200);
        assert_eq!(field(&page.body, "login"), "alice");
        let code = code_of(&browser.sign_in_from(&asked, "alice", TEST_PASSWORD).await);
        let (_, tokens) = exchange(&roster, &app, &code, &verifier).await;
        let auth_time = claims_of(tokens["id_token"].as_str().unwrap())["auth_time"]
            .as_i64()
            .unwrap();
        assert!(auth_time > first_auth, "{extra:?}: a new sign-in's time");
    }
    // Each sign-in replaced the browser's session.
    assert_ne!(browser.cookie("_roster_session"), Some(&session));
    let mut old = Browser::new(&roster.url);
    let (_, challenge) = pkce();
    let stale = old
        .get(&format!(
            "{}&x=1",
            authorize_path(&app, &challenge, &[("scope", "openid")])
        ))
        .await;
    assert_eq!(stale.status, 303, "a browser without a session signs in");

    // A revoked token is a security event.
    let revoked = roster
        .request(Method::POST, "/oauth/revoke")
        .form(&[(
            "token",
            tokens_refresh(&roster, &app, &mut browser).await.as_str(),
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let names = application_events(&roster, app.id).await;
    assert!(names.iter().any(|n| n == "oauth_token_revoked"), "{names:?}");
}

/// A refresh token from a fresh code flow of a signed-in browser.
async fn tokens_refresh(roster: &TestRoster, app: &App, browser: &mut Browser) -> String {
    let (verifier, challenge) = pkce();
    let code = code_of(
        &browser
            .get(&authorize_path(app, &challenge, &[("scope", "openid")]))
            .await,
    );
    let (_, tokens) = exchange(roster, app, &code, &verifier).await;
    tokens["refresh_token"].as_str().unwrap().to_owned()
}
