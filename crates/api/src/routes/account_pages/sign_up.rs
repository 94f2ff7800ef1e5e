//! `/-/sign_up` and `/-/reset-password/new`: the pages before an account
//! can sign in.
use crate::http::browser::Browser;
use crate::http::error::ApiError;
use crate::http::input::parse;
use crate::http::page::{checked_form, form_status, FormState, PageResult};
use crate::http::params::Params;
use crate::inputs::account::{EmailRequest, Registration};
use crate::rate_limit::{self, client_address};
use crate::routes::account::limit_by_address;
use crate::routes::sign_in::message;
use crate::services::accounts;
use crate::settings::EmailConfirmation;
use crate::state::AppState;
use crate::views::account_pages::{ResetRequestPage, SignUpPage};
use crate::views::pages::render;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use roster_domain::UserState;

const SIGN_UP_FIELDS: &[&str] = &["name", "username", "email", "password", "password_confirmation"];

fn sign_up_form(browser: &Browser, form: FormState) -> PageResult {
    Ok(browser.page(
        form_status(&form),
        render(&SignUpPage {
            title: "Create an account",
            form,
            authenticity_token: browser.authenticity_token(),
        }),
    ))
}

fn closed(browser: &Browser) -> PageResult {
    Ok(message(
        browser,
        StatusCode::FORBIDDEN,
        "Sign-up is closed",
        "This Roster does not take sign-ups; ask an administrator for an account.".into(),
        Some(("/-/sign_in".into(), "Sign in".into())),
    ))
}

/// `GET /-/sign_up`.
pub async fn page(state: web::Data<AppState>, browser: Browser) -> PageResult {
    if !state.settings.signup_enabled {
        return closed(&browser);
    }
    sign_up_form(&browser, FormState::new())
}

/// `POST /-/sign_up`: `POST /registrations`'s limits, rules and service;
/// the page then says what comes next (the mail, or an admin's approval).
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    browser: Browser,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&browser, params)?;
    if !state.settings.signup_enabled {
        return closed(&browser);
    }
    let ip = client_address(&req, state.settings.trust_proxy);
    let registered = async {
        let input = parse::<Registration>(&params)?;
        rate_limit::check(
            &state,
            vec![(format!("signup:ip:{ip}"), state.settings.rate_limits.signup_ip)],
        )
        .await?;
        accounts::register(&state, input).await
    }
    .await;
    match registered {
        Ok(shown) => {
            let user = shown.row;
            let text = if UserState::from_stored(&user.state) == Some(UserState::PendingApproval) {
                format!(
                    "Welcome, {}. An administrator will look at your account; you can sign in once it is approved.",
                    user.username
                )
            } else if state.settings.email_confirmation == EmailConfirmation::Off {
                format!("Welcome, {}. You can sign in now.", user.username)
            } else {
                format!(
                    "Welcome, {}. We sent a link to {}: open it to confirm your address.",
                    user.username, user.email
                )
            };
            Ok(message(
                &browser,
                StatusCode::CREATED,
                "Account created",
                text,
                Some(("/-/sign_in".into(), "Sign in".into())),
            ))
        }
        Err(e) => sign_up_form(
            &browser,
            FormState::from_params(&params)
                .with_error(e)
                .for_fields(SIGN_UP_FIELDS),
        ),
    }
}

fn reset_form(browser: &Browser, form: FormState) -> PageResult {
    Ok(browser.page(
        form_status(&form),
        render(&ResetRequestPage {
            title: "Reset your password",
            form,
            authenticity_token: browser.authenticity_token(),
        }),
    ))
}

/// `GET /-/reset-password/new`.
pub async fn reset_page(browser: Browser) -> PageResult {
    reset_form(&browser, FormState::new())
}

/// `POST /-/reset-password/new`: `POST /password/reset`'s limits and
/// service; the same answer for every address.
pub async fn reset_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    browser: Browser,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&browser, params)?;
    let requested = async {
        let input = parse::<EmailRequest>(&params)?;
        let rl = &state.settings.rate_limits;
        limit_by_address(&req, &state, &input.email, "reset", rl.reset_ip, rl.reset_address).await?;
        accounts::request_reset(state.clone(), input.email)
    }
    .await;
    match requested {
        Ok(()) => Ok(message(
            &browser,
            StatusCode::OK,
            "Check your mail",
            accounts::RESET_REQUESTED.into(),
            Some(("/-/sign_in".into(), "Back to signing in".into())),
        )),
        Err(e) => reset_form(
            &browser,
            FormState::from_params(&params)
                .with_error(e)
                .for_fields(&["email"]),
        ),
    }
}
