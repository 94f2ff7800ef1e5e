//! §6 the account life cycle, with mail read from the outbox (delivery over
//! SMTP is tested in `smtp.rs`).
use reqwest::Method;
use roster_api::settings::EmailConfirmation;
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::{json, Value};
use std::time::Duration;

/// The value of `name=` in the first link of a mail's text.
pub fn link_param(text: &str, name: &str) -> String {
    let key = format!("{name}=");
    let start = text.find(&key).unwrap_or_else(|| panic!("no {name} in {text}")) + key.len();
    text[start..].split_whitespace().next().unwrap().to_owned()
}

/// Waits for the outbox to hold `count` messages to `recipient` (some are
/// written in the background).
pub async fn mails(
    roster: &TestRoster,
    recipient: &str,
    count: usize,
) -> Vec<roster_persistence::outbox::NewMail> {
    for _ in 0..100 {
        let found = roster.mails_to(recipient);
        if found.len() >= count {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "expected {count} mails to {recipient}, got {:?}",
        roster.mails_to(recipient)
    );
}

pub async fn sign_in(roster: &TestRoster, login: &str, password: &str) -> reqwest::Response {
    roster
        .request(Method::POST, "/oauth/token")
        .json(&json!({"grant_type": "password", "username": login, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn register(roster: &TestRoster, body: Value, status: u16) -> Value {
    roster
        .expect_json(
            roster.request(Method::POST, "/api/v4/registrations").json(&body),
            status,
        )
        .await
}

fn signup(username: &str) -> Value {
    json!({
        "email": format!("{username}@example.com"), "username": username, "password": TEST_PASSWORD,
        "password_confirmation": TEST_PASSWORD, "first_name": "Gavin", "last_name": "Dickens",
        "phone": "+1 415 555 0100", "gender": "1", "birthday": "1976-04-02 00:00:00", "time_zone": "America/New_York"
    })
}

#[tokio::test]
async fn sign_up_then_confirm_by_mail() {
    let roster = TestRoster::spawn_with(|s| s.email_confirmation = EmailConfirmation::Hard).await;
    let me = register(&roster, signup("gavin"), 201).await;
    assert_eq!(me["name"], "Gavin Dickens");
    assert_eq!(me["email"], "gavin@example.com");
    assert_eq!(me["phone"], "+14155550100");
    assert_eq!(me["gender"], "female");
    assert_eq!(me["birthday"], "1976-04-02");
    assert_eq!(me["confirmed_at"], Value::Null);
    assert!(me.get("note").is_none(), "UserSelf, not the admin view");
    assert!(
        me.get("password").is_none() && !me.to_string().contains("$2"),
        "no hash"
    );

    assert_eq!(
        sign_in(&roster, "gavin", TEST_PASSWORD).await.status(),
        400,
        "hard: not before confirming"
    );
    let mail = &mails(&roster, "gavin@example.com", 1).await[0];
    assert_eq!(mail.kind, "confirm_email");
    let token = link_param(&mail.body_text, "confirmation_token");
    let confirmed = roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/confirmations")
                .json(&json!({"confirmation_token": token})),
            200,
        )
        .await;
    assert_eq!(confirmed["username"], "gavin");
    assert_eq!(sign_in(&roster, "gavin", TEST_PASSWORD).await.status(), 200);

    let mut same_email = signup("gavin_b");
    same_email["email"] = json!("gavin@example.com");
    let body = register(&roster, same_email, 409).await;
    assert_eq!(body, json!({"message": "Email has already been taken"}));
    let mut same_name = signup("GAVIN");
    same_name["email"] = json!("gavin-b@example.com");
    let body = register(&roster, same_name, 409).await;
    assert_eq!(body, json!({"message": "Username has already been taken"}));
    let mut other = signup("gavin2");
    other["email"] = json!("GAVIN@example.com");
    register(&roster, other, 409).await;
}

#[tokio::test]
async fn sign_up_validates_like_admin_create() {
    let roster = TestRoster::spawn().await;
    let mut body = signup("val");
    body["password_confirmation"] = json!("something-else");
    let err = register(&roster, body, 400).await;
    assert_eq!(
        err["message"]["password_confirmation"],
        json!(["doesn't match Password"])
    );
    let err = register(
        &roster,
        json!({"username": "x1", "password": TEST_PASSWORD, "name": "X"}),
        400,
    )
    .await;
    assert_eq!(err, json!({"error": "email is missing"}));
    let err = register(
        &roster,
        json!({"email": "n@example.com", "username": "nn", "password": TEST_PASSWORD}),
        400,
    )
    .await;
    assert_eq!(err, json!({"error": "name is missing"}));
    let mut body = signup("val2");
    body["birthday"] = json!("2999-01-01");
    body["phone"] = json!("555");
    let err = register(&roster, body, 400).await;
    assert!(
        err["message"]["birthday"].is_array() && err["message"]["phone"].is_array(),
        "{err}"
    );
    // Sign-up cannot make admins or set admin-only fields.
    let mut body = signup("sneaky");
    body["admin"] = json!(true);
    body["note"] = json!("trust me");
    let me = register(&roster, body, 201).await;
    assert_eq!(me["is_admin"], false);
    let seen = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/users/{}", me["id"])),
            200,
        )
        .await;
    assert_eq!(seen["note"], "");
    assert_eq!(seen["is_admin"], false);
}

#[tokio::test]
async fn sign_up_can_be_switched_off_and_confirmation_off() {
    let roster = TestRoster::spawn_with(|s| s.signup_enabled = false).await;
    let body = register(&roster, signup("nope"), 403).await;
    assert!(body["message"].as_str().unwrap().starts_with("403 Forbidden"));
    let roster = TestRoster::spawn_with(|s| s.email_confirmation = EmailConfirmation::Off).await;
    let me = register(&roster, signup("open"), 201).await;
    assert!(me["confirmed_at"].is_string());
    assert!(roster.mails_to("open@example.com").is_empty());
}

#[tokio::test]
async fn resend_always_answers_202() {
    let roster = TestRoster::spawn().await;
    register(&roster, signup("late"), 201).await;
    let resend = |email: &str| {
        roster
            .request(Method::POST, "/api/v4/confirmations/resend")
            .json(&json!({"email": email}))
    };
    let known = roster.expect_json(resend("late@example.com"), 202).await;
    let unknown = roster.expect_json(resend("ghost@example.com"), 202).await;
    assert_eq!(known, unknown);
    let sent = mails(&roster, "late@example.com", 2).await;
    let (first, second) = (
        link_param(&sent[1].body_text, "confirmation_token"),
        link_param(&sent[0].body_text, "confirmation_token"),
    );
    assert_ne!(first, second);
    roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/confirmations")
                .json(&json!({"confirmation_token": second})),
            200,
        )
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(roster.mails_to("ghost@example.com").is_empty());
    roster.expect_json(resend("not-an-address"), 400).await;
}

#[tokio::test]
async fn own_profile_updates_and_guarded_changes() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let put = |method: Method, body: Value| {
        roster
            .with_token(&alice.token, method, "/api/v4/user")
            .json(&body)
    };
    let me = roster
        .expect_json(
            put(Method::PUT, json!({"bio": "hi", "time_zone": "Europe/Paris"})),
            200,
        )
        .await;
    assert_eq!(me["bio"], "hi");
    assert_eq!(me["time_zone"], "Europe/Paris");
    assert!(me.get("email").is_some(), "UserSelf");
    let me = roster
        .expect_json(
            put(Method::PATCH, json!({"pronouns": "she/her", "admin": true})),
            200,
        )
        .await;
    assert_eq!(me["pronouns"], "she/her");
    assert_eq!(me["is_admin"], false, "admin is not an own-profile field");

    assert_eq!(
        roster
            .expect_json(put(Method::PUT, json!({"username": "alice2"})), 400)
            .await,
        json!({"error": "current_password is missing"})
    );
    let wrong = roster
        .expect_json(
            put(
                Method::PUT,
                json!({"username": "alice2", "current_password": "nope-nope"}),
            ),
            400,
        )
        .await;
    assert_eq!(wrong, json!({"message": {"current_password": ["is incorrect"]}}));
    let me = roster
        .expect_json(
            put(
                Method::PUT,
                json!({"username": "alice2", "current_password": TEST_PASSWORD}),
            ),
            200,
        )
        .await;
    assert_eq!(me["username"], "alice2");

    // A new address waits for confirmation; the old one is told.
    let me = roster
        .expect_json(
            put(
                Method::PUT,
                json!({"email": "new-alice@example.com", "current_password": TEST_PASSWORD}),
            ),
            200,
        )
        .await;
    assert_eq!(me["email"], "alice@example.com");
    assert_eq!(me["unconfirmed_email"], "new-alice@example.com");
    let notice = mails(&roster, "alice@example.com", 1).await;
    assert_eq!(notice[0].kind, "email_change_notice");
    let link = mails(&roster, "new-alice@example.com", 1).await;
    let token = link_param(&link[0].body_text, "confirmation_token");
    roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/confirmations")
                .json(&json!({"confirmation_token": token})),
            200,
        )
        .await;
    let me = roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
        .await;
    assert_eq!(me["email"], "new-alice@example.com");
    assert_eq!(me["unconfirmed_email"], Value::Null);
    assert_eq!(
        sign_in(&roster, "new-alice@example.com", TEST_PASSWORD)
            .await
            .status(),
        200
    );
    // The old address is free again.
    roster
        .create_user_with("other", json!({"email": "alice@example.com"}))
        .await;

    let taken = roster
        .expect_json(
            put(
                Method::PUT,
                json!({"email": "ALICE@example.com", "current_password": TEST_PASSWORD}),
            ),
            409,
        )
        .await;
    assert_eq!(taken, json!({"message": "Email has already been taken"}));
    roster
        .expect_json(put(Method::PUT, json!({"birthday": "tomorrow"})), 400)
        .await;
}

#[tokio::test]
async fn admin_created_accounts_get_their_mail() {
    let roster = TestRoster::spawn().await;
    roster
        .expect_json(
            roster.as_admin(Method::POST, "/api/v4/users").json(&json!({
                "email": "invited@example.com", "username": "invited", "name": "Invited", "reset_password": true
            })),
            201,
        )
        .await;
    let sent = roster.mails_to("invited@example.com");
    let kinds: Vec<&str> = sent.iter().map(|m| m.kind.as_str()).collect();
    assert!(
        kinds.contains(&"password_reset") && kinds.contains(&"confirm_email"),
        "{kinds:?}"
    );
    let reset = sent.iter().find(|m| m.kind == "password_reset").unwrap();
    let token = link_param(&reset.body_text, "reset_token");
    let r = roster
        .request(Method::POST, "/api/v4/password/reset/complete")
        .json(&json!({"reset_token": token, "password": "my-own-choice", "password_confirmation": "my-own-choice"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(sign_in(&roster, "invited", "my-own-choice").await.status(), 200);
}

#[tokio::test]
async fn pages_for_the_mail_links() {
    let roster = TestRoster::spawn().await;
    register(&roster, signup("paged"), 201).await;
    let token = link_param(
        &mails(&roster, "paged@example.com", 1).await[0].body_text,
        "confirmation_token",
    );
    let r = roster
        .get(&format!("/-/confirm?confirmation_token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    let html = r.text().await.unwrap();
    assert!(html.contains("<form method=\"post\" action=\"/-/confirm\"") && html.contains(&token));
    let me = roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/users?username=paged"), 200)
        .await;
    assert_eq!(
        me[0]["confirmed_at"],
        Value::Null,
        "opening the link alone confirms nothing"
    );

    // The forms carry the browser's CSRF token, as every form does: a post
    // without it is refused and confirms nothing.
    let forged = roster
        .request(Method::POST, "/-/confirm")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("confirmation_token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let mut browser = crate::browser::Browser::new(&roster.url);
    let page = browser
        .get(&format!("/-/confirm?confirmation_token={token}"))
        .await;
    assert_eq!(crate::browser::field(&page.body, "confirmation_token"), token);
    let confirm = [("confirmation_token", token.as_str())];
    let r = crate::console::submit(&mut browser, &page, "/-/confirm", &confirm).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Address confirmed"), "{}", r.body);
    let r = crate::console::submit(&mut browser, &page, "/-/confirm", &confirm).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("invalid"), "{}", r.body);

    roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/password/reset")
                .json(&json!({"email": "paged@example.com"})),
            202,
        )
        .await;
    let sent = mails(&roster, "paged@example.com", 2).await;
    let reset = link_param(&sent[0].body_text, "reset_token");
    let page = browser
        .get(&format!("/-/reset-password?reset_token={reset}"))
        .await;
    assert_eq!(crate::browser::field(&page.body, "reset_token"), reset);
    assert!(page.body.contains("type=\"password\""), "{}", page.body);
    let mismatch = [
        ("reset_token", reset.as_str()),
        ("password", "new-pass-word"),
        ("password_confirmation", "other-word"),
    ];
    let r = crate::console::submit(&mut browser, &page, "/-/reset-password", &mismatch).await;
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("password confirmation doesn") && r.body.contains("t match Password"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("role=\"alert\"") && r.body.contains("class=\"skip\""),
        "{}",
        r.body
    );
    let matching = [
        ("reset_token", reset.as_str()),
        ("password", "new-pass-word"),
        ("password_confirmation", "new-pass-word"),
    ];
    let forged = browser.post("/-/reset-password", &matching).await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert_eq!(
        crate::browser::field(&forged.body, "reset_token"),
        reset,
        "kept to try again"
    );
    let r = crate::console::submit(&mut browser, &page, "/-/reset-password", &matching).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Password changed"), "{}", r.body);
    assert_eq!(sign_in(&roster, "paged", "new-pass-word").await.status(), 200);
    let r = roster
        .get("/-/confirm?confirmation_token=%3Cscript%3E")
        .send()
        .await
        .unwrap();
    assert!(!r.text().await.unwrap().contains("<script>"), "escaped");
}

#[tokio::test]
async fn seed_004s_current_age_becomes_a_birthday() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let put = |body: Value| {
        roster
            .with_token(&alice.token, Method::PUT, "/api/v4/user")
            .json(&body)
    };
    let me = roster.expect_json(put(json!({"current_age": 30})), 200).await;
    let today = chrono::Utc::now().date_naive();
    let expected = today
        .checked_sub_months(chrono::Months::new(360))
        .and_then(|d| d.pred_opt())
        .unwrap();
    assert_eq!(
        me["birthday"],
        expected.to_string(),
        "today less 30 years and a day"
    );
    let both = roster
        .expect_json(put(json!({"current_age": 30, "birthday": "1990-01-01"})), 400)
        .await;
    assert_eq!(both["message"]["current_age"][0], "cannot be given with birthday");
    for bad in [json!(-1), json!(121), json!("old")] {
        let refused = roster.expect_json(put(json!({"current_age": bad})), 400).await;
        assert!(refused.to_string().contains("current_age"), "{bad}: {refused}");
    }
    let unchanged = roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
        .await;
    assert_eq!(
        unchanged["birthday"],
        expected.to_string(),
        "refused requests change nothing"
    );
}
