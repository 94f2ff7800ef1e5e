//! The account pages over HTTP: the profile's field errors, keys, tokens,
//! sessions and allowed applications, the password asked again after ten
//! minutes, invitations.
use crate::console::{connection, signed_in, submit, KEY};
use roster_testkit::{TestRoster, TEST_PASSWORD};

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

/// Long lists come 20 to a page, with links between the pages: a person's
/// keys, tokens and groups.
#[tokio::test]
async fn long_lists_on_the_account_pages_come_a_page_at_a_time() {
    let roster = TestRoster::spawn().await;
    let gus = roster.create_user("gus").await;
    for n in 0..21 {
        let key = crate::keygen::keygen("ed25519", None, &format!("k{n}"));
        roster
            .expect_json(
                roster
                    .with_token(&gus.token, reqwest::Method::POST, "/api/v4/user/keys")
                    .json(&serde_json::json!({"title": format!("key {n:02}"), "key": key.public_line})),
                201,
            )
            .await;
        roster
            .expect_json(
                roster
                    .with_token(
                        &gus.token,
                        reqwest::Method::POST,
                        "/api/v4/user/personal_access_tokens",
                    )
                    .json(&serde_json::json!({"name": format!("token {n:02}"), "scopes": ["read_api"]})),
                201,
            )
            .await;
        roster
            .expect_json(
                roster
                    .with_token(&gus.token, reqwest::Method::POST, "/api/v4/groups")
                    .json(
                        &serde_json::json!({"name": format!("Team {n:02}"), "path": format!("team-{n:02}")}),
                    ),
                201,
            )
            .await;
    }
    let mut browser = signed_in(&roster, "gus").await;
    // Gus also has the token his account was made with.
    for (path, row, rest) in [
        ("/-/account/keys", "aria-label=\"Remove the key ", 1),
        ("/-/account/tokens", "aria-label=\"Revoke the token ", 2),
        ("/-/account/groups", "<td>team-", 1),
    ] {
        let first = browser.get(path).await;
        assert_eq!(first.status, 200, "{}", first.body);
        assert_eq!(first.body.matches(row).count(), 20, "{path}: {}", first.body);
        assert!(first.body.contains("Page 1 of 2"), "{path}: {}", first.body);
        let next = format!("href=\"{path}?page=2\" rel=\"next\"");
        assert!(first.body.contains(&next), "{path}: {}", first.body);
        let second = browser.get(&format!("{path}?page=2")).await;
        assert_eq!(second.status, 200);
        assert_eq!(second.body.matches(row).count(), rest, "{path}: {}", second.body);
        assert!(second.body.contains("rel=\"prev\""), "{path}: {}", second.body);
        // A page number that is not one is the first page.
        let odd = browser.get(&format!("{path}?page=x")).await;
        assert!(odd.body.contains("Page 1 of 2"), "{path}: {}", odd.body);
    }
}
