//! The account pages and the admin console over HTTP (§12): who may open
//! which page, CSRF on every form, the API's messages beside the fields,
//! the password asked again for sensitive changes, and the console's
//! actions taking effect. The same pages in a real browser, with axe-core,
//! are in `compat::chromium_drives_the_console`.
use crate::browser::{field, Browser, Seen};
use roster_testkit::{TestRoster, TEST_PASSWORD};

const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

/// Signs `login` in through the sign-in page; the browser holds the session.
async fn signed_in(roster: &TestRoster, login: &str) -> Browser {
    let mut browser = Browser::new(&roster.url);
    let first = browser.get("/-/account").await;
    assert_eq!(first.status, 303, "{}", first.body);
    let page = browser.sign_in_from(&first, login, TEST_PASSWORD).await;
    assert_eq!(page.status, 200, "{}", page.body);
    browser
}

/// A connection to the server's database, for what a test cannot wait for.
fn connection(roster: &TestRoster) -> roster_persistence::DbConnection {
    roster_persistence::DbManager::new(roster.database_url())
        .unwrap()
        .connect_now()
        .unwrap()
}

/// Posts a page's form: `fields` and the page's CSRF token.
async fn submit(browser: &mut Browser, page: &Seen, action: &str, fields: &[(&str, &str)]) -> Seen {
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
}

#[tokio::test]
async fn the_profile_page_shows_the_apis_messages_beside_their_fields() {
    let roster = TestRoster::spawn().await;
    roster.create_user("dora").await;
    let mut dora = signed_in(&roster, "dora").await;
    let page = dora.get("/-/account").await;
    assert!(page.body.contains("value=\"dora\""), "{}", page.body);
    let refused = submit(
        &mut dora,
        &page,
        "/-/account",
        &[
            ("name", "Dora"),
            ("website_url", "ftp://nope"),
            ("time_zone", "Mars/Olympus"),
        ],
    )
    .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.body.contains("id=\"website_url-error\""),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("id=\"time_zone-error\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("aria-invalid=\"true\""));
    // What was typed comes back; nothing was saved.
    assert!(refused.body.contains("value=\"ftp://nope\""));
    let user = roster
        .expect_json(
            roster.with_token(
                &roster.admin.token,
                reqwest::Method::GET,
                "/api/v4/users?username=dora",
            ),
            200,
        )
        .await;
    assert_eq!(user[0]["website_url"], "");
    let saved = submit(
        &mut dora,
        &page,
        "/-/account",
        &[
            ("name", "Dora Explorer"),
            ("bio", "Maps <b>and</b> more"),
            ("website_url", "example.org"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location.as_deref(), Some("/-/account?notice=profile"));
    let shown = dora.get("/-/account?notice=profile").await;
    assert!(shown.body.contains("Your profile was saved."));
    assert!(
        shown.body.contains("Maps &#60;b&#62;and&#60;/b&#62; more")
            || shown.body.contains("Maps &lt;b&gt;and&lt;/b&gt; more")
    );
    // A notice code nobody knows shows nothing.
    let odd = dora.get("/-/account?notice=%3Cscript%3E").await;
    assert!(!odd.body.contains("id=\"notice\""));
    // Changing the user name needs the password, as `PUT /user` does.
    let page = dora.get("/-/account").await;
    let needs = submit(
        &mut dora,
        &page,
        "/-/account",
        &[("name", "Dora Explorer"), ("username", "dora2")],
    )
    .await;
    assert_eq!(needs.status, 400);
    assert!(
        needs.body.contains("id=\"current_password-error\""),
        "{}",
        needs.body
    );
}

#[tokio::test]
async fn keys_tokens_and_sessions_from_the_account_pages() {
    let roster = TestRoster::spawn().await;
    roster.create_user("erin").await;
    let mut erin = signed_in(&roster, "erin").await;
    let page = erin.get("/-/account/keys").await;
    let bad = submit(
        &mut erin,
        &page,
        "/-/account/keys",
        &[("key", "ssh-rsa nope"), ("title", "laptop")],
    )
    .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("id=\"key-error\""), "{}", bad.body);
    let added = submit(
        &mut erin,
        &page,
        "/-/account/keys",
        &[
            ("key", KEY),
            ("title", "laptop"),
            ("usage_type", "auth"),
            ("expires_at", ""),
        ],
    )
    .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let keys = roster
        .expect_json(roster.get("/api/v4/users/erin/keys"), 200)
        .await;
    assert_eq!(keys[0]["title"], "laptop");

    let page = erin.get("/-/account/tokens").await;
    let none = submit(&mut erin, &page, "/-/account/tokens", &[("name", "ci")]).await;
    assert_eq!(none.status, 400);
    assert!(none.body.contains("id=\"scopes-error\""), "{}", none.body);
    let made = submit(
        &mut erin,
        &page,
        "/-/account/tokens",
        &[("name", "ci"), ("scopes[]", "read_api"), ("expires_at", "")],
    )
    .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let secret = made.body.split("id=\"new-token\">").nth(1).unwrap();
    let secret = &secret[..secret.find('<').unwrap()];
    let me = roster
        .expect_json(
            roster.with_token(secret, reqwest::Method::GET, "/api/v4/user"),
            200,
        )
        .await;
    assert_eq!(me["username"], "erin");
    // Shown once: the page after it does not hold it.
    let again = erin.get("/-/account/tokens").await;
    assert!(!again.body.contains(secret));

    // A second browser; the first signs it out from the sessions page.
    let mut other = signed_in(&roster, "erin").await;
    let sessions = erin.get("/-/account/sessions").await;
    assert!(sessions.body.contains("(this browser)"), "{}", sessions.body);
    let ended = submit(&mut erin, &sessions, "/-/account/sessions/end_others", &[]).await;
    assert_eq!(ended.status, 303);
    assert_eq!(other.get("/-/account").await.status, 303);
    assert_eq!(erin.get("/-/account").await.status, 200);
}

#[tokio::test]
async fn a_sensitive_change_asks_for_the_password_after_ten_minutes() {
    let roster = TestRoster::spawn().await;
    let user = roster.create_user("fay").await;
    let mut fay = signed_in(&roster, "fay").await;
    // Just signed in: no password asked.
    let page = fay.get("/-/account/emails").await;
    assert!(!page.body.contains("name=\"current_password\""), "{}", page.body);
    let added = submit(
        &mut fay,
        &page,
        "/-/account/emails",
        &[("email", "fay.two@example.com")],
    )
    .await;
    assert_eq!(added.status, 303, "{}", added.body);
    // Eleven minutes later (the session's last check moved back).
    let mut conn = connection(&roster);
    let at = roster_persistence::now();
    let sessions = roster_persistence::browser_sessions::live_for_user(&mut conn, user.id, at).unwrap();
    for s in sessions {
        roster_persistence::browser_sessions::reauthenticated(
            &mut conn,
            s.id,
            at - chrono::Duration::minutes(11),
        )
        .unwrap();
    }
    let page = fay.get("/-/account/emails").await;
    assert!(page.body.contains("name=\"current_password\""), "{}", page.body);
    let refused = submit(
        &mut fay,
        &page,
        "/-/account/emails",
        &[("email", "fay.three@example.com")],
    )
    .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.body.contains("id=\"current_password-error\""),
        "{}",
        refused.body
    );
    let wrong = submit(
        &mut fay,
        &page,
        "/-/account/emails",
        &[
            ("email", "fay.three@example.com"),
            ("current_password", "not-the-password"),
        ],
    )
    .await;
    assert_eq!(wrong.status, 400);
    let emails = roster
        .expect_json(
            roster.with_token(&user.token, reqwest::Method::GET, "/api/v4/user/emails"),
            200,
        )
        .await;
    assert_eq!(emails.as_array().unwrap().len(), 1, "{emails}");
    let right = submit(
        &mut fay,
        &page,
        "/-/account/emails",
        &[
            ("email", "fay.three@example.com"),
            ("current_password", TEST_PASSWORD),
        ],
    )
    .await;
    assert_eq!(right.status, 303, "{}", right.body);
    // Checked again: the next change within ten minutes does not ask.
    let page = fay.get("/-/account/emails").await;
    assert!(!page.body.contains("name=\"current_password\""));
}

#[tokio::test]
async fn the_admin_finds_a_user_blocks_them_and_their_session_stops() {
    let roster = TestRoster::spawn().await;
    roster.create_user("gus").await;
    for n in 0..25 {
        roster.create_user(&format!("filler{n:02}")).await;
    }
    let mut gus = signed_in(&roster, "gus").await;
    let mut admin = signed_in(&roster, &roster.admin.username).await;
    // 20 to a page, with a link to the next.
    let list = admin.get("/-/admin/users").await;
    assert_eq!(
        list.body.matches("href=\"/-/admin/users/").count(),
        20 + 1,
        "{}",
        list.body
    );
    assert!(list.body.contains("rel=\"next\""));
    let second = admin.get("/-/admin/users?page=2").await;
    assert!(second.body.contains("rel=\"prev\""));
    // Search, as `GET /users` searches.
    let found = admin.get("/-/admin/users?search=gus&state=active").await;
    assert_eq!(found.status, 200);
    assert!(found.body.contains(">gus</a>"), "{}", found.body);
    assert!(!found.body.contains("filler"));
    let bad = admin.get("/-/admin/users?created_after=yesterday-ish").await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body.contains("id=\"created_after-error\"") || bad.body.contains("class=\"error\""),
        "{}",
        bad.body
    );
    let gus_id = roster
        .expect_json(roster.get("/api/v4/users?username=gus"), 200)
        .await[0]["id"]
        .as_i64()
        .unwrap();
    let page = admin.get(&format!("/-/admin/users/{gus_id}")).await;
    assert!(page.body.contains("id=\"action-block\""), "{}", page.body);
    let blocked = submit(&mut admin, &page, &format!("/-/admin/users/{gus_id}/block"), &[]).await;
    assert_eq!(blocked.status, 303, "{}", blocked.body);
    let page = admin.get(blocked.location.as_deref().unwrap()).await;
    assert!(
        page.body.contains("The user&#39;s state was changed.")
            || page.body.contains("The user's state was changed.")
    );
    assert!(page.body.contains("id=\"user-state\">blocked<"), "{}", page.body);
    // The blocked user's browser is signed out at its next request.
    assert_eq!(gus.get("/-/account").await.status, 303);
    // The log has it, and the filter finds it.
    let events = admin.get("/-/admin/events?event_name=user_blocked").await;
    assert!(events.body.contains("user_blocked"), "{}", events.body);
    let page = admin.get(&format!("/-/admin/users/{gus_id}")).await;
    let odd = submit(
        &mut admin,
        &page,
        &format!("/-/admin/users/{gus_id}/frobnicate"),
        &[],
    )
    .await;
    assert_eq!(odd.status, 404);
    // The admin cannot block themselves here either (the service's rule).
    let admin_id = roster.admin.id;
    let own = admin.get(&format!("/-/admin/users/{admin_id}")).await;
    assert!(!own.body.contains("id=\"action-block\""));
    let refused = submit(&mut admin, &own, &format!("/-/admin/users/{admin_id}/block"), &[]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
}

#[tokio::test]
async fn the_admin_edits_and_creates_users_with_the_apis_rules() {
    let roster = TestRoster::spawn().await;
    let hal = roster.create_user("hal").await;
    let mut admin = signed_in(&roster, &roster.admin.username).await;
    let edit = admin.get(&format!("/-/admin/users/{}/edit", hal.id)).await;
    assert!(edit.body.contains("value=\"hal\""));
    let taken = submit(
        &mut admin,
        &edit,
        &format!("/-/admin/users/{}/edit", hal.id),
        &[
            ("name", "Hal"),
            ("username", "hal"),
            ("email", &roster.admin.email),
        ],
    )
    .await;
    // `PUT /users/:id`'s answer (GitLab's 409), shown above the form.
    assert_eq!(taken.status, 400, "{}", taken.body);
    assert!(
        taken.body.contains("Email has already been taken"),
        "{}",
        taken.body
    );
    let saved = submit(
        &mut admin,
        &edit,
        &format!("/-/admin/users/{}/edit", hal.id),
        &[
            ("name", "Hal Nine"),
            ("username", "hal"),
            ("email", &hal.email),
            ("external", "false"),
            ("external", "true"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let shown = roster
        .expect_json(
            roster.with_token(
                &roster.admin.token,
                reqwest::Method::GET,
                &format!("/api/v4/users/{}", hal.id),
            ),
            200,
        )
        .await;
    assert_eq!(shown["name"], "Hal Nine");
    assert_eq!(shown["external"], true);
    let new = admin.get("/-/admin/users/new").await;
    let created = submit(
        &mut admin,
        &new,
        "/-/admin/users/new",
        &[
            ("name", "Ivy"),
            ("username", "ivy"),
            ("email", "ivy@example.com"),
            ("password", ""),
        ],
    )
    .await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert!(created.location.unwrap().starts_with("/-/admin/users/"));
    let ivy = roster
        .expect_json(roster.get("/api/v4/users?username=ivy"), 200)
        .await;
    assert_eq!(ivy[0]["name"], "Ivy");
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

#[tokio::test]
async fn invitations_are_accepted_or_declined_from_the_groups_page() {
    let roster = TestRoster::spawn().await;
    let kim = roster.create_user("kim").await;
    let mut ids = Vec::new();
    for path in ["crew", "band"] {
        let group = roster
            .expect_json(
                roster
                    .as_admin(reqwest::Method::POST, "/api/v4/groups")
                    .json(&serde_json::json!({"name": path, "path": path})),
                201,
            )
            .await;
        let id = group["id"].as_i64().unwrap();
        roster
            .expect_json(
                roster
                    .as_admin(reqwest::Method::POST, &format!("/api/v4/groups/{id}/invitations"))
                    .json(&serde_json::json!({"email": "kim.work@example.com", "access_level": 30})),
                201,
            )
            .await;
        ids.push(id);
    }
    // The invited address, confirmed, becomes one of Kim's (inviting an
    // existing user's address adds them at once, as in GitLab).
    roster
        .expect_json(
            roster
                .as_admin(reqwest::Method::POST, &format!("/api/v4/users/{}/emails", kim.id))
                .json(&serde_json::json!({"email": "kim.work@example.com", "skip_confirmation": true})),
            201,
        )
        .await;
    let mut kim_browser = signed_in(&roster, "kim").await;
    let page = kim_browser.get("/-/account/groups").await;
    assert_eq!(page.body.matches("/accept\"").count(), 2, "{}", page.body);
    let first = page.body.split("/-/account/invitations/").nth(1).unwrap();
    let first_id = &first[..first.find('/').unwrap()];
    let accepted = submit(
        &mut kim_browser,
        &page,
        &format!("/-/account/invitations/{first_id}/accept"),
        &[],
    )
    .await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let page = kim_browser.get("/-/account/groups").await;
    assert!(page.body.contains("Developer"), "{}", page.body);
    let second = page.body.split("/-/account/invitations/").nth(1).unwrap();
    let second_id = &second[..second.find('/').unwrap()];
    let declined = submit(
        &mut kim_browser,
        &page,
        &format!("/-/account/invitations/{second_id}/decline"),
        &[],
    )
    .await;
    assert_eq!(declined.status, 303);
    let memberships = roster
        .expect_json(
            roster.as_admin(
                reqwest::Method::GET,
                &format!("/api/v4/users/{}/memberships", kim.id),
            ),
            200,
        )
        .await;
    assert_eq!(memberships.as_array().unwrap().len(), 1, "{memberships}");
    for id in ids {
        let left = roster
            .expect_json(
                roster.as_admin(reqwest::Method::GET, &format!("/api/v4/groups/{id}/invitations")),
                200,
            )
            .await;
        assert!(left.as_array().unwrap().is_empty(), "{left}");
    }
    // Someone else's invitation is not there for anyone else.
    roster.create_user("lee").await;
    let mut lee = signed_in(&roster, "lee").await;
    let page = lee.get("/-/account/groups").await;
    let refused = submit(
        &mut lee,
        &page,
        &format!("/-/account/invitations/{first_id}/accept"),
        &[],
    )
    .await;
    assert_eq!(refused.status, 404);
}

#[tokio::test]
async fn an_allowed_application_is_revoked_from_the_sessions_page() {
    let roster = TestRoster::spawn().await;
    let mia = roster.create_user("mia").await;
    let app = roster
        .expect_json(
            roster
                .as_admin(reqwest::Method::POST, "/api/v4/applications")
                .json(&serde_json::json!({
                    "name": "Team Wiki",
                    "redirect_uri": "https://wiki.example.com/callback",
                    "scopes": "openid profile",
                })),
            201,
        )
        .await;
    // The consent a sign-in through the consent page stores.
    let mut conn = connection(&roster);
    roster_persistence::oauth_grants::upsert(
        &mut conn,
        mia.id,
        app["id"].as_i64().unwrap(),
        "openid profile",
    )
    .unwrap();
    let mut browser = signed_in(&roster, "mia").await;
    let page = browser.get("/-/account/sessions").await;
    assert!(page.body.contains("Team Wiki"), "{}", page.body);
    let grant = page.body.split("/-/account/applications/").nth(1).unwrap();
    let grant = &grant[..grant.find('/').unwrap()];
    let revoked = submit(
        &mut browser,
        &page,
        &format!("/-/account/applications/{grant}/revoke"),
        &[],
    )
    .await;
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    let listed = roster
        .expect_json(
            roster.with_token(
                &mia.token,
                reqwest::Method::GET,
                "/api/v4/user/authorized_applications",
            ),
            200,
        )
        .await;
    assert!(listed.as_array().unwrap().is_empty(), "{listed}");
    let page = browser.get("/-/account/sessions").await;
    let again = submit(
        &mut browser,
        &page,
        &format!("/-/account/applications/{grant}/revoke"),
        &[],
    )
    .await;
    assert_eq!(again.status, 404);
}
