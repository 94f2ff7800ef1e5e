//! Secrets at rest: every token, application secret and browser session is
//! stored only as the SHA-256 of its secret, read back from the tables.
use crate::browser::{field, Browser};
use crate::life_cycle::{link_param, mails};
use diesel::prelude::*;
use reqwest::Method;
use roster_domain::{TokenDigest, TokenKind};
use roster_persistence::schema::{
    browser_sessions, oauth_applications, oauth_tokens, password_resets, personal_access_tokens,
};
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::{json, Value};

/// The text columns of an `oauth_tokens` row.
type OAuthText = (String, String, String, String, Option<String>, Option<String>);

/// Every text column of the tables that hold digests, row by row: whatever
/// a secret could have been written into.
fn stored_text(conn: &mut roster_persistence::DbConnection) -> Vec<String> {
    let mut text = Vec::new();
    let pats: Vec<(String, String, String)> = personal_access_tokens::table
        .select((
            personal_access_tokens::name,
            personal_access_tokens::token_digest,
            personal_access_tokens::scopes,
        ))
        .load(conn)
        .unwrap();
    text.extend(pats.into_iter().flat_map(|(a, b, c)| [a, b, c]));
    let oauth: Vec<OAuthText> = oauth_tokens::table
        .select((
            oauth_tokens::family,
            oauth_tokens::access_digest,
            oauth_tokens::refresh_digest,
            oauth_tokens::scopes,
            oauth_tokens::ip_address,
            oauth_tokens::user_agent,
        ))
        .load(conn)
        .unwrap();
    text.extend(
        oauth
            .into_iter()
            .flat_map(|(a, b, c, d, e, f)| [a, b, c, d, e.unwrap_or_default(), f.unwrap_or_default()]),
    );
    let apps: Vec<(String, String, String, String, String)> = oauth_applications::table
        .select((
            oauth_applications::uid,
            oauth_applications::name,
            oauth_applications::secret_digest,
            oauth_applications::redirect_uris,
            oauth_applications::scopes,
        ))
        .load(conn)
        .unwrap();
    text.extend(apps.into_iter().flat_map(|(a, b, c, d, e)| [a, b, c, d, e]));
    let sessions: Vec<(String, Option<String>, Option<String>)> = browser_sessions::table
        .select((
            browser_sessions::secret_digest,
            browser_sessions::ip,
            browser_sessions::user_agent,
        ))
        .load(conn)
        .unwrap();
    text.extend(
        sessions
            .into_iter()
            .flat_map(|(a, b, c)| [a, b.unwrap_or_default(), c.unwrap_or_default()]),
    );
    let resets: Vec<String> = password_resets::table
        .select(password_resets::token_digest)
        .load(conn)
        .unwrap();
    text.extend(resets);
    text
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[tokio::test]
async fn tokens_secrets_and_sessions_are_stored_only_as_sha256() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;

    // A personal access token, and its rotation.
    let made = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/personal_access_tokens")
                .json(&json!({"name": "ci", "scopes": ["api"]})),
            201,
        )
        .await;
    let rotated = roster
        .expect_json(
            roster.with_token(
                &alice.token,
                Method::POST,
                &format!("/api/v4/personal_access_tokens/{}/rotate", made["id"]),
            ),
            200,
        )
        .await;
    // OAuth access and refresh tokens, and a refreshed pair.
    let grant = roster
        .expect_json(
            roster.request(Method::POST, "/oauth/token").json(&json!({
                "grant_type": "password", "username": "alice", "password": TEST_PASSWORD
            })),
            200,
        )
        .await;
    let refreshed = roster
        .expect_json(
            roster.request(Method::POST, "/oauth/token").json(&json!({
                "grant_type": "refresh_token", "refresh_token": grant["refresh_token"]
            })),
            200,
        )
        .await;
    // An application secret, and a renewed one.
    let app = roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/applications")
                .json(&json!({
                    "name": "Wiki", "redirect_uri": "https://wiki.example/cb", "scopes": "openid"
                })),
            201,
        )
        .await;
    let renewed = roster
        .expect_json(
            roster.as_admin(
                Method::POST,
                &format!("/api/v4/applications/{}/renew-secret", app["id"]),
            ),
            201,
        )
        .await;
    // A browser session.
    let mut browser = Browser::new(&roster.url);
    let page = browser.get("/-/sign_in").await;
    let csrf = field(&page.body, "authenticity_token");
    let done = browser
        .post(
            "/-/sign_in",
            &[
                ("authenticity_token", csrf.as_str()),
                ("login", "alice"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let session = browser
        .cookie("_roster_session")
        .expect("a session cookie")
        .clone();
    // A password reset link.
    roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/password/reset")
                .json(&json!({"email": "alice@example.com"})),
            202,
        )
        .await;
    let reset = link_param(
        &mails(&roster, "alice@example.com", 1).await[0].body_text,
        "reset_token",
    );

    let s = |v: &Value| v.as_str().unwrap().to_owned();
    let pats = [
        roster.admin.token.clone(),
        alice.token.clone(),
        s(&made["token"]),
        s(&rotated["token"]),
    ];
    let access = [s(&grant["access_token"]), s(&refreshed["access_token"])];
    let refresh = [s(&grant["refresh_token"]), s(&refreshed["refresh_token"])];
    let app_secrets = [s(&app["secret"]), s(&renewed["secret"])];

    let mut conn = roster_persistence::DbManager::new(roster.database_url())
        .unwrap()
        .connect_now()
        .unwrap();
    // Each secret's SHA-256, in hex, is what its row holds.
    let digests = |secrets: &[String]| -> Vec<String> {
        secrets
            .iter()
            .map(|t| TokenDigest::of(t).as_str().to_owned())
            .collect()
    };
    let mut stored: Vec<String> = personal_access_tokens::table
        .order(personal_access_tokens::id)
        .select(personal_access_tokens::token_digest)
        .load(&mut conn)
        .unwrap();
    stored.sort();
    let mut expected = digests(&pats);
    expected.sort();
    assert_eq!(stored, expected, "personal access tokens");
    let pairs: Vec<(String, String)> = oauth_tokens::table
        .order(oauth_tokens::id)
        .select((oauth_tokens::access_digest, oauth_tokens::refresh_digest))
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        pairs,
        digests(&access)
            .into_iter()
            .zip(digests(&refresh))
            .collect::<Vec<_>>(),
        "OAuth access and refresh tokens"
    );
    let app_digest: String = oauth_applications::table
        .select(oauth_applications::secret_digest)
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        app_digest,
        TokenDigest::of(&app_secrets[1]).as_str(),
        "application secret"
    );
    let session_digests: Vec<String> = browser_sessions::table
        .select(browser_sessions::secret_digest)
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        session_digests,
        [TokenDigest::of(&session).as_str()],
        "browser session"
    );
    let reset_digests: Vec<String> = password_resets::table
        .select(password_resets::token_digest)
        .load(&mut conn)
        .unwrap();
    assert_eq!(reset_digests, [TokenDigest::of(&reset).as_str()], "reset link");
    for digest in stored
        .iter()
        .chain(pairs.iter().flat_map(|(a, r)| [a, r]))
        .chain([&app_digest])
        .chain(&session_digests)
    {
        assert!(is_sha256_hex(digest), "{digest}");
    }

    // And no secret, whole or without its prefix, is anywhere in those tables.
    let text = stored_text(&mut conn);
    let secrets: Vec<&String> = pats
        .iter()
        .chain(&access)
        .chain(&refresh)
        .chain(&app_secrets)
        .chain([&session, &reset])
        .collect();
    for secret in secrets {
        let body = TokenKind::of(secret).map_or(secret.as_str(), |k| &secret[k.prefix().len()..]);
        assert!(body.len() >= 32, "{secret}");
        for value in &text {
            assert!(!value.contains(body), "a secret is stored in clear: {value}");
        }
    }
}
