//! The small HTML pages that mail links open: confirm an address, choose a
//! new password. Plain server-rendered forms, no JavaScript; they post back
//! here and show the result, using the same services as the API, with the
//! templates and headers of the other pages.
use crate::endpoint;
use crate::http::browser::Browser;
use crate::http::error::ApiError;
use crate::http::params::Params;
use crate::inputs::browser::{ConfirmationForm, ResetForm};
use crate::services::accounts;
use crate::state::AppState;
use crate::views::pages::{render, InvitationPage, MailConfirmPage, MailResetPage, MessagePage};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

/// A mail link's page: the page headers (no `Referer` for the token in its
/// address) and the CSRF cookie its form needs.
fn page(browser: &Browser, status: StatusCode, template: &impl askama::Template) -> HttpResponse {
    browser.page(status, render(template))
}

/// A page that tells one thing.
fn message(
    browser: &Browser,
    status: StatusCode,
    title: &str,
    text: String,
    link: Option<(&str, &str)>,
) -> HttpResponse {
    page(
        browser,
        status,
        &MessagePage {
            title,
            message: text,
            is_error: status.is_client_error() || status.is_server_error(),
            link: link.map(|(to, text)| (to.to_owned(), text.to_owned())),
        },
    )
}

/// The problems of a failed request, as sentences for a page.
fn problems(error: &ApiError) -> Vec<String> {
    match error {
        ApiError::Validation(fields) => fields
            .iter()
            .flat_map(|(field, reasons)| {
                reasons
                    .iter()
                    .map(move |r| format!("{} {r}", field.replace('_', " ")))
            })
            .collect(),
        ApiError::Missing(names) => names
            .iter()
            .map(|n| format!("{} is missing", n.replace('_', " ")))
            .collect(),
        ApiError::Conflict(text) | ApiError::Forbidden(Some(text)) | ApiError::BadRequest(text) => {
            vec![text.clone()]
        }
        ApiError::Param(text) => vec![text.clone()],
        _ => vec!["Something went wrong; please try again later.".into()],
    }
}

fn confirm_form(browser: &Browser, status: StatusCode, token: String, problems: Vec<String>) -> HttpResponse {
    page(
        browser,
        status,
        &MailConfirmPage {
            title: "Confirm your e-mail address",
            token,
            problems,
            authenticity_token: browser.authenticity_token(),
        },
    )
}

/// `GET /-/confirm?confirmation_token=…`: a button to confirm (a link that
/// confirmed on GET would be spent by mail scanners that fetch links).
pub async fn confirm_page(browser: Browser, params: Result<Params, ApiError>) -> HttpResponse {
    let token = link_token(&params, "confirmation_token");
    confirm_form(&browser, StatusCode::OK, token, Vec::new())
}

/// `POST /-/confirm`.
pub async fn confirm_submit(
    state: web::Data<AppState>,
    browser: Browser,
    params: Result<Params, ApiError>,
) -> HttpResponse {
    let typed = link_token(&params, "confirmation_token");
    let params = match checked(&browser, params) {
        Ok(params) => params,
        Err((status, problems)) => {
            return confirm_form(&browser, status, typed, problems);
        }
    };
    let token = params.text("confirmation_token").unwrap_or_default();
    // The input the route table declares; a page keeps the raw parameters
    // too, to show the form again.
    let confirmed = match crate::http::input::parse::<ConfirmationForm>(&params) {
        Ok(input) => accounts::confirm(&state, &input.confirmation_token).await,
        Err(e) => Err(e),
    };
    match confirmed {
        Ok(Some(user)) => message(
            &browser,
            StatusCode::OK,
            "Address confirmed",
            format!("Thank you, {}. Your e-mail address is confirmed.", user.username),
            Some(("/-/account", "Your account")),
        ),
        Ok(None) => message(
            &browser,
            StatusCode::BAD_REQUEST,
            "Link invalid or expired",
            "This confirmation link is invalid, was already used, or has expired.".into(),
            Some(("/-/sign_in", "Sign in to send a new one")),
        ),
        Err(e) => confirm_form(&browser, e_status(&e), token, problems(&e)),
    }
}

/// The token a mail link carries in `name` (empty when there is none).
fn link_token(params: &Result<Params, ApiError>, name: &str) -> String {
    params
        .as_ref()
        .ok()
        .and_then(|p| p.text(name))
        .unwrap_or_default()
}

fn e_status(e: &ApiError) -> StatusCode {
    actix_web::ResponseError::status_code(e)
}

fn reset_form(browser: &Browser, status: StatusCode, token: String, problems: Vec<String>) -> HttpResponse {
    page(
        browser,
        status,
        &MailResetPage {
            title: "Choose a new password",
            token,
            problems,
            authenticity_token: browser.authenticity_token(),
        },
    )
}

/// The submitted form's parameters, once its CSRF token is this browser's
/// (checked before anything else, as on every form); else the status and
/// the problems to show.
fn checked(browser: &Browser, params: Result<Params, ApiError>) -> Result<Params, (StatusCode, Vec<String>)> {
    let params = params.map_err(|e| (e_status(&e), problems(&e)))?;
    browser
        .check_csrf(params.text("authenticity_token").as_deref())
        .map_err(|e| (e.status, vec![e.message]))?;
    Ok(params)
}

/// `GET /-/reset-password?reset_token=…`.
pub async fn reset_page(browser: Browser, params: Result<Params, ApiError>) -> HttpResponse {
    let token = link_token(&params, "reset_token");
    reset_form(&browser, StatusCode::OK, token, Vec::new())
}

/// `POST /-/reset-password`: on a bad password the form comes back with the reasons.
pub async fn reset_submit(
    state: web::Data<AppState>,
    browser: Browser,
    params: Result<Params, ApiError>,
) -> HttpResponse {
    // The token from the link stays in the form, to try again.
    let from_link = link_token(&params, "reset_token");
    let params = match checked(&browser, params) {
        Ok(params) => params,
        Err((status, problems)) => {
            return reset_form(&browser, status, from_link, problems);
        }
    };
    let token = params.text("reset_token").unwrap_or_default();
    let done = match crate::http::input::parse::<ResetForm>(&params) {
        Ok(input) => accounts::complete_reset(&state, input.into_reset(), None).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => message(
            &browser,
            StatusCode::OK,
            "Password changed",
            "Your password was changed and your other sessions were signed out. You can sign in with the new password now.".into(),
            Some(("/-/sign_in", "Sign in")),
        ),
        Err(e) => reset_form(&browser, e_status(&e), token, problems(&e)),
    }
}

/// `GET /-/invitation?invite_token=…`: what the invitation is, and how to
/// accept it (signed in as the holder of the invited address, confirmed).
pub async fn invitation_page(
    state: web::Data<AppState>,
    browser: Browser,
    params: Result<Params, ApiError>,
) -> HttpResponse {
    let token = link_token(&params, "invite_token");
    let lookup = token.clone();
    let found = state
        .db
        .run_api(move |conn| crate::services::invitations::find_by_secret(conn, &lookup))
        .await;
    match found {
        Ok((invitation, group)) => {
            let level = roster_domain::AccessLevel::from_value(invitation.access_level.into())
                .map_or("a member", roster_domain::AccessLevel::name);
            page(
                &browser,
                StatusCode::OK,
                &InvitationPage {
                    title: "You are invited",
                    email: invitation.email,
                    group: group.full_name,
                    level,
                    until: invitation.expires_at.map(|d| d.to_string()),
                    token,
                },
            )
        }
        Err(ApiError::NotFound(_)) => message(
            &browser,
            StatusCode::NOT_FOUND,
            "Invitation not found",
            "This invitation was accepted, cancelled or never existed.".into(),
            None,
        ),
        Err(e) => message(&browser, e_status(&e), "Invitation", problems(&e).join(" "), None),
    }
}

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/-/invitation", GET => invitation_page);
    endpoint!(cfg, "/-/confirm", GET => confirm_page, POST => confirm_submit);
    endpoint!(cfg, "/-/reset-password", GET => reset_page, POST => reset_submit);
}
