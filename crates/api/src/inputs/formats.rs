//! The OpenAPI schemas of the domain's value types, for input fields to name
//! with `#[schema(schema_with = …)]`. Each states the rule its domain parser
//! enforces (`roster_domain::Name`, `ProfileText`, `PhoneNumber`, …), so that
//! a client generated from the document sends what the server accepts.
//!
//! Every field these describe is optional and accepts `null` (read as "not
//! given", or "clear" for the clearable ones), hence the nullable types.
use chrono::Datelike;
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, SchemaFormat, SchemaType, Type};

/// Text with no control characters other than tab, line feed and carriage
/// return (`roster_domain::ProfileText`).
const TEXT: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";
/// A display name: something other than white space, no control characters,
/// no `<` or `>` (`roster_domain::Name`).
const NAME: &str = r"^[^<>\x00-\x1F\x7F-\x9F]*[^<>\s\x00-\x1F\x7F-\x9F][^<>\x00-\x1F\x7F-\x9F]*$";
/// A display name or nothing (`first_name`, `last_name`: empty clears).
const NAME_OR_EMPTY: &str =
    r"^([^<>\x00-\x1F\x7F-\x9F]*[^<>\s\x00-\x1F\x7F-\x9F][^<>\x00-\x1F\x7F-\x9F]*|\s*)$";
/// E.164: `+`, then 7 to 15 digits, the first not 0, with spaces, dots,
/// dashes and parentheses allowed between them; empty clears.
const PHONE: &str = r"^(\s*|\s*\+[ .()-]*[1-9]([ .()-]*[0-9]){6,14}[ .()-]*\s*)$";
/// An `http(s)` URL, or a bare host read as `https://host`; empty clears.
/// What `roster_domain::WebUrl` takes (which also refuses a port above
/// 65535).
const WEB_URL: &str = r"^\s*((https?://)?(localhost|([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~/-]*)?)?\s*$";
/// A user name that starts with a letter, a digit or `_`, holds a letter
/// or `_`, does not end in `.` and holds no `..` (`roster_domain::Username`;
/// the reserved names and the `.git`-like endings are refused too).
const USERNAME: &str = r"^[A-Za-z0-9_]*[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$";

fn string(nullable: bool) -> ObjectBuilder {
    let kind = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::new(Type::String)
    };
    ObjectBuilder::new().schema_type(kind)
}

/// Free text of at most `max` characters.
pub fn text(max: usize) -> Object {
    string(true).max_length(Some(max)).pattern(Some(TEXT)).build()
}

/// `bio`, `location`, `organization`, `job_title` and the social handles.
pub fn text_255() -> Object {
    text(255)
}

/// `pronouns`.
pub fn text_50() -> Object {
    text(50)
}

/// An admin's `note`.
pub fn text_1000() -> Object {
    text(1000)
}

/// `name`.
pub fn name() -> Object {
    string(true)
        .min_length(Some(1))
        .max_length(Some(255))
        .pattern(Some(NAME))
        .build()
}

/// `first_name`, `last_name`: a name, or empty to clear.
pub fn name_part() -> Object {
    string(true)
        .max_length(Some(255))
        .pattern(Some(NAME_OR_EMPTY))
        .build()
}

fn user_name(nullable: bool) -> Object {
    string(nullable)
        .min_length(Some(2))
        .max_length(Some(255))
        .pattern(Some(USERNAME))
        .build()
}

/// A required user name.
pub fn username() -> Object {
    user_name(false)
}

/// An optional new user name.
pub fn new_username() -> Object {
    user_name(true)
}

/// `phone`.
pub fn phone() -> Object {
    string(true).pattern(Some(PHONE)).build()
}

/// One of `values`, or `null` (JSON Schema's `enum` must name `null` itself:
/// the type's `null` alone does not let it through).
fn one_of<'a>(values: impl IntoIterator<Item = &'a str>) -> Object {
    let values = values
        .into_iter()
        .map(serde_json::Value::from)
        .chain(std::iter::once(serde_json::Value::Null));
    string(true).enum_values(Some(values)).build()
}

/// `gender` (the duet seed's `0` and `1` read as `male` and `female`).
pub fn gender() -> Object {
    one_of([
        "",
        "male",
        "female",
        "non_binary",
        "nonbinary",
        "other",
        "prefer_not_to_say",
        "0",
        "1",
    ])
}

/// `birthday`: a date from 1900 to last year (a date of this year before
/// today is accepted too).
pub fn birthday() -> Object {
    let last_year = roster_persistence::today().year() - 1;
    let years: Vec<String> = (1900..=last_year).map(|y| y.to_string()).collect();
    let pattern = format!(r"^({})-[0-9]{{2}}-[0-9]{{2}}$", years.join("|"));
    string(true)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .pattern(Some(pattern))
        .build()
}

/// `time_zone`: an IANA zone name, or empty to clear.
pub fn time_zone() -> Object {
    one_of(std::iter::once("").chain(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
}

/// `website_url`.
pub fn web_url() -> Object {
    string(true).max_length(Some(255)).pattern(Some(WEB_URL)).build()
}

/// An optional e-mail address (`public_email`: empty or `null` clears).
pub fn optional_email() -> Object {
    string(true)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .max_length(Some(254))
        .build()
}

/// A password: 8 to 72 bytes.
pub fn password(nullable: bool) -> Object {
    string(nullable)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
        .min_length(Some(8))
        .max_length(Some(72))
        .pattern(Some(r"^[\x20-\x7E]*[\x21-\x7E][\x20-\x7E]*$"))
        .description(Some(
            "8 to 72 bytes, not the user name or the e-mail address (printable ASCII \
             here so that characters and bytes agree; any UTF-8 of 8 to 72 bytes is taken)",
        ))
        .build()
}

/// A required password.
pub fn required_password() -> Object {
    password(false)
}

/// An optional password.
pub fn optional_password() -> Object {
    password(true)
}

/// Day numbers valid in every month.
const DAY: &str = "(0[1-9]|1[0-9]|2[0-8])";

/// The `YYYY-MM` of the `count` whole months after this one.
fn months_ahead(count: u32) -> Vec<String> {
    let today = roster_persistence::today();
    (1..=count)
        .map(|n| {
            let index = today.year() * 12 + today.month0() as i32 + n as i32;
            format!("{}-{:02}", index / 12, index % 12 + 1)
        })
        .collect()
}

/// A token's `expires_at`: a date after today, at most 365 days ahead (the
/// pattern offers the whole months of that span).
pub fn token_expiry() -> Object {
    let pattern = format!(r"^\s*({})-{DAY}\s*$", months_ahead(11).join("|"));
    string(true)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .pattern(Some(pattern))
        .build()
}

/// A key's `expires_at`: a future date (midnight, UTC) or RFC 3339 time
/// (the pattern offers the next hundred years).
pub fn future_date_or_time() -> Object {
    let first = roster_persistence::today().year() + 1;
    let years: Vec<String> = (first..first + 100).map(|y| y.to_string()).collect();
    let pattern = format!(
        r"^\s*({})-(0[1-9]|1[0-2])-{DAY}(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{{1,9}})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]))?\s*$",
        years.join("|")
    );
    string(true).pattern(Some(pattern)).build()
}

/// A key or token title.
pub fn title() -> Object {
    string(false)
        .min_length(Some(1))
        .max_length(Some(255))
        .pattern(Some(
            r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$",
        ))
        .build()
}

/// A group's `path`: as a user name, from one character.
pub fn group_path() -> Object {
    string(false)
        .min_length(Some(1))
        .max_length(Some(255))
        .pattern(Some(USERNAME))
        .build()
}

/// A group's `name`: letters, digits, emoji, `_`, `.`, `-`, `+`, spaces and
/// parentheses, starting with a letter, a digit, an emoji or `_`
/// (`roster_domain::GroupName`; characters beyond the Basic Multilingual
/// Plane are taken too).
pub fn group_name() -> Object {
    const WORD: &str = r"A-Za-z0-9_\u00A1-\u167F\u1681-\u1FFF\u200B-\u2027\u202A-\u202E\u2030-\u205E\u2060-\u2FFF\u3001-\uFFFF";
    string(false)
        .min_length(Some(1))
        .max_length(Some(255))
        .pattern(Some(format!(r"^[{WORD}][{WORD}.+() -]*$")))
        .build()
}

/// A membership's `expires_at`: a date after today (the pattern offers the
/// whole months after this one, for a hundred years).
pub fn membership_expiry() -> Object {
    let today = roster_persistence::today();
    let rest_of_year = 12 - today.month();
    let mut months = months_ahead(rest_of_year);
    let years: Vec<String> = (today.year() + 1..=today.year() + 100)
        .map(|y| y.to_string())
        .collect();
    months.push(format!("({})-(0[1-9]|1[0-2])", years.join("|")));
    let pattern = format!(r"^\s*({})-{DAY}\s*$", months.join("|"));
    string(true)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .pattern(Some(pattern))
        .build()
}
