//! `/applications`: OAuth applications, as GitLab's API (admins).
use super::path_id;
use crate::endpoint;
use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::inputs::applications::CreateApplication;
use crate::services::applications as service;
use crate::services::audit::Actor;
use crate::state::AppState;
use crate::views::applications::application;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_persistence::applications::list_applications;

const APPLICATION: &str = "Application";

/// `POST /applications`: `201` with the secret, shown this once.
pub async fn create(
    state: web::Data<AppState>,
    Admin(caller): Admin,
    input: Input<CreateApplication>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let (row, secret) = service::create(&state, Actor::of(&caller), input).await?;
    Ok(HttpResponse::Created().json(application(&row, Some(&secret))))
}

/// `GET /applications`.
pub async fn list(state: web::Data<AppState>, _: Admin) -> Result<HttpResponse, ApiError> {
    let rows = state.db.run(list_applications).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(|r| application(r, None)).collect::<Vec<_>>()))
}

/// `DELETE /applications/:id`: `204`; its tokens are revoked with it.
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", APPLICATION)?;
    service::delete(&state, Actor::of(&caller), id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /applications/:id/renew-secret`: `201` with the new secret.
pub async fn renew_secret(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", APPLICATION)?;
    let (row, secret) = service::renew_secret(&state, Actor::of(&caller), id).await?;
    Ok(HttpResponse::Created().json(application(&row, Some(&secret))))
}

/// Registers the application routes (inside `/api/v4`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/applications", GET => list, POST => create);
    endpoint!(cfg, "/applications/{id}", DELETE => delete);
    endpoint!(cfg, "/applications/{id}/renew-secret", POST => renew_secret);
}
