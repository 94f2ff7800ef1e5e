//! The authorization endpoint's rules (RFC 6749 §4.1, RFC 7636, OIDC Core
//! §3.1.2): which requests are refused on a page (an unknown client, a
//! redirect URI that is not registered: never redirect there), which are
//! answered at the application's redirect URI with an error, when the
//! person must sign in or consent, and the codes that end it.
use crate::http::browser::PageError;
use crate::http::error::ApiError;
use crate::inputs::browser::AuthorizeRequest;
use crate::services::audit::Actor;
use crate::services::sessions::remember_grant;
use crate::state::AppState;
use actix_web::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use roster_domain::{AppScope, AppScopes, CodeChallenge, Prompt, RedirectUris, TokenDigest};
use roster_persistence::applications::{self, ApplicationRow};
use roster_persistence::oauth_codes::{self, NewCode};
use roster_persistence::{now, oauth_grants};
use serde_json::json;

/// How long a code may wait to be exchanged.
pub const CODE_LIFETIME: Duration = Duration::minutes(10);
/// The longest `state` and `nonce` Roster carries.
const MAX_OPAQUE: usize = 2048;

/// Why an authorization request stops.
#[derive(Debug)]
pub enum Refusal {
    /// Told on a page: the request cannot be trusted with a redirect.
    Page(PageError),
    /// Sent back to the application (RFC 6749 §4.1.2.1).
    Redirect(Redirect),
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Self::Page(e.into())
    }
}

/// A redirect back to the application.
#[derive(Debug, Clone)]
pub struct Redirect {
    /// The registered URI.
    pub uri: String,
    /// The parameters to add to its query.
    pub params: Vec<(&'static str, String)>,
}

impl Redirect {
    /// The URI with the parameters added (to any query it has already).
    pub fn location(&self) -> String {
        match url::Url::parse(&self.uri) {
            Ok(mut url) => {
                {
                    let mut query = url.query_pairs_mut();
                    for (name, value) in &self.params {
                        query.append_pair(name, value);
                    }
                }
                url.to_string()
            }
            // Registered URIs were parsed when registered.
            Err(_) => self.uri.clone(),
        }
    }
}

/// A request that passed every check.
#[derive(Debug, Clone)]
pub struct Valid {
    /// The application.
    pub app: ApplicationRow,
    /// Where the answer goes.
    pub redirect_uri: String,
    /// Whether the request named the redirect URI.
    pub redirect_uri_given: bool,
    /// What is asked for.
    pub scopes: AppScopes,
    /// Sent back with the answer.
    pub state: Option<String>,
    /// Put in the ID token.
    pub nonce: Option<String>,
    /// The PKCE challenge.
    pub challenge: Option<CodeChallenge>,
    /// What `prompt` asks.
    pub prompt: Prompt,
    /// `max_age`, in seconds.
    pub max_age: Option<i64>,
}

impl Valid {
    /// An error for the application, with `state` and `iss` (RFC 9207).
    pub fn error(&self, public_url: &str, error: &'static str, description: &str) -> Redirect {
        error_redirect(
            &self.redirect_uri,
            self.state.as_deref(),
            public_url,
            error,
            description,
        )
    }

    /// Whether the person must (again) prove who they are, having signed in
    /// at `authenticated_at`.
    pub fn needs_sign_in(&self, authenticated_at: NaiveDateTime) -> bool {
        self.prompt.login
            || self
                .max_age
                .is_some_and(|max| (now() - authenticated_at).num_seconds() > max)
    }
}

fn error_redirect(
    uri: &str,
    state: Option<&str>,
    public_url: &str,
    error: &'static str,
    description: &str,
) -> Redirect {
    let mut params = vec![
        ("error", error.to_owned()),
        ("error_description", description.to_owned()),
    ];
    if let Some(state) = state {
        params.push(("state", state.to_owned()));
    }
    params.push(("iss", public_url.to_owned()));
    Redirect {
        uri: uri.to_owned(),
        params,
    }
}

fn page(message: &str) -> Refusal {
    Refusal::Page(PageError::new(StatusCode::BAD_REQUEST, message))
}

/// Checks an authorization request, in RFC 6749's order: the client and
/// the redirect URI first (refused on a page), then the rest (refused at
/// the redirect URI).
pub async fn validate(state: &AppState, request: &AuthorizeRequest) -> Result<Valid, Refusal> {
    let Some(client_id) = request.client_id.clone().filter(|c| !c.is_empty()) else {
        return Err(page(
            "The request does not say which application is asking (client_id is missing).",
        ));
    };
    let app = state
        .db
        .run(move |conn| applications::find_by_uid(conn, &client_id))
        .await?
        .ok_or_else(|| page("The application asking is not registered here (unknown client_id)."))?;
    let registered = RedirectUris::from_stored(&app.redirect_uris);
    let (redirect_uri, redirect_uri_given) =
        match &request.redirect_uri {
            Some(uri) if registered.contains(uri) => (uri.clone(), true),
            Some(_) => return Err(page(
                "The redirect URI is not one this application registered, so Roster will not send you there.",
            )),
            None => {
                let mut all = registered.iter();
                match (all.next(), all.next()) {
                    (Some(only), None) => (only.to_owned(), false),
                    _ => {
                        return Err(page(
                            "The request must name one of the application's redirect URIs.",
                        ))
                    }
                }
            }
        };
    let url = state.public_url.clone();
    let st = request.state.clone().filter(|s| s.len() <= MAX_OPAQUE);
    let refuse = |error: &'static str, description: &str| {
        Refusal::Redirect(error_redirect(
            &redirect_uri,
            st.as_deref(),
            &url,
            error,
            description,
        ))
    };
    if request.state.as_ref().is_some_and(|s| s.len() > MAX_OPAQUE) {
        return Err(refuse("invalid_request", "The state parameter is too long."));
    }
    match request.response_type.as_deref() {
        Some("code") => {}
        None | Some("") => {
            return Err(refuse(
                "invalid_request",
                "Missing required parameter: response_type.",
            ))
        }
        Some(_) => {
            return Err(refuse(
                "unsupported_response_type",
                "The authorization server does not support this response type.",
            ))
        }
    }
    let registered_scopes =
        AppScopes::parse_joined(&app.scopes).map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    let scopes = match request.scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => registered_scopes.clone(),
        Some(asked) => AppScopes::parse_joined(asked).map_err(|_| {
            refuse(
                "invalid_scope",
                "The requested scope is invalid, unknown, or malformed.",
            )
        })?,
    };
    if !registered_scopes.covers(&scopes) {
        return Err(refuse(
            "invalid_scope",
            "The application is not registered for the requested scope.",
        ));
    }
    let challenge = match (
        request.code_challenge.as_deref(),
        request.code_challenge_method.as_deref(),
    ) {
        (None, None) => None,
        (Some(challenge), Some("S256")) => Some(CodeChallenge::parse(challenge).ok_or_else(|| {
            refuse(
                "invalid_request",
                "code_challenge must be 43 characters of base64url (S256).",
            )
        })?),
        (Some(_), None) | (Some(_), Some("plain")) | (None, Some(_)) | (Some(_), Some(_)) => {
            return Err(refuse(
                "invalid_request",
                "Use PKCE with code_challenge_method=S256 and a code_challenge.",
            ))
        }
    };
    if challenge.is_none() && !app.confidential {
        return Err(refuse(
            "invalid_request",
            "A public client must use PKCE (code_challenge with code_challenge_method=S256).",
        ));
    }
    let prompt = Prompt::parse(request.prompt.as_deref().unwrap_or(""))
        .ok_or_else(|| refuse("invalid_request", "prompt must be none, login or consent."))?;
    let max_age = match request.max_age.as_deref() {
        None | Some("") => None,
        Some(v) => Some(
            roster_domain::parse_max_age(v)
                .ok_or_else(|| refuse("invalid_request", "max_age must be a number of seconds."))?,
        ),
    };
    let nonce = request.nonce.clone().filter(|n| !n.is_empty());
    if nonce.as_ref().is_some_and(|n| n.len() > MAX_OPAQUE) {
        return Err(refuse("invalid_request", "The nonce is too long."));
    }
    Ok(Valid {
        app,
        redirect_uri,
        redirect_uri_given,
        scopes,
        state: st,
        nonce,
        challenge,
        prompt,
        max_age,
    })
}

/// Whether the person must be asked before the application gets `scopes`:
/// not for a trusted application, nor for what they granted before,
/// unless `prompt=consent`.
pub async fn needs_consent(state: &AppState, valid: &Valid, user_id: i64) -> Result<bool, ApiError> {
    if valid.app.trusted && !valid.prompt.consent {
        return Ok(false);
    }
    if valid.prompt.consent {
        return Ok(true);
    }
    let app = valid.app.id;
    let granted = state
        .db
        .run(move |conn| oauth_grants::find(conn, user_id, app))
        .await?;
    Ok(!granted
        .and_then(|g| AppScopes::parse_joined(&g.scopes).ok())
        .is_some_and(|g| g.covers(&valid.scopes)))
}

/// What each scope lets an application do, for the consent page.
pub fn describe(scope: AppScope) -> &'static str {
    match scope {
        AppScope::Api => "read and change everything your account can, through the API",
        AppScope::ReadApi => "read everything your account can see, through the API",
        AppScope::ReadUser => "read your profile and the users you can see, through the API",
        AppScope::OpenId => "know who you are: your user id, name, user name, avatar and e-mail address",
        AppScope::Profile => "see your name, user name, website and avatar",
        AppScope::Email => "see your e-mail address",
        AppScope::OfflineAccess => "keep access while you are away (a refresh token)",
    }
}

/// Issues a code for `user_id` (recording consent first when the person
/// just gave it) and answers the redirect that carries it.
pub async fn issue_code(
    state: &AppState,
    valid: &Valid,
    user_id: i64,
    auth_time: NaiveDateTime,
    consented: bool,
    ip: String,
) -> Result<Redirect, ApiError> {
    let code = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let digest = TokenDigest::of(&code);
    let v = valid.clone();
    state
        .db
        .write(move |conn| {
            let at = now();
            let actor = Actor::user(user_id, Some(&ip));
            let scopes = v.scopes.joined();
            if consented {
                remember_grant(conn, user_id, v.app.id, &scopes)?;
                actor.record_application(
                    conn,
                    "oauth_consent_granted",
                    v.app.id,
                    json!({"user_id": user_id, "scopes": scopes}),
                )?;
            }
            oauth_codes::create(
                conn,
                &NewCode {
                    code_digest: digest.as_str(),
                    application_id: v.app.id,
                    user_id,
                    redirect_uri: &v.redirect_uri,
                    redirect_uri_given: v.redirect_uri_given,
                    scopes: &scopes,
                    nonce: v.nonce.as_deref(),
                    code_challenge: v.challenge.as_ref().map(CodeChallenge::as_str),
                    auth_time,
                    expires_at: at + CODE_LIFETIME,
                    created_at: at,
                },
            )?;
            actor.record_application(
                conn,
                "oauth_authorization_granted",
                v.app.id,
                json!({"user_id": user_id, "scopes": scopes}),
            )?;
            if rand::random::<u8>() == 0 {
                oauth_codes::sweep(conn, at - Duration::days(1))?;
            }
            Ok(())
        })
        .await?;
    let mut params = vec![("code", code)];
    if let Some(st) = &valid.state {
        params.push(("state", st.clone()));
    }
    params.push(("iss", state.public_url.clone()));
    Ok(Redirect {
        uri: valid.redirect_uri.clone(),
        params,
    })
}

/// Records that the person refused, and answers `access_denied`.
pub async fn deny(state: &AppState, valid: &Valid, user_id: i64, ip: String) -> Result<Redirect, ApiError> {
    let app = valid.app.id;
    state
        .db
        .write(move |conn| {
            Actor::user(user_id, Some(&ip)).record_application(
                conn,
                "oauth_consent_denied",
                app,
                json!({"user_id": user_id}),
            )?;
            Ok(())
        })
        .await?;
    Ok(valid.error(
        &state.public_url,
        "access_denied",
        "The person did not allow the application.",
    ))
}
