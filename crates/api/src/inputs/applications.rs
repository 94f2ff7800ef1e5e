//! Inputs of the OAuth application routes (`/applications`, GitLab's).
use super::formats;
use crate::http::input::RequestInput;
use crate::http::params::Fields;
use roster_domain::{AppScopes, RedirectUris, Title};
use utoipa::ToSchema;

/// `POST /applications` (admins).
#[derive(ToSchema)]
pub struct CreateApplication {
    /// The application's name, shown on the consent page.
    #[schema(schema_with = formats::title)]
    pub name: String,
    /// One or more absolute URIs, separated by new lines or spaces; a code
    /// is only ever sent to one of them, matched exactly.
    #[schema(value_type = String, min_length = 1, pattern = r"^[ \t\r\n]*[A-Za-z][A-Za-z0-9+.-]*:[!-\x22$-~]+([ \t\r\n]+[A-Za-z][A-Za-z0-9+.-]*:[!-\x22$-~]+)*[ \t\r\n]*$")]
    pub redirect_uri: RedirectUris,
    /// Space-separated: `api`, `read_api`, `read_user`, `openid`,
    /// `profile`, `email`, `offline_access`.
    #[schema(value_type = String, min_length = 1, pattern = r"^[\s,]*(api|read_api|read_user|openid|profile|email|offline_access)([\s,]+(api|read_api|read_user|openid|profile|email|offline_access))*[\s,]*$")]
    pub scopes: AppScopes,
    /// Whether the application keeps its secret (a server); `false` for
    /// browser and native apps, which must use PKCE. `true` unless told.
    pub confidential: Option<bool>,
    /// Roster's: skip the consent page (applications the team runs itself).
    pub trusted: Option<bool>,
}

impl RequestInput for CreateApplication {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let name = f.required("name", |v| Title::parse("name", v).map(Title::into_inner));
        let redirect_uri = f.required("redirect_uri", RedirectUris::parse);
        let scopes = f.required("scopes", AppScopes::parse_joined);
        let confidential = f.boolean("confidential");
        let trusted = f.boolean("trusted");
        Some(Self {
            name: name?,
            redirect_uri: redirect_uri?,
            scopes: scopes?,
            confidential,
            trusted,
        })
    }
}
