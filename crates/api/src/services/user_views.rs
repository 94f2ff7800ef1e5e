//! Loading what a user's view needs for a given viewer: the single place that
//! turns the domain's privacy decisions into loaded data.
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::{self, UserExtras, UserView};
use roster_domain::{Privacy, ProfileView, Viewer};
use roster_persistence::users::{self, UserRow};
use roster_persistence::{DbConnection, RepoError};

/// The user named `username`, if `viewer` may see their public keys (SSH
/// or GPG): `404` for nobody, `403` for a private profile's keys, which are
/// only its owner's and the admins' to see.
pub fn key_owner(conn: &mut DbConnection, username: &str, viewer: &Viewer) -> Result<UserRow, ApiError> {
    let user = users::find_by_username(conn, username)?.ok_or(ApiError::NotFound("User"))?;
    if viewer.sees_keys(user.id, &privacy_of(&user)) {
        Ok(user)
    } else {
        Err(ApiError::Forbidden(Some(
            "This user's profile is private.".into(),
        )))
    }
}

/// A user's privacy settings, from the row.
pub fn privacy_of(row: &UserRow) -> Privacy {
    Privacy {
        private_profile: row.private_profile,
        searchable: row.searchable,
        show_followers: row.show_followers,
        share_activity: row.share_activity,
    }
}

/// Loads the extras of `row` for `viewer` at `level`.
pub fn load_extras(
    conn: &mut DbConnection,
    row: &UserRow,
    viewer: Viewer,
    level: ProfileView,
    with_custom_attributes: bool,
) -> Result<UserExtras, RepoError> {
    let privacy = privacy_of(row);
    let mut extras = UserExtras {
        show_activity: viewer.sees_activity(row.id, &privacy),
        ..UserExtras::default()
    };
    if level >= ProfileView::Own {
        extras.identities = users::identities_of_user(conn, row.id)?;
    }
    if level >= ProfileView::Public && viewer.sees_follows(row.id, &privacy) {
        extras.follows = Some(roster_persistence::follows::follow_counts(conn, row.id)?);
    }
    if level == ProfileView::Admin && with_custom_attributes {
        extras.custom_attributes = Some(roster_persistence::custom_attributes::custom_attributes_of(
            conn,
            &[row.id],
        )?);
    }
    Ok(extras)
}

/// A user's row, the level of view `viewer` gets (`level` if given, else
/// what the domain decides for `GET /users/:id`) and the extras that view
/// needs; `None` when there is no such user.
pub fn load_view(
    conn: &mut DbConnection,
    id: i64,
    viewer: Viewer,
    level: Option<ProfileView>,
    with_custom_attributes: bool,
) -> Result<Option<(UserRow, ProfileView, UserExtras)>, RepoError> {
    let Some(row) = users::find_user(conn, id)? else {
        return Ok(None);
    };
    let level = level.unwrap_or_else(|| viewer.profile_view(row.id, row.private_profile));
    let extras = load_extras(conn, &row, viewer, level, with_custom_attributes)?;
    Ok(Some((row, level, extras)))
}

fn own_level(user: &UserRow) -> (Viewer, ProfileView) {
    let level = if user.is_admin {
        ProfileView::Admin
    } else {
        ProfileView::Own
    };
    let viewer = Viewer::User {
        id: user.id,
        is_admin: user.is_admin,
    };
    (viewer, level)
}

/// Loads what the user's view of itself needs beyond its row.
pub fn own_extras(conn: &mut DbConnection, user: &UserRow) -> Result<UserExtras, RepoError> {
    let (viewer, level) = own_level(user);
    load_extras(conn, user, viewer, level, false)
}

/// The view a user gets of itself from its row as just loaded
/// (`GET /user`), with [`own_extras`].
pub fn own_view_with(state: &AppState, user: &UserRow, extras: &UserExtras) -> UserView {
    let (_, level) = own_level(user);
    views::user(user, level, extras, &state.view_context())
}

/// A user as an answer shows it: the row, the level of view and what that
/// view needs, loaded together (inside the transaction of the change the
/// answer reports, so that it shows exactly what was written).
pub struct Shown {
    /// The row.
    pub row: UserRow,
    /// The level of view.
    pub level: ProfileView,
    /// What the view needs beyond the row.
    pub extras: UserExtras,
}

impl Shown {
    /// Loads what `viewer` sees of `row` at `level` (custom attributes too
    /// when asked).
    pub fn load(
        conn: &mut DbConnection,
        row: UserRow,
        viewer: Viewer,
        level: ProfileView,
        with_custom_attributes: bool,
    ) -> Result<Self, RepoError> {
        let extras = load_extras(conn, &row, viewer, level, with_custom_attributes)?;
        Ok(Self { row, level, extras })
    }

    /// Loads the view a user gets of itself.
    pub fn own(conn: &mut DbConnection, row: UserRow) -> Result<Self, RepoError> {
        let (viewer, level) = own_level(&row);
        Self::load(conn, row, viewer, level, false)
    }

    /// The view.
    pub fn render(&self, state: &AppState) -> UserView {
        views::user(&self.row, self.level, &self.extras, &state.view_context())
    }
}
