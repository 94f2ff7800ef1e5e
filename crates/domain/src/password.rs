use crate::error::{FieldError, Problem};
use std::fmt;

/// A new password: 8 to 72 bytes (bcrypt reads no more than 72, and Roster
/// refuses a longer one rather than silently truncating it), not only white
/// space. Its `Debug` is redacted, and it has no `Display`, so it cannot end up
/// in a log line by accident.
///
/// Passwords given to sign in are not parsed: any string is checked against
/// the stored hash, so that changing the rules never locks anybody out.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Shortest allowed password, in bytes.
    pub const MIN_BYTES: usize = 8;
    /// Longest allowed password, in bytes (bcrypt's limit).
    pub const MAX_BYTES: usize = 72;

    /// Parses a new password for the field `password`.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let err = |p| Err(FieldError::new("password", p));
        if value.trim().is_empty() {
            return err(Problem::Blank);
        }
        if value.len() < Self::MIN_BYTES {
            return err(Problem::TooShort { min: Self::MIN_BYTES });
        }
        if value.len() > Self::MAX_BYTES {
            return err(Problem::TooLong { max: Self::MAX_BYTES });
        }
        Ok(Self(value.to_owned()))
    }

    /// Parses a new password and checks its confirmation, when one is given.
    pub fn parse_confirmed(value: &str, confirmation: Option<&str>) -> Result<Self, FieldError> {
        let password = Self::parse(value)?;
        match confirmation {
            Some(c) if c != value => Err(FieldError::new(
                "password_confirmation",
                Problem::Mismatch("Password"),
            )),
            _ => Ok(password),
        }
    }

    /// Refuses a password equal (ignoring case) to the user's name or e-mail address.
    pub fn ensure_differs_from(&self, username: &str, email: &str) -> Result<(), FieldError> {
        let lower = self.0.to_lowercase();
        if lower == username.to_lowercase() {
            return Err(FieldError::new("password", Problem::SameAs("username")));
        }
        if lower == email.to_lowercase() {
            return Err(FieldError::new("password", Problem::SameAs("email")));
        }
        Ok(())
    }

    /// The password itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules_in_bytes() {
        let cases: &[(&str, Result<(), Problem>)] = &[
            ("12345678", Ok(())),
            ("correct horse battery staple", Ok(())),
            ("1234567", Err(Problem::TooShort { min: 8 })),
            ("", Err(Problem::Blank)),
            ("         ", Err(Problem::Blank)),
            ("éééé", Ok(())), // 8 bytes
        ];
        for (input, expected) in cases {
            let got = Password::parse(input).map(|_| ()).map_err(|e| e.problem);
            assert_eq!(&got, expected, "{input:?}");
        }
        assert!(Password::parse(&"x".repeat(72)).is_ok());
        assert_eq!(
            Password::parse(&"x".repeat(73)).unwrap_err().problem,
            Problem::TooLong { max: 72 }
        );
        // 37 two-byte characters are 74 bytes: refused, not truncated.
        assert!(Password::parse(&"é".repeat(37)).is_err());
    }

    #[test]
    fn confirmation_and_identity_rules() {
        assert!(Password::parse_confirmed("secret-pass", Some("secret-pass")).is_ok());
        assert!(Password::parse_confirmed("secret-pass", None).is_ok());
        let err = Password::parse_confirmed("secret-pass", Some("other-pass")).unwrap_err();
        assert_eq!(err.field, "password_confirmation");
        let p = Password::parse("AliceSmith").unwrap();
        assert!(p.ensure_differs_from("alicesmith", "a@example.com").is_err());
        let p = Password::parse("a@example.com").unwrap();
        assert!(p.ensure_differs_from("alice", "A@example.com").is_err());
        let p = Password::parse("a-good-one").unwrap();
        assert!(p.ensure_differs_from("alice", "a@example.com").is_ok());
    }

    #[test]
    fn debug_is_redacted() {
        let p = Password::parse("hunter2hunter2").unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }
}
