//! Security events. They are kept when their author or subject is deleted
//! (no foreign keys): the record of what happened outlives the account.
use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::now;
use crate::pagination::{Page, COUNT_LIMIT};
use crate::schema::audit_events;
use crate::Db;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A recorded event.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: i64,
    pub event_name: String,
    pub author_id: Option<i64>,
    pub entity_id: Option<i64>,
    pub ip_address: Option<String>,
    pub details: String,
    pub created_at: NaiveDateTime,
    /// `User` or `Group`: what `entity_id` names.
    pub entity_type: String,
}

/// An event to record.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    /// What happened (`sign_in_failed`, `user_blocked`, …).
    pub event_name: String,
    /// Who did it, when known.
    pub author_id: Option<i64>,
    /// Whom it concerns, when known.
    pub entity_id: Option<i64>,
    /// What `entity_id` names: `User` (when empty) or `Group`.
    pub entity_type: &'static str,
    /// From where.
    pub ip_address: Option<String>,
    /// More, as a JSON object.
    pub details: String,
}

/// Records an event.
pub fn record(conn: &mut DbConnection, event: &NewEvent) -> Result<(), RepoError> {
    let details = if event.details.is_empty() {
        "{}"
    } else {
        event.details.as_str()
    };
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::event_name.eq(&event.event_name),
            audit_events::author_id.eq(event.author_id),
            audit_events::entity_id.eq(event.entity_id),
            audit_events::entity_type.eq(if event.entity_type.is_empty() {
                "User"
            } else {
                event.entity_type
            }),
            audit_events::ip_address.eq(&event.ip_address),
            audit_events::details.eq(details),
            audit_events::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Events about this entity.
    pub entity_id: Option<i64>,
    /// Events about entities of this type (`User`, `Group`).
    pub entity_type: Option<String>,
    /// Events by this user.
    pub author_id: Option<i64>,
    /// Events with this name.
    pub event_name: Option<String>,
    /// Created at or after.
    pub created_after: Option<NaiveDateTime>,
    /// Created before.
    pub created_before: Option<NaiveDateTime>,
}

fn filtered(filter: &AuditFilter) -> audit_events::BoxedQuery<'static, Db> {
    let mut q = audit_events::table.into_boxed();
    if let Some(id) = filter.entity_id {
        q = q.filter(audit_events::entity_id.eq(id));
    }
    if let Some(kind) = filter.entity_type.clone() {
        q = q.filter(audit_events::entity_type.eq(kind));
    }
    if let Some(id) = filter.author_id {
        q = q.filter(audit_events::author_id.eq(id));
    }
    if let Some(name) = &filter.event_name {
        q = q.filter(audit_events::event_name.eq(name.clone()));
    }
    if let Some(after) = filter.created_after {
        q = q.filter(audit_events::created_at.ge(after));
    }
    if let Some(before) = filter.created_before {
        q = q.filter(audit_events::created_at.lt(before));
    }
    q
}

/// A page of events, newest first.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    page: i64,
    per_page: i64,
) -> Result<Page<AuditRow>, RepoError> {
    let items = filtered(filter)
        .order(audit_events::id.desc())
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .select(AuditRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = filtered(filter)
        .select(audit_events::id)
        .limit(COUNT_LIMIT + 1)
        .load(conn)?;
    let count = ids.len() as i64;
    Ok(Page {
        items,
        total: (count <= COUNT_LIMIT).then_some(count),
        has_more: page.saturating_mul(per_page) < count,
    })
}
