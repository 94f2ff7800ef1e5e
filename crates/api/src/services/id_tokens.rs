//! The claims Roster gives about a person (OIDC Core §5.1, in GitLab's
//! selection) and the ID tokens that carry them, signed with RS256.
use crate::http::error::ApiError;
use crate::state::AppState;
use chrono::NaiveDateTime;
use roster_domain::{at_hash, AppScope, AppScopes};
use roster_persistence::users::UserRow;
use roster_persistence::{groups, DbConnection, RepoError};
use serde_json::{json, Map, Value};

/// What the claims are made from.
#[derive(Debug, Clone)]
pub struct Person {
    /// The user.
    pub user: UserRow,
    /// Full paths of the groups the user is a member of directly.
    pub groups_direct: Vec<String>,
    /// Full paths of every group the user reaches, through ancestors too.
    pub groups: Vec<String>,
}

/// Which groups a set of claims names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Groups {
    /// The direct memberships (`groups_direct`, in ID tokens).
    Direct,
    /// Every group reached, through ancestors too (`groups`, in userinfo).
    Reached,
}

/// Reads what the claims of `user` need: one list of groups, the other
/// left empty.
pub fn person(conn: &mut DbConnection, user: UserRow, which: Groups) -> Result<Person, RepoError> {
    let (groups_direct, groups) = match which {
        Groups::Direct => (groups::full_paths_of_member(conn, user.id, true)?, Vec::new()),
        Groups::Reached => (Vec::new(), groups::full_paths_of_member(conn, user.id, false)?),
    };
    Ok(Person {
        user,
        groups_direct,
        groups,
    })
}

fn put(claims: &mut Map<String, Value>, name: &str, value: Option<String>) {
    // OIDC Core §5.3.2: a claim without a value is left out, not null.
    if let Some(value) = value.filter(|v| !v.is_empty()) {
        claims.insert(name.to_owned(), Value::String(value));
    }
}

/// The claims about the person that `scopes` release (OIDC Core §5.4):
/// `profile` the names, pages and picture, `email` the address. What the
/// userinfo endpoint answers.
pub fn person_claims(state: &AppState, person: &Person, scopes: &AppScopes) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("sub".into(), Value::String(person.user.id.to_string()));
    if scopes.contains(AppScope::Profile) {
        profile_claims(state, &person.user, &mut claims);
    }
    if scopes.contains(AppScope::Email) {
        email_claims(&person.user, &mut claims);
    }
    claims
}

/// The names, pages and picture (`profile`).
fn profile_claims(state: &AppState, user: &UserRow, claims: &mut Map<String, Value>) {
    put(claims, "name", Some(user.name.clone()));
    put(claims, "nickname", Some(user.username.clone()));
    put(claims, "preferred_username", Some(user.username.clone()));
    put(claims, "website", Some(user.website_url.clone()));
    put(
        claims,
        "profile",
        Some(format!("{}/{}", state.public_url, user.username)),
    );
    put(
        claims,
        "picture",
        user.avatar
            .as_ref()
            .map(|name| format!("{}/uploads/avatars/{name}", state.public_url)),
    );
}

/// The address (`email`).
fn email_claims(user: &UserRow, claims: &mut Map<String, Value>) {
    put(claims, "email", Some(user.email.clone()));
    claims.insert("email_verified".into(), Value::Bool(user.confirmed_at.is_some()));
}

/// What an ID token is about, besides the person.
pub struct IdTokenFacts<'a> {
    /// The client id (`aud`).
    pub client_id: &'a str,
    /// When the person signed in.
    pub auth_time: Option<NaiveDateTime>,
    /// The authorization request's nonce.
    pub nonce: Option<&'a str>,
    /// The access token issued with it (for `at_hash`).
    pub access_token: &'a str,
}

/// The ID token's claims (OIDC Core §2, §3.1.3.6; GitLab's `groups_direct`).
pub fn id_token_claims(state: &AppState, person: &Person, facts: &IdTokenFacts<'_>) -> Value {
    let now = chrono::Utc::now().timestamp();
    // The person's claims whatever the scopes (§10, as GitLab releases
    // them under `openid`); the userinfo endpoint answers by scope.
    let mut claims = Map::new();
    claims.insert("sub".into(), Value::String(person.user.id.to_string()));
    profile_claims(state, &person.user, &mut claims);
    email_claims(&person.user, &mut claims);
    claims.insert("iss".into(), Value::String(state.public_url.clone()));
    claims.insert("aud".into(), Value::String(facts.client_id.to_owned()));
    claims.insert("iat".into(), json!(now));
    claims.insert(
        "exp".into(),
        json!(now + state.settings.access_token_ttl.as_secs() as i64),
    );
    if let Some(at) = facts.auth_time {
        claims.insert("auth_time".into(), json!(at.and_utc().timestamp()));
    }
    if let Some(nonce) = facts.nonce {
        claims.insert("nonce".into(), Value::String(nonce.to_owned()));
    }
    claims.insert("at_hash".into(), Value::String(at_hash(facts.access_token)));
    claims.insert("groups_direct".into(), json!(person.groups_direct));
    Value::Object(claims)
}

/// Signs `claims` with the current key, off the async workers.
pub async fn sign(state: &AppState, claims: Value) -> Result<String, ApiError> {
    let key = crate::services::signing_keys::signer(state).await?;
    let payload = serde_json::to_vec(&claims).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(actix_web::web::block(move || key.sign_jwt(&payload)).await?)
}
