//! Follows, preferences, avatars and custom attributes.
use base64::Engine;
use reqwest::Method;
use roster_testkit::TestRoster;
use serde_json::{json, Value};

pub(crate) fn encode(img: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

pub(crate) fn picture(w: u32, h: u32) -> image::DynamicImage {
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 7) as u8, (y * 3) as u8, 99])
    }))
}

/// A JPEG with an EXIF segment holding a GPS marker, as phones write them.
fn jpeg_with_gps() -> Vec<u8> {
    let plain = encode(picture(16, 16), image::ImageFormat::Jpeg);
    let mut exif = b"Exif\0\0MM\0*GPSLatitude=48.8584;GPSLongitude=2.2945".to_vec();
    exif.resize(64, 0);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn follows_and_their_lists() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let bob = roster.create_user("bob").await;
    let carol = roster.create_user("carol").await;
    let follow = |token: &str, id: i64, what: &str| {
        roster.with_token(token, Method::POST, &format!("/api/v4/users/{id}/{what}"))
    };

    let body = roster
        .expect_json(follow(&bob.token, alice.id, "follow"), 201)
        .await;
    assert_eq!(body["username"], "alice");
    assert!(body.get("email").is_none(), "UserBasic");
    assert_eq!(
        follow(&bob.token, alice.id, "follow")
            .send()
            .await
            .unwrap()
            .status(),
        304
    );
    roster
        .expect_json(follow(&carol.token, alice.id, "follow"), 201)
        .await;
    roster
        .expect_json(follow(&alice.token, bob.id, "follow"), 201)
        .await;
    roster
        .expect_json(follow(&alice.token, alice.id, "follow"), 400)
        .await;
    roster
        .expect_json(follow(&alice.token, 999_999, "follow"), 404)
        .await;
    roster
        .expect_json(
            roster.request(Method::POST, &format!("/api/v4/users/{}/follow", bob.id)),
            401,
        )
        .await;

    let profile = roster
        .expect_json(roster.get(&format!("/api/v4/users/{}", alice.id)), 200)
        .await;
    assert_eq!(
        (profile["followers"].clone(), profile["following"].clone()),
        (json!(2), json!(1))
    );

    let r = roster
        .get(&format!("/api/v4/users/{}/followers?per_page=1", alice.id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-total"], "2");
    assert_eq!(r.headers()["x-next-page"], "2");
    let first: Value = r.json().await.unwrap();
    assert_eq!(first[0]["username"], "carol", "newest follow first");
    let following = roster
        .expect_json(roster.get(&format!("/api/v4/users/{}/following", alice.id)), 200)
        .await;
    assert_eq!(following.as_array().unwrap().len(), 1);
    assert_eq!(following[0]["username"], "bob");

    // Blocked users drop out of lists and counts.
    roster
        .expect_json(
            roster.as_admin(Method::POST, &format!("/api/v4/users/{}/block", carol.id)),
            201,
        )
        .await;
    let followers = roster
        .expect_json(roster.get(&format!("/api/v4/users/{}/followers", alice.id)), 200)
        .await;
    assert_eq!(followers.as_array().unwrap().len(), 1);
    let profile = roster
        .expect_json(roster.get(&format!("/api/v4/users/{}", alice.id)), 200)
        .await;
    assert_eq!(profile["followers"], 1);
    roster
        .expect_json(follow(&bob.token, carol.id, "follow"), 404)
        .await;

    assert_eq!(
        roster
            .expect_json(follow(&bob.token, alice.id, "unfollow"), 201)
            .await["username"],
        "alice"
    );
    assert_eq!(
        follow(&bob.token, alice.id, "unfollow")
            .send()
            .await
            .unwrap()
            .status(),
        304
    );
    // Deleting a user removes its follows.
    let r = roster
        .as_admin(Method::DELETE, &format!("/api/v4/users/{}", bob.id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let following = roster
        .expect_json(roster.get(&format!("/api/v4/users/{}/following", alice.id)), 200)
        .await;
    assert_eq!(following, json!([]));
}

#[tokio::test]
async fn preferences_are_a_free_json_object() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let path = "/api/v4/user/preferences";
    assert_eq!(
        roster
            .expect_json(roster.with_token(&alice.token, Method::GET, path), 200)
            .await,
        json!({})
    );
    let prefs = json!({"theme": "dark", "notifications": {"email": false, "digest": "weekly"}, "langs": ["fr", "en"]});
    assert_eq!(
        roster
            .expect_json(
                roster.with_token(&alice.token, Method::PUT, path).json(&prefs),
                200
            )
            .await,
        prefs
    );
    assert_eq!(
        roster
            .expect_json(roster.with_token(&alice.token, Method::GET, path), 200)
            .await,
        prefs
    );
    let wrapped = json!({"preferences": {"theme": "light"}});
    assert_eq!(
        roster
            .expect_json(
                roster.with_token(&alice.token, Method::PUT, path).json(&wrapped),
                200
            )
            .await,
        json!({"theme": "light"})
    );
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, path)
                .json(&json!([1, 2])),
            400,
        )
        .await;
    let big = json!({"blob": "x".repeat(17 * 1024)});
    let r = roster
        .with_token(&alice.token, Method::PUT, path)
        .json(&big)
        .send()
        .await
        .unwrap();
    assert!(r.status() == 400 || r.status() == 413, "{}", r.status());
    let r = roster
        .with_token(&alice.token, Method::PUT, path)
        .body("theme=dark")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert_eq!(
        roster
            .expect_json(roster.with_token(&alice.token, Method::GET, path), 200)
            .await,
        json!({"theme": "light"}),
        "nothing lost"
    );
    let bob = roster.create_user("bob").await;
    assert_eq!(
        roster
            .expect_json(roster.with_token(&bob.token, Method::GET, path), 200)
            .await,
        json!({}),
        "per user"
    );
}

#[tokio::test]
async fn avatars_by_content_with_caching_and_no_metadata() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let put_b64 = |bytes: &[u8], data_url: bool| {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        let value = if data_url {
            format!("data:image/png;base64,{b64}")
        } else {
            b64
        };
        roster
            .with_token(&alice.token, Method::PUT, "/api/v4/user/avatar")
            .json(&json!({"avatar_base64": value}))
    };
    for (format, data_url) in [
        (image::ImageFormat::Png, true),
        (image::ImageFormat::Gif, false),
        (image::ImageFormat::WebP, false),
        (image::ImageFormat::Jpeg, true),
    ] {
        let bytes = encode(picture(20, 10), format);
        let body = roster.expect_json(put_b64(&bytes, data_url), 200).await;
        let url = body["avatar_url"].as_str().unwrap().to_owned();
        assert!(
            url.starts_with(&format!("{}/uploads/avatars/", roster.url)),
            "{url}"
        );
        let r = reqwest::get(&url).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["content-type"],
            format!("image/{}", format.extensions_str()[0].replace("jpg", "jpeg"))
        );
        assert!(r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=31536000"));
        let etag = r.headers()["etag"].to_str().unwrap().to_owned();
        let served = r.bytes().await.unwrap();
        assert!(
            image::load_from_memory(&served).is_ok(),
            "{format:?} serves a readable image"
        );
        let again = reqwest::Client::new()
            .get(&url)
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304);
        let me = roster
            .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
            .await;
        assert_eq!(me["avatar_url"], url.as_str());
    }

    // GPS data in a JPEG does not survive.
    let gps = jpeg_with_gps();
    assert!(contains(&gps, b"GPSLatitude"));
    let body = roster.expect_json(put_b64(&gps, false), 200).await;
    let served = reqwest::get(body["avatar_url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(!contains(&served, b"GPSLatitude") && !contains(&served, b"Exif"));

    // Multipart, with a file name that lies: the bytes decide.
    let png = encode(picture(8, 8), image::ImageFormat::Png);
    let part = reqwest::multipart::Part::bytes(png)
        .file_name("photo.jpg")
        .mime_str("image/jpeg")
        .unwrap();
    let r = roster
        .with_token(&alice.token, Method::PUT, "/api/v4/user/avatar")
        .multipart(reqwest::multipart::Form::new().part("avatar", part))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let url = r.json::<Value>().await.unwrap()["avatar_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(url.ends_with(".png"), "{url}");

    let refuse = |r: Value| r["message"]["avatar"][0].as_str().unwrap_or_default().to_owned();
    let text = reqwest::multipart::Part::bytes(b"just some text".to_vec())
        .file_name("cat.png")
        .mime_str("image/png")
        .unwrap();
    let r = roster
        .with_token(&alice.token, Method::PUT, "/api/v4/user/avatar")
        .multipart(reqwest::multipart::Form::new().part("avatar", text))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(refuse(r.json().await.unwrap()).contains("PNG, JPEG, GIF or WebP"));
    let mut broken = encode(picture(8, 8), image::ImageFormat::Png);
    broken.truncate(30);
    assert!(refuse(roster.expect_json(put_b64(&broken, false), 400).await).contains("readable"));
    let noise: Vec<u8> = (0..250_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let huge = encode(
        image::DynamicImage::ImageLuma8(image::GrayImage::from_raw(500, 500, noise).unwrap()),
        image::ImageFormat::Png,
    );
    assert!(huge.len() > 200 * 1024, "{}", huge.len());
    assert!(refuse(roster.expect_json(put_b64(&huge, false), 400).await).contains("too large"));
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, "/api/v4/user/avatar")
                .json(&json!({})),
            400,
        )
        .await;
    // After the refusals the last good avatar is still there.
    let me = roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
        .await;
    assert_eq!(me["avatar_url"], url.as_str());

    let r = roster
        .with_token(&alice.token, Method::DELETE, "/api/v4/user/avatar")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let me = roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
        .await;
    assert_eq!(me["avatar_url"], Value::Null);
    assert_eq!(
        reqwest::get(&url).await.unwrap().status(),
        404,
        "unused images are deleted"
    );
}

#[tokio::test]
async fn admins_set_avatars_with_multipart_like_python_gitlab() {
    let roster = TestRoster::spawn().await;
    let png = encode(picture(8, 8), image::ImageFormat::Png);
    let form = reqwest::multipart::Form::new()
        .text("email", "pic@example.com")
        .text("username", "pic")
        .text("name", "Pic")
        .text("password", "long-enough-1")
        .text("skip_confirmation", "1")
        .text("external", "0")
        .part("avatar", reqwest::multipart::Part::bytes(png).file_name("a.png"));
    let r = roster
        .as_admin(Method::POST, "/api/v4/users")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let user: Value = r.json().await.unwrap();
    assert!(user["avatar_url"].as_str().unwrap().ends_with(".png"));
    assert_eq!(user["external"], false);
    assert!(user["confirmed_at"].is_string());

    let bad = reqwest::multipart::Form::new()
        .text("email", "bad@example.com")
        .text("username", "badpic")
        .text("name", "Bad")
        .text("password", "long-enough-1")
        .part(
            "avatar",
            reqwest::multipart::Part::bytes(b"GIF89a-not-really".to_vec()).file_name("a.gif"),
        );
    let r = roster
        .as_admin(Method::POST, "/api/v4/users")
        .multipart(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/users?username=badpic"), 200)
        .await;
    let found = roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/users?username=badpic"), 200)
        .await;
    assert_eq!(found, json!([]), "a refused avatar leaves no user behind");
}

#[tokio::test]
async fn custom_attributes() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let bob = roster.create_user("bob").await;
    let base = format!("/api/v4/users/{}/custom_attributes", alice.id);
    assert_eq!(
        roster.expect_json(roster.as_admin(Method::GET, &base), 200).await,
        json!([])
    );
    let set = roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &format!("{base}/team"))
                .json(&json!({"value": "core"})),
            200,
        )
        .await;
    assert_eq!(set, json!({"key": "team", "value": "core"}));
    roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &format!("{base}/team"))
                .json(&json!({"value": "infra"})),
            200,
        )
        .await;
    roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &format!("{base}/region"))
                .json(&json!({"value": "eu"})),
            200,
        )
        .await;
    let all = roster.expect_json(roster.as_admin(Method::GET, &base), 200).await;
    assert_eq!(
        all,
        json!([{"key": "region", "value": "eu"}, {"key": "team", "value": "infra"}])
    );
    assert_eq!(
        roster
            .expect_json(roster.as_admin(Method::GET, &format!("{base}/team")), 200)
            .await["value"],
        "infra"
    );
    roster
        .expect_json(roster.as_admin(Method::GET, &format!("{base}/nope")), 404)
        .await;
    roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &format!("{base}/team"))
                .json(&json!({})),
            400,
        )
        .await;
    roster
        .expect_json(
            roster
                .as_admin(Method::PUT, &format!("{base}/bad%20key"))
                .json(&json!({"value": "x"})),
            400,
        )
        .await;
    roster
        .expect_json(roster.with_token(&alice.token, Method::GET, &base), 403)
        .await;
    roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/users/999999/custom_attributes"),
            404,
        )
        .await;

    roster
        .expect_json(
            roster
                .as_admin(
                    Method::PUT,
                    &format!("/api/v4/users/{}/custom_attributes/team", bob.id),
                )
                .json(&json!({"value": "core"})),
            200,
        )
        .await;
    let found = roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                "/api/v4/users?custom_attributes[team]=infra&custom_attributes[region]=eu",
            ),
            200,
        )
        .await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["id"], alice.id);
    assert!(found[0].get("custom_attributes").is_none(), "only when asked for");
    let with = roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                "/api/v4/users?custom_attributes[team]=core&with_custom_attributes=true",
            ),
            200,
        )
        .await;
    assert_eq!(
        with[0]["custom_attributes"],
        json!([{"key": "team", "value": "core"}])
    );
    let one = roster
        .expect_json(
            roster.as_admin(
                Method::GET,
                &format!("/api/v4/users/{}?with_custom_attributes=true", alice.id),
            ),
            200,
        )
        .await;
    assert_eq!(one["custom_attributes"].as_array().unwrap().len(), 2);
    // Non-admins cannot filter by them (the filter is ignored, like GitLab).
    let ignored = roster
        .expect_json(
            roster.with_token(
                &bob.token,
                Method::GET,
                "/api/v4/users?custom_attributes[team]=nothing",
            ),
            200,
        )
        .await;
    assert!(ignored.as_array().unwrap().len() >= 3);

    assert_eq!(
        roster
            .as_admin(Method::DELETE, &format!("{base}/team"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    roster
        .expect_json(roster.as_admin(Method::DELETE, &format!("{base}/team")), 404)
        .await;
}

#[tokio::test]
async fn an_avatar_is_found_by_a_public_email_address_only() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let png = encode(picture(8, 8), image::ImageFormat::Png);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
    let uploaded = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, "/api/v4/user/avatar")
                .json(&json!({"avatar_base64": b64})),
            200,
        )
        .await;
    let lookup = |email: &str| roster.get(&format!("/api/v4/avatar?email={email}&size=80"));
    // Not public yet: nothing is told, not even that the address exists.
    let hidden = roster.expect_json(lookup("alice@example.com"), 200).await;
    assert_eq!(hidden, json!({"avatar_url": null}));
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, "/api/v4/user")
                .json(&json!({"public_email": "alice@example.com"})),
            200,
        )
        .await;
    let found = roster.expect_json(lookup("Alice@Example.com"), 200).await;
    assert_eq!(found["avatar_url"], uploaded["avatar_url"], "{found}");
    // A private profile keeps its avatar to itself.
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, "/api/v4/user/privacy")
                .json(&json!({"private_profile": true})),
            200,
        )
        .await;
    assert_eq!(
        roster.expect_json(lookup("alice@example.com"), 200).await,
        json!({"avatar_url": null})
    );
    let missing = roster.expect_json(roster.get("/api/v4/avatar"), 400).await;
    assert_eq!(missing["error"], "email is missing");
    roster.expect_json(roster.get("/api/v4/avatar?email="), 400).await;
    roster
        .expect_json(lookup("alice@example.com").query(&[("size", "0")]), 400)
        .await;
}
