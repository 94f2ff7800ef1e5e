//! `/oauth`: the password and refresh grants, revocation and token info.
use crate::endpoint;
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::http::origin::Origin;
use crate::inputs::oauth::{Grant, MfaOptionsRequest, RevokeRequest, TokenRequest};
use crate::rate_limit::{self, client_address};
use crate::services::audit::Actor;
use crate::services::sessions::{self, Issued};
use crate::services::{clients, code_grant};
use crate::settings::PasswordGrant;
use crate::state::AppState;
use crate::views;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_domain::TokenDigest;
use roster_persistence::oauth_tokens;
use serde_json::json;

fn issued(issued: &Issued, id_token: Option<String>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Pragma", "no-cache"))
        .json(views::oauth_token(
            &issued.row,
            issued.access.expose(),
            issued.refresh.expose(),
            id_token,
        ))
}

/// `401 invalid_client` for a grant that needs a client and has none.
fn client_required() -> ApiError {
    ApiError::OAuth {
        status: actix_web::http::StatusCode::UNAUTHORIZED,
        error: "invalid_client",
        description: "Client authentication failed: this grant needs the application's client_id (and its secret, for a confidential one).".into(),
    }
}

/// `POST /oauth/token`.
pub async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    input: Input<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let rl = &state.settings.rate_limits;
    let origin = Origin::of(&req, state.settings.trust_proxy);
    let ip = origin.ip.clone();
    let client = match clients::presented(&req, input.client_id, input.client_secret)? {
        Some(credentials) => Some(clients::authenticate(&state, credentials).await?),
        None => None,
    };
    match input.grant {
        Grant::Password {
            username,
            password,
            scopes,
            otp,
        } => {
            match state.settings.password_grant {
                PasswordGrant::Off => return Err(ApiError::unsupported_grant_type()),
                PasswordGrant::Clients if !client.as_ref().is_some_and(|c| c.confidential) => {
                    return Err(ApiError::OAuth {
                        status: actix_web::http::StatusCode::UNAUTHORIZED,
                        error: "invalid_client",
                        description: "The password grant needs a registered application's credentials."
                            .into(),
                    })
                }
                _ => {}
            }
            rate_limit::check(
                &state,
                vec![
                    (format!("signin:ip:{ip}"), rl.signin_ip),
                    (
                        format!("signin:account:{}", username.trim().to_lowercase()),
                        rl.signin_account,
                    ),
                ],
            )
            .await?;
            let issued_pair =
                sessions::password_grant(&state, username, password, otp, scopes, client, origin).await?;
            Ok(issued(&issued_pair, None))
        }
        Grant::Mfa { mfa_token, proof } => {
            rate_limit::check(&state, vec![(format!("signin:ip:{ip}"), rl.signin_ip)]).await?;
            let pair = sessions::mfa_grant(&state, mfa_token, proof, client, origin).await?;
            Ok(issued(&pair, None))
        }
        Grant::Refresh { refresh_token } => {
            rate_limit::check(&state, vec![(format!("refresh:ip:{ip}"), rl.refresh_ip)]).await?;
            let pair =
                sessions::refresh_grant(&state, refresh_token, client.as_ref().map(|c| c.id), origin).await?;
            let id_token = code_grant::refreshed_id_token(&state, client.as_ref(), &pair).await?;
            Ok(issued(&pair, id_token))
        }
        Grant::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            let app = client.ok_or_else(client_required)?;
            let granted =
                code_grant::exchange_code(&state, app, code, redirect_uri, code_verifier, origin).await?;
            Ok(issued(&granted.issued, granted.id_token))
        }
        Grant::DeviceCode { device_code } => {
            let app = client.ok_or_else(client_required)?;
            let granted = code_grant::poll_device(&state, app, device_code, origin).await?;
            Ok(issued(&granted.issued, granted.id_token))
        }
    }
}

/// `POST /oauth/mfa/webauthn/options`: the WebAuthn request options for the
/// sign-in of an `mfa_token`.
pub async fn webauthn_options(
    req: HttpRequest,
    state: web::Data<AppState>,
    input: Input<MfaOptionsRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let ip = client_address(&req, state.settings.trust_proxy);
    let rl = &state.settings.rate_limits;
    rate_limit::check(&state, vec![(format!("signin:ip:{ip}"), rl.signin_ip)]).await?;
    let options = crate::services::second_factor::webauthn_options(&state, input.mfa_token).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(options))
}

/// `GET /oauth/discovery/keys` (GitLab's path): the JWKS of the keys that
/// sign ID tokens, for any origin.
pub async fn keys(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let text = crate::services::signing_keys::jwks(&state).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "public, max-age=10"))
        .body(text))
}

/// `POST /oauth/revoke` (RFC 7009): `200 {}` whether or not the token
/// existed; a request without a `token` is `400 invalid_request` (§2.1).
/// A revocation of a live token is a security event.
pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    input: Input<RevokeRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let digest = TokenDigest::of(&input.token);
    let ip = client_address(&req, state.settings.trust_proxy);
    state
        .db
        .write(move |conn| {
            if let Some((user, app)) = oauth_tokens::revoke_by_digest(conn, digest.as_str())? {
                let actor = Actor::anonymous(Some(&ip));
                let details = json!({"user_id": user});
                match app {
                    Some(app) => actor.record_application(conn, "oauth_token_revoked", app, details)?,
                    None => actor.record(conn, "oauth_token_revoked", Some(user), details)?,
                }
                crate::services::system_events::token_revoked(conn, user, "oauth", None)?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

/// `GET /oauth/token/info`.
pub async fn token_info(caller: Caller) -> Result<HttpResponse, ApiError> {
    let now = roster_persistence::now();
    let expires_in = caller.token_expires_at.map(|t| (t - now).num_seconds().max(0));
    Ok(HttpResponse::Ok().json(views::TokenInfo {
        resource_owner_id: caller.user.id,
        scope: caller.scopes.names(),
        scopes: caller.scopes.names(),
        expires_in,
        expires_in_seconds: expires_in,
        application: None,
        created_at: caller.token_created_at.and_utc().timestamp(),
    }))
}

/// Registers the OAuth routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/oauth/token", POST => token);
    endpoint!(cfg, "/oauth/revoke", POST => revoke);
    endpoint!(cfg, "/oauth/mfa/webauthn/options", POST => webauthn_options);
    endpoint!(cfg, "/oauth/token/info", GET => token_info);
    endpoint!(cfg, "/oauth/discovery/keys", GET => keys);
}
