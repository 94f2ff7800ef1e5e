//! Groups: organisations (top level) and their teams (subgroups), with the
//! closure of their ancestry in `group_ancestors`.
use crate::connection::{per_backend, DbConnection};
use crate::error::RepoError;
use crate::pagination::{Page, PageRequest, COUNT_LIMIT};
use crate::schema::{group_ancestors, group_members, groups};
use crate::user_list::like_pattern;
use crate::users::lower;
use crate::{now, today, Db};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored group.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = groups)]
pub struct GroupRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub path: String,
    pub full_path: String,
    pub full_name: String,
    pub description: String,
    pub visibility: String,
    pub avatar: Option<String>,
    /// How many ancestors the group has (0 at the top).
    pub depth: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A group to create.
#[derive(Debug, Clone)]
pub struct NewGroup {
    pub name: String,
    pub path: String,
    pub description: String,
    pub visibility: String,
    pub avatar: Option<String>,
}

/// Creates a group under `parent` (at the top when `None`), with its
/// ancestry. Fails with `Taken::GroupPath` when the path is taken there.
pub fn create_group(
    conn: &mut DbConnection,
    parent: Option<&GroupRow>,
    new: &NewGroup,
) -> Result<GroupRow, RepoError> {
    let at = now();
    let (full_path, full_name, depth) = match parent {
        Some(p) => (
            format!("{}/{}", p.full_path, new.path),
            format!("{} / {}", p.full_name, new.name),
            p.depth + 1,
        ),
        None => (new.path.clone(), new.name.clone(), 0),
    };
    let id: i64 = diesel::insert_into(groups::table)
        .values((
            groups::parent_id.eq(parent.map(|p| p.id)),
            groups::name.eq(&new.name),
            groups::path.eq(&new.path),
            groups::full_path.eq(&full_path),
            groups::full_name.eq(&full_name),
            groups::description.eq(&new.description),
            groups::visibility.eq(&new.visibility),
            groups::avatar.eq(&new.avatar),
            groups::depth.eq(depth),
            groups::created_at.eq(at),
            groups::updated_at.eq(at),
        ))
        .returning(groups::id)
        .get_result(conn)?;
    let mut closure = vec![(id, id, 0)];
    if let Some(parent) = parent {
        let above: Vec<(i64, i32)> = group_ancestors::table
            .filter(group_ancestors::group_id.eq(parent.id))
            .select((group_ancestors::ancestor_id, group_ancestors::distance))
            .load(conn)?;
        closure.extend(above.into_iter().map(|(ancestor, d)| (id, ancestor, d + 1)));
    }
    let rows: Vec<_> = closure
        .into_iter()
        .map(|(g, a, d)| {
            (
                group_ancestors::group_id.eq(g),
                group_ancestors::ancestor_id.eq(a),
                group_ancestors::distance.eq(d),
            )
        })
        .collect();
    // One row at a time: a multi-row insert is not portable across the
    // backends of the one connection type.
    for row in rows {
        diesel::insert_into(group_ancestors::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(groups::table.find(id).select(GroupRow::as_select()).first(conn)?)
}

/// One group by id.
pub fn find_group(conn: &mut DbConnection, id: i64) -> Result<Option<GroupRow>, RepoError> {
    Ok(groups::table
        .find(id)
        .select(GroupRow::as_select())
        .first(conn)
        .optional()?)
}

/// One group by id (when `reference` is a number) or full path (any case).
pub fn find_by_reference(conn: &mut DbConnection, reference: &str) -> Result<Option<GroupRow>, RepoError> {
    if let Ok(id) = reference.parse::<i64>() {
        return find_group(conn, id);
    }
    Ok(groups::table
        .filter(lower(groups::full_path).eq(reference.to_lowercase()))
        .select(GroupRow::as_select())
        .first(conn)
        .optional()?)
}

/// The group's ancestors, the top-level one first.
pub fn ancestors(conn: &mut DbConnection, id: i64) -> Result<Vec<GroupRow>, RepoError> {
    Ok(groups::table
        .inner_join(group_ancestors::table.on(group_ancestors::ancestor_id.eq(groups::id)))
        .filter(group_ancestors::group_id.eq(id))
        .filter(group_ancestors::distance.gt(0))
        .order(group_ancestors::distance.desc())
        .select(GroupRow::as_select())
        .load(conn)?)
}

/// The visibilities of the group's direct subgroups.
pub fn child_visibilities(conn: &mut DbConnection, id: i64) -> Result<Vec<String>, RepoError> {
    Ok(groups::table
        .filter(groups::parent_id.eq(id))
        .select(groups::visibility)
        .distinct()
        .load(conn)?)
}

/// Changes to a group; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct GroupChanges {
    pub name: Option<String>,
    pub path: Option<String>,
    pub description: Option<String>,
    pub visibility: Option<String>,
    pub avatar: Option<Option<String>>,
}

/// Applies `changes` to `group`. A new name or path is carried into the
/// `full_name` and `full_path` of every group below it. Call it inside a
/// transaction.
pub fn update_group(
    conn: &mut DbConnection,
    group: &GroupRow,
    changes: &GroupChanges,
) -> Result<GroupRow, RepoError> {
    let at = now();
    let name = changes.name.clone().unwrap_or_else(|| group.name.clone());
    let path = changes.path.clone().unwrap_or_else(|| group.path.clone());
    let (full_path, full_name) = match group
        .parent_id
        .map(|p| find_group(conn, p))
        .transpose()?
        .flatten()
    {
        Some(parent) => (
            format!("{}/{path}", parent.full_path),
            format!("{} / {name}", parent.full_name),
        ),
        None => (path.clone(), name.clone()),
    };
    diesel::update(groups::table.find(group.id))
        .set((
            groups::name.eq(&name),
            groups::path.eq(&path),
            groups::full_path.eq(&full_path),
            groups::full_name.eq(&full_name),
            groups::description.eq(changes.description.as_ref().unwrap_or(&group.description)),
            groups::visibility.eq(changes.visibility.as_ref().unwrap_or(&group.visibility)),
            groups::avatar.eq(changes.avatar.clone().unwrap_or_else(|| group.avatar.clone())),
            groups::updated_at.eq(at),
        ))
        .execute(conn)?;
    if full_path != group.full_path || full_name != group.full_name {
        let below: Vec<GroupRow> = groups::table
            .inner_join(group_ancestors::table.on(group_ancestors::group_id.eq(groups::id)))
            .filter(group_ancestors::ancestor_id.eq(group.id))
            .filter(group_ancestors::distance.gt(0))
            .select(GroupRow::as_select())
            .load(conn)?;
        for row in below {
            // Only the leading part that was the group's own changes.
            let path_rest = &row.full_path[group.full_path.len()..];
            let name_rest = &row.full_name[group.full_name.len().min(row.full_name.len())..];
            diesel::update(groups::table.find(row.id))
                .set((
                    groups::full_path.eq(format!("{full_path}{path_rest}")),
                    groups::full_name.eq(format!("{full_name}{name_rest}")),
                ))
                .execute(conn)?;
        }
    }
    Ok(groups::table
        .find(group.id)
        .select(GroupRow::as_select())
        .first(conn)?)
}

/// Deletes the group; its subgroups, members, invitations and bot users
/// (with their tokens) go with it through the foreign keys. Gives the
/// avatars the deleted groups showed (for the caller to delete when no one
/// else shows them); `None` when the group did not exist.
pub fn delete_group(conn: &mut DbConnection, id: i64) -> Result<Option<Vec<String>>, RepoError> {
    let below: Vec<(i64, Option<String>)> = groups::table
        .inner_join(group_ancestors::table.on(group_ancestors::group_id.eq(groups::id)))
        .filter(group_ancestors::ancestor_id.eq(id))
        .select((groups::id, groups::avatar))
        .load(conn)?;
    if below.is_empty() {
        return Ok(None);
    }
    let ids: Vec<i64> = below.iter().map(|(g, _)| *g).collect();
    // The group and every group below it in one statement: no cascade has
    // to walk the tree.
    diesel::delete(groups::table.filter(groups::id.eq_any(&ids))).execute(conn)?;
    Ok(Some(below.into_iter().filter_map(|(_, a)| a).collect()))
}

/// Takes the group's row lock (PostgreSQL) until the transaction ends, so
/// that concurrent changes to its owners happen one after the other. On
/// SQLite a write transaction holds the database's lock already.
pub fn lock_group(conn: &mut DbConnection, id: i64) -> Result<(), RepoError> {
    diesel::update(groups::table.find(id))
        .set(groups::updated_at.eq(groups::updated_at))
        .execute(conn)?;
    Ok(())
}

/// Memberships that still count today.
pub(crate) fn active_members() -> group_members::BoxedQuery<'static, Db> {
    group_members::table.filter(still_counts()).into_boxed()
}

/// A membership's expiry has not come.
pub(crate) type StillCounts = diesel::dsl::Or<
    diesel::dsl::IsNull<group_members::expires_at>,
    diesel::dsl::Gt<group_members::expires_at, chrono::NaiveDate>,
>;

pub(crate) fn still_counts() -> StillCounts {
    group_members::expires_at
        .is_null()
        .or(group_members::expires_at.gt(today()))
}

/// Ids of the groups where `user` holds an unexpired membership, at
/// `min_level` at least, in the group or one of its ancestors.
pub fn reached_by(conn: &mut DbConnection, user: i64, min_level: i32) -> Result<Vec<i64>, RepoError> {
    Ok(group_ancestors::table
        .filter(
            group_ancestors::ancestor_id.eq_any(
                group_members::table
                    .filter(still_counts())
                    .filter(group_members::user_id.eq(user))
                    .filter(group_members::access_level.ge(min_level))
                    .select(group_members::group_id),
            ),
        )
        .select(group_ancestors::group_id)
        .distinct()
        .load(conn)?)
}

/// Ids of the groups with a subgroup where `user` holds an unexpired
/// membership (which lets one see the group, as in GitLab).
fn above_memberships_of(conn: &mut DbConnection, user: i64) -> Result<Vec<i64>, RepoError> {
    Ok(group_ancestors::table
        .filter(group_ancestors::distance.gt(0))
        .filter(
            group_ancestors::group_id.eq_any(
                group_members::table
                    .filter(still_counts())
                    .filter(group_members::user_id.eq(user))
                    .select(group_members::group_id),
            ),
        )
        .select(group_ancestors::ancestor_id)
        .distinct()
        .load(conn)?)
}

/// Which groups a list may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupScope {
    /// Every group (admins).
    All,
    /// The groups a viewer may read: public ones; internal ones when
    /// `internal` (signed in, not external); and, for a user, those they
    /// reach through a membership.
    Readable {
        /// The viewer, when signed in.
        user: Option<i64>,
        /// Whether internal groups are visible.
        internal: bool,
    },
    /// The groups where the user is a member, directly or through an
    /// ancestor.
    MemberOf(i64),
}

/// What to list.
#[derive(Debug, Clone)]
pub struct GroupFilter {
    pub scope: GroupScope,
    /// Only groups where this user's level is at least this one.
    pub min_level: Option<(i64, i32)>,
    /// Substring of the name or path (any case).
    pub search: Option<String>,
    /// Only top-level groups.
    pub top_level_only: bool,
    /// Only the direct subgroups of this group.
    pub parent: Option<i64>,
    /// Only groups below this one, at any depth.
    pub below: Option<i64>,
    /// Leave these out.
    pub skip: Vec<i64>,
}

impl GroupFilter {
    /// Every group the scope allows.
    pub fn of(scope: GroupScope) -> Self {
        Self {
            scope,
            min_level: None,
            search: None,
            top_level_only: false,
            parent: None,
            below: None,
            skip: Vec::new(),
        }
    }
}

/// The order of a group list; ties are broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupOrder {
    /// By name (GitLab's default).
    #[default]
    Name,
    /// By path.
    Path,
    /// By id.
    Id,
}

fn filtered(
    conn: &mut DbConnection,
    filter: &GroupFilter,
) -> Result<groups::BoxedQuery<'static, Db>, RepoError> {
    let mut q = groups::table.into_boxed();
    match filter.scope {
        GroupScope::All => {}
        GroupScope::MemberOf(user) => q = q.filter(groups::id.eq_any(reached_by(conn, user, 0)?)),
        GroupScope::Readable { user, internal } => {
            let open: Vec<&str> = if internal {
                vec!["public", "internal"]
            } else {
                vec!["public"]
            };
            q = match user {
                Some(user) => {
                    let mut reached = reached_by(conn, user, 0)?;
                    reached.extend(above_memberships_of(conn, user)?);
                    q.filter(groups::visibility.eq_any(open).or(groups::id.eq_any(reached)))
                }
                None => q.filter(groups::visibility.eq_any(open)),
            };
        }
    }
    if let Some((user, level)) = filter.min_level {
        q = q.filter(groups::id.eq_any(reached_by(conn, user, level)?));
    }
    if let Some(term) = filter.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = like_pattern(term);
        q = q.filter(
            lower(groups::name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(groups::path).like(pattern).escape('\\')),
        );
    }
    if filter.top_level_only {
        q = q.filter(groups::parent_id.is_null());
    }
    if let Some(parent) = filter.parent {
        q = q.filter(groups::parent_id.eq(parent));
    }
    if let Some(top) = filter.below {
        q = q.filter(
            groups::id.eq_any(
                group_ancestors::table
                    .filter(group_ancestors::ancestor_id.eq(top))
                    .filter(group_ancestors::distance.gt(0))
                    .select(group_ancestors::group_id),
            ),
        );
    }
    if !filter.skip.is_empty() {
        q = q.filter(groups::id.ne_all(filter.skip.clone()));
    }
    Ok(q)
}

fn ordered(
    q: groups::BoxedQuery<'static, Db>,
    order: GroupOrder,
    descending: bool,
) -> groups::BoxedQuery<'static, Db> {
    match (order, descending) {
        (GroupOrder::Name, false) => q.order((lower(groups::name).asc(), groups::id.asc())),
        (GroupOrder::Name, true) => q.order((lower(groups::name).desc(), groups::id.desc())),
        (GroupOrder::Path, false) => q.order((lower(groups::path).asc(), groups::id.asc())),
        (GroupOrder::Path, true) => q.order((lower(groups::path).desc(), groups::id.desc())),
        (GroupOrder::Id, false) => q.order(groups::id.asc()),
        (GroupOrder::Id, true) => q.order(groups::id.desc()),
    }
}

/// Lists groups. Offset pages carry a total (absent past [`COUNT_LIMIT`]);
/// keyset pages are ordered by id.
pub fn list_groups(
    conn: &mut DbConnection,
    filter: &GroupFilter,
    order: GroupOrder,
    descending: bool,
    page: PageRequest,
) -> Result<Page<GroupRow>, RepoError> {
    let per_page = page.per_page();
    match page {
        PageRequest::Offset { page, .. } => {
            let counted: Vec<i64> = filtered(conn, filter)?
                .select(groups::id)
                .limit(COUNT_LIMIT + 1)
                .load(conn)?;
            let count = counted.len() as i64;
            let items = ordered(filtered(conn, filter)?, order, descending)
                .offset((page - 1).saturating_mul(per_page))
                .limit(per_page)
                .select(GroupRow::as_select())
                .load(conn)?;
            Ok(Page {
                items,
                total: (count <= COUNT_LIMIT).then_some(count),
                has_more: page.saturating_mul(per_page) < count,
            })
        }
        PageRequest::Keyset { after, .. } => {
            let mut q = ordered(filtered(conn, filter)?, GroupOrder::Id, descending);
            if let Some(after) = after {
                q = if descending {
                    q.filter(groups::id.lt(after))
                } else {
                    q.filter(groups::id.gt(after))
                };
            }
            let mut items: Vec<GroupRow> = q.limit(per_page + 1).select(GroupRow::as_select()).load(conn)?;
            let has_more = items.len() as i64 > per_page;
            items.truncate(usize::try_from(per_page).unwrap_or(0));
            Ok(Page {
                items,
                total: None,
                has_more,
            })
        }
    }
}

/// The full paths of the groups `user` belongs to: directly only
/// (`direct`), or also through an ancestor. One statement either way (the
/// claims of every userinfo request come from here).
pub fn full_paths_of_member(
    conn: &mut DbConnection,
    user: i64,
    direct: bool,
) -> Result<Vec<String>, RepoError> {
    let memberships = group_members::table
        .filter(still_counts())
        .filter(group_members::user_id.eq(user))
        .select(group_members::group_id);
    if direct {
        return Ok(per_backend!(conn, c => groups::table
            .filter(groups::id.eq_any(memberships))
            .select(groups::full_path)
            .order(groups::full_path.asc())
            .load(c))?);
    }
    let reached = group_ancestors::table
        .filter(group_ancestors::ancestor_id.eq_any(memberships))
        .select(group_ancestors::group_id);
    Ok(per_backend!(conn, c => groups::table
        .filter(groups::id.eq_any(reached))
        .select(groups::full_path)
        .order(groups::full_path.asc())
        .load(c))?)
}
