//! The device grant (RFC 8628): `POST /oauth/authorize_device` for the
//! device, `/oauth/device` for the person who answers it in a browser.
use crate::endpoint;
use crate::http::browser::{Browser, PageError};
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::inputs::browser::DeviceForm;
use crate::inputs::oauth::DeviceAuthorizationRequest;
use crate::rate_limit::client_address;
use crate::routes::sign_in::{failure, message, submitted};
use crate::services::authorization::describe;
use crate::services::{clients, device};
use crate::state::AppState;
use crate::views::pages::{render, ConsentPage, DevicePage};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_domain::{AppScopes, UserCode};

/// `POST /oauth/authorize_device`: a confidential client authenticates, a
/// public one names itself (RFC 8628 §3.1).
pub async fn authorize_device(
    req: HttpRequest,
    state: web::Data<AppState>,
    input: Input<DeviceAuthorizationRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let credentials =
        clients::presented(&req, input.client_id, input.client_secret)?.ok_or_else(|| ApiError::OAuth {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "The request must name the application (client_id).".into(),
        })?;
    let app = clients::authenticate(&state, credentials).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(device::start(&state, app, input.scope).await?))
}

fn code_page(browser: &Browser, status: StatusCode, error: Option<String>, code: String) -> HttpResponse {
    let username = browser.user().map(|u| u.username.clone()).unwrap_or_default();
    browser.page(
        status,
        render(&DevicePage {
            title: "Connect a device",
            error,
            username,
            user_code: code,
            authenticity_token: browser.authenticity_token(),
        }),
    )
}

fn to_sign_in(browser: &Browser, code: Option<&str>) -> HttpResponse {
    let back = match code {
        Some(code) => format!("/oauth/device?user_code={code}"),
        None => "/oauth/device".to_owned(),
    };
    let next: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
    browser.redirect(&format!("/-/sign_in?return_to={next}"))
}

/// `GET /oauth/device`: enter the code (filled in from
/// `verification_uri_complete`).
pub async fn device_page(browser: Browser, input: Input<DeviceForm>) -> HttpResponse {
    let code = input
        .check()
        .ok()
        .and_then(|f| f.user_code)
        .and_then(|c| UserCode::parse(&c))
        .map(|c| c.as_str().to_owned());
    if browser.user().is_none() {
        return to_sign_in(&browser, code.as_deref());
    }
    code_page(&browser, StatusCode::OK, None, code.unwrap_or_default())
}

/// `POST /oauth/device`: first the code (answered with what the device
/// asks for), then the person's decision.
pub async fn device_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    browser: Browser,
    input: Input<DeviceForm>,
) -> HttpResponse {
    let form = match submitted(&browser, input, |f| f.authenticity_token.as_deref()) {
        Ok(form) => form,
        Err(page) => return *page,
    };
    let Some((user, auth_time)) = browser
        .user()
        .cloned()
        .zip(browser.signed_in.as_ref().map(|s| s.session.authenticated_at))
    else {
        return to_sign_in(&browser, form.user_code.as_deref());
    };
    // A user code is short: guesses are limited as sign-ins are (RFC 8628 §5.1).
    let ip = client_address(&req, state.settings.trust_proxy);
    let rl = &state.settings.rate_limits;
    let limited = crate::rate_limit::check(
        &state,
        vec![
            (format!("device:ip:{ip}"), rl.signin_ip),
            (format!("device:user:{}", user.id), rl.signin_account),
        ],
    )
    .await;
    if let Err(e) = limited {
        return failure(&browser, e.into());
    }
    let typed = form.user_code.clone().unwrap_or_default();
    let Some(code) = UserCode::parse(&typed) else {
        let error = Some("That is not a code: it has eight letters, like BCDF-GHJK.".into());
        return code_page(&browser, StatusCode::BAD_REQUEST, error, typed);
    };
    let found = match device::pending(&state, code.clone()).await {
        Ok(found) => found,
        Err(e) => return failure(&browser, e.into()),
    };
    let Some((row, app)) = found else {
        let error = Some("This code is wrong, was used already, or has expired.".into());
        return code_page(&browser, StatusCode::BAD_REQUEST, error, typed);
    };
    let approved = match form.decision.as_deref() {
        None => {
            let scopes = AppScopes::parse_joined(&row.scopes)
                .map(|s| s.iter().map(|s| (s.as_str(), describe(s))).collect())
                .unwrap_or_default();
            return browser.page(
                StatusCode::OK,
                render(&ConsentPage {
                    title: "Connect a device",
                    application: app.name,
                    username: user.username,
                    scopes,
                    action: "/oauth/device",
                    fields: vec![("user_code", code.as_str().to_owned())],
                    authenticity_token: browser.authenticity_token(),
                }),
            );
        }
        Some("allow") => true,
        Some("deny") => false,
        Some(_) => {
            return failure(
                &browser,
                PageError::new(StatusCode::BAD_REQUEST, "Choose Allow or Deny."),
            )
        }
    };
    match device::answer(&state, row, user.id, approved, auth_time, ip).await {
        Ok(true) if approved => message(
            &browser,
            StatusCode::OK,
            "Device connected",
            format!(
                "{} can now use your account. You can return to your device.",
                app.name
            ),
            None,
        ),
        Ok(true) => message(
            &browser,
            StatusCode::OK,
            "Device refused",
            format!("{} was not given access.", app.name),
            None,
        ),
        Ok(false) => code_page(
            &browser,
            StatusCode::BAD_REQUEST,
            Some("This code was answered already or has expired.".into()),
            typed,
        ),
        Err(e) => failure(&browser, e.into()),
    }
}

/// Registers the device grant's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/oauth/authorize_device", POST => authorize_device);
    endpoint!(cfg, "/oauth/device", GET => device_page, POST => device_submit);
}
