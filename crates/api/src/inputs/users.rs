//! Inputs of the admin's user routes: `POST /users` and `PUT /users/:id`.
use super::avatar::AvatarFields;
use super::formats;
use super::profile::{AdminFields, IdentityLink, OwnProfileFields};
use crate::http::input::RequestInput;
use crate::http::params::Fields;
use roster_domain::{AvatarUpload, EmailAddress, ImportedHash, Password, Username};
use roster_persistence::users::{NewIdentity, UserChangeset};
use utoipa::ToSchema;

/// The account fields of `POST /users`.
#[derive(ToSchema)]
pub struct NewAccountFields {
    /// The primary address.
    #[schema(value_type = String, format = Email, min_length = 3, max_length = 254)]
    pub email: EmailAddress,
    /// The user name.
    #[schema(schema_with = formats::username)]
    pub username: Username,
    /// The password; or `password_hash`, `reset_password` or `force_random_password`.
    #[schema(schema_with = formats::optional_password)]
    pub password: Option<Password>,
    /// An existing password hash, brought from another system: bcrypt
    /// (`$2a$`, `$2b$`, `$2y$`), Django's `pbkdf2_sha256$…` and `argon2$…`,
    /// or a PHC string (`$argon2id$`, `$argon2i$`, `$scrypt$`,
    /// `$pbkdf2-sha256$`). The first sign-in re-hashes it with Roster's own.
    #[schema(min_length = 1, max_length = 512)]
    pub password_hash: Option<String>,
    /// Mail the user a link to choose a password.
    pub reset_password: Option<bool>,
    /// Set a random password nobody knows.
    pub force_random_password: Option<bool>,
    /// Take the primary address as confirmed.
    pub skip_confirmation: Option<bool>,
}

/// How the new user's password is chosen.
pub enum PasswordChoice {
    /// The one the admin gave.
    Given(Password),
    /// A link mailed to the user (`reset_password`).
    MailedLink,
    /// A random one nobody knows (`force_random_password`).
    Random,
    /// A hash brought from another system (`password_hash`).
    Imported(ImportedHash),
}

/// `POST /users`.
pub struct CreateUser {
    /// The primary address.
    pub email: EmailAddress,
    /// The user name.
    pub username: Username,
    /// The display name (`name`, or `first_name` and `last_name`).
    pub name: String,
    /// How the password is chosen.
    pub password: PasswordChoice,
    /// Take the primary address as confirmed.
    pub skip_confirmation: bool,
    /// Every other field, as changes over a new user.
    pub profile: UserChangeset,
    /// An external identity to link.
    pub identity: Option<NewIdentity>,
    /// An avatar to store.
    pub avatar: Option<AvatarUpload>,
}

crate::input_made_of!(
    CreateUser,
    "`POST /users` (JSON, form or multipart): `email`, `username`, a name (`name`, or \
     `first_name` and `last_name`) and one of `password`, `password_hash`, \
     `reset_password`, `force_random_password` are needed.",
    [
        NewAccountFields,
        OwnProfileFields,
        AdminFields,
        IdentityLink,
        AvatarFields
    ]
);

impl RequestInput for CreateUser {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        Self::read_fields(f, true)
    }
}

impl CreateUser {
    /// Reads the fields of `POST /users`; the avatar's only when
    /// `with_avatar` (an imported user, sent as JSON, has no file).
    pub fn read_fields(f: &mut Fields<'_>, with_avatar: bool) -> Option<Self> {
        let email = f.required("email", EmailAddress::parse);
        let username = f.required("username", Username::parse);
        let given = f.optional("password", Password::parse);
        let imported = f.optional("password_hash", ImportedHash::parse);
        let reset = f.boolean("reset_password").unwrap_or(false);
        let random = f.boolean("force_random_password").unwrap_or(false);
        let skip_confirmation = f.boolean("skip_confirmation").unwrap_or(false);
        let mut own = OwnProfileFields::read(f);
        let admin = AdminFields::read(f);
        let identity = IdentityLink::read(f);
        let avatar = with_avatar.then(|| AvatarFields::read(f));
        let name = own.display_name();
        if name.is_none() && !["name", "first_name", "last_name"].iter().any(|n| f.failed(n)) {
            f.require_one_of("name".into());
        }
        if let (Some(Some(public)), Some(primary)) = (&own.public_email, &email) {
            // Only the primary address exists yet, and only when confirmed.
            if public != primary.as_str() || !skip_confirmation {
                f.reject("public_email", "must be one of your confirmed e-mail addresses");
            }
        }
        if !f.given("password") && !f.given("password_hash") && !reset && !random {
            // GitLab's words, which do not know Roster's `password_hash`.
            f.require_any(&["password", "reset_password", "force_random_password"]);
        }
        if f.given("password") && f.given("password_hash") {
            f.reject("password_hash", "cannot be given with password");
        }
        if let (Some(p), Some(u), Some(e)) = (&given, &username, &email) {
            if let Err(e) = p.ensure_differs_from(u.as_str(), e.as_str()) {
                f.reject(e.field, e.problem.to_string());
            }
        }
        let password = if reset {
            PasswordChoice::MailedLink
        } else if random {
            PasswordChoice::Random
        } else if let Some(hash) = imported {
            PasswordChoice::Imported(hash)
        } else {
            PasswordChoice::Given(given?)
        };
        own.name = None;
        Some(Self {
            email: email?,
            username: username?,
            name: name?,
            password,
            skip_confirmation,
            profile: admin.applied_to(own.into_changeset()),
            identity: identity.into_identity(),
            avatar: avatar.and_then(AvatarFields::upload),
        })
    }
}

/// The account fields of `PUT /users/:id`.
#[derive(ToSchema)]
pub struct AccountChanges {
    /// A new primary address (taken as confirmed).
    #[schema(value_type = Option<String>, format = Email, min_length = 3, max_length = 254)]
    pub email: Option<EmailAddress>,
    /// A new user name.
    #[schema(schema_with = formats::new_username)]
    pub username: Option<Username>,
    /// A new password.
    #[schema(schema_with = formats::optional_password)]
    pub password: Option<Password>,
}

/// `PUT /users/:id`: any of the fields; those left out keep their value.
pub struct UpdateUser {
    /// A new primary address.
    pub email: Option<EmailAddress>,
    /// A new user name.
    pub username: Option<Username>,
    /// A new password.
    pub password: Option<Password>,
    /// Every other field, as changes.
    pub changes: UserChangeset,
    /// An external identity to link.
    pub identity: Option<NewIdentity>,
    /// A new avatar.
    pub avatar: Option<AvatarUpload>,
    /// The names of the fields given, for the security event (no values).
    pub fields_given: Vec<String>,
}

crate::input_made_of!(
    UpdateUser,
    "`PUT /users/:id` (JSON, form or multipart): any of the fields of `POST /users`.",
    [
        AccountChanges,
        OwnProfileFields,
        AdminFields,
        IdentityLink,
        AvatarFields
    ]
);

impl RequestInput for UpdateUser {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let email = f.optional("email", EmailAddress::parse);
        let username = f.optional("username", Username::parse);
        let password = f.optional("password", Password::parse);
        let own = OwnProfileFields::read(f);
        let admin = AdminFields::read(f);
        let identity = IdentityLink::read(f);
        let avatar = AvatarFields::read(f);
        if f.has_errors() {
            return None;
        }
        let fields_given = f
            .names_read()
            .into_iter()
            .filter(|name| f.present(name) || f.has_file(name))
            .filter(|name| !name.starts_with("avatar") && name != "password")
            .collect();
        Some(Self {
            email,
            username,
            password,
            changes: admin.applied_to(own.into_changeset()),
            identity: identity.into_identity(),
            avatar: avatar.upload(),
            fields_given,
        })
    }
}
