//! The messages Roster sends, rendered to plain text and HTML.
use roster_persistence::outbox::NewMail;

fn escape(text: &str) -> String {
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

fn message(kind: &str, recipient: &str, subject: &str, lines: &[&str], link: (&str, &str)) -> NewMail {
    let (label, url) = link;
    let body_text = format!("{}\n\n{label}:\n{url}\n", lines.join("\n\n"));
    let paragraphs: String = lines.iter().map(|l| format!("<p>{}</p>", escape(l))).collect();
    let body_html = format!(
        "<!doctype html><html><body>{paragraphs}<p><a href=\"{href}\">{label}</a></p></body></html>",
        href = escape(url),
        label = escape(label),
    );
    NewMail {
        kind: kind.to_owned(),
        recipient: recipient.to_owned(),
        subject: subject.to_owned(),
        body_text,
        body_html,
    }
}

/// The mail asking the owner of `email` to confirm it.
pub fn confirm_email(public_url: &str, email: &str, token: &str, ttl_hours: u64) -> NewMail {
    let url = format!("{public_url}/-/confirm?confirmation_token={token}");
    message(
        "confirm_email",
        email,
        "Confirm your e-mail address",
        &[
            &format!("Someone, probably you, added {email} to an account."),
            &format!("Confirm it within {ttl_hours} hours with the link below. If it was not you, ignore this message."),
        ],
        ("Confirm your address", &url),
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
    }
}
