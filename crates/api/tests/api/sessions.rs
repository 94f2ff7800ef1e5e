//! A user's sessions (§15): OAuth token families and browser sessions,
//! listed with where they came from, ended one at a time or all but the
//! current one, by the user or an admin.
use crate::browser::{field, Browser};
use reqwest::Method;
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::Value;

async fn password_grant(roster: &TestRoster, agent: &str) -> Value {
    roster
        .expect_json(
            roster
                .request(Method::POST, "/oauth/token")
                .header("User-Agent", agent)
                .form(&[
                    ("grant_type", "password"),
                    ("username", "alice"),
                    ("password", TEST_PASSWORD),
                ]),
            200,
        )
        .await
}

async fn status(roster: &TestRoster, token: &str) -> u16 {
    roster
        .with_token(token, Method::GET, "/api/v4/user")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn sessions_are_listed_and_ended() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let laptop = password_grant(&roster, "laptop/1.0").await;
    let phone = password_grant(&roster, "phone/2.0").await;
    let laptop_token = laptop["access_token"].as_str().unwrap().to_owned();
    let mut browser = Browser::new(&roster.url);
    let page = browser.get("/-/sign_in").await;
    let token = field(&page.body, "authenticity_token");
    let signed_in = browser
        .post(
            "/-/sign_in",
            &[
                ("authenticity_token", &token),
                ("login", "alice"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(signed_in.status, 303);

    let listed = roster
        .expect_json(
            roster.with_token(&laptop_token, Method::GET, "/api/v4/user/sessions"),
            200,
        )
        .await;
    let sessions = listed.as_array().unwrap();
    assert_eq!(sessions.len(), 3, "{listed}");
    let by_agent = |agent: &str| {
        sessions
            .iter()
            .find(|s| s["user_agent"] == agent)
            .unwrap_or_else(|| panic!("{agent} in {listed}"))
            .clone()
    };
    let laptop_session = by_agent("laptop/1.0");
    assert_eq!(laptop_session["current"], true);
    assert_eq!(laptop_session["kind"], "oauth");
    assert_eq!(laptop_session["ip_address"], "127.0.0.1");
    assert!(laptop_session["application"].is_null());
    let phone_session = by_agent("phone/2.0");
    assert_eq!(phone_session["current"], false);
    let browser_session = sessions.iter().find(|s| s["kind"] == "browser").unwrap().clone();
    // Ids are integers (§1), one for each session whatever its kind.
    let ids: std::collections::BTreeSet<i64> = sessions.iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 3, "{listed}");
    assert!(browser_session["id"].as_i64().unwrap() > 0);

    // A refresh keeps the session, and notes where it came from.
    let refreshed = roster
        .expect_json(
            roster
                .request(Method::POST, "/oauth/token")
                .header("User-Agent", "phone/2.1")
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", phone["refresh_token"].as_str().unwrap()),
                ]),
            200,
        )
        .await;
    let listed = roster
        .expect_json(
            roster.with_token(&laptop_token, Method::GET, "/api/v4/user/sessions"),
            200,
        )
        .await;
    let phone_again = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == phone_session["id"])
        .unwrap()
        .clone();
    assert_eq!(phone_again["user_agent"], "phone/2.1");
    assert_eq!(phone_again["created_at"], phone_session["created_at"]);

    // Ending one: its tokens stop working; an unknown one is 404.
    let end = |id: String| {
        roster
            .with_token(
                &laptop_token,
                Method::DELETE,
                &format!("/api/v4/user/sessions/{id}"),
            )
            .send()
    };
    assert_eq!(end(phone_session["id"].to_string()).await.unwrap().status(), 204);
    assert_eq!(
        status(&roster, refreshed["access_token"].as_str().unwrap()).await,
        401
    );
    assert_eq!(end(phone_session["id"].to_string()).await.unwrap().status(), 404);
    for unknown in ["99998", "99999", "0", "-2", "nonsense"] {
        assert_eq!(end(unknown.into()).await.unwrap().status(), 404, "{unknown}");
    }

    // Ending every other: the browser is signed out, this token works on.
    let others = roster
        .with_token(&laptop_token, Method::DELETE, "/api/v4/user/sessions")
        .send()
        .await
        .unwrap();
    assert_eq!(others.status(), 204);
    assert_eq!(status(&roster, &laptop_token).await, 200);
    let page = browser.get("/-/sign_in").await;
    assert!(page.body.contains("<form"), "signed out: the form again");
    let listed = roster
        .expect_json(
            roster.with_token(&laptop_token, Method::GET, "/api/v4/user/sessions"),
            200,
        )
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");

    // An admin sees and ends them too; a personal token is no session.
    let seen = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/users/{}/sessions", alice.id)),
            200,
        )
        .await;
    assert_eq!(seen[0]["current"], false);
    let ended = roster
        .as_admin(Method::DELETE, &format!("/api/v4/users/{}/sessions", alice.id))
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    assert_eq!(status(&roster, &laptop_token).await, 401);
    assert_eq!(status(&roster, &alice.token).await, 200);
    let missing = roster
        .as_admin(Method::GET, "/api/v4/users/99999/sessions")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let events = roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                &format!("/api/v4/audit_events?entity_type=User&entity_id={}", alice.id),
            ),
            200,
        )
        .await;
    let names: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["event_name"].as_str())
        .collect();
    assert!(
        names.contains(&"session_ended") && names.contains(&"sessions_ended"),
        "{names:?}"
    );
}

async fn sign_in(browser: &mut Browser, password: &str) {
    let page = browser.get("/-/sign_in").await;
    let token = field(&page.body, "authenticity_token");
    let done = browser
        .post(
            "/-/sign_in",
            &[
                ("authenticity_token", &token),
                ("login", "alice"),
                ("password", password),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
}

async fn signed_in(browser: &mut Browser) -> bool {
    !browser.get("/-/sign_in").await.body.contains("<form")
}

#[tokio::test]
async fn blocking_or_a_new_password_ends_browser_sessions() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let mut browser = Browser::new(&roster.url);
    sign_in(&mut browser, TEST_PASSWORD).await;
    assert!(signed_in(&mut browser).await);
    let blocked = roster
        .as_admin(Method::POST, &format!("/api/v4/users/{}/block", alice.id))
        .send()
        .await
        .unwrap();
    assert_eq!(blocked.status(), 201);
    assert!(!signed_in(&mut browser).await, "blocking signs the browser out");
    let unblocked = roster
        .as_admin(Method::POST, &format!("/api/v4/users/{}/unblock", alice.id))
        .send()
        .await
        .unwrap();
    assert_eq!(unblocked.status(), 201);
    assert!(
        !signed_in(&mut browser).await,
        "and it stays out after unblocking"
    );

    sign_in(&mut browser, TEST_PASSWORD).await;
    let changed = roster
        .with_token(&alice.token, Method::PUT, "/api/v4/user/password")
        .json(&serde_json::json!({"current_password": TEST_PASSWORD, "password": "another-long-password", "password_confirmation": "another-long-password"}))
        .send()
        .await
        .unwrap();
    assert!(changed.status().is_success(), "{}", changed.text().await.unwrap());
    assert!(
        !signed_in(&mut browser).await,
        "a new password signs the browser out"
    );
    sign_in(&mut browser, "another-long-password").await;
    assert!(signed_in(&mut browser).await);
}
