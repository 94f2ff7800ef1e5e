use crate::error::{FieldError, Problem};
use std::fmt;
use validator::ValidateEmail;

/// An e-mail address: well formed (per the `validator` crate's HTML5 rules),
/// with a domain that has a dot, at most 254 characters, trimmed and
/// lower-cased so that uniqueness is case-insensitive.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// The longest allowed address (RFC 5321's path limit less the brackets).
    pub const MAX_LEN: usize = 254;

    /// Parses an address for the field `email`.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        Self::parse_field("email", value)
    }

    /// Parses an address, naming `field` in the error.
    pub fn parse_field(field: &'static str, value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        if value.is_empty() {
            return Err(FieldError::new(field, Problem::Blank));
        }
        if value.chars().count() > Self::MAX_LEN {
            return Err(FieldError::new(field, Problem::TooLong { max: Self::MAX_LEN }));
        }
        let lowered = value.to_lowercase();
        let domain_has_dot = lowered
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.contains('.') && !domain.ends_with('.'));
        if !lowered.validate_email() || !domain_has_dot {
            return Err(FieldError::new(field, Problem::Invalid));
        }
        Ok(Self(lowered))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Gives back the inner string.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({:?})", self.0)
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("alice@example.com", Some("alice@example.com")),
            ("  Alice@Example.COM ", Some("alice@example.com")),
            (
                "first.last+tag@sub.example.org",
                Some("first.last+tag@sub.example.org"),
            ),
            ("user@localhost", None),
            ("no-at-sign", None),
            ("@example.com", None),
            ("a@", None),
            ("a@b@example.com", None),
            ("spaces in@example.com", None),
            ("", None),
            ("a@example.com.", None),
        ];
        for (input, expected) in cases {
            let got = EmailAddress::parse(input).ok().map(EmailAddress::into_inner);
            assert_eq!(got.as_deref(), *expected, "{input:?}");
        }
    }

    #[test]
    fn length_and_blank() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(
            EmailAddress::parse(&long).unwrap_err().problem,
            Problem::TooLong { max: 254 }
        );
        assert_eq!(EmailAddress::parse("  ").unwrap_err().problem, Problem::Blank);
        assert_eq!(
            EmailAddress::parse_field("public_email", "x").unwrap_err().field,
            "public_email"
        );
    }
}
