//! Personal access tokens.
use super::path_id;
use crate::endpoint;
use crate::http::auth::{Admin, Caller, TokenUsed};
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::inputs::queries::TokenListQuery;
use crate::inputs::tokens::{CreateToken, RotateToken};
use crate::services::audit::Actor;
use crate::services::tokens;
use crate::state::AppState;
use crate::views;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_persistence::personal_tokens::{self, PatRow, Rotation};
use roster_persistence::today;

const TOKEN: &str = "Personal Access Token";

async fn create_for(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
    input: CreateToken,
) -> Result<HttpResponse, ApiError> {
    let (row, secret) = tokens::create(state, Actor::of(caller), user_id, input).await?;
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

/// `GET /personal_access_tokens`: own tokens; admins see everyone's, or one
/// user's with `user_id`.
pub async fn list_tokens(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Input<TokenListQuery>,
) -> Result<HttpResponse, ApiError> {
    let TokenListQuery { user_id, page } = query.check()?;
    let owner = match (caller.user.is_admin, user_id) {
        (true, filter) => filter,
        (false, Some(id)) if id != caller.user.id => return Err(ApiError::Forbidden(None)),
        (false, _) => Some(caller.user.id),
    };
    let paging = page.paging()?;
    let (page, per_page) = page.offset()?;
    let page = state
        .db
        .run(move |conn| personal_tokens::list_pats(conn, owner, page, per_page))
        .await?;
    let today = today();
    let body = page
        .items
        .iter()
        .map(|row| serde_json::to_value(views::pat(row, today, None)).unwrap_or_default())
        .collect();
    Ok(crate::http::pagination::respond(
        &req,
        &state.public_url,
        paging,
        &page,
        None,
        body,
    ))
}

/// The token `:id` names (or the one in use, for `self`), if the caller may see it.
async fn visible_token(req: &HttpRequest, state: &AppState, caller: &Caller) -> Result<PatRow, ApiError> {
    let id = match req.match_info().get("id") {
        Some("self") => match caller.token {
            TokenUsed::Personal(id) => id,
            TokenUsed::OAuth { .. } => return Err(ApiError::NotFound(TOKEN)),
        },
        _ => path_id(req, "id", TOKEN)?,
    };
    let row = state
        .db
        .run(move |conn| personal_tokens::find_pat(conn, id))
        .await?
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
}
