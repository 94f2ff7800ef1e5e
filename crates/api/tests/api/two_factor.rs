//! §11 two-factor authentication with TOTP and recovery codes. The codes
//! are computed by Python's pyotp (an authenticator app's algorithm, not
//! Roster's own code).
use crate::life_cycle::mails;
use diesel::prelude::*;
use reqwest::Method;
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::{json, Value};
use std::time::Duration;

/// Runs `script` with pyotp, `args` as `sys.argv[1:]`; its printed line.
pub fn python(script: &str, args: &[&str]) -> String {
    let python = std::env::var("ROSTER_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(format!("import sys, time, pyotp\n{script}"))
        .args(args)
        .output()
        .expect("run python (ROSTER_TEST_PYTHON, with pyotp)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// pyotp's code for `secret`, `offset` 30-second steps from now.
pub fn code(secret: &str, offset: i64) -> String {
    python(
        "print(pyotp.TOTP(sys.argv[1]).at(time.time() + 30 * int(sys.argv[2])))",
        &[secret, &offset.to_string()],
    )
}

/// Waits, if need be, until at least ten seconds of the current 30-second
/// step are left: a code of the step before, this one and the next (each
/// accepted once, in that order) then all stay valid while a test uses them.
pub async fn fresh_step() {
    let into = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        % 30;
    if into > 20 {
        tokio::time::sleep(Duration::from_secs(31 - into)).await;
    }
}

pub async fn grant(roster: &TestRoster, body: Value, status: u16) -> Value {
    roster
        .expect_json(roster.request(Method::POST, "/oauth/token").json(&body), status)
        .await
}

/// The body of the mfa grant for `mfa_token` and `otp`.
pub fn mfa(mfa_token: &str, otp: &str) -> Value {
    json!({"grant_type": "urn:roster:params:oauth:grant-type:mfa", "mfa_token": mfa_token, "otp": otp})
}

/// The body of alice's password grant, with `otp` when given.
pub fn alices_password(otp: Option<&str>) -> Value {
    let mut body = json!({"grant_type": "password", "username": "alice", "password": TEST_PASSWORD});
    if let Some(otp) = otp {
        body["otp"] = json!(otp);
    }
    body
}

/// Enrols `token`'s user in TOTP: the secret, and the recovery codes of the
/// confirmation (made with the code of the step before now).
pub async fn enrol(roster: &TestRoster, token: &str) -> (String, Vec<String>) {
    let started = roster
        .expect_json(
            roster
                .with_token(token, Method::POST, "/api/v4/user/two_factor/totp")
                .json(&json!({"current_password": TEST_PASSWORD})),
            201,
        )
        .await;
    let secret = started["secret"].as_str().unwrap().to_owned();
    fresh_step().await;
    let confirmed = roster
        .expect_json(
            roster
                .with_token(token, Method::POST, "/api/v4/user/two_factor/totp/confirm")
                .json(&json!({"otp": code(&secret, -1)})),
            200,
        )
        .await;
    let codes = confirmed["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, codes)
}

pub fn events(roster: &TestRoster, user_id: i64) -> Vec<(String, Value)> {
    use roster_persistence::schema::audit_events as e;
    let mut conn = roster_persistence::DbManager::new(roster.database_url())
        .unwrap()
        .connect_now()
        .unwrap();
    let rows: Vec<(String, String)> = e::table
        .filter(e::entity_id.eq(Some(user_id)))
        .filter(e::entity_type.eq("User"))
        .order(e::id.asc())
        .select((e::event_name, e::details))
        .load(&mut conn)
        .unwrap();
    rows.into_iter()
        .map(|(name, details)| (name, serde_json::from_str(&details).unwrap_or(Value::Null)))
        .collect()
}

#[tokio::test]
async fn totp_enrolment_then_sign_in_with_a_code_or_the_mfa_grant() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let me = |token: String| {
        let roster = &roster;
        async move {
            roster
                .expect_json(roster.with_token(&token, Method::GET, "/api/v4/user"), 200)
                .await
        }
    };
    assert_eq!(me(alice.token.clone()).await["two_factor_enabled"], false);

    // Enrolment asks for the password again.
    let path = "/api/v4/user/two_factor/totp";
    let missing = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, path)
                .json(&json!({})),
            400,
        )
        .await;
    assert_eq!(missing["error"], "current_password is missing");
    let wrong = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, path)
                .json(&json!({"current_password": "not-the-password"})),
            400,
        )
        .await;
    assert_eq!(wrong["message"]["current_password"][0], "is incorrect");
    let started = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, path)
                .json(&json!({"current_password": TEST_PASSWORD})),
            201,
        )
        .await;
    let secret = started["secret"].as_str().unwrap().to_owned();
    let uri = started["otpauth_uri"].as_str().unwrap();
    // An authenticator app reads the URI back to the same seed and issuer.
    let parsed = python(
        "t = pyotp.parse_uri(sys.argv[1]); print(t.secret, t.issuer, t.name, t.digits, t.interval)",
        &[uri],
    );
    assert_eq!(parsed, format!("{secret} Roster alice 6 30"));
    // Not active until confirmed: the password alone still signs in.
    assert_eq!(me(alice.token.clone()).await["two_factor_enabled"], false);
    grant(&roster, alices_password(None), 200).await;

    // A wrong first code, a malformed one, then the right one.
    fresh_step().await;
    let right = code(&secret, -1);
    let off = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let confirm = "/api/v4/user/two_factor/totp/confirm";
    let refused = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, confirm)
                .json(&json!({"otp": off})),
            400,
        )
        .await;
    assert_eq!(refused["message"]["otp"][0], "is incorrect");
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, confirm)
                .json(&json!({"otp": "12ab56"})),
            400,
        )
        .await;
    let response = roster
        .with_token(&alice.token, Method::POST, confirm)
        .json(&json!({"otp": right}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    let recovery: Vec<String> = body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    assert!(recovery
        .iter()
        .all(|c| c.len() == 16 && c.bytes().all(|b| b.is_ascii_hexdigit())));
    assert_eq!(
        recovery.iter().collect::<std::collections::BTreeSet<_>>().len(),
        10
    );
    assert_eq!(me(alice.token.clone()).await["two_factor_enabled"], true);
    // A second confirmation has nothing to confirm.
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, confirm)
                .json(&json!({"otp": code(&secret, 0)})),
            400,
        )
        .await;
    // Admins see it in the list and can filter by it.
    let enabled = roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/users?two_factor=enabled"),
            200,
        )
        .await;
    let ids: Vec<i64> = enabled
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![alice.id]);
    assert_eq!(enabled[0]["two_factor_enabled"], true);
    let disabled = roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/users?two_factor=disabled"),
            200,
        )
        .await;
    assert!(disabled
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["id"] != alice.id && u["two_factor_enabled"] == false));
    let bad = roster
        .expect_json(
            roster.as_admin(Method::GET, "/api/v4/users?two_factor=maybe"),
            400,
        )
        .await;
    assert_eq!(bad["error"], "two_factor does not have a valid value");

    // The password alone now answers mfa_required with a token.
    let challenge = grant(&roster, alices_password(None), 403).await;
    assert_eq!(challenge["error"], "mfa_required");
    assert_eq!(challenge["mfa_methods"], json!(["totp", "recovery_code"]));
    let mfa_token = challenge["mfa_token"].as_str().unwrap().to_owned();
    // The confirmation's code was spent: a replay is refused.
    let replayed = grant(&roster, mfa(&mfa_token, &right), 400).await;
    assert_eq!(replayed["error"], "invalid_grant");
    let tokens = grant(&roster, mfa(&mfa_token, &code(&secret, 0)), 200).await;
    assert_eq!(
        me(tokens["access_token"].as_str().unwrap().to_owned()).await["id"],
        alice.id
    );
    // The mfa_token is single use.
    let spent = grant(&roster, mfa(&mfa_token, &code(&secret, 1)), 400).await;
    assert_eq!(spent["error"], "invalid_grant");
    let missing = grant(
        &roster,
        json!({"grant_type": "urn:roster:params:oauth:grant-type:mfa", "mfa_token": "x"}),
        400,
    )
    .await;
    assert_eq!(missing["error"], "invalid_request");

    // `otp` with the password: a used code is refused, a fresh one works,
    // and so does a recovery code, once.
    assert_eq!(
        grant(&roster, alices_password(Some(&code(&secret, 0))), 400).await["error"],
        "invalid_grant"
    );
    grant(&roster, alices_password(Some(&code(&secret, 1))), 200).await;
    grant(&roster, alices_password(Some(&recovery[0].to_uppercase())), 200).await;
    assert_eq!(
        grant(&roster, alices_password(Some(&recovery[0])), 400).await["error"],
        "invalid_grant"
    );
    // An answer of neither form is a wrong code too (§11), not a
    // malformed request.
    for odd in ["12345", "abcdef", "not a code at all"] {
        let refused = grant(&roster, alices_password(Some(odd)), 400).await;
        assert_eq!(refused["error"], "invalid_grant", "{odd}");
        assert!(
            refused["error_description"]
                .as_str()
                .unwrap()
                .contains("code is wrong"),
            "{refused}"
        );
    }
    // A blank one is none: the answer asks for the second factor.
    assert_eq!(
        grant(&roster, alices_password(Some(" ")), 403).await["error"],
        "mfa_required"
    );
    // After a recovery code is used, the methods still list the rest.
    let again = grant(&roster, alices_password(None), 403).await;
    assert_eq!(again["mfa_methods"], json!(["totp", "recovery_code"]));

    // Every step is a security event, and the owner is told by mail.
    let names: Vec<String> = events(&roster, alice.id).into_iter().map(|(n, _)| n).collect();
    for expected in [
        "two_factor_enrolment_started",
        "two_factor_enabled",
        "second_factor_required",
        "sign_in_failed",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} in {names:?}");
    }
    assert!(events(&roster, alice.id)
        .iter()
        .any(|(n, d)| n == "sign_in_succeeded" && d["second_factor"] == "recovery_code"));
    let sent = mails(&roster, "alice@example.com", 1).await;
    assert!(sent.iter().any(|m| m.kind == "two_factor_enabled"), "{sent:?}");
}

#[tokio::test]
async fn recovery_codes_are_replaced_and_two_factor_turned_off_with_password_and_code() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let (secret, old_codes) = enrol(&roster, &alice.token).await;
    let regenerate = "/api/v4/user/two_factor/recovery_codes";
    let wrong = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, regenerate)
                .json(&json!({"current_password": "nope-nope-nope", "otp": code(&secret, 0)})),
            400,
        )
        .await;
    assert_eq!(wrong["message"]["current_password"][0], "is incorrect");
    let made = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, regenerate)
                .json(&json!({"current_password": TEST_PASSWORD, "otp": code(&secret, 0)})),
            200,
        )
        .await;
    let new_codes: Vec<String> = made["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert!(new_codes.iter().all(|c| !old_codes.contains(c)));
    grant(&roster, alices_password(Some(&old_codes[1])), 400).await;
    grant(&roster, alices_password(Some(&new_codes[1])), 200).await;

    // Off: the password and a code (a recovery code will do).
    let off = "/api/v4/user/two_factor";
    let missing = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::DELETE, off)
                .json(&json!({"current_password": TEST_PASSWORD})),
            400,
        )
        .await;
    assert_eq!(missing["error"], "otp is missing");
    let refused = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::DELETE, off)
                .json(&json!({"current_password": TEST_PASSWORD, "otp": new_codes[1]})),
            400,
        )
        .await;
    assert_eq!(refused["message"]["otp"][0], "is incorrect");
    let r = roster
        .with_token(&alice.token, Method::DELETE, off)
        .json(&json!({"current_password": TEST_PASSWORD, "otp": new_codes[2]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let me = roster
        .expect_json(roster.with_token(&alice.token, Method::GET, "/api/v4/user"), 200)
        .await;
    assert_eq!(me["two_factor_enabled"], false);
    grant(&roster, alices_password(None), 200).await;
    // Nothing left to turn off.
    let none = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::DELETE, off)
                .json(&json!({"current_password": TEST_PASSWORD})),
            400,
        )
        .await;
    assert_eq!(
        none["message"],
        "400 Bad request - Two-factor authentication is not enabled for this user"
    );
    let sent = mails(&roster, "alice@example.com", 3).await;
    let kinds: Vec<&str> = sent.iter().map(|m| m.kind.as_str()).collect();
    for kind in [
        "two_factor_enabled",
        "recovery_codes_regenerated",
        "two_factor_disabled",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    // Enrolling again works, with a new seed.
    let (again, _) = enrol(&roster, &alice.token).await;
    assert_ne!(again, secret);
}

#[tokio::test]
async fn admins_turn_two_factor_off_with_gitlabs_answers() {
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let path = format!("/api/v4/users/{}/disable_two_factor", alice.id);
    let not_enabled = roster
        .expect_json(roster.as_admin(Method::PATCH, &path), 400)
        .await;
    assert_eq!(
        not_enabled["message"],
        "400 Bad request - Two-factor authentication is not enabled for this user"
    );
    // An enrolment never confirmed is not two-factor.
    roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/two_factor/totp")
                .json(&json!({"current_password": TEST_PASSWORD})),
            201,
        )
        .await;
    roster
        .expect_json(roster.as_admin(Method::PATCH, &path), 400)
        .await;
    enrol(&roster, &alice.token).await;
    roster
        .expect_json(roster.with_token(&alice.token, Method::PATCH, &path), 403)
        .await;
    let r = roster.as_admin(Method::PATCH, &path).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let seen = roster
        .expect_json(
            roster.as_admin(Method::GET, &format!("/api/v4/users/{}", alice.id)),
            200,
        )
        .await;
    assert_eq!(seen["two_factor_enabled"], false);
    assert!(events(&roster, alice.id)
        .iter()
        .any(|(n, d)| n == "two_factor_disabled" && d["by_admin"] == true));
    // An admin's second factor is not the API's to remove.
    enrol(&roster, &roster.admin.token).await;
    let admin_path = format!("/api/v4/users/{}/disable_two_factor", roster.admin.id);
    let forbidden = roster
        .expect_json(roster.as_admin(Method::PATCH, &admin_path), 403)
        .await;
    assert!(
        forbidden["message"].as_str().unwrap().starts_with(
            "403 Forbidden - Two-factor authentication for admins cannot be disabled via the API"
        ),
        "{forbidden}"
    );
    roster
        .expect_json(
            roster.as_admin(Method::PATCH, "/api/v4/users/999999/disable_two_factor"),
            404,
        )
        .await;
}

#[tokio::test]
async fn a_database_copy_without_the_key_reveals_no_seed() {
    use roster_persistence::schema::totp_credentials as t;
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let (secret, recovery) = enrol(&roster, &alice.token).await;
    let mut conn = roster_persistence::DbManager::new(roster.database_url())
        .unwrap()
        .connect_now()
        .unwrap();
    let sealed: String = t::table
        .filter(t::user_id.eq(alice.id))
        .select(t::sealed_seed)
        .first(&mut conn)
        .unwrap();
    let raw = python(
        "import base64; print(base64.b32decode(sys.argv[1] + '=' * (-len(sys.argv[1]) % 8)).hex())",
        &[&secret],
    );
    assert!(sealed.starts_with("v1:"), "{sealed}");
    assert!(!sealed.contains(&secret) && !sealed.to_lowercase().contains(&raw));
    // Another key does not open it; the server's does, to the seed.
    assert!(roster_domain::SecretKey::generate().open(&sealed).is_err());
    let key = roster.settings.secret_key.clone().unwrap();
    assert_eq!(hex_of(&key.open(&sealed).unwrap()), raw);
    // Recovery codes are kept as an HMAC under a key sealed with that key:
    // neither the code nor its plain SHA-256 is in the table.
    use roster_persistence::schema::{recovery_codes as r, sealed_values as v};
    let sealed_key: String = v::table
        .find(roster_api::services::two_factor::RECOVERY_KEY)
        .select(v::sealed)
        .first(&mut conn)
        .unwrap();
    assert!(roster_domain::SecretKey::generate().open(&sealed_key).is_err());
    let recovery_key =
        roster_domain::SecretKey::from_base64(&String::from_utf8(key.open(&sealed_key).unwrap()).unwrap())
            .unwrap();
    let digests: Vec<String> = r::table
        .filter(r::user_id.eq(alice.id))
        .select(r::code_digest)
        .load(&mut conn)
        .unwrap();
    assert_eq!(digests.len(), 10);
    for code in &recovery {
        assert!(!digests.iter().any(|d| d.contains(code.as_str())));
        assert!(!digests.contains(&roster_domain::TokenDigest::of(code).as_str().to_owned()));
        assert!(digests.contains(&recovery_key.keyed_digest(code.as_bytes())));
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn an_operator_removes_an_admins_second_factor_on_the_server() {
    let roster = TestRoster::spawn().await;
    enrol(&roster, &roster.admin.token).await;
    let run = |username: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(["admin", "disable-two-factor", "--username", username])
            .env("DATABASE_URL", roster.database_url())
            .env("RUST_LOG", "warn")
            .output()
            .expect("roster runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, err) = run("root");
    assert!(ok && err.contains("removed the second factors of root"), "{err}");
    let me = roster
        .expect_json(roster.as_admin(Method::GET, "/api/v4/user"), 200)
        .await;
    assert_eq!(me["two_factor_enabled"], false);
    let (ok, err) = run("root");
    assert!(ok && err.contains("root had no second factor"), "{err}");
    let (ok, err) = run("nobody");
    assert!(!ok && err.contains("no user named nobody"), "{err}");
    assert!(events(&roster, roster.admin.id)
        .iter()
        .any(|(n, d)| n == "two_factor_disabled" && d["by_admin"] == true));
}

#[tokio::test]
async fn a_new_secret_key_reseals_the_seeds_and_the_recovery_codes_key() {
    use roster_persistence::schema::{recovery_codes as r, sealed_values as v, totp_credentials as t};
    let roster = TestRoster::spawn().await;
    let alice = roster.create_user("alice").await;
    let (secret, recovery) = enrol(&roster, &alice.token).await;
    let current = roster.settings.secret_key.clone().unwrap();
    let new = roster_domain::SecretKey::generate();
    let dir = std::env::temp_dir().join(format!("roster-reseal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("new-{}.key", alice.id));
    std::fs::write(&file, new.to_base64()).unwrap();
    let reseal = |key: &roster_domain::SecretKey| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(["keys", "reseal", "--new-key-file"])
            .arg(&file)
            .env("DATABASE_URL", roster.database_url())
            .env("ROSTER_SECRET_KEY", key.to_base64())
            .env("RUST_LOG", "warn")
            .output()
            .expect("roster runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let mut conn = roster_persistence::DbManager::new(roster.database_url())
        .unwrap()
        .connect_now()
        .unwrap();
    let seed_of = |conn: &mut roster_persistence::DbConnection| -> String {
        t::table
            .filter(t::user_id.eq(alice.id))
            .select(t::sealed_seed)
            .first(conn)
            .unwrap()
    };
    let before = seed_of(&mut conn);
    // Not the current key: refused, nothing changed.
    let (ok, err) = reseal(&roster_domain::SecretKey::generate());
    assert!(!ok && err.contains("does not open"), "{err}");
    assert_eq!(seed_of(&mut conn), before);

    let (ok, err) = reseal(&current);
    assert!(ok && err.contains("re-sealed"), "{err}");
    let after = seed_of(&mut conn);
    assert!(
        current.open(&after).is_err(),
        "the old key opens nothing any more"
    );
    let raw = python(
        "import base64; print(base64.b32decode(sys.argv[1] + '=' * (-len(sys.argv[1]) % 8)).hex())",
        &[&secret],
    );
    assert_eq!(hex_of(&new.open(&after).unwrap()), raw);
    // The recovery codes' key moved too: the stored codes still match.
    let sealed: String = v::table
        .find(roster_api::services::two_factor::RECOVERY_KEY)
        .select(v::sealed)
        .first(&mut conn)
        .unwrap();
    let key_text = String::from_utf8(new.open(&sealed).unwrap()).unwrap();
    let recovery_key = roster_domain::SecretKey::from_base64(&key_text).unwrap();
    let digests: Vec<String> = r::table
        .filter(r::user_id.eq(alice.id))
        .select(r::code_digest)
        .load(&mut conn)
        .unwrap();
    assert!(recovery
        .iter()
        .all(|c| digests.contains(&recovery_key.keyed_digest(c.as_bytes()))));
    std::fs::remove_dir_all(&dir).ok();
}
