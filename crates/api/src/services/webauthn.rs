//! WebAuthn (§11) through `webauthn_rp`: registering credentials (ES256,
//! EdDSA and RS256; a discoverable credential preferred), and proving the
//! second factor of a sign-in with an assertion. Each ceremony's state is
//! stored, keyed by its challenge and taken once, so any node finishes what
//! another began. The relying party id is the public URL's host; a loopback
//! address stands for `localhost`, since WebAuthn refuses IP addresses.
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::services::accounts::check_current_password;
use crate::services::audit::Actor;
use crate::services::system_events;
use crate::state::AppState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Duration;
use roster_persistence::webauthn::{self, CredentialRow, NewCeremony, NewCredential};
use roster_persistence::{now, outbox, two_factor, DbConnection};
use serde_json::{json, Value};
use std::num::NonZeroU32;
use webauthn_rp::bin::{Decode, Encode};
use webauthn_rp::request::auth::{AllowedCredential, AllowedCredentials, AuthenticationVerificationOptions};
use webauthn_rp::request::register::{
    CoseAlgorithmIdentifier, CoseAlgorithmIdentifiers, CredProtect, Nickname, PublicKeyCredentialUserEntity,
    RegistrationVerificationOptions, ResidentKeyRequirement, UserHandle64, USER_HANDLE_MAX_LEN,
};
use webauthn_rp::request::{
    AsciiDomain, Credentials, ExtensionReq, PublicKeyCredentialDescriptor, RpId, TimedCeremony,
    UserVerificationRequirement,
};
use webauthn_rp::response::register::{CompressedPubKey, DynamicState, StaticState, UncompressedPubKey};
use webauthn_rp::response::{AuthTransports, CredentialId};
use webauthn_rp::{
    AuthenticatedCredential, DiscoverableAuthentication64, DiscoverableAuthenticationServerState,
    DiscoverableCredentialRequestOptions, NonDiscoverableAuthentication64,
    NonDiscoverableAuthenticationServerState, NonDiscoverableCredentialRequestOptions,
    PublicKeyCredentialCreationOptions, Registration, RegistrationServerState,
};

/// How long a ceremony waits for the authenticator.
const CEREMONY_LIFETIME: Duration = Duration::minutes(5);

/// The key type a stored credential decodes to.
type StoredKey = CompressedPubKey<[u8; 32], [u8; 32], [u8; 48], Vec<u8>>;

/// Who the credentials are for: the relying party id and the origins
/// that may answer.
pub struct RelyingParty {
    rp_id: RpId,
    origins: Vec<String>,
}

impl RelyingParty {
    /// The origins, as the verification options take them.
    fn allowed_origins(&self) -> Vec<&str> {
        self.origins.iter().map(String::as_str).collect()
    }
}

/// The relying party of the public URL. `400` when its host is an IP
/// address other than loopback (WebAuthn needs a host name).
pub fn relying_party(state: &AppState) -> Result<RelyingParty, ApiError> {
    let url = url::Url::parse(&state.public_url)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("the public URL: {e}")))?;
    let (host, loopback) = match url.host() {
        Some(url::Host::Domain(name)) => (name.to_ascii_lowercase(), false),
        Some(url::Host::Ipv4(ip)) if ip.is_loopback() => ("localhost".to_owned(), true),
        Some(url::Host::Ipv6(ip)) if ip.is_loopback() => ("localhost".to_owned(), true),
        _ => {
            return Err(ApiError::BadRequest(
                "WebAuthn needs a host name: set ROSTER_PUBLIC_URL to a URL whose host is a name, not an IP address"
                    .into(),
            ))
        }
    };
    let own = url.origin().ascii_serialization();
    // A loopback public URL's credentials are `localhost`'s (an IP address
    // cannot be a relying party id); a browser there answers from
    // `localhost`, a client on the public URL itself from its address.
    let origins = match (loopback, url.port()) {
        (true, Some(port)) => vec![format!("{}://localhost:{port}", url.scheme()), own],
        (true, None) => vec![format!("{}://localhost", url.scheme()), own],
        (false, _) => vec![own],
    };
    let rp_id = AsciiDomain::try_from(host)
        .map(RpId::Domain)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("the relying party id: {e:?}")))?;
    Ok(RelyingParty { rp_id, origins })
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Result<Vec<u8>, ApiError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("a stored WebAuthn value: {e}")))
}

fn internal(what: &str, e: impl std::fmt::Debug) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("WebAuthn {what}: {e:?}"))
}

fn descriptor(row: &CredentialRow) -> Result<PublicKeyCredentialDescriptor<Vec<u8>>, ApiError> {
    let transports = u8::try_from(row.transports).map_err(|e| internal("transports", e))?;
    Ok(PublicKeyCredentialDescriptor {
        id: CredentialId::<Vec<u8>>::decode(unb64(&row.credential_id)?)
            .map_err(|e| internal("credential id", e))?,
        transports: AuthTransports::decode(transports).map_err(|e| internal("transports", e))?,
    })
}

/// A user's handle: the one their credentials carry, or a new random one.
fn user_handle(rows: &[CredentialRow]) -> Result<UserHandle64, ApiError> {
    match rows.first() {
        Some(row) => {
            let bytes: [u8; USER_HANDLE_MAX_LEN] = unb64(&row.user_handle)?
                .try_into()
                .map_err(|_| internal("user handle", "length"))?;
            Ok(match UserHandle64::decode(bytes) {
                Ok(handle) => handle,
                Err(never) => match never {},
            })
        }
        None => Ok(UserHandle64::new()),
    }
}

/// `POST /user/webauthn/registrations/options`: the options of a new
/// credential, as `{"publicKey": …}` in the JSON form of
/// `PublicKeyCredentialCreationOptions`.
pub async fn registration_options(state: &AppState, caller: &Caller) -> Result<Value, ApiError> {
    let rp = relying_party(state)?;
    let user = caller.user.clone();
    state
        .db
        .write(move |conn| {
            let rows = webauthn::list(conn, user.id)?;
            let handle = user_handle(&rows)?;
            let exclude = rows.iter().map(descriptor).collect::<Result<Vec<_>, _>>()?;
            let entity = PublicKeyCredentialUserEntity {
                name: webauthn_rp::request::register::Username::try_from(user.username.as_str())
                    .map_err(|e| internal("user name", e))?,
                id: &handle,
                display_name: Nickname::try_from(user.name.as_str()).ok(),
            };
            let mut options = PublicKeyCredentialCreationOptions::passkey(&rp.rp_id, entity, exclude);
            options.pub_key_cred_params =
                CoseAlgorithmIdentifiers::ALL.remove(CoseAlgorithmIdentifier::Es384);
            options.timeout = NonZeroU32::new(300_000).expect("five minutes is not zero");
            options.authenticator_selection.resident_key = ResidentKeyRequirement::Preferred;
            options.authenticator_selection.user_verification = UserVerificationRequirement::Preferred;
            options.extensions.cred_protect = CredProtect::None;
            options.extensions.cred_props = Some(ExtensionReq::Allow);
            let (server, client) = options.start_ceremony().map_err(|e| internal("options", e))?;
            let public_key = serde_json::to_value(&client).map_err(|e| internal("options", e))?;
            let encoded = server.encode().map_err(|e| internal("state", e))?;
            let at = now();
            webauthn::begin(
                conn,
                &NewCeremony {
                    challenge: &b64(&server.sent_challenge().0.to_le_bytes()),
                    kind: webauthn::REGISTRATION,
                    user_id: Some(user.id),
                    mfa_challenge_id: None,
                    state: &b64(&encoded),
                    expires_at: at + CEREMONY_LIFETIME,
                    created_at: at,
                },
            )?;
            Ok(json!({ "publicKey": public_key }))
        })
        .await
}

fn refused(reason: impl std::fmt::Display) -> ApiError {
    ApiError::field("credential", format!("was refused: {reason}"))
}

/// `POST /user/webauthn/registrations`: the authenticator's answer to the
/// options, checked and stored under `name`. The first credential turns
/// two-factor on (a mail tells the owner).
pub async fn register(
    state: &AppState,
    caller: &Caller,
    name: String,
    credential: Value,
) -> Result<CredentialRow, ApiError> {
    let rp = relying_party(state)?;
    let bytes = serde_json::to_vec(&credential).map_err(|e| internal("credential", e))?;
    let registration = Registration::from_json_relaxed(&bytes).map_err(|e| {
        ApiError::field(
            "credential",
            format!("is not a PublicKeyCredential in its JSON form: {e}"),
        )
    })?;
    let challenge = registration
        .challenge_relaxed()
        .map_err(|e| ApiError::field("credential", format!("has no readable challenge: {e}")))?;
    let challenge = b64(&challenge.0.to_le_bytes());
    let user = caller.user.clone();
    let actor = Actor::of(caller);
    state
        .db
        .write(move |conn| {
            let at = now();
            let Some(stored) =
                webauthn::take(conn, &challenge, webauthn::REGISTRATION, Some(user.id), None, at)?
            else {
                return Ok(Err(refused(
                    "no registration of yours is under way with this challenge (they last five minutes)",
                )));
            };
            let server = RegistrationServerState::<USER_HANDLE_MAX_LEN>::decode(unb64(&stored)?.as_slice())
                .map_err(|e| internal("state", e))?;
            let mut options = RegistrationVerificationOptions::<&str, &str>::default();
            let origins = rp.allowed_origins();
            options.allowed_origins = &origins;
            options.error_on_unsolicited_extensions = false;
            let verified = match server.verify(&rp.rp_id, &registration, &options) {
                Ok(verified) => verified,
                Err(e) => return Ok(Err(refused(e))),
            };
            let (id, transports, user_id, static_state, dynamic_state, _) = verified.into_parts();
            let algorithm = match static_state.credential_public_key {
                UncompressedPubKey::Ed25519(_) => "EdDSA",
                UncompressedPubKey::P256(_) => "ES256",
                UncompressedPubKey::P384(_) => "ES384",
                UncompressedPubKey::Rsa(_) => "RS256",
            };
            let credential_id = b64(id.encode().unwrap_or_else(|never| match never {}));
            if webauthn::id_taken(conn, &credential_id)? {
                return Ok(Err(refused("this credential is registered already")));
            }
            let row = webauthn::create(
                conn,
                &NewCredential {
                    user_id: user.id,
                    name: &name,
                    credential_id: &credential_id,
                    user_handle: &b64(&user_id.encode().unwrap_or_else(|never| match never {})),
                    transports: i32::from(transports.encode().unwrap_or_else(|never| match never {})),
                    static_state: &b64(&static_state.encode().unwrap_or_else(|never| match never {})),
                    dynamic_state: &b64(&dynamic_state.encode().unwrap_or_else(|never| match never {})),
                    algorithm,
                    created_at: at,
                },
            )?;
            actor.record(
                conn,
                "webauthn_registered",
                Some(user.id),
                json!({"id": row.id, "name": row.name, "algorithm": algorithm}),
            )?;
            if !two_factor::set_enabled(conn, user.id, true)? {
                actor.record(
                    conn,
                    "two_factor_enabled",
                    Some(user.id),
                    json!({"method": "webauthn"}),
                )?;
                system_events::user_event(conn, "two_factor_enable", &user, json!({"method": "webauthn"}))?;
                outbox::enqueue(
                    conn,
                    &crate::background::mail::two_factor_changed(
                        &user.email,
                        &user.username,
                        crate::background::mail::TwoFactorChange::Enabled,
                    ),
                )?;
            }
            Ok(Ok(row))
        })
        .await?
}

/// `GET /user/webauthn/registrations`.
pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<CredentialRow>, ApiError> {
    let id = caller.user.id;
    state.db.run(move |conn| webauthn::list(conn, id)).await
}

/// `DELETE /user/webauthn/registrations/:id`, with the password. When it
/// was the last factor, two-factor is off (and the owner told).
pub async fn delete(
    state: &AppState,
    caller: &Caller,
    id: i64,
    current_password: String,
) -> Result<(), ApiError> {
    check_current_password(state, &caller.user, Some(current_password)).await?;
    let user = caller.user.clone();
    let actor = Actor::of(caller);
    state
        .db
        .write(move |conn| {
            if !webauthn::delete(conn, user.id, id)? {
                return Err(ApiError::NotFound("WebAuthn Registration"));
            }
            actor.record(conn, "webauthn_deleted", Some(user.id), json!({"id": id}))?;
            let totp_on = two_factor::find_totp(conn, user.id)?.is_some_and(|t| t.confirmed_at.is_some());
            if !totp_on && webauthn::list(conn, user.id)?.is_empty() && two_factor::remove_all(conn, user.id)?
            {
                actor.record(
                    conn,
                    "two_factor_disabled",
                    Some(user.id),
                    json!({"by_admin": false}),
                )?;
                system_events::user_event(conn, "two_factor_disable", &user, json!({"by_admin": false}))?;
                outbox::enqueue(
                    conn,
                    &crate::background::mail::two_factor_changed(
                        &user.email,
                        &user.username,
                        crate::background::mail::TwoFactorChange::Disabled,
                    ),
                )?;
            }
            Ok(())
        })
        .await
}

/// Starts a WebAuthn assertion for the sign-in `mfa_challenge_id` of
/// `user_id`, in the caller's transaction: the request options as
/// `{"publicKey": …}`, or `None` when the user has no credential.
pub fn assertion_options_in(
    conn: &mut DbConnection,
    rp: &RelyingParty,
    user_id: i64,
    mfa_challenge_id: i64,
) -> Result<Option<Value>, ApiError> {
    let rows = webauthn::list(conn, user_id)?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut allowed = AllowedCredentials::with_capacity(rows.len());
    for row in &rows {
        allowed.push(AllowedCredential::from(descriptor(row)?));
    }
    let mut options = NonDiscoverableCredentialRequestOptions::second_factor(&rp.rp_id, allowed)
        .map_err(|e| internal("options", e))?;
    options.options().user_verification = UserVerificationRequirement::Preferred;
    options.options().timeout = NonZeroU32::new(300_000).expect("five minutes is not zero");
    let (server, client) = options.start_ceremony().map_err(|e| internal("options", e))?;
    let public_key = serde_json::to_value(&client).map_err(|e| internal("options", e))?;
    let encoded = server.encode().map_err(|e| internal("state", e))?;
    let at = now();
    webauthn::begin(
        conn,
        &NewCeremony {
            challenge: &b64(&server.sent_challenge().0.to_le_bytes()),
            kind: webauthn::SECOND_FACTOR,
            user_id: None,
            mfa_challenge_id: Some(mfa_challenge_id),
            state: &b64(&encoded),
            expires_at: at + CEREMONY_LIFETIME,
            created_at: at,
        },
    )?;
    Ok(Some(json!({ "publicKey": public_key })))
}

/// Checks an assertion (the `PublicKeyCredential` JSON form, as text) for
/// the sign-in `mfa_challenge_id` of `user_id`, in the caller's
/// transaction: `true` when it proves a credential of the user, whose
/// counter is then saved. Anything else is `false`, a wrong answer.
pub fn prove_in(
    conn: &mut DbConnection,
    rp: &RelyingParty,
    user_id: i64,
    mfa_challenge_id: i64,
    assertion: &str,
) -> Result<bool, ApiError> {
    let Ok(authentication) = NonDiscoverableAuthentication64::from_json_relaxed(assertion.as_bytes()) else {
        return Ok(false);
    };
    let Ok(challenge) = authentication.challenge_relaxed() else {
        return Ok(false);
    };
    let at = now();
    let challenge = b64(&challenge.0.to_le_bytes());
    let Some(stored) = webauthn::take(
        conn,
        &challenge,
        webauthn::SECOND_FACTOR,
        None,
        Some(mfa_challenge_id),
        at,
    )?
    else {
        return Ok(false);
    };
    let raw_id = b64(authentication.raw_id().as_ref());
    let Some(row) = webauthn::find_for_user(conn, user_id, &raw_id)? else {
        return Ok(false);
    };
    let server = NonDiscoverableAuthenticationServerState::decode(unb64(&stored)?.as_slice())
        .map_err(|e| internal("state", e))?;
    let handle = user_handle(std::slice::from_ref(&row))?;
    let id_bytes = unb64(&row.credential_id)?;
    let static_bytes = unb64(&row.static_state)?;
    let dynamic: [u8; 7] = unb64(&row.dynamic_state)?
        .try_into()
        .map_err(|_| internal("dynamic state", "length"))?;
    let mut credential: AuthenticatedCredential<'_, '_, USER_HANDLE_MAX_LEN, StoredKey> =
        AuthenticatedCredential::new(
            CredentialId::<&[u8]>::decode(id_bytes.as_slice()).map_err(|e| internal("credential id", e))?,
            &handle,
            StaticState::<StoredKey>::decode(static_bytes.as_slice())
                .map_err(|e| internal("public key", e))?,
            DynamicState::decode(dynamic).map_err(|e| internal("dynamic state", e))?,
        )
        .map_err(|e| internal("credential", e))?;
    let mut options = AuthenticationVerificationOptions::<&str, &str>::default();
    let origins = rp.allowed_origins();
    options.allowed_origins = &origins;
    options.error_on_unsolicited_extensions = false;
    match server.verify(&rp.rp_id, &authentication, &mut credential, &options) {
        Ok(changed) => {
            let saved = changed.then(|| match credential.dynamic_state().encode() {
                Ok(bytes) => b64(&bytes),
                Err(never) => match never {},
            });
            webauthn::record_use(conn, row.id, saved.as_deref(), at)?;
            Ok(true)
        }
        Err(e) => {
            log::info!("a WebAuthn assertion was refused: {e}");
            Ok(false)
        }
    }
}

/// Starts a sign-in with a passkey alone (a discoverable credential, user
/// verification required): the request options as `{"publicKey": …}`.
pub async fn passkey_options(state: &AppState) -> Result<Value, ApiError> {
    let rp = relying_party(state)?;
    let mut options = DiscoverableCredentialRequestOptions::passkey(&rp.rp_id);
    options.0.user_verification = UserVerificationRequirement::Required;
    let (server, client) = options.start_ceremony().map_err(|e| internal("options", e))?;
    let public_key = serde_json::to_value(&client).map_err(|e| internal("options", e))?;
    let encoded = server.encode().map_err(|e| internal("state", e))?;
    let challenge = b64(&server.sent_challenge().0.to_le_bytes());
    state
        .db
        .write(move |conn| {
            let at = now();
            webauthn::begin(
                conn,
                &NewCeremony {
                    challenge: &challenge,
                    kind: webauthn::PASSKEY,
                    user_id: None,
                    mfa_challenge_id: None,
                    state: &b64(&encoded),
                    expires_at: at + CEREMONY_LIFETIME,
                    created_at: at,
                },
            )?;
            Ok(json!({ "publicKey": public_key }))
        })
        .await
}

/// Checks a passkey's assertion (the `PublicKeyCredential` JSON form, as
/// text) for a sign-in without a password, in the caller's transaction:
/// the id of the user whose credential it proves, or `None`.
pub fn passkey_user_in(
    conn: &mut DbConnection,
    rp: &RelyingParty,
    assertion: &str,
) -> Result<Option<i64>, ApiError> {
    let Ok(authentication) = DiscoverableAuthentication64::from_json_relaxed(assertion.as_bytes()) else {
        return Ok(None);
    };
    let Ok(challenge) = authentication.challenge_relaxed() else {
        return Ok(None);
    };
    let at = now();
    let challenge = b64(&challenge.0.to_le_bytes());
    let Some(stored) = webauthn::take(conn, &challenge, webauthn::PASSKEY, None, None, at)? else {
        return Ok(None);
    };
    let raw_id = b64(authentication.raw_id().as_ref());
    let handle = authentication.response().user_handle();
    let Some(row) = webauthn::find_by_handle(conn, &raw_id, &b64(handle.as_ref()))? else {
        return Ok(None);
    };
    let server = DiscoverableAuthenticationServerState::decode(unb64(&stored)?.as_slice())
        .map_err(|e| internal("state", e))?;
    let static_bytes = unb64(&row.static_state)?;
    let dynamic: [u8; 7] = unb64(&row.dynamic_state)?
        .try_into()
        .map_err(|_| internal("dynamic state", "length"))?;
    let mut credential: AuthenticatedCredential<'_, '_, USER_HANDLE_MAX_LEN, StoredKey> =
        AuthenticatedCredential::new(
            authentication.raw_id(),
            handle,
            StaticState::<StoredKey>::decode(static_bytes.as_slice())
                .map_err(|e| internal("public key", e))?,
            DynamicState::decode(dynamic).map_err(|e| internal("dynamic state", e))?,
        )
        .map_err(|e| internal("credential", e))?;
    let mut options = AuthenticationVerificationOptions::<&str, &str>::default();
    let origins = rp.allowed_origins();
    options.allowed_origins = &origins;
    options.error_on_unsolicited_extensions = false;
    match server.verify(&rp.rp_id, &authentication, &mut credential, &options) {
        Ok(changed) => {
            let saved = changed.then(|| match credential.dynamic_state().encode() {
                Ok(bytes) => b64(&bytes),
                Err(never) => match never {},
            });
            webauthn::record_use(conn, row.id, saved.as_deref(), at)?;
            Ok(Some(row.user_id))
        }
        Err(e) => {
            log::info!("a passkey sign-in was refused: {e}");
            Ok(None)
        }
    }
}
