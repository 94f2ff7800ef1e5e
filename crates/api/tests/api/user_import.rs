//! `POST /api/v4/users/import` (§13): many users at once, each with its
//! addresses, keys, identities, attributes and memberships, written whole
//! or not at all; a dry run writes nothing; one security event a batch; no
//! mail unless asked.
use crate::keygen::keygen;
use crate::life_cycle::sign_in;
use reqwest::Method;
use roster_testkit::TestRoster;
use serde_json::{json, Value};

async fn import(roster: &TestRoster, query: &str, body: &Value, status: u16) -> Value {
    roster
        .expect_json(
            roster
                .as_admin(Method::POST, &format!("/api/v4/users/import{query}"))
                .json(body),
            status,
        )
        .await
}

/// Five users: one with everything, one with bad fields, one whose name the
/// first took, one in a group that does not exist, one blocked.
fn batch(key: &str) -> Value {
    let hash = bcrypt::hash("imported password 1", 4).unwrap();
    json!([
        {
            "username": "ada", "email": "ada@example.com", "name": "Ada Lovelace",
            "password_hash": hash, "confirmed_at": "2024-05-01T10:00:00Z",
            "bio": "first", "admin": false,
            "secondary_emails": [
                {"email": "ada@work.example", "confirmed_at": "2024-06-01T00:00:00Z"},
                {"email": "ada@old.example"}
            ],
            "ssh_keys": [{"title": "laptop", "key": key, "usage_type": "auth"}],
            "identities": [{"provider": "github", "extern_uid": "1815"}],
            "custom_attributes": [{"key": "employee_id", "value": "E-1"}],
            "groups": [{"full_path": "acme", "access_level": 30}]
        },
        {
            "username": "bad", "email": "not an address", "name": "Bad",
            "password_hash": "$1$md5$crypt",
            "ssh_keys": [{"title": "x", "key": "ssh-ed25519 QUJD"}]
        },
        {
            "username": "ADA", "email": "other-ada@example.com", "name": "Ada Again",
            "password": "a good long password",
            "secondary_emails": [{"email": "never-stored@example.com"}]
        },
        {
            "username": "nogroup", "email": "nogroup@example.com", "name": "No Group",
            "force_random_password": true,
            "groups": [{"full_path": "acme/missing", "access_level": 10}]
        },
        {
            "username": "blocked", "email": "blocked@example.com", "name": "Blocked",
            "password": "a good long password", "state": "blocked", "skip_confirmation": true
        }
    ])
}

async fn find_user(roster: &TestRoster, username: &str) -> Option<Value> {
    let found = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/users?username={username}")),
            200,
        )
        .await;
    found.as_array().unwrap().first().cloned()
}

#[tokio::test]
async fn each_user_is_imported_whole_or_not_at_all() {
    let roster = TestRoster::spawn().await;
    roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/groups")
                .json(&json!({"name": "Acme", "path": "acme"})),
            201,
        )
        .await;
    let key = keygen("ed25519", None, "ada@laptop").public_line.clone();
    let results = import(&roster, "", &batch(&key), 200).await;
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 5, "{results:?}");
    for (index, result) in results.iter().enumerate() {
        assert_eq!(result["index"], index, "{result}");
    }
    assert_eq!(results[0]["status"], "created", "{}", results[0]);
    assert_eq!(results[1]["status"], "failed");
    let errors = &results[1]["errors"];
    assert!(errors["email"].is_array(), "{errors}");
    assert_eq!(
        errors["password_hash"],
        json!(["is not a supported hash"]),
        "{errors}"
    );
    assert!(errors["ssh_keys[0].key"].is_array(), "{errors}");
    assert!(results[1].get("id").is_none());
    assert_eq!(results[2]["status"], "failed");
    assert_eq!(
        results[2]["errors"],
        json!({"username": ["has already been taken"]})
    );
    assert_eq!(results[3]["status"], "failed");
    assert_eq!(
        results[3]["errors"],
        json!({"groups[0].full_path": ["is not a group's full path"]})
    );
    assert_eq!(results[4]["status"], "created");

    // The first user, whole.
    let id = results[0]["id"].as_i64().unwrap();
    let ada = roster
        .expect_json(roster.as_admin(Method::GET, &format!("/api/v4/users/{id}")), 200)
        .await;
    assert_eq!(ada["username"], "ada");
    assert_eq!(ada["bio"], "first");
    assert_eq!(ada["state"], "active");
    assert_eq!(ada["confirmed_at"], "2024-05-01T10:00:00.000Z");
    assert_eq!(ada["identities"][0]["provider"], "github");
    assert_eq!(ada["identities"][0]["extern_uid"], "1815");
    let emails = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/users/{id}/emails")),
            200,
        )
        .await;
    let emails: Vec<(String, bool)> = emails
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["email"].as_str().unwrap().to_owned(),
                e["confirmed_at"].is_string(),
            )
        })
        .collect();
    assert!(emails.contains(&("ada@work.example".into(), true)), "{emails:?}");
    assert!(emails.contains(&("ada@old.example".into(), false)), "{emails:?}");
    let keys = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/users/{id}/keys")),
            200,
        )
        .await;
    assert_eq!(keys[0]["title"], "laptop");
    assert_eq!(keys[0]["usage_type"], "auth");
    let attribute = roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                &format!("/api/v4/users/{id}/custom_attributes/employee_id"),
            ),
            200,
        )
        .await;
    assert_eq!(attribute["value"], "E-1");
    let member = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/groups/acme/members/{id}")),
            200,
        )
        .await;
    assert_eq!(member["access_level"], 30);
    // Signs in with the imported hash's password.
    assert_eq!(sign_in(&roster, "ada", "imported password 1").await.status(), 200);

    // The refused users left nothing behind.
    assert!(find_user(&roster, "bad").await.is_none());
    assert!(find_user(&roster, "nogroup").await.is_none());
    let lookup = roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/users?search=never-stored@example.com"),
            200,
        )
        .await;
    assert_eq!(lookup, json!([]));
    let blocked = find_user(&roster, "blocked").await.unwrap();
    assert_eq!(blocked["state"], "blocked");
    assert_eq!(
        sign_in(&roster, "blocked", "a good long password").await.status(),
        400
    );

    // No mail was sent, and one event tells of the batch.
    for address in ["ada@example.com", "ada@old.example", "blocked@example.com"] {
        assert!(roster.mails_to(address).is_empty(), "mail to {address}");
    }
    let events = roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/audit_events?event_name=users_imported"),
            200,
        )
        .await;
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["details"]["created"], 2, "{}", events[0]);
    assert_eq!(events[0]["details"]["failed"], 3, "{}", events[0]);

    // Importing the same users again: every name is taken now.
    let again = import(&roster, "", &json!([batch(&key)[0].clone()]), 200).await;
    assert_eq!(again[0]["status"], "failed", "{again}");
}

#[tokio::test]
async fn a_dry_run_checks_everything_and_writes_nothing() {
    let roster = TestRoster::spawn().await;
    let key = keygen("ed25519", None, "ada@laptop").public_line.clone();
    let results = import(&roster, "?dry_run=true", &batch(&key), 200).await;
    let statuses: Vec<&str> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    // No group `acme` here: the first user fails for it too.
    assert_eq!(
        statuses,
        ["failed", "failed", "valid", "failed", "valid"],
        "{results}"
    );
    assert_eq!(
        results[0]["errors"],
        json!({"groups[0].full_path": ["is not a group's full path"]})
    );
    assert!(results[2].get("id").is_none(), "{results}");
    for username in ["ada", "ADA", "blocked"] {
        assert!(
            find_user(&roster, username).await.is_none(),
            "{username} was stored"
        );
    }
    let events = roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/audit_events?event_name=users_imported"),
            200,
        )
        .await;
    assert_eq!(events, json!([]));
}

#[tokio::test]
async fn mail_goes_out_only_when_asked() {
    let roster = TestRoster::spawn().await;
    let body = json!([
        {"username": "quiet", "email": "quiet@example.com", "name": "Q", "password": "a good long password"},
        {"username": "reset", "email": "reset@example.com", "name": "R", "reset_password": true, "skip_confirmation": true}
    ]);
    let results = import(&roster, "", &body, 200).await;
    assert_eq!(results[0]["status"], "created", "{results}");
    let quiet = find_user(&roster, "quiet").await.unwrap();
    assert!(quiet["confirmed_at"].is_null(), "{quiet}");
    assert!(roster.mails_to("quiet@example.com").is_empty());
    assert_eq!(
        roster.mails_to("reset@example.com").len(),
        1,
        "the reset link asked for"
    );

    let body = json!([{"username": "loud", "email": "loud@example.com", "name": "L", "password": "a good long password"}]);
    import(&roster, "?send_confirmation=true", &body, 200).await;
    assert_eq!(roster.mails_to("loud@example.com").len(), 1);
}

#[tokio::test]
async fn whole_requests_that_are_wrong_are_refused() {
    let roster = TestRoster::spawn().await;
    let one =
        json!({"username": "uma", "email": "uma@example.com", "name": "U", "force_random_password": true});
    let too_many = Value::Array(vec![one.clone(); 1001]);
    let body = import(&roster, "", &too_many, 400).await;
    assert!(
        body["message"].as_str().unwrap().contains("at most 1000"),
        "{body}"
    );
    import(&roster, "", &json!([]), 400).await;
    import(&roster, "", &one, 400).await;
    import(&roster, "?dry_run=perhaps", &json!([one.clone()]), 400).await;
    let results = import(&roster, "", &json!([1, "x", one.clone()]), 200).await;
    assert_eq!(results[0]["errors"], json!({"base": ["must be a JSON object"]}));
    assert_eq!(results[2]["status"], "created", "{results}");
    let missing = import(&roster, "", &json!([{"username": "vera"}]), 200).await;
    assert_eq!(missing[0]["errors"]["email"], json!(["is missing"]), "{missing}");

    let alice = roster.create_user("alice").await;
    let refused = roster
        .with_token(&alice.token, Method::POST, "/api/v4/users/import")
        .json(&json!([one]))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let text = roster
        .as_admin(Method::POST, "/api/v4/users/import")
        .header("content-type", "text/csv")
        .body("username,email")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 415);
}
