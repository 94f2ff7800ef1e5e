//! Signing in and out of the browser pages: the same password check,
//! lockout and security events as the password grant, ending in a browser
//! session instead of a token pair.
use crate::http::browser::new_session_secret;
use crate::http::error::ApiError;
use crate::services::audit::Actor;
use crate::services::sessions::check_password;
use crate::state::AppState;
use chrono::Duration;
use roster_domain::TokenDigest;
use roster_persistence::browser_sessions::{self, NewBrowserSession};
use roster_persistence::users::UserRow;
use roster_persistence::{now, users};
use serde_json::json;

/// How long a browser session lasts.
pub const SESSION_LIFETIME: Duration = Duration::days(7);

/// Signs in with a password; the new session's cookie value and its user.
/// The browser's earlier session (`replaced`, its cookie's value), if any,
/// ends: one browser, one session.
pub async fn with_password(
    state: &AppState,
    login: String,
    password: String,
    ip: String,
    user_agent: Option<String>,
    replaced: Option<String>,
) -> Result<(String, UserRow), ApiError> {
    let user = check_password(state, login, password, Some(&ip)).await?;
    let (secret, digest) = new_session_secret();
    let actor = Actor::user(user.id, Some(&ip));
    let signed_in = user.clone();
    state
        .db
        .write(move |conn| {
            let at = now();
            if let Some(old) = replaced {
                browser_sessions::delete_by_digest(conn, TokenDigest::of(&old).as_str())?;
            }
            users::record_sign_in(conn, &user, Some(&ip))?;
            actor.record(
                conn,
                "sign_in_succeeded",
                Some(user.id),
                json!({"via": "browser"}),
            )?;
            // User agents are for the person's list of sessions; a long one
            // is cut rather than refused.
            let agent: Option<String> = user_agent.map(|a| a.chars().take(255).collect());
            browser_sessions::create(
                conn,
                &NewBrowserSession {
                    user_id: user.id,
                    secret_digest: digest.as_str(),
                    authenticated_at: at,
                    last_seen_at: at,
                    expires_at: at + SESSION_LIFETIME,
                    ip: Some(&ip),
                    user_agent: agent.as_deref(),
                    created_at: at,
                },
            )?;
            if rand::random::<u8>() == 0 {
                browser_sessions::sweep(conn, at)?;
            }
            Ok(())
        })
        .await?;
    Ok((secret, signed_in))
}

/// Ends the session whose cookie holds `secret`, if it is one.
pub async fn sign_out(state: &AppState, secret: String, ip: String) -> Result<(), ApiError> {
    let digest = TokenDigest::of(&secret);
    state
        .db
        .write(move |conn| {
            if let Some(session) = browser_sessions::delete_by_digest(conn, digest.as_str())? {
                Actor::user(session.user_id, Some(&ip)).record(
                    conn,
                    "signed_out",
                    Some(session.user_id),
                    json!({"via": "browser"}),
                )?;
            }
            Ok(())
        })
        .await
}
