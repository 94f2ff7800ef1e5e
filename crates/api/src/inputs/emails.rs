//! Inputs of the e-mail address routes.
use crate::http::input::RequestInput;
use crate::http::params::Fields;
use roster_domain::EmailAddress;
use utoipa::ToSchema;

/// `POST /users/:id/emails` (admin): an address, confirmed at once with
/// `skip_confirmation` (no mail is sent then).
#[derive(ToSchema)]
pub struct AdminEmailRequest {
    /// The address, compared without regard to case.
    #[schema(value_type = String, format = Email, min_length = 3, max_length = 254)]
    pub email: EmailAddress,
    /// Confirm the address now instead of mailing a link (`true`/`false`,
    /// `1`/`0`).
    #[schema(value_type = Option<bool>)]
    pub skip_confirmation: bool,
}

impl RequestInput for AdminEmailRequest {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let email = f.required("email", EmailAddress::parse);
        let skip_confirmation = f.boolean("skip_confirmation").unwrap_or(false);
        Some(Self {
            email: email?,
            skip_confirmation,
        })
    }
}
