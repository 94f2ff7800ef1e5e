//! Inputs of the browser flows: the sign-in form, the authorization
//! request (OAuth 2 §4.1.1, OIDC Core §3.1.2.1), the device page and
//! RP-initiated logout. Their values are judged by the services, which know
//! whether a problem is shown on a page or sent back to the application.
use crate::http::input::RequestInput;
use crate::http::params::Fields;
use utoipa::ToSchema;

fn text(f: &mut Fields<'_>, name: &str) -> Option<String> {
    f.optional(name, |v| Ok(v.to_owned()))
}

/// `POST /-/sign_in`.
#[derive(ToSchema)]
pub struct SignInForm {
    /// The user name or an e-mail address.
    #[schema(min_length = 1)]
    pub login: Option<String>,
    /// The password.
    #[schema(min_length = 1, format = Password)]
    pub password: Option<String>,
    /// Where to go next: a path on this site (an authorization request, say).
    pub return_to: Option<String>,
    /// The form's CSRF token.
    pub authenticity_token: Option<String>,
}

impl RequestInput for SignInForm {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        Some(Self {
            login: text(f, "login"),
            password: text(f, "password"),
            return_to: text(f, "return_to"),
            authenticity_token: text(f, "authenticity_token"),
        })
    }
}

/// `POST /-/sign_in/two_factor`: the second step of the sign-in page.
#[derive(ToSchema)]
pub struct SecondFactorForm {
    /// The token the password step put in the form.
    #[schema(min_length = 1)]
    pub mfa_token: Option<String>,
    /// A six-digit code from the app, or a recovery code.
    #[schema(min_length = 6, max_length = 64)]
    pub otp: Option<String>,
    /// A WebAuthn assertion (the page's script fills it), instead of `otp`.
    pub webauthn_assertion: Option<String>,
    /// The methods the page offered, carried to the next attempt.
    pub methods: Option<String>,
    /// Where to go next: a path on this site.
    pub return_to: Option<String>,
    /// The form's CSRF token.
    pub authenticity_token: Option<String>,
}

impl RequestInput for SecondFactorForm {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        Some(Self {
            mfa_token: text(f, "mfa_token"),
            otp: text(f, "otp"),
            webauthn_assertion: text(f, "webauthn_assertion"),
            methods: text(f, "methods"),
            return_to: text(f, "return_to"),
            authenticity_token: text(f, "authenticity_token"),
        })
    }
}

/// `POST /-/sign_in/passkey`: a passkey's answer (the page's script fills it).
#[derive(ToSchema)]
pub struct PasskeyForm {
    /// The `PublicKeyCredential` JSON form, as text.
    pub webauthn_assertion: Option<String>,
    /// Where to go next: a path on this site.
    pub return_to: Option<String>,
    /// The form's CSRF token.
    pub authenticity_token: Option<String>,
}

impl RequestInput for PasskeyForm {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        Some(Self {
            webauthn_assertion: text(f, "webauthn_assertion"),
            return_to: text(f, "return_to"),
            authenticity_token: text(f, "authenticity_token"),
        })
    }
}

/// `GET /-/sign_in`.
#[derive(ToSchema)]
pub struct SignInQuery {
    /// Where to go after signing in: a path on this site.
    pub return_to: Option<String>,
    /// `login`: ask for the password even when signed in (an application
    /// asked with `prompt=login` or `max_age`).
    pub prompt: Option<String>,
}

impl RequestInput for SignInQuery {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        Some(Self {
            return_to: text(f, "return_to"),
            prompt: text(f, "prompt"),
        })
    }
}

/// A form that only carries its CSRF token (`POST /-/sign_out`).
#[derive(ToSchema)]
pub struct CsrfForm {
    /// The form's CSRF token.
    pub authenticity_token: Option<String>,
}

impl RequestInput for CsrfForm {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        Some(Self {
            authenticity_token: text(f, "authenticity_token"),
        })
    }
}

/// `GET /oauth/authorize` (query) and the consent form that posts it back.
#[derive(ToSchema, Debug, Clone, Default)]
pub struct AuthorizeRequest {
    /// `code`.
    pub response_type: Option<String>,
    /// The application's client id.
    pub client_id: Option<String>,
    /// One of the application's redirect URIs, exactly; may be left out
    /// when it has only one.
    pub redirect_uri: Option<String>,
    /// Space-separated scopes; the application's registered ones when left out.
    pub scope: Option<String>,
    /// Opaque; sent back with the code.
    pub state: Option<String>,
    /// Opaque; put in the ID token.
    pub nonce: Option<String>,
    /// PKCE (RFC 7636): the S256 challenge; required for public clients.
    pub code_challenge: Option<String>,
    /// `S256`.
    pub code_challenge_method: Option<String>,
    /// `none`, `login`, `consent` (space-separated).
    pub prompt: Option<String>,
    /// Seconds since the person signed in, at most.
    pub max_age: Option<String>,
    /// The consent form's answer: `allow` or `deny`.
    pub decision: Option<String>,
    /// The consent form's CSRF token.
    pub authenticity_token: Option<String>,
}

/// The parameters an authorization request carries through the sign-in
/// and consent pages, by name.
pub const AUTHORIZE_PARAMETERS: [&str; 10] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "max_age",
];

impl AuthorizeRequest {
    /// The authorization parameters that were sent, by name.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let values = [
            &self.response_type,
            &self.client_id,
            &self.redirect_uri,
            &self.scope,
            &self.state,
            &self.nonce,
            &self.code_challenge,
            &self.code_challenge_method,
            &self.prompt,
            &self.max_age,
        ];
        AUTHORIZE_PARAMETERS
            .iter()
            .zip(values)
            .filter_map(|(name, value)| value.clone().map(|v| (*name, v)))
            .collect()
    }
}

impl RequestInput for AuthorizeRequest {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        Some(Self {
            response_type: text(f, "response_type"),
            client_id: text(f, "client_id"),
            redirect_uri: text(f, "redirect_uri"),
            scope: text(f, "scope"),
            state: text(f, "state"),
            nonce: text(f, "nonce"),
            code_challenge: text(f, "code_challenge"),
            code_challenge_method: text(f, "code_challenge_method"),
            prompt: text(f, "prompt"),
            max_age: text(f, "max_age"),
            decision: text(f, "decision"),
            authenticity_token: text(f, "authenticity_token"),
        })
    }
}

/// `GET /oauth/device` and the forms it posts.
#[derive(ToSchema)]
pub struct DeviceForm {
    /// The code the device shows, `XXXX-XXXX` (any case, dash optional).
    pub user_code: Option<String>,
    /// The confirmation's answer: `allow` or `deny`.
    pub decision: Option<String>,
    /// The form's CSRF token.
    pub authenticity_token: Option<String>,
}

impl RequestInput for DeviceForm {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        Some(Self {
            user_code: text(f, "user_code"),
            decision: text(f, "decision"),
            authenticity_token: text(f, "authenticity_token"),
        })
    }
}

/// `GET /oauth/logout` (RP-initiated logout) and its confirmation form.
#[derive(ToSchema)]
pub struct LogoutRequest {
    /// An ID token Roster issued to the person (expired ones count).
    pub id_token_hint: Option<String>,
    /// Where to go afterwards: one of the application's redirect URIs.
    pub post_logout_redirect_uri: Option<String>,
    /// Opaque; sent back with the redirect.
    pub state: Option<String>,
    /// The application's client id (when no `id_token_hint` names it).
    pub client_id: Option<String>,
    /// The confirmation form's CSRF token.
    pub authenticity_token: Option<String>,
}

impl RequestInput for LogoutRequest {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        Some(Self {
            id_token_hint: text(f, "id_token_hint"),
            post_logout_redirect_uri: text(f, "post_logout_redirect_uri"),
            state: text(f, "state"),
            client_id: text(f, "client_id"),
            authenticity_token: text(f, "authenticity_token"),
        })
    }
}

/// `POST /-/confirm`: the confirmation page's form (`POST /confirmations`'s
/// field and the form's CSRF token).
#[derive(ToSchema)]
pub struct ConfirmationForm {
    /// The `confirmation_token` of the link.
    #[schema(min_length = 1, pattern = r"\S")]
    pub confirmation_token: String,
    /// The form's CSRF token.
    pub authenticity_token: Option<String>,
}

impl RequestInput for ConfirmationForm {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let authenticity_token = text(f, "authenticity_token");
        let confirmation = super::account::Confirmation::read(f)?;
        Some(Self {
            confirmation_token: confirmation.confirmation_token,
            authenticity_token,
        })
    }
}

/// `POST /-/reset-password`: the reset page's form (`POST
/// /password/reset/complete`'s fields and the form's CSRF token).
#[derive(ToSchema)]
pub struct ResetForm {
    /// The `reset_token` of the mailed link.
    #[schema(min_length = 1, pattern = r"\S")]
    pub reset_token: String,
    /// The new password: 8 to 72 bytes, not the user name or e-mail address.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 72)]
    pub password: roster_domain::Password,
    /// When given, it must equal `password`.
    #[schema(format = Password)]
    pub password_confirmation: Option<String>,
    /// The form's CSRF token.
    pub authenticity_token: Option<String>,
}

impl ResetForm {
    /// The request `POST /password/reset/complete` takes.
    pub fn into_reset(self) -> super::account::ResetComplete {
        super::account::ResetComplete {
            reset_token: self.reset_token,
            password: self.password,
            password_confirmation: self.password_confirmation,
        }
    }
}

impl RequestInput for ResetForm {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let authenticity_token = text(f, "authenticity_token");
        let reset = super::account::ResetComplete::read(f)?;
        Some(Self {
            reset_token: reset.reset_token,
            password: reset.password,
            password_confirmation: reset.password_confirmation,
            authenticity_token,
        })
    }
}
