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
