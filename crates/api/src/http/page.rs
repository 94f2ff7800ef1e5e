//! What the account pages and the admin console share beyond the browser:
//! the signed-in person as a caller of the same services the API calls,
//! the admin gate (`404` for anyone else), forms that carry their CSRF
//! token and come back with their errors beside their fields, the notice
//! after a change, and the password asked again for sensitive changes.
use crate::http::auth::{Caller, TokenUsed};
use crate::http::browser::{page_response, Browser, PageError};
use crate::http::error::ApiError;
use crate::http::params::Params;
use crate::state::AppState;
use crate::views::console::{MissingPage, Nav};
use crate::views::pages::render;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use futures_util::future::LocalBoxFuture;
use roster_domain::{Scope, Scopes};
use roster_persistence::browser_sessions::{self, BrowserSessionRow};
use roster_persistence::now;
use roster_persistence::users::UserRow;
use std::collections::BTreeMap;

/// How long a password check covers sensitive changes (§12).
pub const RECENT_CHECK_SECS: i64 = 10 * 60;

/// Rows on a page of a long list (§12: the user list shows 20).
pub const PER_PAGE: i64 = 20;

/// The page number asked for: a positive number, else the first.
pub fn page_number(query: &[(String, String)]) -> i64 {
    page_number_of(query, "page")
}

/// The page number in `param` (one of a page's several lists).
pub fn page_number_of(query: &[(String, String)], param: &str) -> i64 {
    query
        .iter()
        .find(|(k, _)| k == param)
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .filter(|n| (1..=100_000).contains(n))
        .unwrap_or(1)
}

/// The query string's pairs (a malformed one reads as none).
pub fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect()
}

/// Where a person who must enrol a second factor is sent.
pub const ENROLMENT_PAGE: &str = "/-/account/two_factor";

/// Why a page is not shown: each becomes its own response.
#[derive(Debug)]
pub enum PageExit {
    /// Not signed in: to the sign-in page, and back here afterwards.
    SignIn(String),
    /// Must enrol a second factor first (whether the person is an admin).
    Enrol(bool),
    /// An admin page for someone who is not an admin, or nothing here.
    NotFound,
    /// A page asked for with a method it does not take (a reload of a
    /// form's address, say); the methods it takes.
    MethodNotAllowed(String),
    /// A failure with a sentence to show.
    Failed(PageError),
}

impl std::fmt::Display for PageExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignIn(_) => f.write_str("not signed in"),
            Self::Enrol(_) => f.write_str("a second factor is required"),
            Self::NotFound => f.write_str("not found"),
            Self::MethodNotAllowed(_) => f.write_str("method not allowed"),
            Self::Failed(e) => f.write_str(&e.message),
        }
    }
}

impl From<ApiError> for PageExit {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::NotFound(_) => Self::NotFound,
            other => Self::Failed(other.into()),
        }
    }
}

impl From<PageError> for PageExit {
    fn from(error: PageError) -> Self {
        Self::Failed(error)
    }
}

fn see_other(location: &str) -> HttpResponse {
    page_response(StatusCode::SEE_OTHER)
        .insert_header(("Location", location))
        .finish()
}

impl ResponseError for PageExit {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn(_) | Self::Enrol(_) => StatusCode::SEE_OTHER,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Failed(e) => e.status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignIn(return_to) => {
                let query: String = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("return_to", return_to)
                    .finish();
                see_other(&format!("/-/sign_in?{query}"))
            }
            Self::Enrol(_) => see_other(ENROLMENT_PAGE),
            Self::NotFound => missing(StatusCode::NOT_FOUND, "Page not found", "There is no page here."),
            Self::MethodNotAllowed(allow) => {
                let mut response = missing(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "Nothing to show here",
                    "This address takes a form sent from its page, not a visit.",
                );
                if let Ok(value) = actix_web::http::header::HeaderValue::from_str(allow) {
                    response
                        .headers_mut()
                        .insert(actix_web::http::header::ALLOW, value);
                }
                response
            }
            Self::Failed(e) => {
                let title = match e.status {
                    StatusCode::FORBIDDEN => "Not allowed",
                    StatusCode::TOO_MANY_REQUESTS => "Slow down",
                    s if s.is_server_error() => "Something went wrong",
                    _ => "This request cannot be completed",
                };
                missing(e.status, title, &e.message)
            }
        }
    }
}

/// The paths of the account pages and the admin console, where a person in
/// a browser is answered with pages, even for an address that is not one.
pub fn is_console_path(path: &str) -> bool {
    ["/-/account", "/-/admin"]
        .iter()
        .any(|area| path == *area || path.starts_with(&format!("{area}/")))
}

/// Whether the request asks for a page (a browser's `Accept`), rather than
/// JSON (an API client's).
pub fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The answer to a page asked for with a method it does not take (the
/// `page!` macro's): for a browser the page of a `405`, with `Allow`; the
/// API's JSON `405` for anything else (§1).
pub async fn refuse_method(req: HttpRequest, allow: String) -> Result<HttpResponse, actix_web::Error> {
    if wants_html(&req) {
        Err(PageExit::MethodNotAllowed(allow).into())
    } else {
        Err(ApiError::MethodNotAllowed(allow).into())
    }
}

fn missing(status: StatusCode, title: &str, message: &str) -> HttpResponse {
    page_response(status)
        .content_type("text/html; charset=utf-8")
        .body(render(&MissingPage { title, message }))
}

/// A page's answer: the page, or why not.
pub type PageResult = Result<HttpResponse, PageExit>;

/// A signed-in person whose account may be used, as the caller of the
/// services (their browser session stands for the token).
#[derive(Debug, Clone)]
pub struct Person {
    /// The browser (CSRF token, cookies).
    pub browser: Browser,
    /// The person as the services know a caller.
    pub caller: Caller,
    /// The session.
    pub session: BrowserSessionRow,
    /// The notice to show once, after a change (`?notice=`).
    pub notice: Option<&'static str>,
}

impl Person {
    /// The person's account.
    pub fn user(&self) -> &UserRow {
        &self.caller.user
    }

    /// The navigation of a page in `section`.
    pub fn nav(&self, section: &'static str) -> Nav {
        Nav {
            username: self.caller.user.username.clone(),
            is_admin: self.caller.user.is_admin,
            section,
            notice: self.notice,
            authenticity_token: self.browser.authenticity_token(),
        }
    }

    /// Whether the password was checked in the last ten minutes (signing in
    /// counts), so a sensitive change need not ask for it again.
    pub fn checked_recently(&self) -> bool {
        (now() - self.session.authenticated_at).num_seconds() < RECENT_CHECK_SECS
    }

    /// For a sensitive change: passes when the password was checked
    /// recently, else checks `current_password` from the form (the field
    /// error of the API when wrong) and counts that as a fresh check.
    pub async fn confirm_password(&self, state: &AppState, form: &Params) -> Result<(), ApiError> {
        if self.checked_recently() {
            return Ok(());
        }
        let given = form.text("current_password").filter(|p| !p.is_empty());
        if given.is_none() {
            return Err(ApiError::field(
                "current_password",
                "is required: enter your password to go on",
            ));
        }
        crate::services::accounts::check_current_password(state, self.user(), given).await?;
        let id = self.session.id;
        state
            .db
            .run(move |conn| browser_sessions::reauthenticated(conn, id, now()))
            .await?;
        Ok(())
    }
}

fn sign_in_exit(req: &HttpRequest) -> PageExit {
    let path = match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    };
    // A form's post cannot be replayed after signing in: back to the
    // area's first page.
    let back = if req.method() == actix_web::http::Method::GET {
        path
    } else if req.path().starts_with("/-/admin") {
        "/-/admin".to_owned()
    } else {
        "/-/account".to_owned()
    };
    PageExit::SignIn(back)
}

/// What the notice codes say; a code not here shows nothing, so no page
/// can be made to show a sentence of someone else's choosing.
const NOTICES: &[(&str, &str)] = &[
    ("profile", "Your profile was saved."),
    ("avatar", "Your avatar was changed."),
    ("avatar_removed", "Your avatar was removed."),
    (
        "email_added",
        "The address was added. We sent a confirmation link to it.",
    ),
    ("email_removed", "The address was removed."),
    ("email_sent", "We sent a new confirmation link."),
    (
        "password",
        "Your password was changed. Every other session was signed out.",
    ),
    ("totp", "Two-factor authentication is on."),
    ("two_factor_off", "Two-factor authentication is off."),
    ("passkey", "The passkey was added."),
    ("passkey_removed", "The passkey was removed."),
    ("key_added", "The key was added."),
    ("key_removed", "The key was removed."),
    ("token_revoked", "The token was revoked."),
    ("session_ended", "The session was signed out."),
    ("sessions_ended", "Every other session was signed out."),
    (
        "application_revoked",
        "The application can no longer use your account.",
    ),
    ("privacy", "Your privacy settings were saved."),
    ("preferences", "Your preferences were saved."),
    ("invitation_accepted", "You joined the group."),
    ("invitation_declined", "The invitation was declined."),
    ("left_group", "You left the group."),
    ("user_saved", "The user was saved."),
    ("user_created", "The user was created."),
    ("user_deleted", "The user was deleted."),
    ("state", "The user's state was changed."),
    ("confirmed", "The user's address is confirmed."),
    ("reset_sent", "A password reset link was sent."),
    (
        "two_factor_disabled",
        "The user's two-factor authentication was turned off.",
    ),
    ("member_added", "The member was added."),
    ("member_removed", "The member was removed."),
    ("member_changed", "The member's role was changed."),
    ("group_created", "The group was created."),
    ("group_deleted", "The group was deleted."),
    ("application_deleted", "The application was deleted."),
    ("hook_saved", "The hook was saved."),
    ("hook_deleted", "The hook was deleted."),
    ("hook_tested", "A test event was sent."),
    ("redelivered", "The delivery was sent again."),
];

fn notice_of(req: &HttpRequest) -> Option<&'static str> {
    let code = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "notice")?
        .1;
    NOTICES.iter().find(|(c, _)| *c == code).map(|(_, text)| *text)
}

/// `location` with `?notice=code` (or `&notice=code`).
pub fn with_notice(location: &str, code: &str) -> String {
    let joint = if location.contains('?') { '&' } else { '?' };
    format!("{location}{joint}notice={code}")
}

/// Whether enrolment pages may be used before a second factor exists.
fn enrols(path: &str) -> bool {
    path.starts_with(ENROLMENT_PAGE) || path.starts_with("/-/account/passkeys")
}

impl FromRequest for Person {
    type Error = PageExit;
    type Future = LocalBoxFuture<'static, Result<Self, PageExit>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let browser = Browser::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let browser = browser.await.map_err(PageExit::from)?;
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| PageExit::from(ApiError::Internal(anyhow::anyhow!("no app state"))))?;
            let (Some(signed_in), Some(_)) = (browser.signed_in.clone(), browser.user()) else {
                return Err(sign_in_exit(&req));
            };
            let user = signed_in.user;
            if !user.two_factor_enabled
                && state.settings.require_two_factor.applies_to(user.is_admin)
                && !enrols(req.path())
            {
                return Err(PageExit::Enrol(user.is_admin));
            }
            let caller = Caller {
                user,
                scopes: Scopes::only(Scope::Api),
                token: TokenUsed::Session(signed_in.session.id),
                token_created_at: signed_in.session.created_at,
                token_expires_at: Some(signed_in.session.expires_at),
                ip: crate::rate_limit::client_address(&req, state.settings.trust_proxy),
                acting_admin: None,
            };
            Ok(Person {
                browser,
                caller,
                session: signed_in.session,
                notice: notice_of(&req),
            })
        })
    }
}

/// A signed-in admin; everyone else (signed in or not) gets `404`, as
/// if the console were not there.
#[derive(Debug, Clone)]
pub struct AdminPerson(pub Person);

impl FromRequest for AdminPerson {
    type Error = PageExit;
    type Future = LocalBoxFuture<'static, Result<Self, PageExit>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let person = Person::from_request(req, payload);
        Box::pin(async move {
            match person.await {
                Ok(person) if person.caller.user.is_admin => Ok(AdminPerson(person)),
                // An admin who must enrol is sent to enrol; nobody else
                // learns the console exists.
                Err(PageExit::Enrol(true)) => Err(PageExit::Enrol(true)),
                _ => Err(PageExit::NotFound),
            }
        })
    }
}

/// A submitted form, once its CSRF token matched: `403` otherwise.
pub fn checked_form(browser: &Browser, params: Result<Params, ApiError>) -> Result<Params, PageExit> {
    let mut params = params?;
    browser.check_csrf(params.text(crate::http::browser::CSRF_FIELD).as_deref())?;
    params.settle_checkboxes();
    Ok(params)
}

/// A form as a page shows it again: what was typed (never passwords or
/// tokens) and the problems, each beside its field when it has one.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, Vec<String>>,
    /// Problems not about one field.
    pub general: Vec<String>,
}

/// Fields never written back into a page.
const SECRET_FIELDS: &[&str] = &[
    "password",
    "password_confirmation",
    "current_password",
    "authenticity_token",
    "password_hash",
    "token",
];

impl FormState {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// A form filled with `values`.
    pub fn filled(values: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            values: values.into_iter().collect(),
            ..Self::default()
        }
    }

    /// The form as it was submitted.
    pub fn from_params(params: &Params) -> Self {
        let values = params
            .keys()
            .filter(|k| !SECRET_FIELDS.contains(&k.as_str()))
            .filter_map(|k| params.text(k).map(|v| (k.clone(), v)))
            .collect();
        Self {
            values,
            ..Self::default()
        }
    }

    /// The form with `error`'s problems: field errors beside their fields
    /// (the API's messages), the rest above the form.
    pub fn with_error(mut self, error: ApiError) -> Self {
        match error {
            ApiError::Validation(fields) => {
                for (field, reasons) in fields {
                    self.errors.entry(field).or_default().extend(reasons);
                }
            }
            ApiError::Missing(names) => {
                for name in names {
                    self.errors.entry(name).or_default().push("is missing".into());
                }
            }
            other => self.general.push(PageError::from(other).message),
        }
        self
    }

    /// Sets what field `name` shows.
    pub fn with_value(mut self, name: &str, value: &str) -> Self {
        self.values.insert(name.into(), value.into());
        self
    }

    /// Adds a problem with field `name`.
    pub fn field_error(mut self, name: &str, reason: &str) -> Self {
        self.errors.entry(name.into()).or_default().push(reason.into());
        self
    }

    /// The value typed into `name`, or nothing.
    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// Whether a checkbox `name` was ticked.
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.value(name), "true" | "on" | "1")
    }

    /// The problems with `name` as one sentence, its name first, as the
    /// API's messages are written to follow it ("Email has already been taken").
    pub fn error(&self, name: &str) -> Option<String> {
        let reasons = self.errors.get(name)?;
        let mut label = name.replace('_', " ");
        if let Some(first) = label.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        Some(format!("{label} {}.", reasons.join(", ")))
    }

    /// Moves the problems of fields the page has no input for (`shown`
    /// lists those it has) above the form, so none is lost.
    pub fn for_fields(mut self, shown: &[&str]) -> Self {
        let others: Vec<String> = self
            .errors
            .keys()
            .filter(|k| !shown.contains(&k.as_str()))
            .cloned()
            .collect();
        for name in others {
            if let Some(text) = self.error(&name) {
                self.general.push(text);
            }
            self.errors.remove(&name);
        }
        self
    }

    /// Whether anything is wrong.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || !self.general.is_empty()
    }
}

/// The status a form shown again with problems gets.
pub fn form_status(form: &FormState) -> StatusCode {
    if form.has_errors() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}
