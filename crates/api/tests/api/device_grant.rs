//! The device grant (RFC 8628): a device polls while a signed-in person
//! types its code on `/oauth/device` and allows it.
use crate::browser::{field, Browser};
use crate::oidc::register;
use reqwest::Method;
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::Value;

#[tokio::test]
async fn the_device_grant_waits_for_the_person() {
    let roster = TestRoster::spawn().await;
    roster.create_user("alice").await;
    let app = register(&roster, false, false, "openid read_user").await;
    let started = roster
        .expect_json(
            roster.request(Method::POST, "/oauth/authorize_device").form(&[
                ("client_id", app.client_id.as_str()),
                ("scope", "openid read_user"),
            ]),
            200,
        )
        .await;
    let device_code = started["device_code"].as_str().unwrap().to_owned();
    let user_code = started["user_code"].as_str().unwrap().to_owned();
    assert_eq!(
        started["verification_uri"],
        format!("{}/oauth/device", roster.url)
    );
    assert_eq!(started["interval"], 5);
    let poll = || {
        roster.request(Method::POST, "/oauth/token").form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", device_code.as_str()),
            ("client_id", app.client_id.as_str()),
        ])
    };
    let pending = roster.expect_json(poll(), 400).await;
    assert_eq!(pending["error"], "authorization_pending");
    let fast = roster.expect_json(poll(), 400).await;
    assert_eq!(fast["error"], "slow_down");

    // The person signs in, types the code in lower case, and allows.
    let mut browser = Browser::new(&roster.url);
    let to_sign_in = browser.get("/oauth/device").await;
    let page = browser.sign_in_from(&to_sign_in, "alice", TEST_PASSWORD).await;
    let token = field(&page.body, "authenticity_token");
    let typed = user_code.to_lowercase().replace('-', "");
    let wrong = browser
        .post(
            "/oauth/device",
            &[("authenticity_token", &token), ("user_code", "BBBB-BBBB")],
        )
        .await;
    assert_eq!(wrong.status, 400);
    let confirm = browser
        .post(
            "/oauth/device",
            &[("authenticity_token", &token), ("user_code", &typed)],
        )
        .await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(confirm.body.contains("Wiki") && confirm.body.contains("read your profile"));
    let done = browser
        .post(
            "/oauth/device",
            &[
                ("authenticity_token", &token),
                ("user_code", &user_code),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_eq!(done.status, 200);
    assert!(done.body.contains("Device connected"), "{}", done.body);

    // A poll now (the interval is counted from the last poll) gets tokens, once.
    let issued = loop {
        let response = poll().send().await.unwrap();
        let body: Value = response.json().await.unwrap();
        if body["error"] == "slow_down" {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            continue;
        }
        break body;
    };
    assert!(issued["access_token"].as_str().is_some(), "{issued}");
    assert!(issued["id_token"].as_str().is_some(), "{issued}");
    let spent = roster.expect_json(poll(), 400).await;
    assert_eq!(spent["error"], "invalid_grant");
    let me = roster
        .expect_json(
            roster.with_token(
                issued["access_token"].as_str().unwrap(),
                Method::GET,
                "/api/v4/user",
            ),
            200,
        )
        .await;
    assert_eq!(me["username"], "alice");
}
