use std::fmt;

/// Why a value was refused. Rendered in the wording GitLab uses for the same
/// rule, so that the API can put it straight into a `{"message": {field: [..]}}` body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The value is empty or only white space.
    #[error("can't be blank")]
    Blank,
    /// The value does not have the required form.
    #[error("is invalid")]
    Invalid,
    /// The value is invalid for a reason worth telling the user.
    #[error("{0}")]
    InvalidBecause(&'static str),
    /// Shorter than the minimum.
    #[error("is too short (minimum is {min} characters)")]
    TooShort {
        /// The minimum length.
        min: usize,
    },
    /// Longer than the maximum.
    #[error("is too long (maximum is {max} characters)")]
    TooLong {
        /// The maximum length.
        max: usize,
    },
    /// The value is reserved by Roster and cannot be taken.
    #[error("is reserved")]
    Reserved,
    /// The value must not equal another field's value.
    #[error("must not be the same as your {0}")]
    SameAs(&'static str),
    /// The confirmation does not match.
    #[error("doesn't match {0}")]
    Mismatch(&'static str),
    /// The date is not in the past.
    #[error("must be in the past")]
    NotInPast,
    /// The value is not one of the allowed ones.
    #[error("must be one of: {0}")]
    NotOneOf(&'static str),
}

/// A refused value: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The request field the value came from (`email`, `username`, …).
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: Problem,
}

impl FieldError {
    /// A refusal of `field` for `problem`.
    pub fn new(field: &'static str, problem: Problem) -> Self {
        Self { field, problem }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.problem)
    }
}

impl std::error::Error for FieldError {}

/// Checks the character length of a trimmed value against `min..=max`.
pub(crate) fn check_length(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), FieldError> {
    let len = value.chars().count();
    if len == 0 && min > 0 {
        return Err(FieldError::new(field, Problem::Blank));
    }
    if len < min {
        return Err(FieldError::new(field, Problem::TooShort { min }));
    }
    if len > max {
        return Err(FieldError::new(field, Problem::TooLong { max }));
    }
    Ok(())
}

/// True when the text holds a control character other than ordinary white space.
pub(crate) fn has_control_chars(value: &str) -> bool {
    value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}
