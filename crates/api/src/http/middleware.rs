//! Checks made on every request before any route sees it, and the one place
//! that makes sure every error answer is JSON.
use crate::http::error::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::ResponseError;

/// Most headers a request may carry, and most bytes they may take together.
pub const MAX_HEADERS: usize = 64;
/// See [`MAX_HEADERS`].
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// `431` when a request's headers are too many or too large.
fn header_problem(headers: &HeaderMap) -> Option<ApiError> {
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    (headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES).then_some(ApiError::HeadersTooLarge)
}

/// Whether percent-encoded text holds a NUL character (`%00`).
fn encodes_nul(text: &str) -> bool {
    text.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// `400` when the path or the query holds a NUL character: PostgreSQL refuses
/// NUL in text, and no name, id or search term of Roster's can hold one, so
/// such a request is refused here, alike on both backends, before any route
/// could pass the value to the database.
fn nul_problem(req: &ServiceRequest) -> Option<ApiError> {
    let uri = req.uri();
    let target = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    encodes_nul(target).then(|| ApiError::BadRequest("NUL characters are not allowed in a URL".into()))
}

/// The answer to a request refused before routing, if it is refused.
pub fn refuse_early(req: &ServiceRequest) -> Option<ApiError> {
    header_problem(req.headers()).or_else(|| nul_problem(req))
}

/// Every error answer is JSON (the contract, §1). Routes answer with
/// [`ApiError`], which is; this catches what actix answers on its own before a
/// route runs (a body over its limit, a path that does not parse), whose body
/// is plain text, and gives it GitLab's `{"message": "<status> <reason>"}`.
/// HTML error pages of the browser pages are left as they are.
pub fn json_errors<B: MessageBody + 'static>(res: ServiceResponse<B>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let is_error = status.is_client_error() || status.is_server_error();
    let keeps_body = content_type.starts_with("application/json")
        || content_type.starts_with("text/html")
        || content_type.starts_with("application/problem+json");
    if !is_error || keeps_body || status == actix_web::http::StatusCode::NOT_MODIFIED {
        return res.map_into_boxed_body();
    }
    let reason = status.canonical_reason().unwrap_or("Error");
    let body = serde_json::json!({ "message": format!("{} {reason}", status.as_u16()) });
    let (request, response) = res.into_parts();
    let mut rebuilt = actix_web::HttpResponse::build(status);
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rebuilt.append_header((name.clone(), value.clone()));
        }
    }
    rebuilt.insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/json")));
    ServiceResponse::new(request, rebuilt.body(body.to_string()))
}

/// The endpoints any web origin may call (OIDC clients running in a
/// browser); never `/oauth/authorize`, which a browser navigates to.
pub const CORS_PATHS: [&str; 6] = [
    "/.well-known/openid-configuration",
    "/oauth/discovery/keys",
    "/oauth/token",
    "/oauth/userinfo",
    "/oauth/introspect",
    "/oauth/revoke",
];

fn cross_origin(path: &str) -> bool {
    CORS_PATHS.contains(&path)
}

/// The answer to a CORS preflight (`OPTIONS` with
/// `Access-Control-Request-Method`) for one of [`CORS_PATHS`].
pub fn cors_preflight(req: &ServiceRequest) -> Option<actix_web::HttpResponse> {
    let preflight = req.method() == actix_web::http::Method::OPTIONS
        && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        && cross_origin(req.path());
    preflight.then(|| {
        actix_web::HttpResponse::NoContent()
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS"))
            .insert_header((
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                "Authorization, Content-Type",
            ))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "86400"))
            .finish()
    })
}

/// Lets any origin read the answers of [`CORS_PATHS`], errors included
/// (the credentials are in the request, never in cookies).
pub fn allow_any_origin(mut res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    if cross_origin(res.request().path()) {
        res.headers_mut()
            .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    }
    res
}

/// The response for a request refused by [`refuse_early`].
pub fn refusal(req: ServiceRequest, problem: &ApiError) -> ServiceResponse<BoxBody> {
    let (request, _) = req.into_parts();
    ServiceResponse::new(request, problem.error_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_encoded_nul_only() {
        assert!(encodes_nul("/api/v4/users/%00/keys"));
        assert!(encodes_nul("/api/v4/users?search=a%00b"));
        assert!(!encodes_nul("/api/v4/users?search=%2500"));
        assert!(!encodes_nul("/api/v4/users?page=100"));
    }
}
