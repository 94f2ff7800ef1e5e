//! A user's e-mail addresses: adding one (unconfirmed, with a mailed link,
//! unless an admin skips that), removing one, sending its link again.
use crate::http::error::ApiError;
use crate::services::links;
use crate::state::AppState;
use roster_domain::EmailAddress;
use roster_persistence::emails::{self, EmailDeletion, EmailRow};
use roster_persistence::{users, RepoError, Taken};

const USER: &str = "User";
const EMAIL: &str = "Email";

/// Adds `email` for `user_id`; unconfirmed with a mailed link unless
/// `skip_confirmation`. A taken address is GitLab's field error.
pub async fn add(
    state: &AppState,
    user_id: i64,
    email: EmailAddress,
    skip_confirmation: bool,
) -> Result<EmailRow, ApiError> {
    let pending = (!skip_confirmation).then(|| links::confirmation(state, email.as_str()));
    state
        .db
        .run_api(move |conn| {
            users::find_user(conn, user_id)?.ok_or(ApiError::NotFound(USER))?;
            emails::add_email(conn, user_id, email.as_str(), pending.as_ref()).map_err(|e| match e {
                RepoError::Taken(Taken::Email) => ApiError::field("email", "has already been taken"),
                other => other.into(),
            })
        })
        .await
}

/// Adds an address of the user's own, within the per-account limit.
pub async fn add_own(state: &AppState, user_id: i64, email: EmailAddress) -> Result<EmailRow, ApiError> {
    let limit = state.settings.rate_limits.email_add_account;
    crate::rate_limit::check(state, vec![(format!("email_add:account:{user_id}"), limit)]).await?;
    add(state, user_id, email, false).await
}

/// The user's addresses beside the primary one.
pub async fn list(state: &AppState, user_id: i64) -> Result<Vec<EmailRow>, ApiError> {
    state
        .db
        .run_api(move |conn| {
            users::find_user(conn, user_id)?.ok_or(ApiError::NotFound(USER))?;
            Ok(emails::secondary_emails(conn, user_id)?)
        })
        .await
}

/// Removes the user's address `email_id`; the primary one cannot go.
pub async fn remove(state: &AppState, user_id: i64, email_id: i64) -> Result<EmailDeletion, ApiError> {
    let outcome = state
        .db
        .run_api(move |conn| {
            users::find_user(conn, user_id)?.ok_or(ApiError::NotFound(USER))?;
            Ok(emails::delete_email(conn, user_id, email_id)?)
        })
        .await?;
    if outcome == EmailDeletion::Primary {
        return Err(ApiError::Forbidden(Some(
            "The primary address cannot be deleted; change it instead.".into(),
        )));
    }
    Ok(outcome)
}

/// Mails a new confirmation link for the user's unconfirmed address
/// `email_id` (`404` when there is none such).
pub async fn resend(state: &AppState, user_id: i64, email_id: i64) -> Result<(), ApiError> {
    let row = state
        .db
        .run(move |conn| emails::find_email(conn, user_id, email_id))
        .await?
        .filter(|row| row.confirmed_at.is_none())
        .ok_or(ApiError::NotFound(EMAIL))?;
    // The limit of `POST /confirmations/resend` for the address.
    let limit = state.settings.rate_limits.resend_address;
    crate::rate_limit::check(state, vec![(format!("resend:address:{}", row.email), limit)]).await?;
    let pending = links::confirmation(state, &row.email);
    state
        .db
        .run(move |conn| emails::resend_confirmation(conn, row.id, &pending))
        .await
}
