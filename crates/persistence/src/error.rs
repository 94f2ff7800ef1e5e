//! The persistence layer's one error type.
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// A value that a unique index refused, named for the request field it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// A user name (compared case-insensitively).
    Username,
    /// An e-mail address, primary or secondary.
    Email,
    /// An external identity (`provider` + `extern_uid`) already linked to someone.
    Identity,
    /// The user already has an identity with this provider.
    IdentityProvider,
    /// An SSH key's fingerprint (the same key, anywhere).
    Fingerprint,
    /// A group's path under its parent (so its full path).
    GroupPath,
    /// The user is a member of the group already.
    Member,
    /// The address is invited to the group already.
    Invitation,
    /// Any other unique index (a token digest, say): a bug or a freak collision.
    Other,
}

/// Why a storage call failed.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// A unique index refused the write.
    #[error("already taken: {0:?}")]
    Taken(Taken),
    /// A foreign key refused the write: the row it points at is gone.
    #[error("a referenced row does not exist")]
    MissingReference,
    /// No connection could be had.
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::Error),
    /// The connection to the database was lost (the server restarted, say);
    /// the pool drops that connection and opens another.
    #[error("database connection lost: {0}")]
    ConnectionLost(DieselError),
    /// The database failed.
    #[error("database: {0}")]
    Database(DieselError),
    /// Migrations could not be applied.
    #[error("migrations: {0}")]
    Migration(String),
    /// The configuration names no usable database.
    #[error("configuration: {0}")]
    Config(String),
}

/// Index names (PostgreSQL) and column lists (SQLite) of each unique index.
const UNIQUE_INDEXES: &[(&str, &str, Taken)] = &[
    ("users_username_key", "users_username_key", Taken::Username),
    ("users_email_key", "users.email", Taken::Email),
    ("emails_email_key", "emails.email", Taken::Email),
    (
        "keys_fingerprint_sha256_key",
        "keys.fingerprint_sha256",
        Taken::Fingerprint,
    ),
    (
        "identities_provider_extern_uid_key",
        "identities.provider, identities.extern_uid",
        Taken::Identity,
    ),
    (
        "identities_user_id_provider_key",
        "identities.user_id, identities.provider",
        Taken::IdentityProvider,
    ),
    (
        "gpg_keys_fingerprint_key",
        "gpg_keys.fingerprint",
        Taken::Fingerprint,
    ),
    ("groups_full_path_key", "groups_full_path_key", Taken::GroupPath),
    (
        "group_members_group_id_user_id_key",
        "group_members.group_id, group_members.user_id",
        Taken::Member,
    ),
    (
        "group_invitations_group_id_email_key",
        "group_invitations.group_id, group_invitations.email",
        Taken::Invitation,
    ),
];

fn taken_by(constraint: Option<&str>, message: &str) -> Taken {
    UNIQUE_INDEXES
        .iter()
        .find(|(pg, sqlite, _)| constraint == Some(*pg) || message.contains(sqlite))
        .map(|(_, _, taken)| *taken)
        .unwrap_or(Taken::Other)
}

impl From<DieselError> for RepoError {
    fn from(e: DieselError) -> Self {
        match &e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                RepoError::Taken(taken_by(info.constraint_name(), info.message()))
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                RepoError::MissingReference
            }
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => {
                crate::lost::note();
                RepoError::ConnectionLost(e)
            }
            _ => RepoError::Database(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_both_backends_messages() {
        assert_eq!(taken_by(Some("users_email_key"), "duplicate key"), Taken::Email);
        assert_eq!(
            taken_by(None, "UNIQUE constraint failed: users.email"),
            Taken::Email
        );
        assert_eq!(
            taken_by(None, "UNIQUE constraint failed: index 'users_username_key'"),
            Taken::Username
        );
        assert_eq!(
            taken_by(
                None,
                "UNIQUE constraint failed: identities.provider, identities.extern_uid"
            ),
            Taken::Identity
        );
        assert_eq!(taken_by(Some("whatever_key"), "x"), Taken::Other);
    }
}
