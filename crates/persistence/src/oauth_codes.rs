//! Authorization codes: single use, short-lived, bound to a client, a
//! redirect URI and a PKCE challenge.
use crate::connection::{write_transaction, DbConnection};
use crate::error::RepoError;
use crate::oauth_tokens;
use crate::schema::{oauth_codes as codes, users};
use crate::users::UserRow;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored code.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = codes)]
pub struct CodeRow {
    pub id: i64,
    pub code_digest: String,
    pub application_id: i64,
    pub user_id: i64,
    pub redirect_uri: String,
    /// Whether the authorization request named the redirect URI (then the
    /// token request must name it too, RFC 6749 §4.1.3).
    pub redirect_uri_given: bool,
    pub scopes: String,
    pub nonce: Option<String>,
    /// The S256 challenge (base64url of the verifier's SHA-256).
    pub code_challenge: Option<String>,
    pub auth_time: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    /// The token family the exchange issued.
    pub family: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A code to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = codes)]
pub struct NewCode<'a> {
    pub code_digest: &'a str,
    pub application_id: i64,
    pub user_id: i64,
    pub redirect_uri: &'a str,
    pub redirect_uri_given: bool,
    pub scopes: &'a str,
    pub nonce: Option<&'a str>,
    pub code_challenge: Option<&'a str>,
    pub auth_time: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// Stores a code.
pub fn create(conn: &mut DbConnection, new: &NewCode<'_>) -> Result<(), RepoError> {
    diesel::insert_into(codes::table).values(new).execute(conn)?;
    Ok(())
}

/// What presenting a code found.
#[derive(Debug, Clone, PartialEq)]
pub enum Redeem {
    /// The code was unused: it is now spent, and these are it and its user.
    Spent(Box<(CodeRow, UserRow)>),
    /// The code had been used: what its first use issued is now revoked.
    Replayed,
    /// No such code.
    Unknown,
}

/// Spends the code with this digest, marking it with the token `family`
/// its exchange issues. `check` judges the unspent code first (client,
/// redirect URI, verifier, expiry); a code it refuses stays as it was.
pub fn redeem<E: From<RepoError>>(
    conn: &mut DbConnection,
    digest: &str,
    family: &str,
    at: NaiveDateTime,
    check: impl FnOnce(&CodeRow) -> Result<(), E>,
) -> Result<Redeem, E> {
    write_transaction(conn, |conn| {
        let found = codes::table
            .inner_join(users::table)
            .filter(codes::code_digest.eq(digest))
            .select((CodeRow::as_select(), UserRow::as_select()))
            .first::<(CodeRow, UserRow)>(conn)
            .optional()
            .map_err(RepoError::from)?;
        let Some((code, user)) = found else {
            return Ok(Redeem::Unknown);
        };
        if code.used_at.is_some() {
            if let Some(first) = &code.family {
                oauth_tokens::revoke_family(conn, first)?;
            }
            return Ok(Redeem::Replayed);
        }
        check(&code)?;
        // Only one of two concurrent exchanges spends it: the other finds
        // the condition false after waiting for this row.
        let spent = diesel::update(codes::table.find(code.id).filter(codes::used_at.is_null()))
            .set((codes::used_at.eq(at), codes::family.eq(family)))
            .execute(conn)
            .map_err(RepoError::from)?;
        if spent == 0 {
            // Another exchange won the race (it has committed by now): what
            // it issued is revoked, as for any second use.
            let first: Option<Option<String>> = codes::table
                .find(code.id)
                .select(codes::family)
                .first(conn)
                .optional()
                .map_err(RepoError::from)?;
            if let Some(Some(first)) = first {
                oauth_tokens::revoke_family(conn, &first)?;
            }
            return Ok(Redeem::Replayed);
        }
        Ok(Redeem::Spent(Box::new((code, user))))
    })
}

/// Deletes codes that expired before `before`.
pub fn sweep(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize, RepoError> {
    Ok(diesel::delete(codes::table.filter(codes::expires_at.lt(before))).execute(conn)?)
}
