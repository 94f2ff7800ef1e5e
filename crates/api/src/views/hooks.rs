//! The JSON shapes of system hooks (GitLab's `Hook` entity, with Roster's
//! `events`) and of their delivery log.
use super::time;
use chrono::NaiveDateTime;
use roster_domain::SYSTEM_HOOK_EVENTS;
use roster_persistence::system_hooks::{DeliveryRow, HookRow};
use serde::Serialize;
use utoipa::ToSchema;

/// A system hook. The token and the signing secret are never shown, but
/// a secret just generated (`signing_secret=generate`), once.
#[derive(Debug, Serialize, ToSchema)]
pub struct HookView {
    /// Its id.
    pub id: i64,
    /// Where events are posted.
    pub url: String,
    /// A name.
    pub name: Option<String>,
    /// A description.
    pub description: Option<String>,
    /// When it was made.
    pub created_at: String,
    /// GitLab's flags, kept and shown.
    pub push_events: bool,
    /// See `push_events`.
    pub tag_push_events: bool,
    /// See `push_events`.
    pub merge_requests_events: bool,
    /// See `push_events`.
    pub repository_update_events: bool,
    /// Whether the receiver's certificate is checked.
    pub enable_ssl_verification: bool,
    /// `executable`; `temporarily_disabled` while a failed delivery waits
    /// for its retry; `disabled` after 40 failures in a row (a `PUT`
    /// enables it again).
    pub alert_status: &'static str,
    /// Until when it waits, while temporarily disabled.
    pub disabled_until: Option<String>,
    /// GitLab's; always empty.
    pub url_variables: Vec<serde_json::Value>,
    /// GitLab's; always null.
    pub push_events_branch_filter: Option<String>,
    /// GitLab's; always `wildcard`.
    pub branch_filter_strategy: &'static str,
    /// GitLab's; always null.
    pub custom_webhook_template: Option<String>,
    /// GitLab's; always empty.
    pub custom_headers: Vec<serde_json::Value>,
    /// Roster's: the events it is sent.
    pub events: Vec<String>,
    /// Roster's: whether deliveries are signed (Standard Webhooks).
    pub signing: bool,
    /// Roster's: the secret just generated, shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<String>,
}

impl HookView {
    /// The view of `row` as of `at`, with a secret just generated.
    pub fn of(row: &HookRow, at: NaiveDateTime, generated: Option<String>) -> Self {
        let alert_status = if row.disabled_at.is_some() {
            "disabled"
        } else if row.disabled_until.is_some_and(|until| until > at) {
            "temporarily_disabled"
        } else {
            "executable"
        };
        Self {
            id: row.id,
            url: row.url.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            created_at: time(row.created_at),
            push_events: row.push_events,
            tag_push_events: row.tag_push_events,
            merge_requests_events: row.merge_requests_events,
            repository_update_events: row.repository_update_events,
            enable_ssl_verification: row.enable_ssl_verification,
            alert_status,
            disabled_until: row.disabled_until.filter(|until| *until > at).map(time),
            url_variables: Vec::new(),
            push_events_branch_filter: None,
            branch_filter_strategy: "wildcard",
            custom_webhook_template: None,
            custom_headers: Vec::new(),
            events: match &row.events {
                Some(events) => events.split(' ').map(str::to_owned).collect(),
                None => SYSTEM_HOOK_EVENTS.iter().map(|e| (*e).to_owned()).collect(),
            },
            signing: row.signing_secret_sealed.is_some(),
            signing_secret: generated,
        }
    }
}

/// One delivery of a hook's log.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// Its id.
    pub id: i64,
    /// The hook.
    pub hook_id: i64,
    /// GitLab's `event_name`.
    pub event_name: String,
    /// The `webhook-id` sent (the same on every try, and on a redelivery).
    pub webhook_id: String,
    /// A test event (`POST /hooks/:id`), not retried.
    pub test: bool,
    /// `pending` (not tried yet), `delivered`, or `failed` (the last try
    /// failed; an event's delivery is tried again).
    pub status: String,
    /// Tries so far.
    pub attempts: i32,
    /// The last answer's status code; null when there was no answer.
    pub response_code: Option<i32>,
    /// How long the last try took, in milliseconds.
    pub duration_ms: Option<i64>,
    /// The same in seconds (GitLab's name, in its hook logs).
    pub execution_duration: Option<f64>,
    /// Why the last try failed (the start of the answer, or the error).
    pub error: Option<String>,
    /// The body sent.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// When it was made.
    pub created_at: String,
    /// When it was last tried.
    pub updated_at: String,
}

impl From<&DeliveryRow> for DeliveryView {
    fn from(row: &DeliveryRow) -> Self {
        Self {
            id: row.id,
            hook_id: row.hook_id,
            event_name: row.event_name.clone(),
            webhook_id: row.webhook_id.clone(),
            test: row.test,
            status: row.status.clone(),
            attempts: row.attempts,
            response_code: row.response_code,
            duration_ms: row.duration_ms,
            execution_duration: row.duration_ms.map(|ms| ms as f64 / 1000.0),
            error: row.error.clone(),
            payload: serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null),
            created_at: time(row.created_at),
            updated_at: time(row.updated_at),
        }
    }
}

/// The sample event a test sends (GitLab's, for its system hooks' test).
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct TestEvent {
    /// `project_create`.
    pub event_name: String,
    /// `Ruby`.
    pub name: String,
    /// `ruby`.
    pub path: String,
    /// `1`.
    pub project_id: i64,
    /// `Someone`.
    pub owner_name: String,
    /// `example@gitlabhq.com`.
    pub owner_email: String,
}
