//! Signing in with a password, and refreshing OAuth tokens.
use crate::background::stored_hash;
use crate::http::error::ApiError;
use crate::http::origin::Origin;
use crate::services::audit::Actor;
use crate::services::second_factor::{self, Pending};
use crate::services::two_factor::Factor;
use crate::settings::EmailConfirmation;
use crate::state::AppState;
use chrono::Duration;
use roster_domain::{AppScopes, Scope, Scopes, TokenKind, TokenSecret, UserState};
use roster_persistence::applications::ApplicationRow;
use roster_persistence::oauth_tokens::{self, NewOAuth, OAuthRow, Refresh, Renewal};
use roster_persistence::users::{Rehash, UserRow};
use roster_persistence::{
    now, oauth_grants, outbox, sign_in_failures, users, write_transaction, DbConnection, RepoError,
};
use serde_json::{json, Value};

/// A freshly issued token pair: the row and both secrets.
pub struct Issued {
    /// The stored row.
    pub row: OAuthRow,
    /// The access token, shown once.
    pub access: TokenSecret,
    /// The refresh token, shown once.
    pub refresh: TokenSecret,
}

/// How long access tokens live.
pub fn ttl(state: &AppState) -> Duration {
    Duration::seconds(state.settings.access_token_ttl.as_secs() as i64)
}

/// The answer to a sign-in while the account (or an unknown name) is locked.
fn locked() -> ApiError {
    ApiError::invalid_grant(
        "Your account is locked after too many failed sign-in attempts. Try again later or reset your password.",
    )
}

/// Checks a sign-in with a password, for the password grant and the
/// sign-in page alike. Every failure looks the same to the caller
/// (`invalid_grant`), and an unknown user costs one bcrypt check like a
/// known one. Ten failures in a row lock the account for ten minutes. Each
/// failure is a security event; success is the caller's to record with
/// what it issues.
pub async fn check_password(
    state: &AppState,
    login: String,
    password: String,
    ip: Option<&str>,
) -> Result<(UserRow, Option<Rehash>), ApiError> {
    let lookup = login.clone();
    let login = login.trim().to_owned();
    let user = state
        .db
        .run(move |conn| users::find_by_login(conn, &lookup))
        .await?;
    let candidate = password.clone();
    let matches = state
        .hasher
        .verify(password, user.as_ref().map(|u| u.password_hash.clone()))
        .await?;
    let refused = || ApiError::invalid_grant("Invalid username or password.");
    let at = now();
    let actor = Actor::anonymous(ip);
    let Some(user) = user else {
        // Counted like an account's failures, so that the answer after ten
        // of them ("locked") does not tell which names have an account.
        let name = login.to_lowercase();
        let max = state.settings.max_failed_sign_ins;
        let until = at + Duration::seconds(state.settings.lockout.as_secs() as i64);
        let was_locked = state
            .db
            .run(move |conn| {
                write_transaction(conn, |conn| {
                    let was_locked = sign_in_failures::is_locked(conn, &name, at)?;
                    if !was_locked {
                        sign_in_failures::record_failure(conn, &name, max, until, at)?;
                        if rand::random::<u8>() == 0 {
                            sign_in_failures::sweep(conn, at - Duration::days(1))?;
                        }
                    }
                    actor.record(
                        conn,
                        "sign_in_failed",
                        None,
                        json!({"login": login, "reason": "unknown user"}),
                    )?;
                    Ok::<bool, RepoError>(was_locked)
                })
            })
            .await?;
        return Err(if was_locked { locked() } else { refused() });
    };
    if user.is_locked_at(at) {
        let id = user.id;
        state
            .db
            .run(move |conn| actor.record(conn, "sign_in_failed", Some(id), json!({"reason": "locked"})))
            .await?;
        return Err(locked());
    }
    if !matches {
        let lockout = Lockout::of(state);
        let failed = user.clone();
        state
            .db
            .run(move |conn| {
                write_transaction(conn, |conn| {
                    record_failure_in(conn, &lockout, &failed, &actor, "wrong password")
                })
            })
            .await?;
        return Err(refused());
    }
    if let Err(refusal) = may_sign_in(state, &user) {
        if UserState::from_stored(&user.state).is_some_and(UserState::is_blocked) {
            // GitLab's `user_failed_login`: a blocked user tried to sign in.
            let blocked = user.clone();
            state
                .db
                .run(move |conn| {
                    let about = json!({"state": blocked.state});
                    crate::services::system_events::user_event(conn, "user_failed_login", &blocked, about)
                })
                .await?;
        }
        return Err(refusal);
    }
    // An imported hash becomes Roster's own at the sign-in it proves
    // (written with that sign-in's record).
    let rehash = if stored_hash::is_roster_own(&user.password_hash) {
        None
    } else {
        state.hasher.rehash(candidate).await?.map(|new| Rehash {
            old: user.password_hash.clone(),
            new,
        })
    };
    Ok((user, rehash))
}

/// The lockout rule of the moment: after `max` failures in a row, locked
/// until `until`.
#[derive(Debug, Clone, Copy)]
pub struct Lockout {
    /// Failures that lock.
    pub max: i32,
    /// Until when a lock made now holds.
    pub until: chrono::NaiveDateTime,
    /// The lock's length in minutes, for the notice.
    pub minutes: u64,
}

impl Lockout {
    /// The rule of `state`'s settings, as of now.
    pub fn of(state: &AppState) -> Self {
        Self {
            max: state.settings.max_failed_sign_ins,
            until: now() + Duration::seconds(state.settings.lockout.as_secs() as i64),
            minutes: state.settings.lockout.as_secs() / 60,
        }
    }
}

/// Records a failed sign-in of `user` (a wrong password or a wrong second
/// factor) in the caller's transaction: it counts toward the lockout, is a
/// security event, and mails the notice when it locks the account.
/// `true` when this failure locked it.
pub fn record_failure_in(
    conn: &mut DbConnection,
    lockout: &Lockout,
    user: &UserRow,
    actor: &Actor,
    reason: &str,
) -> Result<bool, RepoError> {
    let locked = users::record_failed_sign_in(conn, user.id, lockout.max, lockout.until)?;
    actor.record(conn, "sign_in_failed", Some(user.id), json!({"reason": reason}))?;
    if locked {
        let notice = crate::background::mail::account_locked(
            &user.email,
            &user.username,
            lockout.max,
            lockout.minutes,
        );
        outbox::enqueue(conn, &notice)?;
        actor.record(
            conn,
            "account_locked",
            Some(user.id),
            json!({"failures": lockout.max}),
        )?;
        log::warn!("user {} locked after {} failed sign-ins", user.id, lockout.max);
    }
    Ok(locked)
}

/// `invalid_grant` unless the account may sign in now: active, and
/// confirmed when confirmation is required.
pub fn may_sign_in(state: &AppState, user: &UserRow) -> Result<(), ApiError> {
    if user.is_bot() {
        return Err(ApiError::invalid_grant(
            "A bot or service account signs in only with its access tokens.",
        ));
    }
    match UserState::from_stored(&user.state) {
        Some(UserState::Active) => {}
        Some(UserState::PendingApproval) => {
            return Err(ApiError::invalid_grant(crate::http::auth::PENDING_APPROVAL))
        }
        Some(s) if s.is_blocked() => return Err(ApiError::invalid_grant("Your account has been blocked.")),
        _ => return Err(ApiError::invalid_grant("Your account has been deactivated.")),
    }
    if state.settings.email_confirmation == EmailConfirmation::Hard && user.confirmed_at.is_none() {
        return Err(ApiError::invalid_grant(
            "You have to confirm your email address before continuing.",
        ));
    }
    Ok(())
}

/// `invalid_scope` unless the application was registered for every scope
/// asked for.
pub fn within_registration(app: &ApplicationRow, wanted: &AppScopes) -> Result<(), ApiError> {
    let allowed = AppScopes::parse_joined(&app.scopes).ok();
    if allowed.is_some_and(|a| a.covers(wanted)) {
        Ok(())
    } else {
        Err(ApiError::OAuth {
            status: actix_web::http::StatusCode::BAD_REQUEST,
            error: "invalid_scope",
            description: "The application is not registered for the requested scope.".into(),
        })
    }
}

/// The OAuth password grant: [`check_password`], then a token pair. An
/// application gets no more than it was registered for, and the user's
/// authorized applications list it from now on. A user with a second
/// factor also gives `otp`, or gets `403 mfa_required` and an `mfa_token`
/// for the mfa grant ([`mfa_grant`]).
pub async fn password_grant(
    state: &AppState,
    login: String,
    password: String,
    otp: Option<roster_domain::SecondFactorCode>,
    requested: Option<Scopes>,
    client: Option<ApplicationRow>,
    origin: Origin,
) -> Result<Issued, ApiError> {
    if let (Some(app), Some(wanted)) = (&client, &requested) {
        within_registration(app, &AppScopes::parse_joined(&wanted.joined())?)?;
    }
    let application_id = client.as_ref().map(|c| c.id);
    let (user, rehash) = check_password(state, login, password, Some(&origin.ip)).await?;
    let scopes = requested.unwrap_or_else(|| Scopes::only(Scope::Api)).joined();
    let factor = if user.two_factor_enabled {
        match otp {
            Some(code) => {
                Some(second_factor::prove_with_password(state, user.clone(), code, &origin.ip).await?)
            }
            None => {
                let pending = Pending::Tokens {
                    application_id,
                    scopes,
                };
                return Err(second_factor::challenge(state, &user, pending, &origin.ip)
                    .await?
                    .into());
            }
        }
    } else {
        None
    };
    issue_for_sign_in(state, user, application_id, scopes, factor, origin, rehash).await
}

/// `grant_type=urn:roster:params:oauth:grant-type:mfa`: the `mfa_token` of
/// a password grant and the second factor, then the token pair the
/// password grant would have issued, to the same client.
pub async fn mfa_grant(
    state: &AppState,
    mfa_token: String,
    proof: crate::services::two_factor::Proof,
    client: Option<ApplicationRow>,
    origin: Origin,
) -> Result<Issued, ApiError> {
    let client_id = client.as_ref().map(|c| c.id);
    let proved =
        second_factor::prove_with_token(state, mfa_token, proof, false, client_id, &origin.ip).await?;
    issue_for_sign_in(
        state,
        proved.user,
        proved.application_id,
        proved.scopes,
        Some(proved.factor),
        origin,
        None,
    )
    .await
}

/// Records a finished sign-in of the password grant and issues its pair.
async fn issue_for_sign_in(
    state: &AppState,
    user: UserRow,
    application_id: Option<i64>,
    scopes: String,
    factor: Option<Factor>,
    origin: Origin,
    rehash: Option<Rehash>,
) -> Result<Issued, ApiError> {
    let ttl = ttl(state);
    let actor = Actor::user(user.id, Some(&origin.ip));
    let details = match factor {
        Some(factor) => json!({"second_factor": factor.name()}),
        None => Value::Null,
    };
    state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                users::record_sign_in(conn, &user, Some(&origin.ip), rehash.as_ref())?;
                actor.record(conn, "sign_in_succeeded", Some(user.id), details)?;
                if let Some(app) = application_id {
                    remember_grant(conn, user.id, app, &scopes)?;
                }
                let family = new_family();
                issue_pair_in(
                    conn,
                    &family,
                    &PairFor {
                        user_id: user.id,
                        application_id,
                        scopes: &scopes,
                        auth_time: None,
                        origin: &origin,
                    },
                    ttl,
                )
            })
        })
        .await
}

/// Adds `scopes` to what the user granted the application.
pub fn remember_grant(
    conn: &mut DbConnection,
    user_id: i64,
    application_id: i64,
    scopes: &str,
) -> Result<(), RepoError> {
    let merged = match oauth_grants::find(conn, user_id, application_id)? {
        Some(earlier) => match (
            AppScopes::parse_joined(&earlier.scopes),
            AppScopes::parse_joined(scopes),
        ) {
            (Ok(a), Ok(b)) => a.union(&b).joined(),
            _ => scopes.to_owned(),
        },
        None => scopes.to_owned(),
    };
    oauth_grants::upsert(conn, user_id, application_id, &merged)?;
    Ok(())
}

/// A new token family's name.
pub fn new_family() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Whom a token pair is for, with what, and where it goes.
pub struct PairFor<'a> {
    /// The user.
    pub user_id: i64,
    /// The application, if any.
    pub application_id: Option<i64>,
    /// The scopes, joined by spaces.
    pub scopes: &'a str,
    /// When the person signed in (browser flows).
    pub auth_time: Option<chrono::NaiveDateTime>,
    /// The request that asked for it.
    pub origin: &'a Origin,
}

/// Stores a new token pair of `family`, in the caller's transaction.
pub fn issue_pair_in(
    conn: &mut DbConnection,
    family: &str,
    pair: &PairFor<'_>,
    ttl: Duration,
) -> Result<Issued, RepoError> {
    let access = TokenSecret::generate(TokenKind::OAuthAccess);
    let refresh = TokenSecret::generate(TokenKind::OAuthRefresh);
    let created = now();
    let row = oauth_tokens::create_oauth(
        conn,
        &NewOAuth {
            user_id: pair.user_id,
            application_id: pair.application_id,
            family,
            access_digest: access.digest().as_str(),
            refresh_digest: refresh.digest().as_str(),
            scopes: pair.scopes,
            expires_at: created + ttl,
            created_at: created,
            auth_time: pair.auth_time,
            ip_address: Some(&pair.origin.ip),
            user_agent: pair.origin.user_agent.as_deref(),
        },
    )?;
    Ok(Issued { row, access, refresh })
}

/// The OAuth refresh grant: the refresh token is single use; presenting a used
/// one revokes every token of its grant.
/// A refresh token issued to an application is only refreshed by that
/// application (RFC 6749 §6); one issued without one, only without one.
pub async fn refresh_grant(
    state: &AppState,
    refresh_token: String,
    client: Option<i64>,
    origin: Origin,
) -> Result<Issued, ApiError> {
    if TokenKind::of(&refresh_token) != Some(TokenKind::OAuthRefresh) {
        return Err(ApiError::invalid_grant("The refresh token is invalid."));
    }
    let digest = roster_domain::TokenDigest::of(&refresh_token);
    let ttl = ttl(state);
    let access = TokenSecret::generate(TokenKind::OAuthAccess);
    let refresh = TokenSecret::generate(TokenKind::OAuthRefresh);
    let (access_digest, refresh_digest) = (access.digest(), refresh.digest());
    let outcome = state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let outcome = oauth_tokens::refresh(conn, digest.as_str(), client, |_| Renewal {
                    access_digest: access_digest.as_str().to_owned(),
                    refresh_digest: refresh_digest.as_str().to_owned(),
                    expires_at: now() + ttl,
                    ip_address: Some(origin.ip),
                    user_agent: origin.user_agent,
                })?;
                if matches!(outcome, Refresh::Reused) {
                    Actor::default().record(conn, "refresh_token_reused", None, Value::Null)?;
                }
                Ok::<Refresh, RepoError>(outcome)
            })
        })
        .await?;
    match outcome {
        Refresh::Rotated(rotated) => {
            let (row, user) = *rotated;
            if UserState::from_stored(&user.state) != Some(UserState::Active) {
                return Err(ApiError::invalid_grant("The account is not active."));
            }
            Ok(Issued { row, access, refresh })
        }
        Refresh::Reused => {
            log::warn!("a used refresh token was presented again; its grant is revoked");
            Err(ApiError::invalid_grant("The refresh token is invalid."))
        }
        Refresh::Unknown => Err(ApiError::invalid_grant("The refresh token is invalid.")),
    }
}
