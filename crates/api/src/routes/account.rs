//! The account life cycle: sign-up, confirmation, own profile, password
//! change and reset, self-deletion.
use crate::endpoint;
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::inputs::account::{
    ChangePassword, Confirmation, CurrentPassword, EmailRequest, Registration, ResetComplete,
    UpdateOwnProfile,
};
use crate::rate_limit::{self, client_address};
use crate::routes::users::current_user;
use crate::services::accounts;
use crate::state::AppState;
use crate::views;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_domain::EmailAddress;

/// `POST /registrations`.
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    input: Input<Registration>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let ip = client_address(&req, state.settings.trust_proxy);
    rate_limit::check(
        &state,
        vec![(format!("signup:ip:{ip}"), state.settings.rate_limits.signup_ip)],
    )
    .await?;
    let shown = accounts::register(&state, input).await?;
    Ok(HttpResponse::Created().json(shown.render(&state)))
}

/// `POST /confirmations`.
pub async fn confirm(
    state: web::Data<AppState>,
    input: Input<Confirmation>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    match accounts::confirm(&state, &input.confirmation_token).await? {
        Some(user) => Ok(HttpResponse::Ok().json(views::basic(&user, &state.view_context()))),
        None => Err(ApiError::field("confirmation_token", "is invalid or has expired")),
    }
}

/// Counts a request that names an e-mail address against the limits per
/// client address and per e-mail address.
pub async fn limit_by_address(
    req: &HttpRequest,
    state: &AppState,
    email: &EmailAddress,
    kind: &str,
    per_ip: Option<crate::limits::Limit>,
    per_address: Option<crate::limits::Limit>,
) -> Result<(), ApiError> {
    let ip = client_address(req, state.settings.trust_proxy);
    rate_limit::check(
        state,
        vec![
            (format!("{kind}:ip:{ip}"), per_ip),
            (format!("{kind}:address:{email}"), per_address),
        ],
    )
    .await
}

/// `POST /confirmations/resend`: always 202.
pub async fn resend_confirmation(
    req: HttpRequest,
    state: web::Data<AppState>,
    input: Input<EmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let rl = &state.settings.rate_limits;
    limit_by_address(
        &req,
        &state,
        &input.email,
        "resend",
        rl.resend_ip,
        rl.resend_address,
    )
    .await?;
    accounts::resend_confirmation(state, input.email)?;
    Ok(HttpResponse::Accepted().json(views::Message {
        message: "If the address is waiting for confirmation, a new link has been sent.",
    }))
}

/// `PUT`/`PATCH /user`.
pub async fn update_own_profile(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<UpdateOwnProfile>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let shown = accounts::update_profile(&state, &caller, input).await?;
    Ok(HttpResponse::Ok().json(shown.render(&state)))
}

/// `DELETE /user`.
pub async fn delete_own_account(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<CurrentPassword>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    accounts::delete_self(&state, &caller, input).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `PUT /user/password`.
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    accounts::change_password(&state, &caller, input).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /password/reset`: always the same 202.
pub async fn request_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    input: Input<EmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let rl = &state.settings.rate_limits;
    limit_by_address(&req, &state, &input.email, "reset", rl.reset_ip, rl.reset_address).await?;
    accounts::request_reset(state, input.email)?;
    Ok(HttpResponse::Accepted().json(views::Message {
        message: accounts::RESET_REQUESTED,
    }))
}

/// `POST /password/reset/complete`.
pub async fn complete_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    input: Input<ResetComplete>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let ip = client_address(&req, state.settings.trust_proxy);
    accounts::complete_reset(&state, input, Some(&ip)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers the life-cycle routes inside `/api/v4`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/registrations", POST => register);
    endpoint!(cfg, "/confirmations", POST => confirm);
    endpoint!(cfg, "/confirmations/resend", POST => resend_confirmation);
    endpoint!(cfg, "/user", GET => current_user, PUT => update_own_profile, PATCH => update_own_profile, DELETE => delete_own_account);
    endpoint!(cfg, "/user/password", PUT => change_password);
    endpoint!(cfg, "/password/reset", POST => request_reset);
    endpoint!(cfg, "/password/reset/complete", POST => complete_reset);
}
