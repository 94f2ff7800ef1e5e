//! OAuth applications (§10, GitLab's `/applications`): registered by admins,
//! secrets shown once and stored hashed, redirect URIs exact, and how an
//! application authenticates at the token endpoint.
use reqwest::Method;
use roster_testkit::TestRoster;
use serde_json::{json, Value};

#[tokio::test]
async fn applications_are_registered_listed_renewed_and_deleted() {
    let roster = TestRoster::spawn().await;
    let created = roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/applications")
                .json(&json!({
                    "name": "Wiki",
                    "redirect_uri": "https://wiki.example/callback\nhttp://localhost:3000/cb",
                    "scopes": "openid profile email",
                })),
            201,
        )
        .await;
    let uid = created["application_id"].as_str().unwrap().to_owned();
    assert_eq!(uid.len(), 64, "{created}");
    assert!(uid.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(created["application_name"], "Wiki");
    assert_eq!(
        created["callback_url"],
        "https://wiki.example/callback\nhttp://localhost:3000/cb"
    );
    assert_eq!(created["confidential"], true);
    assert_eq!(created["trusted"], false);
    assert_eq!(created["scopes"], "openid profile email");
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("roster_oas_"));

    // The secret is shown once and stored only as its digest.
    let listed = roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/applications"), 200)
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(listed[0].get("secret").is_none());
    {
        use diesel::{QueryDsl, RunQueryDsl};
        let mut conn = roster_persistence::DbManager::new(roster.database_url())
            .unwrap()
            .connect_now()
            .unwrap();
        let stored: String = roster_persistence::schema::oauth_applications::table
            .select(roster_persistence::schema::oauth_applications::secret_digest)
            .first(&mut conn)
            .unwrap();
        assert_ne!(stored, secret);
        assert_eq!(stored, roster_domain::TokenDigest::of(&secret).as_str());
    }
    // A secret is not a bearer token.
    assert_eq!(
        roster
            .with_token(&secret, Method::GET, "/api/v4/user")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    let id = created["id"].as_i64().unwrap();
    let renewed = roster
        .expect_json(
            roster.as_admin(Method::POST, &format!("/api/v4/applications/{id}/renew-secret")),
            201,
        )
        .await;
    assert_ne!(renewed["secret"], created["secret"]);
    assert_eq!(renewed["application_id"], created["application_id"]);

    let events = roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                &format!("/api/v4/audit_events?entity_type=Application&entity_id={id}"),
            ),
            200,
        )
        .await;
    let names: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["application_secret_renewed", "application_created"]);
    assert!(!events.to_string().contains("roster_oas_"));

    let r = roster
        .as_admin(Method::DELETE, &format!("/api/v4/applications/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = roster
        .as_admin(Method::DELETE, &format!("/api/v4/applications/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        roster
            .expect_json(roster.as_admin(Method::GET, "/api/v4/applications"), 200)
            .await,
        json!([])
    );
}

#[tokio::test]
async fn bad_applications_are_refused_clearly() {
    let roster = TestRoster::spawn().await;
    let roster = &roster;
    let refuse = |body: Value| async move {
        let r = roster
            .as_admin(Method::POST, "/api/v4/applications")
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    let (status, body) = refuse(json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error": "name is missing, redirect_uri is missing, scopes is missing"})
    );
    for (redirect, scopes, field) in [
        ("/relative", "openid", "redirect_uri"),
        ("https://a.example/cb#frag", "openid", "redirect_uri"),
        ("javascript:alert(1)", "openid", "redirect_uri"),
        ("https://a.example/cb", "sudo", "scopes"),
    ] {
        let (status, body) = refuse(json!({"name": "X", "redirect_uri": redirect, "scopes": scopes})).await;
        assert_eq!(status, 400, "{redirect} {scopes}");
        assert!(body["message"][field].is_array(), "{body}");
    }
    let public = roster
        .expect_json(
            roster.as_admin(Method::POST, "/api/v4/applications").json(&json!({
                "name": "SPA", "redirect_uri": "https://spa.example/cb", "scopes": "openid", "confidential": false, "trusted": true
            })),
            201,
        )
        .await;
    assert_eq!(public["confidential"], false);
    assert_eq!(public["trusted"], true);
}

async fn register(roster: &TestRoster, body: Value) -> (String, String) {
    let app = roster
        .expect_json(
            roster.as_admin(Method::POST, "/api/v4/applications").json(&body),
            201,
        )
        .await;
    (
        app["application_id"].as_str().unwrap().to_owned(),
        app["secret"].as_str().unwrap().to_owned(),
    )
}

fn sign_in(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form = vec![
        ("grant_type".to_owned(), "password".to_owned()),
        ("username".to_owned(), "alice".to_owned()),
        ("password".to_owned(), roster_testkit::TEST_PASSWORD.to_owned()),
    ];
    form.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    form
}

#[tokio::test]
async fn the_password_grant_takes_client_credentials_and_binds_tokens_to_them() {
    let roster = TestRoster::spawn().await;
    roster.create_user("alice").await;
    let (id, secret) = register(
        &roster,
        json!({"name": "Seed 004", "redirect_uri": "https://app.example/cb", "scopes": "api read_user"}),
    )
    .await;
    let (other_id, other_secret) = register(
        &roster,
        json!({"name": "Other", "redirect_uri": "https://o.example/cb", "scopes": "api"}),
    )
    .await;
    let token = |form: Vec<(String, String)>| roster.request(Method::POST, "/oauth/token").form(&form);

    // client_secret_basic and client_secret_post.
    let basic = roster
        .expect_json(token(sign_in(&[])).basic_auth(&id, Some(&secret)), 200)
        .await;
    let post = roster
        .expect_json(
            token(sign_in(&[("client_id", &id), ("client_secret", &secret)])),
            200,
        )
        .await;
    assert!(basic["access_token"].is_string() && post["refresh_token"].is_string());

    // A wrong secret, an unknown client, or two methods at once.
    let wrong = token(sign_in(&[]))
        .basic_auth(&id, Some("roster_oas_nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(wrong.headers().contains_key("www-authenticate"));
    assert_eq!(wrong.json::<Value>().await.unwrap()["error"], "invalid_client");
    let unknown = roster
        .expect_json(
            token(sign_in(&[("client_id", "nobody"), ("client_secret", "x")])),
            401,
        )
        .await;
    assert_eq!(unknown["error"], "invalid_client");
    // Naming itself beside Basic is still one method; a second secret is two.
    roster
        .expect_json(
            token(sign_in(&[("client_id", &id)])).basic_auth(&id, Some(&secret)),
            200,
        )
        .await;
    let both = roster
        .expect_json(
            token(sign_in(&[("client_secret", &secret)])).basic_auth(&id, Some(&secret)),
            400,
        )
        .await;
    assert_eq!(both["error"], "invalid_request");
    // No more than the application was registered for.
    let scope = roster
        .expect_json(
            token(sign_in(&[("scope", "read_api")])).basic_auth(&id, Some(&secret)),
            400,
        )
        .await;
    assert_eq!(scope["error"], "invalid_scope");

    // A refresh token is refreshed only by its own application.
    let refresh = basic["refresh_token"].as_str().unwrap();
    let refresh_form = |t: &str| {
        vec![
            ("grant_type".to_owned(), "refresh_token".to_owned()),
            ("refresh_token".to_owned(), t.to_owned()),
        ]
    };
    let stolen = roster
        .expect_json(
            token(refresh_form(refresh)).basic_auth(&other_id, Some(&other_secret)),
            400,
        )
        .await;
    assert_eq!(stolen["error"], "invalid_grant");
    let bare = roster.expect_json(token(refresh_form(refresh)), 400).await;
    assert_eq!(bare["error"], "invalid_grant");
    let renewed = roster
        .expect_json(token(refresh_form(refresh)).basic_auth(&id, Some(&secret)), 200)
        .await;

    // Deleting the application revokes what it was given.
    let access = renewed["access_token"].as_str().unwrap();
    assert_eq!(
        roster
            .with_token(access, Method::GET, "/api/v4/user")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let apps = roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/applications"), 200)
        .await;
    let app_id = apps
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["application_id"] == id.as_str())
        .unwrap()["id"]
        .clone();
    assert_eq!(
        roster
            .as_admin(Method::DELETE, &format!("/api/v4/applications/{app_id}"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        roster
            .with_token(access, Method::GET, "/api/v4/user")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn the_password_grant_can_be_limited_to_applications_or_turned_off() {
    use roster_api::settings::PasswordGrant;
    let roster = TestRoster::spawn_with(|s| s.password_grant = PasswordGrant::Clients).await;
    roster.create_user("alice").await;
    let (id, secret) = register(
        &roster,
        json!({"name": "Seed 004", "redirect_uri": "https://app.example/cb", "scopes": "api"}),
    )
    .await;
    let token = |form: Vec<(String, String)>| roster.request(Method::POST, "/oauth/token").form(&form);
    let anonymous = roster.expect_json(token(sign_in(&[])), 401).await;
    assert_eq!(anonymous["error"], "invalid_client");
    roster
        .expect_json(token(sign_in(&[])).basic_auth(&id, Some(&secret)), 200)
        .await;

    let off = TestRoster::spawn_with(|s| s.password_grant = PasswordGrant::Off).await;
    off.create_user("alice").await;
    let refused = off
        .expect_json(off.request(Method::POST, "/oauth/token").form(&sign_in(&[])), 400)
        .await;
    assert_eq!(refused["error"], "unsupported_grant_type");
}

/// A confidential client authenticating with `Authorization: Basic` may
/// also name itself with `client_id` in the body (openid-client does, and
/// RFC 8628 §3.1 asks for it); naming another client, or sending the
/// secret twice, is two methods and refused before the code is spent.
#[tokio::test]
async fn a_client_naming_itself_beside_basic_authentication_is_one_method() {
    let roster = TestRoster::spawn().await;
    roster.create_user("alice").await;
    let app = crate::oidc::register(&roster, true, true, "openid").await;
    let mut browser = crate::browser::Browser::new(&roster.url);
    let (verifier, challenge) = crate::oidc::pkce();
    let first = browser
        .get(&crate::oidc::authorize_path(
            &app,
            &challenge,
            &[("scope", "openid")],
        ))
        .await;
    let code = crate::oidc::code_of(
        &browser
            .sign_in_from(&first, "alice", roster_testkit::TEST_PASSWORD)
            .await,
    );
    let token = |extra: Vec<(&'static str, String)>| {
        let mut form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.clone()),
            ("redirect_uri", crate::oidc::CALLBACK.to_owned()),
            ("code_verifier", verifier.clone()),
        ];
        form.extend(extra);
        roster
            .request(Method::POST, "/oauth/token")
            .basic_auth(&app.client_id, Some(&app.secret))
            .form(&form)
    };
    for extra in [
        vec![("client_id", "someone-else".to_owned())],
        vec![("client_secret", app.secret.clone())],
    ] {
        let refused = roster.expect_json(token(extra), 400).await;
        assert_eq!(refused["error"], "invalid_request", "{refused}");
    }
    let issued = roster
        .expect_json(token(vec![("client_id", app.client_id.clone())]), 200)
        .await;
    assert!(issued["id_token"].is_string(), "{issued}");
}
