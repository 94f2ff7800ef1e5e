//! Who may see how much of a user: the one place that decides it.

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// No token.
    Anonymous,
    /// A signed-in user.
    User {
        /// The caller's id.
        id: i64,
        /// Whether the caller is an admin.
        is_admin: bool,
    },
}

/// How much of one user's profile a viewer gets (the views of the contract, §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProfileView {
    /// `UserBasic` and `private_profile`: a private profile seen by others.
    Restricted,
    /// `User`: a public profile.
    Public,
    /// `UserSelf`: the owner, on `GET /user`.
    Own,
    /// `UserAdmin`: admins, everywhere.
    Admin,
}

impl Viewer {
    /// Whether the viewer is an admin.
    pub fn is_admin(&self) -> bool {
        matches!(self, Self::User { is_admin: true, .. })
    }

    /// The view of user `subject_id` on `GET /users/:id`. The owner sees its
    /// own public profile there (its private fields are on `GET /user`).
    pub fn profile_view(&self, subject_id: i64, subject_private: bool) -> ProfileView {
        match *self {
            Self::User { is_admin: true, .. } => ProfileView::Admin,
            Self::User { id, .. } if id == subject_id => ProfileView::Public,
            _ if subject_private => ProfileView::Restricted,
            _ => ProfileView::Public,
        }
    }

    /// The view of each row in a list of users: admins get `UserAdmin`,
    /// everybody else `UserBasic` (as GitLab does).
    pub fn list_view(&self) -> ProfileView {
        if self.is_admin() {
            ProfileView::Admin
        } else {
            ProfileView::Restricted
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProfileView::*;

    #[test]
    fn profile_view_table() {
        let anon = Viewer::Anonymous;
        let owner = Viewer::User {
            id: 1,
            is_admin: false,
        };
        let other = Viewer::User {
            id: 2,
            is_admin: false,
        };
        let admin = Viewer::User {
            id: 3,
            is_admin: true,
        };
        let table = [
            (anon, false, Public),
            (anon, true, Restricted),
            (owner, false, Public),
            (owner, true, Public),
            (other, false, Public),
            (other, true, Restricted),
            (admin, false, Admin),
            (admin, true, Admin),
        ];
        for (viewer, private, expected) in table {
            assert_eq!(
                viewer.profile_view(1, private),
                expected,
                "{viewer:?} private={private}"
            );
        }
        assert_eq!(admin.list_view(), Admin);
        assert_eq!(other.list_view(), Restricted);
        assert_eq!(anon.list_view(), Restricted);
    }
}

/// A user's privacy settings (the contract's `Privacy`, less `public_email`,
/// which is an address and lives with the user).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Privacy {
    /// Only the owner and admins see more than `UserBasic`.
    pub private_profile: bool,
    /// Found by non-admin searches.
    pub searchable: bool,
    /// Followers and following lists and counts shown to others.
    pub show_followers: bool,
    /// `last_activity_on` shown to others.
    pub share_activity: bool,
}

impl Default for Privacy {
    fn default() -> Self {
        Self {
            private_profile: false,
            searchable: true,
            show_followers: true,
            share_activity: true,
        }
    }
}

impl Viewer {
    /// The owner or an admin: sees everything of the subject.
    pub fn is_owner_or_admin(&self, subject_id: i64) -> bool {
        match *self {
            Self::User { is_admin: true, .. } => true,
            Self::User { id, .. } => id == subject_id,
            Self::Anonymous => false,
        }
    }

    /// Whether the viewer may see the subject's followers and following
    /// (lists and counts).
    pub fn sees_follows(&self, subject_id: i64, privacy: &Privacy) -> bool {
        self.is_owner_or_admin(subject_id) || (!privacy.private_profile && privacy.show_followers)
    }

    /// Whether the viewer may see when the subject was last active.
    pub fn sees_activity(&self, subject_id: i64, privacy: &Privacy) -> bool {
        self.is_owner_or_admin(subject_id) || (!privacy.private_profile && privacy.share_activity)
    }

    /// Whether the viewer may list the subject's SSH keys (a private profile
    /// hides them from others; give SSH servers an admin token).
    pub fn sees_keys(&self, subject_id: i64, privacy: &Privacy) -> bool {
        self.is_owner_or_admin(subject_id) || !privacy.private_profile
    }

    /// Whether the viewer sees the subject's status (`/users/:id/status`):
    /// a private profile shows it to its owner and admins only.
    pub fn sees_status(&self, subject_id: i64, privacy: &Privacy) -> bool {
        self.is_owner_or_admin(subject_id) || !privacy.private_profile
    }

    /// Whether searches by this viewer leave out users who are not
    /// searchable (everyone's but admins'; a user still finds themself).
    pub fn search_hides_unsearchable(&self) -> bool {
        !self.is_admin()
    }
}

#[cfg(test)]
mod privacy_tests {
    use super::*;

    #[test]
    fn who_sees_what() {
        let owner = Viewer::User {
            id: 1,
            is_admin: false,
        };
        let other = Viewer::User {
            id: 2,
            is_admin: false,
        };
        let admin = Viewer::User {
            id: 3,
            is_admin: true,
        };
        let anon = Viewer::Anonymous;
        let open = Privacy::default();
        let hidden = Privacy {
            show_followers: false,
            share_activity: false,
            searchable: false,
            ..open
        };
        let private = Privacy {
            private_profile: true,
            ..open
        };
        for (viewer, privacy, follows, activity, keys) in [
            (anon, open, true, true, true),
            (other, open, true, true, true),
            (anon, hidden, false, false, true),
            (other, hidden, false, false, true),
            (owner, hidden, true, true, true),
            (admin, hidden, true, true, true),
            (anon, private, false, false, false),
            (other, private, false, false, false),
            (owner, private, true, true, true),
            (admin, private, true, true, true),
        ] {
            assert_eq!(
                viewer.sees_follows(1, &privacy),
                follows,
                "{viewer:?} {privacy:?}"
            );
            assert_eq!(
                viewer.sees_activity(1, &privacy),
                activity,
                "{viewer:?} {privacy:?}"
            );
            assert_eq!(viewer.sees_keys(1, &privacy), keys, "{viewer:?} {privacy:?}");
        }
        assert!(other.search_hides_unsearchable());
        assert!(anon.search_hides_unsearchable());
        assert!(!admin.search_hides_unsearchable());
    }
}
