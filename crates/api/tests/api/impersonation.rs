//! Impersonation tokens and `sudo`: an admin acting as another user, as
//! GitLab allows, with every impersonated request on the record.
use reqwest::Method;
use roster_testkit::{TestRoster, TestUser};
use serde_json::{json, Value};

async fn events_about(roster: &TestRoster, user: &TestUser) -> Vec<Value> {
    let events = roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                &format!("/api/v4/audit_events?entity_id={}&per_page=100", user.id),
            ),
            200,
        )
        .await;
    events.as_array().unwrap().clone()
}

#[tokio::test]
async fn impersonation_tokens_act_as_the_user_and_every_use_names_the_admin() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let bob = roster.create_user("bob").await;
    let base = format!("/api/v4/users/{}/impersonation_tokens", alice.id);
    let made = roster
        .expect_json(
            roster
                .as_admin(Method::POST, &base)
                .json(&json!({"name": "support", "scopes": ["api"]})),
            201,
        )
        .await;
    assert_eq!(
        (made["impersonation"].as_bool(), made["user_id"].as_i64()),
        (Some(true), Some(alice.id))
    );
    let secret = made["token"].as_str().unwrap().to_owned();

    let me = roster
        .expect_json(roster.with_token(&secret, Method::GET, "/api/v4/user"), 200)
        .await;
    assert_eq!(me["username"], "alice");
    // A change made through it names the admin too.
    roster
        .expect_json(
            roster
                .with_token(&secret, Method::POST, "/api/v4/user/personal_access_tokens")
                .json(&json!({"name": "made by support", "scopes": ["read_api"]})),
            201,
        )
        .await;
    let events = events_about(&roster, &alice).await;
    let used: Vec<_> = events
        .iter()
        .filter(|e| e["event_name"] == "impersonation_token_used")
        .collect();
    assert_eq!(used.len(), 2, "{events:?}");
    assert_eq!(used[0]["author_id"].as_i64(), Some(roster.admin.id));
    assert_eq!(
        used[0]["details"]["request"],
        "POST /api/v4/user/personal_access_tokens"
    );
    assert_eq!(used[1]["details"]["request"], "GET /api/v4/user");
    let created = events
        .iter()
        .find(|e| {
            e["event_name"] == "personal_access_token_created" && e["details"]["name"] == "made by support"
        })
        .expect("the new token's event");
    assert_eq!(created["author_id"].as_i64(), Some(alice.id));
    assert_eq!(
        created["details"]["acting_admin_id"].as_i64(),
        Some(roster.admin.id)
    );

    // Not among alice's own tokens, and not hers to see or revoke.
    let own = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/personal_access_tokens"),
            200,
        )
        .await;
    assert!(
        own.as_array().unwrap().iter().all(|t| t["id"] != made["id"]),
        "{own}"
    );
    roster
        .expect_json(
            roster.with_token(
                &alice.token,
                Method::DELETE,
                &format!("/api/v4/personal_access_tokens/{}", made["id"]),
            ),
            404,
        )
        .await;
    // The admin's routes.
    let listed = roster
        .expect_json(roster.as_admin(Method::GET, &format!("{base}?state=active")), 200)
        .await;
    assert_eq!(listed[0]["id"], made["id"]);
    assert!(listed[0].get("token").is_none());
    let one = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("{base}/{}", made["id"])),
            200,
        )
        .await;
    assert_eq!(one["name"], "support");
    roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                &format!("/api/v4/users/{}/impersonation_tokens/{}", bob.id, made["id"]),
            ),
            404,
        )
        .await;
    roster
        .expect_json(roster.with_token(&bob.token, Method::GET, &base), 403)
        .await;
    roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("{base}?state=expired")),
            400,
        )
        .await;

    let revoked = roster
        .as_admin(Method::DELETE, &format!("{base}/{}", made["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    roster
        .expect_json(roster.with_token(&secret, Method::GET, "/api/v4/user"), 401)
        .await;
    let inactive = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("{base}?state=inactive")),
            200,
        )
        .await;
    assert_eq!(inactive[0]["id"], made["id"]);
    let active = roster
        .expect_json(roster.as_admin(Method::GET, &format!("{base}?state=active")), 200)
        .await;
    assert_eq!(active, json!([]));
}

#[tokio::test]
async fn sudo_lets_an_admin_token_with_the_sudo_scope_act_as_someone() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let bob = roster.create_user("bob").await;
    let sudo_token = roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/user/personal_access_tokens")
                .json(&json!({"name": "ops", "scopes": ["api", "sudo"]})),
            201,
        )
        .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let as_user = |header: Option<&str>, path: &str| {
        let mut request = roster.with_token(&sudo_token, Method::GET, path);
        if let Some(who) = header {
            request = request.header("Sudo", who);
        }
        request
    };
    let me = roster
        .expect_json(as_user(Some("alice"), "/api/v4/user"), 200)
        .await;
    assert_eq!(me["username"], "alice");
    let me = roster
        .expect_json(as_user(None, &format!("/api/v4/user?sudo={}", bob.id)), 200)
        .await;
    assert_eq!(me["username"], "bob");
    // On a route with a typed query, `sudo` is not one of its parameters.
    let found = roster
        .expect_json(as_user(None, "/api/v4/users?username=bob&sudo=alice"), 200)
        .await;
    assert_eq!(found[0]["username"], "bob");
    // As the user, with the user's rights: no admin routes.
    roster
        .expect_json(as_user(Some("alice"), "/api/v4/audit_events"), 403)
        .await;
    let nobody = roster
        .expect_json(as_user(Some("nobody"), "/api/v4/user"), 404)
        .await;
    assert_eq!(nobody["message"], "404 User Not Found");
    // A write as alice is recorded as hers, naming the admin.
    roster
        .expect_json(
            roster
                .with_token(&sudo_token, Method::POST, "/api/v4/user/personal_access_tokens")
                .header("Sudo", "alice")
                .json(&json!({"name": "by sudo", "scopes": ["read_api"]})),
            201,
        )
        .await;
    let events = events_about(&roster, &alice).await;
    let updated = events
        .iter()
        .find(|e| e["event_name"] == "personal_access_token_created" && e["details"]["name"] == "by sudo")
        .unwrap();
    assert_eq!(updated["author_id"].as_i64(), Some(alice.id));
    assert_eq!(
        updated["details"]["acting_admin_id"].as_i64(),
        Some(roster.admin.id)
    );

    // Without the scope, or not an admin: refused, as GitLab does.
    let no_scope = roster
        .expect_json(
            roster
                .as_admin(Method::GET, "/api/v4/user")
                .header("Sudo", "alice"),
            403,
        )
        .await;
    assert_eq!(no_scope["error"], "insufficient_scope");
    let not_admin = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::GET, "/api/v4/user")
                .header("Sudo", "bob"),
            403,
        )
        .await;
    assert_eq!(not_admin["message"], "403 Forbidden - Must be admin to use sudo");
    // Only admins' tokens may carry it; alone it reads nothing.
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/personal_access_tokens")
                .json(&json!({"name": "x", "scopes": ["api", "sudo"]})),
            400,
        )
        .await;
    let sudo_only = roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/user/personal_access_tokens")
                .json(&json!({"name": "only", "scopes": ["sudo"]})),
            201,
        )
        .await;
    roster
        .expect_json(
            roster.with_token(sudo_only["token"].as_str().unwrap(), Method::GET, "/api/v4/user"),
            403,
        )
        .await;
}
