//! Races that must have one winner.
use reqwest::Method;
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::json;

#[tokio::test]
async fn fifty_sign_ups_with_one_address_make_one_account() {
    let roster = TestRoster::spawn_with(|s| s.db_pool_size = 8).await;
    let requests = (0..50).map(|n| {
        roster
            .request(Method::POST, "/api/v4/registrations")
            .json(&json!({
                "email": "Race@Example.com", "username": format!("racer{n}"), "name": "Racer", "password": TEST_PASSWORD
            }))
            .send()
    });
    let answers = futures_util::future::join_all(requests).await;
    let mut created = 0;
    let mut conflicts = 0;
    for answer in answers {
        let r = answer.unwrap();
        match r.status().as_u16() {
            201 => created += 1,
            409 => {
                conflicts += 1;
                assert_eq!(
                    r.json::<serde_json::Value>().await.unwrap(),
                    json!({"message": "Email has already been taken"})
                );
            }
            other => panic!("unexpected {other}: {}", r.text().await.unwrap()),
        }
    }
    assert_eq!((created, conflicts), (1, 49));
    let found = roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/users?search=race@example.com"),
            200,
        )
        .await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(
        roster.mails_to("race@example.com").len(),
        1,
        "one confirmation mail, for the one account"
    );
}

#[tokio::test]
async fn refresh_token_races_have_one_winner() {
    let roster = TestRoster::spawn().await;
    roster.create_user("alice").await;
    let grant = roster
        .expect_json(
            roster.request(Method::POST, "/oauth/token").json(&json!({
                "grant_type": "password", "username": "alice", "password": TEST_PASSWORD
            })),
            200,
        )
        .await;
    let refresh = grant["refresh_token"].as_str().unwrap().to_owned();
    let requests = (0..10).map(|_| {
        roster
            .request(Method::POST, "/oauth/token")
            .json(&json!({"grant_type": "refresh_token", "refresh_token": refresh}))
            .send()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(requests)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 400).count(), 9, "{statuses:?}");
}

#[tokio::test]
async fn token_rotation_races_have_one_winner() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let made = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/personal_access_tokens")
                .json(&json!({"name": "ci", "scopes": ["api"]})),
            201,
        )
        .await;
    let path = format!("/api/v4/personal_access_tokens/{}/rotate", made["id"]);
    let requests = (0..8).map(|_| roster.with_token(&alice.token, Method::POST, &path).send());
    let answers = futures_util::future::join_all(requests).await;
    let mut winners = Vec::new();
    for answer in answers {
        let r = answer.unwrap();
        if r.status() == 200 {
            winners.push(
                r.json::<serde_json::Value>().await.unwrap()["token"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        } else {
            assert_eq!(r.status(), 400);
        }
    }
    assert_eq!(winners.len(), 1, "one rotation wins");
    // The losers count as reuse, which revokes the winner's token too.
    roster
        .expect_json(roster.with_token(&winners[0], Method::GET, "/api/v4/user"), 401)
        .await;
}

#[tokio::test]
async fn a_reset_token_is_spent_once_under_races() {
    let roster = TestRoster::spawn().await;
    roster.create_user("alice").await;
    roster
        .expect_json(
            roster
                .request(Method::POST, "/api/v4/password/reset")
                .json(&json!({"email": "alice@example.com"})),
            202,
        )
        .await;
    let mut mail = Vec::new();
    for _ in 0..100 {
        mail = roster.mails_to("alice@example.com");
        if !mail.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let token = crate::life_cycle::link_param(&mail[0].body_text, "reset_token");
    let requests = (0..8).map(|n| {
        roster
            .request(Method::POST, "/api/v4/password/reset/complete")
            .json(&json!({"reset_token": token, "password": format!("raced-password-{n}")}))
            .send()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(requests)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 204).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 400).count(), 7, "{statuses:?}");
}

#[tokio::test]
async fn concurrent_status_preference_and_attribute_changes_all_succeed() {
    let roster = TestRoster::spawn_with(|s| s.db_pool_size = 8).await;
    let alice = roster.create_user("alice").await;
    let statuses = (0..30).map(|n| {
        roster
            .with_token(&alice.token, Method::PUT, "/api/v4/user/status")
            .json(&json!({"message": format!("status {n}")}))
            .send()
    });
    let preferences = (0..30).map(|n| {
        roster
            .with_token(&alice.token, Method::PUT, "/api/v4/user/preferences")
            .json(&json!({"n": n}))
            .send()
    });
    let path = format!("/api/v4/users/{}/custom_attributes/team", alice.id);
    let attributes = (0..30).map(|n| {
        roster
            .as_admin(Method::PUT, &path)
            .json(&json!({"value": format!("team {n}")}))
            .send()
    });
    let (statuses, preferences, attributes) = futures_util::future::join3(
        futures_util::future::join_all(statuses),
        futures_util::future::join_all(preferences),
        futures_util::future::join_all(attributes),
    )
    .await;
    for answer in statuses.into_iter().chain(preferences).chain(attributes) {
        let r = answer.unwrap();
        let status = r.status().as_u16();
        assert_eq!(status, 200, "{}", r.text().await.unwrap());
    }
    let status = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/user/status"),
            200,
        )
        .await;
    assert!(status["message"].as_str().unwrap().starts_with("status "));
}

#[tokio::test]
async fn twenty_follows_at_once_make_one_follow() {
    let roster = TestRoster::spawn_with(|s| s.db_pool_size = 8).await;
    let alice = roster.create_user("alice").await;
    let bob = roster.create_user("bob").await;
    let path = format!("/api/v4/users/{}/follow", alice.id);
    let follows = (0..20).map(|_| roster.with_token(&bob.token, Method::POST, &path).send());
    let mut statuses: Vec<u16> = futures_util::future::join_all(follows)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [vec![201], vec![304; 19]].concat());
    let profile = roster
        .expect_json(roster.get(&format!("/api/v4/users/{}", alice.id)), 200)
        .await;
    assert_eq!(profile["followers"], 1);
}

/// Sends `requests` at once and answers their statuses, sorted.
async fn statuses_of(requests: impl IntoIterator<Item = reqwest::RequestBuilder>) -> Vec<u16> {
    let mut statuses: Vec<u16> = futures_util::future::join_all(requests.into_iter().map(|r| r.send()))
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    statuses.sort_unstable();
    statuses
}

#[tokio::test]
async fn a_confirmation_token_is_spent_once_under_races() {
    use crate::life_cycle::{link_param, mails};
    let roster = TestRoster::spawn_with(|s| s.db_pool_size = 8).await;
    // A new account's address…
    let carol = roster
        .expect_json(
            roster.request(Method::POST, "/api/v4/registrations").json(&json!({
                "email": "carol@example.com", "username": "carol", "name": "Carol", "password": TEST_PASSWORD
            })),
            201,
        )
        .await;
    let token = link_param(
        &mails(&roster, "carol@example.com", 1).await[0].body_text,
        "confirmation_token",
    );
    let confirm = |token: &str| {
        roster
            .request(Method::POST, "/api/v4/confirmations")
            .json(&json!({"confirmation_token": token}))
    };
    assert_eq!(
        statuses_of((0..8).map(|_| confirm(&token))).await,
        [vec![200], vec![400; 7]].concat()
    );
    // …and a new primary address waiting for its confirmation.
    assert!(carol["confirmed_at"].is_null(), "{carol}");
    let carol = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/users/{}", carol["id"])),
            200,
        )
        .await;
    assert!(carol["confirmed_at"].is_string(), "{carol}");
    let alice = roster.create_user("alice").await;
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, "/api/v4/user")
                .json(&json!({"email": "alice.new@example.com", "current_password": TEST_PASSWORD})),
            200,
        )
        .await;
    let token = link_param(
        &mails(&roster, "alice.new@example.com", 1).await[0].body_text,
        "confirmation_token",
    );
    assert_eq!(
        statuses_of((0..8).map(|_| confirm(&token))).await,
        [vec![200], vec![400; 7]].concat()
    );
    let me = roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
        .await;
    assert_eq!(me["email"], "alice.new@example.com");
}

#[tokio::test]
async fn twenty_uploads_of_one_image_at_once_store_it_once() {
    use base64::Engine;
    use diesel::prelude::*;
    let roster = TestRoster::spawn_with(|s| s.db_pool_size = 8).await;
    let png = crate::social::encode(crate::social::picture(12, 12), image::ImageFormat::Png);
    let body = json!({"avatar_base64": base64::engine::general_purpose::STANDARD.encode(&png)});
    let mut users = Vec::new();
    for name in ["alice", "bob", "carol", "dave", "erin"] {
        users.push(roster.create_user(name).await);
    }
    // Four uploads by each of five users, all at once.
    let uploads = users.iter().flat_map(|user| {
        (0..4).map(|_| {
            roster
                .with_token(&user.token, Method::PUT, "/api/v4/user/avatar")
                .json(&body)
                .send()
        })
    });
    let mut urls = Vec::new();
    for answer in futures_util::future::join_all(uploads).await {
        let r = answer.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert_eq!(status, 200, "{text}");
        let shown: serde_json::Value = serde_json::from_str(&text).unwrap();
        urls.push(shown["avatar_url"].as_str().unwrap().to_owned());
    }
    urls.dedup();
    assert_eq!(urls.len(), 1, "one image, one name: {urls:?}");
    for user in &users {
        let me = roster
            .expect_json(roster.with_token(&user.token, Method::GET, "/api/v4/user"), 200)
            .await;
        assert_eq!(me["avatar_url"], urls[0].as_str());
    }
    let mut conn = roster_persistence::DbManager::new(roster.database_url())
        .unwrap()
        .connect_now()
        .unwrap();
    let names: Vec<String> = roster_persistence::schema::avatars::table
        .select(roster_persistence::schema::avatars::name)
        .load(&mut conn)
        .unwrap();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(urls[0].ends_with(&names[0]), "{names:?}");
    assert_eq!(reqwest::get(&urls[0]).await.unwrap().status(), 200);
}
