//! Inputs of the account life cycle: confirmation, password change and
//! reset, deletion, and the routes that name one e-mail address.
use super::non_blank;
use super::profile::OwnProfileFields;
use crate::http::input::RequestInput;
use crate::http::params::Fields;
use roster_domain::{EmailAddress, Password, Username};
use roster_persistence::users::UserChangeset;
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

/// The account fields of `POST /registrations`.
#[derive(ToSchema)]
pub struct SignUpFields {
    /// The primary address, confirmed by mail.
    #[schema(value_type = String, format = Email, min_length = 3, max_length = 254)]
    pub email: EmailAddress,
    /// The user name.
    #[schema(schema_with = super::formats::username)]
    pub username: Username,
    /// The password.
    #[schema(schema_with = super::formats::required_password)]
    pub password: Password,
    /// When given, it must equal `password`.
    #[schema(format = Password)]
    pub password_confirmation: Option<String>,
}

/// `POST /registrations`.
pub struct Registration {
    /// The primary address.
    pub email: EmailAddress,
    /// The user name.
    pub username: Username,
    /// The password.
    pub password: Password,
    /// The display name (`name`, or `first_name` and `last_name`).
    pub name: String,
    /// The other profile fields, as changes over a new user.
    pub profile: UserChangeset,
}

crate::input_made_of!(
    Registration,
    "`POST /registrations`: `email`, `username`, `password` and a name (`name`, or \
     `first_name` and `last_name`); the other profile fields are optional. `public_email` \
     is not taken at sign-up, when no address is confirmed yet.",
    [SignUpFields, OwnProfileFields]
);

impl RequestInput for Registration {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let email = f.required("email", EmailAddress::parse);
        let username = f.required("username", Username::parse);
        let (password, _) = new_password(f);
        let mut own = OwnProfileFields::read(f);
        let name = own.display_name();
        if name.is_none() && !["name", "first_name", "last_name"].iter().any(|n| f.failed(n)) {
            f.require_one_of("name".into());
        }
        if let (Some(p), Some(u), Some(e)) = (&password, &username, &email) {
            if let Err(e) = p.ensure_differs_from(u.as_str(), e.as_str()) {
                f.reject(e.field, e.problem.to_string());
            }
        }
        own.name = None;
        // No address is confirmed yet at sign-up, so none can be public.
        own.public_email = None;
        Some(Self {
            email: email?,
            username: username?,
            password: password?,
            name: name?,
            profile: own.into_changeset(),
        })
    }
}

/// The sign-in fields of `PUT /user`.
#[derive(ToSchema)]
pub struct OwnAccountChanges {
    /// A new primary address: it waits in `unconfirmed_email` until
    /// confirmed. Needs `current_password`.
    #[schema(value_type = Option<String>, format = Email, min_length = 3, max_length = 254)]
    pub email: Option<EmailAddress>,
    /// A new user name. Needs `current_password`.
    #[schema(schema_with = super::formats::new_username)]
    pub username: Option<Username>,
    /// The password in use now, to change `email` or `username`.
    #[schema(format = Password)]
    pub current_password: Option<String>,
}

/// `PUT /user` and `PATCH /user`: the fields left out keep their value.
pub struct UpdateOwnProfile {
    /// A new primary address.
    pub email: Option<EmailAddress>,
    /// A new user name.
    pub username: Option<Username>,
    /// The password in use now.
    pub current_password: Option<String>,
    /// The profile fields.
    pub profile: OwnProfileFields,
}

crate::input_made_of!(
    UpdateOwnProfile,
    "`PUT /user`: one's own profile; changing `email` or `username` needs `current_password`.",
    [OwnAccountChanges, OwnProfileFields]
);

impl RequestInput for UpdateOwnProfile {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let email = f.optional("email", EmailAddress::parse);
        let username = f.optional("username", Username::parse);
        let current_password = f.optional("current_password", |v| Ok(v.to_owned()));
        let profile = OwnProfileFields::read(f);
        if f.has_errors() {
            return None;
        }
        Some(Self {
            email,
            username,
            current_password,
            profile,
        })
    }
}
