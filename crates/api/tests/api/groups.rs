//! Organisations and teams (§9): groups, members, inheritance, visibility,
//! invitations, group access tokens and what deleting takes with it.
use reqwest::Method;
use roster_testkit::{TestRoster, TestUser, TEST_PASSWORD};
use serde_json::{json, Value};

async fn create_group(roster: &TestRoster, owner: &TestUser, body: Value) -> Value {
    roster
        .expect_json(
            roster
                .with_token(&owner.token, Method::POST, "/api/v4/groups")
                .json(&body),
            201,
        )
        .await
}

async fn add_member(roster: &TestRoster, by: &TestUser, group: &Value, user: &TestUser, level: u8) -> Value {
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

async fn status(request: reqwest::RequestBuilder) -> u16 {
    request.send().await.unwrap().status().as_u16()
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_i64().unwrap())
        .collect()
}

/// A link's parameter in a mail body.
fn link_param(body: &str, name: &str) -> String {
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

#[tokio::test]
async fn members_follow_gitlabs_rules() {
    let roster = TestRoster::spawn().await;
    let owner = roster.create_user("owner").await;
    let maintainer = roster.create_user("maint").await;
    let dev = roster.create_user("dev").await;
    let newcomer = roster.create_user("newcomer").await;
    let acme = create_group(&roster, &owner, json!({"name": "Acme", "path": "acme"})).await;
    let team = create_group(
        &roster,
        &owner,
        json!({"name": "Team", "path": "team", "parent_id": acme["id"]}),
    )
    .await;
    let id = acme["id"].as_i64().unwrap();
    add_member(&roster, &owner, &acme, &maintainer, 40).await;
    let added = add_member(&roster, &maintainer, &acme, &dev, 30).await;
    for field in [
        "id",
        "username",
        "name",
        "state",
        "avatar_url",
        "web_url",
        "access_level",
        "created_at",
        "expires_at",
        "membership_state",
    ] {
        assert!(added.get(field).is_some(), "{field} in {added}");
    }
    assert_eq!(added["access_level"], 30);
    assert_eq!(added["membership_state"], "active");

    // A Maintainer grants up to Maintainer, and does not touch Owners.
    let as_maintainer = |method: Method, path: String| roster.with_token(&maintainer.token, method, &path);
    assert_eq!(
        status(
            as_maintainer(Method::POST, format!("/api/v4/groups/{id}/members"))
                .json(&json!({"user_id": newcomer.id, "access_level": 50}))
        )
        .await,
        403
    );
    assert_eq!(
        status(
            as_maintainer(Method::PUT, format!("/api/v4/groups/{id}/members/{}", owner.id))
                .json(&json!({"access_level": 40}))
        )
        .await,
        403
    );
    assert_eq!(
        status(as_maintainer(
            Method::DELETE,
            format!("/api/v4/groups/{id}/members/{}", owner.id)
        ))
        .await,
        403
    );
    // A Developer manages nobody.
    assert_eq!(
        status(
            roster
                .with_token(&dev.token, Method::POST, &format!("/api/v4/groups/{id}/members"))
                .json(&json!({"user_id": newcomer.id, "access_level": 10}))
        )
        .await,
        403
    );
    // Duplicates, unknown users and levels.
    let duplicate = roster
        .expect_json(
            roster
                .with_token(
                    &owner.token,
                    Method::POST,
                    &format!("/api/v4/groups/{id}/members"),
                )
                .json(&json!({"user_id": dev.id, "access_level": 10})),
            409,
        )
        .await;
    assert_eq!(duplicate, json!({"message": "Member already exists"}));
    let bad_level = roster
        .expect_json(
            roster
                .with_token(
                    &owner.token,
                    Method::POST,
                    &format!("/api/v4/groups/{id}/members"),
                )
                .json(&json!({"user_id": newcomer.id, "access_level": 35})),
            400,
        )
        .await;
    assert_eq!(
        bad_level,
        json!({"error": "access_level does not have a valid value"})
    );
    assert_eq!(
        status(
            roster
                .with_token(
                    &owner.token,
                    Method::POST,
                    &format!("/api/v4/groups/{id}/members")
                )
                .json(&json!({"user_id": 999_999, "access_level": 10}))
        )
        .await,
        404
    );
    let by_name = roster
        .expect_json(
            roster
                .with_token(
                    &owner.token,
                    Method::POST,
                    &format!("/api/v4/groups/{id}/members"),
                )
                .json(&json!({"username": "newcomer", "access_level": 20, "expires_at": "2999-01-01"})),
            201,
        )
        .await;
    assert_eq!(by_name["expires_at"], "2999-01-01");

    // The last Owner of a top-level group stays.
    let last = roster
        .expect_json(
            roster
                .with_token(
                    &owner.token,
                    Method::PUT,
                    &format!("/api/v4/groups/{id}/members/{}", owner.id),
                )
                .json(&json!({"access_level": 40})),
            403,
        )
        .await;
    assert!(last["message"].as_str().unwrap().contains("Owner"));
    assert_eq!(
        status(roster.with_token(
            &owner.token,
            Method::DELETE,
            &format!("/api/v4/groups/{id}/members/{}", owner.id)
        ))
        .await,
        403
    );
    // With a second Owner, the first may leave.
    roster
        .expect_json(
            roster
                .with_token(
                    &owner.token,
                    Method::PUT,
                    &format!("/api/v4/groups/{id}/members/{}", maintainer.id),
                )
                .json(&json!({"access_level": 50})),
            200,
        )
        .await;
    assert_eq!(
        status(roster.with_token(
            &owner.token,
            Method::DELETE,
            &format!("/api/v4/groups/{id}/members/{}", owner.id)
        ))
        .await,
        204
    );

    // Inherited members: the team's members/all has the group's, at their
    // highest level; the team's direct list has only its creator.
    add_member(&roster, &maintainer, &team, &dev, 40).await;
    let all = roster
        .expect_json(
            roster.with_token(
                &dev.token,
                Method::GET,
                &format!("/api/v4/groups/{}/members/all", team["id"]),
            ),
            200,
        )
        .await;
    let level_of = |uid: i64| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == uid)
            .map(|m| m["access_level"].clone())
    };
    assert_eq!(level_of(dev.id), Some(json!(40)), "the higher, direct level");
    assert_eq!(level_of(newcomer.id), Some(json!(20)), "inherited from acme");
    assert_eq!(level_of(maintainer.id), Some(json!(50)));
    let direct = roster
        .expect_json(
            roster.with_token(
                &dev.token,
                Method::GET,
                &format!("/api/v4/groups/{}/members", team["id"]),
            ),
            200,
        )
        .await;
    assert_eq!(direct.as_array().unwrap().len(), 2, "{direct}");

    // Memberships, for the user and admins only.
    let memberships = roster
        .expect_json(
            roster.with_token(
                &dev.token,
                Method::GET,
                &format!("/api/v4/users/{}/memberships", dev.id),
            ),
            200,
        )
        .await;
    assert_eq!(
        memberships,
        json!([
            {"source_id": id, "source_name": "Acme", "source_type": "Namespace", "access_level": 30,
             "source_full_path": "acme", "source_parent_id": null, "expires_at": null},
            {"source_id": team["id"], "source_name": "Team", "source_type": "Namespace", "access_level": 40,
             "source_full_path": "acme/team", "source_parent_id": id, "expires_at": null},
        ])
    );
    assert_eq!(
        status(roster.with_token(
            &newcomer.token,
            Method::GET,
            &format!("/api/v4/users/{}/memberships", dev.id)
        ))
        .await,
        403
    );

    // Each change is a security event about the group.
    let events = roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                &format!("/api/v4/audit_events?entity_type=Group&entity_id={id}&per_page=100"),
            ),
            200,
        )
        .await;
    let names: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "member_removed",
            "member_updated",
            "member_added",
            "member_added",
            "member_added",
            "group_created"
        ]
    );
    assert!(events
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["entity_type"] == "Group"));
}

#[tokio::test]
async fn an_expired_membership_grants_nothing() {
    let roster = TestRoster::spawn().await;
    let owner = roster.create_user("owner").await;
    let temp = roster.create_user("temp").await;
    let acme = create_group(&roster, &owner, json!({"name": "Acme", "path": "acme"})).await;
    add_member(&roster, &owner, &acme, &temp, 30).await;
    let path = format!("/api/v4/groups/{}", acme["id"]);
    assert_eq!(
        status(roster.with_token(&temp.token, Method::GET, &path)).await,
        200
    );
    // Time passes: the membership's last day is behind us.
    {
        use diesel::RunQueryDsl;
        let mut conn = roster_persistence::DbManager::new(roster.database_url())
            .unwrap()
            .connect_now()
            .unwrap();
        diesel::sql_query(format!(
            "UPDATE group_members SET expires_at = '{}' WHERE user_id = {}",
            chrono::Utc::now().date_naive(),
            temp.id
        ))
        .execute(&mut conn)
        .unwrap();
    }
    assert_eq!(
        status(roster.with_token(&temp.token, Method::GET, &path)).await,
        404
    );
    let members = roster
        .expect_json(
            roster.with_token(&owner.token, Method::GET, &format!("{path}/members")),
            200,
        )
        .await;
    assert_eq!(ids(&members), [owner.id]);
    // Adding them again is not a duplicate.
    add_member(&roster, &owner, &acme, &temp, 10).await;
}

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

    // Cancelled invitations are gone.
    roster.expect_json(invite("later@example.com"), 201).await;
    assert_eq!(
        status(roster.with_token(
            &owner.token,
            Method::DELETE,
            &format!("/api/v4/groups/{id}/invitations/later@example.com")
        ))
        .await,
        204
    );
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
    assert_eq!(listed.as_array().unwrap().len(), 1);
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

#[tokio::test]
async fn two_owners_demoting_each_other_at_once_leave_one_owner() {
    let roster = TestRoster::spawn_with(|s| s.db_pool_size = 8).await;
    for round in 0..5 {
        let a = roster.create_user(&format!("a{round}")).await;
        let b = roster.create_user(&format!("b{round}")).await;
        let group = create_group(&roster, &a, json!({"name": "G", "path": format!("g{round}")})).await;
        add_member(&roster, &a, &group, &b, 50).await;
        let id = group["id"].as_i64().unwrap();
        let demote = |by: &TestUser, whom: &TestUser| {
            roster
                .with_token(
                    &by.token,
                    Method::PUT,
                    &format!("/api/v4/groups/{id}/members/{}", whom.id),
                )
                .json(&json!({"access_level": 40}))
                .send()
        };
        let (x, y) = tokio::join!(demote(&a, &b), demote(&b, &a));
        let mut statuses = [x.unwrap().status().as_u16(), y.unwrap().status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 403], "round {round}");
        let members = roster
            .expect_json(
                roster.as_admin(Method::GET, &format!("/api/v4/groups/{id}/members")),
                200,
            )
            .await;
        let owners = members
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["access_level"] == 50)
            .count();
        assert_eq!(owners, 1, "round {round}: {members}");
    }
}

#[tokio::test]
async fn inherited_members_page_in_id_order_each_once() {
    let roster = TestRoster::spawn().await;
    let owner = roster.create_user("owner").await;
    let org = create_group(&roster, &owner, json!({"name": "Org", "path": "org"})).await;
    let team = create_group(
        &roster,
        &owner,
        json!({"name": "T", "path": "t", "parent_id": org["id"]}),
    )
    .await;
    let mut people = Vec::new();
    for n in 0..9 {
        people.push(roster.create_user(&format!("person{n}")).await);
    }
    for p in &people[..6] {
        add_member(&roster, &owner, &org, p, 10).await;
    }
    for p in &people[3..] {
        add_member(&roster, &owner, &team, p, 30).await;
    }
    let mut expected: Vec<i64> = people.iter().map(|p| p.id).collect();
    expected.push(owner.id);
    expected.sort_unstable();
    let mut seen = Vec::new();
    for page in 1..=4 {
        let r = roster
            .with_token(
                &owner.token,
                Method::GET,
                &format!("/api/v4/groups/{}/members/all?per_page=3&page={page}", team["id"]),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["x-total"], "10");
        let has_next = r.headers().get("x-next-page").is_some_and(|v| !v.is_empty());
        let body: Value = r.json().await.unwrap();
        assert_eq!(has_next, page < 4, "page {page}");
        for m in body.as_array().unwrap() {
            let id = m["id"].as_i64().unwrap();
            let level = m["access_level"].as_i64().unwrap();
            let in_team = people[3..].iter().any(|p| p.id == id);
            assert_eq!(
                level,
                if id == owner.id {
                    50
                } else if in_team {
                    30
                } else {
                    10
                },
                "{m}"
            );
            seen.push(id);
        }
    }
    assert_eq!(seen, expected);
    let filtered = roster
        .expect_json(
            roster.with_token(
                &owner.token,
                Method::GET,
                &format!("/api/v4/groups/{}/members/all?query=person4", team["id"]),
            ),
            200,
        )
        .await;
    assert_eq!(ids(&filtered), [people[4].id]);
}
