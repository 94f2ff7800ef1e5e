//! Recording security events.
use crate::state::AppState;
use roster_persistence::audit::{self, NewEvent};
use serde_json::Value;

/// Records `name` by `author` about `entity` from `ip`. A failure to record
/// is logged, not returned: the change it describes has happened.
pub async fn record(
    state: &AppState,
    name: &str,
    author: Option<i64>,
    entity: Option<i64>,
    ip: Option<&str>,
    details: Value,
) {
    let event = NewEvent {
        event_name: name.to_owned(),
        author_id: author,
        entity_id: entity,
        ip_address: ip.map(str::to_owned),
        details: if details.is_null() {
            String::new()
        } else {
            details.to_string()
        },
    };
    if let Err(e) = state.db.run(move |conn| audit::record(conn, &event)).await {
        log::error!("recording the security event {name} failed: {e}");
    }
}

/// Records `name`, done by `caller`, about user `entity`.
pub async fn by(state: &AppState, caller: &crate::auth::Caller, name: &str, entity: i64, details: Value) {
    record(
        state,
        name,
        Some(caller.user.id),
        Some(entity),
        Some(&caller.ip),
        details,
    )
    .await;
}
