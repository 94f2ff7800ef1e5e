//! The second step of signing in (§11): after the right password, a user
//! with a second factor gives a code, either with the password (`otp`) or
//! later with the `mfa_token` the password step handed out. The password
//! grant and the sign-in page share this, so the rules are written once:
//! wrong codes count toward the lockout, a code works once, every step is
//! a security event.
use crate::http::error::ApiError;
use crate::services::audit::Actor;
use crate::services::sessions::{may_sign_in, record_failure_in, Lockout};
use crate::services::two_factor::{check_code_in, methods_in, CodeCheck, Factor};
use crate::state::AppState;
use chrono::Duration;
use roster_domain::{SecondFactorCode, TokenDigest};
use roster_persistence::mfa_challenges::{self, NewMfaChallenge};
use roster_persistence::users::UserRow;
use roster_persistence::{now, users, DbConnection};
use serde_json::json;

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

/// The answer to a right password of a user who has a second factor and
/// gave no code: `403 mfa_required` with a new `mfa_token`.
pub async fn challenge(
    state: &AppState,
    user: &UserRow,
    pending: Pending,
    ip: &str,
) -> Result<ApiError, ApiError> {
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
    Ok(ApiError::MfaRequired { token, methods })
}

/// How an attempt at the second factor ended, as stored.
enum Attempt {
    Proved(Box<Proved>),
    Wrong,
    Locked,
    NoChallenge,
}

fn wrong() -> ApiError {
    ApiError::invalid_grant("The two-factor code is wrong, or was used before.")
}

fn locked() -> ApiError {
    ApiError::invalid_grant(
        "Your account is locked after too many failed sign-in attempts. Try again later or reset your password.",
    )
}

/// Checks `code` for `user` in the caller's transaction: a refusal counts
/// toward the lockout and is an event; an acceptance spends the code.
fn attempt_in(
    conn: &mut DbConnection,
    state: &AttemptContext,
    user: &UserRow,
    code: &SecondFactorCode,
) -> Result<Option<Factor>, ApiError> {
    match check_code_in(conn, &state.secrets, user.id, code)? {
        CodeCheck::Accepted(factor) => Ok(Some(factor)),
        CodeCheck::Refused => {
            record_failure_in(conn, &state.lockout, user, &state.actor, "wrong second factor")?;
            Ok(None)
        }
    }
}

/// What [`attempt_in`] needs from the request and the settings.
struct AttemptContext {
    secrets: roster_domain::SecretKey,
    lockout: Lockout,
    actor: Actor,
}

impl AttemptContext {
    fn new(state: &AppState, actor: Actor) -> Self {
        Self {
            secrets: state.secrets.clone(),
            lockout: Lockout::of(state),
            actor,
        }
    }
}

/// The password grant with `otp`: proves the code of `user`, whose
/// password was just checked.
pub async fn prove_with_password(
    state: &AppState,
    user: UserRow,
    code: SecondFactorCode,
    ip: &str,
) -> Result<Factor, ApiError> {
    let context = AttemptContext::new(state, Actor::user(user.id, Some(ip)));
    let attempt = state
        .db
        .write(move |conn| {
            if user.is_locked_at(now()) {
                return Ok(Attempt::Locked);
            }
            Ok(match attempt_in(conn, &context, &user, &code)? {
                Some(factor) => Attempt::Proved(Box::new(Proved {
                    user,
                    factor,
                    application_id: None,
                    scopes: String::new(),
                })),
                None => Attempt::Wrong,
            })
        })
        .await?;
    match attempt {
        Attempt::Proved(proved) => Ok(proved.factor),
        Attempt::Wrong => Err(wrong()),
        Attempt::Locked => Err(locked()),
        Attempt::NoChallenge => Err(invalid_token()),
    }
}

fn invalid_token() -> ApiError {
    ApiError::invalid_grant("The mfa_token is invalid, expired or used. Sign in with the password again.")
}

/// Finishes a sign-in begun as `purpose` with its `mfa_token` and a code.
/// `client` is the application that presents it (the mfa grant's; `None`
/// for the page); it must be the one the sign-in began with.
pub async fn prove_with_token(
    state: &AppState,
    mfa_token: String,
    code: SecondFactorCode,
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
    let secrets = state.secrets.clone();
    let lockout = Lockout::of(state);
    let attempt = state
        .db
        .write(move |conn| {
            let at = now();
            let Some(challenge) = mfa_challenges::find_live(conn, digest.as_str(), purpose, at)? else {
                return Ok(Attempt::NoChallenge);
            };
            if challenge.application_id != client {
                return Ok(Attempt::NoChallenge);
            }
            let Some(user) = users::find_user(conn, challenge.user_id)? else {
                return Ok(Attempt::NoChallenge);
            };
            if user.is_locked_at(at) {
                return Ok(Attempt::Locked);
            }
            let context = AttemptContext {
                secrets,
                lockout,
                actor: Actor::user(user.id, Some(&ip)),
            };
            match attempt_in(conn, &context, &user, &code)? {
                Some(factor) => {
                    if !mfa_challenges::spend(conn, challenge.id, at)? {
                        return Ok(Attempt::NoChallenge);
                    }
                    Ok(Attempt::Proved(Box::new(Proved {
                        user,
                        factor,
                        application_id: challenge.application_id,
                        scopes: challenge.scopes,
                    })))
                }
                None => {
                    mfa_challenges::record_failure(conn, challenge.id, MAX_FAILURES_PER_TOKEN, at)?;
                    Ok(Attempt::Wrong)
                }
            }
        })
        .await?;
    match attempt {
        Attempt::Proved(proved) => {
            may_sign_in(state, &proved.user)?;
            Ok(*proved)
        }
        Attempt::Wrong => Err(wrong()),
        Attempt::Locked => Err(locked()),
        Attempt::NoChallenge => Err(invalid_token()),
    }
}
