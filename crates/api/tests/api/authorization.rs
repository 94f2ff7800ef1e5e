//! The authorization matrix: every route of the API (the OpenAPI route table)
//! called as nine kinds of caller, with the exact status each gets (and
//! banned, pending and sudo-only callers, who get what the blocked one gets). A route
//! without a row here fails the test.
use crate::keygen::keygen;
use reqwest::Method;
use roster_testkit::{TestRoster, TEST_PASSWORD};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The callers, in the order they call (the owner and the admin last, since
/// their successes may change what others would see).
const CALLERS: [&str; 9] = [
    "anon",
    "expired",
    "revoked",
    "blocked",
    "deactivated",
    "read_user",
    "other",
    "user",
    "admin",
];

/// GPG public keys for the `{gpg}` placeholder of bodies.
const GPG_KEYS: [&str; 5] = [
    include_str!("../data/gpg/key0.asc"),
    include_str!("../data/gpg/key1.asc"),
    include_str!("../data/gpg/key2.asc"),
    include_str!("../data/gpg/key3.asc"),
    include_str!("../data/gpg/key4.asc"),
];

/// Callers who must get exactly what the `blocked` caller gets, on every
/// route: users in the other blocked states, and an admin's token with the
/// `sudo` scope alone (which may only accompany a scope that reads).
const BLOCKED_ALIKE: [&str; 3] = ["banned", "pending", "sudo_only"];

/// `(method, path, body, statuses in CALLERS order)`. In paths, `{id}` is
/// the user's id and the other placeholders name the user's things; in
/// bodies, `{n}` is the caller's number, `{key}` a fresh public key and
/// `{gpg}` a GPG public key of the caller's own.
#[rustfmt::skip]
const MATRIX: &[(&str, &str, &str, [u16; 9])] = &[
    //                                                                       anon exp  rev  blk  deac ro   oth  user adm
    ("GET", "/-/health", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/-/readiness", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/-/metrics", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v4/openapi.json", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/-/confirm", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/-/confirm", r#"{"confirmation_token": "bogus"}"#, [403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("GET", "/-/invitation?invite_token=bogus", "", [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/-/reset-password", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/-/reset-password", r#"{"reset_token": "bogus", "password": "long-enough-9"}"#, [403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/oauth/token", r#"{"grant_type": "password", "username": "alice", "password": "correct-horse-battery"}"#, [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/oauth/revoke", r#"{"token": "roster_oat_unknown"}"#, [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/oauth/discovery/keys", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/oauth/token/info", "", [401, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("GET", "/oauth/authorize", "", [400, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("POST", "/oauth/authorize", "{}", [403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/oauth/authorize_device", r#"{"client_id": "unknown"}"#, [401, 401, 401, 401, 401, 401, 401, 401, 401]),
    ("GET", "/oauth/device", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/oauth/device", "{}", [403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("GET", "/oauth/userinfo", "", [401, 401, 401, 401, 401, 401, 401, 401, 401]),
    ("POST", "/oauth/userinfo", "", [401, 401, 401, 401, 401, 401, 401, 401, 401]),
    ("POST", "/oauth/introspect", r#"{"token": "roster_oat_unknown"}"#, [401, 401, 401, 401, 401, 401, 401, 401, 401]),
    ("GET", "/oauth/logout", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/oauth/logout", "{}", [403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("GET", "/.well-known/openid-configuration", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/-/sign_in", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/-/sign_in", r#"{"login": "alice", "password": "correct-horse-battery"}"#, [403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/-/sign_in/two_factor", r#"{"mfa_token": "bogus", "otp": "123456"}"#, [403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/-/sign_in/passkey/options", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/-/sign_in/passkey", r#"{"webauthn_assertion": "{}"}"#, [403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/api/v4/user/two_factor/totp", r#"{"current_password": "correct-horse-battery"}"#, [401, 401, 401, 403, 403, 403, 201, 201, 201]),
    ("POST", "/api/v4/user/two_factor/totp/confirm", r#"{"otp": "123456"}"#, [401, 401, 401, 403, 403, 403, 400, 400, 400]),
    ("POST", "/api/v4/user/two_factor/recovery_codes", r#"{"current_password": "correct-horse-battery", "otp": "123456"}"#, [401, 401, 401, 403, 403, 403, 400, 400, 400]),
    ("DELETE", "/api/v4/user/two_factor", r#"{"current_password": "correct-horse-battery"}"#, [401, 401, 401, 403, 403, 403, 400, 400, 400]),
    ("PATCH", "/api/v4/users/{id}/disable_two_factor", "", [401, 401, 401, 403, 403, 403, 403, 403, 400]),
    ("POST", "/api/v4/user/webauthn/registrations/options", "", [401, 401, 401, 403, 403, 403, 200, 200, 200]),
    ("POST", "/api/v4/user/webauthn/registrations", r#"{"name": "key", "credential": {}}"#, [401, 401, 401, 403, 403, 403, 400, 400, 400]),
    ("GET", "/api/v4/user/webauthn/registrations", "", [401, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("DELETE", "/api/v4/user/webauthn/registrations/999999", r#"{"current_password": "correct-horse-battery"}"#, [401, 401, 401, 403, 403, 403, 404, 404, 404]),
    ("POST", "/oauth/mfa/webauthn/options", r#"{"mfa_token": "bogus"}"#, [400, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("GET", "/-/sign_out", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/-/sign_out", "{}", [403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("GET", "/-/assets/roster.css", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/-/assets/webauthn.js", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v4/avatar?email=nobody@example.com", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v4/user/sessions", "", [401, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("DELETE", "/api/v4/user/sessions/999999", "", [401, 401, 401, 403, 403, 403, 404, 404, 404]),
    ("GET", "/api/v4/users/{id}/sessions", "", [401, 401, 401, 403, 403, 403, 403, 403, 200]),
    ("DELETE", "/api/v4/users/{id}/sessions", "", [401, 401, 401, 403, 403, 403, 403, 403, 204]),
    ("DELETE", "/api/v4/user/sessions", "", [401, 401, 401, 403, 403, 403, 204, 204, 204]),
    ("GET", "/api/v4/user/authorized_applications", "", [401, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("DELETE", "/api/v4/user/authorized_applications/999999", "", [401, 401, 401, 403, 403, 403, 404, 404, 404]),
    ("GET", "/api/v4/users", "", [200, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("POST", "/api/v4/users", r#"{"email": "new{n}@example.com", "username": "new{n}", "name": "N", "password": "long-enough-9"}"#, [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("POST", "/api/v4/users/import", r#"[{"email": "imported{n}@example.com", "username": "imported{n}", "name": "N", "force_random_password": true}]"#, [401, 401, 401, 403, 403, 403, 403, 403, 200]),
    ("GET", "/api/v4/hooks", "", [401, 401, 401, 403, 403, 403, 403, 403, 200]),
    ("POST", "/api/v4/hooks", r#"{"url": "https://hooks.roster.invalid/{n}"}"#, [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("GET", "/api/v4/hooks/999999", "", [401, 401, 401, 403, 403, 403, 403, 403, 404]),
    ("PUT", "/api/v4/hooks/999999", r#"{"name": "x"}"#, [401, 401, 401, 403, 403, 403, 403, 403, 404]),
    ("DELETE", "/api/v4/hooks/999999", "", [401, 401, 401, 403, 403, 403, 403, 403, 404]),
    ("POST", "/api/v4/hooks/999999", "", [401, 401, 401, 403, 403, 403, 403, 403, 404]),
    ("GET", "/api/v4/hooks/999999/deliveries", "", [401, 401, 401, 403, 403, 403, 403, 403, 404]),
    ("POST", "/api/v4/hooks/999999/deliveries/999999/redeliver", "", [401, 401, 401, 403, 403, 403, 403, 403, 404]),
    ("GET", "/api/v4/users/{id}", "", [200, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("PUT", "/api/v4/users/{id}", r#"{"bio": "x"}"#, [401, 401, 401, 403, 403, 403, 403, 403, 200]),
    ("DELETE", "/api/v4/users/{id}", "", [401, 401, 401, 403, 403, 403, 403, 403, 204]),
    ("GET", "/api/v4/user", "", [401, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("PUT", "/api/v4/user", r#"{"bio": "x"}"#, [401, 401, 401, 403, 403, 403, 200, 200, 200]),
    ("PATCH", "/api/v4/user", r#"{"bio": "x"}"#, [401, 401, 401, 403, 403, 403, 200, 200, 200]),
    ("DELETE", "/api/v4/user", r#"{"current_password": "correct-horse-battery"}"#, [401, 401, 401, 403, 403, 403, 204, 204, 403]),
    ("POST", "/api/v4/users/{id}/block", "", [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("PUT", "/api/v4/users/{id}/block", "", [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("POST", "/api/v4/users/{id}/unblock", "", [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("PUT", "/api/v4/users/{id}/unblock", "", [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("POST", "/api/v4/users/{id}/deactivate", "", [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("PUT", "/api/v4/users/{id}/deactivate", "", [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("POST", "/api/v4/users/{id}/activate", "", [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("PUT", "/api/v4/users/{id}/activate", "", [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("POST", "/api/v4/users/{id}/ban", "", [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("POST", "/api/v4/users/{id}/unban", "", [401, 401, 401, 403, 403, 403, 403, 403, 403]),
    ("POST", "/api/v4/users/{id}/approve", "", [401, 401, 401, 403, 403, 403, 403, 403, 409]),
    ("POST", "/api/v4/users/{id}/reject", "", [401, 401, 401, 403, 403, 403, 403, 403, 409]),
    ("POST", "/api/v4/users/{id}/confirm", "", [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("DELETE", "/api/v4/users/{id}/identities/{provider}", "", [401, 401, 401, 403, 403, 403, 403, 403, 204]),
    ("GET", "/api/v4/users/{id}/custom_attributes", "", [401, 401, 401, 403, 403, 403, 403, 403, 200]),
    ("GET", "/api/v4/users/{id}/custom_attributes/{key}", "", [401, 401, 401, 403, 403, 403, 403, 403, 200]),
    ("PUT", "/api/v4/users/{id}/custom_attributes/{key}", r#"{"value": "v"}"#, [401, 401, 401, 403, 403, 403, 403, 403, 200]),
    ("DELETE", "/api/v4/users/{id}/custom_attributes/{key}", "", [401, 401, 401, 403, 403, 403, 403, 403, 204]),
    ("GET", "/api/v4/personal_access_tokens", "", [401, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("GET", "/api/v4/personal_access_tokens/{pat_id}", "", [401, 401, 401, 403, 403, 200, 404, 200, 200]),
    ("DELETE", "/api/v4/personal_access_tokens/{pat_id}", "", [401, 401, 401, 403, 403, 403, 404, 204, 204]),
    ("POST", "/api/v4/personal_access_tokens/{pat_id}/rotate", "", [401, 401, 401, 403, 403, 403, 404, 200, 400]),
    ("POST", "/api/v4/user/personal_access_tokens", r#"{"name": "t", "scopes": ["api"]}"#, [401, 401, 401, 403, 403, 403, 201, 201, 201]),
    ("POST", "/api/v4/users/{id}/personal_access_tokens", r#"{"name": "t", "scopes": ["api"]}"#, [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("GET", "/api/v4/users/{id}/impersonation_tokens", "", [401, 401, 401, 403, 403, 403, 403, 403, 200]),
    ("POST", "/api/v4/users/{id}/impersonation_tokens", r#"{"name": "t", "scopes": ["api"]}"#, [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("GET", "/api/v4/users/{id}/impersonation_tokens/999999", "", [401, 401, 401, 403, 403, 403, 403, 403, 404]),
    ("DELETE", "/api/v4/users/{id}/impersonation_tokens/999999", "", [401, 401, 401, 403, 403, 403, 403, 403, 404]),
    ("GET", "/api/v4/service_accounts", "", [401, 401, 401, 403, 403, 403, 403, 403, 200]),
    ("POST", "/api/v4/service_accounts", "{}", [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("POST", "/api/v4/registrations", r#"{"email": "signup{n}@example.com", "username": "signup{n}", "name": "S", "password": "long-enough-9"}"#, [201, 201, 201, 201, 201, 201, 201, 201, 201]),
    ("POST", "/api/v4/confirmations", r#"{"confirmation_token": "bogus"}"#, [400, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("POST", "/api/v4/confirmations/resend", r#"{"email": "alice@example.com"}"#, [202, 202, 202, 202, 202, 202, 202, 202, 202]),
    ("PUT", "/api/v4/user/password", r#"{"current_password": "correct-horse-battery", "password": "brand-new-pass-{n}"}"#, [401, 401, 401, 403, 403, 403, 204, 204, 204]),
    ("POST", "/api/v4/password/reset", r#"{"email": "alice@example.com"}"#, [202, 202, 202, 202, 202, 202, 202, 202, 202]),
    ("POST", "/api/v4/password/reset/complete", r#"{"reset_token": "bogus", "password": "long-enough-9"}"#, [400, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("GET", "/api/v4/user/status", "", [401, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("PUT", "/api/v4/user/status", r#"{"message": "out"}"#, [401, 401, 401, 403, 403, 403, 200, 200, 200]),
    ("PATCH", "/api/v4/user/status", r#"{"availability": "busy"}"#, [401, 401, 401, 403, 403, 403, 200, 200, 200]),
    ("GET", "/api/v4/users/{id}/status", "", [200, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("GET", "/api/v4/user/privacy", "", [401, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("PUT", "/api/v4/user/privacy", r#"{"searchable": true}"#, [401, 401, 401, 403, 403, 403, 200, 200, 200]),
    ("GET", "/api/v4/user/preferences", "", [401, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("PUT", "/api/v4/user/preferences", r#"{"theme": "dark"}"#, [401, 401, 401, 403, 403, 403, 200, 200, 200]),
    ("PUT", "/api/v4/user/avatar", r#"{"avatar_base64": "{png}"}"#, [401, 401, 401, 403, 403, 403, 200, 200, 200]),
    ("DELETE", "/api/v4/user/avatar", "", [401, 401, 401, 403, 403, 403, 204, 204, 204]),
    ("GET", "/uploads/avatars/{avatar}", "", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/api/v4/users/{id}/follow", "", [401, 401, 401, 403, 403, 403, 201, 400, 201]),
    ("POST", "/api/v4/users/{id}/unfollow", "", [401, 401, 401, 403, 403, 403, 304, 304, 304]),
    ("GET", "/api/v4/users/{id}/followers", "", [200, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("GET", "/api/v4/users/{id}/following", "", [200, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("GET", "/api/v4/user/emails", "", [401, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("POST", "/api/v4/user/emails", r#"{"email": "extra{n}@example.com"}"#, [401, 401, 401, 403, 403, 403, 201, 201, 201]),
    ("GET", "/api/v4/user/emails/{email_id}", "", [401, 401, 401, 403, 403, 200, 404, 200, 404]),
    ("DELETE", "/api/v4/user/emails/{email_id}", "", [401, 401, 401, 403, 403, 403, 204, 204, 204]),
    ("GET", "/api/v4/users/{id}/emails", "", [401, 401, 401, 403, 403, 403, 403, 403, 200]),
    ("POST", "/api/v4/users/{id}/emails", r#"{"email": "given{n}@example.com"}"#, [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("DELETE", "/api/v4/users/{id}/emails/{email_id}", "", [401, 401, 401, 403, 403, 403, 403, 403, 204]),
    ("GET", "/api/v4/user/keys", "", [401, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("POST", "/api/v4/user/keys", r#"{"title": "k", "key": "{key}"}"#, [401, 401, 401, 403, 403, 403, 201, 201, 201]),
    ("GET", "/api/v4/user/keys/{key_id}", "", [401, 401, 401, 403, 403, 200, 404, 200, 404]),
    ("DELETE", "/api/v4/user/keys/{key_id}", "", [401, 401, 401, 403, 403, 403, 404, 204, 404]),
    ("GET", "/api/v4/users/{id}/keys", "", [200, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("POST", "/api/v4/users/{id}/keys", r#"{"title": "k", "key": "{key}"}"#, [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("GET", "/api/v4/users/{id}/keys/{key_id}", "", [200, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("DELETE", "/api/v4/users/{id}/keys/{key_id}", "", [401, 401, 401, 403, 403, 403, 403, 403, 204]),
    ("GET", "/api/v4/user/gpg_keys", "", [401, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("POST", "/api/v4/user/gpg_keys", r#"{"key": "{gpg}"}"#, [401, 401, 401, 403, 403, 403, 201, 201, 201]),
    ("GET", "/api/v4/user/gpg_keys/999999", "", [401, 401, 401, 403, 403, 404, 404, 404, 404]),
    ("DELETE", "/api/v4/user/gpg_keys/999999", "", [401, 401, 401, 403, 403, 403, 404, 404, 404]),
    ("POST", "/api/v4/user/gpg_keys/999999/revoke", "", [401, 401, 401, 403, 403, 403, 404, 404, 404]),
    ("GET", "/api/v4/users/{id}/gpg_keys", "", [200, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("POST", "/api/v4/users/{id}/gpg_keys", r#"{"key": "{gpg}"}"#, [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("GET", "/api/v4/users/{id}/gpg_keys/999999", "", [404, 401, 401, 403, 403, 404, 404, 404, 404]),
    ("DELETE", "/api/v4/users/{id}/gpg_keys/999999", "", [401, 401, 401, 403, 403, 403, 403, 403, 404]),
    ("POST", "/api/v4/users/{id}/gpg_keys/999999/revoke", "", [401, 401, 401, 403, 403, 403, 403, 403, 404]),
    ("GET", "/api/v4/keys?fingerprint={fingerprint}", "", [401, 401, 401, 403, 403, 403, 403, 403, 200]),
    ("GET", "/api/v4/keys/{key_id}", "", [401, 401, 401, 403, 403, 403, 403, 403, 200]),
    ("GET", "/{username}.keys", "", [200, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("GET", "/{username}.gpg", "", [200, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("GET", "/api/v4/user/activities", "", [401, 401, 401, 403, 403, 403, 403, 403, 200]),
    ("GET", "/api/v4/audit_events", "", [401, 401, 401, 403, 403, 403, 403, 403, 200]),
    ("GET", "/api/v4/user/audit_events", "", [401, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("GET", "/api/v4/groups", "", [200, 401, 401, 403, 403, 200, 200, 200, 200]),
    ("POST", "/api/v4/groups", r#"{"name": "G{n}", "path": "g{n}"}"#, [401, 401, 401, 403, 403, 403, 201, 201, 201]),
    ("GET", "/api/v4/groups/{group}", "", [404, 401, 401, 403, 403, 200, 404, 200, 200]),
    ("PUT", "/api/v4/groups/{group}", r#"{"description": "x"}"#, [401, 401, 401, 403, 403, 403, 404, 200, 200]),
    ("DELETE", "/api/v4/groups/{group}", "", [401, 401, 401, 403, 403, 403, 404, 202, 404]),
    ("GET", "/api/v4/groups/{group}/subgroups", "", [404, 401, 401, 403, 403, 200, 404, 200, 200]),
    ("GET", "/api/v4/groups/{group}/descendant_groups", "", [404, 401, 401, 403, 403, 200, 404, 200, 200]),
    ("GET", "/api/v4/groups/{group}/members", "", [404, 401, 401, 403, 403, 200, 404, 200, 200]),
    ("POST", "/api/v4/groups/{group}/members", r#"{"username": "frank", "access_level": 30}"#, [401, 401, 401, 403, 403, 403, 404, 201, 409]),
    ("GET", "/api/v4/groups/{group}/members/all", "", [404, 401, 401, 403, 403, 200, 404, 200, 200]),
    ("GET", "/api/v4/groups/{group}/members/all/{member}", "", [404, 401, 401, 403, 403, 200, 404, 200, 200]),
    ("GET", "/api/v4/groups/{group}/members/{member}", "", [404, 401, 401, 403, 403, 200, 404, 200, 200]),
    ("PUT", "/api/v4/groups/{group}/members/{member}", r#"{"access_level": 20}"#, [401, 401, 401, 403, 403, 403, 404, 200, 200]),
    ("DELETE", "/api/v4/groups/{group}/members/{member}", "", [401, 401, 401, 403, 403, 403, 404, 204, 404]),
    ("GET", "/api/v4/groups/{group}/invitations", "", [401, 401, 401, 403, 403, 200, 404, 200, 200]),
    ("POST", "/api/v4/groups/{group}/invitations", r#"{"email": "invited{n}@example.com", "access_level": 30}"#, [401, 401, 401, 403, 403, 403, 404, 201, 201]),
    ("PUT", "/api/v4/groups/{group}/invitations/{invite_email}", r#"{"access_level": 20}"#, [401, 401, 401, 403, 403, 403, 404, 200, 200]),
    ("DELETE", "/api/v4/groups/{group}/invitations/{invite_email}", "", [401, 401, 401, 403, 403, 403, 404, 204, 404]),
    ("POST", "/api/v4/invitations/accept", r#"{"invite_token": "bogus"}"#, [401, 401, 401, 403, 403, 403, 404, 404, 404]),
    ("GET", "/api/v4/users/{id}/memberships", "", [401, 401, 401, 403, 403, 200, 403, 200, 200]),
    ("GET", "/api/v4/users/{id}/associations_count", "", [401, 401, 401, 403, 403, 200, 403, 200, 200]),
    ("GET", "/api/v4/groups/{group}/access_tokens", "", [401, 401, 401, 403, 403, 200, 404, 200, 200]),
    ("POST", "/api/v4/groups/{group}/access_tokens", r#"{"name": "t", "scopes": ["read_api"]}"#, [401, 401, 401, 403, 403, 403, 404, 201, 201]),
    ("GET", "/api/v4/groups/{group}/access_tokens/{gat_id}", "", [401, 401, 401, 403, 403, 200, 404, 200, 200]),
    ("DELETE", "/api/v4/groups/{group}/access_tokens/{gat_id}", "", [401, 401, 401, 403, 403, 403, 404, 204, 404]),
    ("POST", "/api/v4/applications", r#"{"name": "App {n}", "redirect_uri": "https://app.example/cb", "scopes": "openid profile"}"#, [401, 401, 401, 403, 403, 403, 403, 403, 201]),
    ("GET", "/api/v4/applications", "", [401, 401, 401, 403, 403, 403, 403, 403, 200]),
    ("DELETE", "/api/v4/applications/{app_id}", "", [401, 401, 401, 403, 403, 403, 403, 403, 204]),
    ("POST", "/api/v4/applications/{app_id}/renew-secret", "", [401, 401, 401, 403, 403, 403, 403, 403, 201]),
];

/// Everything a row may point at.
struct Fixture {
    roster: TestRoster,
    tokens: BTreeMap<&'static str, String>,
    values: BTreeMap<&'static str, String>,
}

fn png_base64() -> String {
    use base64::Engine;
    let img = image::RgbImage::from_pixel(4, 4, image::Rgb([1, 2, 3]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    base64::engine::general_purpose::STANDARD.encode(out.into_inner())
}

async fn fixture() -> Fixture {
    let roster = TestRoster::spawn().await;
    let alice = roster
        .create_user_with("alice", json!({"extern_uid": "a-1", "provider": "github"}))
        .await;
    let other = roster.create_user("bob").await;
    let blocked = roster.create_user("carol").await;
    let deactivated = roster.create_user("dave").await;
    roster
        .expect_json(
            roster.as_admin(Method::POST, &format!("/api/v4/users/{}/block", blocked.id)),
            201,
        )
        .await;
    roster
        .expect_json(
            roster.as_admin(
                Method::POST,
                &format!("/api/v4/users/{}/deactivate", deactivated.id),
            ),
            201,
        )
        .await;
    // Banned and waiting for approval: treated like blocked everywhere (their
    // answers are the `blocked` column's; see BLOCKED_ALIKE).
    let banned = roster.create_user("mallory").await;
    roster
        .expect_json(
            roster.as_admin(Method::POST, &format!("/api/v4/users/{}/ban", banned.id)),
            201,
        )
        .await;
    let pending = roster.create_user("peggy").await;
    {
        let mut conn = roster_persistence::DbManager::new(roster.database_url())
            .unwrap()
            .connect_now()
            .unwrap();
        roster_persistence::users::set_state(&mut conn, pending.id, "blocked_pending_approval").unwrap();
    }
    let pat = |scopes: Value| {
        roster
            .with_token(&alice.token, Method::POST, "/api/v4/user/personal_access_tokens")
            .json(&json!({"name": "m", "scopes": scopes}))
    };
    let read_user = roster.expect_json(pat(json!(["read_user"])), 201).await;
    let target = roster.expect_json(pat(json!(["api"])), 201).await;
    let revoked = roster.expect_json(pat(json!(["api"])), 201).await;
    let r = roster
        .with_token(
            &alice.token,
            Method::DELETE,
            &format!("/api/v4/personal_access_tokens/{}", revoked["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    // An expired token cannot be made through the API (expiry must be ahead).
    let expired = {
        let mut conn = roster_persistence::DbManager::new(roster.database_url())
            .unwrap()
            .connect_now()
            .unwrap();
        let secret = roster_domain::TokenSecret::generate(roster_domain::TokenKind::Personal);
        roster_persistence::personal_tokens::create_pat(
            &mut conn,
            &roster_persistence::personal_tokens::NewPat {
                user_id: alice.id,
                name: "expired",
                token_digest: secret.digest().as_str(),
                scopes: "api",
                expires_at: Some(chrono::Utc::now().date_naive() - chrono::Days::new(1)),
                previous_id: None,
                created_at: roster_persistence::now(),
                description: None,
                impersonation: false,
                created_by_id: None,
            },
        )
        .unwrap();
        secret.expose().to_owned()
    };
    let key = keygen("ed25519", None, "alice");
    let key_row = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/user/keys")
                .json(&json!({"title": "k", "key": key.public_line})),
            201,
        )
        .await;
    let email = roster
        .expect_json(
            roster
                .as_admin(Method::POST, &format!("/api/v4/users/{}/emails", alice.id))
                .json(&json!({"email": "alice2@example.com"})),
            201,
        )
        .await;
    roster
        .expect_json(
            roster
                .as_admin(
                    Method::PUT,
                    &format!("/api/v4/users/{}/custom_attributes/team", alice.id),
                )
                .json(&json!({"value": "x"})),
            200,
        )
        .await;
    let avatar = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::PUT, "/api/v4/user/avatar")
                .json(&json!({"avatar_base64": png_base64()})),
            200,
        )
        .await;
    let avatar_name = avatar["avatar_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    // A private group alice owns, with erin as a Developer, a pending
    // invitation and an access token; frank is no member.
    let erin = roster.create_user("erin").await;
    roster.create_user("frank").await;
    let group = roster
        .expect_json(
            roster
                .with_token(&alice.token, Method::POST, "/api/v4/groups")
                .json(&json!({"name": "Acme", "path": "acme"})),
            201,
        )
        .await;
    let group_id = group["id"].to_string();
    roster
        .expect_json(
            roster
                .with_token(
                    &alice.token,
                    Method::POST,
                    &format!("/api/v4/groups/{group_id}/members"),
                )
                .json(&json!({"user_id": erin.id, "access_level": 30})),
            201,
        )
        .await;
    roster
        .expect_json(
            roster
                .with_token(
                    &alice.token,
                    Method::POST,
                    &format!("/api/v4/groups/{group_id}/invitations"),
                )
                .json(&json!({"email": "pending@example.com", "access_level": 30})),
            201,
        )
        .await;
    let gat = roster
        .expect_json(
            roster
                .with_token(
                    &alice.token,
                    Method::POST,
                    &format!("/api/v4/groups/{group_id}/access_tokens"),
                )
                .json(&json!({"name": "ci", "scopes": ["read_api"]})),
            201,
        )
        .await;
    let app = roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/applications")
                .json(&json!({
                    "name": "App", "redirect_uri": "https://app.example/cb", "scopes": "openid"
                })),
            201,
        )
        .await;
    let mut tokens = BTreeMap::new();
    tokens.insert("expired", expired);
    tokens.insert("revoked", revoked["token"].as_str().unwrap().to_owned());
    tokens.insert("blocked", blocked.token.clone());
    tokens.insert("banned", banned.token.clone());
    tokens.insert("pending", pending.token.clone());
    let sudo_only = roster
        .expect_json(
            roster
                .as_admin(Method::POST, "/api/v4/user/personal_access_tokens")
                .json(&json!({"name": "sudo", "scopes": ["sudo"]})),
            201,
        )
        .await;
    tokens.insert("sudo_only", sudo_only["token"].as_str().unwrap().to_owned());
    tokens.insert("deactivated", deactivated.token.clone());
    tokens.insert("read_user", read_user["token"].as_str().unwrap().to_owned());
    tokens.insert("other", other.token.clone());
    tokens.insert("user", alice.token.clone());
    tokens.insert("admin", roster.admin.token.clone());
    let mut values = BTreeMap::new();
    values.insert("{id}", alice.id.to_string());
    values.insert("{username}", "alice".to_owned());
    values.insert("{pat_id}", target["id"].to_string());
    values.insert("{key_id}", key_row["id"].to_string());
    values.insert("{email_id}", email["id"].to_string());
    values.insert("{key}", "team".to_owned());
    values.insert("{provider}", "github".to_owned());
    values.insert("{avatar}", avatar_name);
    values.insert("{group}", group_id);
    values.insert("{member}", erin.id.to_string());
    values.insert("{invite_email}", "pending@example.com".to_owned());
    values.insert("{gat_id}", gat["id"].to_string());
    values.insert("{app_id}", app["id"].to_string());
    values.insert(
        "{fingerprint}",
        key.sha256.replace('+', "%2B").replace('/', "%2F"),
    );
    Fixture {
        roster,
        tokens,
        values,
    }
}

impl Fixture {
    async fn call(&self, caller: &str, n: usize, method: &str, path: &str, body: &str) -> u16 {
        let mut path = path.to_owned();
        for (name, value) in &self.values {
            path = path.replace(name, value);
        }
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.roster.request(method, &path);
        if let Some(token) = self.tokens.get(caller) {
            request = request.header("PRIVATE-TOKEN", token);
        }
        if !body.is_empty() {
            let mut text = body.replace("{n}", &n.to_string());
            if text.contains("{key}") {
                text = text.replace("{key}", &keygen("ed25519", None, "matrix").public_line);
            }
            if text.contains("{gpg}") {
                // A different committed key for each caller: a key belongs to one account.
                let key = GPG_KEYS[n % GPG_KEYS.len()];
                let escaped = serde_json::to_string(key.trim()).unwrap();
                text = text.replace("{gpg}", &escaped[1..escaped.len() - 1]);
            }
            if text.contains("{png}") {
                text = text.replace("{png}", &png_base64());
            }
            request = request.header("Content-Type", "application/json").body(text);
        }
        request.send().await.unwrap().status().as_u16()
    }
}

/// A row's path as the route table writes it (rows name what they point at).
fn documented_form(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let path = path
        .replace("{pat_id}", "{id}")
        .replace("{avatar}", "{name}")
        .replace("{group}", "{id}")
        .replace("{member}", "{user_id}")
        .replace("{invite_email}", "{email}")
        .replace("{gat_id}", "{token_id}")
        .replace("{app_id}", "{id}")
        .replace("/authorized_applications/999999", "/authorized_applications/{id}")
        .replace("/sessions/999999", "/sessions/{id}")
        .replace("/registrations/999999", "/registrations/{id}")
        .replace("/impersonation_tokens/999999", "/impersonation_tokens/{token_id}")
        .replace("/gpg_keys/999999", "/gpg_keys/{key_id}")
        .replace(
            "/hooks/999999/deliveries/999999/",
            "/hooks/{id}/deliveries/{delivery_id}/",
        )
        .replace("/hooks/999999", "/hooks/{id}");
    if path == "/api/v4/keys/{key_id}" {
        "/api/v4/keys/{id}".to_owned()
    } else {
        path
    }
}

#[tokio::test]
async fn every_route_as_every_caller() {
    assert_eq!(
        TEST_PASSWORD, "correct-horse-battery",
        "the rows above spell it out"
    );
    // Every documented route has a row, and every row is a documented route.
    let documented: std::collections::BTreeSet<(String, String)> = roster_api::openapi::ROUTES
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    let rows: std::collections::BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _, _)| (m.to_string(), documented_form(p)))
        .collect();
    let missing: Vec<_> = documented.difference(&rows).collect();
    let extra: Vec<_> = rows.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes without rows in the matrix: {missing:?}"
    );
    assert!(extra.is_empty(), "rows for routes that do not exist: {extra:?}");

    let mut failures = Vec::new();
    // A GET changes nothing a later row could see, so the GET rows share
    // one fixture; every other row gets a fresh one (its change could).
    let reads = fixture().await;
    for (method, path, body, expected) in MATRIX {
        let fresh;
        let fixture = if *method == "GET" {
            &reads
        } else {
            fresh = fixture().await;
            &fresh
        };
        for (n, caller) in CALLERS.iter().enumerate() {
            let got = fixture.call(caller, n, method, path, body).await;
            if got != expected[n] {
                failures.push(format!(
                    "{method} {path} as {caller}: expected {}, got {got}",
                    expected[n]
                ));
            }
        }
        let blocked = expected[CALLERS.iter().position(|c| *c == "blocked").unwrap()];
        for (n, caller) in BLOCKED_ALIKE.iter().enumerate() {
            let got = fixture.call(caller, CALLERS.len() + n, method, path, body).await;
            if got != blocked {
                failures.push(format!(
                    "{method} {path} as {caller}: expected {blocked} (as blocked), got {got}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
