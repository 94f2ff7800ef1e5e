//! The account pages' templates (`/-/account/...`, sign-up, the reset
//! request): askama, checked when Roster is compiled, every value escaped.
use crate::http::page::FormState;
use crate::services::user_sessions::SessionView;
use crate::views::console::{filters, Nav, Pager};
use askama::Template;
use roster_persistence::emails::EmailRow;
use roster_persistence::keys::KeyRow;
use roster_persistence::oauth_grants::AuthorizedApplication;
use roster_persistence::personal_tokens::PatRow;
use roster_persistence::webauthn::CredentialRow;

// The templates call the filters by this path.
#[allow(unused_imports)]
use filters as _;

/// `/-/account`: the profile and the avatar.
#[derive(Template)]
#[template(path = "account/profile.html")]
pub struct ProfilePage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// The profile form.
    pub form: FormState,
    /// The avatar form's problems.
    pub avatar_form: FormState,
    /// The avatar, when one was uploaded.
    pub avatar_url: Option<String>,
    /// A new primary address waiting for its confirmation.
    pub unconfirmed_email: Option<String>,
}

/// `/-/account/emails`.
#[derive(Template)]
#[template(path = "account/emails.html")]
pub struct EmailsPage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// The primary address.
    pub primary: String,
    /// A new primary address waiting for its confirmation.
    pub unconfirmed_email: Option<String>,
    /// The other addresses.
    pub emails: Vec<EmailRow>,
    /// The form adding one.
    pub form: FormState,
    /// Whether the password was checked in the last ten minutes.
    pub recent: bool,
}

/// `/-/account/password`.
#[derive(Template)]
#[template(path = "account/password.html")]
pub struct PasswordPage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// The form.
    pub form: FormState,
}

/// A TOTP enrolment under way: the key to put into the app.
pub struct TotpEnrolmentView {
    /// The key in base 32.
    pub secret: String,
    /// The `otpauth://` URI as a QR code, an SVG `data:` URI.
    pub qr_data_uri: String,
}

/// `/-/account/two_factor`: the app, passkeys, recovery codes.
#[derive(Template)]
#[template(path = "account/two_factor.html")]
pub struct TwoFactorPage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// Whether the person must enrol before using anything else.
    pub must_enrol: bool,
    /// Whether two-factor authentication is on.
    pub enabled: bool,
    /// Whether a TOTP app is confirmed.
    pub totp: bool,
    /// Whether a TOTP enrolment waits for its first code.
    pub totp_pending: bool,
    /// The enrolment just begun, to show its key.
    pub enrolment: Option<TotpEnrolmentView>,
    /// Recovery codes just made, shown once.
    pub recovery_codes: Option<Vec<String>>,
    /// The passkeys and security keys.
    pub passkeys: Vec<CredentialRow>,
    /// The TOTP forms' problems.
    pub form: FormState,
    /// The passkey form.
    pub passkey_form: FormState,
    /// The recovery codes form's problems.
    pub codes_form: FormState,
    /// The form turning two-factor off.
    pub disable_form: FormState,
    /// Whether the password was checked in the last ten minutes.
    pub recent: bool,
}

/// `/-/account/keys`.
#[derive(Template)]
#[template(path = "account/keys.html")]
pub struct KeysPage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// The keys.
    pub keys: Vec<KeyRow>,
    /// The links between the pages of the keys.
    pub pager: Pager,
    /// The form adding one.
    pub form: FormState,
}

/// `/-/account/tokens`.
#[derive(Template)]
#[template(path = "account/tokens.html")]
pub struct TokensPage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// The active tokens.
    pub tokens: Vec<PatRow>,
    /// The links between the pages of the tokens.
    pub pager: Pager,
    /// A token just made, shown this once.
    pub new_token: Option<String>,
    /// The form making one.
    pub form: FormState,
}

/// `/-/account/sessions`.
#[derive(Template)]
#[template(path = "account/sessions.html")]
pub struct SessionsPage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// The sessions, newest first.
    pub sessions: Vec<SessionView>,
    /// The links between the pages of the sessions.
    pub pager: Pager,
    /// The applications allowed to use the account.
    pub applications: Vec<AuthorizedApplication>,
}

/// `/-/account/privacy`: privacy settings and preferences.
#[derive(Template)]
#[template(path = "account/privacy.html")]
pub struct PrivacyPage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// The privacy form.
    pub form: FormState,
    /// The preferences form.
    pub preferences_form: FormState,
    /// The addresses that may be shown.
    pub confirmed: Vec<String>,
}

/// An invitation waiting for the person.
pub struct InvitationView {
    /// Its id.
    pub id: i64,
    /// The group's name.
    pub group_name: String,
    /// The group's full path.
    pub group_path: String,
    /// The role offered.
    pub role: String,
}

/// A group the person belongs to.
pub struct MembershipView {
    /// The group's full name.
    pub name: String,
    /// The group's full path.
    pub path: String,
    /// The person's role.
    pub role: String,
}

/// `/-/account/groups`.
#[derive(Template)]
#[template(path = "account/groups.html")]
pub struct GroupsPage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// Invitations waiting.
    pub invitations: Vec<InvitationView>,
    /// Memberships.
    pub memberships: Vec<MembershipView>,
    /// The links between the pages of the memberships.
    pub pager: Pager,
}

/// `/-/account/delete`.
#[derive(Template)]
#[template(path = "account/delete.html")]
pub struct DeletePage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// The form.
    pub form: FormState,
}

/// `/-/sign_up`.
#[derive(Template)]
#[template(path = "sign_up.html")]
pub struct SignUpPage {
    /// The heading.
    pub title: &'static str,
    /// The form.
    pub form: FormState,
    /// The form's CSRF token.
    pub authenticity_token: String,
}

/// `/-/reset-password/new`: asks for the address to send a link to.
#[derive(Template)]
#[template(path = "reset_request.html")]
pub struct ResetRequestPage {
    /// The heading.
    pub title: &'static str,
    /// The form.
    pub form: FormState,
    /// The form's CSRF token.
    pub authenticity_token: String,
}
