//! The profile fields of the requests that create or change a user: those
//! anyone may set on their own account, and those only admins set.
use super::formats;
use crate::http::params::Fields;
use roster_domain::{Birthday, FieldError, Gender, Name, PhoneNumber, ProfileText, TimeZone, WebUrl};
use roster_persistence::today;
use roster_persistence::users::UserChangeset;
use utoipa::ToSchema;

/// Longest `bio`, `location`, `organization`, `job_title` and social handles.
const TEXT_MAX: usize = 255;
/// Longest `pronouns`.
const PRONOUNS_MAX: usize = 50;
/// Longest admin `note`.
const NOTE_MAX: usize = 1000;

fn text(field: &'static str, max: usize) -> impl Fn(&str) -> Result<String, FieldError> {
    move |v| ProfileText::parse(field, v, max).map(ProfileText::into_inner)
}

/// A name part, or empty to clear it.
fn name_part(field: &'static str) -> impl Fn(&str) -> Result<String, FieldError> {
    move |v| {
        if v.trim().is_empty() {
            Ok(String::new())
        } else {
            Name::parse(field, v).map(Name::into_inner)
        }
    }
}

/// The fields anyone may set on their own profile. For the clearable ones
/// (`Option<Option<_>>`), `null` or an empty value clears.
#[derive(ToSchema, Default)]
pub struct OwnProfileFields {
    /// The display name.
    #[schema(schema_with = formats::name)]
    pub name: Option<String>,
    /// With `last_name`, makes the display name when `name` is not given.
    #[schema(schema_with = formats::name_part)]
    pub first_name: Option<String>,
    /// With `first_name`, makes the display name when `name` is not given.
    #[schema(schema_with = formats::name_part)]
    pub last_name: Option<String>,
    /// A telephone number in E.164 form (`+` and a country code).
    #[schema(schema_with = formats::phone)]
    pub phone: Option<Option<String>>,
    /// `male`, `female`, `non_binary`, `other` or `prefer_not_to_say`.
    #[schema(schema_with = formats::gender)]
    pub gender: Option<Option<String>>,
    /// A past date, `YYYY-MM-DD`.
    #[schema(schema_with = formats::birthday)]
    pub birthday: Option<Option<chrono::NaiveDate>>,
    /// Seed 004's age in years, stored as the `birthday` of today less that
    /// many years and a day; not with `birthday`.
    #[schema(minimum = 0, maximum = 120)]
    pub current_age: Option<i64>,
    /// An IANA time zone such as `Europe/Paris`.
    #[schema(schema_with = formats::time_zone)]
    pub time_zone: Option<Option<String>>,
    /// A few words about oneself.
    #[schema(schema_with = formats::text_255)]
    pub bio: Option<String>,
    /// Where one is.
    #[schema(schema_with = formats::text_255)]
    pub location: Option<String>,
    /// A Skype handle.
    #[schema(schema_with = formats::text_255)]
    pub skype: Option<String>,
    /// A LinkedIn handle.
    #[schema(schema_with = formats::text_255)]
    pub linkedin: Option<String>,
    /// An X (Twitter) handle.
    #[schema(schema_with = formats::text_255)]
    pub twitter: Option<String>,
    /// A Discord user id.
    #[schema(schema_with = formats::text_255)]
    pub discord: Option<String>,
    /// The GitHub user name.
    #[schema(schema_with = formats::text_255)]
    pub github: Option<String>,
    /// An `http(s)` URL; a bare host is read as `https://host`.
    #[schema(schema_with = formats::web_url)]
    pub website_url: Option<String>,
    /// One's organisation.
    #[schema(schema_with = formats::text_255)]
    pub organization: Option<String>,
    /// One's job title.
    #[schema(schema_with = formats::text_255)]
    pub job_title: Option<String>,
    /// One's pronouns, at most 50 characters.
    #[schema(schema_with = formats::text_50)]
    pub pronouns: Option<Option<String>>,
    /// Hide everything but the basic fields from other users.
    pub private_profile: Option<bool>,
    /// One of the user's confirmed addresses, shown on the profile.
    #[schema(schema_with = formats::optional_email)]
    pub public_email: Option<Option<String>>,
    /// GitLab's theme number, 1 to 11.
    #[schema(minimum = 1, maximum = 11)]
    pub theme_id: Option<i32>,
    /// GitLab's colour scheme number, 1 to 6.
    #[schema(minimum = 1, maximum = 6)]
    pub color_scheme_id: Option<i32>,
}

/// `birthday`, or the one seed 004's `current_age` gives; both at once is a
/// problem (which one would be meant?).
fn birthday_or_age(f: &mut Fields<'_>, today: chrono::NaiveDate) -> Option<Option<chrono::NaiveDate>> {
    let birthday = f.clearable("birthday", |v| Birthday::parse(v, today).map(Birthday::date));
    let age = f.integer("current_age", 0..=120);
    match (birthday, age) {
        (Some(_), Some(_)) => {
            f.reject("current_age", "cannot be given with birthday");
            None
        }
        (Some(b), None) => Some(b),
        (None, Some(age)) => f
            .check(Birthday::from_age(age as u32, today))
            .map(|b| Some(b.date())),
        (None, None) => None,
    }
}

impl OwnProfileFields {
    /// Reads every field; the problems are recorded in `f`.
    pub fn read(f: &mut Fields<'_>) -> Self {
        let today = today();
        Self {
            name: f.optional("name", |v| Name::parse("name", v).map(Name::into_inner)),
            first_name: f.optional("first_name", name_part("first_name")),
            last_name: f.optional("last_name", name_part("last_name")),
            phone: f.clearable("phone", |v| PhoneNumber::parse(v).map(PhoneNumber::into_inner)),
            gender: f.clearable("gender", |v| Gender::parse(v).map(|g| g.as_str().to_owned())),
            birthday: birthday_or_age(f, today),
            current_age: None,
            time_zone: f.clearable("time_zone", |v| TimeZone::parse(v).map(TimeZone::into_inner)),
            bio: f.optional("bio", text("bio", TEXT_MAX)),
            location: f.optional("location", text("location", TEXT_MAX)),
            skype: f.optional("skype", text("skype", TEXT_MAX)),
            linkedin: f.optional("linkedin", text("linkedin", TEXT_MAX)),
            twitter: f.optional("twitter", text("twitter", TEXT_MAX)),
            discord: f.optional("discord", text("discord", TEXT_MAX)),
            github: f.optional("github", text("github", TEXT_MAX)),
            website_url: f.optional("website_url", |v| {
                if v.trim().is_empty() {
                    Ok(String::new())
                } else {
                    WebUrl::parse("website_url", v).map(WebUrl::into_inner)
                }
            }),
            organization: f.optional("organization", text("organization", TEXT_MAX)),
            job_title: f.optional("job_title", text("job_title", TEXT_MAX)),
            pronouns: f.clearable("pronouns", text("pronouns", PRONOUNS_MAX)),
            private_profile: f.boolean("private_profile"),
            public_email: f.clearable("public_email", |v| {
                roster_domain::EmailAddress::parse_field("public_email", v)
                    .map(roster_domain::EmailAddress::into_inner)
            }),
            theme_id: f.integer("theme_id", 1..=11).map(|n| n as i32),
            color_scheme_id: f.integer("color_scheme_id", 1..=6).map(|n| n as i32),
        }
    }

    /// The display name these fields give: `name`, or `first_name` and
    /// `last_name` joined. `None` when neither is there.
    pub fn display_name(&self) -> Option<String> {
        if let Some(name) = &self.name {
            return Some(name.clone());
        }
        match (&self.first_name, &self.last_name) {
            (Some(first), Some(last)) if !first.is_empty() && !last.is_empty() => {
                let first = Name::parse("first_name", first).ok()?;
                let last = Name::parse("last_name", last).ok()?;
                Some(Name::from_parts(&first, &last).into_inner())
            }
            _ => None,
        }
    }

    /// The changes to store.
    pub fn into_changeset(self) -> UserChangeset {
        UserChangeset {
            name: self.name,
            first_name: self.first_name,
            last_name: self.last_name,
            phone: self.phone,
            gender: self.gender,
            birthday: self.birthday,
            time_zone: self.time_zone,
            bio: self.bio,
            location: self.location,
            skype: self.skype,
            linkedin: self.linkedin,
            twitter: self.twitter,
            discord: self.discord,
            github: self.github,
            website_url: self.website_url,
            organization: self.organization,
            job_title: self.job_title,
            pronouns: self.pronouns,
            private_profile: self.private_profile,
            public_email: self.public_email,
            theme_id: self.theme_id,
            color_scheme_id: self.color_scheme_id,
            ..UserChangeset::default()
        }
    }
}

/// The fields only admins set.
#[derive(ToSchema)]
pub struct AdminFields {
    /// A note about the user, seen by admins only.
    #[schema(schema_with = formats::text_1000)]
    pub note: Option<String>,
    /// Make the user an admin, or not.
    pub admin: Option<bool>,
    /// An external user (a contractor, a customer).
    pub external: Option<bool>,
    /// GitLab's project limit, kept for its clients.
    #[schema(minimum = 0, maximum = 1000000)]
    pub projects_limit: Option<i32>,
    /// Whether the user may create organisations.
    pub can_create_group: Option<bool>,
}

impl AdminFields {
    /// Reads every field; the problems are recorded in `f`.
    pub fn read(f: &mut Fields<'_>) -> Self {
        Self {
            note: f.optional("note", text("note", NOTE_MAX)),
            admin: f.boolean("admin"),
            external: f.boolean("external"),
            projects_limit: f.integer("projects_limit", 0..=1_000_000).map(|n| n as i32),
            can_create_group: f.boolean("can_create_group"),
        }
    }

    /// These changes over `changes`.
    pub fn applied_to(self, changes: UserChangeset) -> UserChangeset {
        UserChangeset {
            note: self.note,
            is_admin: self.admin,
            external: self.external,
            projects_limit: self.projects_limit,
            can_create_group: self.can_create_group,
            ..changes
        }
    }
}

/// An external identity to link: `provider` and `extern_uid` come together
/// or not at all.
#[derive(ToSchema)]
pub struct IdentityLink {
    /// The identity provider's name, such as `github`.
    #[schema(value_type = Option<String>, min_length = 1, max_length = 255, pattern = r"\S")]
    pub provider: Option<String>,
    /// The user's id at that provider.
    #[schema(value_type = Option<String>, min_length = 1, max_length = 255, pattern = r"\S")]
    pub extern_uid: Option<String>,
}

impl IdentityLink {
    /// Reads the pair; `None` inside when neither is given.
    pub fn read(f: &mut Fields<'_>) -> Self {
        let id = |name: &'static str| {
            move |v: &str| {
                let v = v.trim();
                if v.is_empty() {
                    Err(FieldError::new(name, roster_domain::Problem::Blank))
                } else {
                    ProfileText::parse(name, v, TEXT_MAX).map(ProfileText::into_inner)
                }
            }
        };
        let provider = f.optional("provider", id("provider"));
        let extern_uid = f.optional("extern_uid", id("extern_uid"));
        if f.given("provider") != f.given("extern_uid") {
            f.reject("extern_uid", "and provider must be given together");
        }
        Self { provider, extern_uid }
    }

    /// The identity to store, when both halves are there.
    pub fn into_identity(self) -> Option<roster_persistence::users::NewIdentity> {
        Some(roster_persistence::users::NewIdentity {
            provider: self.provider?,
            extern_uid: self.extern_uid?,
        })
    }
}
