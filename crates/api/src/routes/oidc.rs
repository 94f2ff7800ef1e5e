//! OpenID Connect beside the grants: discovery, userinfo, introspection,
//! RP-initiated logout, and the applications a user authorized.
use crate::endpoint;
use crate::http::auth::Caller;
use crate::http::browser::{Browser, PageError};
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::inputs::browser::LogoutRequest;
use crate::inputs::oauth::IntrospectRequest;
use crate::routes::sign_in::{end_session, failure, message, submitted};
use crate::services::audit::Actor;
use crate::services::oidc::{self, BearerRefusal};
use crate::services::{authorizations, clients};
use crate::state::AppState;
use crate::views::pages::{render, ConfirmPage};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use roster_domain::RedirectUris;
use roster_persistence::applications;
use serde_json::{json, Value};

/// `GET /.well-known/openid-configuration`, made once per server.
pub async fn discovery(state: web::Data<AppState>) -> HttpResponse {
    let text = state
        .discovery
        .get_or_init(|| oidc::discovery(&state).to_string());
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(text.clone())
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// `GET` and `POST /oauth/userinfo` (OIDC Core §5.3), with a bearer token.
pub async fn userinfo(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let refusal = |status: StatusCode, error: &str, description: &str| {
        HttpResponse::build(status)
            .insert_header((
                header::WWW_AUTHENTICATE,
                format!(r#"Bearer error="{error}", error_description="{description}""#),
            ))
            .json(json!({"error": error, "error_description": description}))
    };
    let Some(token) = bearer(&req) else {
        return Ok(refusal(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "No access token was sent.",
        ));
    };
    match oidc::userinfo(&state, &token).await {
        Ok(claims) => Ok(HttpResponse::Ok().json(claims)),
        Err(BearerRefusal::InvalidToken) => Ok(refusal(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "The access token is invalid, expired or revoked.",
        )),
        Err(BearerRefusal::InsufficientScope) => Ok(refusal(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "The access token does not have the openid scope.",
        )),
        Err(BearerRefusal::Failed(e)) => Err(e),
    }
}

/// `POST /oauth/introspect` (RFC 7662): for a registered confidential
/// client, what a token issued to it is.
pub async fn introspect(
    req: HttpRequest,
    state: web::Data<AppState>,
    input: Input<IntrospectRequest>,
) -> Result<HttpResponse, ApiError> {
    let credentials = clients::presented(&req, None, None)?;
    let input = input.check();
    let credentials = match (credentials, &input) {
        (Some(c), _) => Some(c),
        (None, Ok(i)) => clients::presented(&req, i.client_id.clone(), i.client_secret.clone())?,
        (None, Err(_)) => None,
    };
    let client = match credentials {
        Some(c) if c.secret.is_some() => clients::authenticate(&state, c).await?,
        _ => {
            return Err(ApiError::OAuth {
                status: StatusCode::UNAUTHORIZED,
                error: "invalid_client",
                description: "Introspection needs a confidential application's credentials.".into(),
            })
        }
    };
    let input = input?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(oidc::introspect(&state, client.id, input.token).await?))
}

/// The application a logout request names, by its hint or its client id,
/// and where it may return to.
struct LogoutTarget {
    user_id: Option<i64>,
    redirect: Option<String>,
}

async fn logout_target(state: &AppState, request: &LogoutRequest) -> Result<LogoutTarget, PageError> {
    let bad = |text: &str| PageError::new(StatusCode::BAD_REQUEST, text);
    let mut client_id = request.client_id.clone().filter(|c| !c.is_empty());
    let mut user_id = None;
    if let Some(hint) = request.id_token_hint.as_deref().filter(|h| !h.is_empty()) {
        let claims: Value = oidc::verified_hint(state, hint)
            .await?
            .ok_or_else(|| bad("The id_token_hint is not an ID token Roster issued."))?;
        let audience = claims.get("aud").and_then(Value::as_str).map(str::to_owned);
        if client_id.is_some() && audience.is_some() && client_id != audience {
            return Err(bad("The id_token_hint was issued to another application."));
        }
        client_id = client_id.or(audience);
        user_id = claims
            .get("sub")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<i64>().ok());
    }
    let Some(uri) = request.post_logout_redirect_uri.clone().filter(|u| !u.is_empty()) else {
        return Ok(LogoutTarget {
            user_id,
            redirect: None,
        });
    };
    let client_id =
        client_id.ok_or_else(|| bad("post_logout_redirect_uri needs an id_token_hint or a client_id."))?;
    let app = state
        .db
        .run(move |conn| applications::find_by_uid(conn, &client_id))
        .await?
        .ok_or_else(|| bad("The application is not registered here."))?;
    if !RedirectUris::from_stored(&app.redirect_uris).contains(&uri) {
        return Err(bad(
            "post_logout_redirect_uri is not one of the application's redirect URIs.",
        ));
    }
    let mut url = url::Url::parse(&uri).map_err(|_| bad("post_logout_redirect_uri is not a URI."))?;
    if let Some(st) = request.state.as_deref() {
        url.query_pairs_mut().append_pair("state", st);
    }
    Ok(LogoutTarget {
        user_id,
        redirect: Some(url.to_string()),
    })
}

async fn sign_out_to(
    req: &HttpRequest,
    state: &AppState,
    browser: &Browser,
    target: LogoutTarget,
) -> HttpResponse {
    let done = match target.redirect {
        Some(location) => browser
            .respond(StatusCode::FOUND)
            .insert_header(("Location", location))
            .finish(),
        None => message(
            browser,
            StatusCode::OK,
            "Signed out",
            "You are signed out of Roster.".into(),
            Some(("/-/sign_in".into(), "Sign in again".into())),
        ),
    };
    end_session(req, state, browser, done).await
}

/// `GET /oauth/logout` (OIDC RP-Initiated Logout 1.0): signs out at once
/// when the hint names the person signed in; otherwise asks first.
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    browser: Browser,
    input: Input<LogoutRequest>,
) -> HttpResponse {
    let request = match input.check() {
        Ok(request) => request,
        Err(e) => return failure(&browser, e.into()),
    };
    let target = match logout_target(&state, &request).await {
        Ok(target) => target,
        Err(e) => return failure(&browser, e),
    };
    let Some(signed_in) = &browser.signed_in else {
        return sign_out_to(&req, &state, &browser, target).await;
    };
    if target.user_id == Some(signed_in.user.id) {
        return sign_out_to(&req, &state, &browser, target).await;
    }
    let mut fields = Vec::new();
    for (name, value) in [
        ("id_token_hint", &request.id_token_hint),
        ("post_logout_redirect_uri", &request.post_logout_redirect_uri),
        ("state", &request.state),
        ("client_id", &request.client_id),
    ] {
        if let Some(value) = value {
            fields.push((name, value.clone()));
        }
    }
    browser.page(
        StatusCode::OK,
        render(&ConfirmPage {
            title: "Sign out",
            message: format!(
                "Sign out of Roster ({}) in this browser?",
                signed_in.user.username
            ),
            action: "/oauth/logout",
            fields,
            button: "Sign out",
            authenticity_token: browser.authenticity_token(),
        }),
    )
}

/// `POST /oauth/logout`: the confirmation's answer.
pub async fn logout_confirmed(
    req: HttpRequest,
    state: web::Data<AppState>,
    browser: Browser,
    input: Input<LogoutRequest>,
) -> HttpResponse {
    let request = match submitted(&browser, input, |f| f.authenticity_token.as_deref()) {
        Ok(request) => request,
        Err(page) => return *page,
    };
    match logout_target(&state, &request).await {
        Ok(target) => sign_out_to(&req, &state, &browser, target).await,
        Err(e) => failure(&browser, e),
    }
}

/// `GET /api/v4/user/authorized_applications`.
pub async fn authorized_applications(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let rows = authorizations::list(&state, caller.user.id).await?;
    Ok(HttpResponse::Ok().json(
        rows.iter()
            .map(crate::views::applications::authorized)
            .collect::<Vec<_>>(),
    ))
}

/// `DELETE /api/v4/user/authorized_applications/:id`: withdraws the grant
/// and revokes every token of it.
pub async fn revoke_authorization(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: i64 = path
        .parse()
        .map_err(|_| ApiError::NotFound("Authorized application"))?;
    authorizations::revoke(&state, Actor::of(&caller), caller.user.id, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers the OpenID Connect routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/.well-known/openid-configuration", GET => discovery);
    endpoint!(cfg, "/oauth/userinfo", GET => userinfo, POST => userinfo);
    endpoint!(cfg, "/oauth/introspect", POST => introspect);
    endpoint!(cfg, "/oauth/logout", GET => logout, POST => logout_confirmed);
}

/// Registers the routes inside `/api/v4`.
pub fn configure_api(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/user/authorized_applications", GET => authorized_applications);
    endpoint!(cfg, "/user/authorized_applications/{id}", DELETE => revoke_authorization);
}
