//! The device grant's two halves outside the token endpoint (RFC 8628):
//! a device asks for codes, and a signed-in person answers in a browser.
use crate::http::error::ApiError;
use crate::services::audit::Actor;
use crate::services::sessions::within_registration;
use crate::state::AppState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use roster_domain::{AppScopes, TokenDigest, UserCode};
use roster_persistence::applications::{self, ApplicationRow};
use roster_persistence::device_codes::{self, DeviceCodeRow, NewDeviceCode};
use roster_persistence::{now, RepoError};
use serde_json::{json, Value};

/// How long a device's codes are good for.
pub const DEVICE_CODE_LIFETIME: Duration = Duration::minutes(15);
/// The seconds a device waits between polls, at first.
pub const POLL_INTERVAL: i32 = 5;

/// Makes a device authorization for `app` (RFC 8628 §3.2).
pub async fn start(state: &AppState, app: ApplicationRow, scope: Option<String>) -> Result<Value, ApiError> {
    let registered =
        AppScopes::parse_joined(&app.scopes).map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    let scopes = match scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => registered,
        Some(asked) => AppScopes::parse_joined(asked).map_err(|_| ApiError::OAuth {
            status: actix_web::http::StatusCode::BAD_REQUEST,
            error: "invalid_scope",
            description: "The requested scope is invalid, unknown, or malformed.".into(),
        })?,
    };
    within_registration(&app, &scopes)?;
    let device_code = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let digest = TokenDigest::of(&device_code);
    let user_code = state
        .db
        .write(move |conn| {
            let at = now();
            // 20^8 codes: a collision with a live one is rare enough to
            // answer with "try again" (PostgreSQL could not retry inside
            // the failed transaction anyway).
            let code = UserCode::generate();
            let made = device_codes::create(
                conn,
                &NewDeviceCode {
                    device_digest: digest.as_str(),
                    user_code: code.as_str(),
                    application_id: app.id,
                    scopes: &scopes.joined(),
                    status: device_codes::PENDING,
                    poll_interval: POLL_INTERVAL,
                    expires_at: at + DEVICE_CODE_LIFETIME,
                    created_at: at,
                },
            );
            match made {
                Ok(()) => {
                    if rand::random::<u8>() == 0 {
                        device_codes::sweep(conn, at - Duration::days(1))?;
                    }
                    Ok(code)
                }
                Err(RepoError::Taken(_)) => Err(ApiError::Unavailable("no free user code; try again".into())),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    let verification_uri = format!("{}/oauth/device", state.public_url);
    Ok(json!({
        "device_code": device_code,
        "user_code": user_code.as_str(),
        "verification_uri": verification_uri,
        "verification_uri_complete": format!("{verification_uri}?user_code={}", user_code.as_str()),
        "expires_in": DEVICE_CODE_LIFETIME.num_seconds(),
        "interval": POLL_INTERVAL,
    }))
}

/// The pending authorization a person typed the code of, with its
/// application; `None` for a wrong, used or expired code.
pub async fn pending(
    state: &AppState,
    code: UserCode,
) -> Result<Option<(DeviceCodeRow, ApplicationRow)>, ApiError> {
    state
        .db
        .run(move |conn| {
            let Some(row) = device_codes::find_pending(conn, code.as_str(), now())? else {
                return Ok(None);
            };
            Ok(applications::find_application(conn, row.application_id)?.map(|app| (row, app)))
        })
        .await
}

/// Records the person's answer; whether the code was still pending.
pub async fn answer(
    state: &AppState,
    code: DeviceCodeRow,
    user_id: i64,
    approved: bool,
    auth_time: NaiveDateTime,
    ip: String,
) -> Result<bool, ApiError> {
    state
        .db
        .write(move |conn| {
            let decided = device_codes::decide(conn, code.id, user_id, approved, auth_time)?;
            if decided {
                Actor::user(user_id, Some(&ip)).record_application(
                    conn,
                    if approved {
                        "oauth_consent_granted"
                    } else {
                        "oauth_consent_denied"
                    },
                    code.application_id,
                    json!({"user_id": user_id, "scopes": code.scopes, "grant_type": "device_code"}),
                )?;
            }
            Ok(decided)
        })
        .await
}
