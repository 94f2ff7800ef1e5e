//! Group memberships: direct ones, the inherited ones of `members/all`, a
//! caller's standing in a group, and a user's memberships. A membership
//! whose `expires_at` has come counts nowhere.
use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::groups::{active_members, still_counts, GroupRow};
use crate::now;
use crate::pagination::{Page, COUNT_LIMIT};
use crate::schema::{group_ancestors, group_members, groups, users};
use crate::user_list::like_pattern;
use crate::users::{lower, UserRow};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A stored membership.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = group_members)]
pub struct MemberRow {
    pub id: i64,
    pub group_id: i64,
    pub user_id: i64,
    pub access_level: i32,
    pub expires_at: Option<NaiveDate>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A member to add.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub group_id: i64,
    pub user_id: i64,
    pub access_level: i32,
    pub expires_at: Option<NaiveDate>,
    pub created_by: Option<i64>,
}

/// Adds a member; `Taken::Member` when the user is one already.
pub fn add_member(conn: &mut DbConnection, new: &NewMember) -> Result<MemberRow, RepoError> {
    let at = now();
    // An expired membership is no membership: it makes way for the new one.
    diesel::delete(
        group_members::table
            .filter(group_members::group_id.eq(new.group_id))
            .filter(group_members::user_id.eq(new.user_id))
            .filter(group_members::expires_at.le(crate::today())),
    )
    .execute(conn)?;
    let id: i64 = diesel::insert_into(group_members::table)
        .values((
            group_members::group_id.eq(new.group_id),
            group_members::user_id.eq(new.user_id),
            group_members::access_level.eq(new.access_level),
            group_members::expires_at.eq(new.expires_at),
            group_members::created_by.eq(new.created_by),
            group_members::created_at.eq(at),
            group_members::updated_at.eq(at),
        ))
        .returning(group_members::id)
        .get_result(conn)?;
    Ok(group_members::table
        .find(id)
        .select(MemberRow::as_select())
        .first(conn)?)
}

/// The unexpired direct membership of `user` in `group`.
pub fn direct_member(conn: &mut DbConnection, group: i64, user: i64) -> Result<Option<MemberRow>, RepoError> {
    Ok(active_members()
        .filter(group_members::group_id.eq(group))
        .filter(group_members::user_id.eq(user))
        .select(MemberRow::as_select())
        .first(conn)
        .optional()?)
}

/// Sets a member's level and expiry (`Some(None)` clears it).
pub fn update_member(
    conn: &mut DbConnection,
    member: &MemberRow,
    access_level: Option<i32>,
    expires_at: Option<Option<NaiveDate>>,
) -> Result<MemberRow, RepoError> {
    diesel::update(group_members::table.find(member.id))
        .set((
            group_members::access_level.eq(access_level.unwrap_or(member.access_level)),
            group_members::expires_at.eq(expires_at.unwrap_or(member.expires_at)),
            group_members::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(group_members::table
        .find(member.id)
        .select(MemberRow::as_select())
        .first(conn)?)
}

/// Removes a membership; `false` when there was none.
pub fn remove_member(conn: &mut DbConnection, group: i64, user: i64) -> Result<bool, RepoError> {
    Ok(diesel::delete(
        group_members::table
            .filter(group_members::group_id.eq(group))
            .filter(group_members::user_id.eq(user)),
    )
    .execute(conn)?
        > 0)
}

/// How many unexpired direct Owners the group has.
pub fn owner_count(conn: &mut DbConnection, group: i64) -> Result<i64, RepoError> {
    Ok(active_members()
        .filter(group_members::group_id.eq(group))
        .filter(group_members::access_level.eq(50))
        .count()
        .get_result(conn)?)
}

/// A user's standing in a group: the highest level of their unexpired
/// memberships in it and its ancestors, and whether they are a member of
/// one of its subgroups.
pub fn standing(conn: &mut DbConnection, group: i64, user: i64) -> Result<(Option<i32>, bool), RepoError> {
    let level: Option<i32> = active_members()
        .filter(group_members::user_id.eq(user))
        .filter(
            group_members::group_id.eq_any(
                group_ancestors::table
                    .filter(group_ancestors::group_id.eq(group))
                    .select(group_ancestors::ancestor_id),
            ),
        )
        .select(diesel::dsl::max(group_members::access_level))
        .first(conn)?;
    if level.is_some() {
        return Ok((level, false));
    }
    let below: i64 = active_members()
        .filter(group_members::user_id.eq(user))
        .filter(
            group_members::group_id.eq_any(
                group_ancestors::table
                    .filter(group_ancestors::ancestor_id.eq(group))
                    .filter(group_ancestors::distance.gt(0))
                    .select(group_ancestors::group_id),
            ),
        )
        .count()
        .get_result(conn)?;
    Ok((None, below > 0))
}

/// Which members to list.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    /// Part of the user name or name (any case).
    pub query: Option<String>,
    /// Only these users.
    pub user_ids: Vec<i64>,
}

/// The users with these ids, by id.
fn users_by_id(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<UserRow>, RepoError> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select(UserRow::as_select())
        .load(conn)?)
}

/// A page of the group's members by user id: direct ones only, or with
/// those inherited from its ancestors (`inherited`), each user once with
/// their highest membership.
pub fn list_members(
    conn: &mut DbConnection,
    group: i64,
    inherited: bool,
    filter: &MemberFilter,
    page: i64,
    per_page: i64,
) -> Result<Page<(MemberRow, UserRow)>, RepoError> {
    let groups_in = groups_counted(conn, group, inherited)?;
    let offset = (page - 1).saturating_mul(per_page);
    let (wanted, total, has_more) = if filter.query.is_none() && filter.user_ids.is_empty() {
        merged_user_ids(conn, &groups_in, offset, per_page)?
    } else {
        filtered_user_ids(conn, &groups_in, filter, offset, per_page)?
    };
    let items = best_memberships(conn, &groups_in, &wanted)?;
    Ok(Page {
        items,
        total,
        has_more,
    })
}

/// The groups whose memberships count in `group`: itself, and with
/// `inherited` its ancestors.
fn groups_counted(conn: &mut DbConnection, group: i64, inherited: bool) -> Result<Vec<i64>, RepoError> {
    if !inherited {
        return Ok(vec![group]);
    }
    Ok(group_ancestors::table
        .filter(group_ancestors::group_id.eq(group))
        .select(group_ancestors::ancestor_id)
        .load(conn)?)
}

/// Each of `users` with their highest unexpired membership in `groups_in`
/// (between equals, the latest), in the order of `users`.
fn best_memberships(
    conn: &mut DbConnection,
    groups_in: &[i64],
    users: &[i64],
) -> Result<Vec<(MemberRow, UserRow)>, RepoError> {
    let rows: Vec<MemberRow> = active_members()
        .filter(group_members::group_id.eq_any(groups_in.to_vec()))
        .filter(group_members::user_id.eq_any(users.to_vec()))
        .select(MemberRow::as_select())
        .load(conn)?;
    let people = users_by_id(conn, users)?;
    Ok(users
        .iter()
        .filter_map(|id| {
            let best = rows
                .iter()
                .filter(|m| m.user_id == *id)
                .max_by_key(|m| (m.access_level, m.created_at, m.id))?;
            let user = people.iter().find(|u| u.id == *id)?;
            Some((best.clone(), user.clone()))
        })
        .collect())
}

/// One user's membership in `group` (with `inherited`, the highest of it and
/// its ancestors'), if unexpired.
pub fn member_in(
    conn: &mut DbConnection,
    group: i64,
    inherited: bool,
    user: i64,
) -> Result<Option<(MemberRow, UserRow)>, RepoError> {
    let groups_in = groups_counted(conn, group, inherited)?;
    Ok(best_memberships(conn, &groups_in, &[user])?.into_iter().next())
}

#[derive(QueryableByName)]
struct GroupNumber {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    g: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// One `SELECT` per group joined with `UNION ALL`, in one trip to the
/// database: `part` makes each group's from its id and the expiry filter.
/// Only ids from storage, today's date and constants go into the text.
fn per_group(
    conn: &mut DbConnection,
    groups_in: &[i64],
    part: impl Fn(i64, &str) -> String,
) -> Result<Vec<(i64, i64)>, RepoError> {
    if groups_in.is_empty() {
        return Ok(Vec::new());
    }
    let active = format!(
        "(expires_at IS NULL OR expires_at > '{}')",
        crate::today().format("%Y-%m-%d")
    );
    let statement = groups_in
        .iter()
        .map(|g| part(*g, &active))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    Ok(diesel::sql_query(statement)
        .load::<GroupNumber>(conn)?
        .into_iter()
        .map(|r| (r.g, r.n))
        .collect())
}

/// The page of user ids `offset..offset + per_page` of the members of
/// `groups_in`, each once, by id; the total (up to [`COUNT_LIMIT`]); and
/// whether more follow. Each group's members are read in id order from its
/// index, only as far as the page needs, and merged here: a sort of every
/// inherited member (100,000 in a large organisation) would cost more than
/// the page. The total is counted in the index, capped; only when every
/// group is under the cap are the ids read to count each user once. Two
/// trips to the database, however deep the group.
fn merged_user_ids(
    conn: &mut DbConnection,
    groups_in: &[i64],
    offset: i64,
    per_page: i64,
) -> Result<(Vec<i64>, Option<i64>, bool), RepoError> {
    let cap = COUNT_LIMIT + 1;
    // Groups known to be far over the cap are not counted again for a while.
    let to_count: Vec<i64> = groups_in
        .iter()
        .copied()
        .filter(|g| !large_groups::known(*g))
        .collect();
    let mut counts = per_group(conn, &to_count, |g, active| {
        format!(
            "SELECT CAST({g} AS BIGINT) AS g, (SELECT COUNT(*) FROM (SELECT 1 FROM group_members \
             WHERE group_id = {g} AND {active} LIMIT {}) AS c) AS n",
            large_groups::MARGIN
        )
    })?;
    for (g, n) in &counts {
        if *n >= large_groups::MARGIN {
            large_groups::note(*g);
        }
    }
    counts.extend(
        groups_in
            .iter()
            .filter(|g| !to_count.contains(g))
            .map(|g| (*g, large_groups::MARGIN)),
    );
    let over = counts.iter().any(|(_, n)| *n > COUNT_LIMIT);
    let window = offset.saturating_add(per_page).saturating_add(1);
    // Under the cap, every id is read, so the total counts each user once.
    let reach = if over { window } else { window.max(cap) };
    let with_members: Vec<i64> = counts.iter().filter(|(_, n)| *n > 0).map(|(g, _)| *g).collect();
    let mut merged: Vec<i64> = per_group(conn, &with_members, |g, active| {
        format!(
            "SELECT * FROM (SELECT CAST({g} AS BIGINT) AS g, user_id AS n FROM group_members \
             WHERE group_id = {g} AND {active} ORDER BY user_id LIMIT {reach}) AS m{g}"
        )
    })?
    .into_iter()
    .map(|(_, user)| user)
    .collect();
    merged.sort_unstable();
    merged.dedup();
    // Each group's list holds at least its first `window` ids, so the merged
    // list is right as far as the page and one more.
    let total = (!over).then_some(merged.len() as i64);
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(merged.len());
    let end = start
        .saturating_add(usize::try_from(per_page).unwrap_or(0))
        .min(merged.len());
    let has_more = merged.len() > end;
    Ok((merged[start..end].to_vec(), total, has_more))
}

/// As [`merged_user_ids`], for members whose users match `filter`.
fn filtered_user_ids(
    conn: &mut DbConnection,
    groups_in: &[i64],
    filter: &MemberFilter,
    offset: i64,
    per_page: i64,
) -> Result<(Vec<i64>, Option<i64>, bool), RepoError> {
    let ids = || {
        let mut q = group_members::table
            .filter(still_counts())
            .inner_join(users::table.on(users::id.eq(group_members::user_id)))
            .filter(group_members::group_id.eq_any(groups_in.to_vec()))
            .select(group_members::user_id)
            .distinct()
            .into_boxed();
        if let Some(term) = filter.query.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let pattern = like_pattern(term);
            q = q.filter(
                lower(users::username)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower(users::name).like(pattern).escape('\\')),
            );
        }
        if !filter.user_ids.is_empty() {
            q = q.filter(users::id.eq_any(filter.user_ids.clone()));
        }
        q
    };
    let count = ids().limit(COUNT_LIMIT + 1).load::<i64>(conn)?.len() as i64;
    let mut wanted: Vec<i64> = ids()
        .order(group_members::user_id.asc())
        .offset(offset)
        .limit(per_page + 1)
        .load(conn)?;
    let has_more = wanted.len() as i64 > per_page;
    wanted.truncate(usize::try_from(per_page).unwrap_or(0));
    Ok((wanted, (count <= COUNT_LIMIT).then_some(count), has_more))
}

/// A page of the user's unexpired direct memberships, with their groups,
/// by group id.
pub fn memberships_of(
    conn: &mut DbConnection,
    user: i64,
    page: i64,
    per_page: i64,
) -> Result<Page<(MemberRow, GroupRow)>, RepoError> {
    let count: i64 = active_members()
        .filter(group_members::user_id.eq(user))
        .count()
        .get_result(conn)?;
    let members: Vec<MemberRow> = active_members()
        .filter(group_members::user_id.eq(user))
        .order(group_members::group_id.asc())
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .select(MemberRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = members.iter().map(|m| m.group_id).collect();
    let found: Vec<GroupRow> = groups::table
        .filter(groups::id.eq_any(&ids))
        .select(GroupRow::as_select())
        .load(conn)?;
    let items = members
        .into_iter()
        .filter_map(|m| {
            let group = found.iter().find(|g| g.id == m.group_id)?.clone();
            Some((m, group))
        })
        .collect();
    Ok(Page {
        items,
        total: Some(count),
        has_more: page.saturating_mul(per_page) < count,
    })
}

/// Groups seen with far more members than [`COUNT_LIMIT`]: a list's total is
/// left out for them (as GitLab does past the limit), so counting them again
/// on every page is wasted work (2 ms of a large organisation's 100,000
/// members on PostgreSQL). A group counts as large for [`large_groups::TTL`]
/// after a count reached [`large_groups::MARGIN`]; only a group that loses
/// over 2,000 members within that time could show no total for a few
/// seconds while it should. Each node keeps its own.
mod large_groups {
    use std::collections::HashMap;
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    /// A count reaching this marks a group as large.
    pub const MARGIN: i64 = super::COUNT_LIMIT + 2_001;
    /// How long a group stays marked.
    pub const TTL: Duration = Duration::from_secs(10);

    static SEEN: Mutex<Option<HashMap<i64, Instant>>> = Mutex::new(None);

    /// Whether `group` was seen large within the last [`TTL`].
    pub fn known(group: i64) -> bool {
        let Ok(mut seen) = SEEN.lock() else { return false };
        let map = seen.get_or_insert_with(HashMap::new);
        match map.get(&group) {
            Some(at) if at.elapsed() < TTL => true,
            Some(_) => {
                map.remove(&group);
                false
            }
            None => false,
        }
    }

    /// Notes that `group` is large now.
    pub fn note(group: i64) {
        if let Ok(mut seen) = SEEN.lock() {
            let map = seen.get_or_insert_with(HashMap::new);
            // Bounded: a map of large groups only, pruned when it grows.
            if map.len() > 10_000 {
                map.retain(|_, at| at.elapsed() < TTL);
            }
            map.insert(group, Instant::now());
        }
    }
}

/// How many groups `user` is a direct, unexpired member of.
pub fn group_count_of(conn: &mut DbConnection, user: i64) -> Result<i64, RepoError> {
    Ok(active_members()
        .filter(group_members::user_id.eq(user))
        .count()
        .get_result(conn)?)
}
