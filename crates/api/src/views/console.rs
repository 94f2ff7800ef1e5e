//! What every account and admin page has: the navigation, pages of a long
//! list, and how times are written.

/// The bar and the section list of a page.
#[derive(Debug, Clone)]
pub struct Nav {
    /// Who is signed in.
    pub username: String,
    /// Whether they may open the admin console.
    pub is_admin: bool,
    /// The section the page belongs to (`profile`, `admin_users`, …).
    pub section: &'static str,
    /// The notice after a change, if any.
    pub notice: Option<&'static str>,
    /// The CSRF token of the page's forms.
    pub authenticity_token: String,
}

/// A link of the section list.
#[derive(Debug, Clone)]
pub struct NavLink {
    /// Where.
    pub href: &'static str,
    /// Its text.
    pub label: &'static str,
    /// Whether it is the page shown.
    pub current: bool,
}

const ACCOUNT_SECTIONS: &[(&str, &str, &str)] = &[
    ("/-/account", "Profile", "profile"),
    ("/-/account/emails", "E-mail addresses", "emails"),
    ("/-/account/password", "Password", "password"),
    ("/-/account/two_factor", "Two-factor and passkeys", "two_factor"),
    ("/-/account/keys", "SSH keys", "keys"),
    ("/-/account/tokens", "Access tokens", "tokens"),
    ("/-/account/sessions", "Sessions and applications", "sessions"),
    ("/-/account/privacy", "Privacy and preferences", "privacy"),
    ("/-/account/groups", "Groups and invitations", "groups"),
    ("/-/account/delete", "Delete your account", "delete"),
];

const ADMIN_SECTIONS: &[(&str, &str, &str)] = &[
    ("/-/admin", "Overview", "admin"),
    ("/-/admin/users", "Users", "admin_users"),
    ("/-/admin/groups", "Groups", "admin_groups"),
    ("/-/admin/applications", "Applications", "admin_applications"),
    ("/-/admin/hooks", "System hooks", "admin_hooks"),
    ("/-/admin/events", "Security events", "admin_events"),
];

impl Nav {
    /// Whether the page is one of the admin console's.
    pub fn in_admin(&self) -> bool {
        self.section.starts_with("admin")
    }

    /// The name of the section list, for screen readers.
    pub fn area_label(&self) -> &'static str {
        if self.in_admin() {
            "Admin console"
        } else {
            "Your account"
        }
    }

    /// The section list.
    pub fn links(&self) -> Vec<NavLink> {
        let sections = if self.in_admin() {
            ADMIN_SECTIONS
        } else {
            ACCOUNT_SECTIONS
        };
        sections
            .iter()
            .map(|(href, label, key)| NavLink {
                href,
                label,
                current: *key == self.section,
            })
            .collect()
    }
}

/// The links between the pages of a long list.
#[derive(Debug, Clone)]
pub struct Pager {
    /// This page, from 1.
    pub page: i64,
    /// How many there are, when counted.
    pub pages: Option<i64>,
    /// The page before, if any.
    pub previous: Option<String>,
    /// The page after, if any.
    pub next: Option<String>,
    /// What the links' landmark is called (unique on its page).
    pub label: &'static str,
}

/// Which list of a page a pager moves through: the query parameter that
/// holds its page, and the name of its links for a screen reader.
#[derive(Debug, Clone, Copy)]
pub struct PagedList {
    /// The query parameter (`page` for a page's one list).
    pub param: &'static str,
    /// The landmark's label.
    pub label: &'static str,
}

impl PagedList {
    /// A page's one list.
    pub const ONLY: Self = Self {
        param: "page",
        label: "Pages",
    };
}

impl Pager {
    /// The pager of page `page` of `path`, whose other query parameters
    /// are `query` (kept on every link).
    pub fn new(
        path: &str,
        query: &[(String, String)],
        page: i64,
        per_page: i64,
        total: Option<i64>,
        has_more: bool,
    ) -> Self {
        Self::of(PagedList::ONLY, path, query, page, per_page, total, has_more)
    }

    /// [`Pager::new`] for one of several lists of a page.
    pub fn of(
        list: PagedList,
        path: &str,
        query: &[(String, String)],
        page: i64,
        per_page: i64,
        total: Option<i64>,
        has_more: bool,
    ) -> Self {
        let link = |n: i64| {
            let mut s = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in query.iter().filter(|(k, v)| k != list.param && !v.is_empty()) {
                s.append_pair(k, v);
            }
            s.append_pair(list.param, &n.to_string());
            format!("{path}?{}", s.finish())
        };
        Self {
            page,
            pages: total.map(|t| ((t + per_page - 1) / per_page).max(1)),
            previous: (page > 1).then(|| link(page - 1)),
            next: has_more.then(|| link(page + 1)),
            label: list.label,
        }
    }

    /// Page `page` of `rows`, all of them read at once (a person's own
    /// keys or sessions): that page's rows, and the pager of `path`.
    pub fn slice<T>(rows: Vec<T>, path: &str, page: i64, per_page: i64) -> (Vec<T>, Self) {
        Self::slice_of(PagedList::ONLY, rows, path, &[], page, per_page)
    }

    /// [`Pager::slice`] for one of several lists of a page, whose query is
    /// `query` (the other lists' pages, kept on every link).
    pub fn slice_of<T>(
        list: PagedList,
        rows: Vec<T>,
        path: &str,
        query: &[(String, String)],
        page: i64,
        per_page: i64,
    ) -> (Vec<T>, Self) {
        let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
        let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
        let shown: Vec<T> = rows
            .into_iter()
            .skip(skip)
            .take(usize::try_from(per_page).unwrap_or(0))
            .collect();
        let has_more = page.saturating_mul(per_page) < total;
        let pager = Self::of(list, path, query, page, per_page, Some(total), has_more);
        (shown, pager)
    }

    /// Whether there is more than one page.
    pub fn shown(&self) -> bool {
        self.previous.is_some() || self.next.is_some()
    }
}

/// The page of a `404` or of a failure, for someone signed in or not.
#[derive(askama::Template)]
#[template(path = "missing.html")]
pub struct MissingPage<'a> {
    /// The heading.
    pub title: &'a str,
    /// What happened.
    pub message: &'a str,
}

/// A stored access level's name.
pub fn role_name(level: i32) -> String {
    roster_domain::AccessLevel::from_value(level.into())
        .map_or_else(|| level.to_string(), |l| l.name().to_owned())
}

/// The template filters of the console pages.
pub mod filters {
    use chrono::NaiveDateTime;

    /// A time as a person reads it: `2026-12-04 10:11 UTC`.
    pub fn when(at: &NaiveDateTime, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(at.format("%Y-%m-%d %H:%M UTC").to_string())
    }

    /// A time that may not be there: `never` then.
    pub fn when_or_never(at: &Option<NaiveDateTime>, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(at.map_or_else(
            || "never".to_owned(),
            |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::Pager;

    #[test]
    fn a_list_read_whole_is_shown_a_page_at_a_time() {
        let (rows, pager) = Pager::slice((1..=45).collect::<Vec<_>>(), "/-/account/keys", 3, 20);
        assert_eq!(rows, (41..=45).collect::<Vec<_>>());
        assert_eq!(pager.pages, Some(3));
        assert_eq!(pager.previous.as_deref(), Some("/-/account/keys?page=2"));
        assert_eq!(pager.next, None);
        let (rows, pager) = Pager::slice((1..=20).collect::<Vec<_>>(), "/p", 1, 20);
        assert_eq!(rows.len(), 20);
        assert!(!pager.shown(), "one page needs no links");
        let (rows, pager) = Pager::slice(vec![1, 2], "/p", 9, 20);
        assert!(rows.is_empty());
        assert_eq!(pager.previous.as_deref(), Some("/p?page=8"));
    }
}
