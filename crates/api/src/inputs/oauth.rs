//! Inputs of the OAuth 2 endpoints. Their problems are answered as RFC 6749
//! and RFC 7009 say (`{"error": "invalid_request", …}`), not with GitLab's
//! field errors.
use crate::http::error::ApiError;
use crate::http::input::RequestInput;
use crate::http::params::Fields;
use crate::services::two_factor::Proof;
use actix_web::http::StatusCode;
use roster_domain::{FieldError, Problem, Scopes, SecondFactorCode};
use utoipa::ToSchema;

/// The grants `POST /oauth/token` takes.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum GrantType {
    password,
    refresh_token,
    authorization_code,
    #[schema(rename = "urn:ietf:params:oauth:grant-type:device_code")]
    device_code,
    #[schema(rename = "urn:roster:params:oauth:grant-type:mfa")]
    mfa,
}

/// The fields of `POST /oauth/token` (form or JSON).
#[derive(ToSchema)]
pub struct TokenRequestFields {
    /// `password`, `refresh_token`, `authorization_code`,
    /// `urn:ietf:params:oauth:grant-type:device_code` or
    /// `urn:roster:params:oauth:grant-type:mfa`.
    #[schema(value_type = GrantType)]
    pub grant_type: String,
    /// The user name or e-mail address (`password` grant).
    #[schema(min_length = 1)]
    pub username: Option<String>,
    /// The password (`password` grant).
    #[schema(min_length = 1, format = Password)]
    pub password: Option<String>,
    /// Scopes asked for, separated by spaces (`password` grant; all of the
    /// user's when left out).
    #[schema(pattern = r"^[ ,]*((api|read_api|read_user)[ ,]*)*$")]
    pub scope: Option<String>,
    /// The refresh token (`refresh_token` grant).
    #[schema(min_length = 1)]
    pub refresh_token: Option<String>,
    /// The authorization code (`authorization_code` grant).
    #[schema(min_length = 1)]
    pub code: Option<String>,
    /// The redirect URI the code was sent to, if the authorization request
    /// named one (`authorization_code` grant).
    #[schema(min_length = 1)]
    pub redirect_uri: Option<String>,
    /// The PKCE verifier (`authorization_code` grant).
    #[schema(min_length = 43, max_length = 128, pattern = r"^[A-Za-z0-9._~-]+$")]
    pub code_verifier: Option<String>,
    /// The device code (device grant).
    #[schema(min_length = 1)]
    pub device_code: Option<String>,
    /// A TOTP code (six digits) or a recovery code (16 hex digits): with
    /// the password (`password` grant) of a user who has a second factor,
    /// or with `mfa_token` (mfa grant). An answer of neither form is a
    /// wrong code (`invalid_grant`).
    pub otp: Option<String>,
    /// The `mfa_token` of a `403 mfa_required` answer (mfa grant).
    #[schema(min_length = 1)]
    pub mfa_token: Option<String>,
    /// A WebAuthn assertion, instead of `otp` (mfa grant): the
    /// `PublicKeyCredential` in its JSON form, as a string, after
    /// `POST /oauth/mfa/webauthn/options`.
    #[schema(min_length = 2)]
    pub webauthn_assertion: Option<String>,
    /// A registered application's client id (`client_secret_post`, or a
    /// public client naming itself); or use HTTP Basic authentication.
    #[schema(min_length = 1)]
    pub client_id: Option<String>,
    /// The application's secret (`client_secret_post`).
    #[schema(min_length = 1, format = Password)]
    pub client_secret: Option<String>,
}

/// `POST /oauth/token`: the grant, and the client's credentials when sent
/// in the body.
pub struct TokenRequest {
    /// What is asked for.
    pub grant: Grant,
    /// `client_id`, if sent in the body.
    pub client_id: Option<String>,
    /// `client_secret`, if sent in the body.
    pub client_secret: Option<String>,
}

/// The grants of `POST /oauth/token`.
pub enum Grant {
    /// Resource owner password credentials (RFC 6749 §4.3).
    Password {
        /// The user name or e-mail address.
        username: String,
        /// The password.
        password: String,
        /// The scopes asked for.
        scopes: Option<Scopes>,
        /// The second factor, if sent.
        otp: Option<SecondFactorCode>,
    },
    /// The second step of a password grant (§11).
    Mfa {
        /// The `mfa_token` the password step answered with.
        mfa_token: String,
        /// A code or a WebAuthn assertion.
        proof: Proof,
    },
    /// A refresh (RFC 6749 §6).
    Refresh {
        /// The refresh token.
        refresh_token: String,
    },
    /// An authorization code (RFC 6749 §4.1.3, RFC 7636 §4.5).
    AuthorizationCode {
        /// The code.
        code: String,
        /// The redirect URI, if sent.
        redirect_uri: Option<String>,
        /// The PKCE verifier, if sent.
        code_verifier: Option<String>,
    },
    /// A device code (RFC 8628 §3.4).
    DeviceCode {
        /// The device code.
        device_code: String,
    },
}

crate::input_made_of!(
    TokenRequest,
    "`POST /oauth/token`: `grant_type` `password` (with `username`, `password`, optional \
     `scope`), `refresh_token` (with `refresh_token`), `authorization_code` (with `code`, \
     `redirect_uri`, `code_verifier`) or `urn:ietf:params:oauth:grant-type:device_code` (with \
     `device_code`) or `urn:roster:params:oauth:grant-type:mfa` (with `mfa_token` and `otp`).",
    [TokenRequestFields]
);

/// A value that must not be empty; an empty one counts as missing (RFC 6749).
fn present(field: &'static str) -> impl Fn(&str) -> Result<String, FieldError> {
    move |v| {
        if v.is_empty() {
            Err(FieldError::new(field, Problem::Blank))
        } else {
            Ok(v.to_owned())
        }
    }
}

impl RequestInput for TokenRequest {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let grant_type = f.required("grant_type", present("grant_type"));
        let username = f.optional("username", present("username"));
        let password = f.optional("password", present("password"));
        let scope = f.optional("scope", |v| Ok(v.to_owned()));
        let refresh_token = f.optional("refresh_token", present("refresh_token"));
        let client_id = f.optional("client_id", present("client_id"));
        let client_secret = f.optional("client_secret", present("client_secret"));
        let code = f.optional("code", present("code"));
        let redirect_uri = f.optional("redirect_uri", present("redirect_uri"));
        let code_verifier = f.optional("code_verifier", present("code_verifier"));
        let device_code = f.optional("device_code", present("device_code"));
        // Any answer is a code to try: one of neither form is wrong, as
        // §11 says of a wrong code (`invalid_grant`), not malformed.
        // A blank one is none (`mfa_required` follows).
        let otp = f
            .optional("otp", |v| Ok(v.trim().to_owned()))
            .filter(|v| !v.is_empty())
            .map(|v| SecondFactorCode::read(&v));
        let mfa_token = f.optional("mfa_token", present("mfa_token"));
        let webauthn_assertion = f.object("webauthn_assertion", false).map(|v| v.to_string());
        let grant = match grant_type?.as_str() {
            "password" => {
                let scopes = match scope.filter(|s| !s.trim().is_empty()) {
                    // `sudo` belongs on an admin's personal access token,
                    // never on a session's token.
                    Some(s) => Some(
                        f.check(
                            Scopes::parse_joined(&s)
                                .ok()
                                .filter(|scopes| !scopes.contains(roster_domain::Scope::Sudo))
                                .ok_or_else(|| FieldError::new("scope", Problem::Invalid)),
                        )?,
                    ),
                    None => None,
                };
                if username.is_none() && !f.failed("username") {
                    f.require_one_of("username".into());
                }
                if password.is_none() && !f.failed("password") {
                    f.require_one_of("password".into());
                }
                Grant::Password {
                    username: username?,
                    password: password?,
                    scopes,
                    otp,
                }
            }
            "refresh_token" => {
                if refresh_token.is_none() && !f.failed("refresh_token") {
                    f.require_one_of("refresh_token".into());
                }
                Grant::Refresh {
                    refresh_token: refresh_token?,
                }
            }
            "authorization_code" => {
                if code.is_none() && !f.failed("code") {
                    f.require_one_of("code".into());
                }
                Grant::AuthorizationCode {
                    code: code?,
                    redirect_uri,
                    code_verifier,
                }
            }
            "urn:ietf:params:oauth:grant-type:device_code" => {
                if device_code.is_none() && !f.failed("device_code") {
                    f.require_one_of("device_code".into());
                }
                Grant::DeviceCode {
                    device_code: device_code?,
                }
            }
            "urn:roster:params:oauth:grant-type:mfa" => {
                if mfa_token.is_none() && !f.failed("mfa_token") {
                    f.require_one_of("mfa_token".into());
                }
                let proof = match (otp, webauthn_assertion) {
                    // A form that sends both fields answers with the key.
                    (Some(SecondFactorCode::Unreadable), Some(assertion)) => Proof::Assertion(assertion),
                    (Some(otp), _) => Proof::Code(otp),
                    (None, Some(assertion)) => Proof::Assertion(assertion),
                    (None, None) => {
                        if !f.failed("otp") && !f.failed("webauthn_assertion") {
                            f.require_one_of("otp".into());
                        }
                        return None;
                    }
                };
                Grant::Mfa {
                    mfa_token: mfa_token?,
                    proof,
                }
            }
            _ => {
                f.reject("grant_type", "is not supported");
                return None;
            }
        };
        Some(Self {
            grant,
            client_id,
            client_secret,
        })
    }

    fn refused(problem: ApiError) -> ApiError {
        // The first problem in the order of RFC 6749's parameters, the
        // scope last (a request that is missing its credentials is invalid
        // before its scope is judged).
        const ORDER: [&str; 14] = [
            "grant_type",
            "client_id",
            "client_secret",
            "username",
            "password",
            "refresh_token",
            "code",
            "redirect_uri",
            "code_verifier",
            "device_code",
            "mfa_token",
            "otp",
            "webauthn_assertion",
            "scope",
        ];
        let field = match &problem {
            ApiError::Missing(names) => names.first().cloned(),
            ApiError::Validation(fields) => ORDER
                .iter()
                .find(|name| fields.contains_key(**name))
                .map(|name| (*name).to_owned())
                .or_else(|| fields.keys().next().cloned()),
            ApiError::InvalidParam(name) => Some(name.clone()),
            _ => return problem,
        };
        let field = field.unwrap_or_default();
        match (&problem, field.as_str()) {
            (ApiError::Validation(_), "grant_type") => ApiError::OAuth {
                status: StatusCode::BAD_REQUEST,
                error: "unsupported_grant_type",
                description: "The authorization grant type is not supported by the authorization server."
                    .into(),
            },
            (ApiError::Validation(_), "scope") => ApiError::OAuth {
                status: StatusCode::BAD_REQUEST,
                error: "invalid_scope",
                description: "The requested scope is invalid, unknown, or malformed.".into(),
            },
            _ => ApiError::invalid_request(format!("Missing required parameter: {field}.")),
        }
    }
}

/// `POST /oauth/revoke` (RFC 7009).
#[derive(ToSchema)]
pub struct RevokeRequest {
    /// An access or refresh token.
    #[schema(min_length = 1, pattern = r"\S")]
    pub token: String,
    /// `access_token` or `refresh_token`; a hint only.
    pub token_type_hint: Option<String>,
}

impl RequestInput for RevokeRequest {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let token = f.required("token", |v| {
            if v.trim().is_empty() {
                Err(FieldError::new("token", Problem::Blank))
            } else {
                Ok(v.to_owned())
            }
        });
        let token_type_hint = f.optional("token_type_hint", |v| Ok(v.to_owned()));
        Some(Self {
            token: token?,
            token_type_hint,
        })
    }

    fn refused(_: ApiError) -> ApiError {
        ApiError::invalid_request("The request is missing the token parameter.")
    }
}

/// `POST /oauth/introspect` (RFC 7662).
#[derive(ToSchema)]
pub struct IntrospectRequest {
    /// The token to describe.
    #[schema(min_length = 1, pattern = r"\S")]
    pub token: String,
    /// `access_token` or `refresh_token`; a hint only.
    pub token_type_hint: Option<String>,
    /// The client's id (`client_secret_post`); or use HTTP Basic.
    pub client_id: Option<String>,
    /// The client's secret (`client_secret_post`).
    #[schema(format = Password)]
    pub client_secret: Option<String>,
}

impl RequestInput for IntrospectRequest {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let token = f.required("token", |v| {
            if v.trim().is_empty() {
                Err(FieldError::new("token", Problem::Blank))
            } else {
                Ok(v.to_owned())
            }
        });
        let token_type_hint = f.optional("token_type_hint", |v| Ok(v.to_owned()));
        let client_id = f.optional("client_id", present("client_id"));
        let client_secret = f.optional("client_secret", present("client_secret"));
        Some(Self {
            token: token?,
            token_type_hint,
            client_id,
            client_secret,
        })
    }

    fn refused(_: ApiError) -> ApiError {
        ApiError::invalid_request("The request is missing the token parameter.")
    }
}

/// `POST /oauth/authorize_device` (RFC 8628 §3.1).
#[derive(ToSchema)]
pub struct DeviceAuthorizationRequest {
    /// The client's id; confidential clients authenticate too.
    pub client_id: Option<String>,
    /// The client's secret (`client_secret_post`); or use HTTP Basic.
    #[schema(format = Password)]
    pub client_secret: Option<String>,
    /// Space-separated scopes; the application's registered ones when left out.
    pub scope: Option<String>,
}

impl RequestInput for DeviceAuthorizationRequest {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let client_id = f.optional("client_id", present("client_id"));
        let client_secret = f.optional("client_secret", present("client_secret"));
        let scope = f.optional("scope", |v| Ok(v.to_owned()));
        Some(Self {
            client_id,
            client_secret,
            scope,
        })
    }

    fn refused(_: ApiError) -> ApiError {
        ApiError::invalid_request("The request is malformed.")
    }
}

/// `POST /oauth/mfa/webauthn/options`.
#[derive(ToSchema)]
pub struct MfaOptionsRequest {
    /// The `mfa_token` of a `403 mfa_required` answer.
    #[schema(min_length = 1)]
    pub mfa_token: String,
}

impl RequestInput for MfaOptionsRequest {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let mfa_token = f.required("mfa_token", present("mfa_token"));
        Some(Self {
            mfa_token: mfa_token?,
        })
    }

    fn refused(problem: ApiError) -> ApiError {
        // Told the OAuth way, as on the token endpoint.
        match problem {
            ApiError::Missing(_)
            | ApiError::Validation(_)
            | ApiError::Param(_)
            | ApiError::InvalidParam(_)
            | ApiError::BadRequest(_) => {
                ApiError::invalid_request("mfa_token is missing, empty or not a string.")
            }
            other => other,
        }
    }
}
