//! Inputs of the personal access token routes.
use crate::http::input::RequestInput;
use crate::http::params::Fields;
use roster_domain::{FieldError, Scopes, Title, TokenExpiry};
use roster_persistence::today;
use utoipa::ToSchema;

/// A scope a personal access token may carry.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
pub enum TokenScope {
    /// Read and write everything the user may.
    api,
    /// Read everything the user may.
    read_api,
    /// Read the user's own profile.
    read_user,
    /// Act as another user (`Sudo` header or `sudo` parameter): admins'
    /// tokens only, beside a scope that reads or writes.
    sudo,
}

/// `POST /user/personal_access_tokens` and `POST /users/:id/personal_access_tokens`.
#[derive(ToSchema)]
pub struct CreateToken {
    /// What the token is for.
    #[schema(schema_with = super::formats::title)]
    pub name: String,
    /// At least one scope: a JSON array, repeated `scopes[]=…`, or one
    /// comma-separated value.
    #[schema(value_type = Vec<TokenScope>, min_items = 1)]
    pub scopes: Scopes,
    /// The last day the token works: after today, at most 365 days ahead;
    /// a year from today when left out (GitLab's longest).
    #[schema(schema_with = super::formats::token_expiry, required = false)]
    pub expires_at: TokenExpiry,
    /// What the token is used for, in more words (at most 255 characters).
    #[schema(max_length = 255)]
    pub description: Option<String>,
}

fn token_name(v: &str) -> Result<String, FieldError> {
    Title::parse("name", v).map(Title::into_inner)
}

impl RequestInput for CreateToken {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let today = today();
        let name = f.required("name", token_name);
        let scopes = f.required_list("scopes", Scopes::parse);
        let expires_at = f.optional("expires_at", |v| TokenExpiry::parse(v, today));
        let description = f.optional("description", description);
        Some(Self {
            name: name?,
            scopes: scopes?,
            expires_at: expires_at
                .unwrap_or_else(|| TokenExpiry::days_after(today, TokenExpiry::MAX_DAYS as u64)),
            description: description.filter(|d| !d.is_empty()),
        })
    }
}

fn description(v: &str) -> Result<String, FieldError> {
    let v = v.trim();
    if v.chars().count() > 255 {
        return Err(FieldError::new(
            "description",
            roster_domain::Problem::TooLong { max: 255 },
        ));
    }
    if v.chars().any(|c| c.is_control() && c != '\n') {
        return Err(FieldError::new("description", roster_domain::Problem::Invalid));
    }
    Ok(v.to_owned())
}

/// A rotated token lives a week unless told otherwise (GitLab's default).
const ROTATED_DAYS: u64 = 7;

/// `POST /personal_access_tokens/:id/rotate`.
#[derive(ToSchema)]
pub struct RotateToken {
    /// The last day the new token works; a week from today when left out.
    #[schema(schema_with = super::formats::token_expiry, required = false)]
    pub expires_at: TokenExpiry,
}

impl RequestInput for RotateToken {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let today = today();
        let expires_at = f.optional("expires_at", |v| TokenExpiry::parse(v, today));
        Some(Self {
            expires_at: expires_at.unwrap_or_else(|| TokenExpiry::days_after(today, ROTATED_DAYS)),
        })
    }
}
