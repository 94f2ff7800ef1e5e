//! A user's status, as GitLab has it (`/user/status`): an emoji, a short
//! message, whether the user is busy, and when the status clears itself.
use crate::error::{check_length, has_control_chars, FieldError, Problem};
use chrono::{Duration, NaiveDateTime};

/// The name of an emoji (`coffee`, `palm_tree`, `+1`), without colons.
///
/// GitLab checks the name against its emoji set; Roster checks only its form
/// (lower-case letters, digits, `_`, `+`, `-`, at most 64 characters), so a
/// client with a newer emoji set is never refused. A leading and trailing
/// colon (`:coffee:`) are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusEmoji(String);

impl StatusEmoji {
    /// The emoji of a status given a message but no emoji, as in GitLab.
    pub const DEFAULT: &'static str = "speech_balloon";
    /// The longest name accepted.
    pub const MAX_LEN: usize = 64;

    /// Parses an emoji name; `None` for a blank value (no emoji given).
    pub fn parse(value: &str) -> Result<Option<Self>, FieldError> {
        let value = value.trim();
        let value = value
            .strip_prefix(':')
            .and_then(|v| v.strip_suffix(':'))
            .unwrap_or(value);
        if value.is_empty() {
            return Ok(None);
        }
        check_length("emoji", value, 1, Self::MAX_LEN)?;
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '+' | '-');
        if !value.chars().all(allowed) {
            return Err(FieldError::new(
                "emoji",
                Problem::InvalidBecause("must be an emoji name such as coffee or palm_tree"),
            ));
        }
        Ok(Some(Self(value.to_owned())))
    }

    /// The default emoji.
    pub fn default_emoji() -> Self {
        Self(Self::DEFAULT.to_owned())
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A status message: trimmed, one line, at most 100 characters (GitLab's
/// limit).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusMessage(String);

impl StatusMessage {
    /// The longest message accepted.
    pub const MAX_LEN: usize = 100;

    /// Parses a message; `None` for a blank value.
    pub fn parse(value: &str) -> Result<Option<Self>, FieldError> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(None);
        }
        check_length("message", value, 1, Self::MAX_LEN)?;
        if has_control_chars(value) || value.contains(['\n', '\r', '\t']) {
            return Err(FieldError::new("message", Problem::Invalid));
        }
        Ok(Some(Self(value.to_owned())))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether the user may be disturbed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Availability {
    /// Nothing said (the default).
    #[default]
    NotSet,
    /// Busy.
    Busy,
}

impl Availability {
    /// Parses `not_set` or `busy`.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        match value.trim() {
            "not_set" => Ok(Self::NotSet),
            "busy" => Ok(Self::Busy),
            _ => Err(FieldError::new(
                "availability",
                Problem::NotOneOf("not_set, busy"),
            )),
        }
    }

    /// Reads a stored value; anything unknown counts as not set.
    pub fn from_stored(value: &str) -> Self {
        Self::parse(value).unwrap_or_default()
    }

    /// The stored and shown form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotSet => "not_set",
            Self::Busy => "busy",
        }
    }
}

/// GitLab's choices for `clear_status_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClearStatusAfter {
    /// `30_minutes`.
    ThirtyMinutes,
    /// `3_hours`.
    ThreeHours,
    /// `8_hours`.
    EightHours,
    /// `1_day`.
    OneDay,
    /// `3_days`.
    ThreeDays,
    /// `7_days`.
    SevenDays,
    /// `30_days`.
    ThirtyDays,
}

impl ClearStatusAfter {
    /// Parses one of `30_minutes`, `3_hours`, `8_hours`, `1_day`, `3_days`,
    /// `7_days`, `30_days`.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        Ok(match value.trim() {
            "30_minutes" => Self::ThirtyMinutes,
            "3_hours" => Self::ThreeHours,
            "8_hours" => Self::EightHours,
            "1_day" => Self::OneDay,
            "3_days" => Self::ThreeDays,
            "7_days" => Self::SevenDays,
            "30_days" => Self::ThirtyDays,
            _ => {
                return Err(FieldError::new(
                    "clear_status_after",
                    Problem::NotOneOf("30_minutes, 3_hours, 8_hours, 1_day, 3_days, 7_days, 30_days"),
                ))
            }
        })
    }

    /// How long the status lasts.
    pub fn duration(self) -> Duration {
        match self {
            Self::ThirtyMinutes => Duration::minutes(30),
            Self::ThreeHours => Duration::hours(3),
            Self::EightHours => Duration::hours(8),
            Self::OneDay => Duration::days(1),
            Self::ThreeDays => Duration::days(3),
            Self::SevenDays => Duration::days(7),
            Self::ThirtyDays => Duration::days(30),
        }
    }

    /// When a status set at `at` clears itself.
    pub fn from(self, at: NaiveDateTime) -> NaiveDateTime {
        at + self.duration()
    }
}

/// A status worth keeping: one with an emoji, a message or `busy`. Built by
/// [`UserStatus::new`], which fills in GitLab's default emoji.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserStatus {
    /// The emoji (the default one when only a message was given).
    pub emoji: Option<StatusEmoji>,
    /// The message.
    pub message: Option<StatusMessage>,
    /// Busy or not.
    pub availability: Availability,
    /// When it clears itself, if ever.
    pub clear_status_at: Option<NaiveDateTime>,
}

impl UserStatus {
    /// The status with these parts, or `None` when there is nothing to keep
    /// (no emoji, no message and not busy: setting that clears the status,
    /// as in GitLab). A message without an emoji gets `speech_balloon`.
    pub fn new(
        emoji: Option<StatusEmoji>,
        message: Option<StatusMessage>,
        availability: Availability,
        clear_status_at: Option<NaiveDateTime>,
    ) -> Option<Self> {
        if emoji.is_none() && message.is_none() && availability == Availability::NotSet {
            return None;
        }
        let emoji = match (emoji, &message) {
            (None, Some(_)) => Some(StatusEmoji::default_emoji()),
            (emoji, _) => emoji,
        };
        Some(Self {
            emoji,
            message,
            availability,
            clear_status_at,
        })
    }

    /// Whether the status still holds at `at`.
    pub fn holds_at(&self, at: NaiveDateTime) -> bool {
        self.clear_status_at.is_none_or(|clear| clear > at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .expect("a valid time")
    }

    #[test]
    fn emoji_names_are_checked_for_form_and_lose_their_colons() {
        assert_eq!(
            StatusEmoji::parse(":coffee:").unwrap().unwrap().as_str(),
            "coffee"
        );
        assert_eq!(StatusEmoji::parse("+1").unwrap().unwrap().as_str(), "+1");
        assert_eq!(StatusEmoji::parse("  ").unwrap(), None);
        assert!(StatusEmoji::parse("Coffee").is_err());
        assert!(StatusEmoji::parse("☕").is_err());
        assert!(StatusEmoji::parse("<script>").is_err());
        assert!(StatusEmoji::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn messages_are_one_line_of_at_most_100_characters() {
        assert_eq!(
            StatusMessage::parse(" Out sick ").unwrap().unwrap().as_str(),
            "Out sick"
        );
        assert_eq!(StatusMessage::parse("").unwrap(), None);
        assert!(StatusMessage::parse(&"é".repeat(100)).unwrap().is_some());
        assert!(StatusMessage::parse(&"é".repeat(101)).is_err());
        assert!(StatusMessage::parse("two\nlines").is_err());
    }

    #[test]
    fn availability_and_clear_after_take_gitlabs_values() {
        assert_eq!(Availability::parse("busy").unwrap(), Availability::Busy);
        assert!(Availability::parse("away").is_err());
        assert_eq!(Availability::from_stored("garbage"), Availability::NotSet);
        let clear = ClearStatusAfter::parse("3_hours").unwrap();
        assert_eq!(clear.from(at()), at() + Duration::hours(3));
        assert!(ClearStatusAfter::parse("2_hours").is_err());
    }

    #[test]
    fn an_empty_status_is_none_and_a_message_gets_the_default_emoji() {
        assert_eq!(UserStatus::new(None, None, Availability::NotSet, None), None);
        let message = StatusMessage::parse("lunch").unwrap();
        let status = UserStatus::new(None, message, Availability::NotSet, None).unwrap();
        assert_eq!(status.emoji.unwrap().as_str(), StatusEmoji::DEFAULT);
        let busy = UserStatus::new(None, None, Availability::Busy, None).unwrap();
        assert_eq!(busy.emoji, None);
    }

    #[test]
    fn a_status_holds_until_its_clear_time() {
        let status = UserStatus::new(None, None, Availability::Busy, Some(at())).unwrap();
        assert!(status.holds_at(at() - Duration::seconds(1)));
        assert!(!status.holds_at(at()));
        let forever = UserStatus::new(None, None, Availability::Busy, None).unwrap();
        assert!(forever.holds_at(at() + Duration::days(10_000)));
    }
}
