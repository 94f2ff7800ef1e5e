//! Users' statuses, as in GitLab: `GET/PUT/PATCH /user/status` and
//! `GET /users/:id_or_username/status`.
use crate::endpoint;
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::inputs::social::SetStatus;
use crate::services::user_views;
use crate::state::AppState;
use crate::views;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_persistence::{now, user_statuses, users};

/// `GET /user/status`.
pub async fn own_status(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let id = caller.user.id;
    let status = state
        .db
        .run(move |conn| user_statuses::status_of(conn, id, now()))
        .await?;
    Ok(HttpResponse::Ok().json(views::status(status.as_ref())))
}

async fn change_status(
    state: web::Data<AppState>,
    caller: Caller,
    change: SetStatus,
    keep_absent_fields: bool,
) -> Result<HttpResponse, ApiError> {
    let id = caller.user.id;
    let status = state
        .db
        .run(move |conn| {
            user_statuses::change_status(conn, id, now(), |current| {
                change.applied_to(current.filter(|_| keep_absent_fields), now())
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(views::status(status.as_ref())))
}

/// `PUT /user/status`: sets the whole status; fields left out are unset,
/// and a status with no emoji, no message and not busy is cleared.
pub async fn put_status(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<SetStatus>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    change_status(state, caller, input, false).await
}

/// `PATCH /user/status`: changes only the fields given.
pub async fn patch_status(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<SetStatus>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    change_status(state, caller, input, true).await
}

/// `GET /users/:id_or_username/status` (anyone). A private profile's status
/// is shown only to its owner and admins; others get the empty status.
pub async fn user_status(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let reference = req.match_info().get("id").unwrap_or_default().to_owned();
    // The caller and the status in one trip to the database.
    let (_, status) = crate::http::auth::maybe_authenticate_then(&req, move |conn, viewer| {
        let user = users::find_by_id_or_username(conn, &reference)?.ok_or(ApiError::NotFound("User"))?;
        if !viewer.sees_status(user.id, &user_views::privacy_of(&user)) {
            return Ok(None);
        }
        Ok(user_statuses::status_of(conn, user.id, now())?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(views::status(status.as_ref())))
}

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/user/status", GET => own_status, PUT => put_status, PATCH => patch_status);
    endpoint!(cfg, "/users/{id}/status", GET => user_status);
}
