//! The small HTML pages that mail links open: confirm an address, choose a
//! new password. Plain server-rendered forms, no JavaScript; they post back
//! here and show the result, using the same services as the API.
use crate::background::mail::escape;
use crate::endpoint;
use crate::http::browser::CONTENT_SECURITY_POLICY;
use crate::http::error::ApiError;
use crate::http::params::Params;
use crate::inputs::account::{Confirmation, ResetComplete};
use crate::services::accounts;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

fn page(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Roster</title>\
         <link rel=\"stylesheet\" href=\"/-/assets/roster.css\"></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>",
        title = escape(title),
    );
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        // The same policy as the sign-in pages: no scripts, no inline
        // styles, never in a frame.
        .insert_header(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("X-Frame-Options", "DENY"))
        // The token is in this page's URL: keep it out of Referer headers and caches.
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("Cache-Control", "no-store"))
        .body(html)
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

fn error_list(errors: &[String]) -> String {
    let items: String = errors.iter().map(|e| format!("<li>{}</li>", escape(e))).collect();
    format!("<ul class=\"error\">{items}</ul>")
}

fn confirm_form(token: &str) -> String {
    format!(
        "<p>Confirm this e-mail address for your account.</p>\
         <form method=\"post\" action=\"/-/confirm\">\
         <label for=\"token\">Confirmation code</label>\
         <input id=\"token\" name=\"confirmation_token\" value=\"{}\" required>\
         <button type=\"submit\">Confirm</button></form>",
        escape(token)
    )
}

/// `GET /-/confirm?confirmation_token=…`: a button to confirm (a link that
/// confirmed on GET would be spent by mail scanners that fetch links).
pub async fn confirm_page(params: Result<Params, ApiError>) -> HttpResponse {
    let token = params
        .ok()
        .and_then(|p| p.text("confirmation_token"))
        .unwrap_or_default();
    page(
        StatusCode::OK,
        "Confirm your e-mail address",
        &confirm_form(&token),
    )
}

/// `POST /-/confirm`.
pub async fn confirm_submit(state: web::Data<AppState>, params: Result<Params, ApiError>) -> HttpResponse {
    let params = match params {
        Ok(params) => params,
        Err(e) => return page(e_status(&e), "Could not confirm", &error_list(&problems(&e))),
    };
    // The input the route table declares; a page keeps the raw parameters
    // too, to show the form again.
    let confirmed = match crate::http::input::parse::<Confirmation>(&params) {
        Ok(input) => accounts::confirm(&state, &input.confirmation_token).await,
        Err(e) => Err(e),
    };
    match confirmed {
        Ok(Some(user)) => page(
            StatusCode::OK,
            "Address confirmed",
            &format!(
                "<p>Thank you, {}. Your e-mail address is confirmed.</p>",
                escape(&user.username)
            ),
        ),
        Ok(None) => page(
            StatusCode::BAD_REQUEST,
            "Link invalid or expired",
            "<p class=\"error\">This confirmation link is invalid, was already used, or has expired.</p>",
        ),
        Err(e) => page(e_status(&e), "Could not confirm", &error_list(&problems(&e))),
    }
}

fn e_status(e: &ApiError) -> StatusCode {
    actix_web::ResponseError::status_code(e)
}

fn reset_form(token: &str, errors: &[String]) -> String {
    format!(
        "{errors}<form method=\"post\" action=\"/-/reset-password\">\
         <input type=\"hidden\" name=\"reset_token\" value=\"{token}\">\
         <label for=\"password\">New password (8 to 72 bytes)</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" minlength=\"8\" required>\
         <label for=\"password_confirmation\">The same again</label>\
         <input id=\"password_confirmation\" name=\"password_confirmation\" type=\"password\" autocomplete=\"new-password\" minlength=\"8\" required>\
         <button type=\"submit\">Set the new password</button></form>",
        errors = if errors.is_empty() { String::new() } else { error_list(errors) },
        token = escape(token),
    )
}

/// `GET /-/reset-password?reset_token=…`.
pub async fn reset_page(params: Result<Params, ApiError>) -> HttpResponse {
    let token = params
        .ok()
        .and_then(|p| p.text("reset_token"))
        .unwrap_or_default();
    page(StatusCode::OK, "Choose a new password", &reset_form(&token, &[]))
}

/// `POST /-/reset-password`: on a bad password the form comes back with the reasons.
pub async fn reset_submit(state: web::Data<AppState>, params: Result<Params, ApiError>) -> HttpResponse {
    let params = match params {
        Ok(params) => params,
        Err(e) => {
            return page(
                e_status(&e),
                "Choose a new password",
                &reset_form("", &problems(&e)),
            )
        }
    };
    let token = params.text("reset_token").unwrap_or_default();
    let done = match crate::http::input::parse::<ResetComplete>(&params) {
        Ok(input) => accounts::complete_reset(&state, input, None).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => page(
            StatusCode::OK,
            "Password changed",
            "<p>Your password was changed and your other sessions were signed out. You can sign in with the new password now.</p>",
        ),
        Err(e) => page(e_status(&e), "Choose a new password", &reset_form(&token, &problems(&e))),
    }
}

/// `GET /-/invitation?invite_token=…`: what the invitation is, and how to
/// accept it (signed in as the holder of the invited address, confirmed).
pub async fn invitation_page(state: web::Data<AppState>, params: Result<Params, ApiError>) -> HttpResponse {
    let token = params
        .ok()
        .and_then(|p| p.text("invite_token"))
        .unwrap_or_default();
    let lookup = token.clone();
    let found = state
        .db
        .run_api(move |conn| crate::services::invitations::find_by_secret(conn, &lookup))
        .await;
    match found {
        Ok((invitation, group)) => {
            let level = roster_domain::AccessLevel::from_value(invitation.access_level.into())
                .map_or("a member", roster_domain::AccessLevel::name);
            let until = invitation
                .expires_at
                .map(|d| format!(" until {d}"))
                .unwrap_or_default();
            page(
                StatusCode::OK,
                "You are invited",
                &format!(
                    "<p>{email} is invited to join <strong>{group}</strong> as {level}{until}.</p>\
                     <p>To accept, sign in (or sign up) with this address and confirm it; then your \
                     application accepts with this code, or you do with \
                     <code>POST /api/v4/invitations/accept</code>:</p>\
                     <p><code>{token}</code></p>\
                     <p>Or, once signed in with the address confirmed, accept or decline it on \
                     <a href=\"/-/account/groups\">your groups page</a>.</p>",
                    email = escape(&invitation.email),
                    group = escape(&group.full_name),
                    level = escape(level),
                    until = escape(&until),
                    token = escape(&token),
                ),
            )
        }
        Err(ApiError::NotFound(_)) => page(
            StatusCode::NOT_FOUND,
            "Invitation not found",
            "<p>This invitation was accepted, cancelled or never existed.</p>",
        ),
        Err(e) => page(e_status(&e), "Invitation", &error_list(&problems(&e))),
    }
}

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/-/invitation", GET => invitation_page);
    endpoint!(cfg, "/-/confirm", GET => confirm_page, POST => confirm_submit);
    endpoint!(cfg, "/-/reset-password", GET => reset_page, POST => reset_submit);
}
