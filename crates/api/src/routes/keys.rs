//! SSH keys: the user's own, any user's (admins), look-ups for SSH servers and
//! `/:username.keys`.
use super::path_id;
use crate::endpoint;
use crate::http::auth::{Admin, Caller, MaybeCaller};
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::inputs::keys::{AddKey, KeyLookup};
use crate::services::audit::Actor;
use crate::services::keys as keys_service;
use crate::services::user_views;
use crate::state::AppState;
use crate::views;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_domain::{ProfileView, UserState, Viewer};
use roster_persistence::keys::{self, KeyRow};
use roster_persistence::users::{self, UserRow};
use roster_persistence::{now, RepoError};

const KEY: &str = "Key";
const USER: &str = "User";

fn key_list(rows: &[KeyRow]) -> HttpResponse {
    HttpResponse::Ok().json(rows.iter().map(|k| views::key(k, None)).collect::<Vec<_>>())
}

/// The user `reference` names, if the viewer may see its keys (a private
/// profile hides them from everyone but its owner and admins).
async fn user_by_ref(state: &AppState, reference: String, viewer: Viewer) -> Result<UserRow, ApiError> {
    let user = state
        .db
        .run(move |conn| users::find_by_id_or_username(conn, &reference))
        .await?
        .ok_or(ApiError::NotFound(USER))?;
    if viewer.sees_keys(user.id, &user_views::privacy_of(&user)) {
        Ok(user)
    } else {
        Err(ApiError::Forbidden(Some(
            "This user's profile is private.".into(),
        )))
    }
}

/// `GET /user/keys`.
pub async fn list_own_keys(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let id = caller.user.id;
    Ok(key_list(
        &state.db.run(move |conn| keys::keys_of(conn, id)).await?,
    ))
}

/// `GET /user/keys/:key_id`.
pub async fn get_own_key(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let key_id = path_id(&req, "key_id", KEY)?;
    let user_id = caller.user.id;
    let row = state
        .db
        .run(move |conn| keys::find_user_key(conn, user_id, key_id))
        .await?
        .ok_or(ApiError::NotFound(KEY))?;
    Ok(HttpResponse::Ok().json(views::key(&row, None)))
}

/// `POST /user/keys`.
pub async fn add_own_key(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<AddKey>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let row = keys_service::add(&state, Actor::of(&caller), caller.user.id, input).await?;
    Ok(HttpResponse::Created().json(views::key(&row, None)))
}

/// `DELETE /user/keys/:key_id`.
pub async fn delete_own_key(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let key_id = path_id(&req, "key_id", KEY)?;
    let user_id = caller.user.id;
    if keys_service::remove(&state, Actor::of(&caller), user_id, key_id)
        .await?
        .1
    {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound(KEY))
    }
}

/// `GET /users/:id_or_username/keys` (anyone).
pub async fn list_user_keys(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let reference = req.match_info().get("id").unwrap_or_default().to_owned();
    let user = user_by_ref(&state, reference, caller.viewer()).await?;
    Ok(key_list(
        &state.db.run(move |conn| keys::keys_of(conn, user.id)).await?,
    ))
}

/// `GET /users/:id/keys/:key_id` (anyone).
pub async fn get_user_key(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let reference = req.match_info().get("id").unwrap_or_default().to_owned();
    let key_id = path_id(&req, "key_id", KEY)?;
    let user = user_by_ref(&state, reference, caller.viewer()).await?;
    let row = state
        .db
        .run(move |conn| keys::find_user_key(conn, user.id, key_id))
        .await?
        .ok_or(ApiError::NotFound(KEY))?;
    Ok(HttpResponse::Ok().json(views::key(&row, None)))
}

/// `POST /users/:id/keys` (admin).
pub async fn add_user_key(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
    input: Input<AddKey>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let user_id = path_id(&req, "id", USER)?;
    let row = keys_service::add(&state, Actor::of(&caller), user_id, input).await?;
    Ok(HttpResponse::Created().json(views::key(&row, None)))
}

/// `DELETE /users/:id/keys/:key_id` (admin).
pub async fn delete_user_key(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
) -> Result<HttpResponse, ApiError> {
    let user_id = path_id(&req, "id", USER)?;
    let key_id = path_id(&req, "key_id", KEY)?;
    match keys_service::remove(&state, Actor::of(&caller), user_id, key_id).await? {
        (false, _) => Err(ApiError::NotFound(USER)),
        (true, false) => Err(ApiError::NotFound(KEY)),
        (true, true) => Ok(HttpResponse::NoContent().finish()),
    }
}

fn with_user(state: &AppState, key: &KeyRow, user: &UserRow) -> HttpResponse {
    let user_view = views::user(
        user,
        ProfileView::Admin,
        &views::UserExtras::default(),
        &state.view_context(),
    );
    HttpResponse::Ok().json(views::key(key, Some(user_view)))
}

/// `GET /keys/:id` (admin): the key with its user.
pub async fn get_key(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", KEY)?;
    let (key, user) = state
        .db
        .run(move |conn| keys::find_key(conn, id))
        .await?
        .ok_or(ApiError::NotFound(KEY))?;
    Ok(with_user(&state, &key, &user))
}

/// `GET /keys?fingerprint=…` (admin): the unexpired key with that SHA-256 or
/// MD5 fingerprint, with its user.
pub async fn find_key_by_fingerprint(
    state: web::Data<AppState>,
    _: Admin,
    input: Input<KeyLookup>,
) -> Result<HttpResponse, ApiError> {
    let KeyLookup { fingerprint } = input.check()?;
    let (key, user) = state
        .db
        .run(move |conn| keys::find_by_fingerprint(conn, &fingerprint, now()))
        .await?
        .ok_or(ApiError::NotFound(KEY))?;
    Ok(with_user(&state, &key, &user))
}

/// `GET /:username.keys`: one `authorized_keys` line per key an SSH server may
/// accept now (unexpired, usable for authentication). Accounts that are not
/// active serve no keys; a private profile's keys need the owner's or an
/// admin's token.
pub async fn authorized_keys(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let username = req.match_info().get("username").unwrap_or_default().to_owned();
    let viewer = caller.viewer();
    let lines = state
        .db
        .run_api(move |conn| {
            let user = user_views::key_owner(conn, &username, &viewer)?;
            if UserState::from_stored(&user.state) != Some(UserState::Active) {
                return Ok(Vec::new());
            }
            keys::authorized_keys(conn, user.id, now()).map_err(|e: RepoError| e.into())
        })
        .await?;
    let body: String = lines.iter().map(|k| format!("{}\n", k.key)).collect();
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(body))
}

/// Registers the key routes inside `/api/v4`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/user/keys", GET => list_own_keys, POST => add_own_key);
    endpoint!(cfg, "/user/keys/{key_id}", GET => get_own_key, DELETE => delete_own_key);
    endpoint!(cfg, "/users/{id}/keys", GET => list_user_keys, POST => add_user_key);
    endpoint!(cfg, "/users/{id}/keys/{key_id}", GET => get_user_key, DELETE => delete_user_key);
    endpoint!(cfg, "/keys", GET => find_key_by_fingerprint);
    endpoint!(cfg, "/keys/{id}", GET => get_key);
}

/// Registers `/:username.keys` at the top level.
pub fn configure_top_level(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/{username}.keys", GET => authorized_keys);
}
