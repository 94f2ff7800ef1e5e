//! Security events. Each is recorded on the connection, inside the
//! transaction of the change it describes: the change and its event are
//! stored together or not at all.
use crate::http::auth::Caller;
use roster_persistence::audit::{self, NewEvent};
use roster_persistence::{DbConnection, RepoError};
use serde_json::Value;

/// Who acts, as a security event records them.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// The user acting, when known.
    pub id: Option<i64>,
    /// The client address.
    pub ip: Option<String>,
    /// The admin acting as the user (`sudo`, an impersonation token), named
    /// in the event's details as `acting_admin_id`.
    pub acting_admin: Option<i64>,
}

impl Actor {
    /// The caller of a request.
    pub fn of(caller: &Caller) -> Self {
        Self {
            id: Some(caller.user.id),
            ip: Some(caller.ip.clone()),
            acting_admin: caller.acting_admin.and_then(|a| a.admin_id()),
        }
    }

    /// Someone not signed in (yet), from `ip`.
    pub fn anonymous(ip: Option<&str>) -> Self {
        Self {
            id: None,
            ip: ip.map(str::to_owned),
            acting_admin: None,
        }
    }

    /// User `id`, from `ip`.
    pub fn user(id: i64, ip: Option<&str>) -> Self {
        Self {
            id: Some(id),
            ip: ip.map(str::to_owned),
            acting_admin: None,
        }
    }

    /// Records `name` about user `entity`. Call it inside the transaction
    /// of the change it describes.
    pub fn record(
        &self,
        conn: &mut DbConnection,
        name: &str,
        entity: Option<i64>,
        details: Value,
    ) -> Result<(), RepoError> {
        self.record_about(conn, name, "User", entity, details)
    }

    /// Records `name` about group `group`, inside the change's transaction.
    pub fn record_group(
        &self,
        conn: &mut DbConnection,
        name: &str,
        group: i64,
        details: Value,
    ) -> Result<(), RepoError> {
        self.record_about(conn, name, "Group", Some(group), details)
    }

    /// Records `name` about OAuth application `application`, inside the
    /// change's transaction.
    pub fn record_application(
        &self,
        conn: &mut DbConnection,
        name: &str,
        application: i64,
        details: Value,
    ) -> Result<(), RepoError> {
        self.record_about(conn, name, "Application", Some(application), details)
    }

    /// Records `name` about system hook `hook`, inside the change's
    /// transaction.
    pub fn record_hook(
        &self,
        conn: &mut DbConnection,
        name: &str,
        hook: i64,
        details: Value,
    ) -> Result<(), RepoError> {
        self.record_about(conn, name, "SystemHook", Some(hook), details)
    }

    fn record_about(
        &self,
        conn: &mut DbConnection,
        name: &str,
        entity_type: &'static str,
        entity: Option<i64>,
        mut details: Value,
    ) -> Result<(), RepoError> {
        if let Some(admin) = self.acting_admin {
            match &mut details {
                Value::Object(map) => {
                    map.insert("acting_admin_id".into(), admin.into());
                }
                other => *other = serde_json::json!({ "acting_admin_id": admin }),
            }
        }
        audit::record(
            conn,
            &NewEvent {
                event_name: name.to_owned(),
                author_id: self.id,
                entity_id: entity,
                entity_type,
                ip_address: self.ip.clone(),
                details: if details.is_null() {
                    String::new()
                } else {
                    details.to_string()
                },
            },
        )
    }
}
