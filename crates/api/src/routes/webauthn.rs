//! `/user/webauthn/registrations` (§11): a user's WebAuthn credentials.
use crate::endpoint;
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::inputs::account::CurrentPassword;
use crate::inputs::two_factor::WebauthnRegistration;
use crate::routes::path_id;
use crate::services::webauthn;
use crate::state::AppState;
use crate::views::two_factor::webauthn_registration;
use actix_web::{web, HttpRequest, HttpResponse};

/// `POST /user/webauthn/registrations/options`: `{"publicKey": …}`.
pub async fn options(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let options = webauthn::registration_options(&state, &caller).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(options))
}

/// `POST /user/webauthn/registrations`: `201` with the stored credential.
pub async fn register(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<WebauthnRegistration>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let row = webauthn::register(&state, &caller, input.name, input.credential).await?;
    Ok(HttpResponse::Created().json(webauthn_registration(&row)))
}

/// `GET /user/webauthn/registrations`.
pub async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let rows = webauthn::list(&state, &caller).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(webauthn_registration).collect::<Vec<_>>()))
}

/// `DELETE /user/webauthn/registrations/:id`, with `current_password`.
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<CurrentPassword>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", "WebAuthn Registration")?;
    let input = input.check()?;
    webauthn::delete(&state, &caller, id, input.current_password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers the WebAuthn routes (inside `/api/v4`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/user/webauthn/registrations/options", POST => options);
    endpoint!(cfg, "/user/webauthn/registrations", GET => list, POST => register);
    endpoint!(cfg, "/user/webauthn/registrations/{id}", DELETE => delete);
}
