//! §2/§6 privacy, table-driven: every read path × every kind of viewer ×
//! each setting, asserting exactly who sees what.
use reqwest::Method;
use roster_testkit::{TestRoster, TestUser};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Other,
    Follower,
    Owner,
    Admin,
}
use Who::*;
const EVERYONE: &[Who] = &[Anonymous, Other, Follower, Owner, Admin];
const OWNER_AND_ADMIN: &[Who] = &[Owner, Admin];

/// What a viewer can observe of the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Aspect {
    /// `bio` and the other `User` fields on `GET /users/:id`.
    ProfileFields,
    /// `followers`/`following` counts on `GET /users/:id`.
    FollowCounts,
    /// `last_activity_on` on `GET /users/:id`.
    Activity,
    /// `GET /users/:id/followers` and `/following` answer 200 with the rows.
    FollowLists,
    /// `GET /users/:username/keys` and `GET /:username.keys` answer 200.
    Keys,
    /// The subject is in `GET /users?search=…`.
    InSearch,
    /// The subject is in the plain `GET /users` list.
    InList,
    /// The avatar image is served.
    Avatar,
}
use Aspect::*;

/// (setting, aspect, who sees it). Every aspect of every setting is listed.
const TABLE: &[(&str, Aspect, &[Who])] = &[
    ("default", ProfileFields, EVERYONE),
    ("default", FollowCounts, EVERYONE),
    ("default", Activity, EVERYONE),
    ("default", FollowLists, EVERYONE),
    ("default", Keys, EVERYONE),
    ("default", InSearch, EVERYONE),
    ("default", InList, EVERYONE),
    ("default", Avatar, EVERYONE),
    ("private_profile", ProfileFields, OWNER_AND_ADMIN),
    ("private_profile", FollowCounts, OWNER_AND_ADMIN),
    ("private_profile", Activity, OWNER_AND_ADMIN),
    ("private_profile", FollowLists, OWNER_AND_ADMIN),
    ("private_profile", Keys, OWNER_AND_ADMIN),
    ("private_profile", InSearch, EVERYONE),
    ("private_profile", InList, EVERYONE),
    ("private_profile", Avatar, EVERYONE),
    ("searchable", ProfileFields, EVERYONE),
    ("searchable", FollowCounts, EVERYONE),
    ("searchable", Activity, EVERYONE),
    ("searchable", FollowLists, EVERYONE),
    ("searchable", Keys, EVERYONE),
    ("searchable", InSearch, OWNER_AND_ADMIN),
    ("searchable", InList, EVERYONE),
    ("searchable", Avatar, EVERYONE),
    ("show_followers", ProfileFields, EVERYONE),
    ("show_followers", FollowCounts, OWNER_AND_ADMIN),
    ("show_followers", Activity, EVERYONE),
    ("show_followers", FollowLists, OWNER_AND_ADMIN),
    ("show_followers", Keys, EVERYONE),
    ("show_followers", InSearch, EVERYONE),
    ("show_followers", InList, EVERYONE),
    ("show_followers", Avatar, EVERYONE),
    ("share_activity", ProfileFields, EVERYONE),
    ("share_activity", FollowCounts, EVERYONE),
    ("share_activity", Activity, OWNER_AND_ADMIN),
    ("share_activity", FollowLists, EVERYONE),
    ("share_activity", Keys, EVERYONE),
    ("share_activity", InSearch, EVERYONE),
    ("share_activity", InList, EVERYONE),
    ("share_activity", Avatar, EVERYONE),
];

struct Scene {
    roster: TestRoster,
    subject: TestUser,
    other: TestUser,
    follower: TestUser,
    avatar_url: String,
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(8, 8, image::Rgb([10, 200, 30]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn scene(setting: &str) -> Scene {
    let roster = TestRoster::spawn().await;
    let subject = roster.create_user("subject").await;
    let other = roster.create_user("other").await;
    let follower = roster.create_user("follower").await;
    let key = crate::keygen::keygen("ed25519", None, "subject");
    roster
        .expect_json(
            roster
                .with_token(&subject.token, Method::POST, "/api/v4/user/keys")
                .json(&json!({"title": "k", "key": key.public_line})),
            201,
        )
        .await;
    roster
        .expect_json(
            roster.with_token(
                &follower.token,
                Method::POST,
                &format!("/api/v4/users/{}/follow", subject.id),
            ),
            201,
        )
        .await;
    roster
        .expect_json(
            roster.with_token(
                &subject.token,
                Method::POST,
                &format!("/api/v4/users/{}/follow", other.id),
            ),
            201,
        )
        .await;
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(png());
    let avatar = roster
        .expect_json(
            roster
                .with_token(&subject.token, Method::PUT, "/api/v4/user/avatar")
                .json(&json!({"avatar_base64": encoded})),
            200,
        )
        .await;
    // The subject was active today (its token was used).
    if setting != "default" {
        let value = setting != "private_profile";
        let body = json!({ setting: !value });
        let set = roster
            .expect_json(
                roster
                    .with_token(&subject.token, Method::PUT, "/api/v4/user/privacy")
                    .json(&body),
                200,
            )
            .await;
        assert_eq!(set[setting], !value);
    }
    Scene {
        avatar_url: avatar["avatar_url"].as_str().unwrap().to_owned(),
        roster,
        subject,
        other,
        follower,
    }
}

impl Scene {
    fn request(&self, who: Who, method: Method, path: &str) -> reqwest::RequestBuilder {
        let token = match who {
            Anonymous => return self.roster.request(method, path),
            Other => &self.other.token,
            Follower => &self.follower.token,
            Owner => &self.subject.token,
            Admin => &self.roster.admin.token,
        };
        self.roster.with_token(token, method, path)
    }

    async fn get(&self, who: Who, path: &str) -> (u16, Value) {
        let r = self.request(who, Method::GET, path).send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn observes(&self, who: Who, aspect: Aspect) -> bool {
        let id = self.subject.id;
        match aspect {
            ProfileFields | FollowCounts | Activity => {
                let (status, body) = self.get(who, &format!("/api/v4/users/{id}")).await;
                assert_eq!(status, 200);
                match aspect {
                    ProfileFields => {
                        let full = body.get("bio").is_some() && body.get("created_at").is_some();
                        let restricted = body.get("bio").is_none() && body["private_profile"] == true;
                        assert!(
                            full != restricted,
                            "{who:?}: either the profile or the restricted view: {body}"
                        );
                        full
                    }
                    FollowCounts => {
                        // Counts hidden by privacy are `null` in a profile
                        // (§1) and absent from the restricted view.
                        let shown = body.get("followers").is_some_and(|v| !v.is_null());
                        if shown {
                            assert_eq!(body["followers"], 1);
                            assert_eq!(body["following"], 1);
                        }
                        assert_eq!(shown, body.get("following").is_some_and(|v| !v.is_null()));
                        shown
                    }
                    _ => body.get("last_activity_on").is_some_and(Value::is_string),
                }
            }
            FollowLists => {
                let (a, followers) = self.get(who, &format!("/api/v4/users/{id}/followers")).await;
                let (b, following) = self.get(who, &format!("/api/v4/users/{id}/following")).await;
                assert_eq!(a, b, "both lists agree");
                match a {
                    200 => {
                        assert_eq!(followers[0]["username"], "follower");
                        assert_eq!(following[0]["username"], "other");
                        true
                    }
                    403 => false,
                    other => panic!("unexpected {other}"),
                }
            }
            Keys => {
                let (a, listed) = self.get(who, "/api/v4/users/subject/keys").await;
                let (b, text) = self.get(who, "/subject.keys").await;
                assert_eq!(a, b, "the API and .keys agree");
                match a {
                    200 => {
                        assert_eq!(listed.as_array().unwrap().len(), 1);
                        assert!(text.as_str().unwrap().starts_with("ssh-ed25519 "));
                        true
                    }
                    403 => false,
                    other => panic!("unexpected {other}"),
                }
            }
            InSearch | InList => {
                let path = if aspect == InSearch {
                    "/api/v4/users?search=subj"
                } else {
                    "/api/v4/users?per_page=100"
                };
                let (status, rows) = self.get(who, path).await;
                assert_eq!(status, 200);
                rows.as_array().unwrap().iter().any(|u| u["id"] == id)
            }
            Avatar => {
                let path = self.avatar_url.trim_start_matches(&self.roster.url).to_owned();
                let r = self.request(who, Method::GET, &path).send().await.unwrap();
                r.status() == 200
            }
        }
    }
}

#[tokio::test]
async fn every_read_path_obeys_every_setting() {
    let settings = [
        "default",
        "private_profile",
        "searchable",
        "show_followers",
        "share_activity",
    ];
    for setting in settings {
        let scene = scene(setting).await;
        let rows: Vec<_> = TABLE.iter().filter(|(s, _, _)| *s == setting).collect();
        assert_eq!(rows.len(), 8, "{setting}: every aspect has a row");
        for (_, aspect, who_sees) in rows {
            for who in EVERYONE {
                let seen = scene.observes(*who, *aspect).await;
                assert_eq!(seen, who_sees.contains(who), "{setting}: {aspect:?} for {who:?}");
            }
        }
    }
}

#[tokio::test]
async fn privacy_settings_read_and_write() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let get = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/user/privacy"),
            200,
        )
        .await;
    assert_eq!(
        get,
        json!({"private_profile": false, "searchable": true, "show_followers": true, "share_activity": true, "public_email": null})
    );
    let put = |body: Value| {
        roster
            .with_token(&alice.token, Method::PUT, "/api/v4/user/privacy")
            .json(&body)
    };
    let set = roster
        .expect_json(
            put(json!({"searchable": false, "public_email": "ALICE@example.com"})),
            200,
        )
        .await;
    assert_eq!(set["searchable"], false);
    assert_eq!(set["public_email"], "alice@example.com");
    assert_eq!(set["show_followers"], true, "partial update");
    let seen = roster
        .expect_json(roster.get(&format!("/api/v4/users/{}", alice.id)), 200)
        .await;
    assert_eq!(seen["public_email"], "alice@example.com");

    let body = roster
        .expect_json(put(json!({"public_email": "someone-else@example.com"})), 400)
        .await;
    assert_eq!(
        body["message"]["public_email"],
        json!(["must be one of your confirmed e-mail addresses"])
    );
    // An added but unconfirmed address does not qualify either.
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/emails")
                .json(&json!({"email": "alt@example.com"})),
            201,
        )
        .await;
    roster
        .expect_json(put(json!({"public_email": "alt@example.com"})), 400)
        .await;
    roster
        .expect_json(put(json!({"searchable": "perhaps"})), 400)
        .await;
    let cleared = roster.expect_json(put(json!({"public_email": ""})), 200).await;
    assert_eq!(cleared["public_email"], Value::Null);
    // private_profile through the user endpoints too.
    let me = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, "/api/v4/user")
                .json(&json!({"private_profile": true})),
            200,
        )
        .await;
    assert_eq!(me["private_profile"], true);
    let get = roster
        .expect_json(
            roster.with_token(&alice.token, Method::GET, "/api/v4/user/privacy"),
            200,
        )
        .await;
    assert_eq!(get["private_profile"], true);
    roster.expect_json(roster.get("/api/v4/user/privacy"), 401).await;
}
