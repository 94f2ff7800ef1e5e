//! Input of `POST /users/import`: a JSON array of users, each with the
//! fields of `POST /users` and what an import brings besides (§13).
use super::groups::{access_level, access_level_schema};
use super::keys::AddKey;
use super::profile::{AdminFields, IdentityLink, OwnProfileFields};
use super::users::{CreateUser, NewAccountFields};
use crate::http::input::{BatchItem, RequestInput};
use crate::http::params::Fields;
use chrono::NaiveDateTime;
use roster_domain::{
    parse_instant, AccessLevel, AttributeKey, EmailAddress, FieldError, Problem, ProfileText, UserState,
};
use utoipa::ToSchema;

/// The most users one import request takes.
pub const MAX_IMPORTED_USERS: usize = 1000;

/// A past time, as an import's `confirmed_at` gives it.
fn past_instant(field: &'static str) -> impl Fn(&str) -> Result<NaiveDateTime, FieldError> {
    move |value| match parse_instant(value) {
        Some(t) if t <= roster_persistence::now() => Ok(t),
        Some(_) => Err(FieldError::new(
            field,
            Problem::InvalidBecause("must not be in the future"),
        )),
        None => Err(FieldError::new(
            field,
            Problem::InvalidBecause("must be a date or an RFC 3339 time"),
        )),
    }
}

/// An account state an import may give.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum ImportedState {
    active,
    blocked,
    deactivated,
    banned,
    blocked_pending_approval,
}

/// A secondary address of an imported user.
#[derive(ToSchema)]
pub struct ImportedEmail {
    /// The address.
    #[schema(value_type = String, format = Email, min_length = 3, max_length = 254)]
    pub email: EmailAddress,
    /// When it was confirmed; unconfirmed when left out.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub confirmed_at: Option<NaiveDateTime>,
}

impl RequestInput for ImportedEmail {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let email = f.required("email", EmailAddress::parse);
        let confirmed_at = f.optional("confirmed_at", past_instant("confirmed_at"));
        Some(Self {
            email: email?,
            confirmed_at,
        })
    }
}

/// An external identity of an imported user.
#[derive(ToSchema)]
pub struct ImportedIdentity {
    /// The identity provider's name, such as `github`.
    #[schema(min_length = 1, max_length = 255, pattern = r"\S")]
    pub provider: String,
    /// The user's id at that provider.
    #[schema(min_length = 1, max_length = 255, pattern = r"\S")]
    pub extern_uid: String,
}

impl RequestInput for ImportedIdentity {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let link = IdentityLink::read(f);
        if !f.given("provider") && !f.given("extern_uid") {
            f.require_one_of("provider".into());
            f.require_one_of("extern_uid".into());
        }
        Some(Self {
            provider: link.provider?,
            extern_uid: link.extern_uid?,
        })
    }
}

/// A custom attribute of an imported user (GitLab's shape).
#[derive(ToSchema)]
pub struct ImportedAttribute {
    /// The key: letters, digits, `_`, `-`, `.` and `:`.
    #[schema(value_type = String, pattern = r"^[A-Za-z0-9_.:-]{1,255}$")]
    pub key: AttributeKey,
    /// The value: 1 to 1,024 characters.
    #[schema(min_length = 1, max_length = 1024)]
    pub value: String,
}

impl RequestInput for ImportedAttribute {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let key = f.required("key", AttributeKey::parse);
        let value = f.required("value", |v| {
            let text = ProfileText::parse("value", v, 1024)?;
            if text.as_str().is_empty() {
                return Err(FieldError::new("value", Problem::Blank));
            }
            Ok(text.into_inner())
        });
        Some(Self {
            key: key?,
            value: value?,
        })
    }
}

/// A group membership of an imported user.
#[derive(ToSchema)]
pub struct ImportedMembership {
    /// The group's full path (`acme/platform`); the group must exist.
    #[schema(min_length = 1, max_length = 1024)]
    pub full_path: String,
    /// The access level.
    #[schema(schema_with = access_level_schema)]
    pub access_level: AccessLevel,
}

impl RequestInput for ImportedMembership {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let full_path = f.required("full_path", |v| {
            let v = v.trim().trim_matches('/');
            if v.is_empty() || v.len() > 1024 {
                Err(FieldError::new("full_path", Problem::Blank))
            } else {
                Ok(v.to_owned())
            }
        });
        let access_level = access_level(f, "access_level", true);
        Some(Self {
            full_path: full_path?,
            access_level: access_level?,
        })
    }
}

/// What an import brings besides the fields of `POST /users`.
#[derive(ToSchema)]
pub struct ImportFields {
    /// When the primary address was confirmed (it is taken as confirmed).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub confirmed_at: Option<NaiveDateTime>,
    /// The account's state; `active` when left out.
    #[schema(value_type = Option<ImportedState>)]
    pub state: Option<UserState>,
    /// Secondary addresses.
    pub secondary_emails: Option<Vec<ImportedEmail>>,
    /// SSH keys (an expired key is refused: leave it out).
    pub ssh_keys: Option<Vec<AddKey>>,
    /// External identities.
    pub identities: Option<Vec<ImportedIdentity>>,
    /// Custom attributes.
    pub custom_attributes: Option<Vec<ImportedAttribute>>,
    /// Memberships of existing groups.
    pub groups: Option<Vec<ImportedMembership>>,
}

/// One user of `POST /users/import`.
pub struct ImportUser {
    /// The fields of `POST /users`.
    pub user: CreateUser,
    /// When the primary address was confirmed.
    pub confirmed_at: Option<NaiveDateTime>,
    /// The account's state.
    pub state: UserState,
    /// Secondary addresses.
    pub secondary_emails: Vec<ImportedEmail>,
    /// SSH keys.
    pub ssh_keys: Vec<AddKey>,
    /// External identities.
    pub identities: Vec<ImportedIdentity>,
    /// Custom attributes.
    pub custom_attributes: Vec<ImportedAttribute>,
    /// Group memberships.
    pub groups: Vec<ImportedMembership>,
}

crate::input_made_of!(
    ImportUser,
    "One user of `POST /users/import`: the fields of `POST /users` (no avatar file), and \
     `confirmed_at`, `state`, `secondary_emails`, `ssh_keys`, `identities`, \
     `custom_attributes` and `groups`.",
    [
        NewAccountFields,
        OwnProfileFields,
        AdminFields,
        IdentityLink,
        ImportFields
    ]
);

impl RequestInput for ImportUser {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let user = CreateUser::read_fields(f, false);
        let confirmed_at = f.optional("confirmed_at", past_instant("confirmed_at"));
        let state = f.optional("state", |v| {
            UserState::from_stored(v).ok_or(FieldError::new(
                "state",
                Problem::InvalidBecause(
                    "must be one of active, blocked, deactivated, banned, blocked_pending_approval",
                ),
            ))
        });
        let secondary_emails = f.items("secondary_emails");
        let ssh_keys = f.items("ssh_keys");
        let identities = f.items("identities");
        let custom_attributes = f.items("custom_attributes");
        let groups = f.items("groups");
        Some(Self {
            user: user?,
            confirmed_at,
            state: state.unwrap_or(UserState::Active),
            secondary_emails: secondary_emails?,
            ssh_keys: ssh_keys?,
            identities: identities?,
            custom_attributes: custom_attributes?,
            groups: groups?,
        })
    }
}

impl BatchItem for ImportUser {
    const MAX_ITEMS: usize = MAX_IMPORTED_USERS;
}

/// `POST /users/import`'s options, in the query.
#[derive(ToSchema)]
pub struct ImportOptions {
    /// Check every user (fields, names and addresses taken, groups) and
    /// write nothing; each result is `valid` or `failed`.
    pub dry_run: Option<bool>,
    /// Mail a confirmation link to each user whose primary address is not
    /// confirmed (no mail is sent otherwise, but a `reset_password` link).
    pub send_confirmation: Option<bool>,
}

impl RequestInput for ImportOptions {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        Some(Self {
            dry_run: f.boolean("dry_run"),
            send_confirmation: f.boolean("send_confirmation"),
        })
    }
}
