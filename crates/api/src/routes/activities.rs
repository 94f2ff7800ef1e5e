//! `GET /user/activities` (admin): when each user was last active, GitLab's
//! way, most recent first.
use crate::endpoint;
use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::http::pagination;
use crate::inputs::queries::ActivitiesQuery;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_persistence::user_list;
use serde_json::json;

/// How far back `from` reaches when left out (GitLab's six months).
const DEFAULT_DAYS: u64 = 183;

/// `GET /user/activities`: `[{username, last_activity_on, last_activity_at}]`
/// for users active on or after `from`.
pub async fn list_activities(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(_): Admin,
    query: Input<ActivitiesQuery>,
) -> Result<HttpResponse, ApiError> {
    let ActivitiesQuery { from, page } = query.check()?;
    let from = from.unwrap_or_else(|| roster_persistence::today() - chrono::Days::new(DEFAULT_DAYS));
    let paging = page.paging()?;
    let (page, per_page) = page.offset()?;
    let page = state
        .db
        .run(move |conn| user_list::activities(conn, from, page, per_page))
        .await?;
    Ok(pagination::respond_rows(
        &req,
        &state.public_url,
        paging,
        &page,
        |(username, on)| {
            let day = on.format("%Y-%m-%d").to_string();
            json!({ "username": username, "last_activity_on": day, "last_activity_at": day })
        },
    ))
}

/// Registers the route (inside `/api/v4`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/user/activities", GET => list_activities);
}
