//! What OpenID Connect adds beside the grants: userinfo (OIDC Core §5.3),
//! token introspection (RFC 7662), the `id_token_hint` of RP-initiated
//! logout, and the discovery document.
use crate::http::error::ApiError;
use crate::services::id_tokens::{self, person_claims};
use crate::state::AppState;
use roster_domain::{AppScope, AppScopes, JwsParts, TokenDigest, TokenKind, UserState};
use roster_persistence::{applications, now, oauth_tokens};
use serde_json::{json, Value};

/// Why userinfo refused a token (RFC 6750 §3.1).
#[derive(Debug)]
pub enum BearerRefusal {
    /// No token, or one that is unknown, expired or revoked: `401`.
    InvalidToken,
    /// A token without `openid`: `403`.
    InsufficientScope,
    /// Something else failed.
    Failed(ApiError),
}

impl From<ApiError> for BearerRefusal {
    fn from(e: ApiError) -> Self {
        Self::Failed(e)
    }
}

/// The claims about the person behind an access token that has `openid`:
/// `sub`, what `profile` and `email` release, and `groups` (every group
/// reached, through ancestors too).
pub async fn userinfo(state: &AppState, token: &str) -> Result<Value, BearerRefusal> {
    if TokenKind::of(token) != Some(TokenKind::OAuthAccess) {
        return Err(BearerRefusal::InvalidToken);
    }
    let digest = TokenDigest::of(token);
    let found = state
        .db
        .run(move |conn| {
            let Some((row, user)) = oauth_tokens::authenticate_oauth(conn, digest.as_str())? else {
                return Ok(None);
            };
            if !row.access_valid_at(now()) || UserState::from_stored(&user.state) != Some(UserState::Active) {
                return Ok(None);
            }
            let scopes = row.scopes.clone();
            let person = id_tokens::person(conn, user, id_tokens::Groups::Reached)?;
            Ok(Some((scopes, person)))
        })
        .await?;
    let Some((scopes, person)) = found else {
        return Err(BearerRefusal::InvalidToken);
    };
    let scopes = AppScopes::parse_joined(&scopes).map_err(|_| BearerRefusal::InvalidToken)?;
    if !scopes.contains(AppScope::OpenId) {
        return Err(BearerRefusal::InsufficientScope);
    }
    let mut claims = person_claims(state, &person, &scopes);
    claims.insert("groups".into(), json!(person.groups));
    Ok(Value::Object(claims))
}

/// RFC 7662 §2.2: what an active access or refresh token issued to
/// application `client` is; `{"active": false}` for anything else, tokens
/// of other applications included (§4: an application learns nothing of
/// the tokens it was not given).
pub async fn introspect(state: &AppState, client: i64, token: String) -> Result<Value, ApiError> {
    let kind = TokenKind::of(&token);
    if !matches!(kind, Some(TokenKind::OAuthAccess | TokenKind::OAuthRefresh)) {
        return Ok(json!({"active": false}));
    }
    let digest = TokenDigest::of(&token);
    let at = now();
    let described = state
        .db
        .run(move |conn| {
            let found = if kind == Some(TokenKind::OAuthAccess) {
                oauth_tokens::authenticate_oauth(conn, digest.as_str())?
                    .filter(|(row, _)| row.access_valid_at(at))
            } else {
                oauth_tokens::find_by_refresh(conn, digest.as_str())?
                    .filter(|(row, _)| row.revoked_at.is_none() && row.refresh_used_at.is_none())
            };
            let Some((row, user)) = found.filter(|(row, _)| row.application_id == Some(client)) else {
                return Ok(None);
            };
            if UserState::from_stored(&user.state) != Some(UserState::Active) {
                return Ok(None);
            }
            let client = match row.application_id {
                Some(id) => applications::find_application(conn, id)?.map(|a| a.uid),
                None => None,
            };
            Ok(Some((row, user, client)))
        })
        .await?;
    let Some((row, user, client)) = described else {
        return Ok(json!({"active": false}));
    };
    let mut answer = json!({
        "active": true,
        "scope": row.scopes,
        "username": user.username,
        "sub": user.id.to_string(),
        "iat": row.created_at.and_utc().timestamp(),
        "token_type": if kind == Some(TokenKind::OAuthAccess) { "Bearer" } else { "refresh_token" },
        "iss": state.public_url,
    });
    if kind == Some(TokenKind::OAuthAccess) {
        answer["exp"] = json!(row.expires_at.and_utc().timestamp());
    }
    if let Some(client) = client {
        answer["client_id"] = json!(client);
    }
    Ok(answer)
}

/// The claims of an ID token Roster signed (expired or not), or `None` if
/// it is not one.
pub async fn verified_hint(state: &AppState, token: &str) -> Result<Option<Value>, ApiError> {
    let Some(parts) = JwsParts::split(token) else {
        return Ok(None);
    };
    let Some(kid) = serde_json::from_slice::<Value>(&parts.header)
        .ok()
        .and_then(|h| h.get("kid").and_then(Value::as_str).map(str::to_owned))
    else {
        return Ok(None);
    };
    let Some(key) = crate::services::signing_keys::by_kid(state, kid).await? else {
        return Ok(None);
    };
    let token = token.to_owned();
    let payload = actix_web::web::block(move || key.verify_jwt(&token)).await?;
    let claims = payload.and_then(|p| serde_json::from_slice::<Value>(&p).ok());
    Ok(claims.filter(|c| c.get("iss").and_then(Value::as_str) == Some(state.public_url.as_str())))
}

/// The discovery document (OIDC Discovery §3, RFC 8414).
pub fn discovery(state: &AppState) -> Value {
    let base = &state.public_url;
    let mut grants = vec!["authorization_code", "refresh_token"];
    if state.settings.password_grant != crate::settings::PasswordGrant::Off {
        grants.push("password");
    }
    grants.push("urn:ietf:params:oauth:grant-type:device_code");
    json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "userinfo_endpoint": format!("{base}/oauth/userinfo"),
        "jwks_uri": format!("{base}/oauth/discovery/keys"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "introspection_endpoint": format!("{base}/oauth/introspect"),
        "end_session_endpoint": format!("{base}/oauth/logout"),
        "device_authorization_endpoint": format!("{base}/oauth/authorize_device"),
        "scopes_supported": ["openid", "profile", "email", "offline_access", "api", "read_api", "read_user"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": grants,
        "code_challenge_methods_supported": ["S256"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "claims_supported": [
            "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
            "name", "nickname", "preferred_username", "email", "email_verified",
            "website", "profile", "picture", "groups", "groups_direct"
        ],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
        "prompt_values_supported": ["none", "login", "consent"]
    })
}
