//! Who follows whom (`follows`).
use crate::connection::{per_backend, DbConnection};
use crate::error::RepoError;
use crate::now;
use crate::pagination::{Page, COUNT_LIMIT};
use crate::schema::{follows, users};
use crate::users::UserRow;
use diesel::prelude::*;
use roster_domain::BLOCKED_STATES;

/// Follows `followee`; `false` when already following.
pub fn follow(conn: &mut DbConnection, follower: i64, followee: i64) -> Result<bool, RepoError> {
    // One statement: two follows at once add one row, and neither fails.
    let values = (
        follows::follower_id.eq(follower),
        follows::followee_id.eq(followee),
        follows::created_at.eq(now()),
    );
    let added = per_backend!(conn, c => diesel::insert_into(follows::table)
        .values(values)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(added > 0)
}

/// Stops following; `false` when not following.
pub fn unfollow(conn: &mut DbConnection, follower: i64, followee: i64) -> Result<bool, RepoError> {
    Ok(diesel::delete(follows::table.find((follower, followee))).execute(conn)? > 0)
}

/// Which side of a follow to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowSide {
    /// Who follows the user.
    Followers,
    /// Whom the user follows.
    Following,
}

/// A page of the user's followers or followees, blocked users left out,
/// newest follow first.
pub fn follow_list(
    conn: &mut DbConnection,
    user_id: i64,
    side: FollowSide,
    page: i64,
    per_page: i64,
) -> Result<Page<UserRow>, RepoError> {
    let ids = |conn: &mut DbConnection, limit: i64, offset: i64| -> Result<Vec<i64>, RepoError> {
        let rows = match side {
            FollowSide::Followers => follows::table
                .inner_join(users::table.on(users::id.eq(follows::follower_id)))
                .filter(follows::followee_id.eq(user_id))
                .filter(users::state.ne_all(BLOCKED_STATES))
                .order((follows::created_at.desc(), users::id.desc()))
                .select(users::id)
                .limit(limit)
                .offset(offset)
                .load(conn)?,
            FollowSide::Following => follows::table
                .inner_join(users::table.on(users::id.eq(follows::followee_id)))
                .filter(follows::follower_id.eq(user_id))
                .filter(users::state.ne_all(BLOCKED_STATES))
                .order((follows::created_at.desc(), users::id.desc()))
                .select(users::id)
                .limit(limit)
                .offset(offset)
                .load(conn)?,
        };
        Ok(rows)
    };
    let page_ids = ids(conn, per_page, (page - 1).saturating_mul(per_page))?;
    let mut items: Vec<UserRow> = users::table
        .filter(users::id.eq_any(&page_ids))
        .select(UserRow::as_select())
        .load(conn)?;
    items.sort_by_key(|u| page_ids.iter().position(|id| *id == u.id));
    let count = ids(conn, COUNT_LIMIT + 1, 0)?.len() as i64;
    Ok(Page {
        items,
        total: (count <= COUNT_LIMIT).then_some(count),
        has_more: page.saturating_mul(per_page) < count,
    })
}

/// `(followers, following)` of a user, blocked users left out: one
/// statement, as it is part of every `GET /user`.
pub fn follow_counts(conn: &mut DbConnection, user_id: i64) -> Result<(i64, i64), RepoError> {
    let followers = follows::table
        .inner_join(users::table.on(users::id.eq(follows::follower_id)))
        .filter(follows::followee_id.eq(user_id))
        .filter(users::state.ne_all(BLOCKED_STATES))
        .count()
        .single_value();
    let following = follows::table
        .inner_join(users::table.on(users::id.eq(follows::followee_id)))
        .filter(follows::follower_id.eq(user_id))
        .filter(users::state.ne_all(BLOCKED_STATES))
        .count()
        .single_value();
    let (followers, following): (Option<i64>, Option<i64>) =
        per_backend!(conn, c => diesel::select((followers, following)).get_result(c))?;
    Ok((followers.unwrap_or(0), following.unwrap_or(0)))
}
