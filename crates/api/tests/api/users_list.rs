//! §4 `GET /users`: filters, search, order and both paginations.
use reqwest::Method;
use roster_testkit::TestRoster;
use serde_json::{json, Value};

fn usernames(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect()
}

async fn seeded() -> TestRoster {
    let roster = TestRoster::spawn().await;
    for name in ["anna", "bert", "carl", "dora", "emil"] {
        roster.create_user(name).await;
    }
    roster
}

#[tokio::test]
async fn offset_pages_carry_every_gitlab_header() {
    let roster = seeded().await;
    let r = roster
        .get("/api/v4/users?per_page=2&page=2&order_by=id&sort=asc&active=true")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["x-page"], "2");
    assert_eq!(h["x-per-page"], "2");
    assert_eq!(h["x-total"], "6");
    assert_eq!(h["x-total-pages"], "3");
    assert_eq!(h["x-next-page"], "3");
    assert_eq!(h["x-prev-page"], "1");
    let link = h["link"].to_str().unwrap();
    for rel in ["prev", "next", "first", "last"] {
        assert!(link.contains(&format!("rel=\"{rel}\"")), "{link}");
    }
    assert!(
        link.contains(&format!("<{}/api/v4/users?", roster.url)),
        "absolute: {link}"
    );
    assert!(
        link.contains("active=true") && link.contains("order_by=id") && link.contains("sort=asc"),
        "{link}"
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(usernames(&body), ["bert", "carl"]);

    let r = roster
        .get("/api/v4/users?per_page=2&page=3&sort=asc")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-next-page"], "");
    assert_eq!(r.headers()["x-prev-page"], "2");
    assert!(!r.headers()["link"].to_str().unwrap().contains("rel=\"next\""));
    let r = roster.get("/api/v4/users?per_page=500").send().await.unwrap();
    assert_eq!(r.headers()["x-per-page"], "100");
    let body = roster
        .expect_json(roster.get("/api/v4/users?page=abc"), 400)
        .await;
    assert_eq!(body, json!({"error": "page is invalid"}));
}

#[tokio::test]
async fn keyset_pages_follow_the_cursor() {
    let roster = seeded().await;
    let mut url = format!(
        "{}/api/v4/users?pagination=keyset&order_by=id&sort=asc&per_page=2",
        roster.url
    );
    let mut seen = Vec::new();
    for _ in 0..10 {
        let r = reqwest::get(&url).await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers().get("x-total").is_none(), "no totals in keyset mode");
        let next = r.headers().get("link").map(|l| l.to_str().unwrap().to_owned());
        let body: Value = r.json().await.unwrap();
        seen.extend(usernames(&body));
        match next {
            Some(link) => {
                assert!(link.ends_with("rel=\"next\""), "{link}");
                url = link.trim_start_matches('<').split('>').next().unwrap().to_owned();
                assert!(url.contains("cursor="));
            }
            None => break,
        }
    }
    assert_eq!(seen, ["root", "anna", "bert", "carl", "dora", "emil"]);
    let r = roster
        .get("/api/v4/users?pagination=keyset&order_by=name")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    roster
        .expect_json(roster.get("/api/v4/users?pagination=keyset&cursor=%%%"), 400)
        .await;
}

#[tokio::test]
async fn filters_search_and_order() {
    let roster = seeded().await;
    roster
        .create_user_with(
            "zed_admin",
            json!({"admin": true, "external": true, "name": "Zorro El Dorado"}),
        )
        .await;
    let bert = roster
        .expect_json(roster.get("/api/v4/users?username=BERT"), 200)
        .await;
    assert_eq!(usernames(&bert), ["bert"]);

    let found = roster
        .expect_json(roster.get("/api/v4/users?search=DOR"), 200)
        .await;
    assert_eq!(
        usernames(&found),
        ["zed_admin", "dora"],
        "substring of username or name, newest first"
    );
    // As in GitLab, terms under three characters match whole values only.
    let short = roster
        .expect_json(roster.get("/api/v4/users?search=OR"), 200)
        .await;
    assert_eq!(usernames(&short), Vec::<String>::new());
    roster
        .create_user_with("zo", json!({"name": "A Short One"}))
        .await;
    let short = roster
        .expect_json(roster.get("/api/v4/users?search=ZO"), 200)
        .await;
    assert_eq!(usernames(&short), ["zo"]);
    // E-mail: anyone may find an exact address; only admins search inside them.
    let exact = roster
        .expect_json(roster.get("/api/v4/users?search=carl@example.com"), 200)
        .await;
    assert_eq!(usernames(&exact), ["carl"]);
    let partial = roster
        .expect_json(roster.get("/api/v4/users?search=example.co"), 200)
        .await;
    assert_eq!(usernames(&partial), Vec::<String>::new());
    let partial = roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/users?search=example.co&per_page=100"),
            200,
        )
        .await;
    assert_eq!(partial.as_array().unwrap().len(), 8);
    // LIKE wildcards are matched literally.
    let literal = roster
        .expect_json(roster.get("/api/v4/users?search=%25"), 200)
        .await;
    assert_eq!(usernames(&literal), Vec::<String>::new());

    let admins = roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/users?admins=true&sort=asc"),
            200,
        )
        .await;
    assert_eq!(usernames(&admins), ["root", "zed_admin"]);
    let external = roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/users?external=true"), 200)
        .await;
    assert_eq!(usernames(&external), ["zed_admin"]);

    let by_name = roster
        .expect_json(
            roster.get("/api/v4/users?order_by=username&sort=asc&per_page=3"),
            200,
        )
        .await;
    assert_eq!(usernames(&by_name), ["anna", "bert", "carl"]);
    let by_name = roster
        .expect_json(
            roster.get("/api/v4/users?order_by=name&sort=desc&per_page=2"),
            200,
        )
        .await;
    assert_eq!(usernames(&by_name), ["zed_admin", "root"]);
    let body = roster
        .expect_json(roster.get("/api/v4/users?order_by=password"), 400)
        .await;
    assert_eq!(body, json!({"error": "order_by does not have a valid value"}));
    roster
        .expect_json(roster.get("/api/v4/users?sort=sideways"), 400)
        .await;

    roster
        .expect_json(
            roster.as_admin(Method::POST, &format!("/api/v4/users/{}/block", bert[0]["id"])),
            201,
        )
        .await;
    let blocked = roster
        .expect_json(roster.get("/api/v4/users?blocked=true"), 200)
        .await;
    assert_eq!(usernames(&blocked), ["bert"]);
    let active = roster
        .expect_json(roster.get("/api/v4/users?active=1&per_page=100"), 200)
        .await;
    assert!(!usernames(&active).contains(&"bert".to_owned()));

    let future = roster
        .expect_json(
            roster.get("/api/v4/users?created_after=2999-01-01T00:00:00Z"),
            200,
        )
        .await;
    assert_eq!(future, json!([]));
    let past = roster
        .expect_json(
            roster.get("/api/v4/users?created_before=2999-01-01&per_page=100"),
            200,
        )
        .await;
    assert_eq!(past.as_array().unwrap().len(), 8);
    let body = roster
        .expect_json(roster.get("/api/v4/users?created_after=yesterday"), 400)
        .await;
    assert_eq!(body, json!({"error": "created_after is invalid"}));
}

#[tokio::test]
async fn lists_show_basic_rows_to_users_and_admin_rows_to_admins() {
    let roster = seeded().await;
    let anna = roster.create_user("annika").await;
    let rows = roster
        .expect_json(roster.with_token(&anna.token, Method::GET, "/api/v4/users"), 200)
        .await;
    let mut k: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    k.sort();
    assert_eq!(
        k,
        [
            "avatar_url",
            "id",
            "locked",
            "name",
            "state",
            "username",
            "web_url"
        ]
    );
    let rows = roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/users"), 200)
        .await;
    assert!(rows[0].get("email").is_some() && rows[0].get("identities").is_some());
}

#[tokio::test]
async fn search_follows_renames_and_deletions() {
    // On SQLite the search index is a separate table kept in step by
    // triggers; this checks it never serves stale names.
    let roster = seeded().await;
    let search = |term: &str| roster.as_admin(Method::GET, &format!("/api/v4/users?search={term}"));
    let anna = usernames(&roster.expect_json(search("anna"), 200).await);
    assert_eq!(anna, ["anna"]);
    let carl = roster.expect_json(search("carl"), 200).await;
    let path = format!("/api/v4/users/{}", carl[0]["id"]);
    roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &path)
                .json(&json!({"name": "Karla Quartz", "username": "karla", "email": "kq@example.org"})),
            200,
        )
        .await;
    assert_eq!(
        usernames(&roster.expect_json(search("carl"), 200).await),
        Vec::<String>::new()
    );
    for term in ["quartz", "KARL", "kq@example"] {
        assert_eq!(
            usernames(&roster.expect_json(search(term), 200).await),
            ["karla"],
            "{term}"
        );
    }
    let r = roster.as_admin(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        usernames(&roster.expect_json(search("quartz"), 200).await),
        Vec::<String>::new()
    );
    // Quotes and FTS syntax in a term are matched literally.
    for term in [
        "%22quartz%22",
        "quartz%20OR%20anna",
        "a*",
        "%7Bname%7D%20%3A%20anna",
    ] {
        assert_eq!(
            usernames(&roster.expect_json(search(term), 200).await),
            Vec::<String>::new(),
            "{term}"
        );
    }
}

/// GitLab's `GET /user/activities` (admin): who was active since `from`.
#[tokio::test]
async fn activities_list_who_was_active_since_a_day() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    roster.create_user("bob").await;
    // alice uses her token today; bob never does.
    roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
        .await;
    let today = chrono::Utc::now().date_naive().to_string();
    let listed = roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/user/activities"), 200)
        .await;
    let names = usernames(&listed);
    assert!(
        names.contains(&"alice".to_owned()) && !names.contains(&"bob".to_owned()),
        "{listed}"
    );
    let alice_row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["username"] == "alice")
        .unwrap();
    assert_eq!(alice_row["last_activity_on"], json!(today));
    assert_eq!(alice_row["last_activity_at"], json!(today));
    let later = roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/user/activities?from=2999-01-01"),
            200,
        )
        .await;
    assert_eq!(later, json!([]));
    roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/user/activities?from=yesterday"),
            400,
        )
        .await;
    roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/user/activities"),
            403,
        )
        .await;
}
