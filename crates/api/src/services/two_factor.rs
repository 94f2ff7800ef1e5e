//! Enrolling and managing a second factor (§11): TOTP with recovery codes,
//! and turning it all off. Each change, its security event and its notice
//! are stored in one transaction. Codes are checked by [`check_code_in`],
//! which the sign-in flows share.
use crate::background::mail::{self, TwoFactorChange};
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::services::accounts::check_current_password;
use crate::services::audit::Actor;
use crate::services::sessions::{record_failure_in, Lockout};
use crate::services::system_events;
use crate::state::AppState;
use roster_domain::{RecoveryCode, SecondFactorCode, SecretKey, TotpSeed};
use roster_persistence::users::UserRow;
use roster_persistence::{now, outbox, sealed, two_factor, users, DbConnection};
use serde_json::json;

/// What `POST /user/two_factor/totp` hands out, once.
pub struct Enrolment {
    /// The seed in base32, for typing into an app.
    pub secret: String,
    /// The `otpauth://` URI, for a QR code.
    pub otpauth_uri: String,
}

/// Which factor a code proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    /// A TOTP code.
    Totp,
    /// A recovery code.
    RecoveryCode,
    /// A WebAuthn assertion.
    WebAuthn,
}

/// What a person answers the second step with.
#[derive(Debug, Clone)]
pub enum Proof {
    /// A TOTP code or a recovery code.
    Code(SecondFactorCode),
    /// A WebAuthn assertion: the `PublicKeyCredential` JSON form, as text.
    Assertion(String),
}

impl Factor {
    /// Its name in events and answers.
    pub fn name(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::RecoveryCode => "recovery_code",
            Self::WebAuthn => "webauthn",
        }
    }
}

/// What a code turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// It proves the factor (and is now spent).
    Accepted(Factor),
    /// It matches nothing, or was used before.
    Refused,
}

fn opened_seed(secrets: &SecretKey, sealed: &str) -> Result<TotpSeed, ApiError> {
    let bytes = secrets
        .open(sealed)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("a TOTP seed: {e}")))?;
    TotpSeed::from_bytes(&bytes).map_err(|e| ApiError::Internal(e.into()))
}

fn unix_now() -> u64 {
    now().and_utc().timestamp().max(0) as u64
}

/// Checks `code` for user `user_id` in the caller's transaction and spends
/// it when it is accepted: a TOTP code's step (a code of that step or an
/// earlier one is refused from now on, on every node), or the recovery code.
pub fn check_code_in(
    conn: &mut DbConnection,
    secrets: &SecretKey,
    user_id: i64,
    code: &SecondFactorCode,
) -> Result<CodeCheck, ApiError> {
    match code {
        SecondFactorCode::Totp(otp) => {
            let Some(row) = two_factor::find_totp(conn, user_id)?.filter(|r| r.confirmed_at.is_some()) else {
                return Ok(CodeCheck::Refused);
            };
            let seed = opened_seed(secrets, &row.sealed_seed)?;
            let Some(step) = seed.matching_step(otp, unix_now()) else {
                return Ok(CodeCheck::Refused);
            };
            if two_factor::use_totp_step(conn, user_id, step as i64)? {
                Ok(CodeCheck::Accepted(Factor::Totp))
            } else {
                Ok(CodeCheck::Refused)
            }
        }
        SecondFactorCode::Recovery(recovery) => {
            let key = recovery_key_in(conn, secrets)?;
            if two_factor::use_recovery_code(conn, user_id, &recovery.keyed_digest(&key), now())? {
                Ok(CodeCheck::Accepted(Factor::RecoveryCode))
            } else {
                Ok(CodeCheck::Refused)
            }
        }
        SecondFactorCode::Unreadable => Ok(CodeCheck::Refused),
    }
}

/// The ways `user` can prove the second factor now, in the order of §11.
pub fn methods_in(conn: &mut DbConnection, user_id: i64) -> Result<Vec<&'static str>, ApiError> {
    let mut methods = Vec::new();
    if two_factor::find_totp(conn, user_id)?.is_some_and(|r| r.confirmed_at.is_some()) {
        methods.push("totp");
    }
    if !roster_persistence::webauthn::list(conn, user_id)?.is_empty() {
        methods.push("webauthn");
    }
    if two_factor::unused_recovery_codes(conn, user_id)? > 0 {
        methods.push("recovery_code");
    }
    Ok(methods)
}

/// `POST /user/two_factor/totp`: a new seed, not active until confirmed.
pub async fn begin_totp(
    state: &AppState,
    caller: &Caller,
    current_password: String,
) -> Result<Enrolment, ApiError> {
    let user = caller.user.clone();
    check_current_password(state, &user, Some(current_password)).await?;
    let seed = TotpSeed::generate();
    let sealed = state.secrets.seal(seed.as_bytes());
    let actor = Actor::of(caller);
    let id = user.id;
    let started = state
        .db
        .write(move |conn| {
            let started = two_factor::start_totp(conn, id, &sealed, now())?;
            if started {
                actor.record(
                    conn,
                    "two_factor_enrolment_started",
                    Some(id),
                    json!({"method": "totp"}),
                )?;
            }
            Ok(started)
        })
        .await?;
    if !started {
        return Err(ApiError::BadRequest(
            "TOTP is already enabled. Turn two-factor authentication off before enrolling again.".into(),
        ));
    }
    Ok(Enrolment {
        secret: seed.to_base32(),
        otpauth_uri: seed.otpauth_uri(&state.settings.totp_issuer, &user.username),
    })
}

/// The name of the recovery codes' HMAC key in `sealed_values`.
pub const RECOVERY_KEY: &str = "recovery_code_key";

/// The key recovery codes are hashed under, in the caller's transaction:
/// random, sealed with the secret key, made the first time it is needed.
/// Not the secret key itself, so that `roster keys reseal` can move it to
/// a new secret key and the codes keep working.
pub fn recovery_key_in(conn: &mut DbConnection, secrets: &SecretKey) -> Result<SecretKey, ApiError> {
    let sealed = match sealed::value(conn, RECOVERY_KEY)? {
        Some(sealed) => sealed,
        None => {
            let made = secrets.seal(SecretKey::generate().to_base64().as_bytes());
            sealed::value_or_insert(conn, RECOVERY_KEY, &made, now())?
        }
    };
    let opened = secrets
        .open(&sealed)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("the recovery codes' key: {e}")))?;
    std::str::from_utf8(&opened)
        .ok()
        .and_then(|text| SecretKey::from_base64(text).ok())
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the recovery codes' key is malformed")))
}

fn recovery_digests(key: &SecretKey, codes: &[RecoveryCode]) -> Vec<String> {
    codes.iter().map(|c| c.keyed_digest(key)).collect()
}

/// `POST /user/two_factor/totp/confirm`: the first code turns TOTP on and
/// brings the recovery codes, shown only in this answer.
pub async fn confirm_totp(
    state: &AppState,
    caller: &Caller,
    otp: roster_domain::OtpCode,
) -> Result<Vec<RecoveryCode>, ApiError> {
    let secrets = state.secrets.clone();
    let actor = Actor::of(caller);
    let user = caller.user.clone();
    state
        .db
        .write(move |conn| {
            let pending = two_factor::find_totp(conn, user.id)?;
            let Some(pending) = pending.filter(|row| row.confirmed_at.is_none()) else {
                return Err(ApiError::BadRequest(
                    "There is no TOTP enrolment to confirm: start one with POST /user/two_factor/totp."
                        .into(),
                ));
            };
            let seed = opened_seed(&secrets, &pending.sealed_seed)?;
            let Some(step) = seed.matching_step(&otp, unix_now()) else {
                return Err(ApiError::field("otp", "is incorrect"));
            };
            two_factor::confirm_totp(conn, user.id, step as i64, now())?;
            let codes = RecoveryCode::generate_set();
            let key = recovery_key_in(conn, &secrets)?;
            two_factor::replace_recovery_codes(conn, user.id, &recovery_digests(&key, &codes), now())?;
            two_factor::set_enabled(conn, user.id, true)?;
            actor.record(
                conn,
                "two_factor_enabled",
                Some(user.id),
                json!({"method": "totp"}),
            )?;
            system_events::user_event(conn, "two_factor_enable", &user, json!({"method": "totp"}))?;
            outbox::enqueue(
                conn,
                &mail::two_factor_changed(&user.email, &user.username, TwoFactorChange::Enabled),
            )?;
            Ok(codes)
        })
        .await
}

/// Checking a code with its consequences: who is acting, and the lockout
/// a wrong code counts toward. Shared by the sign-in flows and the routes
/// that change a factor.
pub struct CodeAttempt {
    secrets: SecretKey,
    lockout: Lockout,
    /// Who the events name.
    pub actor: Actor,
}

impl CodeAttempt {
    /// The settings of `state`, as of now, for `actor`.
    pub fn new(state: &AppState, actor: Actor) -> Self {
        Self {
            secrets: state.secrets.clone(),
            lockout: Lockout::of(state),
            actor,
        }
    }

    /// Checks `code` for `user` in the caller's transaction: an accepted
    /// code is spent; a refused one counts toward the lockout like a wrong
    /// password and is an event (so a stolen token and password cannot
    /// guess their way past it). `None` when refused: the failure is
    /// stored, so the caller answers after committing.
    pub fn prove_in(
        &self,
        conn: &mut DbConnection,
        user: &UserRow,
        code: &SecondFactorCode,
    ) -> Result<Option<Factor>, ApiError> {
        match check_code_in(conn, &self.secrets, user.id, code)? {
            CodeCheck::Accepted(factor) => Ok(Some(factor)),
            CodeCheck::Refused => {
                record_failure_in(conn, &self.lockout, user, &self.actor, "wrong second factor")?;
                Ok(None)
            }
        }
    }

    /// Checks a WebAuthn `assertion` for the sign-in `mfa_challenge_id` of
    /// `user`, with the consequences of [`CodeAttempt::prove_in`].
    pub fn prove_assertion_in(
        &self,
        conn: &mut DbConnection,
        user: &UserRow,
        rp: &crate::services::webauthn::RelyingParty,
        mfa_challenge_id: i64,
        assertion: &str,
    ) -> Result<Option<Factor>, ApiError> {
        if crate::services::webauthn::prove_in(conn, rp, user.id, mfa_challenge_id, assertion)? {
            return Ok(Some(Factor::WebAuthn));
        }
        record_failure_in(conn, &self.lockout, user, &self.actor, "wrong second factor")?;
        Ok(None)
    }

    /// [`CodeAttempt::prove_in`] for a signed-in user changing their
    /// factors: a locked account is refused first; `false` for a wrong code.
    fn prove_owner_in(
        &self,
        conn: &mut DbConnection,
        user: &UserRow,
        code: &SecondFactorCode,
    ) -> Result<bool, ApiError> {
        if user.is_locked_at(now()) {
            return Err(locked());
        }
        Ok(self.prove_in(conn, user, code)?.is_some())
    }
}

fn locked() -> ApiError {
    ApiError::Forbidden(Some(
        "Your account is locked after too many failed attempts. Try again later.".into(),
    ))
}

fn wrong_code() -> ApiError {
    ApiError::field("otp", "is incorrect")
}

/// Whether the user's TOTP is on (confirmed).
async fn totp_on(state: &AppState, user_id: i64) -> Result<bool, ApiError> {
    Ok(state
        .db
        .run(move |conn| two_factor::find_totp(conn, user_id))
        .await?
        .is_some_and(|row| row.confirmed_at.is_some()))
}

/// `POST /user/two_factor/recovery_codes`: new codes; the old ones stop
/// working.
pub async fn regenerate_recovery_codes(
    state: &AppState,
    caller: &Caller,
    current_password: String,
    code: SecondFactorCode,
) -> Result<Vec<RecoveryCode>, ApiError> {
    let user = caller.user.clone();
    check_current_password(state, &user, Some(current_password)).await?;
    if !totp_on(state, user.id).await? {
        return Err(ApiError::BadRequest(
            "TOTP is not enabled for this account.".into(),
        ));
    }
    let (secrets, attempt) = (state.secrets.clone(), CodeAttempt::new(state, Actor::of(caller)));
    let made = state
        .db
        .write(move |conn| {
            if !attempt.prove_owner_in(conn, &user, &code)? {
                return Ok(None);
            }
            let actor = &attempt.actor;
            let codes = RecoveryCode::generate_set();
            let key = recovery_key_in(conn, &secrets)?;
            two_factor::replace_recovery_codes(conn, user.id, &recovery_digests(&key, &codes), now())?;
            actor.record(conn, "recovery_codes_regenerated", Some(user.id), json!({}))?;
            outbox::enqueue(
                conn,
                &mail::two_factor_changed(&user.email, &user.username, TwoFactorChange::RecoveryCodes),
            )?;
            Ok(Some(codes))
        })
        .await?;
    made.ok_or_else(wrong_code)
}

/// Removes every factor of `user` in the caller's transaction, with its
/// event and notice; `false` if there was none.
fn remove_in(
    conn: &mut DbConnection,
    user: &UserRow,
    actor: &Actor,
    by_admin: bool,
) -> Result<bool, ApiError> {
    if !two_factor::remove_all(conn, user.id)? {
        return Ok(false);
    }
    actor.record(
        conn,
        "two_factor_disabled",
        Some(user.id),
        json!({"by_admin": by_admin}),
    )?;
    system_events::user_event(conn, "two_factor_disable", user, json!({"by_admin": by_admin}))?;
    outbox::enqueue(
        conn,
        &mail::two_factor_changed(&user.email, &user.username, TwoFactorChange::Disabled),
    )?;
    Ok(true)
}

/// `DELETE /user/two_factor`: the password, and a code when TOTP is on.
pub async fn disable(
    state: &AppState,
    caller: &Caller,
    current_password: String,
    code: Option<SecondFactorCode>,
) -> Result<(), ApiError> {
    let user = caller.user.clone();
    check_current_password(state, &user, Some(current_password)).await?;
    let needs_code = totp_on(state, user.id).await?;
    if needs_code && code.is_none() {
        return Err(ApiError::Missing(vec!["otp".into()]));
    }
    let attempt = CodeAttempt::new(state, Actor::of(caller));
    let outcome = state
        .db
        .write(move |conn| {
            if let (true, Some(code)) = (needs_code, &code) {
                if !attempt.prove_owner_in(conn, &user, code)? {
                    return Ok(Err(wrong_code()));
                }
            }
            if remove_in(conn, &user, &attempt.actor, false)? {
                Ok(Ok(()))
            } else {
                Ok(Err(not_enabled()))
            }
        })
        .await?;
    outcome
}

fn not_enabled() -> ApiError {
    ApiError::BadRequest("Two-factor authentication is not enabled for this user".into())
}

/// `PATCH /users/:id/disable_two_factor` (admin), with GitLab's answers:
/// `404` for no such user, `403` for an admin's account (an admin's factor
/// is removed on the server: `roster admin disable-two-factor`), `400`
/// when none is enabled.
pub async fn disable_for(state: &AppState, admin: &Caller, id: i64) -> Result<(), ApiError> {
    let actor = Actor::of(admin);
    state
        .db
        .write(move |conn| {
            let user = users::find_user(conn, id)?.ok_or(ApiError::NotFound("User"))?;
            if user.is_admin {
                return Err(ApiError::Forbidden(Some(
                    "Two-factor authentication for admins cannot be disabled via the API. Use `roster admin disable-two-factor` on the server".into(),
                )));
            }
            if remove_in(conn, &user, &actor, true)? {
                Ok(())
            } else {
                Err(not_enabled())
            }
        })
        .await
}

/// `roster admin disable-two-factor`: removes any user's factors, admins'
/// included (the way back for an admin who lost theirs).
pub fn disable_on_server(conn: &mut DbConnection, user: &UserRow) -> Result<bool, ApiError> {
    roster_persistence::write_transaction(conn, |conn| remove_in(conn, user, &Actor::default(), true))
}
