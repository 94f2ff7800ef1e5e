//! What the browser pages share: the session cookie (its secret's SHA-256
//! is what the database keeps, so every node knows every session), the CSRF
//! token every form carries (`authenticity_token`, GitLab's name), and the
//! headers every page is sent with.
use crate::http::error::ApiError;
use crate::state::AppState;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, HttpResponseBuilder};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures_util::future::LocalBoxFuture;
use roster_domain::{TokenDigest, UserState};
use roster_persistence::browser_sessions::{self, BrowserSessionRow};
use roster_persistence::now;
use roster_persistence::users::UserRow;
use sha2::{Digest, Sha256};

/// The cookie that names a browser session.
pub const SESSION_COOKIE: &str = "_roster_session";
/// The cookie the CSRF token is derived from.
pub const CSRF_COOKIE: &str = "_roster_csrf";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "authenticity_token";
/// Uses of a session closer together than this do not rewrite `last_seen_at`.
const TOUCH_INTERVAL_SECS: i64 = 60;

/// The policy every page is sent with: nothing but the page's own
/// stylesheet and images, no scripts at all, never in a frame.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
     style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The session.
    pub session: BrowserSessionRow,
    /// Its user.
    pub user: UserRow,
}

/// What a page request brings: the session, if any, and the CSRF secret
/// (made now if the browser had none; the response then sets it).
#[derive(Debug, Clone)]
pub struct Browser {
    /// The person signed in, if any.
    pub signed_in: Option<SignedIn>,
    csrf_secret: String,
    csrf_is_new: bool,
    secure: bool,
}

fn random_secret() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

fn csrf_token_of(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(format!("roster-csrf:{secret}").as_bytes()))
}

impl Browser {
    /// The token this browser's forms carry. A page of another site cannot
    /// read the cookie it comes from, so it cannot forge the field.
    pub fn authenticity_token(&self) -> String {
        csrf_token_of(&self.csrf_secret)
    }

    /// `403` unless `submitted` is this browser's token. A browser that
    /// sent no CSRF cookie cannot have a valid token.
    pub fn check_csrf(&self, submitted: Option<&str>) -> Result<(), PageError> {
        let expected = self.authenticity_token();
        match submitted {
            Some(token) if !self.csrf_is_new && constant_time_eq(token.as_bytes(), expected.as_bytes()) => {
                Ok(())
            }
            _ => Err(PageError::new(
                StatusCode::FORBIDDEN,
                "This form has expired. Go back, reload the page and try again.",
            )),
        }
    }

    /// The signed-in user, if the session's account may still sign in.
    pub fn user(&self) -> Option<&UserRow> {
        self.signed_in
            .as_ref()
            .map(|s| &s.user)
            .filter(|u| UserState::from_stored(&u.state) == Some(UserState::Active))
    }

    /// A cookie as Roster sets them: `HttpOnly`, `SameSite=Lax`, for the
    /// whole site, `Secure` when the public URL is `https`.
    pub fn cookie(&self, name: &'static str, value: String) -> Cookie<'static> {
        Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .finish()
    }

    /// A cookie that removes `name`.
    pub fn removal(&self, name: &'static str) -> Cookie<'static> {
        let mut cookie = self.cookie(name, String::new());
        cookie.make_removal();
        cookie
    }

    /// A response with the headers every page has, setting the CSRF
    /// cookie if this browser had none.
    pub fn respond(&self, status: StatusCode) -> HttpResponseBuilder {
        let mut builder = page_response(status);
        if self.csrf_is_new {
            builder.cookie(self.cookie(CSRF_COOKIE, self.csrf_secret.clone()));
        }
        builder
    }

    /// A page.
    pub fn page(&self, status: StatusCode, html: String) -> HttpResponse {
        self.respond(status)
            .content_type("text/html; charset=utf-8")
            .body(html)
    }

    /// A `303 See Other` to `location`.
    pub fn redirect(&self, location: &str) -> HttpResponse {
        self.respond(StatusCode::SEE_OTHER)
            .insert_header(("Location", location))
            .finish()
    }
}

/// A response with the headers every page has: the policy, never in a
/// frame, never cached, no `Referer` (a page's URL may hold a token).
pub fn page_response(status: StatusCode) -> HttpResponseBuilder {
    let mut builder = HttpResponse::build(status);
    builder
        .insert_header(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("Cache-Control", "no-store"));
    builder
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Makes a new session secret: the cookie's value and the digest to store.
pub fn new_session_secret() -> (String, TokenDigest) {
    let secret = random_secret();
    let digest = TokenDigest::of(&secret);
    (secret, digest)
}

impl FromRequest for Browser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let session = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let csrf = req
            .cookie(CSRF_COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|v| v.len() == 43);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))?;
            let secure = state.public_url.starts_with("https://");
            let signed_in = match session.filter(|s| !s.is_empty() && s.len() <= 64) {
                Some(secret) => {
                    let digest = TokenDigest::of(&secret);
                    state
                        .db
                        .run(move |conn| {
                            let at = now();
                            let found = browser_sessions::find_live(conn, digest.as_str(), at)?;
                            if let Some((session, _)) = &found {
                                if (at - session.last_seen_at).num_seconds() >= TOUCH_INTERVAL_SECS {
                                    browser_sessions::touch(conn, session.id, at)?;
                                }
                            }
                            Ok(found)
                        })
                        .await?
                        .map(|(session, user)| SignedIn { session, user })
                }
                None => None,
            };
            let (csrf_secret, csrf_is_new) = match csrf {
                Some(secret) => (secret, false),
                None => (random_secret(), true),
            };
            Ok(Browser {
                signed_in,
                csrf_secret,
                csrf_is_new,
                secure,
            })
        })
    }
}

/// A page's failure: a status and a sentence to show.
#[derive(Debug, Clone)]
pub struct PageError {
    /// The status.
    pub status: StatusCode,
    /// What to tell the person.
    pub message: String,
}

impl PageError {
    /// A failure with a message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        let status = actix_web::ResponseError::status_code(&error);
        let message = match &error {
            ApiError::TooManyRequests(seconds) => {
                format!("Too many attempts. Try again in {seconds} seconds.")
            }
            ApiError::OAuth { description, .. } => description.clone(),
            ApiError::Forbidden(Some(text)) | ApiError::BadRequest(text) | ApiError::Conflict(text) => {
                text.clone()
            }
            ApiError::Internal(e) => {
                log::error!("page failed: {e:#}");
                "Something went wrong on our side. Please try again later.".into()
            }
            ApiError::Unavailable(_) => "Roster is busy. Please try again in a moment.".into(),
            other => other.to_string(),
        };
        Self { status, message }
    }
}
