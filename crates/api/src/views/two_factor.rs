//! What the two-factor routes answer (§11). Secrets here are shown once.
use serde::Serialize;
use utoipa::ToSchema;

/// `POST /user/two_factor/totp`: the new seed, for the authenticator app.
#[derive(Serialize, ToSchema)]
pub struct TotpEnrolmentView {
    /// The seed in base32, for typing in.
    pub secret: String,
    /// The `otpauth://totp/…` URI (Key Uri Format), for a QR code.
    pub otpauth_uri: String,
}

/// New recovery codes, shown only in this answer.
#[derive(Serialize, ToSchema)]
pub struct RecoveryCodesView {
    /// Ten codes; each works once in place of a TOTP code.
    pub recovery_codes: Vec<String>,
}

/// `403` from `POST /oauth/token`: the password was right, and a second
/// factor is required.
#[derive(Serialize, ToSchema)]
pub struct MfaRequiredError {
    /// `mfa_required`.
    pub error: String,
    /// What to do next.
    pub error_description: String,
    /// Send it with `grant_type=urn:roster:params:oauth:grant-type:mfa`;
    /// single use, valid five minutes.
    pub mfa_token: String,
    /// `totp`, `webauthn`, `recovery_code`: what the user can answer with.
    pub mfa_methods: Vec<String>,
}

/// A WebAuthn credential, as its owner sees it.
#[derive(Serialize, ToSchema)]
pub struct WebauthnRegistrationView {
    /// Its id in Roster's API.
    pub id: i64,
    /// The name its owner gave it.
    pub name: String,
    /// When it was registered.
    pub created_at: String,
    /// When it last proved a sign-in.
    pub last_used_at: Option<String>,
}

/// The view of a stored credential.
pub fn webauthn_registration(row: &roster_persistence::webauthn::CredentialRow) -> WebauthnRegistrationView {
    WebauthnRegistrationView {
        id: row.id,
        name: row.name.clone(),
        created_at: super::time(row.created_at),
        last_used_at: row.last_used_at.map(super::time),
    }
}
