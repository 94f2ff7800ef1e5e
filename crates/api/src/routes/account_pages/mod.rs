//! The account pages (`/-/account/...`, §12): a person's own profile,
//! addresses, password, second factors, keys, tokens, sessions, privacy,
//! groups, and leaving. Each page reads with the services the API uses and
//! each form posts to them; a change answers `303` back to its page with a
//! notice, a refused one shows the form again with the API's messages.
use crate::http::page::{with_notice, Person};
use crate::page;
use actix_web::{web, HttpResponse};

mod delete;
mod emails;
mod groups;
mod keys;
mod password;
mod privacy;
mod profile;
mod sessions;
mod sign_up;
mod tokens;
mod two_factor;

/// The `303` after a change: back to `location`, with the notice `code`.
fn done(person: &Person, location: &str, code: &str) -> HttpResponse {
    person.browser.redirect(&with_notice(location, code))
}

/// Registers the account pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    page!(cfg, "/-/account", GET => profile::page, POST => profile::submit);
    page!(cfg, "/-/account/avatar", body_limit = crate::http::params::MAX_UPLOAD_BODY_BYTES; POST => profile::upload_avatar);
    page!(cfg, "/-/account/avatar/remove", POST => profile::remove_avatar);
    page!(cfg, "/-/account/emails", GET => emails::page, POST => emails::add);
    page!(cfg, "/-/account/emails/{id}/delete", POST => emails::remove);
    page!(cfg, "/-/account/emails/{id}/resend", POST => emails::resend);
    page!(cfg, "/-/account/password", GET => password::page, POST => password::submit);
    page!(cfg, "/-/account/two_factor", GET => two_factor::page);
    page!(cfg, "/-/account/two_factor/totp", POST => two_factor::begin_totp);
    page!(cfg, "/-/account/two_factor/totp/confirm", POST => two_factor::confirm_totp);
    page!(cfg, "/-/account/two_factor/recovery_codes", POST => two_factor::new_codes);
    page!(cfg, "/-/account/two_factor/disable", POST => two_factor::disable);
    page!(cfg, "/-/account/passkeys", POST => two_factor::add_passkey);
    page!(cfg, "/-/account/passkeys/options", POST => two_factor::passkey_options);
    page!(cfg, "/-/account/passkeys/{id}/delete", POST => two_factor::remove_passkey);
    page!(cfg, "/-/account/keys", GET => keys::page, POST => keys::add);
    page!(cfg, "/-/account/keys/{id}/delete", POST => keys::remove);
    page!(cfg, "/-/account/tokens", GET => tokens::page, POST => tokens::create);
    page!(cfg, "/-/account/tokens/{id}/revoke", POST => tokens::revoke);
    page!(cfg, "/-/account/sessions", GET => sessions::page);
    page!(cfg, "/-/account/sessions/end", POST => sessions::end);
    page!(cfg, "/-/account/sessions/end_others", POST => sessions::end_others);
    page!(cfg, "/-/account/applications/{id}/revoke", POST => sessions::revoke_application);
    page!(cfg, "/-/account/privacy", GET => privacy::page, POST => privacy::submit);
    page!(cfg, "/-/account/preferences", POST => privacy::preferences);
    page!(cfg, "/-/account/groups", GET => groups::page);
    page!(cfg, "/-/account/invitations/{id}/accept", POST => groups::accept);
    page!(cfg, "/-/account/invitations/{id}/decline", POST => groups::decline);
    page!(cfg, "/-/account/delete", GET => delete::page, POST => delete::submit);
    page!(cfg, "/-/sign_up", GET => sign_up::page, POST => sign_up::submit);
    page!(cfg, "/-/reset-password/new", GET => sign_up::reset_page, POST => sign_up::reset_submit);
}
