//! OAuth applications: the clients that send people to Roster to sign in.
//! The secret is stored as its SHA-256 only.
use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::now;
use crate::schema::oauth_applications as apps;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A registered application.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = apps)]
pub struct ApplicationRow {
    pub id: i64,
    /// The public client id.
    pub uid: String,
    pub name: String,
    pub secret_digest: String,
    /// One URI a line.
    pub redirect_uris: String,
    /// Space-separated.
    pub scopes: String,
    pub confidential: bool,
    pub trusted: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An application to register.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub uid: String,
    pub name: String,
    pub secret_digest: String,
    pub redirect_uris: String,
    pub scopes: String,
    pub confidential: bool,
    pub trusted: bool,
}

/// Registers an application.
pub fn create_application(
    conn: &mut DbConnection,
    new: &NewApplication,
) -> Result<ApplicationRow, RepoError> {
    let at = now();
    let id: i64 = diesel::insert_into(apps::table)
        .values((
            apps::uid.eq(&new.uid),
            apps::name.eq(&new.name),
            apps::secret_digest.eq(&new.secret_digest),
            apps::redirect_uris.eq(&new.redirect_uris),
            apps::scopes.eq(&new.scopes),
            apps::confidential.eq(new.confidential),
            apps::trusted.eq(new.trusted),
            apps::created_at.eq(at),
            apps::updated_at.eq(at),
        ))
        .returning(apps::id)
        .get_result(conn)?;
    Ok(apps::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)?)
}

/// Every application, oldest first.
pub fn list_applications(conn: &mut DbConnection) -> Result<Vec<ApplicationRow>, RepoError> {
    Ok(apps::table
        .order(apps::id.asc())
        .select(ApplicationRow::as_select())
        .load(conn)?)
}

/// One application by id.
pub fn find_application(conn: &mut DbConnection, id: i64) -> Result<Option<ApplicationRow>, RepoError> {
    Ok(apps::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()?)
}

/// One application by its client id.
pub fn find_by_uid(conn: &mut DbConnection, uid: &str) -> Result<Option<ApplicationRow>, RepoError> {
    Ok(apps::table
        .filter(apps::uid.eq(uid))
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Replaces the secret; `None` when there is no such application.
pub fn renew_secret(
    conn: &mut DbConnection,
    id: i64,
    digest: &str,
) -> Result<Option<ApplicationRow>, RepoError> {
    let changed = diesel::update(apps::table.find(id))
        .set((apps::secret_digest.eq(digest), apps::updated_at.eq(now())))
        .execute(conn)?;
    if changed == 0 {
        return Ok(None);
    }
    find_application(conn, id)
}

/// Deletes an application; every token issued to it goes with it.
pub fn delete_application(conn: &mut DbConnection, id: i64) -> Result<bool, RepoError> {
    Ok(diesel::delete(apps::table.find(id)).execute(conn)? > 0)
}
