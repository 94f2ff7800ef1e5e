//! The applications a user allowed ("Sign in with Roster" consents):
//! listing them, and withdrawing one, which revokes every token the
//! application holds for the user, with its security event.
use crate::http::error::ApiError;
use crate::services::audit::Actor;
use crate::services::system_events;
use crate::state::AppState;
use roster_persistence::oauth_grants::{self, AuthorizedApplication};
use serde_json::json;

const AUTHORIZED: &str = "Authorized application";

/// The user's consents, oldest first.
pub async fn list(state: &AppState, user_id: i64) -> Result<Vec<AuthorizedApplication>, ApiError> {
    state
        .db
        .run(move |conn| oauth_grants::list_for_user(conn, user_id))
        .await
}

/// Withdraws the user's consent `id`: `404` when there is no such consent.
pub async fn revoke(state: &AppState, actor: Actor, user_id: i64, id: i64) -> Result<(), ApiError> {
    state
        .db
        .write(move |conn| {
            let (grant, revoked) =
                oauth_grants::revoke(conn, user_id, id)?.ok_or(ApiError::NotFound(AUTHORIZED))?;
            actor.record_application(
                conn,
                "oauth_authorization_revoked",
                grant.application_id,
                json!({"user_id": user_id}),
            )?;
            // Its tokens stop working.
            if revoked > 0 {
                system_events::token_revoked(conn, user_id, "oauth", None)?;
            }
            Ok(())
        })
        .await
}
