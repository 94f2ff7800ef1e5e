//! Writing one imported user whole (`POST /users/import`): the account,
//! then its addresses, keys, identities, attributes and memberships, in one
//! transaction (a savepoint inside the batch's), so that a user is stored
//! completely or not at all.
use crate::accounts::{create_user, NewUser};
use crate::connection::{write_transaction, DbConnection};
use crate::error::RepoError;
use crate::keys::{add_key, NewKey};
use crate::members::{add_member, NewMember};
use crate::schema::{emails, users};
use crate::users::{link_identity, set_state, NewIdentity};
use crate::{custom_attributes, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// An SSH key of an imported user.
#[derive(Debug, Clone)]
pub struct ImportedKey {
    /// What the key is.
    pub title: String,
    /// The OpenSSH line.
    pub key: String,
    /// Its algorithm.
    pub algorithm: String,
    /// `SHA256:…`.
    pub fingerprint_sha256: String,
    /// The MD5 fingerprint.
    pub fingerprint_md5: String,
    /// `auth`, `signing` or `auth_and_signing`.
    pub usage_type: String,
    /// When it stops working.
    pub expires_at: Option<NaiveDateTime>,
}

/// One user to import, its groups already found by path.
#[derive(Debug, Clone)]
pub struct ImportedUser {
    /// The account, as `POST /users` makes it.
    pub account: NewUser,
    /// When the primary address was confirmed (the account's own
    /// confirmation time then).
    pub confirmed_at: Option<NaiveDateTime>,
    /// The stored state, when not `active`.
    pub state: Option<&'static str>,
    /// Secondary addresses, with when each was confirmed.
    pub secondary_emails: Vec<(String, Option<NaiveDateTime>)>,
    /// SSH keys.
    pub keys: Vec<ImportedKey>,
    /// External identities.
    pub identities: Vec<NewIdentity>,
    /// Custom attributes, key and value.
    pub custom_attributes: Vec<(String, String)>,
    /// Memberships: group id and access level.
    pub memberships: Vec<(i64, i32)>,
    /// The admin importing, recorded as each membership's creator.
    pub imported_by: Option<i64>,
}

/// Stores `user` whole, or nothing of it: its new id, or the first
/// refusal (`Taken` names what was taken).
pub fn import_user(conn: &mut DbConnection, user: &ImportedUser) -> Result<i64, RepoError> {
    write_transaction(conn, |conn| {
        let id = create_user(conn, &user.account)?.id;
        if let Some(at) = user.confirmed_at {
            diesel::update(users::table.find(id))
                .set(users::confirmed_at.eq(at))
                .execute(conn)?;
            diesel::update(
                emails::table
                    .filter(emails::user_id.eq(id))
                    .filter(emails::email.eq(&user.account.email)),
            )
            .set(emails::confirmed_at.eq(at))
            .execute(conn)?;
        }
        if let Some(state) = user.state {
            set_state(conn, id, state)?;
        }
        let at = now();
        for (email, confirmed_at) in &user.secondary_emails {
            diesel::insert_into(emails::table)
                .values((
                    emails::user_id.eq(id),
                    emails::email.eq(email),
                    emails::confirmed_at.eq(confirmed_at),
                    emails::created_at.eq(at),
                ))
                .execute(conn)?;
        }
        for key in &user.keys {
            add_key(
                conn,
                &NewKey {
                    user_id: id,
                    title: &key.title,
                    key: &key.key,
                    algorithm: &key.algorithm,
                    fingerprint_sha256: &key.fingerprint_sha256,
                    fingerprint_md5: &key.fingerprint_md5,
                    usage_type: &key.usage_type,
                    expires_at: key.expires_at,
                    created_at: at,
                },
            )?;
        }
        for identity in &user.identities {
            link_identity(conn, id, identity)?;
        }
        for (key, value) in &user.custom_attributes {
            custom_attributes::set_custom_attribute(conn, id, key, value)?;
        }
        for &(group_id, access_level) in &user.memberships {
            add_member(
                conn,
                &NewMember {
                    group_id,
                    user_id: id,
                    access_level,
                    expires_at: None,
                    created_by: user.imported_by,
                },
            )?;
        }
        Ok(id)
    })
}
