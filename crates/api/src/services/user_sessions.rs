//! A user's sessions (§15): every OAuth token family and every browser
//! session is one. Listing them, ending one, ending every other; each end
//! a security event, seen by every node at its next request (the tokens
//! and sessions live in the database).
use crate::http::auth::{Caller, TokenUsed};
use crate::http::error::ApiError;
use crate::services::audit::Actor;
use crate::services::system_events;
use crate::state::AppState;
use roster_domain::SessionId;
use roster_persistence::{applications, browser_sessions, now, oauth_tokens};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// The session a request was made in, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Current {
    /// An OAuth token of this family.
    Family(String),
    /// A browser session, by id.
    Browser(i64),
    /// A personal access token, or an admin looking at someone else.
    None,
}

/// The session `caller` uses, as the list marks it.
pub fn current_of(caller: &Caller) -> Current {
    match &caller.token {
        TokenUsed::OAuth { family, .. } => Current::Family(family.clone()),
        TokenUsed::Session(id) => Current::Browser(*id),
        TokenUsed::Personal(_) => Current::None,
    }
}

/// The application of a session.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionApplication {
    /// The application's id.
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// One session, as `GET /user/sessions` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionView {
    /// What `DELETE /user/sessions/:id` takes: unique among the user's
    /// sessions of both kinds, and kept for the session's life.
    pub id: i64,
    /// `browser` or `oauth`.
    pub kind: &'static str,
    /// When it began.
    pub created_at: String,
    /// A browser's last request, or a token family's last sign-in or refresh.
    pub last_used_at: String,
    /// The address it was last used from.
    pub ip_address: Option<String>,
    /// The browser or client that last used it.
    pub user_agent: Option<String>,
    /// The application the tokens were issued to, if any.
    pub application: Option<SessionApplication>,
    /// Whether the request was made in this session.
    pub current: bool,
}

/// The user's live sessions, newest first.
pub async fn list(state: &AppState, user_id: i64, current: Current) -> Result<Vec<SessionView>, ApiError> {
    let (browsers, families, apps) = state
        .db
        .run(move |conn| {
            let browsers = browser_sessions::live_for_user(conn, user_id, now())?;
            let families = oauth_tokens::live_families(conn, user_id)?;
            let mut apps = Vec::new();
            for id in families.iter().filter_map(|f| f.current.application_id) {
                if !apps.iter().any(|(known, _)| *known == id) {
                    if let Some(app) = applications::find_application(conn, id)? {
                        apps.push((id, app.name));
                    }
                }
            }
            Ok((browsers, families, apps))
        })
        .await?;
    let mut views: Vec<(chrono::NaiveDateTime, SessionView)> = Vec::new();
    for b in browsers {
        views.push((
            b.created_at,
            SessionView {
                id: SessionId::Browser(b.id).number(),
                kind: "browser",
                created_at: crate::views::time(b.created_at),
                last_used_at: crate::views::time(b.last_seen_at),
                ip_address: b.ip,
                user_agent: b.user_agent,
                application: None,
                current: current == Current::Browser(b.id),
            },
        ));
    }
    for f in families {
        let application = f.current.application_id.and_then(|id| {
            apps.iter()
                .find(|(known, _)| *known == id)
                .map(|(_, name)| SessionApplication {
                    id,
                    name: name.clone(),
                })
        });
        views.push((
            f.started_at,
            SessionView {
                id: SessionId::TokenFamily(f.first_id).number(),
                kind: "oauth",
                created_at: crate::views::time(f.started_at),
                last_used_at: crate::views::time(f.current.created_at),
                ip_address: f.current.ip_address,
                user_agent: f.current.user_agent,
                application,
                current: current == Current::Family(f.current.family.clone()),
            },
        ));
    }
    views.sort_by_key(|v| std::cmp::Reverse(v.0));
    Ok(views.into_iter().map(|(_, v)| v).collect())
}

/// Ends the user's session `id`: `404` when there is no such live session.
pub async fn end(state: &AppState, user_id: i64, id: i64, actor: Actor) -> Result<(), ApiError> {
    let ended = state
        .db
        .write(move |conn| {
            let ended = match SessionId::from_number(id) {
                Some(SessionId::Browser(n)) => browser_sessions::delete_for_user_by_id(conn, user_id, n)?,
                Some(SessionId::TokenFamily(first)) => {
                    let revoked = match oauth_tokens::family_of_first_pair(conn, user_id, first)? {
                        Some(family) => oauth_tokens::revoke_user_family(conn, user_id, &family)? > 0,
                        None => false,
                    };
                    if revoked {
                        system_events::token_revoked(conn, user_id, "oauth", None)?;
                    }
                    revoked
                }
                None => false,
            };
            if ended {
                actor.record(conn, "session_ended", Some(user_id), json!({"session": id}))?;
            }
            Ok(ended)
        })
        .await?;
    if ended {
        Ok(())
    } else {
        Err(ApiError::NotFound("Session"))
    }
}

/// Ends every session of the user but `keep`.
pub async fn end_all_but(
    state: &AppState,
    user_id: i64,
    keep: Current,
    actor: Actor,
) -> Result<(), ApiError> {
    state
        .db
        .write(move |conn| {
            let keep_family = match &keep {
                Current::Family(f) => Some(f.as_str()),
                _ => None,
            };
            let keep_browser = match keep {
                Current::Browser(id) => Some(id),
                _ => None,
            };
            let tokens = oauth_tokens::revoke_user_tokens(conn, user_id, keep_family)?;
            if tokens > 0 {
                system_events::token_revoked(conn, user_id, "oauth", None)?;
            }
            let browsers = browser_sessions::delete_others(conn, user_id, keep_browser)?;
            actor.record(
                conn,
                "sessions_ended",
                Some(user_id),
                json!({"oauth_tokens": tokens, "browser_sessions": browsers}),
            )?;
            Ok(())
        })
        .await
}
