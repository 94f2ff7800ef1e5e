//! Personal access tokens.
use super::path_id;
use crate::endpoint;
use crate::http::auth::{Admin, Caller, TokenUsed};
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::inputs::queries::{ImpersonationTokenQuery, TokenListQuery, TokenState};
use crate::inputs::tokens::{CreateToken, RotateToken};
use crate::services::audit::Actor;
use crate::services::tokens::{self, Made};
use crate::state::AppState;
use crate::views;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_persistence::personal_tokens::{self, PatFilter, PatRow, Rotation};
use roster_persistence::today;

const TOKEN: &str = "Personal Access Token";

async fn create_for(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
    input: CreateToken,
) -> Result<HttpResponse, ApiError> {
    let (row, secret) = tokens::create(state, Actor::of(caller), user_id, input, Made::Personal).await?;
    Ok(HttpResponse::Created().json(views::pat(&row, today(), Some(secret.expose()))))
}

/// `POST /user/personal_access_tokens`.
pub async fn create_own_token(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<CreateToken>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    // A group's bot holds the one token its group gave it: another, of its
    // own making, would escape the group's control of it.
    if caller.user.bot_group_id.is_some() {
        return Err(ApiError::Forbidden(Some(
            "A group access token's bot cannot create tokens.".into(),
        )));
    }
    create_for(&state, &caller, caller.user.id, input).await
}

/// `POST /users/:id/personal_access_tokens` (admin).
pub async fn create_user_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
    input: Input<CreateToken>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let id = path_id(&req, "id", "User")?;
    create_for(&state, &caller, id, input).await
}

/// Lists the tokens `filter` names, a page of them.
async fn respond_with_tokens(
    req: &HttpRequest,
    state: &AppState,
    filter: PatFilter,
    page: crate::inputs::queries::Page,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging()?;
    let (page, per_page) = page.offset()?;
    let page = state
        .db
        .run(move |conn| personal_tokens::list_pats(conn, &filter, page, per_page))
        .await?;
    let today = today();
    Ok(crate::http::pagination::respond_rows(
        req,
        &state.public_url,
        paging,
        &page,
        |row| views::pat(row, today, None),
    ))
}

/// `GET /personal_access_tokens`: own tokens; admins see everyone's, or one
/// user's with `user_id`; GitLab's filters. Impersonation tokens are listed
/// at `/users/:id/impersonation_tokens` only.
pub async fn list_tokens(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Input<TokenListQuery>,
) -> Result<HttpResponse, ApiError> {
    let TokenListQuery { filter: f, page } = query.check()?;
    let owner = match (caller.user.is_admin, f.user_id) {
        (true, filter) => filter,
        (false, Some(id)) if id != caller.user.id => return Err(ApiError::Forbidden(None)),
        (false, _) => Some(caller.user.id),
    };
    let filter = PatFilter {
        user_id: owner,
        impersonation: false,
        active: f.state.map(|s| s == TokenState::active),
        today: Some(today()),
        revoked: f.revoked,
        created_after: f.created_after,
        created_before: f.created_before,
        last_used_after: f.last_used_after,
        last_used_before: f.last_used_before,
        search: f.search.filter(|s| !s.trim().is_empty()),
    };
    respond_with_tokens(&req, &state, filter, page).await
}

/// `GET /users/:id/impersonation_tokens` (admin): `state` `all`, `active`
/// or `inactive`.
pub async fn list_impersonation_tokens(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(_): Admin,
    query: Input<ImpersonationTokenQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", "User")?;
    let ImpersonationTokenQuery { state: wanted, page } = query.check()?;
    existing_user(&state, id).await?;
    let filter = PatFilter {
        user_id: Some(id),
        impersonation: true,
        active: wanted.map(|s| s == TokenState::active),
        today: Some(today()),
        ..PatFilter::default()
    };
    respond_with_tokens(&req, &state, filter, page).await
}

async fn existing_user(state: &AppState, id: i64) -> Result<(), ApiError> {
    state
        .db
        .run(move |conn| roster_persistence::users::find_user(conn, id))
        .await?
        .map(|_| ())
        .ok_or(ApiError::NotFound("User"))
}

/// `POST /users/:id/impersonation_tokens` (admin): a token that acts as the
/// user; every use is recorded with the admin who made it.
pub async fn create_impersonation_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
    input: Input<CreateToken>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let id = path_id(&req, "id", "User")?;
    let made = Made::Impersonation { by: caller.user.id };
    let (row, secret) = tokens::create(&state, Actor::of(&caller), id, input, made).await?;
    Ok(HttpResponse::Created().json(views::pat(&row, today(), Some(secret.expose()))))
}

/// A user's impersonation token named by the path.
async fn impersonation_token(req: &HttpRequest, state: &AppState) -> Result<PatRow, ApiError> {
    const IMPERSONATION_TOKEN: &str = "Impersonation Token";
    let user_id = path_id(req, "id", "User")?;
    let token_id = path_id(req, "token_id", IMPERSONATION_TOKEN)?;
    existing_user(state, user_id).await?;
    state
        .db
        .run(move |conn| personal_tokens::find_pat(conn, token_id))
        .await?
        .filter(|row| row.impersonation && row.user_id == user_id)
        .ok_or(ApiError::NotFound(IMPERSONATION_TOKEN))
}

/// `GET /users/:id/impersonation_tokens/:token_id` (admin).
pub async fn get_impersonation_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(_): Admin,
) -> Result<HttpResponse, ApiError> {
    let row = impersonation_token(&req, &state).await?;
    Ok(HttpResponse::Ok().json(views::pat(&row, today(), None)))
}

/// `DELETE /users/:id/impersonation_tokens/:token_id` (admin): revokes it.
pub async fn revoke_impersonation_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
) -> Result<HttpResponse, ApiError> {
    let row = impersonation_token(&req, &state).await?;
    tokens::revoke(&state, Actor::of(&caller), &row).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The token `:id` names (or the one in use, for `self`), if the caller may see it.
async fn visible_token(req: &HttpRequest, state: &AppState, caller: &Caller) -> Result<PatRow, ApiError> {
    let id = match req.match_info().get("id") {
        Some("self") => match caller.token {
            TokenUsed::Personal(id) => id,
            TokenUsed::OAuth { .. } | TokenUsed::Session(_) => return Err(ApiError::NotFound(TOKEN)),
        },
        _ => path_id(req, "id", TOKEN)?,
    };
    let row = state
        .db
        .run(move |conn| personal_tokens::find_pat(conn, id))
        .await?
        // Impersonation tokens have routes of their own, for admins.
        .filter(|row| !row.impersonation)
        .ok_or(ApiError::NotFound(TOKEN))?;
    if row.user_id != caller.user.id && !caller.user.is_admin {
        return Err(ApiError::NotFound(TOKEN));
    }
    Ok(row)
}

/// `GET /personal_access_tokens/:id` and `/self`.
pub async fn get_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let row = visible_token(&req, &state, &caller).await?;
    Ok(HttpResponse::Ok().json(views::pat(&row, today(), None)))
}

/// `DELETE /personal_access_tokens/:id` and `/self`.
pub async fn revoke_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let row = visible_token(&req, &state, &caller).await?;
    tokens::revoke(&state, Actor::of(&caller), &row).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /personal_access_tokens/:id/rotate` and `/self/rotate`.
pub async fn rotate_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<RotateToken>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let today = today();
    let expires = input.expires_at;
    let row = visible_token(&req, &state, &caller).await?;
    let id = row.id;
    let (outcome, secret) = tokens::rotate(&state, Actor::of(&caller), &row, expires).await?;
    match outcome {
        Rotation::Rotated(new) => Ok(HttpResponse::Ok().json(views::pat(&new, today, Some(secret.expose())))),
        Rotation::ReuseDetected => {
            log::warn!("revoked personal access token {id} was rotated; its chain is revoked");
            Err(ApiError::BadRequest(
                "the token was revoked; every token rotated from it is now revoked too".into(),
            ))
        }
        Rotation::Missing => Err(ApiError::NotFound(TOKEN)),
    }
}

/// Registers the token routes (inside `/api/v4`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/personal_access_tokens", GET => list_tokens);
    endpoint!(cfg, "/personal_access_tokens/{id}", GET => get_token, DELETE => revoke_token);
    endpoint!(cfg, "/personal_access_tokens/{id}/rotate", POST => rotate_token);
    endpoint!(cfg, "/user/personal_access_tokens", POST => create_own_token);
    endpoint!(cfg, "/users/{id}/personal_access_tokens", POST => create_user_token);
    endpoint!(cfg, "/users/{id}/impersonation_tokens", GET => list_impersonation_tokens, POST => create_impersonation_token);
    endpoint!(cfg, "/users/{id}/impersonation_tokens/{token_id}", GET => get_impersonation_token, DELETE => revoke_impersonation_token);
}
