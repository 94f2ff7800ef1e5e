//! Groups (organisations and their teams) and what a member may do in them:
//! GitLab's access levels, visibility and nesting rules.
use crate::error::{check_length, FieldError, Problem};
use std::fmt;

/// How many ancestors a group may have (GitLab's limit).
pub const MAX_ANCESTORS: usize = 20;

/// GitLab's access levels, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessLevel {
    /// 10: sees the group and its members.
    Guest,
    /// 20.
    Reporter,
    /// 30.
    Developer,
    /// 40: adds and changes members up to Maintainer, creates subgroups.
    Maintainer,
    /// 50: everything, including the group's settings and deletion.
    Owner,
}

impl AccessLevel {
    /// Every level, least first.
    pub const ALL: [Self; 5] = [
        Self::Guest,
        Self::Reporter,
        Self::Developer,
        Self::Maintainer,
        Self::Owner,
    ];

    /// GitLab's number for the level.
    pub fn value(self) -> i32 {
        match self {
            Self::Guest => 10,
            Self::Reporter => 20,
            Self::Developer => 30,
            Self::Maintainer => 40,
            Self::Owner => 50,
        }
    }

    /// The level of GitLab's number, if it is one of the five.
    pub fn from_value(value: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|l| i64::from(l.value()) == value)
    }

    /// The level's name (`Guest`, …, `Owner`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Guest => "Guest",
            Self::Reporter => "Reporter",
            Self::Developer => "Developer",
            Self::Maintainer => "Maintainer",
            Self::Owner => "Owner",
        }
    }
}

/// Who may see a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Visibility {
    /// Its members (direct, inherited, or of a subgroup) and admins.
    Private,
    /// Anyone signed in who is not an external user.
    Internal,
    /// Anyone, signed in or not.
    Public,
}

impl Visibility {
    /// Parses `private`, `internal` or `public`.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        match value.trim() {
            "private" => Ok(Self::Private),
            "internal" => Ok(Self::Internal),
            "public" => Ok(Self::Public),
            _ => Err(FieldError::new(
                "visibility",
                Problem::NotOneOf("private, internal, public"),
            )),
        }
    }

    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Internal => "internal",
            Self::Public => "public",
        }
    }

    /// Reads a stored value; anything unknown is the most restrictive.
    pub fn from_stored(value: &str) -> Self {
        Self::parse(value).unwrap_or(Self::Private)
    }
}

/// A group's path: one segment of its `full_path`, as GitLab allows it:
/// 1 to 255 letters, digits, `_`, `-` and `.`, starting with a letter, a
/// digit or `_`, not ending in `.`, `.git` or `.atom`, without `..`, and not
/// only digits (a number in a route is an id).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupPath(String);

impl GroupPath {
    /// Parses a path, trimming surrounding white space.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let err = |why| Err(FieldError::new("path", Problem::InvalidBecause(why)));
        let value = value.trim();
        check_length("path", value, 1, 255)?;
        if !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return err("can contain only letters, digits, '_', '-' and '.'");
        }
        if !value.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            return err("must start with a letter, a digit or '_'");
        }
        let lower = value.to_ascii_lowercase();
        if value.ends_with('.') || value.contains("..") || lower.ends_with(".git") || lower.ends_with(".atom")
        {
            return err("cannot end in '.', '.git' or '.atom', or contain '..'");
        }
        if value.chars().all(|c| c.is_ascii_digit()) {
            return err("cannot be only digits");
        }
        Ok(Self(value.to_owned()))
    }

    /// The path.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GroupPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A group's name, as GitLab allows it: 1 to 255 characters of letters,
/// digits, emoji, `_`, `.`, `-`, `+`, spaces and parentheses, starting with
/// a letter, a digit, an emoji or `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupName(String);

impl GroupName {
    /// Parses a name, trimming surrounding white space.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        check_length("name", value, 1, 255)?;
        // Beyond ASCII, letters, digits and symbols (emoji) are welcome;
        // controls and unusual spaces are not.
        let word = |c: char| {
            c.is_alphanumeric() || c == '_' || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
        };
        if !value
            .chars()
            .all(|c| word(c) || matches!(c, '.' | '-' | '+' | ' ' | '(' | ')'))
        {
            return Err(FieldError::new(
                "name",
                Problem::InvalidBecause(
                    "can contain only letters, digits, emoji, '_', '.', '-', '+', spaces and parentheses",
                ),
            ));
        }
        if !value.starts_with(word) {
            return Err(FieldError::new(
                "name",
                Problem::InvalidBecause("must start with a letter, a digit, an emoji or '_'"),
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What one caller is to one group: the facts every group permission is
/// decided from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupRole {
    /// Signed in at all.
    pub signed_in: bool,
    /// An admin: may do anything.
    pub admin: bool,
    /// An external user: sees internal groups only as a member.
    pub external: bool,
    /// The highest level of the caller's unexpired memberships in the group
    /// and its ancestors.
    pub level: Option<AccessLevel>,
    /// A member of one of the group's subgroups (which lets one see the
    /// group, as in GitLab).
    pub member_below: bool,
}

impl GroupRole {
    /// Whether the group exists for the caller at all: a group one may not
    /// read is answered `404`, never `403`.
    pub fn can_read(&self, visibility: Visibility) -> bool {
        self.admin
            || self.level.is_some()
            || self.member_below
            || match visibility {
                Visibility::Public => true,
                Visibility::Internal => self.signed_in && !self.external,
                Visibility::Private => false,
            }
    }

    /// At least `level` here, or an admin.
    pub fn at_least(&self, level: AccessLevel) -> bool {
        self.admin || self.level.is_some_and(|l| l >= level)
    }

    /// Whether the caller may change the group's settings or delete it,
    /// and manage its access tokens: Owners and admins.
    pub fn can_administer(&self) -> bool {
        self.at_least(AccessLevel::Owner)
    }

    /// Whether the caller may create subgroups here, invite and manage
    /// members: Maintainers, Owners and admins.
    pub fn can_maintain(&self) -> bool {
        self.at_least(AccessLevel::Maintainer)
    }

    /// Whether the caller may give someone `level` here (a new member, a
    /// changed level, an invitation or a token): Owners and admins any;
    /// Maintainers up to their own level.
    pub fn can_grant(&self, level: AccessLevel) -> bool {
        self.can_administer() || (self.can_maintain() && self.level.is_some_and(|own| level <= own))
    }

    /// Whether the caller may change or remove a member who holds
    /// `current` here: Maintainers may not touch Owners.
    pub fn can_manage(&self, current: AccessLevel) -> bool {
        self.can_grant(current)
    }
}

/// Parses a membership's or an invitation's `expires_at`: a `YYYY-MM-DD`
/// date after `today` (a membership stops counting at the start of that
/// day, UTC).
pub fn parse_membership_expiry(
    value: &str,
    today: chrono::NaiveDate,
) -> Result<chrono::NaiveDate, FieldError> {
    let Ok(date) = chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") else {
        return Err(FieldError::new(
            "expires_at",
            Problem::InvalidBecause("must be a date as YYYY-MM-DD"),
        ));
    };
    if date <= today {
        return Err(FieldError::new(
            "expires_at",
            Problem::InvalidBecause("cannot be a date in the past or today"),
        ));
    }
    Ok(date)
}

/// Why a group's visibility was refused beside its parent or subgroups.
pub fn visibility_problem(
    visibility: Visibility,
    parent: Option<Visibility>,
    widest_child: Option<Visibility>,
) -> Option<&'static str> {
    if parent.is_some_and(|p| visibility > p) {
        return Some("is not allowed since the parent group has a more restrictive visibility");
    }
    if widest_child.is_some_and(|c| visibility < c) {
        return Some("is not allowed since there are subgroups with a less restrictive visibility");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccessLevel::*;

    #[test]
    fn levels_are_gitlabs_numbers() {
        assert_eq!(AccessLevel::from_value(40), Some(Maintainer));
        assert_eq!(AccessLevel::from_value(5), None);
        assert_eq!(AccessLevel::from_value(60), None);
        assert!(Owner > Maintainer && Guest < Reporter);
    }

    #[test]
    fn paths_follow_gitlab() {
        for ok in ["acme", "a", "_x", "team-1.web", "A_b"] {
            assert!(GroupPath::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-a", ".a", "a.", "a..b", "x.git", "a b", "a/b", "123", "é"] {
            assert!(GroupPath::parse(bad).is_err(), "{bad}");
        }
        assert!(GroupPath::parse(&"a".repeat(256)).is_err());
    }

    #[test]
    fn names_follow_gitlab() {
        for ok in ["Acme", "Acme (EU) + co.", "Équipe 🚀", "_x"] {
            assert!(GroupName::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "  ", "-x", "a/b", "a\u{0}b", "a<b>"] {
            assert!(GroupName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn who_reads_what() {
        let anonymous = GroupRole::default();
        let user = GroupRole {
            signed_in: true,
            ..GroupRole::default()
        };
        let external = GroupRole {
            external: true,
            ..user
        };
        let guest = GroupRole {
            level: Some(Guest),
            ..external
        };
        let admin = GroupRole { admin: true, ..user };
        use Visibility::*;
        let table = [
            (anonymous, [false, false, true]),
            (user, [false, true, true]),
            (external, [false, false, true]),
            (guest, [true, true, true]),
            (admin, [true, true, true]),
        ];
        for (role, expected) in table {
            for (v, e) in [Private, Internal, Public].into_iter().zip(expected) {
                assert_eq!(role.can_read(v), e, "{role:?} {v:?}");
            }
        }
    }

    #[test]
    fn maintainers_grant_up_to_their_own_level() {
        let maintainer = GroupRole {
            signed_in: true,
            level: Some(Maintainer),
            ..GroupRole::default()
        };
        assert!(maintainer.can_grant(Maintainer) && !maintainer.can_grant(Owner));
        assert!(!maintainer.can_manage(Owner) && !maintainer.can_administer());
        let owner = GroupRole {
            level: Some(Owner),
            ..maintainer
        };
        assert!(owner.can_grant(Owner) && owner.can_administer());
        let developer = GroupRole {
            level: Some(Developer),
            ..maintainer
        };
        assert!(!developer.can_grant(Guest) && !developer.can_maintain());
    }

    #[test]
    fn visibility_nests() {
        use Visibility::*;
        assert!(visibility_problem(Public, Some(Private), None).is_some());
        assert!(visibility_problem(Private, Some(Public), Some(Internal)).is_some());
        assert!(visibility_problem(Internal, Some(Public), Some(Internal)).is_none());
    }
}
