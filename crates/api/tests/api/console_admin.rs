//! The admin console over HTTP: the user list, search and pages, a user's
//! actions taking effect, editing and creating users with the API's rules.
use crate::console::{signed_in, submit};
use roster_testkit::TestRoster;

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

/// A user's long lists on their admin page come 20 at a time, each with its
/// own page in the address, the others' kept on every link.
#[tokio::test]
async fn a_users_long_lists_page_one_by_one() {
    let roster = TestRoster::spawn().await;
    let hal = roster.create_user("hal").await;
    for n in 0..22 {
        roster
            .expect_json(
                roster
                    .with_token(
                        &hal.token,
                        reqwest::Method::POST,
                        "/api/v4/user/personal_access_tokens",
                    )
                    .json(&serde_json::json!({"name": format!("token {n:02}"), "scopes": ["read_api"]})),
                201,
            )
            .await;
    }
    let mut admin = signed_in(&roster, &roster.admin.username).await;
    let path = format!("/-/admin/users/{}", hal.id);
    let first = admin.get(&path).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let row = "aria-label=\"Revoke the token ";
    assert_eq!(first.body.matches(row).count(), 20, "{}", first.body);
    assert!(
        first.body.contains("aria-label=\"Pages of the tokens\""),
        "{}",
        first.body
    );
    // 23 tokens (the account's own too): page 2 holds the last 3.
    let second = admin.get(&format!("{path}?keys_page=1&tokens_page=2")).await;
    assert_eq!(second.body.matches(row).count(), 3, "{}", second.body);
    let prev = crate::browser::unescape(
        second
            .body
            .split("href=\"")
            .find(|part| part.contains("rel=\"prev\""))
            .and_then(|part| part.split('"').next())
            .unwrap_or_else(|| panic!("no previous page in {}", second.body)),
    );
    assert_eq!(prev, format!("{path}?keys_page=1&tokens_page=1"));
}
