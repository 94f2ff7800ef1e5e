//! The second step of signing in (§11): after the right password, a user
//! with a second factor gives a code, either with the password (`otp`) or
//! later with the `mfa_token` the password step handed out. The password
//! grant and the sign-in page share this, so the rules are written once:
//! wrong codes count toward the lockout, a code works once, every step is
//! a security event.
use crate::http::error::ApiError;
use crate::services::audit::Actor;
use crate::services::sessions::may_sign_in;
use crate::services::two_factor::{methods_in, CodeAttempt, Factor, Proof};
use crate::services::webauthn;
use crate::state::AppState;
use chrono::Duration;
use roster_domain::{SecondFactorCode, TokenDigest};
use roster_persistence::mfa_challenges::{self, NewMfaChallenge};
use roster_persistence::users::UserRow;
use roster_persistence::{now, users};
use serde_json::{json, Value};

/// How long an `mfa_token` works.
pub const MFA_TOKEN_LIFETIME: Duration = Duration::minutes(5);
/// Wrong codes an `mfa_token` takes before it is spent.
const MAX_FAILURES_PER_TOKEN: i32 = 5;

/// Where a sign-in that awaits its second factor began, and so where it
/// may finish.
#[derive(Debug, Clone)]
pub enum Pending {
    /// The password grant: the mfa grant finishes it, for the same client.
    Tokens {
        /// The application the password grant named, if any.
        application_id: Option<i64>,
        /// The scopes asked for.
        scopes: String,
    },
    /// The sign-in page: its second-factor form finishes it.
    Browser,
}

impl Pending {
    fn purpose(&self) -> &'static str {
        match self {
            Self::Tokens { .. } => mfa_challenges::FOR_TOKENS,
            Self::Browser => mfa_challenges::FOR_BROWSER,
        }
    }
}

/// A second factor that was proved.
#[derive(Debug, Clone)]
pub struct Proved {
    /// The user, as of the proof.
    pub user: UserRow,
    /// The factor.
    pub factor: Factor,
    /// The application the sign-in began with (the password grant's).
    pub application_id: Option<i64>,
    /// The scopes the sign-in asked for.
    pub scopes: String,
}

/// A new `mfa_token` and the methods the user can answer with.
pub struct Challenge {
    /// The token, shown once.
    pub token: String,
    /// `totp`, `recovery_code`, …
    pub methods: Vec<&'static str>,
}

impl From<Challenge> for ApiError {
    /// The password grant's answer: `403 mfa_required`.
    fn from(challenge: Challenge) -> Self {
        ApiError::MfaRequired {
            token: challenge.token,
            methods: challenge.methods,
        }
    }
}

/// Starts the second step for a user whose password was right and who
/// gave no code: a new `mfa_token`, stored as SHA-256, and an event.
pub async fn challenge(
    state: &AppState,
    user: &UserRow,
    pending: Pending,
    ip: &str,
) -> Result<Challenge, ApiError> {
    // 256 random bits, like a session's secret; only the digest is stored.
    let (token, digest) = crate::http::browser::new_session_secret();
    let user_id = user.id;
    let actor = Actor::user(user_id, Some(ip));
    let methods = state
        .db
        .write(move |conn| {
            let at = now();
            let (application_id, scopes) = match &pending {
                Pending::Tokens {
                    application_id,
                    scopes,
                } => (*application_id, scopes.clone()),
                Pending::Browser => (None, String::new()),
            };
            mfa_challenges::create(
                conn,
                &NewMfaChallenge {
                    token_digest: digest.as_str(),
                    user_id,
                    application_id,
                    purpose: pending.purpose(),
                    scopes: &scopes,
                    expires_at: at + MFA_TOKEN_LIFETIME,
                    created_at: at,
                },
            )?;
            if rand::random::<u8>() == 0 {
                mfa_challenges::sweep(conn, at)?;
            }
            actor.record(conn, "second_factor_required", Some(user_id), json!({}))?;
            methods_in(conn, user_id)
        })
        .await?;
    Ok(Challenge { token, methods })
}

fn wrong() -> ApiError {
    ApiError::invalid_grant("The two-factor code is wrong, or was used before.")
}

fn locked() -> ApiError {
    ApiError::invalid_grant(
        "Your account is locked after too many failed sign-in attempts. Try again later or reset your password.",
    )
}

fn invalid_token() -> ApiError {
    ApiError::invalid_grant("The mfa_token is invalid, expired or used. Sign in with the password again.")
}

/// The password grant with `otp`: proves the code of `user`, whose
/// password was just checked. A refusal is stored (lockout, event) before
/// it is answered.
pub async fn prove_with_password(
    state: &AppState,
    user: UserRow,
    code: SecondFactorCode,
    ip: &str,
) -> Result<Factor, ApiError> {
    let attempt = CodeAttempt::new(state, Actor::user(user.id, Some(ip)));
    state
        .db
        .write(move |conn| {
            if user.is_locked_at(now()) {
                return Ok(Err(locked()));
            }
            Ok(attempt.prove_in(conn, &user, &code)?.ok_or_else(wrong))
        })
        .await?
}

/// `POST /oauth/mfa/webauthn/options`: the WebAuthn request options for
/// the sign-in of `mfa_token` (from the password grant or the page).
pub async fn webauthn_options(state: &AppState, mfa_token: String) -> Result<Value, ApiError> {
    let rp = webauthn::relying_party(state)?;
    let digest = TokenDigest::of(&mfa_token);
    state
        .db
        .write(move |conn| {
            let Some(challenge) = mfa_challenges::find_live_any(conn, digest.as_str(), now())? else {
                return Err(invalid_token());
            };
            webauthn::assertion_options_in(conn, &rp, challenge.user_id, challenge.id)?.ok_or_else(|| {
                ApiError::invalid_request(
                    "This account has no WebAuthn credential; answer with a code (otp).",
                )
            })
        })
        .await
}

/// Finishes a sign-in begun as `purpose` with its `mfa_token` and a code.
/// `client` is the application that presents it (the mfa grant's; `None`
/// for the page); it must be the one the sign-in began with. A wrong code
/// counts toward the lockout and toward the token's own limit.
pub async fn prove_with_token(
    state: &AppState,
    mfa_token: String,
    proof: Proof,
    browser: bool,
    client: Option<i64>,
    ip: &str,
) -> Result<Proved, ApiError> {
    let digest = TokenDigest::of(&mfa_token);
    let purpose = if browser {
        mfa_challenges::FOR_BROWSER
    } else {
        mfa_challenges::FOR_TOKENS
    };
    let ip = ip.to_owned();
    let rp = match proof {
        Proof::Assertion(_) => Some(webauthn::relying_party(state)?),
        Proof::Code(_) => None,
    };
    let mut attempt = CodeAttempt::new(state, Actor::anonymous(Some(&ip)));
    let proved = state
        .db
        .write(move |conn| {
            let at = now();
            let challenge = mfa_challenges::find_live(conn, digest.as_str(), purpose, at)?
                .filter(|challenge| challenge.application_id == client);
            let Some(challenge) = challenge else {
                return Ok(Err(invalid_token()));
            };
            let Some(user) = users::find_user(conn, challenge.user_id)? else {
                return Ok(Err(invalid_token()));
            };
            if user.is_locked_at(at) {
                return Ok(Err(locked()));
            }
            attempt.actor = Actor::user(user.id, Some(&ip));
            let verdict = match (&proof, &rp) {
                (Proof::Code(code), _) => attempt.prove_in(conn, &user, code)?,
                (Proof::Assertion(text), Some(rp)) => {
                    attempt.prove_assertion_in(conn, &user, rp, challenge.id, text)?
                }
                (Proof::Assertion(_), None) => None,
            };
            let Some(factor) = verdict else {
                mfa_challenges::record_failure(conn, challenge.id, MAX_FAILURES_PER_TOKEN, at)?;
                return Ok(Err(wrong()));
            };
            if !mfa_challenges::spend(conn, challenge.id, at)? {
                return Ok(Err(invalid_token()));
            }
            Ok(Ok(Proved {
                user,
                factor,
                application_id: challenge.application_id,
                scopes: challenge.scopes,
            }))
        })
        .await??;
    may_sign_in(state, &proved.user)?;
    Ok(proved)
}
