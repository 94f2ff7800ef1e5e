//! The grants that end a browser flow at the token endpoint: an
//! authorization code (RFC 6749 §4.1.3 with RFC 7636's verifier) or a
//! device code (RFC 8628 §3.4), and the ID token that comes with them.
use crate::http::error::ApiError;
use crate::http::origin::Origin;
use crate::services::audit::Actor;
use crate::services::id_tokens::{self, IdTokenFacts, Person};
use crate::services::sessions::{issue_pair_in, new_family, remember_grant, ttl, Issued, PairFor};
use crate::state::AppState;
use actix_web::http::StatusCode;
use roster_domain::{AppScope, AppScopes, CodeChallenge, TokenDigest, UserState};
use roster_persistence::applications::ApplicationRow;
use roster_persistence::device_codes::{self, Polled};
use roster_persistence::now;
use roster_persistence::oauth_codes::{self, Redeem};
use roster_persistence::users::UserRow;
use serde_json::json;

/// A grant's tokens, with an ID token when `openid` was granted.
pub struct Granted {
    /// The token pair.
    pub issued: Issued,
    /// The ID token.
    pub id_token: Option<String>,
}

enum Exchange {
    Issued(Box<(Issued, Person, Option<String>)>),
    Replayed,
    Unknown,
}

fn bad_code() -> ApiError {
    ApiError::invalid_grant(
        "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
    )
}

fn active(user: &UserRow) -> Result<(), ApiError> {
    if UserState::from_stored(&user.state) == Some(UserState::Active) {
        Ok(())
    } else {
        Err(ApiError::invalid_grant("The account is not active."))
    }
}

/// Exchanges an authorization code presented by `app`.
pub async fn exchange_code(
    state: &AppState,
    app: ApplicationRow,
    code: String,
    redirect_uri: Option<String>,
    verifier: Option<String>,
    origin: Origin,
) -> Result<Granted, ApiError> {
    // The key first: a code is not spent if no ID token could be signed.
    crate::services::signing_keys::signer(state).await?;
    let digest = TokenDigest::of(&code);
    let family = new_family();
    let ttl = ttl(state);
    let app_id = app.id;
    let outcome = state
        .db
        .write(move |conn| {
            let at = now();
            let redeemed = oauth_codes::redeem(conn, digest.as_str(), &family, at, |code| {
                let redirect_matches = match (&redirect_uri, code.redirect_uri_given) {
                    (Some(given), _) => *given == code.redirect_uri,
                    (None, given_before) => !given_before,
                };
                let verified = match (&code.code_challenge, &verifier) {
                    (Some(challenge), Some(verifier)) => CodeChallenge::is_met_by(challenge, verifier),
                    (None, None) => true,
                    _ => false,
                };
                if code.application_id != app_id || code.expires_at <= at || !redirect_matches || !verified {
                    return Err(bad_code());
                }
                Ok(())
            })?;
            match redeemed {
                Redeem::Unknown => Ok(Exchange::Unknown),
                Redeem::Replayed => {
                    Actor::anonymous(Some(&origin.ip)).record_application(
                        conn,
                        "authorization_code_reused",
                        app_id,
                        serde_json::Value::Null,
                    )?;
                    Ok(Exchange::Replayed)
                }
                Redeem::Spent(spent) => {
                    let (code, user) = *spent;
                    active(&user)?;
                    let issued = issue_pair_in(
                        conn,
                        &family,
                        &PairFor {
                            user_id: user.id,
                            application_id: Some(app_id),
                            scopes: &code.scopes,
                            auth_time: Some(code.auth_time),
                            origin: &origin,
                        },
                        ttl,
                    )?;
                    Actor::user(user.id, Some(&origin.ip)).record_application(
                        conn,
                        "oauth_token_issued",
                        app_id,
                        json!({"user_id": user.id, "grant_type": "authorization_code", "scopes": code.scopes}),
                    )?;
                    let person = id_tokens::person(conn, user, id_tokens::Groups::Direct)?;
                    Ok(Exchange::Issued(Box::new((issued, person, code.nonce))))
                }
            }
        })
        .await?;
    match outcome {
        Exchange::Issued(done) => {
            let (issued, person, nonce) = *done;
            let id_token = id_token(state, &app, &issued, &person, nonce.as_deref()).await?;
            Ok(Granted { issued, id_token })
        }
        Exchange::Replayed => {
            log::warn!("an authorization code was presented again; what it issued is revoked");
            Err(bad_code())
        }
        Exchange::Unknown => Err(bad_code()),
    }
}

/// The ID token for a pair just issued to `app`, if it has `openid`.
pub async fn id_token(
    state: &AppState,
    app: &ApplicationRow,
    issued: &Issued,
    person: &Person,
    nonce: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let scopes = AppScopes::parse_joined(&issued.row.scopes)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    if !scopes.contains(AppScope::OpenId) {
        return Ok(None);
    }
    let claims = id_tokens::id_token_claims(
        state,
        person,
        &IdTokenFacts {
            client_id: &app.uid,
            auth_time: issued.row.auth_time,
            nonce,
            access_token: issued.access.expose(),
        },
    );
    Ok(Some(id_tokens::sign(state, claims).await?))
}

/// The ID token for a refreshed pair, if it has `openid` and an application.
pub async fn refreshed_id_token(
    state: &AppState,
    app: Option<&ApplicationRow>,
    issued: &Issued,
) -> Result<Option<String>, ApiError> {
    let Some(app) = app else {
        return Ok(None);
    };
    if !issued.row.scopes.split(' ').any(|s| s == "openid") {
        return Ok(None);
    }
    let user_id = issued.row.user_id;
    let person = state
        .db
        .run_api(move |conn| {
            let user = roster_persistence::users::find_user(conn, user_id)?
                .ok_or_else(|| ApiError::invalid_grant("The account is gone."))?;
            Ok(id_tokens::person(conn, user, id_tokens::Groups::Direct)?)
        })
        .await?;
    id_token(state, app, issued, &person, None).await
}

fn device_error(error: &'static str, description: &str) -> ApiError {
    ApiError::OAuth {
        status: StatusCode::BAD_REQUEST,
        error,
        description: description.to_owned(),
    }
}

/// Answers a device's poll (RFC 8628 §3.5): the tokens once the person
/// allowed it, or why not yet.
pub async fn poll_device(
    state: &AppState,
    app: ApplicationRow,
    device_code: String,
    origin: Origin,
) -> Result<Granted, ApiError> {
    crate::services::signing_keys::signer(state).await?;
    let digest = TokenDigest::of(&device_code);
    let ttl = ttl(state);
    let app_id = app.id;
    // The poll is noted (its time, a longer interval after `slow_down`)
    // whatever the answer: the inner result is the answer, the outer one
    // whether the transaction held.
    let answer: Result<(Issued, Person), ApiError> = state
        .db
        .write(move |conn| {
            let at = now();
            let Some(Polled { code, user, too_soon }) =
                device_codes::poll(conn, digest.as_str(), app_id, at)?
            else {
                return Ok(Err(ApiError::invalid_grant("The device code is invalid.")));
            };
            Ok(answer_poll(conn, code, user, too_soon, app_id, at, ttl, &origin))
        })
        .await?;
    let (issued, person) = answer?;
    let id_token = id_token(state, &app, &issued, &person, None).await?;
    Ok(Granted { issued, id_token })
}

#[allow(clippy::too_many_arguments)]
fn answer_poll(
    conn: &mut roster_persistence::DbConnection,
    code: device_codes::DeviceCodeRow,
    user: Option<UserRow>,
    too_soon: bool,
    app_id: i64,
    at: chrono::NaiveDateTime,
    ttl: chrono::Duration,
    origin: &Origin,
) -> Result<(Issued, Person), ApiError> {
    if code.expires_at <= at {
        return Err(device_error("expired_token", "The device code has expired."));
    }
    match code.status.as_str() {
        device_codes::PENDING if too_soon => Err(device_error(
            "slow_down",
            "The device is polling too often; wait five seconds more between polls.",
        )),
        device_codes::PENDING => Err(device_error(
            "authorization_pending",
            "The person has not answered yet.",
        )),
        device_codes::DENIED => Err(device_error("access_denied", "The person refused.")),
        device_codes::APPROVED => {
            let user = user.ok_or_else(|| ApiError::invalid_grant("The device code is invalid."))?;
            active(&user)?;
            remember_grant(conn, user.id, app_id, &code.scopes)?;
            let issued = issue_pair_in(
                conn,
                &new_family(),
                &PairFor {
                    user_id: user.id,
                    application_id: Some(app_id),
                    scopes: &code.scopes,
                    auth_time: code.auth_time,
                    origin,
                },
                ttl,
            )?;
            Actor::user(user.id, Some(&origin.ip)).record_application(
                conn,
                "oauth_token_issued",
                app_id,
                json!({"user_id": user.id, "grant_type": "device_code", "scopes": code.scopes}),
            )?;
            let person = id_tokens::person(conn, user, id_tokens::Groups::Direct)?;
            Ok((issued, person))
        }
        _ => Err(ApiError::invalid_grant("The device code was already used.")),
    }
}
