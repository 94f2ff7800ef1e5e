//! Invitations to groups by mail, and group access tokens (§9).
use crate::groups::{create_group, link_param, status};
use reqwest::Method;
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::json;

#[tokio::test]
async fn invitations_reach_people_by_confirmed_address() {
    let roster = TestRoster::spawn().await;
    let owner = roster.create_user("owner").await;
    let known = roster.create_user("known").await;
    let acme = create_group(&roster, &owner, json!({"name": "Acme", "path": "acme"})).await;
    let id = acme["id"].as_i64().unwrap();
    let invite = |email: &str| {
        roster
            .with_token(
                &owner.token,
                Method::POST,
                &format!("/api/v4/groups/{id}/invitations"),
            )
            .json(&json!({"email": email, "access_level": 30}))
    };
    // A confirmed user's address makes them a member at once.
    assert_eq!(
        roster.expect_json(invite("known@example.com"), 201).await,
        json!({"status": "success"})
    );
    let member = roster
        .expect_json(
            roster.with_token(
                &owner.token,
                Method::GET,
                &format!("/api/v4/groups/{id}/members/{}", known.id),
            ),
            200,
        )
        .await;
    assert_eq!(member["access_level"], 30);

    // Anyone else gets mail with a link.
    assert_eq!(
        roster.expect_json(invite("New.Person@Example.com"), 201).await,
        json!({"status": "success"})
    );
    let again = roster
        .expect_json(invite("new.person@example.com, known@example.com"), 201)
        .await;
    assert_eq!(again["status"], "error");
    assert_eq!(
        again["message"]["new.person@example.com"],
        "Invite email has already been taken"
    );
    assert_eq!(
        again["message"]["known@example.com"],
        "User is already a member of this group"
    );
    let mails = roster.mails_to("new.person@example.com");
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].kind, "group_invitation");
    let token = link_param(&mails[0].body_text, "invite_token");
    let page = roster
        .get(&format!("/-/invitation?invite_token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Acme") && html.contains("new.person@example.com") && html.contains("Developer"),
        "{html}"
    );

    let listed = roster
        .expect_json(
            roster.with_token(
                &owner.token,
                Method::GET,
                &format!("/api/v4/groups/{id}/invitations"),
            ),
            200,
        )
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["invite_email"], "new.person@example.com");
    assert_eq!(listed[0]["created_by_name"], "owner Tester");
    let changed = roster
        .expect_json(
            roster
                .with_token(
                    &owner.token,
                    Method::PUT,
                    &format!("/api/v4/groups/{id}/invitations/new.person%40example.com"),
                )
                .json(&json!({"access_level": 20})),
            200,
        )
        .await;
    assert_eq!(changed["access_level"], 20);

    // Someone without that address confirmed cannot take it.
    let accept = |token_of: &str| {
        roster
            .with_token(token_of, Method::POST, "/api/v4/invitations/accept")
            .json(&json!({"invite_token": token}))
    };
    assert_eq!(status(accept(&known.token)).await, 403);
    assert_eq!(
        status(
            roster
                .with_token(&known.token, Method::POST, "/api/v4/invitations/accept")
                .json(&json!({"invite_token": "nope"}))
        )
        .await,
        404
    );
    // The invited person signs up; confirmed, they accept once.
    let newbie = roster
        .create_user_with("newbie", json!({"email": "new.person@example.com"}))
        .await;
    let joined = roster.expect_json(accept(&newbie.token), 200).await;
    assert_eq!(joined["id"], newbie.id);
    assert_eq!(joined["access_level"], 20);
    assert_eq!(status(accept(&newbie.token)).await, 404, "spent");
    assert_eq!(
        status(roster.get(&format!("/-/invitation?invite_token={token}"))).await,
        404
    );

    // Cancelled invitations are gone. An address is named in the path as
    // python-gitlab encodes it (`+` as `%2B`, `@` as `%40`), or as it is.
    roster.expect_json(invite("later@example.com"), 201).await;
    roster.expect_json(invite("a+b@example.com"), 201).await;
    for path in ["later@example.com", "a%2Bb%40example.com"] {
        assert_eq!(
            status(roster.with_token(
                &owner.token,
                Method::DELETE,
                &format!("/api/v4/groups/{id}/invitations/{path}")
            ))
            .await,
            204,
            "{path}"
        );
    }
    let left = roster
        .expect_json(
            roster.with_token(
                &owner.token,
                Method::GET,
                &format!("/api/v4/groups/{id}/invitations"),
            ),
            200,
        )
        .await;
    assert_eq!(left, json!([]));
}

#[tokio::test]
async fn a_group_access_token_reads_its_group_only() {
    let roster = TestRoster::spawn().await;
    let owner = roster.create_user("owner").await;
    let acme = create_group(&roster, &owner, json!({"name": "Acme", "path": "acme"})).await;
    let other = create_group(&roster, &owner, json!({"name": "Other", "path": "other"})).await;
    let id = acme["id"].as_i64().unwrap();
    let created = roster
        .expect_json(
            roster
                .with_token(
                    &owner.token,
                    Method::POST,
                    &format!("/api/v4/groups/{id}/access_tokens"),
                )
                .json(&json!({"name": "org key", "scopes": ["read_api"]})),
            201,
        )
        .await;
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("roster_gat_"), "{token}");
    assert_eq!(created["access_level"], 40);
    assert_eq!(created["scopes"], json!(["read_api"]));

    let members = roster
        .expect_json(
            roster.with_token(&token, Method::GET, &format!("/api/v4/groups/{id}/members")),
            200,
        )
        .await;
    let bot = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == created["user_id"])
        .expect("the bot is a member")
        .clone();
    assert_eq!(bot["access_level"], 40);
    let me = roster
        .expect_json(roster.with_token(&token, Method::GET, "/api/v4/user"), 200)
        .await;
    assert_eq!(me["bot"], true);
    assert_eq!(
        status(roster.with_token(&token, Method::GET, &format!("/api/v4/groups/{}", other["id"]))).await,
        404
    );
    // A bot makes no tokens of its own, even with `api`.
    let writer = roster
        .expect_json(
            roster
                .with_token(
                    &owner.token,
                    Method::POST,
                    &format!("/api/v4/groups/{id}/access_tokens"),
                )
                .json(&json!({"name": "writer", "scopes": ["api"]})),
            201,
        )
        .await;
    assert_eq!(
        status(
            roster
                .with_token(
                    writer["token"].as_str().unwrap(),
                    Method::POST,
                    "/api/v4/user/personal_access_tokens"
                )
                .json(&json!({"name": "escape", "scopes": ["api"]}))
        )
        .await,
        403
    );
    // read_api writes nothing.
    assert_eq!(
        status(
            roster
                .with_token(&token, Method::PUT, &format!("/api/v4/groups/{id}"))
                .json(&json!({"description": "x"}))
        )
        .await,
        403
    );
    // Nobody signs in as the bot.
    let signed_in = roster
        .request(Method::POST, "/oauth/token")
        .json(&json!({"grant_type": "password", "username": bot["username"], "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 400);

    let listed = roster
        .expect_json(
            roster.with_token(
                &owner.token,
                Method::GET,
                &format!("/api/v4/groups/{id}/access_tokens"),
            ),
            200,
        )
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert!(listed[0].get("token").is_none());
    assert_eq!(
        status(roster.with_token(
            &owner.token,
            Method::DELETE,
            &format!("/api/v4/groups/{id}/access_tokens/{}", created["id"])
        ))
        .await,
        204
    );
    assert_eq!(
        status(roster.with_token(&token, Method::GET, &format!("/api/v4/groups/{id}"))).await,
        401
    );
}
