//! Group members (§9): GitLab's levels and rules, the last Owner, expiry,
//! inherited members page by page, and two Owners racing.
use crate::groups::{add_member, create_group, ids, status};
use reqwest::Method;
use roster_testkit::{TestRoster, TestUser};
use serde_json::{json, Value};

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
    // GitLab's associations count: the same two groups; Roster has no
    // projects, issues or merge requests.
    let counted = roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                &format!("/api/v4/users/{}/associations_count", dev.id),
            ),
            200,
        )
        .await;
    assert_eq!(
        counted,
        json!({"groups_count": 2, "projects_count": 0, "issues_count": 0, "merge_requests_count": 0})
    );
    assert_eq!(
        status(roster.with_token(
            &newcomer.token,
            Method::GET,
            &format!("/api/v4/users/{}/associations_count", dev.id)
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
