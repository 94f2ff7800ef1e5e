//! `roster dev oidc-codes` and `roster dev sign-rate`: what the benchmark
//! of the authorization-code exchange needs. Codes are single use, so a
//! load generator needs a supply of them made beforehand; and the exchange
//! is judged against how fast this machine signs RS256 at all.
use crate::services::applications::{new_client_id, new_secret};
use roster_domain::{SecretKey, SigningKeyPair, TokenDigest};
use roster_persistence::applications::{self, NewApplication};
use roster_persistence::oauth_codes::{self, NewCode};
use roster_persistence::{now, users, write_transaction, DbConnection};
use std::time::{Duration, Instant};

/// The redirect URI of the benchmark's application.
pub const BENCH_REDIRECT_URI: &str = "http://127.0.0.1/cb";

/// A confidential, trusted application for `openid profile email`, and
/// `count` codes for `username` issued to it, valid for an hour.
pub struct Codes {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub secret: String,
    /// The codes.
    pub codes: Vec<String>,
}

/// Makes the application and the codes, in one transaction.
pub fn make_codes(conn: &mut DbConnection, username: &str, count: usize) -> anyhow::Result<Codes> {
    let user =
        users::find_by_username(conn, username)?.ok_or_else(|| anyhow::anyhow!("no user {username}"))?;
    let (secret, digest) = new_secret();
    let client_id = new_client_id();
    let codes: Vec<String> = (0..count)
        .map(|_| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
        })
        .collect();
    write_transaction(conn, |conn| {
        let app = applications::create_application(
            conn,
            &NewApplication {
                uid: client_id.clone(),
                name: "Benchmark".into(),
                secret_digest: digest.as_str().to_owned(),
                redirect_uris: BENCH_REDIRECT_URI.into(),
                scopes: "openid profile email".into(),
                confidential: true,
                trusted: true,
            },
        )?;
        let at = now();
        for code in &codes {
            let code_digest = TokenDigest::of(code);
            oauth_codes::create(
                conn,
                &NewCode {
                    code_digest: code_digest.as_str(),
                    application_id: app.id,
                    user_id: user.id,
                    redirect_uri: BENCH_REDIRECT_URI,
                    redirect_uri_given: true,
                    scopes: "openid profile email",
                    nonce: None,
                    code_challenge: None,
                    auth_time: at,
                    expires_at: at + chrono::Duration::hours(1),
                    created_at: at,
                },
            )?;
        }
        Ok::<(), roster_persistence::RepoError>(())
    })?;
    Ok(Codes {
        client_id,
        secret,
        codes,
    })
}

/// RS256 signatures a second with the current signing key, on `threads`
/// threads for `duration`, of a payload the size of an ID token's.
pub fn sign_rate(
    conn: &mut DbConnection,
    secrets: &SecretKey,
    threads: usize,
    duration: Duration,
) -> anyhow::Result<f64> {
    let key: SigningKeyPair = crate::services::signing_keys::current(conn, secrets)?;
    let payload = br#"{"sub":"500000","name":"Benchmark User","nickname":"bench","preferred_username":"bench","email":"bench@example.com","email_verified":true,"iss":"http://127.0.0.1:18181","aud":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","iat":1764000000,"exp":1764007200,"auth_time":1764000000,"at_hash":"77QmUPtjPfzWtF2AnpK9RQ","groups_direct":[]}"#;
    let started = Instant::now();
    let counts: Vec<u64> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let key = key.clone();
                scope.spawn(move || {
                    let mut n = 0u64;
                    while started.elapsed() < duration {
                        std::hint::black_box(key.sign_jwt(payload));
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).collect()
    });
    Ok(counts.iter().sum::<u64>() as f64 / started.elapsed().as_secs_f64())
}
