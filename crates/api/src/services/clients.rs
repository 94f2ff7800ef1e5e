//! OAuth client authentication (RFC 6749 §2.3): `client_secret_basic` (HTTP
//! Basic, each part form-urlencoded) or `client_secret_post` (`client_id`
//! and `client_secret` in the body), never both; a public client names
//! itself with `client_id` alone.
use crate::http::error::ApiError;
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::HttpRequest;
use base64::Engine;
use roster_domain::TokenDigest;
use roster_persistence::applications::{self, ApplicationRow};

/// The credentials a request presents.
pub struct ClientCredentials {
    /// The client id.
    pub id: String,
    /// The secret, if any.
    pub secret: Option<String>,
    /// Whether they came in an `Authorization: Basic` header.
    pub basic: bool,
}

fn invalid_client(basic: bool) -> ApiError {
    ApiError::OAuth {
        status: StatusCode::UNAUTHORIZED,
        error: "invalid_client",
        description: if basic {
            "Client authentication failed (unknown client, or a wrong secret).".into()
        } else {
            "Client authentication failed: unknown client, no client authentication included, or a wrong secret."
                .into()
        },
    }
}

fn form_decoded(text: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={text}"))
        .ok()?
        .pop()
        .map(|(_, v)| v)
}

/// The client credentials of a request: from the `Authorization: Basic`
/// header or from the body. A body `client_id` beside the header is the
/// client naming itself, as RFC 8628 §3.1 and many libraries do, when it
/// names the same client; a second secret, or another client, is
/// `400 invalid_request` (RFC 6749 §2.3: one authentication method).
pub fn presented(
    req: &HttpRequest,
    body_id: Option<String>,
    body_secret: Option<String>,
) -> Result<Option<ClientCredentials>, ApiError> {
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, value)| value.trim().to_owned());
    let two_methods = || ApiError::invalid_request("Use one client authentication method, not two.");
    match (basic, body_id, body_secret) {
        (Some(_), _, Some(_)) => Err(two_methods()),
        (Some(value), body_id, None) => {
            let credentials = from_basic(&value)?;
            match body_id {
                Some(id) if id != credentials.id => Err(two_methods()),
                _ => Ok(Some(credentials)),
            }
        }
        (None, Some(id), secret) => Ok(Some(ClientCredentials {
            id,
            secret,
            basic: false,
        })),
        (None, None, Some(_)) => Err(invalid_client(false)),
        (None, None, None) => Ok(None),
    }
}

/// The credentials of an `Authorization: Basic` value (RFC 6749 §2.3.1:
/// each part form-encoded).
fn from_basic(value: &str) -> Result<ClientCredentials, ApiError> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(value)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| invalid_client(true))?;
    let (id, secret) = decoded.split_once(':').ok_or_else(|| invalid_client(true))?;
    Ok(ClientCredentials {
        id: form_decoded(id).ok_or_else(|| invalid_client(true))?,
        secret: Some(form_decoded(secret).ok_or_else(|| invalid_client(true))?),
        basic: true,
    })
}

/// The application the credentials prove: `401 invalid_client` for an
/// unknown one, a wrong secret, or a confidential one without its secret.
pub async fn authenticate(
    state: &AppState,
    credentials: ClientCredentials,
) -> Result<ApplicationRow, ApiError> {
    let ClientCredentials { id, secret, basic } = credentials;
    let app = state
        .db
        .run(move |conn| applications::find_by_uid(conn, &id))
        .await?
        .ok_or_else(|| invalid_client(basic))?;
    let proven = match secret {
        // The digest of a 192-bit secret: comparing digests reveals nothing
        // useful about the secret through timing.
        Some(secret) => TokenDigest::of(&secret).as_str() == app.secret_digest,
        None => !app.confidential,
    };
    if proven {
        Ok(app)
    } else {
        Err(invalid_client(basic))
    }
}
