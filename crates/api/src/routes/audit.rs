//! Security events: all of them for admins, one's own for users.
use crate::endpoint;
use crate::http::auth::{Admin, Caller};
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::http::pagination;
use crate::inputs::queries::AuditQuery;
use crate::state::AppState;
use crate::views;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_persistence::audit::{self, AuditFilter};

/// The store's filter of an `AuditQuery`.
pub fn filter_of(query: &AuditQuery) -> AuditFilter {
    let f = &query.filter;
    AuditFilter {
        entity_id: f.entity_id,
        entity_type: f.entity_type.map(|t| t.as_str().to_owned()),
        author_id: f.author_id,
        event_name: f.event_name.clone(),
        created_after: f.created_after,
        created_before: f.created_before,
    }
}

async fn respond(
    req: &HttpRequest,
    state: &AppState,
    query: &AuditQuery,
    filter: AuditFilter,
) -> Result<HttpResponse, ApiError> {
    let paging = query.page.paging()?;
    let (page, per_page) = query.page.offset()?;
    let page = state
        .db
        .run(move |conn| audit::list(conn, &filter, page, per_page))
        .await?;
    Ok(pagination::respond_rows(
        req,
        &state.public_url,
        paging,
        &page,
        views::audit_event,
    ))
}

/// `GET /audit_events` (admin): filters `entity_type`, `entity_id`, `author_id`,
/// `event_name`, `created_after`, `created_before`; newest first.
pub async fn list_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Admin,
    query: Input<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.check()?;
    respond(&req, &state, &query, filter_of(&query)).await
}

/// `GET /user/audit_events`: the events about the caller.
pub async fn list_own_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Input<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.check()?;
    let mut filter = filter_of(&query);
    filter.entity_id = Some(caller.user.id);
    filter.entity_type = Some("User".into());
    respond(&req, &state, &query, filter).await
}

/// Registers the audit routes inside `/api/v4`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/audit_events", GET => list_events);
    endpoint!(cfg, "/user/audit_events", GET => list_own_events);
}
