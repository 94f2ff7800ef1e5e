//! §11 signing in with a second factor: the password grant's `otp`, the
//! `mfa_token` and the mfa grant, the lockout, enforcement, and the sign-in
//! page's second step. Codes come from pyotp (see `two_factor`).
use crate::browser::{field, Browser};
use crate::two_factor::{alices_password, code, enrol, events, grant, mfa};
use reqwest::Method;
use roster_api::settings::RequireTwoFactor;
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::json;

#[tokio::test]
async fn wrong_codes_count_toward_the_lockout() {
    let roster = TestRoster::spawn_with(|s| s.max_failed_sign_ins = 4).await;
    let alice = roster.create_user("alice").await;
    let (secret, _) = enrol(&roster, &alice.token).await;
    let challenge = grant(&roster, alices_password(None), 403).await;
    let token = challenge["mfa_token"].as_str().unwrap();
    let right = code(&secret, 0);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 500_000) % 1_000_000);
    for _ in 0..4 {
        let refused = grant(&roster, mfa(token, &wrong), 400).await;
        assert_eq!(refused["error"], "invalid_grant");
    }
    // Locked now: even the right code, and the right password, are refused.
    let locked = grant(&roster, mfa(token, &right), 400).await;
    assert!(
        locked["error_description"].as_str().unwrap().contains("locked"),
        "{locked}"
    );
    let again = grant(&roster, alices_password(Some(&right)), 400).await;
    assert!(
        again["error_description"].as_str().unwrap().contains("locked"),
        "{again}"
    );
    assert!(events(&roster, alice.id)
        .iter()
        .any(|(n, d)| n == "sign_in_failed" && d["reason"] == "wrong second factor"));
    assert!(events(&roster, alice.id)
        .iter()
        .any(|(n, _)| n == "account_locked"));
}

#[tokio::test]
async fn an_mfa_token_finishes_only_for_its_client_and_dies_after_five_wrong_codes() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let (secret, _) = enrol(&roster, &alice.token).await;
    let app = roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/applications")
                .json(&json!({"name": "CLI", "redirect_uri": "https://cli.example/cb", "scopes": "api"})),
            201,
        )
        .await;
    let (id, secret_of_app) = (
        app["application_id"].as_str().unwrap(),
        app["secret"].as_str().unwrap(),
    );
    let challenge = grant(
        &roster,
        json!({"grant_type": "password", "username": "alice", "password": TEST_PASSWORD,
               "client_id": id, "client_secret": secret_of_app}),
        403,
    )
    .await;
    let token = challenge["mfa_token"].as_str().unwrap();
    let first = mfa(token, &code(&secret, 0));
    // Without the application's credentials: refused, and the code is not spent.
    assert_eq!(grant(&roster, first.clone(), 400).await["error"], "invalid_grant");
    let mut with_client = first;
    with_client["client_id"] = json!(id);
    with_client["client_secret"] = json!(secret_of_app);
    let tokens = grant(&roster, with_client, 200).await;
    assert_eq!(tokens["scope"], "api");
    let authorized = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/user/authorized_applications"),
            200,
        )
        .await;
    assert_eq!(authorized.as_array().unwrap().len(), 1);

    // Five wrong codes spend a token (the sixth answer is for a dead token).
    let challenge = grant(&roster, alices_password(None), 403).await;
    let token = challenge["mfa_token"].as_str().unwrap();
    for _ in 0..5 {
        grant(&roster, mfa(token, "0000000000000000"), 400).await;
    }
    let dead = grant(&roster, mfa(token, &code(&secret, 1)), 400).await;
    assert!(
        dead["error_description"].as_str().unwrap().contains("mfa_token"),
        "{dead}"
    );
}

#[tokio::test]
async fn required_two_factor_lets_only_the_enrolment_routes_through() {
    let roster = TestRoster::spawn_with(|s| s.require_two_factor = RequireTwoFactor::All).await;
    enrol(&roster, &roster.admin.token).await;
    let alice = roster.create_user("alice").await;
    let refused = roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 403)
        .await;
    assert_eq!(
        refused["message"],
        "403 Forbidden - two-factor authentication required"
    );
    // The pages, which have no enrolment form, let such a user nowhere.
    let mut browser = Browser::new(&roster.url);
    let page = browser.get("/-/sign_in").await;
    let refused = browser
        .post(
            "/-/sign_in",
            &[
                (
                    "authenticity_token",
                    field(&page.body, "authenticity_token").as_str(),
                ),
                ("login", "alice"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(refused.body.contains("is not set up yet"), "{}", refused.body);
    assert!(browser.cookie("_roster_session").is_none());
    enrol(&roster, &alice.token).await;
    roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
        .await;

    // `admins`: an admin enrols first; other users need not.
    let roster = TestRoster::spawn_with(|s| s.require_two_factor = RequireTwoFactor::Admins).await;
    roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/users"), 403)
        .await;
    enrol(&roster, &roster.admin.token).await;
    roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/users"), 200)
        .await;
    let bob = roster.create_user("bob").await;
    roster
        .expect_json(roster.with_token(&bob.token, Method::GET, "/api/v4/user"), 200)
        .await;
}

#[tokio::test]
async fn the_sign_in_page_asks_for_the_second_factor() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let (secret, recovery) = enrol(&roster, &alice.token).await;
    let mut browser = Browser::new(&roster.url);
    let page = browser.get("/-/sign_in?return_to=/-/sign_out").await;
    let step = browser
        .post(
            "/-/sign_in",
            &[
                ("authenticity_token", &field(&page.body, "authenticity_token")),
                ("return_to", "/-/sign_out"),
                ("login", "alice"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(step.status, 200, "{}", step.body);
    assert!(
        step.body.contains("autocomplete=\"one-time-code\""),
        "{}",
        step.body
    );
    assert!(browser.cookie("_roster_session").is_none());
    let mfa_token = field(&step.body, "mfa_token");
    let csrf = field(&step.body, "authenticity_token");
    let submit = |otp: String| {
        vec![
            ("authenticity_token".to_owned(), csrf.clone()),
            ("mfa_token".to_owned(), mfa_token.clone()),
            ("return_to".to_owned(), "/-/sign_out".to_owned()),
            ("otp".to_owned(), otp),
        ]
    };
    // A token from the page does not work at the token endpoint.
    grant(&roster, mfa(&mfa_token, &code(&secret, 0)), 400).await;
    // Without the CSRF token: refused.
    let mut no_csrf = submit(code(&secret, 0));
    no_csrf.remove(0);
    assert_eq!(
        browser
            .post("/-/sign_in/two_factor", &as_refs(&no_csrf))
            .await
            .status,
        403
    );
    // A wrong code shows the form again, with the reason.
    let wrong = browser
        .post(
            "/-/sign_in/two_factor",
            &as_refs(&submit(recovery[0].replace(|c: char| c.is_ascii_digit(), "a"))),
        )
        .await;
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert!(wrong.body.contains("two-factor-error"), "{}", wrong.body);
    assert_eq!(field(&wrong.body, "mfa_token"), mfa_token);
    let done = browser
        .post("/-/sign_in/two_factor", &as_refs(&submit(code(&secret, 0))))
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/-/sign_out"));
    assert!(browser.cookie("_roster_session").is_some());
    let signed_in = browser.get("/-/sign_in").await;
    assert!(
        signed_in.body.contains("signed in as alice"),
        "{}",
        signed_in.body
    );
    // The token was spent with the sign-in.
    let reused = browser
        .post("/-/sign_in/two_factor", &as_refs(&submit(code(&secret, 1))))
        .await;
    assert_eq!(reused.status, 401);
    assert!(reused.body.contains("Sign in again"), "{}", reused.body);
    assert!(events(&roster, alice.id)
        .iter()
        .any(|(n, d)| n == "sign_in_succeeded" && d["via"] == "browser" && d["second_factor"] == "totp"));
}

fn as_refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

#[tokio::test]
async fn codes_are_rate_limited_by_client_address() {
    use roster_api::limits::{Limit, RateLimits};
    let roster = TestRoster::spawn_with(|s| {
        s.rate_limits = RateLimits {
            signin_ip: Some(Limit::per(4, 60)),
            ..RateLimits::off()
        };
    })
    .await;
    let alice = roster.create_user("alice").await;
    let (secret, _) = enrol(&roster, &alice.token).await;
    // The password step and three wrong codes: four sign-in attempts.
    let challenge = grant(&roster, alices_password(None), 403).await;
    let token = challenge["mfa_token"].as_str().unwrap();
    for _ in 0..3 {
        grant(&roster, mfa(token, "0000000000000000"), 400).await;
    }
    // The fifth from this address waits, even with the right code, which
    // is not spent.
    let right = code(&secret, 0);
    let r = roster
        .request(Method::POST, "/oauth/token")
        .json(&mfa(token, &right))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let limited = grant(&roster, mfa("another-token", &right), 429).await;
    assert_eq!(limited["message"], "429 Too Many Requests");
}
