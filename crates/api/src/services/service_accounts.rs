//! Service accounts (GitLab's): bot users an admin makes for a program.
//! They act only through their personal access tokens: their password is
//! one nobody knows, and signing in with a password refuses them
//! (`sessions::may_sign_in`). This is seed 002's per-user `access_key`, as
//! tokens that are stored hashed, scoped, expire and can be revoked.
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::inputs::service_accounts::CreateServiceAccount;
use crate::services::audit::Actor;
use crate::services::system_events;
use crate::state::AppState;
use roster_domain::EmailAddress;
use roster_persistence::accounts::NewUser;
use roster_persistence::users::{UserChangeset, UserRow};
use roster_persistence::write_transaction;
use serde_json::json;

/// GitLab's name for a service account made without one.
const DEFAULT_NAME: &str = "Service account user";

/// The address a service account gets when none is given, as GitLab makes
/// it: `<username>@noreply.<host>`; under an address rather than a name
/// (a loopback or private deployment), `noreply.roster.invalid`.
fn default_email(username: &str, public_url: &str) -> String {
    let host = match url::Url::parse(public_url)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Domain(name)) => name,
        _ => "roster.invalid".to_owned(),
    };
    let gitlab = format!("{username}@noreply.{host}");
    EmailAddress::parse(&gitlab)
        .map(EmailAddress::into_inner)
        .unwrap_or_else(|_| format!("{username}@noreply.roster.invalid"))
}

/// `POST /service_accounts`: the user and its event, in one transaction.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: CreateServiceAccount,
) -> Result<UserRow, ApiError> {
    let username = input.username.map_or_else(
        || format!("service_account_{}", uuid::Uuid::new_v4().simple()),
        |u| u.into_inner(),
    );
    let email = input.email.map_or_else(
        || default_email(&username, &state.public_url),
        EmailAddress::into_inner,
    );
    let password_hash = state
        .hasher
        .hash(crate::services::users::random_password())
        .await?;
    let new = NewUser {
        username,
        email,
        name: input.name.unwrap_or_else(|| DEFAULT_NAME.to_owned()),
        password_hash,
        confirmed: true,
        profile: UserChangeset {
            service_account: Some(true),
            ..UserChangeset::default()
        },
        identity: None,
        confirmation: None,
        reset: None,
    };
    let actor = Actor::of(caller);
    state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let user = roster_persistence::accounts::create_user(conn, &new)?;
                actor.record(
                    conn,
                    "service_account_created",
                    Some(user.id),
                    json!({ "username": user.username }),
                )?;
                system_events::user_event(conn, "user_create", &user, json!({}))?;
                Ok(user)
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::default_email;

    #[test]
    fn default_addresses_follow_gitlab_or_fall_back() {
        assert_eq!(
            default_email("service_account_1", "https://users.example.com"),
            "service_account_1@noreply.users.example.com"
        );
        for ip in ["http://127.0.0.1:8080", "http://[::1]:8080"] {
            assert_eq!(
                default_email("service_account_1", ip),
                "service_account_1@noreply.roster.invalid"
            );
        }
        assert_eq!(
            default_email("service_account_1", "http://localhost:8080"),
            "service_account_1@noreply.localhost"
        );
    }
}
