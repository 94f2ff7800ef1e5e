//! Organisations and teams (§9): groups, their paths and nesting,
//! visibility on every read, avatars, and what deleting takes along. The
//! members, invitations and group tokens have files of their own.
use reqwest::Method;
use roster_testkit::{TestRoster, TestUser};
use serde_json::{json, Value};

pub(crate) async fn create_group(roster: &TestRoster, owner: &TestUser, body: Value) -> Value {
    roster
        .expect_json(
            roster
                .with_token(&owner.token, Method::POST, "/api/v4/groups")
                .json(&body),
            201,
        )
        .await
}

pub(crate) async fn add_member(
    roster: &TestRoster,
    by: &TestUser,
    group: &Value,
    user: &TestUser,
    level: u8,
) -> Value {
    roster
        .expect_json(
            roster
                .with_token(
                    &by.token,
                    Method::POST,
                    &format!("/api/v4/groups/{}/members", group["id"]),
                )
                .json(&json!({"user_id": user.id, "access_level": level})),
            201,
        )
        .await
}

pub(crate) async fn status(request: reqwest::RequestBuilder) -> u16 {
    request.send().await.unwrap().status().as_u16()
}

pub(crate) fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_i64().unwrap())
        .collect()
}

/// A link's parameter in a mail body.
pub(crate) fn link_param(body: &str, name: &str) -> String {
    let start = body.find(&format!("{name}=")).expect("the link") + name.len() + 1;
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

#[tokio::test]
async fn groups_nest_with_full_paths_and_are_found_by_either_reference() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let acme = create_group(
        &roster,
        &alice,
        json!({"name": "Acme Inc", "path": "acme", "description": "Us"}),
    )
    .await;
    assert_eq!(acme["full_path"], "acme");
    assert_eq!(acme["visibility"], "private");
    assert_eq!(acme["parent_id"], Value::Null);
    assert_eq!(acme["avatar_url"], Value::Null);
    assert_eq!(acme["web_url"], format!("{}/groups/acme", roster.url));
    let platform = create_group(
        &roster,
        &alice,
        json!({"name": "Platform", "path": "platform", "parent_id": acme["id"]}),
    )
    .await;
    assert_eq!(platform["full_path"], "acme/platform");
    assert_eq!(platform["full_name"], "Acme Inc / Platform");
    let by_path = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/groups/acme%2Fplatform"),
            200,
        )
        .await;
    assert_eq!(by_path["id"], platform["id"]);

    // A path is unique under its parent only.
    let taken = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/groups")
                .json(&json!({"name": "P2", "path": "Platform", "parent_id": acme["id"]})),
            400,
        )
        .await;
    assert_eq!(taken, json!({"message": {"path": ["has already been taken"]}}));
    create_group(&roster, &alice, json!({"name": "Platform", "path": "platform"})).await;

    // Renaming a path carries into every full path below.
    let renamed = roster
        .expect_json(
            roster
                .with_token(
                    &alice.token,
                    Method::PUT,
                    &format!("/api/v4/groups/{}", acme["id"]),
                )
                .json(&json!({"path": "acme-corp", "name": "Acme Corp"})),
            200,
        )
        .await;
    assert_eq!(renamed["full_path"], "acme-corp");
    let child = roster
        .expect_json(
            roster.with_token(
                &alice.token,
                Method::GET,
                &format!("/api/v4/groups/{}", platform["id"]),
            ),
            200,
        )
        .await;
    assert_eq!(child["full_path"], "acme-corp/platform");
    assert_eq!(child["full_name"], "Acme Corp / Platform");

    let subgroups = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/groups/acme-corp/subgroups"),
            200,
        )
        .await;
    assert_eq!(ids(&subgroups), [platform["id"].as_i64().unwrap()]);

    // Bad input is a clear 400.
    for (body, expected) in [
        (json!({"name": "X", "path": "-bad"}), "path"),
        (
            json!({"name": "X", "path": "x", "visibility": "secret"}),
            "visibility",
        ),
        (json!({"name": "<b>", "path": "x"}), "name"),
    ] {
        let r = roster
            .with_token(&alice.token, Method::POST, "/api/v4/groups")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body}");
        assert!(r.text().await.unwrap().contains(expected), "{body}");
    }
    let missing = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/groups")
                .json(&json!({})),
            400,
        )
        .await;
    assert_eq!(missing, json!({"error": "name is missing, path is missing"}));
}

#[tokio::test]
async fn visibility_nests_and_is_enforced_on_every_read() {
    let roster = TestRoster::spawn().await;
    let owner = roster.create_user("owner").await;
    let guest = roster.create_user("guest").await;
    let maintainer = roster.create_user("maint").await;
    let outsider = roster.create_user("outsider").await;
    let external = roster.create_user_with("ext", json!({"external": true})).await;
    let admin = roster.admin.clone();

    // A public subgroup under a private group is refused.
    let private = create_group(&roster, &owner, json!({"name": "Priv", "path": "priv"})).await;
    let r = roster
        .expect_json(
            roster
                .with_token(&owner.token, Method::POST, "/api/v4/groups")
                .json(&json!({"name": "T", "path": "t", "parent_id": private["id"], "visibility": "public"})),
            400,
        )
        .await;
    assert!(r["message"]["visibility_level"].is_array(), "{r}");

    let mut groups = Vec::new();
    for visibility in ["private", "internal", "public"] {
        let g = create_group(
            &roster,
            &owner,
            json!({"name": visibility, "path": format!("g-{visibility}"), "visibility": visibility}),
        )
        .await;
        let team = create_group(
            &roster,
            &owner,
            json!({"name": "team", "path": "team", "parent_id": g["id"], "visibility": visibility}),
        )
        .await;
        add_member(&roster, &owner, &g, &guest, 10).await;
        add_member(&roster, &owner, &g, &maintainer, 40).await;
        groups.push((visibility, g, team));
    }
    // A parent cannot become narrower than its subgroups.
    let narrowed = roster
        .with_token(
            &owner.token,
            Method::PUT,
            &format!("/api/v4/groups/{}", groups[2].1["id"]),
        )
        .json(&json!({"visibility": "private"}))
        .send()
        .await
        .unwrap();
    assert_eq!(narrowed.status(), 400);

    let callers: [(&str, Option<&TestUser>); 7] = [
        ("anonymous", None),
        ("outsider", Some(&outsider)),
        ("external", Some(&external)),
        ("guest", Some(&guest)),
        ("maintainer", Some(&maintainer)),
        ("owner", Some(&owner)),
        ("admin", Some(&admin)),
    ];
    let level = |who: &str| match who {
        "guest" => 10,
        "maintainer" => 40,
        "owner" | "admin" => 50,
        _ => 0,
    };
    let mut failures = Vec::new();
    for (visibility, group, team) in &groups {
        for (who, user) in &callers {
            let reads = level(who) > 0
                || *visibility == "public"
                || (*visibility == "internal" && !matches!(*who, "anonymous" | "external"));
            let id = group["id"].as_i64().unwrap();
            let team_id = team["id"].as_i64().unwrap();
            let read_routes = [
                format!("/api/v4/groups/{id}"),
                format!("/api/v4/groups/g-{visibility}"),
                format!("/api/v4/groups/{id}/subgroups"),
                format!("/api/v4/groups/{id}/descendant_groups"),
                format!("/api/v4/groups/{id}/members"),
                format!("/api/v4/groups/{id}/members/all"),
                format!("/api/v4/groups/{id}/members/{}", owner.id),
                format!("/api/v4/groups/{id}/members/all/{}", owner.id),
                format!("/api/v4/groups/{team_id}"),
                format!("/api/v4/groups/g-{visibility}%2Fteam/members/all"),
            ];
            // Writes and the managers' reads, with what they need.
            let signed_in = |needed: u8| -> u16 {
                if user.is_none() {
                    401
                } else if !reads {
                    404
                } else if level(who) >= needed {
                    0
                } else {
                    403
                }
            };
            let managed = [
                (
                    Method::GET,
                    format!("/api/v4/groups/{id}/invitations"),
                    Value::Null,
                    signed_in(40),
                    200,
                ),
                (
                    Method::GET,
                    format!("/api/v4/groups/{id}/access_tokens"),
                    Value::Null,
                    signed_in(50),
                    200,
                ),
                (
                    Method::PUT,
                    format!("/api/v4/groups/{id}"),
                    json!({"description": who}),
                    signed_in(50),
                    200,
                ),
                (
                    Method::PUT,
                    format!("/api/v4/groups/{id}/members/{}", guest.id),
                    json!({"access_level": 10}),
                    signed_in(40),
                    200,
                ),
            ];
            for path in read_routes {
                let mut request = roster.request(Method::GET, &path);
                if let Some(u) = user {
                    request = request.header("PRIVATE-TOKEN", &u.token);
                }
                let got = status(request).await;
                let expected = if reads { 200 } else { 404 };
                if got != expected {
                    failures.push(format!("{who} GET {path} ({visibility}): {got}, not {expected}"));
                }
            }
            for (method, path, body, refusal, ok) in managed {
                let mut request = roster.request(method.clone(), &path);
                if let Some(u) = user {
                    request = request.header("PRIVATE-TOKEN", &u.token);
                }
                if !body.is_null() {
                    request = request.json(&body);
                }
                let got = status(request).await;
                let expected = if refusal == 0 { ok } else { refusal };
                if got != expected {
                    failures.push(format!(
                        "{who} {method} {path} ({visibility}): {got}, not {expected}"
                    ));
                }
            }
            // Lists show a group exactly when it can be read.
            let mut request = roster.request(Method::GET, "/api/v4/groups?all_available=true&per_page=100");
            if let Some(u) = user {
                request = request.header("PRIVATE-TOKEN", &u.token);
            }
            let listed = ids(&request.send().await.unwrap().json::<Value>().await.unwrap());
            if listed.contains(&id) != reads {
                failures.push(format!(
                    "{who} list ({visibility}): listed {}",
                    listed.contains(&id)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Without all_available, a user lists only their groups (and those below).
    let mine = roster
        .expect_json(
            roster.with_token(&guest.token, Method::GET, "/api/v4/groups?per_page=100"),
            200,
        )
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 6, "{mine}");
    let none = roster
        .expect_json(
            roster.with_token(&outsider.token, Method::GET, "/api/v4/groups"),
            200,
        )
        .await;
    assert_eq!(none, json!([]));
    let anonymous = roster
        .expect_json(roster.get("/api/v4/groups?per_page=100"), 200)
        .await;
    assert!(anonymous
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["visibility"] == "public"));
    assert_eq!(anonymous.as_array().unwrap().len(), 2);
}

fn png_base64() -> String {
    use base64::Engine;
    let img = image::RgbImage::from_pixel(4, 4, image::Rgb([9, 8, 7]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    base64::engine::general_purpose::STANDARD.encode(out.into_inner())
}

#[tokio::test]
async fn a_group_has_an_avatar_until_it_goes() {
    let roster = TestRoster::spawn().await;
    let owner = roster.create_user("owner").await;
    let acme = create_group(&roster, &owner, json!({"name": "Acme", "path": "acme"})).await;
    let team = create_group(
        &roster,
        &owner,
        json!({"name": "T", "path": "t", "parent_id": acme["id"], "avatar_base64": png_base64()}),
    )
    .await;
    let url = team["avatar_url"].as_str().expect("an avatar URL").to_owned();
    let path = url.strip_prefix(&roster.url).unwrap().to_owned();
    let image = roster.get(&path).send().await.unwrap();
    assert_eq!(image.status(), 200);
    assert_eq!(image.headers()["content-type"], "image/png");
    let bad = roster
        .with_token(
            &owner.token,
            Method::PUT,
            &format!("/api/v4/groups/{}", acme["id"]),
        )
        .json(&json!({"avatar_base64": "bm90IGFuIGltYWdl"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(
        status(roster.with_token(
            &owner.token,
            Method::DELETE,
            &format!("/api/v4/groups/{}", acme["id"])
        ))
        .await,
        202
    );
    assert_eq!(
        status(roster.get(&path)).await,
        404,
        "the image went with the last group that showed it"
    );
}

#[tokio::test]
async fn deleting_takes_memberships_subgroups_and_tokens_along() {
    let roster = TestRoster::spawn().await;
    let owner = roster.create_user("owner").await;
    let leaver = roster.create_user("leaver").await;
    let acme = create_group(&roster, &owner, json!({"name": "Acme", "path": "acme"})).await;
    let team = create_group(
        &roster,
        &owner,
        json!({"name": "T", "path": "t", "parent_id": acme["id"]}),
    )
    .await;
    let deep = create_group(
        &roster,
        &owner,
        json!({"name": "D", "path": "d", "parent_id": team["id"]}),
    )
    .await;
    add_member(&roster, &owner, &team, &leaver, 30).await;
    roster
        .expect_json(
            roster
                .with_token(&leaver.token, Method::POST, "/api/v4/groups")
                .json(&json!({"name": "Side", "path": "side"})),
            201,
        )
        .await;
    let gat = roster
        .expect_json(
            roster
                .with_token(
                    &owner.token,
                    Method::POST,
                    &format!("/api/v4/groups/{}/access_tokens", team["id"]),
                )
                .json(&json!({"name": "t", "scopes": ["read_api"]})),
            201,
        )
        .await;

    // A deleted user's memberships go.
    assert_eq!(
        status(roster.as_admin(Method::DELETE, &format!("/api/v4/users/{}", leaver.id))).await,
        204
    );
    let members = roster
        .expect_json(
            roster.with_token(
                &owner.token,
                Method::GET,
                &format!("/api/v4/groups/{}/members", team["id"]),
            ),
            200,
        )
        .await;
    assert!(!ids(&members).contains(&leaver.id));

    let deleted = roster
        .expect_json(
            roster.with_token(
                &owner.token,
                Method::DELETE,
                &format!("/api/v4/groups/{}", acme["id"]),
            ),
            202,
        )
        .await;
    assert_eq!(deleted, json!({"message": "202 Accepted"}));
    for g in [&acme, &team, &deep] {
        assert_eq!(
            status(roster.as_admin(Method::GET, &format!("/api/v4/groups/{}", g["id"]))).await,
            404
        );
    }
    assert_eq!(
        status(roster.with_token(gat["token"].as_str().unwrap(), Method::GET, "/api/v4/user")).await,
        401
    );
    assert_eq!(
        status(roster.as_admin(Method::GET, &format!("/api/v4/users/{}", gat["user_id"]))).await,
        404,
        "the bot went with its group"
    );
    let events = roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/audit_events?event_name=group_deleted"),
            200,
        )
        .await;
    assert_eq!(events[0]["entity_id"], acme["id"]);
}
