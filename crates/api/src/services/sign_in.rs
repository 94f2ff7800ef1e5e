//! Signing in and out of the browser pages: the same password check,
//! lockout and security events as the password grant, ending in a browser
//! session instead of a token pair.
use crate::http::browser::new_session_secret;
use crate::http::error::ApiError;
use crate::services::audit::Actor;
use crate::services::second_factor::{self, Pending};
use crate::services::sessions::check_password;
use crate::services::two_factor::{Factor, Proof};
use crate::state::AppState;
use chrono::Duration;
use roster_domain::TokenDigest;
use roster_persistence::browser_sessions::{self, NewBrowserSession};
use roster_persistence::users::{Rehash, UserRow};
use roster_persistence::{now, users};
use serde_json::json;

/// How long a browser session lasts.
pub const SESSION_LIFETIME: Duration = Duration::days(7);

/// Where the password step of the page leads.
pub enum PasswordStep {
    /// Signed in: the new session's cookie value and its user.
    SignedIn(String, Box<UserRow>),
    /// The password was right; the second factor is awaited with this
    /// `mfa_token` (kept in the page's form) and these methods.
    SecondFactor {
        /// The token, for the second form.
        mfa_token: String,
        /// `totp`, `recovery_code`, …
        methods: Vec<&'static str>,
    },
}

/// The request a browser signs in with.
pub struct BrowserRequest {
    /// The client's address.
    pub ip: String,
    /// Its `User-Agent`.
    pub user_agent: Option<String>,
    /// The browser's earlier session (its cookie's value), if any: it ends,
    /// one browser, one session.
    pub replaced: Option<String>,
}

/// Signs in with a password: a session, or for a user with a second
/// factor, the challenge of [`with_second_factor`].
pub async fn with_password(
    state: &AppState,
    login: String,
    password: String,
    request: BrowserRequest,
) -> Result<PasswordStep, ApiError> {
    let (user, rehash) = check_password(state, login, password, Some(&request.ip)).await?;
    if !user.two_factor_enabled && state.settings.require_two_factor.applies_to(user.is_admin) {
        // The API lets such a user reach only the enrolment routes; the
        // pages, which have no enrolment form yet, let them nowhere.
        return Err(ApiError::invalid_grant(
            "Two-factor authentication is required for this account and is not set up yet. Set it up first (POST /api/v4/user/two_factor/totp, see docs/two-factor.md), then sign in here.",
        ));
    }
    if user.two_factor_enabled {
        let challenge = second_factor::challenge(state, &user, Pending::Browser, &request.ip).await?;
        return Ok(PasswordStep::SecondFactor {
            mfa_token: challenge.token,
            methods: challenge.methods,
        });
    }
    let secret = start_session(state, user.clone(), None, request, rehash).await?;
    Ok(PasswordStep::SignedIn(secret, Box::new(user)))
}

/// The page's second step: the `mfa_token` of [`with_password`] and a
/// code or a WebAuthn assertion; a session when it proves the factor.
pub async fn with_second_factor(
    state: &AppState,
    mfa_token: String,
    proof: Proof,
    request: BrowserRequest,
) -> Result<(String, UserRow), ApiError> {
    let proved = second_factor::prove_with_token(state, mfa_token, proof, true, None, &request.ip).await?;
    let secret = start_session(state, proved.user.clone(), Some(proved.factor), request, None).await?;
    Ok((secret, proved.user))
}

/// Signs in with a passkey alone (a discoverable credential that verified
/// its user): the session's cookie value and its user. A refused passkey
/// is an event; it does not count toward any account's lockout, since it
/// names no account.
pub async fn with_passkey(
    state: &AppState,
    assertion: String,
    request: BrowserRequest,
) -> Result<(String, UserRow), ApiError> {
    let rp = crate::services::webauthn::relying_party(state)?;
    let ip = request.ip.clone();
    let user = state
        .db
        .write(move |conn| {
            let Some(id) = crate::services::webauthn::passkey_user_in(conn, &rp, &assertion)? else {
                Actor::anonymous(Some(&ip)).record(conn, "sign_in_failed", None, json!({"reason": "passkey refused"}))?;
                return Ok(Err(ApiError::invalid_grant(
                    "The passkey was not accepted. Try again, or sign in with your password.",
                )));
            };
            let user = users::find_user(conn, id)?.ok_or(ApiError::NotFound("User"))?;
            if user.is_locked_at(now()) {
                return Ok(Err(ApiError::invalid_grant(
                    "Your account is locked after too many failed sign-in attempts. Try again later or reset your password.",
                )));
            }
            Ok(Ok(user))
        })
        .await??;
    crate::services::sessions::may_sign_in(state, &user)?;
    let secret = start_session(state, user.clone(), Some(Factor::WebAuthn), request, None).await?;
    Ok((secret, user))
}

/// Records a finished sign-in and starts the browser's session; its
/// cookie's value.
async fn start_session(
    state: &AppState,
    user: UserRow,
    factor: Option<Factor>,
    request: BrowserRequest,
    rehash: Option<Rehash>,
) -> Result<String, ApiError> {
    let BrowserRequest {
        ip,
        user_agent,
        replaced,
    } = request;
    let (secret, digest) = new_session_secret();
    let actor = Actor::user(user.id, Some(&ip));
    let details = match factor {
        Some(factor) => json!({"via": "browser", "second_factor": factor.name()}),
        None => json!({"via": "browser"}),
    };
    state
        .db
        .write(move |conn| {
            let at = now();
            if let Some(old) = replaced {
                browser_sessions::delete_by_digest(conn, TokenDigest::of(&old).as_str())?;
            }
            users::record_sign_in(conn, &user, Some(&ip), rehash.as_ref())?;
            actor.record(conn, "sign_in_succeeded", Some(user.id), details)?;
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
    Ok(secret)
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
