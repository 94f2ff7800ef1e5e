//! The id of one of a person's sessions in `GET /user/sessions`: a browser
//! session or an OAuth token family, two kinds kept apart, under one
//! integer (§1: ids are integers) that `DELETE /user/sessions/:id` reads
//! back. Even numbers are browser sessions, odd ones token families (named
//! by the id of their first pair, which a refresh never changes).

/// A session, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionId {
    /// A browser session, by its row id.
    Browser(i64),
    /// An OAuth token family, by the id of its first pair.
    TokenFamily(i64),
}

impl SessionId {
    /// The number clients see.
    pub fn number(self) -> i64 {
        match self {
            Self::Browser(id) => id.saturating_mul(2),
            Self::TokenFamily(id) => id.saturating_mul(2).saturating_add(1),
        }
    }

    /// The session a number names, or `None` for one no session can have
    /// (zero or below).
    pub fn from_number(number: i64) -> Option<Self> {
        if number <= 0 {
            return None;
        }
        Some(if number % 2 == 0 {
            Self::Browser(number / 2)
        } else {
            Self::TokenFamily(number / 2)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::SessionId;

    #[test]
    fn both_kinds_come_back_from_their_numbers_and_never_meet() {
        for id in [1, 2, 7, 1_000_000_007] {
            for session in [SessionId::Browser(id), SessionId::TokenFamily(id)] {
                assert!(session.number() > 0);
                assert_eq!(SessionId::from_number(session.number()), Some(session));
            }
            assert_ne!(
                SessionId::Browser(id).number(),
                SessionId::TokenFamily(id).number()
            );
        }
        assert_eq!(SessionId::from_number(0), None);
        assert_eq!(SessionId::from_number(-4), None);
        assert_eq!(SessionId::from_number(1), Some(SessionId::TokenFamily(0)));
    }
}
