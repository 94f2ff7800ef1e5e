//! The admin console's templates (`/-/admin/...`): askama, checked when
//! Roster is compiled, every value escaped.
use crate::http::page::FormState;
use crate::services::user_sessions::SessionView;
use crate::views::console::{filters, Nav, Pager};
use askama::Template;
use roster_persistence::applications::ApplicationRow;
use roster_persistence::audit::AuditRow;
use roster_persistence::emails::EmailRow;
use roster_persistence::groups::GroupRow;
use roster_persistence::keys::KeyRow;
use roster_persistence::personal_tokens::PatRow;
use roster_persistence::system_hooks::{DeliveryRow, HookRow};
use roster_persistence::users::UserRow;

// The templates call the filters by this path.
#[allow(unused_imports)]
use filters as _;

/// The page telling an operator how to make the first admin.
#[derive(Template)]
#[template(path = "first_run.html")]
pub struct FirstRunPage {
    /// The heading.
    pub title: &'static str,
}

/// `/-/admin`: counts and links.
#[derive(Template)]
#[template(path = "admin/overview.html")]
pub struct OverviewPage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// Users.
    pub users: i64,
    /// Blocked users.
    pub blocked: i64,
    /// Admins.
    pub admins: i64,
    /// Groups.
    pub groups: i64,
    /// OAuth applications.
    pub applications: i64,
    /// System hooks.
    pub hooks: i64,
}

/// `/-/admin/users`: a page of users, with the filters of `GET /users`.
#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// The filters as typed, and their problems.
    pub filters: FormState,
    /// The users of this page.
    pub users: Vec<UserRow>,
    /// How many match, when counted.
    pub total: Option<i64>,
    /// The links to the other pages.
    pub pager: Pager,
}

/// `/-/admin/users/:id`: a user and everything of theirs.
#[derive(Template)]
#[template(path = "admin/user.html")]
pub struct UserPage {
    /// The heading.
    pub title: String,
    /// The navigation.
    pub nav: Nav,
    /// The user.
    pub user: UserRow,
    /// The actions open to the admin: path segment, button, whether it destroys.
    pub actions: Vec<(&'static str, &'static str, bool)>,
    /// Addresses beside the primary one.
    pub emails: Vec<EmailRow>,
    /// SSH keys.
    pub keys: Vec<KeyRow>,
    /// The pages of the keys.
    pub keys_pager: Pager,
    /// Active tokens.
    pub tokens: Vec<PatRow>,
    /// The pages of the tokens.
    pub tokens_pager: Pager,
    /// Sessions.
    pub sessions: Vec<SessionView>,
    /// The pages of the sessions.
    pub sessions_pager: Pager,
    /// Memberships: group id, full path, role.
    pub memberships: Vec<(i64, String, String)>,
    /// The pages of the memberships.
    pub groups_pager: Pager,
}

/// `/-/admin/users/new` and `/-/admin/users/:id/edit`.
#[derive(Template)]
#[template(path = "admin/user_form.html")]
pub struct UserFormPage {
    /// The heading.
    pub title: String,
    /// The navigation.
    pub nav: Nav,
    /// Where the form posts.
    pub action: String,
    /// Whether it makes a new user.
    pub creating: bool,
    /// The form.
    pub form: FormState,
}

/// `/-/admin/events`: the security event log.
#[derive(Template)]
#[template(path = "admin/events.html")]
pub struct EventsPage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// The filters as typed, and their problems.
    pub filters: FormState,
    /// The events of this page.
    pub events: Vec<AuditRow>,
    /// The links to the other pages.
    pub pager: Pager,
}

/// `/-/admin/groups`.
#[derive(Template)]
#[template(path = "admin/groups.html")]
pub struct GroupsPage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// The search as typed.
    pub filters: FormState,
    /// The groups of this page.
    pub groups: Vec<GroupRow>,
    /// The links to the other pages.
    pub pager: Pager,
    /// The form making a group.
    pub form: FormState,
}

/// A member as the group page lists them.
pub struct MemberView {
    /// The user's id.
    pub user_id: i64,
    /// The user name.
    pub username: String,
    /// The access level.
    pub access_level: i32,
    /// The last day of the membership.
    pub expires_at: Option<chrono::NaiveDate>,
}

/// `/-/admin/groups/:id`.
#[derive(Template)]
#[template(path = "admin/group.html")]
pub struct GroupPage {
    /// The heading.
    pub title: String,
    /// The navigation.
    pub nav: Nav,
    /// The group.
    pub group: GroupRow,
    /// Its direct members, this page of them.
    pub members: Vec<MemberView>,
    /// The links to the other pages.
    pub pager: Pager,
    /// The roles: level and name.
    pub levels: Vec<(i32, &'static str)>,
    /// The form adding a member.
    pub form: FormState,
}

/// `/-/admin/applications`.
#[derive(Template)]
#[template(path = "admin/applications.html")]
pub struct ApplicationsPage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// The applications.
    pub applications: Vec<ApplicationRow>,
    /// An application just made or given a new secret: name, client id,
    /// secret (shown once).
    pub created: Option<(String, String, String)>,
    /// The form making one.
    pub form: FormState,
}

/// `/-/admin/hooks`.
#[derive(Template)]
#[template(path = "admin/hooks.html")]
pub struct HooksPage {
    /// The heading.
    pub title: &'static str,
    /// The navigation.
    pub nav: Nav,
    /// The hooks.
    pub hooks: Vec<HookRow>,
    /// A signing secret just made, shown once.
    pub signing_secret: Option<String>,
    /// The form making one.
    pub form: FormState,
}

/// `/-/admin/hooks/:id`: settings and the delivery log.
#[derive(Template)]
#[template(path = "admin/hook.html")]
pub struct HookPage {
    /// The heading.
    pub title: String,
    /// The navigation.
    pub nav: Nav,
    /// The hook.
    pub hook: HookRow,
    /// The settings form.
    pub form: FormState,
    /// This page of the delivery log.
    pub deliveries: Vec<DeliveryRow>,
    /// The links to the other pages.
    pub pager: Pager,
}
