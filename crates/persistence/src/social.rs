//! Follows, preferences, custom attributes and avatars.
use crate::connection::{per_backend, write_transaction, DbConnection};
use crate::error::RepoError;
use crate::now;
use crate::pagination::{Page, COUNT_LIMIT};
use crate::schema::{avatars, custom_attributes, follows, user_preferences, users};
use crate::users::UserRow;
use chrono::NaiveDateTime;
use diesel::prelude::*;

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
                .filter(users::state.ne("blocked"))
                .order((follows::created_at.desc(), users::id.desc()))
                .select(users::id)
                .limit(limit)
                .offset(offset)
                .load(conn)?,
            FollowSide::Following => follows::table
                .inner_join(users::table.on(users::id.eq(follows::followee_id)))
                .filter(follows::follower_id.eq(user_id))
                .filter(users::state.ne("blocked"))
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
        .filter(users::state.ne("blocked"))
        .count()
        .single_value();
    let following = follows::table
        .inner_join(users::table.on(users::id.eq(follows::followee_id)))
        .filter(follows::follower_id.eq(user_id))
        .filter(users::state.ne("blocked"))
        .count()
        .single_value();
    let (followers, following): (Option<i64>, Option<i64>) =
        per_backend!(conn, c => diesel::select((followers, following)).get_result(c))?;
    Ok((followers.unwrap_or(0), following.unwrap_or(0)))
}

/// The stored preferences (a JSON object as text), if any.
pub fn preferences(conn: &mut DbConnection, user_id: i64) -> Result<Option<String>, RepoError> {
    Ok(user_preferences::table
        .find(user_id)
        .select(user_preferences::data)
        .first(conn)
        .optional()?)
}

/// Replaces the preferences, in one statement, so that two changes at once
/// cannot collide on the row.
pub fn set_preferences(conn: &mut DbConnection, user_id: i64, data: &str) -> Result<(), RepoError> {
    let values = (
        user_preferences::user_id.eq(user_id),
        user_preferences::data.eq(data),
        user_preferences::updated_at.eq(now()),
    );
    per_backend!(conn, c => diesel::insert_into(user_preferences::table)
        .values(values)
        .on_conflict(user_preferences::user_id)
        .do_update()
        .set(values)
        .execute(c))?;
    Ok(())
}

/// A custom attribute.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = custom_attributes)]
pub struct CustomAttributeRow {
    pub user_id: i64,
    pub key: String,
    pub value: String,
    pub updated_at: NaiveDateTime,
}

/// The custom attributes of several users, by key.
pub fn custom_attributes_of(
    conn: &mut DbConnection,
    user_ids: &[i64],
) -> Result<Vec<CustomAttributeRow>, RepoError> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(custom_attributes::table
        .filter(custom_attributes::user_id.eq_any(user_ids))
        .order((custom_attributes::user_id, custom_attributes::key))
        .select(CustomAttributeRow::as_select())
        .load(conn)?)
}

/// One custom attribute.
pub fn custom_attribute(
    conn: &mut DbConnection,
    user_id: i64,
    key: &str,
) -> Result<Option<CustomAttributeRow>, RepoError> {
    Ok(custom_attributes::table
        .find((user_id, key))
        .select(CustomAttributeRow::as_select())
        .first(conn)
        .optional()?)
}

/// Sets a custom attribute, creating or replacing it.
pub fn set_custom_attribute(
    conn: &mut DbConnection,
    user_id: i64,
    key: &str,
    value: &str,
) -> Result<CustomAttributeRow, RepoError> {
    // One statement, so that two changes at once cannot collide on the row.
    let values = (
        custom_attributes::user_id.eq(user_id),
        custom_attributes::key.eq(key),
        custom_attributes::value.eq(value),
        custom_attributes::updated_at.eq(now()),
    );
    per_backend!(conn, c => diesel::insert_into(custom_attributes::table)
        .values(values)
        .on_conflict((custom_attributes::user_id, custom_attributes::key))
        .do_update()
        .set(values)
        .execute(c))?;
    Ok(custom_attributes::table
        .find((user_id, key))
        .select(CustomAttributeRow::as_select())
        .first(conn)?)
}

/// Deletes a custom attribute; `false` when there was none.
pub fn delete_custom_attribute(conn: &mut DbConnection, user_id: i64, key: &str) -> Result<bool, RepoError> {
    Ok(diesel::delete(custom_attributes::table.find((user_id, key))).execute(conn)? > 0)
}

/// Stores an image under its content name (a no-op when it is there already).
pub fn store_avatar(
    conn: &mut DbConnection,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<(), RepoError> {
    // Two uploads of one image at once store it once, and neither fails.
    let values = (
        avatars::name.eq(name),
        avatars::content_type.eq(content_type),
        avatars::bytes.eq(bytes),
        avatars::created_at.eq(now()),
    );
    per_backend!(conn, c => diesel::insert_into(avatars::table)
        .values(values)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(())
}

/// Points the user at `avatar` (or none) and deletes the old image when no
/// user uses it any more. `false` when the user does not exist.
pub fn set_user_avatar(
    conn: &mut DbConnection,
    user_id: i64,
    avatar: Option<&str>,
) -> Result<bool, RepoError> {
    write_transaction(conn, |conn| {
        let Some(old) = users::table
            .find(user_id)
            .select(users::avatar)
            .first::<Option<String>>(conn)
            .optional()?
        else {
            return Ok(false);
        };
        diesel::update(users::table.find(user_id))
            .set((users::avatar.eq(avatar), users::updated_at.eq(now())))
            .execute(conn)?;
        if let Some(old) = old.filter(|o| Some(o.as_str()) != avatar) {
            delete_unused_avatar(conn, &old)?;
        }
        Ok(true)
    })
}

/// Deletes the image `name` unless some user still shows it.
pub fn delete_unused_avatar(conn: &mut DbConnection, name: &str) -> Result<(), RepoError> {
    let used = users::table
        .filter(users::avatar.eq(name))
        .select(users::id)
        .first::<i64>(conn)
        .optional()?
        .is_some();
    if !used {
        diesel::delete(avatars::table.find(name)).execute(conn)?;
    }
    Ok(())
}

/// An image: its media type and bytes.
pub fn avatar(conn: &mut DbConnection, name: &str) -> Result<Option<(String, Vec<u8>)>, RepoError> {
    Ok(avatars::table
        .find(name)
        .select((avatars::content_type, avatars::bytes))
        .first(conn)
        .optional()?)
}
