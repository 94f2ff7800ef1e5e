//! The API's one error type, and the only place errors become HTTP responses.
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use roster_domain::FieldError;
use roster_persistence::{RepoError, Taken};
use serde_json::json;
use std::collections::BTreeMap;

/// Everything a request can fail with. Each variant renders exactly the body
/// the contract gives for it (GitLab's wording).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Fields with invalid values: `400 {"message": {field: [reasons]}}`.
    #[error("invalid fields: {0:?}")]
    Validation(BTreeMap<String, Vec<String>>),
    /// Required parameters absent: `400 {"error": "a is missing, b is missing"}`.
    #[error("missing parameters: {0:?}")]
    Missing(Vec<String>),
    /// A parameter problem told in GitLab's `400 {"error": "…"}` form.
    #[error("parameter error: {0}")]
    Param(String),
    /// A parameter of the wrong type or value: `400 {"error": "x is invalid"}`.
    #[error("invalid parameter: {0}")]
    InvalidParam(String),
    /// Another bad request: `400 {"message": "400 Bad request - …"}`.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// No or an unknown token.
    #[error("unauthorized")]
    Unauthorized,
    /// Not allowed; the text (if any) follows `403 Forbidden - `.
    #[error("forbidden: {0:?}")]
    Forbidden(Option<String>),
    /// `403 {"message": <text>}`, the text alone: GitLab's services' refusals
    /// (`You cannot ban blocked users.`).
    #[error("refused: {0}")]
    Refused(String),
    /// The token's scopes do not allow the request.
    #[error("insufficient scope")]
    InsufficientScope,
    /// `404 <what> Not Found`.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// `405`: keyset pagination asked for an order that does not support it.
    #[error("keyset pagination not available")]
    MethodNotAllowedKeyset,
    /// `405` with the allowed methods.
    #[error("method not allowed")]
    MethodNotAllowed(String),
    /// `409 <text>`.
    #[error("conflict: {0}")]
    Conflict(String),
    /// `413`.
    #[error("payload too large")]
    PayloadTooLarge,
    /// `431`: too many or too large headers.
    #[error("request headers too large")]
    HeadersTooLarge,
    /// `415`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// `429` with `Retry-After` in seconds.
    #[error("too many requests; retry after {0}s")]
    TooManyRequests(u64),
    /// `503` with `Retry-After`: the server is overloaded or the database is down.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// An OAuth error (RFC 6749 §5.2).
    #[error("oauth error {error}: {description}")]
    OAuth {
        /// The status (400 or 401).
        status: StatusCode,
        /// `invalid_grant`, `invalid_request`, …
        error: &'static str,
        /// A human-readable description.
        description: String,
    },
    /// `403 mfa_required` (§11): the password was right and a second factor
    /// is awaited, with the `mfa_token` that carries the sign-in on.
    #[error("second factor required")]
    MfaRequired {
        /// The `mfa_token`, shown once.
        token: String,
        /// What the user can answer with: `totp`, `webauthn`, `recovery_code`.
        methods: Vec<&'static str>,
    },
    /// Anything else: a bug or an outage. Logged whole, shown as a bare 500.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A one-field validation error.
    pub fn field(field: &str, reason: impl Into<String>) -> Self {
        let mut map = BTreeMap::new();
        map.insert(field.to_owned(), vec![reason.into()]);
        Self::Validation(map)
    }

    /// `unsupported_grant_type`: a grant this server does not take.
    pub fn unsupported_grant_type() -> Self {
        Self::OAuth {
            status: StatusCode::BAD_REQUEST,
            error: "unsupported_grant_type",
            description: "The authorization grant type is not supported by the authorization server.".into(),
        }
    }

    /// `invalid_grant` with a description.
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::OAuth {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_grant",
            description: description.into(),
        }
    }

    /// `invalid_request` with a description.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::OAuth {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            description: description.into(),
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        Self::field(e.field, e.problem.to_string())
    }
}

impl From<RepoError> for ApiError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::Taken(Taken::Email) => Self::Conflict("Email has already been taken".into()),
            RepoError::Taken(Taken::Username) => Self::Conflict("Username has already been taken".into()),
            RepoError::Taken(Taken::Identity) => Self::Conflict("Identity has already been taken".into()),
            RepoError::Taken(Taken::IdentityProvider) => {
                Self::Conflict("Identity provider is already linked".into())
            }
            RepoError::Taken(Taken::Fingerprint) => {
                let mut map = BTreeMap::new();
                map.insert(
                    "fingerprint".to_owned(),
                    vec!["has already been taken".to_owned()],
                );
                map.insert("key".to_owned(), vec!["has already been taken".to_owned()]);
                Self::Validation(map)
            }
            RepoError::Pool(_) => Self::Unavailable("database unavailable".into()),
            RepoError::ConnectionLost(e) => {
                log::warn!("database connection lost: {e}");
                Self::Unavailable("database connection lost".into())
            }
            other => Self::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation(_)
            | Self::Missing(_)
            | Self::Param(_)
            | Self::InvalidParam(_)
            | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::Refused(_) | Self::InsufficientScope | Self::MfaRequired { .. } => {
                StatusCode::FORBIDDEN
            }
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) | Self::MethodNotAllowedKeyset => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::OAuth { status, .. } => *status,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let body = match self {
            Self::Validation(fields) => json!({ "message": fields }),
            Self::Missing(names) => json!({
                "error": names.iter().map(|n| format!("{n} is missing")).collect::<Vec<_>>().join(", ")
            }),
            Self::Param(text) => json!({ "error": text }),
            Self::InvalidParam(name) => json!({ "error": format!("{name} is invalid") }),
            Self::BadRequest(text) => json!({ "message": format!("400 Bad request - {text}") }),
            Self::Unauthorized => json!({ "message": "401 Unauthorized" }),
            Self::Forbidden(None) => json!({ "message": "403 Forbidden" }),
            Self::Forbidden(Some(why)) => json!({ "message": format!("403 Forbidden - {why}") }),
            Self::InsufficientScope => json!({
                "error": "insufficient_scope",
                "error_description": "The request requires higher privileges than provided by the access token.",
                "scope": "api"
            }),
            Self::NotFound("") => json!({ "message": "404 Not Found" }),
            Self::NotFound(what) => json!({ "message": format!("404 {what} Not Found") }),
            Self::MethodNotAllowed(_) => json!({ "message": "405 Method Not Allowed" }),
            Self::MethodNotAllowedKeyset => json!({
                "message": "405 Method Not Allowed - Keyset pagination is not yet available for this type of request"
            }),
            Self::Conflict(text) | Self::Refused(text) => json!({ "message": text }),
            Self::PayloadTooLarge => json!({ "message": "413 Payload Too Large" }),
            Self::UnsupportedMediaType => json!({ "message": "415 Unsupported Media Type" }),
            Self::HeadersTooLarge => json!({ "message": "431 Request Header Fields Too Large" }),
            Self::TooManyRequests(_) => json!({ "message": "429 Too Many Requests" }),
            Self::Unavailable(_) => json!({ "message": "503 Service Unavailable" }),
            Self::OAuth {
                error, description, ..
            } => {
                json!({ "error": error, "error_description": description })
            }
            Self::MfaRequired { token, methods } => json!({
                "error": "mfa_required",
                "error_description": "The password is right; a second factor is required. Send it with the mfa grant and this mfa_token.",
                "mfa_token": token,
                "mfa_methods": methods,
            }),
            Self::Internal(e) => {
                log::error!("internal error: {e:#}");
                json!({ "message": "500 Internal Server Error" })
            }
        };
        let mut response = HttpResponse::build(status);
        match self {
            Self::MethodNotAllowed(allow) => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            Self::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            Self::TooManyRequests(seconds) => {
                response.insert_header((header::RETRY_AFTER, seconds.to_string()));
            }
            Self::Unauthorized => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"roster\""));
            }
            Self::MfaRequired { .. } => {
                response.insert_header((header::CACHE_CONTROL, "no-store"));
            }
            Self::OAuth { status, .. } => {
                response.insert_header((header::CACHE_CONTROL, "no-store"));
                // RFC 6749 §5.2: a failed client authentication names the
                // scheme the client may use.
                if *status == StatusCode::UNAUTHORIZED {
                    response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"roster\""));
                }
            }
            _ => {}
        }
        response.json(body)
    }
}
