//! System hooks: the hooks, the outbox of events they are sent, and their
//! delivery log.
//!
//! Delivery is ordered per hook: a hook's `last_event_id` says how far it
//! got, and only the node holding the hook's lease sends its next event.
//! An event is written in the transaction of the change that caused it
//! ([`record_event`]), so none is sent for a change that was rolled back
//! and none is lost when a node stops: the next lease holder goes on from
//! the hook's `last_event_id`.
use crate::connection::{write_transaction, DbConnection};
use crate::error::RepoError;
use crate::now;
use crate::pagination::{Page, COUNT_LIMIT};
use crate::schema::{hook_deliveries, system_events, system_hooks};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored hook.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = system_hooks)]
pub struct HookRow {
    /// Its id.
    pub id: i64,
    /// Where events are posted.
    pub url: String,
    /// A name.
    pub name: Option<String>,
    /// A description.
    pub description: Option<String>,
    /// `X-Gitlab-Token`, sealed.
    pub token_sealed: Option<String>,
    /// The Standard Webhooks secret (`whsec_…`), sealed.
    pub signing_secret_sealed: Option<String>,
    /// GitLab's flags, kept and shown (Roster has no repositories).
    pub push_events: bool,
    /// See `push_events`.
    pub tag_push_events: bool,
    /// See `push_events`.
    pub merge_requests_events: bool,
    /// See `push_events`.
    pub repository_update_events: bool,
    /// Whether the receiver's TLS certificate is checked.
    pub enable_ssl_verification: bool,
    /// The event names sent, space-separated; all when `None`.
    pub events: Option<String>,
    /// The last event it is done with.
    pub last_event_id: i64,
    /// Failed deliveries in a row.
    pub recent_failures: i32,
    /// Not tried again before this time (the backoff).
    pub disabled_until: Option<NaiveDateTime>,
    /// When it was disabled for failing too often.
    pub disabled_at: Option<NaiveDateTime>,
    /// The node delivering its events now.
    pub lease_owner: Option<String>,
    /// Until when that node holds it.
    pub leased_until: Option<NaiveDateTime>,
    /// When it was made.
    pub created_at: NaiveDateTime,
    /// When it last changed.
    pub updated_at: NaiveDateTime,
}

impl HookRow {
    /// Whether `event_name` is sent to this hook.
    pub fn wants(&self, event_name: &str) -> bool {
        self.events
            .as_deref()
            .is_none_or(|events| events.split(' ').any(|e| e == event_name))
    }
}

/// A new hook.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = system_hooks)]
pub struct NewHook {
    /// Where events are posted.
    pub url: String,
    /// A name.
    pub name: Option<String>,
    /// A description.
    pub description: Option<String>,
    /// `X-Gitlab-Token`, sealed.
    pub token_sealed: Option<String>,
    /// The signing secret, sealed.
    pub signing_secret_sealed: Option<String>,
    /// GitLab's flag.
    pub push_events: bool,
    /// GitLab's flag.
    pub tag_push_events: bool,
    /// GitLab's flag.
    pub merge_requests_events: bool,
    /// GitLab's flag.
    pub repository_update_events: bool,
    /// Whether TLS certificates are checked.
    pub enable_ssl_verification: bool,
    /// The event names sent, space-separated; all when `None`.
    pub events: Option<String>,
}

/// Changes to a hook; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = system_hooks)]
pub struct HookChanges {
    /// Where events are posted.
    pub url: Option<String>,
    /// A name (`Some(None)` clears it).
    pub name: Option<Option<String>>,
    /// A description.
    pub description: Option<Option<String>>,
    /// The token, sealed (`Some(None)` removes it).
    pub token_sealed: Option<Option<String>>,
    /// The signing secret, sealed.
    pub signing_secret_sealed: Option<Option<String>>,
    /// GitLab's flag.
    pub push_events: Option<bool>,
    /// GitLab's flag.
    pub tag_push_events: Option<bool>,
    /// GitLab's flag.
    pub merge_requests_events: Option<bool>,
    /// GitLab's flag.
    pub repository_update_events: Option<bool>,
    /// Whether TLS certificates are checked.
    pub enable_ssl_verification: Option<bool>,
    /// The events sent (`Some(None)`: all).
    pub events: Option<Option<String>>,
}

/// Stores a hook. It is sent the events that happen from now on.
pub fn create_hook(conn: &mut DbConnection, new: &NewHook) -> Result<HookRow, RepoError> {
    write_transaction(conn, |conn| {
        let at = now();
        let last = last_event_id(conn)?;
        let id: i64 = diesel::insert_into(system_hooks::table)
            .values((
                new,
                system_hooks::last_event_id.eq(last),
                system_hooks::created_at.eq(at),
                system_hooks::updated_at.eq(at),
            ))
            .returning(system_hooks::id)
            .get_result(conn)?;
        Ok(system_hooks::table
            .find(id)
            .select(HookRow::as_select())
            .first(conn)?)
    })
}

/// A page of hooks, oldest first.
pub fn list_hooks(conn: &mut DbConnection, page: i64, per_page: i64) -> Result<Page<HookRow>, RepoError> {
    let items = system_hooks::table
        .order(system_hooks::id.asc())
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .select(HookRow::as_select())
        .load(conn)?;
    let count: i64 = system_hooks::table.count().get_result(conn)?;
    Ok(Page {
        items,
        total: (count <= COUNT_LIMIT).then_some(count),
        has_more: page.saturating_mul(per_page) < count,
    })
}

/// A hook by id.
pub fn find_hook(conn: &mut DbConnection, id: i64) -> Result<Option<HookRow>, RepoError> {
    Ok(system_hooks::table
        .find(id)
        .select(HookRow::as_select())
        .first(conn)
        .optional()?)
}

/// Changes a hook; `None` when there is no such hook. A hook whose address
/// changes, or that is changed after being disabled, starts afresh: no
/// failures, enabled.
pub fn update_hook(
    conn: &mut DbConnection,
    id: i64,
    changes: &HookChanges,
) -> Result<Option<HookRow>, RepoError> {
    write_transaction(conn, |conn| {
        let n = diesel::update(system_hooks::table.find(id))
            .set((
                changes,
                system_hooks::recent_failures.eq(0),
                system_hooks::disabled_until.eq(None::<NaiveDateTime>),
                system_hooks::disabled_at.eq(None::<NaiveDateTime>),
                system_hooks::updated_at.eq(now()),
            ))
            .execute(conn)?;
        if n == 0 {
            return Ok(None);
        }
        find_hook(conn, id)
    })
}

/// Deletes a hook and its delivery log; `false` when there was none.
pub fn delete_hook(conn: &mut DbConnection, id: i64) -> Result<bool, RepoError> {
    Ok(diesel::delete(system_hooks::table.find(id)).execute(conn)? > 0)
}

/// Whether any hook would be sent events (so whether they are written).
pub fn any_enabled(conn: &mut DbConnection) -> Result<bool, RepoError> {
    Ok(diesel::select(diesel::dsl::exists(
        system_hooks::table.filter(system_hooks::disabled_at.is_null()),
    ))
    .get_result(conn)?)
}

fn last_event_id(conn: &mut DbConnection) -> Result<i64, RepoError> {
    Ok(system_events::table
        .select(diesel::dsl::max(system_events::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// An event of the outbox.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = system_events)]
pub struct EventRow {
    /// Its place in the outbox.
    pub id: i64,
    /// Its Standard Webhooks `webhook-id` (`msg_…`), the same on every try.
    pub webhook_id: String,
    /// GitLab's `event_name`.
    pub event_name: String,
    /// The JSON body.
    pub payload: String,
    /// When it happened.
    pub created_at: NaiveDateTime,
}

/// Writes an event to the outbox (inside the change's transaction).
pub fn record_event(
    conn: &mut DbConnection,
    webhook_id: &str,
    event_name: &str,
    payload: &str,
) -> Result<(), RepoError> {
    diesel::insert_into(system_events::table)
        .values((
            system_events::webhook_id.eq(webhook_id),
            system_events::event_name.eq(event_name),
            system_events::payload.eq(payload),
            system_events::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Events after `after`, oldest first.
pub fn events_after(conn: &mut DbConnection, after: i64, limit: i64) -> Result<Vec<EventRow>, RepoError> {
    Ok(system_events::table
        .filter(system_events::id.gt(after))
        .order(system_events::id.asc())
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)?)
}

/// How many events wait to be delivered, over every enabled hook.
pub fn backlog(conn: &mut DbConnection) -> Result<i64, RepoError> {
    let cursors: Vec<i64> = system_hooks::table
        .filter(system_hooks::disabled_at.is_null())
        .select(system_hooks::last_event_id)
        .load(conn)?;
    let mut waiting = 0;
    for cursor in cursors {
        waiting += system_events::table
            .filter(system_events::id.gt(cursor))
            .count()
            .get_result::<i64>(conn)?;
    }
    Ok(waiting)
}

/// Deletes the events every hook is done with (all of them when there is
/// no enabled hook).
pub fn prune_events(conn: &mut DbConnection) -> Result<usize, RepoError> {
    let oldest_cursor: Option<i64> = system_hooks::table
        .filter(system_hooks::disabled_at.is_null())
        .select(diesel::dsl::min(system_hooks::last_event_id))
        .first(conn)?;
    let upto = match oldest_cursor {
        Some(cursor) => cursor,
        None => last_event_id(conn)?,
    };
    Ok(diesel::delete(system_events::table.filter(system_events::id.le(upto))).execute(conn)?)
}

/// Takes the lease of a hook that has events waiting and may be tried now,
/// for `owner` until `until`; `None` when no hook is due.
pub fn claim_due_hook(
    conn: &mut DbConnection,
    owner: &str,
    at: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<Option<HookRow>, RepoError> {
    let newest = last_event_id(conn)?;
    let candidates: Vec<i64> = system_hooks::table
        .filter(system_hooks::disabled_at.is_null())
        .filter(system_hooks::last_event_id.lt(newest))
        .filter(
            system_hooks::disabled_until
                .is_null()
                .or(system_hooks::disabled_until.le(at)),
        )
        .filter(
            system_hooks::leased_until
                .is_null()
                .or(system_hooks::leased_until.lt(at))
                .or(system_hooks::lease_owner.eq(owner)),
        )
        .order(system_hooks::id.asc())
        .select(system_hooks::id)
        .limit(10)
        .load(conn)?;
    for id in candidates {
        // Taken only if no other node took it meanwhile.
        let taken = diesel::update(
            system_hooks::table.find(id).filter(
                system_hooks::leased_until
                    .is_null()
                    .or(system_hooks::leased_until.lt(at))
                    .or(system_hooks::lease_owner.eq(owner)),
            ),
        )
        .set((
            system_hooks::lease_owner.eq(owner),
            system_hooks::leased_until.eq(until),
        ))
        .execute(conn)?;
        if taken == 1 {
            return find_hook(conn, id);
        }
    }
    Ok(None)
}

/// Gives a hook's lease back.
pub fn release(conn: &mut DbConnection, hook: i64, owner: &str) -> Result<(), RepoError> {
    diesel::update(
        system_hooks::table
            .find(hook)
            .filter(system_hooks::lease_owner.eq(owner)),
    )
    .set((
        system_hooks::lease_owner.eq(None::<String>),
        system_hooks::leased_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(())
}

/// Moves a hook past events it is not sent (filtered out), if `owner`
/// still holds its lease.
pub fn skip_to(conn: &mut DbConnection, hook: i64, owner: &str, event: i64) -> Result<bool, RepoError> {
    Ok(diesel::update(
        system_hooks::table
            .find(hook)
            .filter(system_hooks::lease_owner.eq(owner))
            .filter(system_hooks::last_event_id.lt(event)),
    )
    .set(system_hooks::last_event_id.eq(event))
    .execute(conn)?
        == 1)
}

/// A delivery of the log.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = hook_deliveries)]
pub struct DeliveryRow {
    /// Its id.
    pub id: i64,
    /// The hook.
    pub hook_id: i64,
    /// The event of the outbox, for an event's delivery.
    pub event_id: Option<i64>,
    /// The `webhook-id` sent.
    pub webhook_id: String,
    /// GitLab's `event_name`.
    pub event_name: String,
    /// The body sent.
    pub payload: String,
    /// A test event (`POST /hooks/:id`).
    pub test: bool,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Tries so far.
    pub attempts: i32,
    /// The last answer's status code.
    pub response_code: Option<i32>,
    /// How long the last try took.
    pub duration_ms: Option<i64>,
    /// Why the last try failed.
    pub error: Option<String>,
    /// When it was made.
    pub created_at: NaiveDateTime,
    /// When it was last tried.
    pub updated_at: NaiveDateTime,
}

/// The logged delivery of `event` to `hook`, if it was tried before.
pub fn find_event_delivery(
    conn: &mut DbConnection,
    hook: i64,
    event: i64,
) -> Result<Option<DeliveryRow>, RepoError> {
    Ok(hook_deliveries::table
        .filter(hook_deliveries::hook_id.eq(hook))
        .filter(hook_deliveries::event_id.eq(event))
        .filter(hook_deliveries::test.eq(false))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?)
}

/// Logs a delivery not yet tried: an event's, or a test's.
pub fn insert_delivery(
    conn: &mut DbConnection,
    hook: i64,
    event: Option<i64>,
    webhook_id: &str,
    event_name: &str,
    payload: &str,
    test: bool,
) -> Result<DeliveryRow, RepoError> {
    let at = now();
    let id: i64 = diesel::insert_into(hook_deliveries::table)
        .values((
            hook_deliveries::hook_id.eq(hook),
            hook_deliveries::event_id.eq(event),
            hook_deliveries::webhook_id.eq(webhook_id),
            hook_deliveries::event_name.eq(event_name),
            hook_deliveries::payload.eq(payload),
            hook_deliveries::test.eq(test),
            hook_deliveries::status.eq("pending"),
            hook_deliveries::created_at.eq(at),
            hook_deliveries::updated_at.eq(at),
        ))
        .returning(hook_deliveries::id)
        .get_result(conn)?;
    Ok(hook_deliveries::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(conn)?)
}

/// What one try of a delivery came to.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Whether the receiver took it (a 2xx answer).
    pub delivered: bool,
    /// The answer's status code, when there was an answer.
    pub response_code: Option<i32>,
    /// How long it took.
    pub duration_ms: i64,
    /// Why it failed.
    pub error: Option<String>,
}

/// Logs the first try of an event's delivery, with what came of it: one
/// statement.
pub fn log_first_attempt(
    conn: &mut DbConnection,
    hook: i64,
    event: &EventRow,
    attempt: &Attempt,
) -> Result<(), RepoError> {
    let at = now();
    diesel::insert_into(hook_deliveries::table)
        .values((
            hook_deliveries::hook_id.eq(hook),
            hook_deliveries::event_id.eq(event.id),
            hook_deliveries::webhook_id.eq(&event.webhook_id),
            hook_deliveries::event_name.eq(&event.event_name),
            hook_deliveries::payload.eq(&event.payload),
            hook_deliveries::test.eq(false),
            hook_deliveries::status.eq(if attempt.delivered { "delivered" } else { "failed" }),
            hook_deliveries::attempts.eq(1),
            hook_deliveries::response_code.eq(attempt.response_code),
            hook_deliveries::duration_ms.eq(attempt.duration_ms),
            hook_deliveries::error.eq(&attempt.error),
            hook_deliveries::created_at.eq(at),
            hook_deliveries::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a try in the delivery log.
pub fn record_attempt(conn: &mut DbConnection, delivery: i64, attempt: &Attempt) -> Result<(), RepoError> {
    diesel::update(hook_deliveries::table.find(delivery))
        .set((
            hook_deliveries::status.eq(if attempt.delivered { "delivered" } else { "failed" }),
            hook_deliveries::attempts.eq(hook_deliveries::attempts + 1),
            hook_deliveries::response_code.eq(attempt.response_code),
            hook_deliveries::duration_ms.eq(attempt.duration_ms),
            hook_deliveries::error.eq(&attempt.error),
            hook_deliveries::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// After a delivered event: the hook moves past it, its failures are
/// forgotten, and the lease is held until `lease_until`.
pub fn advance(
    conn: &mut DbConnection,
    hook: i64,
    owner: &str,
    event: i64,
    lease_until: NaiveDateTime,
) -> Result<(), RepoError> {
    diesel::update(
        system_hooks::table
            .find(hook)
            .filter(system_hooks::lease_owner.eq(owner)),
    )
    .set((
        system_hooks::last_event_id.eq(event),
        system_hooks::recent_failures.eq(0),
        system_hooks::disabled_until.eq(None::<NaiveDateTime>),
        system_hooks::leased_until.eq(lease_until),
    ))
    .execute(conn)?;
    Ok(())
}

/// After a failed try: one more failure in a row, no try before `retry_at`,
/// and disabled at `disable_after` failures. The failures in a row now.
pub fn note_failure(
    conn: &mut DbConnection,
    hook: i64,
    retry_at: NaiveDateTime,
    disable_after: i32,
) -> Result<i32, RepoError> {
    write_transaction(conn, |conn| {
        let failures: i32 = system_hooks::table
            .find(hook)
            .select(system_hooks::recent_failures)
            .first::<i32>(conn)?
            + 1;
        let at = now();
        diesel::update(system_hooks::table.find(hook))
            .set((
                system_hooks::recent_failures.eq(failures),
                system_hooks::disabled_until.eq(retry_at),
                system_hooks::disabled_at.eq((failures >= disable_after).then_some(at)),
                system_hooks::updated_at.eq(at),
            ))
            .execute(conn)?;
        Ok(failures)
    })
}

/// A page of a hook's delivery log, newest first.
pub fn list_deliveries(
    conn: &mut DbConnection,
    hook: i64,
    page: i64,
    per_page: i64,
) -> Result<Page<DeliveryRow>, RepoError> {
    let items = hook_deliveries::table
        .filter(hook_deliveries::hook_id.eq(hook))
        .order(hook_deliveries::id.desc())
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .select(DeliveryRow::as_select())
        .load(conn)?;
    let count: i64 = hook_deliveries::table
        .filter(hook_deliveries::hook_id.eq(hook))
        .count()
        .get_result(conn)?;
    Ok(Page {
        items,
        total: (count <= COUNT_LIMIT).then_some(count),
        has_more: page.saturating_mul(per_page) < count,
    })
}

/// One delivery of a hook's log.
pub fn find_delivery(
    conn: &mut DbConnection,
    hook: i64,
    delivery: i64,
) -> Result<Option<DeliveryRow>, RepoError> {
    Ok(hook_deliveries::table
        .find(delivery)
        .filter(hook_deliveries::hook_id.eq(hook))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?)
}
