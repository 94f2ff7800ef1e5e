//! The device grant (RFC 8628): a device polls with its device code (stored
//! as SHA-256) while a signed-in person enters the user code in a browser.
use crate::connection::{write_transaction, DbConnection};
use crate::error::RepoError;
use crate::schema::{oauth_device_codes as devices, users};
use crate::users::UserRow;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Waiting for the person.
pub const PENDING: &str = "pending";
/// The person allowed it; the next poll gets the tokens.
pub const APPROVED: &str = "approved";
/// The person refused.
pub const DENIED: &str = "denied";
/// The tokens were issued.
pub const USED: &str = "used";

/// A stored device authorization.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = devices)]
pub struct DeviceCodeRow {
    pub id: i64,
    pub device_digest: String,
    pub user_code: String,
    pub application_id: i64,
    pub scopes: String,
    pub user_id: Option<i64>,
    /// One of [`PENDING`], [`APPROVED`], [`DENIED`], [`USED`].
    pub status: String,
    pub auth_time: Option<NaiveDateTime>,
    /// Seconds the device must wait between polls.
    pub poll_interval: i32,
    pub last_polled_at: Option<NaiveDateTime>,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// A device authorization to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = devices)]
pub struct NewDeviceCode<'a> {
    pub device_digest: &'a str,
    pub user_code: &'a str,
    pub application_id: i64,
    pub scopes: &'a str,
    pub status: &'a str,
    pub poll_interval: i32,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// Stores a device authorization; `Err(Taken)` if the user code is in use.
pub fn create(conn: &mut DbConnection, new: &NewDeviceCode<'_>) -> Result<(), RepoError> {
    diesel::insert_into(devices::table).values(new).execute(conn)?;
    Ok(())
}

/// The unexpired, pending authorization with this user code.
pub fn find_pending(
    conn: &mut DbConnection,
    user_code: &str,
    at: NaiveDateTime,
) -> Result<Option<DeviceCodeRow>, RepoError> {
    Ok(devices::table
        .filter(devices::user_code.eq(user_code))
        .filter(devices::status.eq(PENDING))
        .filter(devices::expires_at.gt(at))
        .select(DeviceCodeRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records the person's answer to a pending authorization; whether it was
/// still pending.
pub fn decide(
    conn: &mut DbConnection,
    id: i64,
    user_id: i64,
    approved: bool,
    auth_time: NaiveDateTime,
) -> Result<bool, RepoError> {
    Ok(
        diesel::update(devices::table.find(id).filter(devices::status.eq(PENDING)))
            .set((
                devices::status.eq(if approved { APPROVED } else { DENIED }),
                devices::user_id.eq(user_id),
                devices::auth_time.eq(auth_time),
            ))
            .execute(conn)?
            > 0,
    )
}

/// What a poll found: the code's state, after noting this poll.
#[derive(Debug, Clone, PartialEq)]
pub struct Polled {
    pub code: DeviceCodeRow,
    /// The person who answered, if anyone did.
    pub user: Option<UserRow>,
    /// Whether the device polled faster than its interval (which then grows
    /// by five seconds).
    pub too_soon: bool,
}

/// Notes a poll by application `application_id` of the device code with
/// this digest and answers its state (a code of another application is
/// unknown to it). An approved code is spent (its status becomes [`USED`])
/// in the same transaction, so it issues tokens once.
pub fn poll(
    conn: &mut DbConnection,
    digest: &str,
    application_id: i64,
    at: NaiveDateTime,
) -> Result<Option<Polled>, RepoError> {
    write_transaction(conn, |conn| {
        let Some(code) = devices::table
            .filter(devices::device_digest.eq(digest))
            .filter(devices::application_id.eq(application_id))
            .select(DeviceCodeRow::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(None);
        };
        let too_soon = code.status == PENDING
            && code
                .last_polled_at
                .is_some_and(|t| (at - t).num_seconds() < i64::from(code.poll_interval));
        let interval = if too_soon {
            code.poll_interval + 5
        } else {
            code.poll_interval
        };
        diesel::update(devices::table.find(code.id))
            .set((
                devices::last_polled_at.eq(at),
                devices::poll_interval.eq(interval),
            ))
            .execute(conn)?;
        let mut code = code;
        if code.status == APPROVED && code.expires_at > at {
            // Spent only if nobody spent it meanwhile: on PostgreSQL a
            // concurrent poll waits for this row, then finds the condition
            // false, so an approval issues tokens once.
            let spent = diesel::update(devices::table.find(code.id).filter(devices::status.eq(APPROVED)))
                .set(devices::status.eq(USED))
                .execute(conn)?;
            if spent == 0 {
                code.status = USED.to_owned();
            }
        }
        let user = match code.user_id {
            Some(id) => users::table
                .find(id)
                .select(UserRow::as_select())
                .first(conn)
                .optional()?,
            None => None,
        };
        Ok(Some(Polled { code, user, too_soon }))
    })
}

/// Deletes authorizations that expired before `before`.
pub fn sweep(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize, RepoError> {
    Ok(diesel::delete(devices::table.filter(devices::expires_at.lt(before))).execute(conn)?)
}
