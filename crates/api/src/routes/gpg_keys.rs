//! GPG keys (GitLab's): the caller's own, and any user's (reading as the
//! profile's privacy allows, writing as an admin).
use super::path_id;
use crate::endpoint;
use crate::http::auth::{Admin, Caller, MaybeCaller};
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::inputs::keys::AddGpgKey;
use crate::services::audit::Actor;
use crate::services::gpg_keys::{self as gpg_service, Removal};
use crate::services::user_views;
use crate::state::AppState;
use crate::views;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_domain::Viewer;
use roster_persistence::gpg_keys;
use roster_persistence::users;

const GPG_KEY: &str = "GPG Key";
const USER: &str = "User";

/// The body limit of the routes that add a key: 65,536 characters of up to
/// four bytes each, percent-encoded in a form (three bytes a byte).
const GPG_BODY_LIMIT: usize = 1024 * 1024;

/// GitLab's answer to a revoke: `202 {"message": "202 Accepted"}`.
fn accepted() -> HttpResponse {
    HttpResponse::Accepted().json(serde_json::json!({ "message": "202 Accepted" }))
}

async fn list_of(state: &AppState, user_id: i64) -> Result<HttpResponse, ApiError> {
    let rows = state.db.run(move |conn| gpg_keys::of_user(conn, user_id)).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(views::gpg_key).collect::<Vec<_>>()))
}

async fn one_of(state: &AppState, user_id: i64, key_id: i64) -> Result<HttpResponse, ApiError> {
    let row = state
        .db
        .run(move |conn| gpg_keys::find(conn, user_id, key_id))
        .await?
        .ok_or(ApiError::NotFound(GPG_KEY))?;
    Ok(HttpResponse::Ok().json(views::gpg_key(&row)))
}

/// The user of the path, if `viewer` may see its keys (a private profile
/// hides them from everyone but its owner and admins, as with SSH keys).
async fn visible_user(req: &HttpRequest, state: &AppState, viewer: Viewer) -> Result<i64, ApiError> {
    let id = path_id(req, "id", USER)?;
    let user = state
        .db
        .run(move |conn| users::find_user(conn, id))
        .await?
        .ok_or(ApiError::NotFound(USER))?;
    if viewer.sees_keys(user.id, &user_views::privacy_of(&user)) {
        Ok(user.id)
    } else {
        Err(ApiError::Forbidden(Some(
            "This user's profile is private.".into(),
        )))
    }
}

/// `GET /user/gpg_keys`.
pub async fn list_own(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    list_of(&state, caller.user.id).await
}

/// `GET /user/gpg_keys/:key_id`.
pub async fn get_own(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let key_id = path_id(&req, "key_id", GPG_KEY)?;
    one_of(&state, caller.user.id, key_id).await
}

/// `POST /user/gpg_keys`.
pub async fn add_own(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<AddGpgKey>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let row = gpg_service::add(&state, Actor::of(&caller), caller.user.id, input.key).await?;
    Ok(HttpResponse::Created().json(views::gpg_key(&row)))
}

async fn remove_own(
    req: HttpRequest,
    state: &AppState,
    caller: &Caller,
    how: Removal,
) -> Result<(), ApiError> {
    let key_id = path_id(&req, "key_id", GPG_KEY)?;
    if gpg_service::remove(state, Actor::of(caller), caller.user.id, key_id, how).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound(GPG_KEY))
    }
}

/// `DELETE /user/gpg_keys/:key_id`.
pub async fn delete_own(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    remove_own(req, &state, &caller, Removal::Deleted).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /user/gpg_keys/:key_id/revoke`: `202`.
pub async fn revoke_own(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    remove_own(req, &state, &caller, Removal::Revoked).await?;
    Ok(accepted())
}

/// `GET /users/:id/gpg_keys` (anyone the profile's privacy allows).
pub async fn list_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let user_id = visible_user(&req, &state, caller.viewer()).await?;
    list_of(&state, user_id).await
}

/// `GET /users/:id/gpg_keys/:key_id`.
pub async fn get_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let user_id = visible_user(&req, &state, caller.viewer()).await?;
    let key_id = path_id(&req, "key_id", GPG_KEY)?;
    one_of(&state, user_id, key_id).await
}

/// `POST /users/:id/gpg_keys` (admin).
pub async fn add_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
    input: Input<AddGpgKey>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let user_id = path_id(&req, "id", USER)?;
    let row = gpg_service::add(&state, Actor::of(&caller), user_id, input.key).await?;
    Ok(HttpResponse::Created().json(views::gpg_key(&row)))
}

async fn remove_user(
    req: HttpRequest,
    state: &AppState,
    caller: &Caller,
    how: Removal,
) -> Result<(), ApiError> {
    let user_id = path_id(&req, "id", USER)?;
    let key_id = path_id(&req, "key_id", GPG_KEY)?;
    let exists = state
        .db
        .run(move |conn| users::find_user(conn, user_id))
        .await?
        .is_some();
    if !exists {
        return Err(ApiError::NotFound(USER));
    }
    if gpg_service::remove(state, Actor::of(caller), user_id, key_id, how).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound(GPG_KEY))
    }
}

/// `DELETE /users/:id/gpg_keys/:key_id` (admin).
pub async fn delete_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
) -> Result<HttpResponse, ApiError> {
    remove_user(req, &state, &caller, Removal::Deleted).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /users/:id/gpg_keys/:key_id/revoke` (admin): `202`.
pub async fn revoke_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
) -> Result<HttpResponse, ApiError> {
    remove_user(req, &state, &caller, Removal::Revoked).await?;
    Ok(accepted())
}

/// Registers the GPG key routes (inside `/api/v4`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    // Room for the longest key the schema allows, however it is encoded, so
    // that a longer one is told "too long" rather than "413".
    endpoint!(cfg, "/user/gpg_keys", body_limit = GPG_BODY_LIMIT; GET => list_own, POST => add_own);
    endpoint!(cfg, "/user/gpg_keys/{key_id}", GET => get_own, DELETE => delete_own);
    endpoint!(cfg, "/user/gpg_keys/{key_id}/revoke", POST => revoke_own);
    endpoint!(cfg, "/users/{id}/gpg_keys", body_limit = GPG_BODY_LIMIT; GET => list_user, POST => add_user);
    endpoint!(cfg, "/users/{id}/gpg_keys/{key_id}", GET => get_user, DELETE => delete_user);
    endpoint!(cfg, "/users/{id}/gpg_keys/{key_id}/revoke", POST => revoke_user);
}

/// `GET /:username.gpg`: the user's GPG keys, armored, one after another
/// (`text/plain`), as the profile's privacy allows; GitLab's `/:username.gpg`.
pub async fn armored_keys(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let username = req.match_info().get("username").unwrap_or_default().to_owned();
    let viewer = caller.viewer();
    let rows = state
        .db
        .run_api(move |conn| {
            let user = user_views::key_owner(conn, &username, &viewer)?;
            Ok(gpg_keys::of_user(conn, user.id)?)
        })
        .await?;
    let body: String = rows.iter().map(|k| format!("{}\n", k.key)).collect();
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(body))
}

/// Registers `/:username.gpg` at the top level.
pub fn configure_top_level(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/{username}.gpg", GET => armored_keys);
}
