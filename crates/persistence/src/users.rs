//! Users: rows, look-ups, writes and the filtered list.
use crate::connection::{per_backend, write_transaction, DbConnection};
use crate::error::RepoError;
use crate::schema::{emails, identities, users};
use crate::{now, Db};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

diesel::define_sql_function! {
    /// SQL `lower(text)`, on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A user as stored.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, PartialEq)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub gender: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub time_zone: Option<String>,
    pub bio: String,
    pub location: String,
    pub public_email: Option<String>,
    pub skype: String,
    pub linkedin: String,
    pub twitter: String,
    pub discord: String,
    pub website_url: String,
    pub organization: String,
    pub job_title: String,
    pub pronouns: Option<String>,
    pub note: String,
    pub state: String,
    pub is_admin: bool,
    pub external: bool,
    pub private_profile: bool,
    pub projects_limit: i32,
    pub can_create_group: bool,
    pub theme_id: i32,
    pub color_scheme_id: i32,
    pub password_hash: String,
    pub confirmed_at: Option<NaiveDateTime>,
    pub unconfirmed_email: Option<String>,
    pub sign_in_count: i32,
    pub current_sign_in_at: Option<NaiveDateTime>,
    pub last_sign_in_at: Option<NaiveDateTime>,
    pub current_sign_in_ip: Option<String>,
    pub last_sign_in_ip: Option<String>,
    pub last_activity_on: Option<NaiveDate>,
    pub failed_attempts: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub searchable: bool,
    pub show_followers: bool,
    pub share_activity: bool,
    pub avatar: Option<String>,
    /// The group whose access token this bot user carries, for bots.
    pub bot_group_id: Option<i64>,
    /// A confirmed TOTP or a WebAuthn credential (§11), kept with them.
    pub two_factor_enabled: bool,
    /// The GitHub user name of the profile (GitLab's `github`).
    pub github: String,
    /// A service account: a bot an admin made, which signs in only with its
    /// tokens.
    pub service_account: bool,
}

impl UserRow {
    /// A bot: a group access token's user or a service account. Bots act
    /// only through their tokens; they never sign in with a password.
    pub fn is_bot(&self) -> bool {
        self.bot_group_id.is_some() || self.service_account
    }

    /// Whether sign-in is locked at `at` after too many failures.
    pub fn is_locked_at(&self, at: NaiveDateTime) -> bool {
        self.locked_until.is_some_and(|until| until > at)
    }
}

/// The profile and settings fields shared by create and update. On update,
/// `None` leaves a field alone; for nullable columns `Some(None)` clears it.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChangeset {
    pub username: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<Option<String>>,
    pub gender: Option<Option<String>>,
    pub birthday: Option<Option<NaiveDate>>,
    pub time_zone: Option<Option<String>>,
    pub bio: Option<String>,
    pub location: Option<String>,
    pub public_email: Option<Option<String>>,
    pub skype: Option<String>,
    pub linkedin: Option<String>,
    pub twitter: Option<String>,
    pub discord: Option<String>,
    pub github: Option<String>,
    pub website_url: Option<String>,
    pub organization: Option<String>,
    pub job_title: Option<String>,
    pub pronouns: Option<Option<String>>,
    pub note: Option<String>,
    pub is_admin: Option<bool>,
    pub external: Option<bool>,
    pub private_profile: Option<bool>,
    pub projects_limit: Option<i32>,
    pub can_create_group: Option<bool>,
    pub theme_id: Option<i32>,
    pub color_scheme_id: Option<i32>,
    pub password_hash: Option<String>,
    pub confirmed_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
    pub searchable: Option<bool>,
    pub show_followers: Option<bool>,
    pub share_activity: Option<bool>,
    pub avatar: Option<Option<String>>,
    pub service_account: Option<bool>,
}

/// An external identity to link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIdentity {
    pub provider: String,
    pub extern_uid: String,
}

/// A linked external identity.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = identities)]
pub struct IdentityRow {
    pub id: i64,
    pub user_id: i64,
    pub provider: String,
    pub extern_uid: String,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub(crate) struct InsertUser<'a> {
    pub(crate) username: &'a str,
    pub(crate) email: &'a str,
    pub(crate) name: &'a str,
    pub(crate) password_hash: &'a str,
    pub(crate) confirmed_at: Option<NaiveDateTime>,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) updated_at: NaiveDateTime,
}

pub(crate) fn link_identity(
    conn: &mut DbConnection,
    user_id: i64,
    identity: &NewIdentity,
) -> Result<(), RepoError> {
    diesel::delete(
        identities::table
            .filter(identities::user_id.eq(user_id))
            .filter(identities::provider.eq(&identity.provider)),
    )
    .execute(conn)?;
    diesel::insert_into(identities::table)
        .values((
            identities::user_id.eq(user_id),
            identities::provider.eq(&identity.provider),
            identities::extern_uid.eq(&identity.extern_uid),
            identities::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Applies a partial update; `None` when the user does not exist. A new
/// primary address replaces the old one in `emails`; when it was one of the
/// user's own secondary addresses, that row is folded into the primary.
pub fn update_user(
    conn: &mut DbConnection,
    id: i64,
    changes: &UserChangeset,
    identity: Option<&NewIdentity>,
) -> Result<Option<UserRow>, RepoError> {
    write_transaction(conn, |conn| {
        let Some(current) = find_user(conn, id)? else {
            return Ok(None);
        };
        let mut changes = changes.clone();
        changes.updated_at = Some(now());
        if let Some(new_email) = changes.email.as_deref().filter(|e| *e != current.email) {
            diesel::delete(
                emails::table
                    .filter(emails::user_id.eq(id))
                    .filter(emails::email.eq(new_email)),
            )
            .execute(conn)?;
            diesel::update(
                emails::table
                    .filter(emails::user_id.eq(id))
                    .filter(emails::email.eq(&current.email)),
            )
            .set(emails::email.eq(new_email))
            .execute(conn)?;
        }
        diesel::update(users::table.find(id))
            .set(&changes)
            .execute(conn)?;
        if let Some(identity) = identity {
            link_identity(conn, id, identity)?;
        }
        find_user(conn, id)
    })
}

/// One user by id.
pub fn find_user(conn: &mut DbConnection, id: i64) -> Result<Option<UserRow>, RepoError> {
    Ok(
        per_backend!(conn, c => users::table.find(id).select(UserRow::as_select())
        .first(c).optional())?,
    )
}

/// One user by name, ignoring case.
pub fn find_by_username(conn: &mut DbConnection, username: &str) -> Result<Option<UserRow>, RepoError> {
    Ok(users::table
        .filter(lower(users::username).eq(username.to_ascii_lowercase()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// The user a sign-in names: by user name, or by primary e-mail address.
pub fn find_by_login(conn: &mut DbConnection, login: &str) -> Result<Option<UserRow>, RepoError> {
    let login = login.trim();
    if login.contains('@') {
        Ok(users::table
            .filter(users::email.eq(login.to_lowercase()))
            .select(UserRow::as_select())
            .first(conn)
            .optional()?)
    } else {
        find_by_username(conn, login)
    }
}

/// Sets the state; `false` when the user does not exist.
pub fn set_state(conn: &mut DbConnection, id: i64, state: &str) -> Result<bool, RepoError> {
    let n = diesel::update(users::table.find(id))
        .set((users::state.eq(state), users::updated_at.eq(now())))
        .execute(conn)?;
    // A blocked or deactivated account is signed out of every browser.
    if state != "active" {
        crate::browser_sessions::delete_for_user(conn, id)?;
    }
    Ok(n > 0)
}

/// What [`confirm_primary`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimaryConfirmation {
    /// No such user.
    Missing,
    /// Confirmed now.
    Confirmed,
    /// Confirmed before; nothing changed.
    AlreadyConfirmed,
}

/// Marks the primary address confirmed now (unless it already was).
pub fn confirm_primary(conn: &mut DbConnection, id: i64) -> Result<PrimaryConfirmation, RepoError> {
    write_transaction(conn, |conn| {
        let Some(user) = find_user(conn, id)? else {
            return Ok(PrimaryConfirmation::Missing);
        };
        if user.confirmed_at.is_some() {
            return Ok(PrimaryConfirmation::AlreadyConfirmed);
        }
        let at = now();
        diesel::update(users::table.find(id))
            .set((users::confirmed_at.eq(at), users::updated_at.eq(at)))
            .execute(conn)?;
        diesel::update(
            emails::table
                .filter(emails::user_id.eq(id))
                .filter(emails::email.eq(&user.email)),
        )
        .set(emails::confirmed_at.eq(at))
        .execute(conn)?;
        Ok(PrimaryConfirmation::Confirmed)
    })
}

/// Records a successful sign-in from `ip` and clears the failure count.
pub fn record_sign_in(
    conn: &mut DbConnection,
    user: &UserRow,
    ip: Option<&str>,
    rehash: Option<&Rehash>,
) -> Result<(), RepoError> {
    let at = now();
    if let Some(rehash) = rehash {
        // Only over the hash the password was checked against: a password
        // changed meanwhile stays changed.
        diesel::update(
            users::table
                .find(user.id)
                .filter(users::password_hash.eq(&rehash.old)),
        )
        .set(users::password_hash.eq(&rehash.new))
        .execute(conn)?;
    }
    diesel::update(users::table.find(user.id))
        .set((
            users::sign_in_count.eq(users::sign_in_count + 1),
            users::last_sign_in_at.eq(user.current_sign_in_at),
            users::last_sign_in_ip.eq(&user.current_sign_in_ip),
            users::current_sign_in_at.eq(at),
            users::current_sign_in_ip.eq(ip),
            users::last_activity_on.eq(at.date()),
            users::failed_attempts.eq(0),
            users::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// An imported password hash to replace with Roster's own, at the sign-in
/// that proved the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rehash {
    /// The hash the password was checked against.
    pub old: String,
    /// Roster's hash of the same password.
    pub new: String,
}

/// Counts a failed sign-in; at `max_attempts` failures in a row the account
/// is locked until `lock_until` and the count starts again. Returns whether
/// this failure locked it. The increment happens in SQL, so failures on
/// several nodes add up.
pub fn record_failed_sign_in(
    conn: &mut DbConnection,
    id: i64,
    max_attempts: i32,
    lock_until: NaiveDateTime,
) -> Result<bool, RepoError> {
    write_transaction(conn, |conn| {
        diesel::update(users::table.find(id))
            .set(users::failed_attempts.eq(users::failed_attempts + 1))
            .execute(conn)?;
        let locked = diesel::update(
            users::table
                .find(id)
                .filter(users::failed_attempts.ge(max_attempts)),
        )
        .set((
            users::failed_attempts.eq(0),
            users::locked_until.eq(Some(lock_until)),
        ))
        .execute(conn)?;
        Ok(locked > 0)
    })
}

/// Marks the user active today (at most one write a day).
pub fn touch_activity(conn: &mut DbConnection, id: i64, today: NaiveDate) -> Result<(), RepoError> {
    diesel::update(
        users::table.find(id).filter(
            users::last_activity_on
                .ne(today)
                .or(users::last_activity_on.is_null()),
        ),
    )
    .set(users::last_activity_on.eq(today))
    .execute(conn)?;
    Ok(())
}

/// Whether any user exists (to greet a fresh installation).
pub fn any_user(conn: &mut DbConnection) -> Result<bool, RepoError> {
    Ok(users::table
        .select(users::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// The identities of several users, for their views.
pub fn identities_of(conn: &mut DbConnection, user_ids: &[i64]) -> Result<Vec<IdentityRow>, RepoError> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(identities::table
        .filter(identities::user_id.eq_any(user_ids))
        .order((identities::user_id, identities::provider))
        .select(IdentityRow::as_select())
        .load(conn)?)
}

/// One user's identities (a statement Diesel can keep prepared, unlike
/// [`identities_of`] whose `IN` list varies).
pub fn identities_of_user(conn: &mut DbConnection, user_id: i64) -> Result<Vec<IdentityRow>, RepoError> {
    Ok(per_backend!(conn, c => identities::table
        .filter(identities::user_id.eq(user_id))
        .order(identities::provider)
        .select(IdentityRow::as_select())
        .load(c))?)
}

/// Unlinks the user's identity with `provider`; `false` when there was none.
pub fn delete_identity(conn: &mut DbConnection, user_id: i64, provider: &str) -> Result<bool, RepoError> {
    let n = diesel::delete(
        identities::table
            .filter(identities::user_id.eq(user_id))
            .filter(identities::provider.eq(provider)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// Makes a boxed `users` query usable on both backends.
pub(crate) fn boxed_users() -> users::BoxedQuery<'static, Db> {
    users::table.into_boxed()
}

/// One user by id (when `key` is a number) or by name.
pub fn find_by_id_or_username(conn: &mut DbConnection, key: &str) -> Result<Option<UserRow>, RepoError> {
    match key.parse::<i64>() {
        Ok(id) => find_user(conn, id),
        Err(_) => find_by_username(conn, key),
    }
}

/// How many admins exist.
pub fn count_admins(conn: &mut DbConnection) -> Result<i64, RepoError> {
    Ok(users::table
        .filter(users::is_admin.eq(true))
        .count()
        .get_result(conn)?)
}

/// Lifts a lockout: the failed sign-ins are forgotten.
pub fn clear_lockout(conn: &mut DbConnection, id: i64) -> Result<(), RepoError> {
    diesel::update(users::table.find(id))
        .set((
            users::failed_attempts.eq(0),
            users::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// The user whose public e-mail address is `email` (ignoring case), if any.
pub fn find_by_public_email(conn: &mut DbConnection, email: &str) -> Result<Option<UserRow>, RepoError> {
    Ok(users::table
        .filter(users::public_email.is_not_null())
        .filter(lower(users::public_email.assume_not_null()).eq(email.to_lowercase()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}
