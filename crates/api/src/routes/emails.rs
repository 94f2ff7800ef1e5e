//! E-mail addresses: the user's own and, for admins, anyone's; confirmation.
use super::path_id;
use crate::endpoint;
use crate::http::auth::{Admin, Caller};
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::inputs::account::EmailRequest;
use crate::inputs::emails::AdminEmailRequest;
use crate::services::emails as emails_service;
use crate::state::AppState;
use crate::views;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_persistence::emails::{self, EmailDeletion, EmailRow};

const EMAIL: &str = "Email";
const USER: &str = "User";

fn created(row: &EmailRow) -> HttpResponse {
    HttpResponse::Created().json(views::email(row))
}

fn listed(rows: &[EmailRow]) -> HttpResponse {
    HttpResponse::Ok().json(rows.iter().map(views::email).collect::<Vec<_>>())
}

/// `GET /user/emails`.
pub async fn list_own_emails(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(listed(&emails_service::list(&state, caller.user.id).await?))
}

/// `GET /user/emails/:id`.
pub async fn get_own_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let email_id = path_id(&req, "email_id", EMAIL)?;
    let user_id = caller.user.id;
    let row = state
        .db
        .run(move |conn| emails::find_email(conn, user_id, email_id))
        .await?
        .ok_or(ApiError::NotFound(EMAIL))?;
    Ok(HttpResponse::Ok().json(views::email(&row)))
}

/// `POST /user/emails`.
pub async fn add_own_email(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<EmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    Ok(created(
        &emails_service::add_own(&state, caller.user.id, input.email).await?,
    ))
}

/// `DELETE /user/emails/:id`: idempotent (204 whether or not it existed), as
/// the seed describes; the primary address cannot be deleted (403).
pub async fn delete_own_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let email_id = path_id(&req, "email_id", EMAIL)?;
    emails_service::remove(&state, caller.user.id, email_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /users/:id/emails` (admin).
pub async fn list_user_emails(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Admin,
) -> Result<HttpResponse, ApiError> {
    Ok(listed(
        &emails_service::list(&state, path_id(&req, "id", USER)?).await?,
    ))
}

/// `POST /users/:id/emails` (admin; may `skip_confirmation`).
pub async fn add_user_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Admin,
    input: Input<AdminEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let user_id = path_id(&req, "id", USER)?;
    Ok(created(
        &emails_service::add(&state, user_id, input.email, input.skip_confirmation).await?,
    ))
}

/// `DELETE /users/:id/emails/:email_id` (admin): 404 when absent.
pub async fn delete_user_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Admin,
) -> Result<HttpResponse, ApiError> {
    let user_id = path_id(&req, "id", USER)?;
    let email_id = path_id(&req, "email_id", EMAIL)?;
    match emails_service::remove(&state, user_id, email_id).await? {
        EmailDeletion::Missing => Err(ApiError::NotFound(EMAIL)),
        EmailDeletion::Deleted | EmailDeletion::Primary => Ok(HttpResponse::NoContent().finish()),
    }
}

/// Registers the e-mail routes inside `/api/v4`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/user/emails", GET => list_own_emails, POST => add_own_email);
    endpoint!(cfg, "/user/emails/{email_id}", GET => get_own_email, DELETE => delete_own_email);
    endpoint!(cfg, "/users/{id}/emails", GET => list_user_emails, POST => add_user_email);
    endpoint!(cfg, "/users/{id}/emails/{email_id}", DELETE => delete_user_email);
}
