//! `/user/sessions` and `/users/:id/sessions` (§15): the sessions a user
//! has open, and ending them.
use super::path_id;
use crate::endpoint;
use crate::http::auth::{Admin, Caller};
use crate::http::error::ApiError;
use crate::services::audit::Actor;
use crate::services::user_sessions::{self, current_of, Current};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_persistence::users;

/// What the 404 of an unknown session names.
const SESSION: &str = "Session";

async fn existing_user(state: &AppState, req: &HttpRequest) -> Result<i64, ApiError> {
    let id = path_id(req, "id", "User")?;
    state
        .db
        .run(move |conn| users::find_user(conn, id))
        .await?
        .map(|u| u.id)
        .ok_or(ApiError::NotFound("User"))
}

/// `GET /user/sessions`.
pub async fn own_sessions(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let sessions = user_sessions::list(&state, caller.user.id, current_of(&caller)).await?;
    Ok(HttpResponse::Ok().json(sessions))
}

/// `DELETE /user/sessions/:id`: ends one session (this one too, if asked).
pub async fn end_own_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", SESSION)?;
    user_sessions::end(&state, caller.user.id, id, Actor::of(&caller)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /user/sessions`: ends every session but the one in use.
pub async fn end_other_sessions(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    user_sessions::end_all_but(&state, caller.user.id, current_of(&caller), Actor::of(&caller)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /users/:id/sessions` (admin).
pub async fn user_sessions_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
) -> Result<HttpResponse, ApiError> {
    let id = existing_user(&state, &req).await?;
    let current = if id == caller.user.id {
        current_of(&caller)
    } else {
        Current::None
    };
    Ok(HttpResponse::Ok().json(user_sessions::list(&state, id, current).await?))
}

/// `DELETE /users/:id/sessions` (admin): ends every session of the user
/// (but the admin's own current one, when it is their own account).
pub async fn end_user_sessions(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
) -> Result<HttpResponse, ApiError> {
    let id = existing_user(&state, &req).await?;
    let keep = if id == caller.user.id {
        current_of(&caller)
    } else {
        Current::None
    };
    user_sessions::end_all_but(&state, id, keep, Actor::of(&caller)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers the session routes (inside `/api/v4`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/user/sessions", GET => own_sessions, DELETE => end_other_sessions);
    endpoint!(cfg, "/user/sessions/{id}", DELETE => end_own_session);
    endpoint!(cfg, "/users/{id}/sessions", GET => user_sessions_list, DELETE => end_user_sessions);
}
