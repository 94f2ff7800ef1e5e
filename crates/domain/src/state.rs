use std::fmt;

/// The state of an account, as GitLab names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserState {
    /// May sign in and use tokens.
    Active,
    /// Blocked by an admin: no sign-in, tokens refused.
    Blocked,
    /// Deactivated by an admin (or, later, for inactivity): no sign-in, tokens
    /// refused, reversible with `activate`.
    Deactivated,
    /// Banned by an admin (GitLab's moderation): blocked, and reversed only
    /// with `unban` (or `unblock`).
    Banned,
    /// Signed up while sign-ups need an admin's approval
    /// (`ROSTER_SIGNUP_APPROVAL`): blocked until approved, deleted if rejected.
    PendingApproval,
}

/// The stored forms of the states that count as blocked: no sign-in, tokens
/// refused, hidden where blocked users are hidden.
pub const BLOCKED_STATES: [&str; 3] = ["blocked", "banned", "blocked_pending_approval"];

impl UserState {
    /// The stored and shown form, GitLab's names (`active`, `blocked`,
    /// `deactivated`, `banned`, `blocked_pending_approval`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Blocked => "blocked",
            Self::Deactivated => "deactivated",
            Self::Banned => "banned",
            Self::PendingApproval => "blocked_pending_approval",
        }
    }

    /// Blocked, banned or waiting for approval (GitLab's `blocked?`).
    pub fn is_blocked(self) -> bool {
        matches!(self, Self::Blocked | Self::Banned | Self::PendingApproval)
    }

    /// Reads the stored form; `None` for anything else.
    pub fn from_stored(value: &str) -> Option<Self> {
        match value {
            "active" => Some(Self::Active),
            "blocked" => Some(Self::Blocked),
            "deactivated" => Some(Self::Deactivated),
            "banned" => Some(Self::Banned),
            "blocked_pending_approval" => Some(Self::PendingApproval),
            _ => None,
        }
    }

    /// What `transition` does to an account in this state, with GitLab's rules:
    /// a blocked account cannot be deactivated or activated (unblock it first), a
    /// deactivated one cannot be unblocked (activate it); only an active
    /// account can be banned, only a banned one unbanned, only a pending one
    /// approved. Blocking any blocked-like account changes nothing; unblocking
    /// a banned or pending one makes it active.
    pub fn apply(self, transition: Transition) -> StateChange {
        use Transition::*;
        use UserState::*;
        match (transition, self) {
            (Block, Blocked | Banned | PendingApproval)
            | (Unblock, Active)
            | (Deactivate, Deactivated)
            | (Activate, Active) => StateChange::Unchanged,
            (Block, Active | Deactivated) => StateChange::To(Blocked),
            (Unblock, Blocked | Banned | PendingApproval) => StateChange::To(Active),
            (Unblock, Deactivated) => {
                StateChange::Forbidden("Deactivated users cannot be unblocked by the API")
            }
            (Deactivate, Active) => StateChange::To(Deactivated),
            (Deactivate, Blocked | Banned | PendingApproval) => {
                StateChange::Forbidden("A blocked user cannot be deactivated by the API")
            }
            (Activate, Deactivated) => StateChange::To(Active),
            (Activate, Blocked | Banned | PendingApproval) => {
                StateChange::Forbidden("A blocked user must be unblocked to be activated")
            }
            (Ban, Active) => StateChange::To(Banned),
            (Ban, other) => StateChange::Refused(format!("You cannot ban {other} users.")),
            (Unban, Banned) => StateChange::To(Active),
            (Unban, other) => StateChange::Refused(format!("You cannot unban {other} users.")),
            (Approve, PendingApproval) => StateChange::To(Active),
            (Approve, _) => {
                StateChange::Conflict("The user you are trying to approve is not pending approval")
            }
        }
    }
}

impl fmt::Display for UserState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An admin's state change request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transition {
    /// `POST /users/:id/block`.
    Block,
    /// `POST /users/:id/unblock`.
    Unblock,
    /// `POST /users/:id/deactivate`.
    Deactivate,
    /// `POST /users/:id/activate`.
    Activate,
    /// `POST /users/:id/ban`.
    Ban,
    /// `POST /users/:id/unban`.
    Unban,
    /// `POST /users/:id/approve`.
    Approve,
}

impl Transition {
    /// The security event a change of this kind records.
    pub fn event(self) -> &'static str {
        match self {
            Self::Block => "user_blocked",
            Self::Unblock => "user_unblocked",
            Self::Deactivate => "user_deactivated",
            Self::Activate => "user_activated",
            Self::Ban => "user_banned",
            Self::Unban => "user_unbanned",
            Self::Approve => "user_approved",
        }
    }
}

/// The outcome of applying a [`Transition`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateChange {
    /// The account moves to this state.
    To(UserState),
    /// The account is already in the requested state.
    Unchanged,
    /// The transition is not allowed from this state; the text says why
    /// (GitLab answers `403 {"message": "403 Forbidden - …"}`).
    Forbidden(&'static str),
    /// Moderation refused in this state (GitLab's `403 {"message": "You
    /// cannot ban blocked users."}`, without the status prefix).
    Refused(String),
    /// Nothing to do in this state (GitLab's `409`).
    Conflict(&'static str),
}

#[cfg(test)]
mod tests {
    use super::*;
    use StateChange::*;
    use Transition::*;
    use UserState::*;

    #[test]
    fn transition_table() {
        let table = [
            (Active, Block, To(Blocked)),
            (Blocked, Block, Unchanged),
            (Deactivated, Block, To(Blocked)),
            (Active, Unblock, Unchanged),
            (Blocked, Unblock, To(Active)),
            (
                Deactivated,
                Unblock,
                Forbidden("Deactivated users cannot be unblocked by the API"),
            ),
            (Active, Deactivate, To(Deactivated)),
            (Deactivated, Deactivate, Unchanged),
            (
                Blocked,
                Deactivate,
                Forbidden("A blocked user cannot be deactivated by the API"),
            ),
            (Active, Activate, Unchanged),
            (Deactivated, Activate, To(Active)),
            (
                Blocked,
                Activate,
                Forbidden("A blocked user must be unblocked to be activated"),
            ),
        ];
        for (from, t, expected) in table {
            assert_eq!(from.apply(t), expected, "{from:?} {t:?}");
        }
    }

    #[test]
    fn moderation_table() {
        let refused = |s: &str| Refused(s.to_owned());
        let not_pending = Conflict("The user you are trying to approve is not pending approval");
        let table = [
            (Active, Ban, To(Banned)),
            (Banned, Ban, refused("You cannot ban banned users.")),
            (Blocked, Ban, refused("You cannot ban blocked users.")),
            (Deactivated, Ban, refused("You cannot ban deactivated users.")),
            (
                PendingApproval,
                Ban,
                refused("You cannot ban blocked_pending_approval users."),
            ),
            (Banned, Unban, To(Active)),
            (Active, Unban, refused("You cannot unban active users.")),
            (Blocked, Unban, refused("You cannot unban blocked users.")),
            (PendingApproval, Approve, To(Active)),
            (Active, Approve, not_pending.clone()),
            (Blocked, Approve, not_pending),
            (Banned, Block, Unchanged),
            (PendingApproval, Block, Unchanged),
            (Banned, Unblock, To(Active)),
            (PendingApproval, Unblock, To(Active)),
            (
                Banned,
                Deactivate,
                Forbidden("A blocked user cannot be deactivated by the API"),
            ),
            (
                Banned,
                Activate,
                Forbidden("A blocked user must be unblocked to be activated"),
            ),
        ];
        for (from, t, expected) in table {
            assert_eq!(from.apply(t), expected, "{from:?} {t:?}");
        }
        for s in [Blocked, Banned, PendingApproval] {
            assert!(s.is_blocked() && BLOCKED_STATES.contains(&s.as_str()), "{s:?}");
        }
        assert!(!Active.is_blocked() && !Deactivated.is_blocked());
    }

    #[test]
    fn stored_form_round_trips() {
        for s in [Active, Blocked, Deactivated, Banned, PendingApproval] {
            assert_eq!(UserState::from_stored(s.as_str()), Some(s));
        }
        assert_eq!(UserState::from_stored("ldap_blocked"), None);
    }
}
