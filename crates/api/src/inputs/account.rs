//! Inputs of the account life cycle: confirmation, password change and
//! reset, deletion, and the routes that name one e-mail address.
use super::non_blank;
use crate::input::RequestInput;
use crate::params::Fields;
use roster_domain::{EmailAddress, Password};
use utoipa::ToSchema;

/// `POST /confirmations`: the token of a mailed confirmation link.
#[derive(ToSchema)]
pub struct Confirmation {
    /// The `confirmation_token` of the link.
    #[schema(min_length = 1, pattern = r"\S")]
    pub confirmation_token: String,
}

impl RequestInput for Confirmation {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let confirmation_token = f.required("confirmation_token", non_blank("confirmation_token"));
        Some(Self {
            confirmation_token: confirmation_token?,
        })
    }
}

/// One e-mail address: `POST /confirmations/resend`, `POST /password/reset`.
/// A list of addresses (the shape of GitLab's CVE-2023-7028) is refused
/// with `400 {"error": "email is invalid"}`.
#[derive(ToSchema)]
pub struct EmailRequest {
    /// The address, compared without regard to case.
    #[schema(value_type = String, format = Email, min_length = 3, max_length = 254)]
    pub email: EmailAddress,
}

impl RequestInput for EmailRequest {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let email = f.required("email", EmailAddress::parse);
        Some(Self { email: email? })
    }
}

/// Reads a new password and its optional confirmation (already checked
/// against it when given).
fn new_password(f: &mut Fields<'_>) -> (Option<Password>, Option<String>) {
    let confirmation = f.optional("password_confirmation", |v| Ok(v.to_owned()));
    let password = f.required("password", |v| {
        Password::parse_confirmed(v, confirmation.as_deref())
    });
    (password, confirmation)
}

/// `PUT /user/password`.
#[derive(ToSchema)]
pub struct ChangePassword {
    /// The password in use now.
    #[schema(min_length = 1, format = Password)]
    pub current_password: String,
    /// The new password: 8 to 72 bytes, not the user name or e-mail address.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 72)]
    pub password: Password,
    /// When given, it must equal `password`.
    #[schema(format = Password)]
    pub password_confirmation: Option<String>,
}

impl RequestInput for ChangePassword {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let (password, password_confirmation) = new_password(f);
        let current_password = f.required("current_password", |v| Ok(v.to_owned()));
        Some(Self {
            current_password: current_password?,
            password: password?,
            password_confirmation,
        })
    }
}

/// `POST /password/reset/complete`.
#[derive(ToSchema)]
pub struct ResetComplete {
    /// The `reset_token` of the mailed link.
    #[schema(min_length = 1, pattern = r"\S")]
    pub reset_token: String,
    /// The new password: 8 to 72 bytes, not the user name or e-mail address.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 72)]
    pub password: Password,
    /// When given, it must equal `password`.
    #[schema(format = Password)]
    pub password_confirmation: Option<String>,
}

impl RequestInput for ResetComplete {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let reset_token = f.required("reset_token", |v| Ok(v.trim().to_owned()));
        let (password, password_confirmation) = new_password(f);
        Some(Self {
            reset_token: reset_token?,
            password: password?,
            password_confirmation,
        })
    }
}

/// `DELETE /user`: the password, asked again.
#[derive(ToSchema)]
pub struct CurrentPassword {
    /// The password in use now.
    #[schema(min_length = 1, format = Password)]
    pub current_password: String,
}

impl RequestInput for CurrentPassword {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let current_password = f.required("current_password", |v| Ok(v.to_owned()));
        Some(Self {
            current_password: current_password?,
        })
    }
}
