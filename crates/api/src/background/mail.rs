//! The messages Roster sends, rendered to plain text and HTML.
use roster_persistence::outbox::NewMail;

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn message(
    kind: &str,
    recipient: &str,
    subject: &str,
    lines: &[&str],
    link: Option<(&str, &str)>,
) -> NewMail {
    let mut body_text = lines.join("\n\n");
    let mut paragraphs: String = lines.iter().map(|l| format!("<p>{}</p>", escape(l))).collect();
    if let Some((label, url)) = link {
        body_text.push_str(&format!("\n\n{label}:\n{url}"));
        paragraphs.push_str(&format!(
            "<p><a href=\"{}\">{}</a></p>",
            escape(url),
            escape(label)
        ));
    }
    body_text.push('\n');
    NewMail {
        kind: kind.to_owned(),
        recipient: recipient.to_owned(),
        subject: subject.to_owned(),
        body_text,
        body_html: format!("<!doctype html><html><body>{paragraphs}</body></html>"),
    }
}

/// Asks the owner of `email` to confirm it (a new account, or an added address).
pub fn confirm_email(public_url: &str, email: &str, token: &str, ttl_hours: u64) -> NewMail {
    let url = format!("{public_url}/-/confirm?confirmation_token={token}");
    message(
        "confirm_email",
        email,
        "Confirm your e-mail address",
        &[
            &format!("Someone, probably you, gave {email} as their e-mail address."),
            &format!("Confirm it within {ttl_hours} hours with the link below. If it was not you, ignore this message."),
        ],
        Some(("Confirm your address", &url)),
    )
}

/// Asks the owner of `new_email` to confirm it as the account's new primary address.
pub fn confirm_new_primary(
    public_url: &str,
    username: &str,
    new_email: &str,
    token: &str,
    ttl_hours: u64,
) -> NewMail {
    let url = format!("{public_url}/-/confirm?confirmation_token={token}");
    message(
        "confirm_new_primary",
        new_email,
        "Confirm your new e-mail address",
        &[
            &format!("The account {username} asked to use {new_email} as its e-mail address."),
            &format!("Confirm it within {ttl_hours} hours with the link below. Until then the old address stays in use."),
        ],
        Some(("Confirm your new address", &url)),
    )
}

/// Tells the old address that a change to `new_email` was requested.
pub fn primary_change_notice(old_email: &str, username: &str, new_email: &str) -> NewMail {
    message(
        "email_change_notice",
        old_email,
        "Your e-mail address is being changed",
        &[
            &format!(
                "The account {username} asked to change its e-mail address from {old_email} to {new_email}."
            ),
            "If this was not you, reset your password and contact an administrator.",
        ],
        None,
    )
}

/// A password reset link.
pub fn password_reset(public_url: &str, email: &str, token: &str, ttl_hours: u64) -> NewMail {
    let url = format!("{public_url}/-/reset-password?reset_token={token}");
    message(
        "password_reset",
        email,
        "Reset your password",
        &[
            "Someone, probably you, asked to reset the password of the account with this address.",
            &format!("The link below works once, for {ttl_hours} hours. If it was not you, ignore this message: your password is unchanged."),
        ],
        Some(("Choose a new password", &url)),
    )
}

/// An invitation to a group, with the link to accept it.
pub fn group_invitation(
    public_url: &str,
    email: &str,
    group: &str,
    inviter: &str,
    level: &str,
    token: &str,
) -> NewMail {
    let url = format!("{public_url}/-/invitation?invite_token={token}");
    message(
        "group_invitation",
        email,
        &format!("{inviter} invited you to {group}"),
        &[
            &format!("{inviter} invited {email} to join {group} as {level}."),
            "To accept, sign in (or sign up) with this address, confirmed, and open the link below. If you do not know the sender, ignore this message.",
        ],
        Some(("See the invitation", &url)),
    )
}

/// Tells the owner that the password changed.
pub fn password_changed(email: &str, username: &str) -> NewMail {
    message(
        "password_changed",
        email,
        "Your password was changed",
        &[
            &format!("The password of the account {username} was just changed, and its other sessions were signed out."),
            "If this was not you, reset your password now and contact an administrator.",
        ],
        None,
    )
}

/// Tells the owner that their second factor changed: turned on
/// (`enabled`), turned off, or new recovery codes made.
pub fn two_factor_changed(email: &str, username: &str, change: TwoFactorChange) -> NewMail {
    let (kind, subject, what) = match change {
        TwoFactorChange::Enabled => (
            "two_factor_enabled",
            "Two-factor authentication was turned on",
            "Two-factor authentication was just turned on for the account",
        ),
        TwoFactorChange::Disabled => (
            "two_factor_disabled",
            "Two-factor authentication was turned off",
            "Two-factor authentication was just turned off for the account",
        ),
        TwoFactorChange::RecoveryCodes => (
            "recovery_codes_regenerated",
            "New recovery codes were made",
            "New two-factor recovery codes were just made for the account, and the old ones stopped working, for",
        ),
    };
    message(
        kind,
        email,
        subject,
        &[
            &format!("{what} {username}."),
            "If this was not you, reset your password now and contact an administrator.",
        ],
        None,
    )
}

/// What [`two_factor_changed`] tells of.
#[derive(Debug, Clone, Copy)]
pub enum TwoFactorChange {
    /// A first factor was confirmed.
    Enabled,
    /// Every factor was removed.
    Disabled,
    /// The recovery codes were replaced.
    RecoveryCodes,
}

/// Tells the owner that their account was locked after failed sign-ins.
pub fn account_locked(email: &str, username: &str, failures: i32, minutes: u64) -> NewMail {
    message(
        "account_locked",
        email,
        "Your account was locked",
        &[
            &format!("The account {username} was locked for {minutes} minutes after {failures} failed sign-ins in a row."),
            "If this was not you, someone may be guessing your password: ask for a password reset and choose a new one. A reset also unlocks the account.",
        ],
        None,
    )
}

/// Says goodbye after an account deleted itself.
pub fn account_deleted(email: &str, username: &str) -> NewMail {
    message(
        "account_deleted",
        email,
        "Your account was deleted",
        &[&format!(
            "The account {username} and everything it held were deleted at its owner's request."
        )],
        None,
    )
}

/// Tells someone whose sign-up an admin rejected (GitLab's
/// `user_admin_rejection`).
pub fn sign_up_rejected(email: &str, username: &str) -> NewMail {
    message(
        "sign_up_rejected",
        email,
        "Your account request was rejected",
        &[&format!(
            "An administrator rejected the request for the account {username}, and it was removed."
        )],
        None,
    )
}

/// Tells someone whose sign-up an admin approved that they may sign in.
pub fn sign_up_approved(public_url: &str, email: &str, username: &str) -> NewMail {
    message(
        "sign_up_approved",
        email,
        "Your account was approved",
        &[&format!(
            "An administrator approved the account {username}: you can sign in at {public_url}/-/sign_in."
        )],
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_parts_carry_the_link_and_html_is_escaped() {
        let mail = confirm_email("https://id.example.com", "a<b>@example.com", "tok123", 72);
        assert!(mail
            .body_text
            .contains("https://id.example.com/-/confirm?confirmation_token=tok123"));
        assert!(mail
            .body_html
            .contains("href=\"https://id.example.com/-/confirm?confirmation_token=tok123\""));
        assert!(mail.body_html.contains("a&lt;b&gt;@example.com"));
        assert!(!mail.body_html.contains("a<b>"));
        assert_eq!(mail.recipient, "a<b>@example.com");
        let reset = password_reset("https://x", "a@example.com", "t", 48);
        assert!(reset
            .body_text
            .contains("https://x/-/reset-password?reset_token=t"));
        assert!(password_changed("a@example.com", "alice")
            .body_html
            .starts_with("<!doctype html>"));
    }
}
