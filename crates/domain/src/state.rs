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
}

impl UserState {
    /// The stored and shown form (`active`, `blocked`, `deactivated`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Blocked => "blocked",
            Self::Deactivated => "deactivated",
        }
    }

    /// Reads the stored form; `None` for anything else.
    pub fn from_stored(value: &str) -> Option<Self> {
        match value {
            "active" => Some(Self::Active),
            "blocked" => Some(Self::Blocked),
            "deactivated" => Some(Self::Deactivated),
            _ => None,
        }
    }

    /// What `transition` does to an account in this state, with GitLab's rules:
    /// a blocked account cannot be deactivated or activated (unblock it first), a
    /// deactivated one cannot be unblocked (activate it).
    pub fn apply(self, transition: Transition) -> StateChange {
        use Transition::*;
        use UserState::*;
        match (transition, self) {
            (Block, Blocked) | (Unblock, Active) | (Deactivate, Deactivated) | (Activate, Active) => {
                StateChange::Unchanged
            }
            (Block, Active | Deactivated) => StateChange::To(Blocked),
            (Unblock, Blocked) => StateChange::To(Active),
            (Unblock, Deactivated) => {
                StateChange::Forbidden("Deactivated users cannot be unblocked by the API")
            }
            (Deactivate, Active) => StateChange::To(Deactivated),
            (Deactivate, Blocked) => {
                StateChange::Forbidden("A blocked user cannot be deactivated by the API")
            }
            (Activate, Deactivated) => StateChange::To(Active),
            (Activate, Blocked) => StateChange::Forbidden("A blocked user must be unblocked to be activated"),
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
}

/// The outcome of applying a [`Transition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChange {
    /// The account moves to this state.
    To(UserState),
    /// The account is already in the requested state.
    Unchanged,
    /// The transition is not allowed from this state; the text says why.
    Forbidden(&'static str),
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
    fn stored_form_round_trips() {
        for s in [Active, Blocked, Deactivated] {
            assert_eq!(UserState::from_stored(s.as_str()), Some(s));
        }
        assert_eq!(UserState::from_stored("banned"), None);
    }
}
