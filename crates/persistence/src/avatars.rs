//! Avatar images, stored once by content hash (`avatars`), and which user
//! shows which.
use crate::connection::{per_backend, write_transaction, DbConnection};
use crate::error::RepoError;
use crate::now;
use crate::schema::{avatars, groups, users};
use diesel::prelude::*;

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

/// Deletes the image `name` unless some user or group still shows it.
pub fn delete_unused_avatar(conn: &mut DbConnection, name: &str) -> Result<(), RepoError> {
    let used = users::table
        .filter(users::avatar.eq(name))
        .select(users::id)
        .first::<i64>(conn)
        .optional()?
        .is_some()
        || groups::table
            .filter(groups::avatar.eq(name))
            .select(groups::id)
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
