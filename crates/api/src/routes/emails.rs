//! E-mail addresses: the user's own and, for admins, anyone's; confirmation.
use super::path_id;
use crate::endpoint;
use crate::http::auth::{Admin, Caller};
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::inputs::account::EmailRequest;
use crate::inputs::emails::AdminEmailRequest;
use crate::services::links;
use crate::state::AppState;
use crate::views;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_domain::EmailAddress;
use roster_persistence::emails::{self, EmailDeletion};
use roster_persistence::{users, RepoError, Taken};

const EMAIL: &str = "Email";
const USER: &str = "User";

/// Adds `email` for `user_id`; unconfirmed unless `confirmed`, in which case
/// no mail is sent. A taken address is GitLab's 400 field error.
async fn add_email_for(
    state: &AppState,
    user_id: i64,
    email: EmailAddress,
    skip: bool,
) -> Result<HttpResponse, ApiError> {
    let pending = (!skip).then(|| links::confirmation(state, email.as_str()));
    let row = state
        .db
        .run_api(move |conn| {
            users::find_user(conn, user_id)?.ok_or(ApiError::NotFound(USER))?;
            emails::add_email(conn, user_id, email.as_str(), pending.as_ref()).map_err(|e| match e {
                RepoError::Taken(Taken::Email) => ApiError::field("email", "has already been taken"),
                other => other.into(),
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(views::email(&row)))
}

async fn list_for(state: &AppState, user_id: i64) -> Result<HttpResponse, ApiError> {
    let rows = state
        .db
        .run_api(move |conn| {
            users::find_user(conn, user_id)?.ok_or(ApiError::NotFound(USER))?;
            Ok(emails::secondary_emails(conn, user_id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(views::email).collect::<Vec<_>>()))
}

/// `GET /user/emails`.
pub async fn list_own_emails(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    list_for(&state, caller.user.id).await
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
    let limit = state.settings.rate_limits.email_add_account;
    crate::rate_limit::check(
        &state,
        vec![(format!("email_add:account:{}", caller.user.id), limit)],
    )
    .await?;
    add_email_for(&state, caller.user.id, input.email, false).await
}

/// `DELETE /user/emails/:id`: idempotent (204 whether or not it existed), as
/// the seed describes; the primary address cannot be deleted (403).
pub async fn delete_own_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let email_id = path_id(&req, "email_id", EMAIL)?;
    let user_id = caller.user.id;
    match state
        .db
        .run(move |conn| emails::delete_email(conn, user_id, email_id))
        .await?
    {
        EmailDeletion::Deleted | EmailDeletion::Missing => Ok(HttpResponse::NoContent().finish()),
        EmailDeletion::Primary => Err(primary_refused()),
    }
}

fn primary_refused() -> ApiError {
    ApiError::Forbidden(Some(
        "The primary address cannot be deleted; change it instead.".into(),
    ))
}

/// `GET /users/:id/emails` (admin).
pub async fn list_user_emails(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Admin,
) -> Result<HttpResponse, ApiError> {
    list_for(&state, path_id(&req, "id", USER)?).await
}

/// `POST /users/:id/emails` (admin; may `skip_confirmation`).
pub async fn add_user_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Admin,
    input: Input<AdminEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    add_email_for(
        &state,
        path_id(&req, "id", USER)?,
        input.email,
        input.skip_confirmation,
    )
    .await
}

/// `DELETE /users/:id/emails/:email_id` (admin): 404 when absent.
pub async fn delete_user_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Admin,
) -> Result<HttpResponse, ApiError> {
    let user_id = path_id(&req, "id", USER)?;
    let email_id = path_id(&req, "email_id", EMAIL)?;
    let outcome = state
        .db
        .run_api(move |conn| {
            users::find_user(conn, user_id)?.ok_or(ApiError::NotFound(USER))?;
            Ok(emails::delete_email(conn, user_id, email_id)?)
        })
        .await?;
    match outcome {
        EmailDeletion::Deleted => Ok(HttpResponse::NoContent().finish()),
        EmailDeletion::Missing => Err(ApiError::NotFound(EMAIL)),
        EmailDeletion::Primary => Err(primary_refused()),
    }
}

/// Registers the e-mail routes inside `/api/v4`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/user/emails", GET => list_own_emails, POST => add_own_email);
    endpoint!(cfg, "/user/emails/{email_id}", GET => get_own_email, DELETE => delete_own_email);
    endpoint!(cfg, "/users/{id}/emails", GET => list_user_emails, POST => add_user_email);
    endpoint!(cfg, "/users/{id}/emails/{email_id}", DELETE => delete_user_email);
}
