//! Reading and changing privacy settings, and `public_email`.
use crate::http::error::ApiError;
use crate::inputs::social::Privacy;
use crate::state::AppState;
use roster_persistence::users::{self, UserChangeset, UserRow};
use roster_persistence::{emails, write_transaction, DbConnection};
use serde_json::{json, Value};

/// The `Privacy` entity of the contract.
pub fn privacy_json(user: &UserRow) -> Value {
    json!({
        "private_profile": user.private_profile,
        "searchable": user.searchable,
        "show_followers": user.show_followers,
        "share_activity": user.share_activity,
        "public_email": user.public_email.clone().filter(|e| !e.is_empty()),
    })
}

/// Refuses a new `public_email` that is not one of the user's confirmed
/// addresses. Call inside the transaction that applies `changes`.
pub fn check_public_email(
    conn: &mut DbConnection,
    user_id: i64,
    changes: &UserChangeset,
) -> Result<(), ApiError> {
    if let Some(Some(public)) = &changes.public_email {
        if !emails::confirmed_addresses(conn, user_id)?.contains(public) {
            return Err(ApiError::field(
                "public_email",
                "must be one of your confirmed e-mail addresses",
            ));
        }
    }
    Ok(())
}

/// `PUT /user/privacy`: a partial update of the settings.
pub async fn update_privacy(state: &AppState, user_id: i64, input: Privacy) -> Result<UserRow, ApiError> {
    let changes = input.into_changeset();
    state
        .db
        .run_api(move |conn| {
            write_transaction(conn, |conn| {
                check_public_email(conn, user_id, &changes)?;
                users::update_user(conn, user_id, &changes, None)?.ok_or(ApiError::NotFound("User"))
            })
        })
        .await
}
