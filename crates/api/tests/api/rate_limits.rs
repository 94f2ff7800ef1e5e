//! Rate limits: 429 with `Retry-After` in seconds, per client address and per
//! account, counted in the database.
use reqwest::Method;
use roster_api::limits::{Limit, RateLimits};
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::{json, Value};

async fn sign_in(
    roster: &TestRoster,
    login: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let mut request = roster
        .request(Method::POST, "/oauth/token")
        .json(&json!({"grant_type": "password", "username": login, "password": password}));
    if let Some(address) = forwarded_for {
        request = request.header("X-Forwarded-For", address);
    }
    request.send().await.unwrap()
}

async fn assert_limited(r: reqwest::Response, window: u64) {
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=window).contains(&retry), "{retry}");
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"message": "429 Too Many Requests"})
    );
}

#[tokio::test]
async fn sign_ins_per_client_address() {
    let roster = TestRoster::spawn_with(|s| {
        s.rate_limits = RateLimits {
            signin_ip: Some(Limit::per(3, 60)),
            ..RateLimits::off()
        };
    })
    .await;
    roster.create_user("alice").await;
    for _ in 0..3 {
        assert_eq!(
            sign_in(&roster, "alice", "wrong-password", None).await.status(),
            400
        );
    }
    assert_limited(sign_in(&roster, "alice", TEST_PASSWORD, None).await, 60).await;
    // Without ROSTER_TRUST_PROXY a forged X-Forwarded-For changes nothing.
    assert_limited(
        sign_in(&roster, "bob", "whatever-pw", Some("203.0.113.9")).await,
        60,
    )
    .await;
}

#[tokio::test]
async fn sign_ins_per_account_across_addresses() {
    let roster = TestRoster::spawn_with(|s| {
        s.trust_proxy = true;
        s.rate_limits = RateLimits {
            signin_account: Some(Limit::per(2, 60)),
            ..RateLimits::off()
        };
    })
    .await;
    roster.create_user("alice").await;
    roster.create_user("bob").await;
    assert_eq!(
        sign_in(&roster, "alice", "wrong-password", Some("203.0.113.1"))
            .await
            .status(),
        400
    );
    assert_eq!(
        sign_in(&roster, "ALICE", "wrong-password", Some("203.0.113.2"))
            .await
            .status(),
        400
    );
    assert_limited(
        sign_in(&roster, "alice", TEST_PASSWORD, Some("203.0.113.3")).await,
        60,
    )
    .await;
    assert_eq!(
        sign_in(&roster, "bob", TEST_PASSWORD, Some("203.0.113.3"))
            .await
            .status(),
        200,
        "other accounts are not affected"
    );
}

#[tokio::test]
async fn sign_ups_resets_resends_and_added_addresses() {
    let roster = TestRoster::spawn_with(|s| {
        s.rate_limits = RateLimits {
            signup_ip: Some(Limit::per(2, 3600)),
            reset_address: Some(Limit::per(1, 3600)),
            resend_ip: Some(Limit::per(1, 3600)),
            email_add_account: Some(Limit::per(1, 3600)),
            refresh_ip: Some(Limit::per(1, 60)),
            ..RateLimits::off()
        };
    })
    .await;
    let signup = |n: u32| {
        roster.request(Method::POST, "/api/v4/registrations").json(&json!({
            "email": format!("s{n}@example.com"), "username": format!("signup{n}"), "name": "S", "password": TEST_PASSWORD
        }))
    };
    roster.expect_json(signup(1), 201).await;
    roster.expect_json(signup(2), 201).await;
    assert_limited(signup(3).send().await.unwrap(), 3600).await;
    assert_eq!(
        roster
            .expect_json(
                roster.as_admin(Method::GET, "/api/v4/users?username=signup3"),
                200
            )
            .await,
        json!([])
    );

    let reset = |email: &str| {
        roster
            .request(Method::POST, "/api/v4/password/reset")
            .json(&json!({"email": email}))
    };
    roster.expect_json(reset("s1@example.com"), 202).await;
    assert_limited(reset("S1@example.com").send().await.unwrap(), 3600).await;
    roster.expect_json(reset("s2@example.com"), 202).await;

    let resend = |email: &str| {
        roster
            .request(Method::POST, "/api/v4/confirmations/resend")
            .json(&json!({"email": email}))
    };
    roster.expect_json(resend("s1@example.com"), 202).await;
    assert_limited(resend("s2@example.com").send().await.unwrap(), 3600).await;

    let alice = roster.create_user("alice").await;
    let add = |email: &str| {
        roster
            .with_token(&alice.token, Method::POST, "/api/v4/user/emails")
            .json(&json!({"email": email}))
    };
    roster.expect_json(add("a1@example.com"), 201).await;
    assert_limited(add("a2@example.com").send().await.unwrap(), 3600).await;

    let grant: Value = sign_in(&roster, "alice", TEST_PASSWORD, None)
        .await
        .json()
        .await
        .unwrap();
    let refresh = |token: &Value| {
        roster
            .request(Method::POST, "/oauth/token")
            .json(&json!({"grant_type": "refresh_token", "refresh_token": token}))
    };
    let second: Value = roster.expect_json(refresh(&grant["refresh_token"]), 200).await;
    assert_limited(refresh(&second["refresh_token"]).send().await.unwrap(), 60).await;
}

#[tokio::test]
async fn resets_and_resends_per_client_address_and_per_email_address() {
    let roster = TestRoster::spawn_with(|s| {
        s.trust_proxy = true;
        s.rate_limits = RateLimits {
            reset_ip: Some(Limit::per(3, 3600)),
            reset_address: Some(Limit::per(2, 3600)),
            resend_ip: Some(Limit::per(3, 3600)),
            resend_address: Some(Limit::per(2, 3600)),
            ..RateLimits::off()
        };
    })
    .await;
    for name in ["alice", "bob", "carol", "dave"] {
        roster.create_user(name).await;
    }
    for (kind, path) in [
        ("reset", "/api/v4/password/reset"),
        ("resend", "/api/v4/confirmations/resend"),
    ] {
        // Each kind counts in buckets of its own: the client addresses used
        // for resets start afresh for resends.
        let ask = |email: &str, from: &str| {
            roster
                .request(Method::POST, path)
                .header("X-Forwarded-For", from)
                .json(&json!({"email": email}))
                .send()
        };
        let status = |r: reqwest::Response| r.status().as_u16();
        // Per e-mail address, whatever the client address and the case.
        assert_eq!(
            status(ask("alice@example.com", "203.0.113.1").await.unwrap()),
            202,
            "{kind}"
        );
        assert_eq!(
            status(ask("ALICE@Example.com", "203.0.113.2").await.unwrap()),
            202,
            "{kind}"
        );
        assert_limited(ask("alice@example.com", "203.0.113.3").await.unwrap(), 3600).await;
        // Other addresses are not affected…
        assert_eq!(
            status(ask("bob@example.com", "203.0.113.3").await.unwrap()),
            202,
            "{kind}"
        );
        assert_eq!(
            status(ask("carol@example.com", "203.0.113.3").await.unwrap()),
            202,
            "{kind}"
        );
        // …but a client address is limited whatever addresses it names.
        assert_limited(ask("dave@example.com", "203.0.113.3").await.unwrap(), 3600).await;
        assert_eq!(
            status(ask("dave@example.com", "203.0.113.4").await.unwrap()),
            202,
            "{kind}"
        );
    }
    // A refused reset request sends nothing: alice got the first two only.
    let resets_to = |address: &str| {
        roster
            .mails_to(address)
            .into_iter()
            .filter(|m| m.kind == "password_reset")
            .count()
    };
    for _ in 0..100 {
        if resets_to("alice@example.com") >= 2 && resets_to("dave@example.com") >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(resets_to("alice@example.com"), 2);
    assert_eq!(resets_to("dave@example.com"), 1);
}
