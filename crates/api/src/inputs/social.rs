//! Inputs of the privacy, status and preferences routes.
use super::formats;
use crate::http::error::ApiError;
use crate::http::input::RequestInput;
use crate::http::params::Fields;
use chrono::NaiveDateTime;
use roster_domain::{Availability, ClearStatusAfter, EmailAddress, StatusEmoji, StatusMessage, UserStatus};
use roster_persistence::users::UserChangeset;
use utoipa::ToSchema;

/// `PUT /user/privacy`: the settings given change; the others keep their value.
#[derive(ToSchema)]
pub struct Privacy {
    /// Hide everything but the basic fields from other users.
    pub private_profile: Option<bool>,
    /// Show up in other users' searches.
    pub searchable: Option<bool>,
    /// Let others see whom one follows and who follows one.
    pub show_followers: Option<bool>,
    /// Show one's last activity.
    pub share_activity: Option<bool>,
    /// One of one's confirmed addresses; empty or `null` hides it.
    #[schema(schema_with = formats::optional_email)]
    pub public_email: Option<Option<String>>,
}

impl RequestInput for Privacy {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let privacy = Self {
            private_profile: f.boolean("private_profile"),
            searchable: f.boolean("searchable"),
            show_followers: f.boolean("show_followers"),
            share_activity: f.boolean("share_activity"),
            public_email: f.clearable("public_email", |v| {
                EmailAddress::parse_field("public_email", v).map(EmailAddress::into_inner)
            }),
        };
        (!f.has_errors()).then_some(privacy)
    }
}

impl Privacy {
    /// The changes to store.
    pub fn into_changeset(self) -> UserChangeset {
        UserChangeset {
            private_profile: self.private_profile,
            searchable: self.searchable,
            show_followers: self.show_followers,
            share_activity: self.share_activity,
            public_email: self.public_email,
            ..UserChangeset::default()
        }
    }
}

/// Whether the user may be disturbed.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum StatusAvailability {
    not_set,
    busy,
}

/// How long a status lasts.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum StatusDuration {
    #[schema(rename = "30_minutes")]
    ThirtyMinutes,
    #[schema(rename = "3_hours")]
    ThreeHours,
    #[schema(rename = "8_hours")]
    EightHours,
    #[schema(rename = "1_day")]
    OneDay,
    #[schema(rename = "3_days")]
    ThreeDays,
    #[schema(rename = "7_days")]
    SevenDays,
    #[schema(rename = "30_days")]
    ThirtyDays,
}

/// `PUT`/`PATCH /user/status`. For each field: left out (`None`), cleared
/// (`Some(None)`: `null` or empty) or given.
#[derive(ToSchema)]
pub struct SetStatus {
    /// An emoji name such as `coffee`.
    #[schema(value_type = Option<String>, pattern = r"^\s*(:[a-z0-9_+-]{0,64}:|[a-z0-9_+-]{0,64})\s*$")]
    pub emoji: Option<Option<StatusEmoji>>,
    /// At most 100 characters.
    #[schema(value_type = Option<String>, max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub message: Option<Option<StatusMessage>>,
    /// `busy` or `not_set`.
    #[schema(value_type = Option<StatusAvailability>)]
    pub availability: Option<Option<Availability>>,
    /// When the status clears itself.
    #[schema(value_type = Option<StatusDuration>)]
    pub clear_status_after: Option<Option<ClearStatusAfter>>,
}

impl RequestInput for SetStatus {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let status = Self {
            emoji: f.clearable("emoji", StatusEmoji::parse).map(Option::flatten),
            message: f.clearable("message", StatusMessage::parse).map(Option::flatten),
            availability: f.clearable("availability", Availability::parse),
            clear_status_after: f.clearable("clear_status_after", ClearStatusAfter::parse),
        };
        (!f.has_errors()).then_some(status)
    }
}

impl SetStatus {
    /// The status after this change at `at`: over `current` for `PATCH`
    /// (absent fields keep their value), over nothing for `PUT`.
    pub fn applied_to(self, current: Option<UserStatus>, at: NaiveDateTime) -> Option<UserStatus> {
        let (emoji, message, availability, clear_status_at) = match current {
            Some(s) => (s.emoji, s.message, s.availability, s.clear_status_at),
            None => (None, None, Availability::NotSet, None),
        };
        UserStatus::new(
            self.emoji.unwrap_or(emoji),
            self.message.unwrap_or(message),
            self.availability.map_or(availability, Option::unwrap_or_default),
            self.clear_status_after
                .map_or(clear_status_at, |after| after.map(|after| after.from(at))),
        )
    }
}

/// The largest preferences document, in bytes of JSON.
pub const MAX_PREFERENCES_BYTES: usize = 16 * 1024;

/// `PUT /user/preferences`: any JSON object of at most 16 KiB (or one
/// wrapped as `{"preferences": {…}}`), whose keys are the user's own.
#[derive(ToSchema)]
#[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
pub struct Preferences(pub serde_json::Map<String, serde_json::Value>);

impl crate::http::input::JsonDocument for Preferences {}

impl actix_web::FromRequest for Preferences {
    type Error = crate::http::error::ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &actix_web::HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(crate::http::params::is_json);
        let body = actix_web::web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let body = body.await.map_err(|_| ApiError::PayloadTooLarge)?;
            Preferences::parse(&body)
        })
    }
}

impl Preferences {
    /// Reads the document from a JSON body.
    fn parse(body: &[u8]) -> Result<Self, ApiError> {
        if body.len() > MAX_PREFERENCES_BYTES + 64 {
            return Err(ApiError::PayloadTooLarge);
        }
        if crate::http::params::json_too_deep(body, crate::http::params::MAX_JSON_DEPTH) {
            return Err(ApiError::BadRequest(
                "the JSON body is nested too deeply (at most 32 levels)".into(),
            ));
        }
        let value: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::BadRequest(format!("malformed JSON body: {e}")))?;
        let object = match value {
            serde_json::Value::Object(mut obj)
                if obj.len() == 1 && obj.get("preferences").is_some_and(serde_json::Value::is_object) =>
            {
                match obj.remove("preferences") {
                    Some(serde_json::Value::Object(inner)) => inner,
                    _ => serde_json::Map::new(),
                }
            }
            serde_json::Value::Object(obj) => obj,
            _ => return Err(ApiError::field("preferences", "must be a JSON object")),
        };
        if serde_json::Value::Object(object.clone()).to_string().len() > MAX_PREFERENCES_BYTES {
            return Err(ApiError::field("preferences", "is too large (maximum is 16 KiB)"));
        }
        Ok(Self(object))
    }
}
