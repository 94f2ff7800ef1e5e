//! Creating and changing users on an admin's behalf.
use crate::error::ApiError;
use crate::params::{Fields, Params};
use crate::services::profile::read_admin_fields;
use crate::services::{avatars, links};
use crate::settings::EmailConfirmation;
use crate::state::AppState;
use chrono::NaiveDate;
use roster_domain::{EmailAddress, Name, Password, TokenKind, TokenSecret, Username};
use roster_persistence::users::{self, NewIdentity, NewUser, UserChangeset, UserRow};

/// A random password for accounts created with `reset_password` or
/// `force_random_password`: nobody knows it; the owner resets it by mail.
pub fn random_password() -> Password {
    let secret = TokenSecret::generate(TokenKind::Personal);
    // 48 hex characters after the prefix: 192 bits, within bcrypt's 72 bytes.
    Password::parse(&secret.expose()["roster_pat_".len()..]).expect("48 characters is a valid password")
}

/// Reads `extern_uid` and `provider`, which come together or not at all.
fn read_identity(f: &mut Fields<'_>) -> Option<NewIdentity> {
    let provider = f.optional("provider", |v| Ok(v.trim().to_owned()));
    let extern_uid = f.optional("extern_uid", |v| Ok(v.trim().to_owned()));
    match (provider, extern_uid) {
        (Some(provider), Some(extern_uid)) if !provider.is_empty() && !extern_uid.is_empty() => {
            Some(NewIdentity { provider, extern_uid })
        }
        (None, None) => None,
        _ => {
            f.reject("extern_uid", "and provider must be given together");
            None
        }
    }
}

/// Reads the display name: `name`, or `first_name` + `last_name`.
fn resolve_name(f: &mut Fields<'_>, profile: &UserChangeset) -> Option<String> {
    if let Some(name) = &profile.name {
        return Some(name.clone());
    }
    match (&profile.first_name, &profile.last_name) {
        (Some(first), Some(last)) if !first.is_empty() && !last.is_empty() => {
            let first = Name::parse("first_name", first).ok()?;
            let last = Name::parse("last_name", last).ok()?;
            Some(Name::from_parts(&first, &last).into_inner())
        }
        _ => {
            f.require_one_of("name".into());
            None
        }
    }
}

/// `POST /users`: reads the request, hashes the password off the workers,
/// and stores the user. `409` when the name or address is taken.
pub async fn create_user(state: &AppState, params: &Params) -> Result<UserRow, ApiError> {
    let today = roster_persistence::now().date();
    let mut f = params.fields();
    let email = f.required("email", EmailAddress::parse);
    let username = f.required("username", Username::parse);
    let mut profile = read_admin_fields(&mut f, today);
    let name = resolve_name(&mut f, &profile);
    let given = f.optional("password", Password::parse);
    let reset = f.boolean("reset_password").unwrap_or(false);
    let random = f.boolean("force_random_password").unwrap_or(false);
    let skip_confirmation = f.boolean("skip_confirmation").unwrap_or(false);
    let identity = read_identity(&mut f);
    let upload = match avatars::read_upload(params) {
        Ok(upload) => upload,
        Err(ApiError::Validation(fields)) => {
            for (field, reasons) in fields {
                reasons.into_iter().for_each(|r| f.reject(&field, r));
            }
            None
        }
        Err(other) => return Err(other),
    };
    if let (Some(Some(public)), Some(primary)) = (&profile.public_email, &email) {
        if public != primary.as_str() || !skip_confirmation {
            f.reject("public_email", "must be one of your confirmed e-mail addresses");
        }
    }
    if !params.has("password") && !reset && !random {
        f.finish()?;
        return Err(ApiError::Param(
            "password, reset_password, force_random_password are missing, at least one parameter must be provided"
                .into(),
        ));
    }
    if let (Some(p), Some(u), Some(e)) = (&given, &username, &email) {
        if let Err(e) = p.ensure_differs_from(u.as_str(), e.as_str()) {
            f.reject(e.field, e.problem.to_string());
        }
    }
    f.finish()?;
    let (Some(email), Some(username), Some(name)) = (email, username, name) else {
        return Err(ApiError::Internal(anyhow::anyhow!("validated fields missing")));
    };
    let password = match given {
        Some(p) if !reset && !random => p,
        _ => random_password(),
    };
    profile.name = None;
    // Decode the image before anything is stored, so a bad one leaves nothing behind.
    let avatar = match upload {
        Some(upload) => Some(avatars::prepare(upload).await?),
        None => None,
    };
    let password_hash = state.hasher.hash(password).await?;
    // Like GitLab: the address is confirmed by mail unless the admin skips
    // it, and `reset_password` mails a link to choose a password.
    let confirmed = skip_confirmation || state.settings.email_confirmation == EmailConfirmation::Off;
    let new = NewUser {
        confirmation: (!confirmed).then(|| links::confirmation(state, email.as_str())),
        reset: reset.then(|| links::reset(state, email.as_str())),
        username: username.into_inner(),
        email: email.into_inner(),
        name,
        password_hash,
        confirmed,
        profile,
        identity,
    };
    let user = state.db.run(move |conn| users::create_user(conn, &new)).await?;
    if let Some(avatar) = avatar {
        avatars::attach(state, user.id, avatar).await?;
    }
    Ok(user)
}

/// `PUT /users/:id`: a partial update by an admin. `None` when absent.
pub async fn update_user(state: &AppState, id: i64, params: &Params) -> Result<Option<UserRow>, ApiError> {
    let today = roster_persistence::now().date();
    let mut f = params.fields();
    let email = f.optional("email", EmailAddress::parse);
    let username = f.optional("username", Username::parse);
    let password = f.optional("password", Password::parse);
    let mut changes = read_admin_fields(&mut f, today);
    let identity = read_identity(&mut f);
    f.finish()?;
    let avatar = match avatars::read_upload(params)? {
        Some(upload) => Some(avatars::prepare(upload).await?),
        None => None,
    };
    changes.email = email.map(EmailAddress::into_inner);
    changes.username = username.map(Username::into_inner);
    if let Some(password) = password {
        changes.password_hash = Some(state.hasher.hash(password).await?);
    }
    let updated = state
        .db
        .run_api(move |conn| {
            roster_persistence::write_transaction(conn, |conn| {
                crate::services::privacy::check_public_email(conn, id, &changes)?;
                Ok(users::update_user(conn, id, &changes, identity.as_ref())?)
            })
        })
        .await?;
    if let (Some(_), Some(avatar)) = (&updated, avatar) {
        avatars::attach(state, id, avatar).await?;
    }
    Ok(updated)
}

/// Creates an admin from the command line, on the calling thread.
pub fn create_admin_now(
    conn: &mut roster_persistence::DbConnection,
    hasher: &crate::hashing::PasswordHasher,
    username: &str,
    email: &str,
    password: &Password,
) -> anyhow::Result<UserRow> {
    let username = Username::parse(username)?;
    let email = EmailAddress::parse(email)?;
    password.ensure_differs_from(username.as_str(), email.as_str())?;
    let new = NewUser {
        name: username.as_str().to_owned(),
        username: username.into_inner(),
        email: email.into_inner(),
        password_hash: hasher.hash_now(password)?,
        confirmed: true,
        profile: UserChangeset {
            is_admin: Some(true),
            ..UserChangeset::default()
        },
        identity: None,
        confirmation: None,
        reset: None,
    };
    Ok(users::create_user(conn, &new)?)
}

/// Today, in UTC.
pub fn today() -> NaiveDate {
    roster_persistence::now().date()
}
