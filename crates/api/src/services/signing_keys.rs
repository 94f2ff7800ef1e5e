//! The keys that sign ID tokens: made at first need, stored sealed so that
//! every node signs and verifies with the same keys, rotated with `roster
//! keys rotate`; their public halves published as a JWKS, served from
//! memory.
use crate::http::error::ApiError;
use crate::state::AppState;
use roster_domain::{SecretKey, SigningKeyPair};
use roster_persistence::signing_keys::{self, SigningKeyRow};
use roster_persistence::{now, write_transaction, DbConnection, RepoError};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a node serves its copy of the JWKS before reading it again
/// (a key made on another node is published here within this time).
const JWKS_FRESH_FOR: Duration = Duration::from_secs(10);

/// The JWKS as last read, and when.
#[derive(Default)]
pub struct JwksCache(Mutex<Option<(Instant, String)>>);

/// The signing key as last read, and when: opening and parsing it costs
/// more than signing with it.
#[derive(Default)]
pub struct SignerCache(Mutex<Option<(Instant, SigningKeyPair)>>);

fn make(conn: &mut DbConnection, secrets: &SecretKey) -> Result<SigningKeyRow, RepoError> {
    // RSA key generation: CPU work, here on a blocking thread.
    let key = SigningKeyPair::generate();
    signing_keys::add_current(
        conn,
        &key.kid(),
        &secrets.seal(&key.to_pkcs8_der()),
        &key.public_jwk(),
    )
}

/// Makes a new key and retires the others (`roster keys rotate`); the old
/// ones stay published while tokens they signed may still be valid.
/// Refused when `secrets` cannot open the current key: a key sealed with
/// another secret key than the nodes' would leave them unable to sign.
pub fn rotate(conn: &mut DbConnection, secrets: &SecretKey) -> anyhow::Result<String> {
    if let Some(row) = signing_keys::current(conn)? {
        secrets.open(&row.private_key).map_err(|_| {
            anyhow::anyhow!(
                "this secret key does not open the current signing key: run `roster keys rotate` \
                 with the nodes' ROSTER_SECRET_KEY (or their key file)"
            )
        })?;
    }
    Ok(write_transaction(conn, |conn| make(conn, secrets)).map(|row| row.kid)?)
}

/// The key that signs now, made if there is none yet.
pub fn current(conn: &mut DbConnection, secrets: &SecretKey) -> anyhow::Result<SigningKeyPair> {
    let row = match signing_keys::current(conn)? {
        Some(row) => row,
        None => write_transaction(conn, |conn| match signing_keys::current(conn)? {
            Some(row) => Ok(row),
            None => make(conn, secrets),
        })?,
    };
    let der = secrets.open(&row.private_key)?;
    Ok(SigningKeyPair::from_pkcs8_der(&der)?)
}

/// The key that signs now, from memory when read in the last ten seconds
/// (a rotation on another node reaches this one within that time).
pub async fn signer(state: &AppState) -> Result<SigningKeyPair, ApiError> {
    if let Ok(cache) = state.signer.0.lock() {
        if let Some((at, key)) = cache.as_ref() {
            if at.elapsed() < JWKS_FRESH_FOR {
                return Ok(key.clone());
            }
        }
    }
    let secrets = state.secrets.clone();
    let key = state
        .db
        .run_api(move |conn| current(conn, &secrets).map_err(ApiError::Internal))
        .await?;
    if let Ok(mut cache) = state.signer.0.lock() {
        *cache = Some((Instant::now(), key.clone()));
    }
    Ok(key)
}

/// The key with this id, current or retired, to check a token it signed.
pub async fn by_kid(state: &AppState, kid: String) -> Result<Option<SigningKeyPair>, ApiError> {
    let secrets = state.secrets.clone();
    state
        .db
        .run_api(move |conn| {
            let Some(row) = signing_keys::by_kid(conn, &kid)? else {
                return Ok(None);
            };
            let der = secrets
                .open(&row.private_key)
                .map_err(|e| ApiError::Internal(e.into()))?;
            Ok(SigningKeyPair::from_pkcs8_der(&der).ok())
        })
        .await
}

/// The JWKS (`{"keys": […]}`): the current key and the retired ones whose
/// tokens may still be valid.
pub async fn jwks(state: &AppState) -> Result<String, ApiError> {
    if let Ok(cache) = state.jwks.0.lock() {
        if let Some((at, text)) = cache.as_ref() {
            if at.elapsed() < JWKS_FRESH_FOR {
                return Ok(text.clone());
            }
        }
    }
    let secrets = state.secrets.clone();
    // A token lives no longer than an access token; a minute's margin.
    let lifetime = chrono::Duration::seconds(state.settings.access_token_ttl.as_secs() as i64 + 60);
    let rows = state
        .db
        .run_api(move |conn| {
            current(conn, &secrets).map_err(ApiError::Internal)?;
            Ok(signing_keys::published(conn, now() - lifetime)?)
        })
        .await?;
    let text = format!(
        r#"{{"keys":[{}]}}"#,
        rows.iter()
            .map(|r| r.public_jwk.as_str())
            .collect::<Vec<_>>()
            .join(",")
    );
    if let Ok(mut cache) = state.jwks.0.lock() {
        *cache = Some((Instant::now(), text.clone()));
    }
    Ok(text)
}
