//! OAuth applications: registering them, renewing their secret, deleting
//! them with every token they were given, each with its security event in
//! one transaction. A secret is shown once; only its SHA-256 is kept.
use crate::http::error::ApiError;
use crate::inputs::applications::CreateApplication;
use crate::services::audit::Actor;
use crate::services::links::new_link_token;
use crate::state::AppState;
use roster_domain::{TokenDigest, TokenKind, TokenSecret};
use roster_persistence::applications::{self, ApplicationRow, NewApplication};
use serde_json::json;

const APPLICATION: &str = "Application";

/// A fresh application secret (`roster_oas_…`) and its digest.
pub fn new_secret() -> (String, TokenDigest) {
    let secret = TokenSecret::generate(TokenKind::ApplicationSecret);
    let digest = secret.digest();
    (secret.expose().to_owned(), digest)
}

/// A fresh client id: 64 hex characters, as GitLab's.
pub fn new_client_id() -> String {
    format!("{}{}", new_link_token().secret, &new_link_token().secret[..16])
}

/// `POST /applications`: the row and its secret, shown this once.
pub async fn create(
    state: &AppState,
    actor: Actor,
    input: CreateApplication,
) -> Result<(ApplicationRow, String), ApiError> {
    let (secret, digest) = new_secret();
    let uid = new_client_id();
    state
        .db
        .write(move |conn| {
            let row = applications::create_application(
                conn,
                &NewApplication {
                    uid,
                    name: input.name,
                    secret_digest: digest.as_str().to_owned(),
                    redirect_uris: input.redirect_uri.joined(),
                    scopes: input.scopes.joined(),
                    confidential: input.confidential.unwrap_or(true),
                    trusted: input.trusted.unwrap_or(false),
                },
            )?;
            actor.record_application(
                conn,
                "application_created",
                row.id,
                json!({"name": row.name, "scopes": row.scopes, "trusted": row.trusted}),
            )?;
            Ok((row, secret))
        })
        .await
}

/// `POST /applications/:id/renew-secret`: the old secret stops working.
pub async fn renew_secret(
    state: &AppState,
    actor: Actor,
    id: i64,
) -> Result<(ApplicationRow, String), ApiError> {
    let (secret, digest) = new_secret();
    state
        .db
        .write(move |conn| {
            let row = applications::renew_secret(conn, id, digest.as_str())?
                .ok_or(ApiError::NotFound(APPLICATION))?;
            actor.record_application(conn, "application_secret_renewed", id, json!({}))?;
            Ok((row, secret))
        })
        .await
}

/// `DELETE /applications/:id`: every token issued to it is gone too.
pub async fn delete(state: &AppState, actor: Actor, id: i64) -> Result<(), ApiError> {
    state
        .db
        .write(move |conn| {
            let row = applications::find_application(conn, id)?.ok_or(ApiError::NotFound(APPLICATION))?;
            applications::delete_application(conn, id)?;
            actor.record_application(conn, "application_deleted", id, json!({"name": row.name}))?;
            Ok(())
        })
        .await
}
