//! `/oauth/authorize`: the authorization endpoint of "Sign in with Roster"
//! (RFC 6749 §4.1 with PKCE, OIDC Core §3.1.2). Never answers CORS
//! requests: only a browser, navigating, comes here.
use crate::endpoint;
use crate::http::browser::Browser;
use crate::http::input::Input;
use crate::inputs::browser::AuthorizeRequest;
use crate::rate_limit::client_address;
use crate::routes::sign_in::{failure, submitted};
use crate::services::authorization::{self, describe, Redirect, Refusal, Valid};
use crate::state::AppState;
use crate::views::pages::{render, ConsentPage};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

fn found(browser: &Browser, redirect: &Redirect) -> HttpResponse {
    browser
        .respond(StatusCode::FOUND)
        .insert_header(("Location", redirect.location()))
        .finish()
}

fn refused(browser: &Browser, refusal: Refusal) -> HttpResponse {
    match refusal {
        Refusal::Page(e) => failure(browser, e),
        Refusal::Redirect(r) => found(browser, &r),
    }
}

/// The request again, as a path on this site, for the sign-in page to
/// return to: without `prompt=login` and `max_age`, which the sign-in
/// itself satisfies (asking again would loop). The code it leads to
/// carries the new sign-in's time.
fn after_sign_in(request: &AuthorizeRequest) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in request.pairs() {
        match name {
            "max_age" => {}
            "prompt" => {
                let rest: Vec<&str> = value
                    .split(' ')
                    .filter(|p| *p != "login" && !p.is_empty())
                    .collect();
                if !rest.is_empty() {
                    query.append_pair(name, &rest.join(" "));
                }
            }
            _ => {
                query.append_pair(name, &value);
            }
        }
    }
    format!("/oauth/authorize?{}", query.finish())
}

/// To the sign-in page; `again` when a signed-in person must give their
/// password anew (`prompt=login`, or a `max_age` that has passed).
fn to_sign_in(browser: &Browser, request: &AuthorizeRequest, again: bool) -> HttpResponse {
    let next: String = url::form_urlencoded::byte_serialize(after_sign_in(request).as_bytes()).collect();
    let prompt = if again { "&prompt=login" } else { "" };
    browser.redirect(&format!("/-/sign_in?return_to={next}{prompt}"))
}

fn consent_page(
    browser: &Browser,
    valid: &Valid,
    request: &AuthorizeRequest,
    username: &str,
) -> HttpResponse {
    let mut fields = request.pairs();
    // The answer to this page is the consent `prompt=consent` asked for.
    fields.retain(|(name, _)| *name != "prompt" && *name != "max_age");
    browser.page(
        StatusCode::OK,
        render(&ConsentPage {
            title: "Authorize application",
            application: valid.app.name.clone(),
            username: username.to_owned(),
            scopes: valid.scopes.iter().map(|s| (s.as_str(), describe(s))).collect(),
            action: "/oauth/authorize",
            fields,
            authenticity_token: browser.authenticity_token(),
        }),
    )
}

/// `GET /oauth/authorize`.
pub async fn authorize(
    req: HttpRequest,
    state: web::Data<AppState>,
    browser: Browser,
    input: Input<AuthorizeRequest>,
) -> HttpResponse {
    let request = match input.check() {
        Ok(request) => request,
        Err(e) => return failure(&browser, e.into()),
    };
    let valid = match authorization::validate(&state, &request).await {
        Ok(valid) => valid,
        Err(refusal) => return refused(&browser, refusal),
    };
    let signed_in = browser
        .user()
        .cloned()
        .zip(browser.signed_in.as_ref().map(|s| s.session.authenticated_at));
    let (user, auth_time) = match signed_in {
        Some((user, at)) if !valid.needs_sign_in(at) => (user, at),
        _ if valid.prompt.none => {
            return found(
                &browser,
                &valid.error(
                    &state.public_url,
                    "login_required",
                    "The person is not signed in.",
                ),
            )
        }
        Some(_) => return to_sign_in(&browser, &request, true),
        None => return to_sign_in(&browser, &request, false),
    };
    match authorization::needs_consent(&state, &valid, user.id).await {
        Ok(false) => {}
        Ok(true) if valid.prompt.none => {
            return found(
                &browser,
                &valid.error(
                    &state.public_url,
                    "consent_required",
                    "The person has not allowed this application yet.",
                ),
            )
        }
        Ok(true) => return consent_page(&browser, &valid, &request, &user.username),
        Err(e) => return failure(&browser, e.into()),
    }
    let ip = client_address(&req, state.settings.trust_proxy);
    match authorization::issue_code(&state, &valid, user.id, auth_time, false, ip).await {
        Ok(redirect) => found(&browser, &redirect),
        Err(e) => failure(&browser, e.into()),
    }
}

/// `POST /oauth/authorize`: the consent page's answer.
pub async fn decide(
    req: HttpRequest,
    state: web::Data<AppState>,
    browser: Browser,
    input: Input<AuthorizeRequest>,
) -> HttpResponse {
    let request = match submitted(&browser, input, |f| f.authenticity_token.as_deref()) {
        Ok(request) => request,
        Err(page) => return *page,
    };
    let valid = match authorization::validate(&state, &request).await {
        Ok(valid) => valid,
        Err(refusal) => return refused(&browser, refusal),
    };
    let Some((user, auth_time)) = browser
        .user()
        .cloned()
        .zip(browser.signed_in.as_ref().map(|s| s.session.authenticated_at))
    else {
        return to_sign_in(&browser, &request, false);
    };
    let ip = client_address(&req, state.settings.trust_proxy);
    let answer = match request.decision.as_deref() {
        Some("allow") => authorization::issue_code(&state, &valid, user.id, auth_time, true, ip).await,
        Some("deny") => authorization::deny(&state, &valid, user.id, ip).await,
        _ => {
            return failure(
                &browser,
                crate::http::browser::PageError::new(StatusCode::BAD_REQUEST, "Choose Allow or Deny."),
            )
        }
    };
    match answer {
        Ok(redirect) => found(&browser, &redirect),
        Err(e) => failure(&browser, e.into()),
    }
}

/// Registers the authorization endpoint.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/oauth/authorize", GET => authorize, POST => decide);
}
