//! Custom attributes of users (`custom_attributes`).
use crate::connection::{per_backend, DbConnection};
use crate::error::RepoError;
use crate::now;
use crate::schema::custom_attributes;
use chrono::NaiveDateTime;
use diesel::prelude::*;

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
