//! Security events: all of them for admins, one's own for users.
use crate::auth::Caller;
use crate::endpoint;
use crate::error::ApiError;
use crate::pagination;
use crate::params::Params;
use crate::routes::users::parse_time;
use crate::state::AppState;
use crate::views;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_persistence::audit::{self, AuditFilter};
use roster_persistence::PageRequest;

fn read_filter(params: &Params) -> Result<AuditFilter, ApiError> {
    let mut f = params.fields();
    let filter = AuditFilter {
        entity_id: f.integer("entity_id", 1..=i64::MAX),
        author_id: f.integer("author_id", 1..=i64::MAX),
        event_name: params.text("event_name"),
        created_after: params
            .text("created_after")
            .map(|v| parse_time("created_after", &v))
            .transpose()?,
        created_before: params
            .text("created_before")
            .map(|v| parse_time("created_before", &v))
            .transpose()?,
    };
    if let Err(ApiError::Validation(fields)) = f.finish() {
        return Err(ApiError::InvalidParam(
            fields.keys().next().cloned().unwrap_or_default(),
        ));
    }
    Ok(filter)
}

async fn respond(
    req: &HttpRequest,
    state: &AppState,
    params: &Params,
    filter: AuditFilter,
) -> Result<HttpResponse, ApiError> {
    let paging = pagination::read(params, false)?;
    let PageRequest::Offset { page, per_page } = paging.request else {
        return Err(ApiError::MethodNotAllowedKeyset);
    };
    let page = state
        .db
        .run(move |conn| audit::list(conn, &filter, page, per_page))
        .await?;
    let body = page
        .items
        .iter()
        .map(|row| serde_json::to_value(views::audit_event(row)).unwrap_or_default())
        .collect();
    Ok(pagination::respond(
        req,
        &state.public_url,
        paging,
        &page,
        None,
        body,
    ))
}

/// `GET /audit_events` (admin): filters `entity_id`, `author_id`,
/// `event_name`, `created_after`, `created_before`; newest first.
pub async fn list_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let filter = read_filter(&params)?;
    respond(&req, &state, &params, filter).await
}

/// `GET /user/audit_events`: the events about the caller.
pub async fn list_own_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let mut filter = read_filter(&params)?;
    filter.entity_id = Some(caller.user.id);
    respond(&req, &state, &params, filter).await
}

/// Registers the audit routes inside `/api/v4`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/audit_events", GET => list_events);
    endpoint!(cfg, "/user/audit_events", GET => list_own_events);
}
