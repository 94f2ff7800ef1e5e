//! Privacy settings, follows, preferences and avatars.
use super::path_id;
use crate::endpoint;
use crate::http::auth::{Caller, MaybeCaller};
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::http::pagination;
use crate::http::params::MAX_UPLOAD_BODY_BYTES;
use crate::inputs::avatar::NewAvatar;
use crate::inputs::queries::PageQuery;
use crate::inputs::social::{Preferences, Privacy};
use crate::services::{avatars, privacy, user_views};
use crate::state::AppState;
use crate::views;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_domain::{UserState, Viewer};
use roster_persistence::users;
use serde_json::{json, Value};

const USER: &str = "User";

/// `GET /avatar?email=…` (GitLab's): `{"avatar_url": …}` for the user whose
/// public e-mail address it is, unless their profile is private or they
/// cannot sign in; `{"avatar_url": null}` otherwise (Roster asks no
/// outside service such as Gravatar).
pub async fn avatar_by_email(
    state: web::Data<AppState>,
    input: Input<crate::inputs::queries::AvatarQuery>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let email = input.email;
    let user = state
        .db
        .run(move |conn| users::find_by_public_email(conn, &email))
        .await?;
    let url = user
        .filter(|u| !u.private_profile && UserState::from_stored(&u.state) == Some(UserState::Active))
        .and_then(|u| u.avatar)
        .map(|name| avatars::url(&state.public_url, &name));
    Ok(HttpResponse::Ok().json(json!({ "avatar_url": url })))
}

/// `GET /user/privacy`.
pub async fn get_privacy(caller: Caller) -> HttpResponse {
    HttpResponse::Ok().json(privacy::privacy_json(&caller.user))
}

/// `PUT /user/privacy`.
pub async fn update_privacy(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<Privacy>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let user = privacy::update_privacy(&state, caller.user.id, input).await?;
    Ok(HttpResponse::Ok().json(privacy::privacy_json(&user)))
}

async fn follow_change(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    follow: bool,
) -> Result<HttpResponse, ApiError> {
    let target = path_id(&req, "id", USER)?;
    let me = caller.user.id;
    if follow && target == me {
        return Err(ApiError::BadRequest("You cannot follow yourself.".into()));
    }
    let outcome = state
        .db
        .run_api(move |conn| {
            let user = users::find_user(conn, target)?.ok_or(ApiError::NotFound(USER))?;
            if follow && UserState::from_stored(&user.state).is_some_and(UserState::is_blocked) {
                return Err(ApiError::NotFound(USER));
            }
            let changed = if follow {
                roster_persistence::follows::follow(conn, me, target)?
            } else {
                roster_persistence::follows::unfollow(conn, me, target)?
            };
            Ok((user, changed))
        })
        .await?;
    match outcome {
        (user, true) => Ok(HttpResponse::Created().json(views::basic(&user, &state.view_context()))),
        (_, false) => Ok(HttpResponse::NotModified().finish()),
    }
}

/// `POST /users/:id/follow`: 201 with the followed user, 304 when already following.
pub async fn follow(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    follow_change(req, state, caller, true).await
}

/// `POST /users/:id/unfollow`: 201 with the user, 304 when not following.
pub async fn unfollow(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    follow_change(req, state, caller, false).await
}

async fn follow_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    query: Input<PageQuery>,
    side: roster_persistence::follows::FollowSide,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", USER)?;
    let PageQuery(page) = query.check()?;
    let paging = page.paging()?;
    let (page, per_page) = page.offset()?;
    let page = state
        .db
        .run_api(move |conn| {
            let user = users::find_user(conn, id)?.ok_or(ApiError::NotFound(USER))?;
            if !viewer.sees_follows(id, &user_views::privacy_of(&user)) {
                return Err(ApiError::Forbidden(Some(
                    "This user's connections are private.".into(),
                )));
            }
            Ok(roster_persistence::follows::follow_list(
                conn, id, side, page, per_page,
            )?)
        })
        .await?;
    let ctx = state.view_context();
    Ok(pagination::respond_rows(
        &req,
        &state.public_url,
        paging,
        &page,
        |u| views::basic(u, &ctx),
    ))
}

/// `GET /users/:id/followers`.
pub async fn followers(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    query: Input<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    follow_list(
        req,
        state,
        caller.viewer(),
        query,
        roster_persistence::follows::FollowSide::Followers,
    )
    .await
}

/// `GET /users/:id/following`.
pub async fn following(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    query: Input<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    follow_list(
        req,
        state,
        caller.viewer(),
        query,
        roster_persistence::follows::FollowSide::Following,
    )
    .await
}

/// `GET /user/preferences`: the stored object, `{}` when none.
pub async fn get_preferences(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let id = caller.user.id;
    let stored = state
        .db
        .run(move |conn| roster_persistence::preferences::preferences(conn, id))
        .await?;
    let value: Value = stored
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| json!({}));
    Ok(HttpResponse::Ok().json(value))
}

/// `PUT /user/preferences`: replaces the object with the request's JSON
/// object (or its `preferences` member), at most 16 KiB.
pub async fn put_preferences(
    state: web::Data<AppState>,
    caller: Caller,
    // Its problems wait for the caller's (see `Input`).
    preferences: Result<Preferences, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let preferences = preferences?;
    let object = serde_json::Value::Object(preferences.0);
    let text = object.to_string();
    let id = caller.user.id;
    state
        .db
        .run(move |conn| roster_persistence::preferences::set_preferences(conn, id, &text))
        .await?;
    Ok(HttpResponse::Ok().json(object))
}

/// `PUT /user/avatar`: multipart `avatar`, or `avatar_base64` (a data URL or bare base64).
pub async fn put_avatar(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<NewAvatar>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let name = avatars::store_for(&state, caller.user.id, input.upload).await?;
    Ok(HttpResponse::Ok().json(views::AvatarUrl {
        avatar_url: avatars::url(&state.public_url, &name),
    }))
}

/// `DELETE /user/avatar`.
pub async fn delete_avatar(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    avatars::remove(&state, caller.user.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /uploads/avatars/:name`: the image, cacheable for a year (its name
/// is its content hash), with `ETag` and `304` for `If-None-Match`.
pub async fn serve_avatar(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let name = req.match_info().get("name").unwrap_or_default().to_owned();
    let etag = format!("\"{}\"", name.split('.').next().unwrap_or_default());
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let lookup = name.clone();
    let found = state
        .db
        .run(move |conn| roster_persistence::avatars::avatar(conn, &lookup))
        .await?;
    let Some((content_type, bytes)) = found else {
        return Err(ApiError::NotFound("Avatar"));
    };
    let mut response = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header(("X-Content-Type-Options", "nosniff"));
    if matches {
        return Ok(response.finish());
    }
    Ok(response.content_type(content_type).body(bytes))
}

/// Registers the social routes inside `/api/v4`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/avatar", GET => avatar_by_email);
    endpoint!(cfg, "/user/privacy", GET => get_privacy, PUT => update_privacy);
    endpoint!(cfg, "/user/preferences", GET => get_preferences, PUT => put_preferences);
    endpoint!(cfg, "/user/avatar", body_limit = MAX_UPLOAD_BODY_BYTES; PUT => put_avatar, DELETE => delete_avatar);
    endpoint!(cfg, "/users/{id}/follow", POST => follow);
    endpoint!(cfg, "/users/{id}/unfollow", POST => unfollow);
    endpoint!(cfg, "/users/{id}/followers", GET => followers);
    endpoint!(cfg, "/users/{id}/following", GET => following);
}

/// Registers `/uploads/avatars/:name` at the top level.
pub fn configure_top_level(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/uploads/avatars/{name}", GET => serve_avatar);
}
