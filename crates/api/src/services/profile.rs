//! Reading the profile fields of a create or update request.
use crate::params::Fields;
use chrono::NaiveDate;
use roster_domain::{Birthday, Gender, Name, PhoneNumber, ProfileText, TimeZone, WebUrl};
use roster_persistence::users::UserChangeset;

/// Longest `bio`, `location`, `organization`, `job_title` and social handles.
const TEXT_MAX: usize = 255;
/// Longest `pronouns`.
const PRONOUNS_MAX: usize = 50;
/// Longest admin `note`.
const NOTE_MAX: usize = 1000;

fn text(field: &'static str, max: usize) -> impl Fn(&str) -> Result<String, roster_domain::FieldError> {
    move |v| ProfileText::parse(field, v, max).map(ProfileText::into_inner)
}

/// Reads the fields anyone may set on their own profile.
pub fn read_own_fields(f: &mut Fields<'_>, today: NaiveDate) -> UserChangeset {
    UserChangeset {
        name: f.optional("name", |v| Name::parse("name", v).map(Name::into_inner)),
        first_name: f.optional("first_name", |v| {
            if v.trim().is_empty() {
                Ok(String::new())
            } else {
                Name::parse("first_name", v).map(Name::into_inner)
            }
        }),
        last_name: f.optional("last_name", |v| {
            if v.trim().is_empty() {
                Ok(String::new())
            } else {
                Name::parse("last_name", v).map(Name::into_inner)
            }
        }),
        phone: f.clearable("phone", |v| PhoneNumber::parse(v).map(PhoneNumber::into_inner)),
        gender: f.clearable("gender", |v| Gender::parse(v).map(|g| g.as_str().to_owned())),
        birthday: f.clearable("birthday", |v| Birthday::parse(v, today).map(Birthday::date)),
        time_zone: f.clearable("time_zone", |v| TimeZone::parse(v).map(TimeZone::into_inner)),
        bio: f.optional("bio", text("bio", TEXT_MAX)),
        location: f.optional("location", text("location", TEXT_MAX)),
        skype: f.optional("skype", text("skype", TEXT_MAX)),
        linkedin: f.optional("linkedin", text("linkedin", TEXT_MAX)),
        twitter: f.optional("twitter", text("twitter", TEXT_MAX)),
        discord: f.optional("discord", text("discord", TEXT_MAX)),
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
        public_email: crate::services::privacy::read_public_email(f),
        theme_id: f.integer("theme_id", 1..=11).map(|n| n as i32),
        color_scheme_id: f.integer("color_scheme_id", 1..=6).map(|n| n as i32),
        ..UserChangeset::default()
    }
}

/// Reads the fields only admins may set, on top of [`read_own_fields`].
pub fn read_admin_fields(f: &mut Fields<'_>, today: NaiveDate) -> UserChangeset {
    UserChangeset {
        note: f.optional("note", text("note", NOTE_MAX)),
        is_admin: f.boolean("admin"),
        external: f.boolean("external"),
        projects_limit: f.integer("projects_limit", 0..=1_000_000).map(|n| n as i32),
        can_create_group: f.boolean("can_create_group"),
        ..read_own_fields(f, today)
    }
}
