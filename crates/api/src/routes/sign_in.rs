//! `/-/sign_in` and `/-/sign_out`: the browser session every page of
//! Roster's (and "Sign in with Roster") starts from.
use crate::endpoint;
use crate::http::browser::{Browser, PageError, SESSION_COOKIE};
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::inputs::browser::{CsrfForm, PasskeyForm, SecondFactorForm, SignInForm, SignInQuery};
use crate::rate_limit::{self, client_address};
use crate::services::sign_in::{self, BrowserRequest, PasswordStep};
use crate::services::two_factor::Proof;
use crate::state::AppState;
use crate::views::pages::{render, ConfirmPage, MessagePage, SecondFactorPage, SignInPage};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_domain::SecondFactorCode;
use roster_persistence::applications;

/// Where a sign-in may send the browser next: a path on this site, never
/// another site (`//host`, `/\host`), nothing a browser would read oddly.
pub fn safe_return_to(value: Option<&str>) -> Option<String> {
    let value = value?;
    let local = value.starts_with('/')
        && !value.starts_with("//")
        && !value.starts_with("/\\")
        && value.len() <= 4096
        && !value.chars().any(|c| c.is_control() || c == '\\');
    local.then(|| value.to_owned())
}

/// A message page.
pub fn message(
    browser: &Browser,
    status: StatusCode,
    title: &str,
    text: String,
    link: Option<(String, String)>,
) -> HttpResponse {
    browser.page(
        status,
        render(&MessagePage {
            title,
            message: text,
            is_error: status.is_client_error() || status.is_server_error(),
            link,
        }),
    )
}

/// A page telling of a failure.
pub fn failure(browser: &Browser, error: PageError) -> HttpResponse {
    let title = match error.status {
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::TOO_MANY_REQUESTS => "Slow down",
        s if s.is_server_error() => "Something went wrong",
        _ => "This request cannot be completed",
    };
    message(browser, error.status, title, error.message, None)
}

/// A submitted form: its input when it reads and carries this browser's
/// CSRF token (`token` picks the token out), else the page that says why.
pub fn submitted<T>(
    browser: &Browser,
    input: Input<T>,
    token: impl FnOnce(&T) -> Option<&str>,
) -> Result<T, Box<HttpResponse>> {
    let form = input.check().map_err(|e| Box::new(failure(browser, e.into())))?;
    browser
        .check_csrf(token(&form))
        .map_err(|e| Box::new(failure(browser, e)))?;
    Ok(form)
}

/// The name of the application an authorization request in `return_to` is
/// for, to show on the sign-in page.
async fn application_of(state: &AppState, return_to: &str) -> Option<String> {
    let query = return_to.strip_prefix("/oauth/authorize?")?;
    let client_id = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "client_id")?
        .1
        .into_owned();
    state
        .db
        .run(move |conn| applications::find_by_uid(conn, &client_id))
        .await
        .ok()
        .flatten()
        .map(|app| app.name)
}

async fn form(
    state: &AppState,
    browser: &Browser,
    status: StatusCode,
    error: Option<String>,
    return_to: Option<String>,
    login: String,
) -> HttpResponse {
    let return_to = return_to.unwrap_or_default();
    let application = application_of(state, &return_to).await;
    let first_run = state
        .db
        .run(roster_persistence::users::count_admins)
        .await
        .is_ok_and(|admins| admins == 0);
    browser.page(
        status,
        render(&SignInPage {
            title: "Sign in",
            error,
            application,
            authenticity_token: browser.authenticity_token(),
            return_to,
            login,
            sign_up: state.settings.signup_enabled,
            first_run,
        }),
    )
}

/// `GET /-/sign_in`: the form; a signed-in person goes straight on,
/// unless asked to prove again who they are (`prompt=login`).
pub async fn sign_in_page(
    state: web::Data<AppState>,
    browser: Browser,
    input: Input<SignInQuery>,
) -> HttpResponse {
    let query = input.check().ok();
    let again = query.as_ref().and_then(|q| q.prompt.as_deref()) == Some("login");
    let return_to = query.and_then(|q| safe_return_to(q.return_to.as_deref()));
    if let Some(user) = browser.user() {
        if again {
            let login = user.username.clone();
            return form(&state, &browser, StatusCode::OK, None, return_to, login).await;
        }
        if let Some(next) = return_to {
            return browser.redirect(&next);
        }
        let text = format!("You are signed in as {}.", user.username);
        return message(
            &browser,
            StatusCode::OK,
            "Signed in",
            text,
            Some(("/-/sign_out".into(), "Sign out".into())),
        );
    }
    form(&state, &browser, StatusCode::OK, None, return_to, String::new()).await
}

/// `POST /-/sign_in`: the password check of the password grant (lockout,
/// limits, events), then a session cookie and a redirect onwards.
pub async fn sign_in_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    browser: Browser,
    input: Input<SignInForm>,
) -> HttpResponse {
    let input = match submitted(&browser, input, |f| f.authenticity_token.as_deref()) {
        Ok(input) => input,
        Err(page) => return *page,
    };
    let return_to = safe_return_to(input.return_to.as_deref());
    let login = input.login.unwrap_or_default();
    let password = input.password.unwrap_or_default();
    if login.trim().is_empty() || password.is_empty() {
        let error = Some("Enter your user name (or e-mail address) and your password.".into());
        return form(&state, &browser, StatusCode::BAD_REQUEST, error, return_to, login).await;
    }
    let ip = client_address(&req, state.settings.trust_proxy);
    let rl = &state.settings.rate_limits;
    let limited = rate_limit::check(
        &state,
        vec![
            (format!("signin:ip:{ip}"), rl.signin_ip),
            (
                format!("signin:account:{}", login.trim().to_lowercase()),
                rl.signin_account,
            ),
        ],
    )
    .await;
    if let Err(e) = limited {
        let e = PageError::from(e);
        return form(&state, &browser, e.status, Some(e.message), return_to, login).await;
    }
    let request = browser_request(&req, ip);
    match sign_in::with_password(&state, login.clone(), password, request).await {
        Ok(PasswordStep::SignedIn(secret, _)) => signed_in(&browser, return_to, secret),
        Ok(PasswordStep::SecondFactor { mfa_token, methods }) => second_factor_form(
            &browser,
            StatusCode::OK,
            None,
            mfa_token,
            return_to,
            &methods.join(","),
        ),
        Err(ApiError::OAuth { description, .. }) => {
            form(
                &state,
                &browser,
                StatusCode::UNAUTHORIZED,
                Some(description),
                return_to,
                login,
            )
            .await
        }
        Err(e) => failure(&browser, e.into()),
    }
}

/// What a sign-in records of the browser's request.
fn browser_request(req: &HttpRequest, ip: String) -> BrowserRequest {
    BrowserRequest {
        ip,
        user_agent: req
            .headers()
            .get("User-Agent")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        replaced: req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()),
    }
}

/// The session cookie and a redirect onwards.
fn signed_in(browser: &Browser, return_to: Option<String>, secret: String) -> HttpResponse {
    let next = return_to.unwrap_or_else(|| "/-/account".into());
    let mut response = browser.redirect(&next);
    if let Err(e) = response.add_cookie(&browser.cookie(SESSION_COOKIE, secret)) {
        log::error!("could not set the session cookie: {e}");
    }
    response
}

fn second_factor_form(
    browser: &Browser,
    status: StatusCode,
    error: Option<String>,
    mfa_token: String,
    return_to: Option<String>,
    methods: &str,
) -> HttpResponse {
    // `methods` only shapes the form (it comes back from the browser);
    // what each answer proves is checked against the account.
    let has = |m: &str| methods.split(',').any(|x| x == m);
    browser.page(
        status,
        render(&SecondFactorPage {
            title: "Two-factor authentication",
            error,
            authenticity_token: browser.authenticity_token(),
            mfa_token,
            return_to: return_to.unwrap_or_default(),
            recovery_codes: has("recovery_code"),
            codes: has("totp") || has("recovery_code") || !has("webauthn"),
            webauthn: has("webauthn"),
            methods: methods.to_owned(),
        }),
    )
}

/// `POST /-/sign_in/two_factor`: the code for the password step's
/// `mfa_token`; a wrong code shows the form again while the token lasts.
pub async fn second_factor_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    browser: Browser,
    input: Input<SecondFactorForm>,
) -> HttpResponse {
    let input = match submitted(&browser, input, |f| f.authenticity_token.as_deref()) {
        Ok(input) => input,
        Err(page) => return *page,
    };
    let return_to = safe_return_to(input.return_to.as_deref());
    let Some(mfa_token) = input.mfa_token.filter(|t| !t.is_empty()) else {
        return form(
            &state,
            &browser,
            StatusCode::BAD_REQUEST,
            None,
            return_to,
            String::new(),
        )
        .await;
    };
    let methods = input.methods.unwrap_or_default();
    let retry = |status, error: String| {
        second_factor_form(
            &browser,
            status,
            Some(error),
            mfa_token.clone(),
            return_to.clone(),
            &methods,
        )
    };
    let proof = match (input.webauthn_assertion.filter(|a| !a.is_empty()), input.otp) {
        (Some(assertion), _) => Proof::Assertion(assertion),
        (None, otp) => match SecondFactorCode::parse(otp.as_deref().unwrap_or_default()) {
            Ok(code) => Proof::Code(code),
            Err(e) => return retry(StatusCode::BAD_REQUEST, format!("The code {}.", e.problem)),
        },
    };
    let ip = client_address(&req, state.settings.trust_proxy);
    let limited = rate_limit::check(
        &state,
        vec![(format!("signin:ip:{ip}"), state.settings.rate_limits.signin_ip)],
    )
    .await;
    if let Err(e) = limited {
        let e = PageError::from(e);
        return retry(e.status, e.message);
    }
    let request = browser_request(&req, ip);
    match sign_in::with_second_factor(&state, mfa_token.clone(), proof, request).await {
        Ok((secret, _)) => signed_in(&browser, return_to, secret),
        Err(ApiError::OAuth { description, .. }) if description.contains("mfa_token") => {
            let error = Some("The sign-in took too long or too many codes were wrong. Sign in again.".into());
            form(
                &state,
                &browser,
                StatusCode::UNAUTHORIZED,
                error,
                return_to,
                String::new(),
            )
            .await
        }
        Err(ApiError::OAuth { description, .. }) => retry(StatusCode::UNAUTHORIZED, description),
        Err(e) => failure(&browser, e.into()),
    }
}

/// `POST /-/sign_in/passkey/options`: the request options of a sign-in
/// with a passkey alone, for the page's script.
pub async fn passkey_options(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let ip = client_address(&req, state.settings.trust_proxy);
    rate_limit::check(
        &state,
        vec![(format!("signin:ip:{ip}"), state.settings.rate_limits.signin_ip)],
    )
    .await?;
    let options = crate::services::webauthn::passkey_options(&state).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(options))
}

/// `POST /-/sign_in/passkey`: a passkey's answer; a session and onwards.
pub async fn passkey_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    browser: Browser,
    input: Input<PasskeyForm>,
) -> HttpResponse {
    let input = match submitted(&browser, input, |f| f.authenticity_token.as_deref()) {
        Ok(input) => input,
        Err(page) => return *page,
    };
    let return_to = safe_return_to(input.return_to.as_deref());
    let Some(assertion) = input.webauthn_assertion.filter(|a| !a.is_empty()) else {
        let error = Some("Your browser sent no passkey. Sign in with your password.".into());
        return form(
            &state,
            &browser,
            StatusCode::BAD_REQUEST,
            error,
            return_to,
            String::new(),
        )
        .await;
    };
    let ip = client_address(&req, state.settings.trust_proxy);
    if let Err(e) = rate_limit::check(
        &state,
        vec![(format!("signin:ip:{ip}"), state.settings.rate_limits.signin_ip)],
    )
    .await
    {
        let e = PageError::from(e);
        return form(
            &state,
            &browser,
            e.status,
            Some(e.message),
            return_to,
            String::new(),
        )
        .await;
    }
    match sign_in::with_passkey(&state, assertion, browser_request(&req, ip)).await {
        Ok((secret, _)) => signed_in(&browser, return_to, secret),
        Err(ApiError::OAuth { description, .. }) => {
            form(
                &state,
                &browser,
                StatusCode::UNAUTHORIZED,
                Some(description),
                return_to,
                String::new(),
            )
            .await
        }
        Err(e) => failure(&browser, e.into()),
    }
}

/// `GET /-/sign_out`: a button (signing out on a GET would let any page
/// sign a person out).
pub async fn sign_out_page(browser: Browser) -> HttpResponse {
    if browser.signed_in.is_none() {
        return message(
            &browser,
            StatusCode::OK,
            "Signed out",
            "You are not signed in.".into(),
            Some(("/-/sign_in".into(), "Sign in".into())),
        );
    }
    browser.page(
        StatusCode::OK,
        render(&ConfirmPage {
            title: "Sign out",
            message: "Sign out of Roster in this browser?".into(),
            action: "/-/sign_out",
            fields: Vec::new(),
            button: "Sign out",
            authenticity_token: browser.authenticity_token(),
        }),
    )
}

/// Ends the browser's session and clears its cookie.
pub async fn end_session(
    req: &HttpRequest,
    state: &AppState,
    browser: &Browser,
    mut response: HttpResponse,
) -> HttpResponse {
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        let ip = client_address(req, state.settings.trust_proxy);
        if let Err(e) = sign_in::sign_out(state, cookie.value().to_owned(), ip).await {
            return failure(browser, e.into());
        }
    }
    if let Err(e) = response.add_cookie(&browser.removal(SESSION_COOKIE)) {
        log::error!("could not clear the session cookie: {e}");
    }
    response
}

/// `POST /-/sign_out`.
pub async fn sign_out_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    browser: Browser,
    input: Input<CsrfForm>,
) -> HttpResponse {
    let token = input.check().ok().and_then(|f| f.authenticity_token);
    if let Err(e) = browser.check_csrf(token.as_deref()) {
        return failure(&browser, e);
    }
    let done = message(
        &browser,
        StatusCode::OK,
        "Signed out",
        "You are signed out.".into(),
        Some(("/-/sign_in".into(), "Sign in again".into())),
    );
    end_session(&req, &state, &browser, done).await
}

/// `GET /-/assets/roster.css`: the pages' one stylesheet (the policy allows
/// no inline styles or scripts).
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(include_str!("../../templates/roster.css"))
}

/// `GET /-/assets/webauthn.js`: the WebAuthn ceremonies of the pages, the
/// one script they load.
pub async fn webauthn_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(include_str!("../../templates/webauthn.js"))
}

/// Registers the sign-in pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/-/sign_in", GET => sign_in_page, POST => sign_in_submit);
    endpoint!(cfg, "/-/sign_in/two_factor", POST => second_factor_submit);
    endpoint!(cfg, "/-/sign_in/passkey/options", POST => passkey_options);
    endpoint!(cfg, "/-/sign_in/passkey", POST => passkey_submit);
    endpoint!(cfg, "/-/sign_out", GET => sign_out_page, POST => sign_out_submit);
    endpoint!(cfg, "/-/assets/roster.css", GET => stylesheet);
    endpoint!(cfg, "/-/assets/webauthn.js", GET => webauthn_script);
}
