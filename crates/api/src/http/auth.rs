//! Who is calling: the token in `Authorization: Bearer` or `PRIVATE-TOKEN`,
//! checked with one indexed look-up of its SHA-256 (never bcrypt).
use crate::http::error::ApiError;
use crate::settings::RequireTwoFactor;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::{header, Method};
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use roster_domain::{AppScopes, Scope, Scopes, TokenDigest, TokenKind, UserState, Viewer};
use roster_persistence::users::UserRow;
use roster_persistence::{now, oauth_tokens, personal_tokens, users, DbConnection, RepoError};

/// Uses closer together than this do not rewrite `last_used_at`.
const TOUCH_INTERVAL_SECS: i64 = 60;

/// The token a request was made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenUsed {
    /// A personal access token, by id.
    Personal(i64),
    /// An OAuth access token, by id and family.
    OAuth {
        /// The row id.
        id: i64,
        /// The grant family.
        family: String,
    },
    /// A browser session of Roster's own pages, by id.
    Session(i64),
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user.
    pub user: UserRow,
    /// What the token may do.
    pub scopes: Scopes,
    /// Which token.
    pub token: TokenUsed,
    /// When the token was made.
    pub token_created_at: chrono::NaiveDateTime,
    /// When the token stops working, if ever.
    pub token_expires_at: Option<chrono::NaiveDateTime>,
    /// The client's address (see `ROSTER_TRUST_PROXY`).
    pub ip: String,
    /// The admin behind the request when it acts as `user` for someone else:
    /// an impersonation token's maker, or an admin using `sudo`.
    pub acting_admin: Option<ActingAdmin>,
}

/// How an admin acts as another user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActingAdmin {
    /// Through an impersonation token the admin made (`None` when that
    /// admin's id was not kept).
    Impersonation {
        /// The token.
        token_id: i64,
        /// The admin who made it.
        admin_id: Option<i64>,
    },
    /// Through the `Sudo` header or `sudo` parameter.
    Sudo {
        /// The admin whose token it is.
        admin_id: i64,
    },
}

impl ActingAdmin {
    /// The admin's id, when known.
    pub fn admin_id(self) -> Option<i64> {
        match self {
            Self::Impersonation { admin_id, .. } => admin_id,
            Self::Sudo { admin_id } => Some(admin_id),
        }
    }
}

impl Caller {
    /// The caller as a viewer of profiles.
    pub fn viewer(&self) -> Viewer {
        Viewer::User {
            id: self.user.id,
            is_admin: self.user.is_admin,
        }
    }

    /// `403` unless the caller is an admin.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.user.is_admin {
            Ok(())
        } else {
            Err(ApiError::Forbidden(None))
        }
    }
}

/// A caller who is an admin: `401` without a valid token, `403` for anyone
/// else. Placed before a route's input, so a refused caller learns nothing
/// of what its input would have been.
#[derive(Debug, Clone)]
pub struct Admin(pub Caller);

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        Box::pin(async move {
            let caller = caller.await?;
            caller.require_admin()?;
            Ok(Admin(caller))
        })
    }
}

/// A caller who may or may not have sent a token. A token that was sent but is
/// not valid is still a 401, as in GitLab.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

impl MaybeCaller {
    /// The caller as a viewer of profiles.
    pub fn viewer(&self) -> Viewer {
        self.0.as_ref().map_or(Viewer::Anonymous, Caller::viewer)
    }
}

/// The token a request presents, if any. A request carrying two credentials
/// that are not the same token (a `PRIVATE-TOKEN` and an `Authorization`
/// header naming another token, or one that is not a bearer token) is
/// refused: answering it with whichever one works would hide a client's
/// mistake and could act for the wrong account.
fn presented_token(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let headers = req.headers();
    let private = match headers.get("PRIVATE-TOKEN") {
        None => None,
        Some(v) => Some(v.to_str().map_err(|_| ApiError::Unauthorized)?.trim().to_owned()),
    };
    let bearer = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(v) => {
            let auth = v.to_str().map_err(|_| ApiError::Unauthorized)?.trim();
            match auth.split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                    Some(Ok(token.trim().to_owned()))
                }
                _ => Some(Err(())),
            }
        }
    };
    match (private, bearer) {
        (None, None) => Ok(None),
        (Some(token), None) => Ok(Some(token)),
        (None, Some(Ok(token))) => Ok(Some(token)),
        // An `Authorization` of another scheme alone is not Roster's to read.
        (None, Some(Err(()))) => Ok(None),
        (Some(a), Some(Ok(b))) if a == b => Ok(Some(a)),
        (Some(_), Some(_)) => Err(ApiError::Unauthorized),
    }
}

/// Finds the caller of `token` on `conn`: one indexed look-up of the token
/// with its owner, plus at most a write a minute to note the use.
fn identify(
    conn: &mut DbConnection,
    kind: TokenKind,
    digest: &TokenDigest,
    ip: String,
) -> Result<Caller, ApiError> {
    let at = now();
    let today = at.date();
    let caller = match kind {
        // A group access token is a personal access token of the group's bot.
        TokenKind::Personal | TokenKind::GroupAccess => {
            let Some((pat, user)) = personal_tokens::authenticate_pat(conn, digest.as_str())? else {
                return Err(ApiError::Unauthorized);
            };
            if !pat.is_active_on(today) {
                return Err(ApiError::Unauthorized);
            }
            let stale = pat
                .last_used_at
                .is_none_or(|t| (at - t).num_seconds() >= TOUCH_INTERVAL_SECS);
            let ips = pat.ips_after_use_from(&ip);
            if stale || ips.is_some() {
                personal_tokens::touch_pat(conn, pat.id, at, ips.as_deref())?;
            }
            let scopes = Scopes::parse_joined(&pat.scopes).map_err(|_| ApiError::Unauthorized)?;
            Caller {
                user,
                scopes,
                token: TokenUsed::Personal(pat.id),
                token_created_at: pat.created_at,
                token_expires_at: pat.expires_at.and_then(|d| d.and_hms_opt(0, 0, 0)),
                ip,
                acting_admin: pat.impersonation.then_some(ActingAdmin::Impersonation {
                    token_id: pat.id,
                    admin_id: pat.created_by_id,
                }),
            }
        }
        TokenKind::OAuthAccess => {
            let Some((row, user)) = oauth_tokens::authenticate_oauth(conn, digest.as_str())? else {
                return Err(ApiError::Unauthorized);
            };
            if !row.access_valid_at(at) {
                return Err(ApiError::Unauthorized);
            }
            // A token of the browser flows may only sign in (`openid`,
            // `profile`, `email`): it reaches userinfo, not the API.
            let scopes = AppScopes::parse_joined(&row.scopes)
                .map_err(|_| ApiError::Unauthorized)?
                .api_scopes()
                .ok_or(ApiError::InsufficientScope)?;
            Caller {
                user,
                scopes,
                token: TokenUsed::OAuth {
                    id: row.id,
                    family: row.family,
                },
                token_created_at: row.created_at,
                token_expires_at: Some(row.expires_at),
                ip,
                acting_admin: None,
            }
        }
        TokenKind::OAuthRefresh | TokenKind::ApplicationSecret => return Err(ApiError::Unauthorized),
    };
    if caller.user.last_activity_on != Some(today) {
        users::touch_activity(conn, caller.user.id, today)?;
    }
    Ok(caller)
}

/// What a request asks of its caller beyond a valid token.
#[derive(Debug, Clone)]
struct Admission {
    /// It writes, so a read-only token is not enough.
    writes: bool,
    /// Who must have a second factor (`ROSTER_REQUIRE_TWO_FACTOR`).
    require_two_factor: RequireTwoFactor,
    /// It is one of the enrolment routes, which a user who must enrol
    /// reaches before enrolling.
    enrolls: bool,
    /// The user named by the `Sudo` header or the `sudo` parameter.
    sudo: Option<String>,
    /// `METHOD /path`, for the record of an impersonation token's use.
    request: String,
}

/// The routes a user who must have a second factor and has none may use.
const ENROLMENT_PREFIXES: [&str; 2] = ["/api/v4/user/two_factor", "/api/v4/user/webauthn"];

/// The `Sudo` header, or else the `sudo` query parameter (GitLab reads both).
fn sudo_of(req: &HttpRequest) -> Option<String> {
    let header = req
        .headers()
        .get("Sudo")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned());
    header
        .or_else(|| {
            url::form_urlencoded::parse(req.query_string().as_bytes())
                .find(|(k, _)| k == "sudo")
                .map(|(_, v)| v.trim().to_owned())
        })
        .filter(|v| !v.is_empty())
}

fn admission(req: &HttpRequest, state: &Result<web::Data<AppState>, ApiError>) -> Admission {
    let path = req.path();
    Admission {
        writes: !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS),
        require_two_factor: state
            .as_ref()
            .map_or(RequireTwoFactor::Off, |s| s.settings.require_two_factor),
        enrolls: ENROLMENT_PREFIXES.iter().any(|p| path.starts_with(p)),
        sudo: sudo_of(req),
        request: format!("{} {}", req.method(), path.chars().take(200).collect::<String>()),
    }
}

/// Acts as the user `who` names (an id or a user name) for an admin whose
/// token has the `sudo` scope, as GitLab does; that user is admitted in turn.
fn sudo(
    conn: &mut DbConnection,
    caller: Caller,
    who: &str,
    admission: &Admission,
) -> Result<Caller, ApiError> {
    if !caller.user.is_admin {
        return Err(ApiError::Forbidden(Some("Must be admin to use sudo".into())));
    }
    if !caller.scopes.contains(Scope::Sudo) {
        return Err(ApiError::InsufficientScope);
    }
    if caller.acting_admin.is_some() {
        return Err(ApiError::Forbidden(Some(
            "An impersonation token cannot use sudo".into(),
        )));
    }
    let target = match who.parse::<i64>() {
        Ok(id) if id > 0 => users::find_user(conn, id)?,
        _ => users::find_by_username(conn, who)?,
    }
    .ok_or(ApiError::NotFound("User"))?;
    let admin_id = caller.user.id;
    admit(
        Caller {
            user: target,
            acting_admin: Some(ActingAdmin::Sudo { admin_id }),
            ..caller
        },
        admission,
    )
}

/// Records a use of an impersonation token: the admin who made it acts,
/// the user is acted for.
fn record_impersonation(
    conn: &mut DbConnection,
    caller: &Caller,
    admission: &Admission,
) -> Result<(), ApiError> {
    let Some(ActingAdmin::Impersonation { token_id, admin_id }) = caller.acting_admin else {
        return Ok(());
    };
    let actor = crate::services::audit::Actor {
        id: admin_id,
        ip: Some(caller.ip.clone()),
        acting_admin: None,
    };
    actor.record(
        conn,
        "impersonation_token_used",
        Some(caller.user.id),
        serde_json::json!({ "token_id": token_id, "admin_id": admin_id, "request": admission.request }),
    )?;
    Ok(())
}

/// What a sign-up waiting for an admin's approval is told, as GitLab says it.
pub const PENDING_APPROVAL: &str =
    "Your account is pending approval from your administrator and hence blocked.";

/// Lets an identified caller in: `403` for blocked and deactivated users,
/// for writes with a read-only token, and for users who must have a second
/// factor and have none, but on the enrolment routes.
fn admit(caller: Caller, admission: &Admission) -> Result<Caller, ApiError> {
    let writes = admission.writes;
    match UserState::from_stored(&caller.user.state) {
        Some(UserState::Active) => {}
        Some(UserState::PendingApproval) => return Err(ApiError::Forbidden(Some(PENDING_APPROVAL.into()))),
        Some(s) if s.is_blocked() => {
            return Err(ApiError::Forbidden(Some("Your account has been blocked.".into())))
        }
        _ => {
            return Err(ApiError::Forbidden(Some(
                "Your account has been deactivated by your administrator.".into(),
            )))
        }
    }
    if !caller.scopes.can_read() || (writes && !caller.scopes.can_write()) {
        return Err(ApiError::InsufficientScope);
    }
    if !caller.user.two_factor_enabled
        && !admission.enrolls
        && admission.require_two_factor.applies_to(caller.user.is_admin)
    {
        return Err(ApiError::Forbidden(Some(
            "two-factor authentication required".into(),
        )));
    }
    Ok(caller)
}

/// Identifies the caller of `token`, admits it (see [`admit`]) and runs
/// `then` for it, all in one trip to the database.
async fn authenticate_with<T, F>(
    state: web::Data<AppState>,
    token: String,
    admission: Admission,
    ip: String,
    then: F,
) -> Result<(Caller, T), ApiError>
where
    F: FnOnce(&mut DbConnection, &Caller) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let kind = TokenKind::of(&token).ok_or(ApiError::Unauthorized)?;
    let digest = TokenDigest::of(&token);
    state
        .db
        .run_api(move |conn| {
            let caller = admit(identify(conn, kind, &digest, ip)?, &admission)?;
            let caller = match &admission.sudo {
                None => caller,
                Some(who) => sudo(conn, caller, who, &admission)?,
            };
            record_impersonation(conn, &caller, &admission)?;
            let value = then(conn, &caller)?;
            Ok((caller, value))
        })
        .await
}

async fn authenticate(
    state: web::Data<AppState>,
    token: String,
    admission: Admission,
    ip: String,
) -> Result<Caller, ApiError> {
    let (caller, ()) = authenticate_with(state, token, admission, ip, |_, _| Ok(())).await?;
    Ok(caller)
}

/// Authenticates the request and runs `then` for the caller in the same trip
/// to the database: for the hottest reads (`GET /user`), which would
/// otherwise pay for two hand-offs to the blocking pool.
pub async fn authenticate_then<T, F>(req: &HttpRequest, then: F) -> Result<(Caller, T), ApiError>
where
    F: FnOnce(&mut DbConnection, &Caller) -> Result<T, RepoError> + Send + 'static,
    T: Send + 'static,
{
    let state = state_of(req);
    let ip = ip_of(req, &state);
    let token = presented_token(req)?.ok_or(ApiError::Unauthorized)?;
    let admission = admission(req, &state);
    authenticate_with(state?, token, admission, ip, move |conn, caller| {
        then(conn, caller).map_err(ApiError::from)
    })
    .await
}

/// Like [`authenticate_then`], for routes that callers without a token may
/// use too (`GET /users`, `GET /users/:id`): `then` gets the viewer, which is
/// anonymous when no token was sent. A token that was sent but is not valid
/// is a 401, as with [`MaybeCaller`].
pub async fn maybe_authenticate_then<T, F>(req: &HttpRequest, then: F) -> Result<(MaybeCaller, T), ApiError>
where
    F: FnOnce(&mut DbConnection, Viewer) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let state = state_of(req);
    let ip = ip_of(req, &state);
    let admission = admission(req, &state);
    let state = state?;
    match presented_token(req)? {
        None => {
            let value = state
                .db
                .run_api(move |conn| then(conn, Viewer::Anonymous))
                .await?;
            Ok((MaybeCaller(None), value))
        }
        Some(token) => {
            let (caller, value) = authenticate_with(state, token, admission, ip, move |conn, caller| {
                then(conn, caller.viewer())
            })
            .await?;
            Ok((MaybeCaller(Some(caller)), value))
        }
    }
}

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))
}

fn ip_of(req: &HttpRequest, state: &Result<web::Data<AppState>, ApiError>) -> String {
    let trust_proxy = state.as_ref().is_ok_and(|s| s.settings.trust_proxy);
    crate::rate_limit::client_address(req, trust_proxy)
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = presented_token(req);
        let state = state_of(req);
        let admission = admission(req, &state);
        let ip = ip_of(req, &state);
        Box::pin(async move {
            let token = token?.ok_or(ApiError::Unauthorized)?;
            authenticate(state?, token, admission, ip).await
        })
    }
}

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = presented_token(req);
        let state = state_of(req);
        let admission = admission(req, &state);
        let ip = ip_of(req, &state);
        Box::pin(async move {
            match token? {
                None => Ok(MaybeCaller(None)),
                Some(token) => Ok(MaybeCaller(Some(
                    authenticate(state?, token, admission, ip).await?,
                ))),
            }
        })
    }
}
