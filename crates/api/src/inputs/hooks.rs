//! Inputs of the system hook routes (`/hooks`, GitLab's, with Roster's
//! `signing_secret` and `events`).
use crate::http::input::RequestInput;
use crate::http::params::Fields;
use roster_domain::{FieldError, HookUrl, Problem, ProfileText, WebhookSecret, SYSTEM_HOOK_EVENTS};
use utoipa::ToSchema;

/// What to do with a hook's signing secret.
pub enum SigningSecretChoice {
    /// Make a new one (`generate`); it is shown once, in the answer.
    Generate,
    /// Use this one.
    Given(WebhookSecret),
    /// None (an empty value): no Standard Webhooks headers.
    Remove,
}

/// An event a hook can be sent.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum SystemHookEvent {
    user_create,
    user_destroy,
    user_rename,
    user_failed_login,
    key_create,
    key_destroy,
    group_create,
    group_destroy,
    user_add_to_group,
    user_remove_from_group,
    user_update_for_group,
    user_update,
    user_block,
    user_unblock,
    password_change,
    email_confirm,
    two_factor_enable,
    two_factor_disable,
    token_revoke,
}

/// The address of a new hook.
#[derive(ToSchema)]
pub struct NewHookUrl {
    /// Where events are posted: an absolute http or https URL. Loopback,
    /// link-local and private addresses are refused unless the server
    /// allows them (`ROSTER_HOOKS_ALLOW_PRIVATE`).
    #[schema(value_type = String, max_length = 2048, pattern = r"^\s*[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+[^\s#]*\s*$")]
    pub url: HookUrl,
}

/// A hook's new address.
#[derive(ToSchema)]
pub struct HookUrlChange {
    /// Where events are posted from now on (see `POST /hooks`).
    #[schema(value_type = Option<String>, max_length = 2048, pattern = r"^\s*[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+[^\s#]*\s*$")]
    pub url: Option<HookUrl>,
}

/// The fields of a hook but its address, as `POST /hooks` and
/// `PUT /hooks/:id` take them.
#[derive(ToSchema)]
pub struct HookFields {
    /// Sent back as `X-Gitlab-Token`; never shown. Empty to remove it.
    #[schema(max_length = 255, pattern = r"^[^\r\n]*$")]
    pub token: Option<String>,
    /// A name.
    #[schema(max_length = 255)]
    pub name: Option<String>,
    /// A description.
    #[schema(max_length = 2048)]
    pub description: Option<String>,
    /// Kept and shown as GitLab does (Roster has no repositories).
    pub push_events: Option<bool>,
    /// See `push_events`.
    pub tag_push_events: Option<bool>,
    /// See `push_events`.
    pub merge_requests_events: Option<bool>,
    /// See `push_events`.
    pub repository_update_events: Option<bool>,
    /// Check the receiver's TLS certificate (default `true`).
    pub enable_ssl_verification: Option<bool>,
    /// Roster's: a Standard Webhooks secret (`whsec_` and the base64 of 24
    /// to 64 bytes), or `generate` for a new one, shown once in the answer;
    /// empty to remove it. With a secret, every delivery carries
    /// `webhook-id`, `webhook-timestamp` and `webhook-signature`.
    #[schema(value_type = Option<String>, pattern = r"^\s*(generate|whsec_[A-Za-z0-9+/=]{32,88})?\s*$")]
    pub signing_secret: Option<String>,
    /// Roster's: the events sent, a list or comma-separated; all when left
    /// out (or `null` on an update).
    #[schema(value_type = Option<Vec<SystemHookEvent>>, min_items = 1)]
    pub events: Option<Vec<String>>,
}

/// What every reading of the fields gives.
pub struct HookSettings {
    /// The token: `None` untouched, `Some(None)` removed.
    pub token: Option<Option<String>>,
    /// The name.
    pub name: Option<Option<String>>,
    /// The description.
    pub description: Option<Option<String>>,
    /// GitLab's flags, in the order of the schema.
    pub flags: [Option<bool>; 4],
    /// TLS verification.
    pub enable_ssl_verification: Option<bool>,
    /// The signing secret.
    pub signing_secret: Option<SigningSecretChoice>,
    /// The events: `None` untouched, `Some(None)` all.
    pub events: Option<Option<Vec<String>>>,
}

fn token(v: &str) -> Result<String, FieldError> {
    if v.len() > 255 || v.contains(['\r', '\n']) {
        return Err(FieldError::new(
            "token",
            Problem::InvalidBecause("must be one line of at most 255 characters"),
        ));
    }
    Ok(v.to_owned())
}

fn signing_secret(v: &str) -> Result<SigningSecretChoice, FieldError> {
    match v.trim() {
        "generate" => Ok(SigningSecretChoice::Generate),
        other => WebhookSecret::parse(other).map(SigningSecretChoice::Given),
    }
}

fn events(names: &[String]) -> Result<Vec<String>, FieldError> {
    let mut chosen: Vec<String> = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if !SYSTEM_HOOK_EVENTS.contains(&name) {
            return Err(FieldError::new(
                "events",
                Problem::InvalidBecause("names an event Roster does not send (see docs/hooks.md)"),
            ));
        }
        if !chosen.iter().any(|c| c == name) {
            chosen.push(name.to_owned());
        }
    }
    if chosen.is_empty() {
        return Err(FieldError::new(
            "events",
            Problem::InvalidBecause("must name at least one event"),
        ));
    }
    Ok(chosen)
}

impl HookSettings {
    fn read(f: &mut Fields<'_>) -> Self {
        let text = |name: &'static str, max: usize| {
            move |v: &str| ProfileText::parse(name, v, max).map(ProfileText::into_inner)
        };
        let token = f.clearable("token", token);
        let name = f.clearable("name", text("name", 255));
        let description = f.clearable("description", text("description", 2048));
        let flags = [
            f.boolean("push_events"),
            f.boolean("tag_push_events"),
            f.boolean("merge_requests_events"),
            f.boolean("repository_update_events"),
        ];
        let enable_ssl_verification = f.boolean("enable_ssl_verification");
        let signing_secret = f
            .clearable("signing_secret", signing_secret)
            .map(|choice| choice.unwrap_or(SigningSecretChoice::Remove));
        let names = f.list("events", |v| Ok::<_, FieldError>(v.to_owned()));
        let events = match names {
            _ if f.present("events") && !f.given("events") => Some(None),
            Some(names) => f.check(events(&names)).map(Some),
            None => None,
        };
        Self {
            token,
            name,
            description,
            flags,
            enable_ssl_verification,
            signing_secret,
            events,
        }
    }
}

/// `POST /hooks`.
pub struct CreateHook {
    /// Where events are posted.
    pub url: HookUrl,
    /// Everything else.
    pub settings: HookSettings,
}

crate::input_made_of!(
    CreateHook,
    "`POST /hooks`: `url` is needed.",
    [NewHookUrl, HookFields]
);

impl RequestInput for CreateHook {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let url = f.required("url", HookUrl::parse);
        let settings = HookSettings::read(f);
        Some(Self { url: url?, settings })
    }
}

/// `PUT /hooks/:id`: the fields given change; a changed hook is enabled
/// again, its failures forgotten.
pub struct UpdateHook {
    /// A new address.
    pub url: Option<HookUrl>,
    /// Everything else.
    pub settings: HookSettings,
}

crate::input_made_of!(
    UpdateHook,
    "`PUT /hooks/:id`: any of the fields of `POST /hooks`.",
    [HookUrlChange, HookFields]
);

impl RequestInput for UpdateHook {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let url = f.optional("url", HookUrl::parse);
        let settings = HookSettings::read(f);
        Some(Self { url, settings })
    }
}
