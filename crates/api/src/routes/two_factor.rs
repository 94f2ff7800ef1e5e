//! `/user/two_factor` and `/users/:id/disable_two_factor` (§11).
use crate::endpoint;
use crate::http::auth::{Admin, Caller};
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::inputs::two_factor::{DisableTwoFactor, RecoveryCodesRequest, TotpConfirmation, TotpEnrolment};
use crate::routes::path_id;
use crate::services::two_factor;
use crate::state::AppState;
use crate::views::two_factor::{RecoveryCodesView, TotpEnrolmentView};
use actix_web::{web, HttpRequest, HttpResponse};
use roster_domain::RecoveryCode;

fn codes(codes: Vec<RecoveryCode>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(RecoveryCodesView {
            recovery_codes: codes.iter().map(|c| c.expose().to_owned()).collect(),
        })
}

/// `POST /user/two_factor/totp`: a new seed, active once confirmed.
pub async fn begin_totp(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<TotpEnrolment>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let enrolment = two_factor::begin_totp(&state, &caller, input.current_password).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(TotpEnrolmentView {
            secret: enrolment.secret,
            otpauth_uri: enrolment.otpauth_uri,
        }))
}

/// `POST /user/two_factor/totp/confirm`: the first code; the recovery codes.
pub async fn confirm_totp(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<TotpConfirmation>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    Ok(codes(two_factor::confirm_totp(&state, &caller, input.otp).await?))
}

/// `POST /user/two_factor/recovery_codes`: new recovery codes.
pub async fn regenerate_codes(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<RecoveryCodesRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let made =
        two_factor::regenerate_recovery_codes(&state, &caller, input.current_password, input.otp).await?;
    Ok(codes(made))
}

/// `DELETE /user/two_factor`: every factor goes.
pub async fn disable(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<DisableTwoFactor>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    two_factor::disable(&state, &caller, input.current_password, input.otp).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `PATCH /users/:id/disable_two_factor` (admin).
pub async fn disable_for_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", "User")?;
    two_factor::disable_for(&state, &caller, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers the two-factor routes (inside `/api/v4`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/user/two_factor/totp", POST => begin_totp);
    endpoint!(cfg, "/user/two_factor/totp/confirm", POST => confirm_totp);
    endpoint!(cfg, "/user/two_factor/recovery_codes", POST => regenerate_codes);
    endpoint!(cfg, "/user/two_factor", DELETE => disable);
    endpoint!(cfg, "/users/{id}/disable_two_factor", PATCH => disable_for_user);
}
