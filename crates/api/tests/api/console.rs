//! The account pages and the admin console over HTTP (§12): who may open
//! which page, CSRF on every form, the API's messages beside the fields,
//! the password asked again for sensitive changes, and the console's
//! actions taking effect (the account pages' flows are in
//! `console_account.rs`, the admin's in `console_admin.rs`; this file has
//! their helpers, the guards on every page, sign-up and the first run).
//! The same pages in a real browser, with axe-core, are in
//! `compat::chromium_drives_the_console`.
use crate::browser::{field, Browser, Seen};
use roster_testkit::{TestRoster, TEST_PASSWORD};

pub(crate) const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

/// Signs `login` in through the sign-in page; the browser holds the session.
pub(crate) async fn signed_in(roster: &TestRoster, login: &str) -> Browser {
    let mut browser = Browser::new(&roster.url);
    let first = browser.get("/-/account").await;
    assert_eq!(first.status, 303, "{}", first.body);
    let page = browser.sign_in_from(&first, login, TEST_PASSWORD).await;
    assert_eq!(page.status, 200, "{}", page.body);
    browser
}

/// A connection to the server's database, for what a test cannot wait for.
pub(crate) fn connection(roster: &TestRoster) -> roster_persistence::DbConnection {
    roster_persistence::DbManager::new(roster.database_url())
        .unwrap()
        .connect_now()
        .unwrap()
}

/// Posts a page's form: `fields` and the page's CSRF token.
pub(crate) async fn submit(
    browser: &mut Browser,
    page: &Seen,
    action: &str,
    fields: &[(&str, &str)],
) -> Seen {
    let token = field(&page.body, "authenticity_token");
    let mut all: Vec<(&str, &str)> = vec![("authenticity_token", &token)];
    all.extend_from_slice(fields);
    browser.post(action, &all).await
}

/// Every registered page with its placeholders filled.
fn every_page() -> Vec<(&'static str, String)> {
    let pages = roster_api::routes::pages();
    assert!(pages.len() > 40, "{pages:?}");
    pages
        .into_iter()
        .map(|(method, path)| {
            let filled = path
                .split('/')
                .map(|part| match part {
                    "{action}" => "block",
                    p if p.starts_with('{') => "1",
                    p => p,
                })
                .collect::<Vec<_>>()
                .join("/");
            (method, filled)
        })
        .collect()
}

#[tokio::test]
async fn account_pages_want_a_session_and_the_console_an_admin() {
    let roster = TestRoster::spawn().await;
    roster.create_user("carol").await;
    let mut anonymous = Browser::new(&roster.url);
    let mut carol = signed_in(&roster, "carol").await;
    let mut admin = signed_in(&roster, &roster.admin.username).await;
    for (method, path) in every_page() {
        let public = path == "/-/sign_up" || path == "/-/reset-password/new";
        if public {
            continue;
        }
        let seen = if method == "GET" {
            anonymous.get(&path).await
        } else {
            anonymous.post(&path, &[]).await
        };
        if path.starts_with("/-/admin") {
            // Nobody but an admin learns the console is there.
            assert_eq!(seen.status, 404, "{method} {path}: {}", seen.body);
            let seen = if method == "GET" {
                carol.get(&path).await
            } else {
                let page = carol.get("/-/account").await;
                submit(&mut carol, &page, &path, &[]).await
            };
            assert_eq!(seen.status, 404, "{method} {path} as a user: {}", seen.body);
        } else {
            assert_eq!(seen.status, 303, "{method} {path}: {}", seen.body);
            let to = seen.location.unwrap();
            assert!(
                to.starts_with("/-/sign_in?return_to=%2F-%2Faccount"),
                "{path}: {to}"
            );
        }
        if method == "POST" {
            // A form without its CSRF token is refused, whoever sends it.
            let who = if path.starts_with("/-/admin") {
                &mut admin
            } else {
                &mut carol
            };
            let refused = who.post(&path, &[("name", "x")]).await;
            assert_eq!(refused.status, 403, "{path} without a token: {}", refused.body);
            assert!(refused.body.contains("This form has expired"), "{}", refused.body);
        }
    }
    // Every page answers with the policy and never in a frame.
    let page = carol.get("/-/account").await;
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let cookie = &page.headers;
    assert!(cookie.get("x-frame-options").is_some());

    // In the console's areas a browser is answered with pages, even where
    // there is none: an unknown address is the page of a 404, and a
    // form's address visited (a reload) the page of a 405 with `Allow`.
    for path in ["/-/account/nothing-here", "/-/admin/nothing/here", "/-/admin/"] {
        for who in [&mut anonymous, &mut carol, &mut admin] {
            let seen = who.get(path).await;
            assert_eq!(seen.status, 404, "{path}: {}", seen.body);
            assert!(
                seen.headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/html"),
                "{path}"
            );
            assert!(seen.body.contains("Page not found"), "{}", seen.body);
        }
    }
    let reload = carol.get("/-/account/keys/1/delete").await;
    assert_eq!(reload.status, 405, "{}", reload.body);
    assert_eq!(reload.headers["allow"], "POST");
    assert!(reload.body.contains("<main"), "{}", reload.body);
    // The API's own unknown addresses stay JSON, and so does every answer
    // to a client that does not ask for a page (§1).
    let api = carol.get("/api/v4/nothing-here").await;
    assert_eq!(api.headers["content-type"], "application/json");
    for (path, status) in [("/-/admin/nothing/here", 404), ("/-/account/keys/1/delete", 405)] {
        let r = roster.get(path).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        assert_eq!(r.headers()["content-type"], "application/json", "{path}");
    }
}

#[tokio::test]
async fn sign_up_from_the_page_and_the_first_run_page() {
    let roster = TestRoster::spawn().await;
    let mut browser = Browser::new(&roster.url);
    let sign_in = browser.get("/-/sign_in").await;
    assert!(sign_in.body.contains("href=\"/-/sign_up\""), "{}", sign_in.body);
    assert!(sign_in.body.contains("href=\"/-/reset-password/new\""));
    assert!(!sign_in.body.contains("id=\"first-run\""));
    let page = browser.get("/-/sign_up").await;
    let short = submit(
        &mut browser,
        &page,
        "/-/sign_up",
        &[
            ("name", "Jo"),
            ("username", "jo"),
            ("email", "jo@example.com"),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(short.status, 400);
    assert!(short.body.contains("id=\"password-error\""), "{}", short.body);
    assert!(
        !short.body.contains("value=\"short\""),
        "a password is never written back"
    );
    let made = submit(
        &mut browser,
        &page,
        "/-/sign_up",
        &[
            ("name", "Jo"),
            ("username", "jo"),
            ("email", "jo@example.com"),
            ("password", "a-long-enough-one"),
            ("password_confirmation", "a-long-enough-one"),
        ],
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(roster.mails_to("jo@example.com").len(), 1);
    let reset = browser.get("/-/reset-password/new").await;
    let asked = submit(
        &mut browser,
        &reset,
        "/-/reset-password/new",
        &[("email", "nobody@example.com")],
    )
    .await;
    assert_eq!(asked.status, 200);
    assert!(asked.body.contains("If the address is registered"));
    // A deployment without an admin: the console says how to make one.
    let mut conn = connection(&roster);
    let demoted = roster_persistence::users::UserChangeset {
        is_admin: Some(false),
        ..Default::default()
    };
    roster_persistence::users::update_user(&mut conn, roster.admin.id, &demoted, None).unwrap();
    let first = Browser::new(&roster.url).get("/-/admin").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.body.contains("admin create"), "{}", first.body);
    let sign_in = Browser::new(&roster.url).get("/-/sign_in").await;
    assert!(sign_in.body.contains("id=\"first-run\""));
}

#[tokio::test]
async fn every_console_page_has_the_strict_policy_and_no_inline_script_or_style() {
    let roster = TestRoster::spawn().await;
    let mut admin = signed_in(&roster, &roster.admin.username).await;
    let policy = roster_api::http::browser::CONTENT_SECURITY_POLICY;
    let admin_id = roster.admin.id.to_string();
    for (method, path) in every_page() {
        if method != "GET" {
            continue;
        }
        // The admin's own account stands for any id (a missing group or
        // hook is a 404 page, which has the same headers).
        let path = path.replace("/1", &format!("/{admin_id}"));
        let page = admin.get(&path).await;
        assert!([200, 404].contains(&page.status), "{path}: {}", page.status);
        let content_type = page.headers["content-type"].to_str().unwrap();
        assert!(content_type.starts_with("text/html"), "{path}: {content_type}");
        assert_eq!(page.headers["content-security-policy"], policy, "{path}");
        assert_eq!(page.headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(page.headers["cache-control"], "no-store", "{path}");
        let without_own = page
            .body
            .replace(r#"<script src="/-/assets/webauthn.js" defer></script>"#, "");
        assert!(
            !without_own.contains("<script") && !page.body.contains("style="),
            "{path}: {}",
            page.body
        );
        // Every form posts its CSRF token.
        let forms = page.body.matches("<form method=\"post\"").count();
        let tokens = page.body.matches("name=\"authenticity_token\"").count();
        assert!(tokens >= forms, "{path}: {forms} forms, {tokens} tokens");
    }
}
