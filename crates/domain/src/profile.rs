//! Profile fields: names, free text, phone, gender, birthday, time zone, URLs.
use crate::error::{check_length, has_control_chars, FieldError, Problem};
use chrono::{Datelike, NaiveDate};
use std::fmt;

macro_rules! string_newtype {
    ($ty:ident) => {
        impl $ty {
            /// The value as stored.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Gives back the inner string.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// A person's display name (`name`, `first_name`, `last_name`): trimmed, 1 to
/// 255 characters, no control characters, and none of `<`, `>` (GitLab refuses
/// those in names to blunt HTML injection in clients that forget to escape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    /// Longest allowed name.
    pub const MAX_LEN: usize = 255;

    /// Parses a name for `field`.
    pub fn parse(field: &'static str, value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        check_length(field, value, 1, Self::MAX_LEN)?;
        if has_control_chars(value) || value.contains(['\n', '\r', '\t', '<', '>']) {
            return Err(FieldError::new(field, Problem::Invalid));
        }
        Ok(Self(value.to_owned()))
    }

    /// `first last`, for users who give only the two parts (the seeds do).
    pub fn from_parts(first: &Name, last: &Name) -> Name {
        let joined = format!("{} {}", first.0, last.0);
        let cut: String = joined.chars().take(Self::MAX_LEN).collect();
        Name(cut.trim().to_owned())
    }
}
string_newtype!(Name);

/// Free profile text (`bio`, `location`, `organization`, `job_title`,
/// `pronouns`, `skype`, `linkedin`, `twitter`, `note`, …): trimmed, at most a
/// field-specific number of characters, no control characters other than line
/// breaks and tabs. Empty is allowed and means "not set".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileText(String);

impl ProfileText {
    /// Parses text for `field`, at most `max` characters.
    pub fn parse(field: &'static str, value: &str, max: usize) -> Result<Self, FieldError> {
        let value = value.trim();
        check_length(field, value, 0, max)?;
        if has_control_chars(value) {
            return Err(FieldError::new(field, Problem::Invalid));
        }
        Ok(Self(value.to_owned()))
    }

    /// The empty text.
    pub fn empty() -> Self {
        Self(String::new())
    }
}
string_newtype!(ProfileText);

/// The title of an SSH key or the name of a token: trimmed, 1 to 255
/// characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    /// Longest allowed title.
    pub const MAX_LEN: usize = 255;

    /// Parses a title for `field`.
    pub fn parse(field: &'static str, value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        if value.is_empty() {
            return Err(FieldError::new(field, Problem::Blank));
        }
        check_length(field, value, 1, Self::MAX_LEN)?;
        if has_control_chars(value) || value.contains(['\n', '\r', '\t']) {
            return Err(FieldError::new(field, Problem::Invalid));
        }
        Ok(Self(value.to_owned()))
    }
}
string_newtype!(Title);

/// The key of a custom attribute: 1 to 255 characters of ASCII letters,
/// digits, `_`, `-`, `.` and `:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeKey(String);

impl AttributeKey {
    /// Longest allowed key.
    pub const MAX_LEN: usize = 255;

    /// Parses a key for the field `key`.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let ok = (1..=Self::MAX_LEN).contains(&value.len())
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(FieldError::new(
                "key",
                Problem::InvalidBecause(
                    "can contain only letters, digits, '_', '-', '.' and ':' (at most 255)",
                ),
            ))
        }
    }
}
string_newtype!(AttributeKey);

/// A telephone number in E.164 form: `+`, a country code and 7 to 15 digits in
/// all. Spaces, dots, dashes and parentheses in the input are dropped; the stored
/// form is `+` followed by digits only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses a number for the field `phone`.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let err = |p| Err(FieldError::new("phone", p));
        let value = value.trim();
        if value.is_empty() {
            return err(Problem::Blank);
        }
        let Some(rest) = value.strip_prefix('+') else {
            return err(Problem::InvalidBecause(
                "must start with '+' and a country code (E.164)",
            ));
        };
        let mut digits = String::with_capacity(16);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '(' | ')' => {}
                _ => return err(Problem::Invalid),
            }
        }
        if digits.starts_with('0') || !(7..=15).contains(&digits.len()) {
            return err(Problem::Invalid);
        }
        Ok(Self(format!("+{digits}")))
    }
}
string_newtype!(PhoneNumber);

/// A gender, as the seeds describe it, extended with the answers people expect
/// to be offered. The duet seed's `0`/`1` are read as `male`/`female`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    /// `male` (duet `0`).
    Male,
    /// `female` (duet `1`).
    Female,
    /// `non_binary`.
    NonBinary,
    /// `other`.
    Other,
    /// `prefer_not_to_say`.
    PreferNotToSay,
}

impl Gender {
    const ALLOWED: &'static str = "male, female, non_binary, other, prefer_not_to_say";

    /// Parses a gender for the field `gender`.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        match value.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "male" | "0" => Ok(Self::Male),
            "female" | "1" => Ok(Self::Female),
            "non_binary" | "nonbinary" => Ok(Self::NonBinary),
            "other" => Ok(Self::Other),
            "prefer_not_to_say" => Ok(Self::PreferNotToSay),
            _ => Err(FieldError::new("gender", Problem::NotOneOf(Self::ALLOWED))),
        }
    }

    /// The stored and shown form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
            Self::NonBinary => "non_binary",
            Self::Other => "other",
            Self::PreferNotToSay => "prefer_not_to_say",
        }
    }
}

impl fmt::Display for Gender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A birthday: a real calendar date, strictly before `today`, and not before
/// 1900-01-01. `YYYY-MM-DD` is read, and so is the duet seed's
/// `YYYY-MM-DD 00:00:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Birthday(NaiveDate);

impl Birthday {
    /// Parses a birthday, judged against `today` (the caller's clock: this crate
    /// reads none).
    pub fn parse(value: &str, today: NaiveDate) -> Result<Self, FieldError> {
        let err = |p| Err(FieldError::new("birthday", p));
        let value = value.trim();
        let date_part = value
            .strip_suffix(" 00:00:00")
            .or_else(|| value.strip_suffix("T00:00:00"))
            .unwrap_or(value);
        let Ok(date) = NaiveDate::parse_from_str(date_part, "%Y-%m-%d") else {
            return err(Problem::InvalidBecause("must be a date as YYYY-MM-DD"));
        };
        if date >= today {
            return err(Problem::NotInPast);
        }
        if date.year() < 1900 {
            return err(Problem::Invalid);
        }
        Ok(Self(date))
    }

    /// The birthday of someone `age` years old today, as seed 004 defines
    /// its `current_age`: today less `age` years and a day (`current_age`
    /// is the field named in errors).
    pub fn from_age(age: u32, today: NaiveDate) -> Result<Self, FieldError> {
        let date = today
            .checked_sub_months(chrono::Months::new(age.saturating_mul(12)))
            .and_then(|d| d.pred_opt())
            .filter(|d| d.year() >= 1900)
            .ok_or(FieldError::new("current_age", Problem::Invalid))?;
        Ok(Self(date))
    }

    /// The date.
    pub fn date(self) -> NaiveDate {
        self.0
    }
}

/// An IANA time-zone name such as `Europe/Paris` or `UTC`, checked against the
/// tz database and stored in its canonical spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZone(String);

impl TimeZone {
    /// Parses a zone name for the field `time_zone`.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        match chrono_tz::Tz::from_str_insensitive(value) {
            Ok(tz) => Ok(Self(tz.name().to_owned())),
            Err(_) => Err(FieldError::new(
                "time_zone",
                Problem::InvalidBecause("must be an IANA time zone such as Europe/Paris"),
            )),
        }
    }
}
string_newtype!(TimeZone);

/// An absolute `http` or `https` URL with a host, at most 255 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl(String);

impl WebUrl {
    /// Longest allowed URL.
    pub const MAX_LEN: usize = 255;

    /// Parses a URL for `field`. A bare host such as `example.com` is read as
    /// `https://example.com`, as GitLab does for `website_url`. Only what a
    /// profile's link needs: `http` or `https`, a host name (labels of
    /// letters, digits and inner dashes, ending in a name of letters) or
    /// `localhost`, a port, a path of plain characters; no user, query or
    /// fragment. This is exactly what the API's schema states.
    pub fn parse(field: &'static str, value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        check_length(field, value, 1, Self::MAX_LEN)?;
        let invalid = || FieldError::new(field, Problem::Invalid);
        let (candidate, rest) = match value.split_once("://") {
            Some((scheme @ ("http" | "https"), rest)) => (format!("{scheme}://{rest}"), rest),
            Some(_) => return Err(invalid()),
            None => (format!("https://{value}"), value),
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let port_ok =
            port.is_none_or(|p| p.len() <= 5 && !p.starts_with('0') && p.parse::<u16>().is_ok_and(|n| n > 0));
        let path_ok = path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '~' | '/' | '-'));
        if host_name(host) && port_ok && path_ok {
            Ok(Self(candidate))
        } else {
            Err(invalid())
        }
    }
}

/// `localhost`, or labels of letters, digits and inner dashes (at most 63
/// characters each) separated by dots, the last of 2 to 63 letters.
fn host_name(host: &str) -> bool {
    if host == "localhost" {
        return true;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let Some((last, first)) = labels.split_last() else {
        return false;
    };
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    !first.is_empty()
        && first.iter().all(label_ok)
        && (2..=63).contains(&last.len())
        && last.chars().all(|c| c.is_ascii_alphabetic())
}
string_newtype!(WebUrl);

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 23).unwrap()
    }

    #[test]
    fn names() {
        assert_eq!(
            Name::parse("name", "  Ada Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
        assert_eq!(Name::parse("name", "").unwrap_err().problem, Problem::Blank);
        assert!(Name::parse("name", "<script>").is_err());
        assert!(Name::parse("name", "line\nbreak").is_err());
        assert!(Name::parse("name", &"n".repeat(256)).is_err());
        let full = Name::from_parts(
            &Name::parse("first_name", "Ada").unwrap(),
            &Name::parse("last_name", "Lovelace").unwrap(),
        );
        assert_eq!(full.as_str(), "Ada Lovelace");
    }

    #[test]
    fn profile_text() {
        assert_eq!(ProfileText::parse("bio", " hi ", 10).unwrap().as_str(), "hi");
        assert!(ProfileText::parse("bio", "", 10).is_ok());
        assert!(ProfileText::parse("bio", "two\nlines", 20).is_ok());
        assert!(ProfileText::parse("bio", "bell\u{7}", 20).is_err());
        assert_eq!(
            ProfileText::parse("bio", "12345678901", 10).unwrap_err().problem,
            Problem::TooLong { max: 10 }
        );
    }

    #[test]
    fn phones() {
        let cases: &[(&str, Option<&str>)] = &[
            ("+33 6 12 34 56 78", Some("+33612345678")),
            ("+1 (415) 555-0100", Some("+14155550100")),
            ("+441234567", Some("+441234567")),
            ("0612345678", None),
            ("+0612345678", None),
            ("+12", None),
            ("+1234567890123456", None),
            ("+1 415 CALL NOW", None),
            ("", None),
        ];
        for (input, expected) in cases {
            let got = PhoneNumber::parse(input).ok().map(PhoneNumber::into_inner);
            assert_eq!(got.as_deref(), *expected, "{input:?}");
        }
    }

    #[test]
    fn genders() {
        for (input, expected) in [
            ("male", Some(Gender::Male)),
            ("0", Some(Gender::Male)),
            ("1", Some(Gender::Female)),
            ("Female", Some(Gender::Female)),
            ("non-binary", Some(Gender::NonBinary)),
            ("prefer_not_to_say", Some(Gender::PreferNotToSay)),
            ("2", None),
            ("robot", None),
        ] {
            assert_eq!(Gender::parse(input).ok(), expected, "{input:?}");
        }
    }

    #[test]
    fn birthdays() {
        let ok = |s: &str| Birthday::parse(s, today()).map(|b| b.date().to_string());
        assert_eq!(ok("1976-04-02").unwrap(), "1976-04-02");
        assert_eq!(ok("1976-04-02 00:00:00").unwrap(), "1976-04-02");
        assert_eq!(ok("2026-05-22").unwrap(), "2026-05-22");
        assert_eq!(ok("2026-05-23").unwrap_err().problem, Problem::NotInPast);
        assert!(ok("2030-01-01").is_err());
        assert!(ok("2023-02-29").is_err());
        assert!(ok("1899-12-31").is_err());
        assert!(ok("02/04/1976").is_err());
        assert!(ok("").is_err());
    }

    #[test]
    fn time_zones() {
        assert_eq!(TimeZone::parse("Europe/Paris").unwrap().as_str(), "Europe/Paris");
        assert_eq!(TimeZone::parse("europe/paris").unwrap().as_str(), "Europe/Paris");
        assert_eq!(TimeZone::parse("UTC").unwrap().as_str(), "UTC");
        assert!(TimeZone::parse("Mars/Olympus_Mons").is_err());
        assert!(TimeZone::parse("").is_err());
    }

    #[test]
    fn urls() {
        let ok = |s: &str| WebUrl::parse("website_url", s).ok().map(WebUrl::into_inner);
        assert_eq!(
            ok("https://example.com/me").as_deref(),
            Some("https://example.com/me")
        );
        assert_eq!(ok("example.com").as_deref(), Some("https://example.com"));
        assert_eq!(
            ok("http://localhost:3000").as_deref(),
            Some("http://localhost:3000")
        );
        assert_eq!(ok("javascript:alert(1)"), None);
        assert_eq!(ok("ftp://example.com"), None);
        assert_eq!(ok("https://exa mple.com"), None);
        assert_eq!(ok("nohost"), None);
        assert_eq!(
            ok("example.com*"),
            None,
            "only letters, digits and dashes in a host"
        );
        assert_eq!(ok("https://1.2.3.4/"), None);
        assert_eq!(ok("https://example.com/?q=1"), None);
        assert_eq!(ok("https://user@example.com"), None);
        assert_eq!(ok("https://example.com:0"), None);
        assert_eq!(ok("https://example.com:65536"), None);
        assert_eq!(
            ok("https://example.com:8443/a-b/c.d").as_deref(),
            Some("https://example.com:8443/a-b/c.d")
        );
        assert_eq!(ok(&format!("https://example.com/{}", "a".repeat(255))), None);
    }
}
