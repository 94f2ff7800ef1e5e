//! Group access tokens: personal access tokens of a group's bot users.
use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::personal_tokens::PatRow;
use crate::schema::{group_members, personal_access_tokens as pats, users};
use diesel::prelude::*;

/// Makes `user` the bot of `group`: it goes when the group goes.
pub fn mark_bot(conn: &mut DbConnection, user: i64, group: i64) -> Result<(), RepoError> {
    diesel::update(users::table.find(user))
        .set(users::bot_group_id.eq(Some(group)))
        .execute(conn)?;
    Ok(())
}

/// The group's tokens, oldest first, each with its bot's level in the group
/// (none once the bot was removed).
pub fn group_tokens(conn: &mut DbConnection, group: i64) -> Result<Vec<(PatRow, Option<i32>)>, RepoError> {
    tokens_of(conn, group, None)
}

/// One of the group's tokens.
pub fn group_token(
    conn: &mut DbConnection,
    group: i64,
    token: i64,
) -> Result<Option<(PatRow, Option<i32>)>, RepoError> {
    Ok(tokens_of(conn, group, Some(token))?.into_iter().next())
}

fn tokens_of(
    conn: &mut DbConnection,
    group: i64,
    only: Option<i64>,
) -> Result<Vec<(PatRow, Option<i32>)>, RepoError> {
    let mut q = pats::table
        .inner_join(users::table.on(users::id.eq(pats::user_id)))
        .filter(users::bot_group_id.eq(group))
        .order(pats::id.asc())
        .select(PatRow::as_select())
        .into_boxed();
    if let Some(id) = only {
        q = q.filter(pats::id.eq(id));
    }
    let tokens: Vec<PatRow> = q.load(conn)?;
    let bots: Vec<i64> = tokens.iter().map(|t| t.user_id).collect();
    let levels: Vec<(i64, i32)> = group_members::table
        .filter(group_members::group_id.eq(group))
        .filter(group_members::user_id.eq_any(&bots))
        .select((group_members::user_id, group_members::access_level))
        .load(conn)?;
    Ok(tokens
        .into_iter()
        .map(|t| {
            let level = levels.iter().find(|(u, _)| *u == t.user_id).map(|(_, l)| *l);
            (t, level)
        })
        .collect())
}
