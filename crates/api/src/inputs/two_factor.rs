//! Inputs of two-factor enrolment (§11).
use crate::http::input::RequestInput;
use crate::http::params::Fields;
use roster_domain::{FieldError, OtpCode, Problem, SecondFactorCode};
use utoipa::ToSchema;

/// `POST /user/two_factor/totp`: the password, again.
#[derive(ToSchema)]
pub struct TotpEnrolment {
    /// The password in use now.
    #[schema(min_length = 1, format = Password)]
    pub current_password: String,
}

impl RequestInput for TotpEnrolment {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let current_password = f.required("current_password", |v| Ok(v.to_owned()));
        Some(Self {
            current_password: current_password?,
        })
    }
}

/// `POST /user/two_factor/totp/confirm`: the first code of the app.
#[derive(ToSchema)]
pub struct TotpConfirmation {
    /// A six-digit code from the authenticator app.
    #[schema(value_type = String, pattern = r"^\s*(\d\s*){6}$")]
    pub otp: OtpCode,
}

impl RequestInput for TotpConfirmation {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let otp = f.required("otp", OtpCode::parse);
        Some(Self { otp: otp? })
    }
}

/// `POST /user/two_factor/recovery_codes`: the password and a second factor.
#[derive(ToSchema)]
pub struct RecoveryCodesRequest {
    /// The password in use now.
    #[schema(min_length = 1, format = Password)]
    pub current_password: String,
    /// A six-digit code from the app, or an unused recovery code.
    #[schema(value_type = String, min_length = 6, max_length = 64)]
    pub otp: SecondFactorCode,
}

impl RequestInput for RecoveryCodesRequest {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let current_password = f.required("current_password", |v| Ok(v.to_owned()));
        let otp = f.required("otp", SecondFactorCode::parse);
        Some(Self {
            current_password: current_password?,
            otp: otp?,
        })
    }
}

/// `DELETE /user/two_factor`: the password, and a second factor when TOTP
/// is on.
#[derive(ToSchema)]
pub struct DisableTwoFactor {
    /// The password in use now.
    #[schema(min_length = 1, format = Password)]
    pub current_password: String,
    /// A six-digit code from the app, or an unused recovery code; required
    /// when TOTP is on.
    #[schema(value_type = Option<String>, min_length = 6, max_length = 64)]
    pub otp: Option<SecondFactorCode>,
}

impl RequestInput for DisableTwoFactor {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let current_password = f.required("current_password", |v| Ok(v.to_owned()));
        let otp = f.optional("otp", SecondFactorCode::parse);
        Some(Self {
            current_password: current_password?,
            otp,
        })
    }
}

/// `POST /user/webauthn/registrations`: the authenticator's answer.
#[derive(ToSchema)]
pub struct WebauthnRegistration {
    /// A name for the credential (its owner's, to tell them apart).
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    /// The `PublicKeyCredential` in its JSON form (`toJSON()`, base64url
    /// fields), as an object or as its JSON text.
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

impl RequestInput for WebauthnRegistration {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let name = f.required("name", |v| {
            let v = v.trim();
            if v.is_empty() {
                Err(FieldError::new("name", Problem::Blank))
            } else if v.chars().count() > 255 {
                Err(FieldError::new("name", Problem::TooLong { max: 255 }))
            } else {
                Ok(v.to_owned())
            }
        });
        let credential = f.object("credential", true);
        Some(Self {
            name: name?,
            credential: credential?,
        })
    }
}
