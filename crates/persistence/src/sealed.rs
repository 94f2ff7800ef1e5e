//! Everything sealed with the secret key, for re-sealing it under a new
//! one (`roster keys reseal`), and the named sealed values that belong to
//! no one (`sealed_values`).
use crate::connection::{per_backend, DbConnection};
use crate::error::RepoError;
use crate::schema::{sealed_values, signing_keys, system_hooks, totp_credentials};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// The sealed value named `name`, if it was made.
pub fn value(conn: &mut DbConnection, name: &str) -> Result<Option<String>, RepoError> {
    Ok(sealed_values::table
        .find(name)
        .select(sealed_values::sealed)
        .first(conn)
        .optional()?)
}

/// Stores `sealed` under `name` unless a value is there already (another
/// node made it first); the value stored, either way.
pub fn value_or_insert(
    conn: &mut DbConnection,
    name: &str,
    sealed: &str,
    at: NaiveDateTime,
) -> Result<String, RepoError> {
    if let Some(existing) = value(conn, name)? {
        return Ok(existing);
    }
    // Two nodes may make it at once: the first insert wins, and both read it.
    per_backend!(conn, c => diesel::insert_into(sealed_values::table)
        .values((
            sealed_values::name.eq(name),
            sealed_values::sealed.eq(sealed),
            sealed_values::created_at.eq(at),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(value(conn, name)?.unwrap_or_else(|| sealed.to_owned()))
}

/// Where a sealed value lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealedAt {
    /// A user's TOTP seed.
    TotpSeed(i64),
    /// A signing key's private key, by row id.
    SigningKey(i64),
    /// A named value.
    Named(String),
    /// A system hook's token, by hook id.
    HookToken(i64),
    /// A system hook's signing secret, by hook id.
    HookSigningSecret(i64),
}

/// Every value sealed with the secret key, with where it lives.
pub fn everything(conn: &mut DbConnection) -> Result<Vec<(SealedAt, String)>, RepoError> {
    let mut all = Vec::new();
    let seeds: Vec<(i64, String)> = totp_credentials::table
        .select((totp_credentials::user_id, totp_credentials::sealed_seed))
        .load(conn)?;
    all.extend(seeds.into_iter().map(|(id, s)| (SealedAt::TotpSeed(id), s)));
    let keys: Vec<(i64, String)> = signing_keys::table
        .select((signing_keys::id, signing_keys::private_key))
        .load(conn)?;
    all.extend(keys.into_iter().map(|(id, s)| (SealedAt::SigningKey(id), s)));
    let named: Vec<(String, String)> = sealed_values::table
        .select((sealed_values::name, sealed_values::sealed))
        .load(conn)?;
    all.extend(named.into_iter().map(|(name, s)| (SealedAt::Named(name), s)));
    let hooks: Vec<(i64, Option<String>, Option<String>)> = system_hooks::table
        .select((
            system_hooks::id,
            system_hooks::token_sealed,
            system_hooks::signing_secret_sealed,
        ))
        .load(conn)?;
    for (id, token, secret) in hooks {
        all.extend(token.map(|s| (SealedAt::HookToken(id), s)));
        all.extend(secret.map(|s| (SealedAt::HookSigningSecret(id), s)));
    }
    Ok(all)
}

/// Replaces the sealed value at `at` with `sealed`.
pub fn replace(conn: &mut DbConnection, at: &SealedAt, sealed: &str) -> Result<(), RepoError> {
    match at {
        SealedAt::TotpSeed(user) => diesel::update(totp_credentials::table.find(user))
            .set(totp_credentials::sealed_seed.eq(sealed))
            .execute(conn)?,
        SealedAt::SigningKey(id) => diesel::update(signing_keys::table.find(id))
            .set(signing_keys::private_key.eq(sealed))
            .execute(conn)?,
        SealedAt::Named(name) => diesel::update(sealed_values::table.find(name))
            .set(sealed_values::sealed.eq(sealed))
            .execute(conn)?,
        SealedAt::HookToken(id) => diesel::update(system_hooks::table.find(id))
            .set(system_hooks::token_sealed.eq(sealed))
            .execute(conn)?,
        SealedAt::HookSigningSecret(id) => diesel::update(system_hooks::table.find(id))
            .set(system_hooks::signing_secret_sealed.eq(sealed))
            .execute(conn)?,
    };
    Ok(())
}
