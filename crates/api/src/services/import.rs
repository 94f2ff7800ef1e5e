//! `POST /users/import`: many users at once, each written whole or not at
//! all, in one transaction for the batch (a savepoint per user) with one
//! security event; a dry run does the same and rolls it all back, so it
//! finds exactly what the real run would refuse.
use crate::http::error::ApiError;
use crate::http::fields::Problems;
use crate::http::input::Batch;
use crate::inputs::import::{ImportOptions, ImportUser};
use crate::services::audit::Actor;
use crate::services::users::stored_password;
use crate::services::{links, system_events};
use crate::settings::EmailConfirmation;
use crate::state::AppState;
use crate::views::import::{ImportResult, ImportStatus};
use futures_util::StreamExt;
use roster_domain::UserState;
use roster_persistence::accounts::NewUser;
use roster_persistence::user_import::{import_user, ImportedKey, ImportedUser};
use roster_persistence::users::NewIdentity;
use roster_persistence::{emails, groups, write_transaction, DbConnection, RepoError, Taken};
use serde_json::json;
use std::collections::HashMap;

/// An item ready to write, or what was wrong with it.
type Prepared = Result<(ImportedUser, Vec<String>), Problems>;

/// Imports the batch: one result per item, in order.
pub async fn import_users(
    state: &AppState,
    actor: Actor,
    batch: Batch<ImportUser, ImportOptions>,
) -> Result<Vec<ImportResult>, ApiError> {
    let dry_run = batch.options.dry_run.unwrap_or(false);
    let send_confirmation = batch.options.send_confirmation.unwrap_or(false);
    let imported_by = actor.id;
    let preparing = batch.items.into_iter().map(|item| async move {
        match item {
            Ok(user) => prepare(state, user, send_confirmation, imported_by).await,
            Err(problems) => Ok(Err(problems)),
        }
    });
    // Plain passwords are hashed on the hashing pool, as many at once as it
    // has workers: a thousand at once would overflow its queue (and be
    // refused with 503, as a storm of sign-ins is).
    let at_once = state.settings.hash_workers.max(1);
    let prepared: Vec<Prepared> = futures_util::stream::iter(preparing)
        .buffered(at_once)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, ApiError>>()?;
    let outcome = state
        .db
        .run_api(move |conn| {
            Ok(write_transaction(conn, |conn| {
                let results = write_all(conn, prepared, dry_run)?;
                if dry_run {
                    // Undo everything: the answer is all a dry run keeps.
                    return Err(Abort::DryRun(results));
                }
                let ids: Vec<i64> = results.iter().filter_map(|r| r.id).collect();
                let failed = results.len() - ids.len();
                if !ids.is_empty() {
                    actor.record(
                        conn,
                        "users_imported",
                        None,
                        json!({"created": ids.len(), "failed": failed, "user_ids": ids}),
                    )?;
                }
                Ok(results)
            }))
        })
        .await?;
    match outcome {
        Ok(results) | Err(Abort::DryRun(results)) => Ok(results),
        Err(Abort::Failed(e)) => Err(e),
    }
}

/// Why the batch's transaction ends without committing.
enum Abort {
    /// A dry run, with its results.
    DryRun(Vec<ImportResult>),
    /// Storage failed (not an item's refusal).
    Failed(ApiError),
}

impl From<RepoError> for Abort {
    fn from(e: RepoError) -> Self {
        Self::Failed(e.into())
    }
}

/// Turns an item read into what is stored: its password's hash, the RSA
/// sizes this server takes, links to mail when asked. The `Vec` holds the
/// full paths of its groups, found when writing.
async fn prepare(
    state: &AppState,
    item: ImportUser,
    send_confirmation: bool,
    imported_by: Option<i64>,
) -> Result<Prepared, ApiError> {
    let mut problems = Problems::new();
    for (index, key) in item.ssh_keys.iter().enumerate() {
        if let Err(e) = key.key.refuse_rsa_below(state.settings.min_rsa_bits) {
            problems
                .entry(format!("ssh_keys[{index}].key"))
                .or_default()
                .push(e.problem.to_string());
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let user = item.user;
    let (password_hash, reset) = stored_password(state, user.password).await?;
    let confirmed = item.confirmed_at.is_some()
        || user.skip_confirmation
        || state.settings.email_confirmation == EmailConfirmation::Off;
    let email = user.email.into_inner();
    let account = NewUser {
        confirmation: (!confirmed && send_confirmation).then(|| links::confirmation(state, &email)),
        reset: reset.then(|| links::reset(state, &email)),
        username: user.username.into_inner(),
        email,
        name: user.name,
        password_hash,
        confirmed,
        profile: user.profile,
        identity: user.identity,
    };
    let group_paths = item.groups.iter().map(|g| g.full_path.clone()).collect();
    Ok(Ok((
        ImportedUser {
            account,
            confirmed_at: item.confirmed_at,
            state: (item.state != UserState::Active).then(|| item.state.as_str()),
            secondary_emails: item
                .secondary_emails
                .into_iter()
                .map(|e| (e.email.into_inner(), e.confirmed_at))
                .collect(),
            keys: item
                .ssh_keys
                .into_iter()
                .map(|k| ImportedKey {
                    title: k.title.as_str().to_owned(),
                    algorithm: k.key.algorithm().to_owned(),
                    fingerprint_sha256: k.key.sha256_fingerprint().to_owned(),
                    fingerprint_md5: k.key.md5_fingerprint().to_owned(),
                    key: k.key.as_str().to_owned(),
                    usage_type: k.usage_type.as_str().to_owned(),
                    expires_at: k.expires_at,
                })
                .collect(),
            identities: item
                .identities
                .into_iter()
                .map(|i| NewIdentity {
                    provider: i.provider,
                    extern_uid: i.extern_uid,
                })
                .collect(),
            custom_attributes: item
                .custom_attributes
                .into_iter()
                .map(|a| (a.key.into_inner(), a.value))
                .collect(),
            memberships: item.groups.iter().map(|g| (0, g.access_level.value())).collect(),
            imported_by,
        },
        group_paths,
    )))
}

/// Writes every prepared item, each in its own savepoint.
fn write_all(
    conn: &mut DbConnection,
    prepared: Vec<Prepared>,
    dry_run: bool,
) -> Result<Vec<ImportResult>, Abort> {
    let mut groups_by_path: HashMap<String, Option<i64>> = HashMap::new();
    let mut results = Vec::with_capacity(prepared.len());
    for (index, item) in prepared.into_iter().enumerate() {
        let (mut user, paths) = match item {
            Ok(item) => item,
            Err(problems) => {
                results.push(ImportResult::failed(index, problems));
                continue;
            }
        };
        let mut problems = Problems::new();
        for (place, path) in paths.iter().enumerate() {
            let group = match groups_by_path.get(&path.to_lowercase()) {
                Some(found) => *found,
                None => {
                    let found = groups::find_by_reference(conn, path)?
                        .filter(|_| path.parse::<i64>().is_err())
                        .map(|g| g.id);
                    groups_by_path.insert(path.to_lowercase(), found);
                    found
                }
            };
            match group {
                Some(id) => user.memberships[place].0 = id,
                None => problems
                    .entry(format!("groups[{place}].full_path"))
                    .or_default()
                    .push("is not a group's full path".to_owned()),
            }
        }
        for (place, (email, _)) in user.secondary_emails.iter().enumerate() {
            if emails::email_taken(conn, email)? {
                problems
                    .entry(format!("secondary_emails[{place}].email"))
                    .or_default()
                    .push("has already been taken".to_owned());
            }
        }
        if !problems.is_empty() {
            results.push(ImportResult::failed(index, problems));
            continue;
        }
        match import_user(conn, &user) {
            Ok(id) => {
                if let Some(row) = roster_persistence::users::find_user(conn, id)? {
                    system_events::user_event(conn, "user_create", &row, serde_json::json!({}))?;
                }
                results.push(ImportResult {
                    index,
                    status: if dry_run {
                        ImportStatus::Valid
                    } else {
                        ImportStatus::Created
                    },
                    id: (!dry_run).then_some(id),
                    errors: None,
                });
            }
            Err(RepoError::Taken(taken)) => results.push(ImportResult::failed(index, taken_problem(taken))),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(results)
}

/// The field a unique index refused, as `POST /users` names it.
fn taken_problem(taken: Taken) -> Problems {
    let field = match taken {
        Taken::Username => "username",
        Taken::Email => "email",
        Taken::Identity | Taken::IdentityProvider => "identities",
        Taken::Fingerprint => "ssh_keys",
        Taken::Member => "groups",
        _ => "base",
    };
    let reason = match taken {
        Taken::IdentityProvider => "name a provider twice",
        Taken::Member => "name a group twice",
        _ => "has already been taken",
    };
    Problems::from([(field.to_owned(), vec![reason.to_owned()])])
}
