use crate::error::{FieldError, Problem};
use std::fmt;

/// Names that Roster's own routes use at the top level (`/api`, `/oauth`,
/// `/-/…`, `/uploads`, `/:username.keys`) or that would mislead people
/// (`admin`, `support`). Compared case-insensitively.
const RESERVED: &[&str] = &[
    "-",
    "admin",
    "administrator",
    "api",
    "assets",
    "docs",
    "explore",
    "favicon.ico",
    "health",
    "help",
    "login",
    "logout",
    "metrics",
    "oauth",
    "readiness",
    "robots.txt",
    "root-admin",
    "security",
    "settings",
    "signin",
    "signup",
    "sign_in",
    "sign_up",
    "static",
    "support",
    "uploads",
    "user",
    "users",
    "well-known",
    ".well-known",
];

const SUFFIXES: &[&str] = &[".git", ".atom", ".keys", ".json"];

/// A user name, following GitLab's rules: 2 to 255 characters of letters,
/// digits, `_`, `-` and `.`; it starts with a letter, digit or `_`, does not end
/// in `.`, holds no `..`, is not all digits (a number in a path is an id), does
/// not end in `.git`, `.atom`, `.keys` or `.json`, and is not reserved.
///
/// The case is kept as given; uniqueness and look-ups ignore it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// The longest allowed user name.
    pub const MAX_LEN: usize = 255;

    /// Parses a user name, trimming surrounding white space.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let err = |p| Err(FieldError::new("username", p));
        let value = value.trim();
        crate::error::check_length("username", value, 2, Self::MAX_LEN)?;
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
        if !value.chars().all(allowed) {
            return err(Problem::InvalidBecause(
                "can contain only letters, digits, '_', '-' and '.'",
            ));
        }
        let first = value.chars().next().unwrap_or('-');
        if !(first.is_ascii_alphanumeric() || first == '_') {
            return err(Problem::InvalidBecause(
                "must start with a letter, a digit or '_'",
            ));
        }
        if value.ends_with('.') || value.contains("..") {
            return err(Problem::InvalidBecause("cannot end in '.' or contain '..'"));
        }
        if value.chars().all(|c| c.is_ascii_digit()) {
            return err(Problem::InvalidBecause("cannot be only digits"));
        }
        let lower = value.to_ascii_lowercase();
        if SUFFIXES.iter().any(|s| lower.ends_with(s)) {
            return err(Problem::InvalidBecause(
                "cannot end in '.git', '.atom', '.keys' or '.json'",
            ));
        }
        if RESERVED.contains(&lower.as_str()) {
            return err(Problem::Reserved);
        }
        Ok(Self(value.to_owned()))
    }

    /// The name as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name in lower case, the form used for uniqueness and look-ups.
    pub fn folded(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    /// Gives back the inner string.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Username({:?})", self.0)
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_refuses_per_gitlab_rules() {
        let cases: &[(&str, bool)] = &[
            ("alice", true),
            ("Alice_Smith", true),
            ("a.b-c_d", true),
            ("_hidden", true),
            ("x1", true),
            ("jack-", true),
            ("  bob  ", true),
            ("a", false),
            ("", false),
            ("   ", false),
            ("-dash", false),
            (".dot", false),
            ("dot.", false),
            ("a..b", false),
            ("has space", false),
            ("ünïcode", false),
            ("12345", false),
            ("repo.git", false),
            ("feed.atom", false),
            ("alice.keys", false),
            ("x.JSON", false),
            ("api", false),
            ("OAuth", false),
            ("uploads", false),
            ("-", false),
            ("a/b", false),
            ("semi;colon", false),
        ];
        for (input, ok) in cases {
            assert_eq!(Username::parse(input).is_ok(), *ok, "{input:?}");
        }
        let long = "a".repeat(256);
        assert_eq!(
            Username::parse(&long).unwrap_err().problem,
            Problem::TooLong { max: 255 }
        );
        assert!(Username::parse(&"a".repeat(255)).is_ok());
    }

    #[test]
    fn keeps_case_and_trims() {
        let name = Username::parse("  MixedCase ").unwrap();
        assert_eq!(name.as_str(), "MixedCase");
        assert_eq!(name.folded(), "mixedcase");
    }
}
