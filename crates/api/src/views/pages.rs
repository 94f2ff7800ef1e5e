//! The browser pages' templates (askama: checked when Roster is compiled,
//! every value HTML-escaped).
use askama::Template;

/// The sign-in page.
#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage<'a> {
    /// The heading.
    pub title: &'a str,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// The application the person is signing in to, if any.
    pub application: Option<String>,
    /// The form's CSRF token.
    pub authenticity_token: String,
    /// Where to go afterwards.
    pub return_to: String,
    /// The name typed last time.
    pub login: String,
    /// Whether to link to the sign-up page.
    pub sign_up: bool,
    /// Whether Roster has no admin yet (a link to the first-run page).
    pub first_run: bool,
}

/// The sign-in page's second step: a code from the app or a recovery code.
#[derive(Template)]
#[template(path = "two_factor.html")]
pub struct SecondFactorPage<'a> {
    /// The heading.
    pub title: &'a str,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// The form's CSRF token.
    pub authenticity_token: String,
    /// The password step's token.
    pub mfa_token: String,
    /// Where to go afterwards.
    pub return_to: String,
    /// Whether the person can use recovery codes.
    pub recovery_codes: bool,
    /// Whether the person has a TOTP app or recovery codes (a code field).
    pub codes: bool,
    /// Whether the person has a WebAuthn credential (the script's button).
    pub webauthn: bool,
    /// The methods, joined by commas, carried to the next attempt.
    pub methods: String,
}

/// A page asking the person to allow an application.
#[derive(Template)]
#[template(path = "consent.html")]
pub struct ConsentPage<'a> {
    /// The heading.
    pub title: &'a str,
    /// The application's name.
    pub application: String,
    /// Who is signed in.
    pub username: String,
    /// Each scope with what it allows.
    pub scopes: Vec<(&'static str, &'static str)>,
    /// Where the form posts.
    pub action: &'a str,
    /// The fields the form carries back.
    pub fields: Vec<(&'static str, String)>,
    /// The form's CSRF token.
    pub authenticity_token: String,
}

/// A page that tells one thing.
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage<'a> {
    /// The heading.
    pub title: &'a str,
    /// The text.
    pub message: String,
    /// Whether it tells of a failure.
    pub is_error: bool,
    /// A link onwards: where, and its text.
    pub link: Option<(String, String)>,
}

/// A page with one button that confirms an action.
#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage<'a> {
    /// The heading.
    pub title: &'a str,
    /// What the button does.
    pub message: String,
    /// Where the form posts.
    pub action: &'a str,
    /// The fields the form carries.
    pub fields: Vec<(&'static str, String)>,
    /// The button's text.
    pub button: &'a str,
    /// The form's CSRF token.
    pub authenticity_token: String,
}

/// The device page: enter the code a device shows.
#[derive(Template)]
#[template(path = "device.html")]
pub struct DevicePage<'a> {
    /// The heading.
    pub title: &'a str,
    /// Why the last code failed.
    pub error: Option<String>,
    /// Who is signed in.
    pub username: String,
    /// The code, if known.
    pub user_code: String,
    /// The form's CSRF token.
    pub authenticity_token: String,
}

/// Renders a template; a template that fails to render is a bug.
pub fn render(template: &impl Template) -> String {
    template.render().unwrap_or_else(|e| {
        log::error!("a page template failed: {e}");
        "<!doctype html><title>Roster</title><p>Something went wrong.</p>".into()
    })
}

/// The page a confirmation mail links to: a button that confirms (a link
/// that confirmed on GET would be spent by mail scanners that fetch links).
#[derive(Template)]
#[template(path = "mail_confirm.html")]
pub struct MailConfirmPage<'a> {
    /// The heading.
    pub title: &'a str,
    /// The code from the link.
    pub token: String,
    /// Why the last attempt failed, as sentences.
    pub problems: Vec<String>,
    /// The form's CSRF token.
    pub authenticity_token: String,
}

/// The page a reset mail links to: choose a new password.
#[derive(Template)]
#[template(path = "mail_reset.html")]
pub struct MailResetPage<'a> {
    /// The heading.
    pub title: &'a str,
    /// The code from the link.
    pub token: String,
    /// Why the last attempt failed, as sentences.
    pub problems: Vec<String>,
    /// The form's CSRF token.
    pub authenticity_token: String,
}

/// The page an invitation mail links to.
#[derive(Template)]
#[template(path = "invitation.html")]
pub struct InvitationPage<'a> {
    /// The heading.
    pub title: &'a str,
    /// The invited address.
    pub email: String,
    /// The group's full name.
    pub group: String,
    /// The role offered.
    pub level: &'a str,
    /// When the membership would end.
    pub until: Option<String>,
    /// The invitation's code.
    pub token: String,
}
