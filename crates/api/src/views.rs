//! The JSON shapes of the contract (§2), built from rows.
use chrono::{NaiveDate, NaiveDateTime};
use roster_domain::ProfileView;
use roster_persistence::custom_attributes::CustomAttributeRow;
use roster_persistence::emails::EmailRow;
use roster_persistence::keys::KeyRow;
use roster_persistence::oauth_tokens::OAuthRow;
use roster_persistence::personal_tokens::PatRow;
use roster_persistence::users::{IdentityRow, UserRow};
use serde::Serialize;
use utoipa::ToSchema;

pub mod account_pages;
pub mod admin_pages;
pub mod applications;
pub mod console;
pub mod groups;
pub mod hooks;
pub mod import;
pub mod pages;
pub mod two_factor;

/// RFC 3339 in UTC with milliseconds: `2026-05-23T08:00:58.123Z`.
pub fn time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn opt_time(t: Option<NaiveDateTime>) -> Option<String> {
    t.map(time)
}

pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// What the views need besides the row.
pub struct ViewContext<'a> {
    /// Base of `web_url`.
    pub public_url: &'a str,
    /// Now, to tell whether an account is locked.
    pub now: NaiveDateTime,
}

/// What a user's view shows besides its row, loaded only where needed.
#[derive(Debug, Clone, Default)]
pub struct UserExtras {
    /// Linked identities (may hold other users' rows; filtered by id).
    pub identities: Vec<IdentityRow>,
    /// `(followers, following)`, when the viewer may see them.
    pub follows: Option<(i64, i64)>,
    /// Whether the viewer may see `last_activity_on` in a public profile.
    pub show_activity: bool,
    /// Custom attributes, when asked for (`with_custom_attributes`, admins).
    pub custom_attributes: Option<Vec<CustomAttributeRow>>,
}

/// `UserBasic`.
#[derive(Serialize, ToSchema)]
pub struct UserBasic {
    id: i64,
    username: String,
    name: String,
    state: String,
    locked: bool,
    avatar_url: Option<String>,
    web_url: String,
}

/// `UserBasic` + `private_profile`: a private profile seen by others.
#[derive(Serialize, ToSchema)]
pub struct UserRestricted {
    #[serde(flatten)]
    basic: UserBasic,
    private_profile: bool,
}

/// `User`: a public profile.
#[derive(Serialize, ToSchema)]
pub struct UserPublic {
    #[serde(flatten)]
    basic: UserBasic,
    created_at: String,
    bio: String,
    location: String,
    public_email: Option<String>,
    skype: String,
    linkedin: String,
    twitter: String,
    discord: String,
    github: String,
    website_url: String,
    organization: String,
    job_title: String,
    pronouns: Option<String>,
    bot: bool,
    private_profile: bool,
    followers: Option<i64>,
    following: Option<i64>,
    last_activity_on: Option<String>,
}

/// One linked identity.
#[derive(Serialize, ToSchema)]
pub struct IdentityView {
    provider: String,
    extern_uid: String,
}

/// `UserSelf`: what the owner sees on `GET /user`.
#[derive(Serialize, ToSchema)]
pub struct UserOwn {
    #[serde(flatten)]
    public: UserPublic,
    email: String,
    commit_email: String,
    first_name: String,
    last_name: String,
    phone: Option<String>,
    gender: Option<String>,
    birthday: Option<String>,
    time_zone: Option<String>,
    unconfirmed_email: Option<String>,
    confirmed_at: Option<String>,
    last_sign_in_at: Option<String>,
    current_sign_in_at: Option<String>,
    identities: Vec<IdentityView>,
    can_create_group: bool,
    can_create_project: bool,
    projects_limit: i32,
    two_factor_enabled: bool,
    external: bool,
    is_admin: bool,
    theme_id: i32,
    color_scheme_id: i32,
}

/// `UserAdmin`: what admins see everywhere.
#[derive(Serialize, ToSchema)]
pub struct UserAdmin {
    #[serde(flatten)]
    own: UserOwn,
    note: String,
    current_sign_in_ip: Option<String>,
    last_sign_in_ip: Option<String>,
    sign_in_count: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    custom_attributes: Option<Vec<CustomAttributeView>>,
}

/// One custom attribute.
#[derive(Serialize, ToSchema)]
pub struct CustomAttributeView {
    key: String,
    value: String,
}

/// The view of a custom attribute.
pub fn custom_attribute(row: &CustomAttributeRow) -> CustomAttributeView {
    CustomAttributeView {
        key: row.key.clone(),
        value: row.value.clone(),
    }
}

/// A user seen through one of the views.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum UserView {
    /// `UserBasic` + `private_profile`.
    Restricted(UserRestricted),
    /// `User`.
    Public(Box<UserPublic>),
    /// `UserSelf`.
    Own(Box<UserOwn>),
    /// `UserAdmin`.
    Admin(Box<UserAdmin>),
}

/// A plain `UserBasic`, as in lists for non-admins and follow answers.
pub fn basic(row: &UserRow, ctx: &ViewContext<'_>) -> UserBasic {
    UserBasic {
        id: row.id,
        username: row.username.clone(),
        name: row.name.clone(),
        state: row.state.clone(),
        locked: row.is_locked_at(ctx.now),
        avatar_url: row
            .avatar
            .as_ref()
            .map(|name| format!("{}/uploads/avatars/{name}", ctx.public_url)),
        web_url: format!("{}/{}", ctx.public_url, row.username),
    }
}

fn public(row: &UserRow, extras: &UserExtras, ctx: &ViewContext<'_>) -> UserPublic {
    let non_empty = |s: &Option<String>| s.clone().filter(|v| !v.is_empty());
    UserPublic {
        basic: basic(row, ctx),
        created_at: time(row.created_at),
        bio: row.bio.clone(),
        location: row.location.clone(),
        public_email: non_empty(&row.public_email),
        skype: row.skype.clone(),
        linkedin: row.linkedin.clone(),
        twitter: row.twitter.clone(),
        discord: row.discord.clone(),
        github: row.github.clone(),
        website_url: row.website_url.clone(),
        organization: row.organization.clone(),
        job_title: row.job_title.clone(),
        pronouns: non_empty(&row.pronouns),
        bot: row.is_bot(),
        private_profile: row.private_profile,
        followers: extras.follows.map(|f| f.0),
        following: extras.follows.map(|f| f.1),
        last_activity_on: if extras.show_activity {
            row.last_activity_on.map(date)
        } else {
            None
        },
    }
}

fn own(row: &UserRow, extras: &UserExtras, ctx: &ViewContext<'_>) -> UserOwn {
    let identities: Vec<&IdentityRow> = extras.identities.iter().filter(|i| i.user_id == row.id).collect();
    let own_extras = UserExtras {
        show_activity: true,
        ..extras.clone()
    };
    UserOwn {
        public: public(row, &own_extras, ctx),
        email: row.email.clone(),
        commit_email: row.email.clone(),
        first_name: row.first_name.clone(),
        last_name: row.last_name.clone(),
        phone: row.phone.clone(),
        gender: row.gender.clone(),
        birthday: row.birthday.map(date),
        time_zone: row.time_zone.clone(),
        unconfirmed_email: row.unconfirmed_email.clone(),
        confirmed_at: opt_time(row.confirmed_at),
        last_sign_in_at: opt_time(row.last_sign_in_at),
        current_sign_in_at: opt_time(row.current_sign_in_at),
        identities: identities
            .iter()
            .map(|i| IdentityView {
                provider: i.provider.clone(),
                extern_uid: i.extern_uid.clone(),
            })
            .collect(),
        can_create_group: row.can_create_group,
        can_create_project: row.projects_limit > 0,
        projects_limit: row.projects_limit,
        two_factor_enabled: row.two_factor_enabled,
        external: row.external,
        is_admin: row.is_admin,
        theme_id: row.theme_id,
        color_scheme_id: row.color_scheme_id,
    }
}

/// The view of `row` at `level`.
pub fn user(row: &UserRow, level: ProfileView, extras: &UserExtras, ctx: &ViewContext<'_>) -> UserView {
    match level {
        ProfileView::Restricted => UserView::Restricted(UserRestricted {
            basic: basic(row, ctx),
            private_profile: row.private_profile,
        }),
        ProfileView::Public => UserView::Public(Box::new(public(row, extras, ctx))),
        ProfileView::Own => UserView::Own(Box::new(own(row, extras, ctx))),
        ProfileView::Admin => UserView::Admin(Box::new(UserAdmin {
            own: own(row, extras, ctx),
            note: row.note.clone(),
            current_sign_in_ip: row.current_sign_in_ip.clone(),
            last_sign_in_ip: row.last_sign_in_ip.clone(),
            sign_in_count: row.sign_in_count,
            custom_attributes: extras.custom_attributes.as_ref().map(|all| {
                all.iter()
                    .filter(|a| a.user_id == row.id)
                    .map(custom_attribute)
                    .collect()
            }),
        })),
    }
}

/// A list of users at one level; `UserBasic` rows for the restricted level.
/// `extras` holds the identities and custom attributes of all the rows.
pub fn users(
    rows: &[UserRow],
    level: ProfileView,
    extras: &UserExtras,
    ctx: &ViewContext<'_>,
) -> Vec<serde_json::Value> {
    rows.iter()
        .map(|row| {
            let value = match level {
                ProfileView::Restricted => serde_json::to_value(basic(row, ctx)),
                _ => serde_json::to_value(user(row, level, extras, ctx)),
            };
            value.unwrap_or(serde_json::Value::Null)
        })
        .collect()
}

/// A service account (GitLab's `ServiceAccount`).
#[derive(Serialize, ToSchema)]
pub struct ServiceAccountView {
    id: i64,
    username: String,
    name: String,
    email: String,
}

/// The view of a service account.
pub fn service_account(row: &UserRow) -> ServiceAccountView {
    ServiceAccountView {
        id: row.id,
        username: row.username.clone(),
        name: row.name.clone(),
        email: row.email.clone(),
    }
}

/// `PersonalAccessToken`.
#[derive(Serialize, ToSchema)]
pub struct PatView {
    id: i64,
    name: String,
    revoked: bool,
    created_at: String,
    scopes: Vec<String>,
    user_id: i64,
    last_used_at: Option<String>,
    active: bool,
    expires_at: Option<String>,
    /// What the token is used for, in more words.
    description: Option<String>,
    /// The last addresses it was used from, newest first (up to five).
    last_used_ips: Vec<String>,
    /// `true` on impersonation tokens (`/users/:id/impersonation_tokens`),
    /// absent on personal ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    impersonation: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
}

/// The view of a token; `secret` only in the answer that creates it.
pub fn pat(row: &PatRow, today: NaiveDate, secret: Option<&str>) -> PatView {
    PatView {
        id: row.id,
        name: row.name.clone(),
        revoked: row.revoked,
        created_at: time(row.created_at),
        scopes: row
            .scopes
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        user_id: row.user_id,
        last_used_at: opt_time(row.last_used_at),
        active: row.is_active_on(today),
        expires_at: row.expires_at.map(date),
        description: row.description.clone(),
        last_used_ips: row.last_used_ips().into_iter().map(str::to_owned).collect(),
        impersonation: row.impersonation.then_some(true),
        token: secret.map(str::to_owned),
    }
}

/// The OAuth token response (RFC 6749 §5.1, with Doorkeeper's `created_at`).
#[derive(Serialize, ToSchema)]
pub struct OAuthTokenView {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    refresh_token: String,
    scope: String,
    created_at: i64,
    /// The ID token (OpenID Connect), when the grant has the `openid` scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

/// The answer to a successful grant.
pub fn oauth_token(row: &OAuthRow, access: &str, refresh: &str, id_token: Option<String>) -> OAuthTokenView {
    OAuthTokenView {
        access_token: access.to_owned(),
        token_type: "Bearer",
        expires_in: (row.expires_at - row.created_at).num_seconds(),
        refresh_token: refresh.to_owned(),
        scope: roster_domain::AppScopes::parse_joined(&row.scopes)
            .map(|s| s.joined())
            .unwrap_or_default(),
        created_at: row.created_at.and_utc().timestamp(),
        id_token,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc_millis() {
        let t = NaiveDate::from_ymd_opt(2026, 5, 23)
            .unwrap()
            .and_hms_micro_opt(8, 0, 58, 123_456)
            .unwrap();
        assert_eq!(time(t), "2026-05-23T08:00:58.123Z");
    }
}

/// `SSHKey`.
#[derive(Serialize, ToSchema)]
pub struct KeyView {
    id: i64,
    title: String,
    key: String,
    fingerprint: String,
    created_at: String,
    expires_at: Option<String>,
    usage_type: String,
    last_used_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<UserView>,
}

/// A GPG key (GitLab's `GpgKey`).
#[derive(Serialize, ToSchema)]
pub struct GpgKeyView {
    id: i64,
    key: String,
    created_at: String,
}

/// The view of a GPG key.
pub fn gpg_key(row: &roster_persistence::gpg_keys::GpgKeyRow) -> GpgKeyView {
    GpgKeyView {
        id: row.id,
        key: row.key.clone(),
        created_at: time(row.created_at),
    }
}

/// The view of a key; with `user` for the admin look-ups.
pub fn key(row: &KeyRow, user: Option<UserView>) -> KeyView {
    KeyView {
        id: row.id,
        title: row.title.clone(),
        key: row.key.clone(),
        fingerprint: row.fingerprint_sha256.clone(),
        created_at: time(row.created_at),
        expires_at: opt_time(row.expires_at),
        usage_type: row.usage_type.clone(),
        last_used_at: opt_time(row.last_used_at),
        user,
    }
}

/// `Email`.
#[derive(Serialize, ToSchema)]
pub struct EmailView {
    id: i64,
    email: String,
    confirmed_at: Option<String>,
}

/// The view of an address.
pub fn email(row: &EmailRow) -> EmailView {
    EmailView {
        id: row.id,
        email: row.email.clone(),
        confirmed_at: opt_time(row.confirmed_at),
    }
}

/// A security event.
#[derive(Serialize, ToSchema)]
pub struct AuditEventView {
    id: i64,
    author_id: Option<i64>,
    entity_id: Option<i64>,
    /// `User` or `Group`.
    entity_type: String,
    event_name: String,
    #[schema(value_type = Object)]
    details: serde_json::Value,
    created_at: String,
}

/// The view of an event; `details` carries `ip_address` too, as in GitLab.
pub fn audit_event(row: &roster_persistence::audit::AuditRow) -> AuditEventView {
    let mut details: serde_json::Value =
        serde_json::from_str(&row.details).unwrap_or_else(|_| serde_json::json!({}));
    if let (Some(map), Some(ip)) = (details.as_object_mut(), &row.ip_address) {
        map.insert("ip_address".into(), serde_json::Value::String(ip.clone()));
    }
    AuditEventView {
        id: row.id,
        author_id: row.author_id,
        entity_id: row.entity_id,
        entity_type: row.entity_type.clone(),
        event_name: row.event_name.clone(),
        details,
        created_at: time(row.created_at),
    }
}

/// `UserStatus` (GitLab's): every field `null` (availability `not_set`)
/// when no status is set.
#[derive(Serialize, ToSchema)]
pub struct UserStatusView {
    emoji: Option<String>,
    availability: String,
    message: Option<String>,
    /// The message as HTML: escaped, not rendered from Markdown.
    message_html: Option<String>,
    clear_status_at: Option<String>,
}

/// The view of a status, or of none.
pub fn status(status: Option<&roster_domain::UserStatus>) -> UserStatusView {
    let message = status
        .and_then(|s| s.message.as_ref())
        .map(|m| m.as_str().to_owned());
    UserStatusView {
        emoji: status
            .and_then(|s| s.emoji.as_ref())
            .map(|e| e.as_str().to_owned()),
        availability: status
            .map_or(roster_domain::Availability::NotSet, |s| s.availability)
            .as_str()
            .to_owned(),
        message_html: message.as_deref().map(crate::background::mail::escape),
        message,
        clear_status_at: status.and_then(|s| s.clear_status_at).map(time),
    }
}

/// `{"avatar_url": …}`: where an uploaded avatar is served.
#[derive(Serialize, ToSchema)]
pub struct AvatarUrl {
    /// The image's absolute URL.
    pub avatar_url: String,
}

/// `{"message": …}`: an answer that only says what happened.
#[derive(Serialize, ToSchema)]
pub struct Message {
    /// What happened.
    pub message: &'static str,
}

/// `{"status": "ok"}` (and, for readiness, what was checked).
#[derive(Serialize, ToSchema)]
pub struct Status {
    /// `ok`, or `failed`.
    pub status: &'static str,
    /// Each check and its outcome (readiness).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checks: Option<std::collections::BTreeMap<&'static str, &'static str>>,
    /// What failed (readiness).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'static str>,
    /// Roster's version (as `roster --version` prints it).
    pub version: &'static str,
}

/// `GET /oauth/token/info`: the token in use, as Doorkeeper describes it.
#[derive(Serialize, ToSchema)]
pub struct TokenInfo {
    /// The user the token acts for.
    pub resource_owner_id: i64,
    /// Its scopes.
    pub scope: Vec<&'static str>,
    /// Its scopes (GitLab's second name for them).
    pub scopes: Vec<&'static str>,
    /// Seconds left; `null` for a token that does not expire.
    pub expires_in: Option<i64>,
    /// Seconds left (GitLab's second name).
    pub expires_in_seconds: Option<i64>,
    /// The OAuth application, `null` for Roster's own sign-in.
    #[schema(value_type = Option<Object>)]
    pub application: Option<serde_json::Value>,
    /// When the token was made, in seconds since the epoch.
    pub created_at: i64,
}
