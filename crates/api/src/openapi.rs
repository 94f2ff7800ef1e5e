//! The OpenAPI 3.1 document of every route, built from the route table below
//! and the response types' own schemas (`#[derive(ToSchema)]` in `views.rs`).
//! A test compares this table with the routes actually registered, both ways.
use crate::http::input::{batch, json_document, typed, typed_multipart, Encoding, RequestSpec};
use crate::inputs::account::{
    ChangePassword, Confirmation, CurrentPassword, EmailRequest, Registration, ResetComplete,
    UpdateOwnProfile,
};
use crate::inputs::applications::CreateApplication;
use crate::inputs::avatar::NewAvatar;
use crate::inputs::browser::{
    AuthorizeRequest, ConfirmationForm, CsrfForm, DeviceForm, LogoutRequest, PasskeyForm, ResetForm,
    SecondFactorForm, SignInForm, SignInQuery,
};
use crate::inputs::custom_attributes::CustomAttributeValue;
use crate::inputs::emails::AdminEmailRequest;
use crate::inputs::groups::{
    AcceptInvitation, AddMember, CreateGroup, CreateGroupToken, GroupListQuery, InvitationListQuery, Invite,
    MemberListQuery, UpdateGroup, UpdateInvitation, UpdateMember,
};
use crate::inputs::hooks::{CreateHook, UpdateHook};
use crate::inputs::import::{ImportOptions, ImportUser};
use crate::inputs::keys::{AddGpgKey, AddKey, KeyLookup};
use crate::inputs::oauth::{
    DeviceAuthorizationRequest, IntrospectRequest, MfaOptionsRequest, RevokeRequest, TokenRequest,
};
use crate::inputs::queries::AvatarQuery;
use crate::inputs::queries::{
    ActivitiesQuery, AuditQuery, ImpersonationTokenQuery, PageQuery, TokenListQuery, UserListQuery, UserQuery,
};
use crate::inputs::service_accounts::{CreateServiceAccount, ServiceAccountQuery};
use crate::inputs::social::{Preferences, Privacy, SetStatus};
use crate::inputs::tokens::{CreateToken, RotateToken};
use crate::inputs::two_factor::{
    DisableTwoFactor, RecoveryCodesRequest, TotpConfirmation, TotpEnrolment, WebauthnRegistration,
};
use crate::inputs::users::{CreateUser, UpdateUser};
use crate::views;
use std::collections::BTreeMap;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, Ref, RefOr,
    Required, ResponseBuilder, SecurityRequirement,
};
use utoipa::ToSchema;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, no token.
    Public,
    /// Anyone; a token, when sent, must be valid.
    Optional,
    /// A valid token.
    Token,
    /// An admin's token.
    Admin,
}

/// What a successful answer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// A JSON value of the named schema.
    Json(&'static str),
    /// A JSON array of the named schema.
    List(&'static str),
    /// No body.
    Empty,
    /// Plain text.
    Text,
    /// An HTML page.
    Html,
    /// An image.
    Image,
    /// A stylesheet.
    Stylesheet,
    /// A script.
    Script,
}

/// One documented route.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// The HTTP method.
    pub method: &'static str,
    /// The full path, with `{parameters}`.
    pub path: &'static str,
    /// The group it is shown in.
    pub tag: &'static str,
    /// One line on what it does.
    pub summary: &'static str,
    /// Who may call it.
    pub access: Access,
    /// The input type, if it takes parameters beyond the path (a body, or
    /// the query of a `GET`).
    pub request: Option<RequestSpec>,
    /// The success status and body.
    pub ok: (u16, Body),
    /// Error statuses beyond those implied by access, path and body.
    pub errors: &'static [u16],
}

// A positional constructor keeps the route table one readable line a route.
#[allow(clippy::too_many_arguments)]
const fn r(
    method: &'static str,
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    access: Access,
    request: Option<RequestSpec>,
    ok: (u16, Body),
    errors: &'static [u16],
) -> Route {
    Route {
        method,
        path,
        tag,
        summary,
        access,
        request,
        ok,
        errors,
    }
}

use Access::*;
use Body::*;

/// Every route of the API.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    r("GET", "/-/health", "operations", "The process is up", Public, None, (200, Json("Status")), &[]),
    r("GET", "/-/readiness", "operations", "The database answers", Public, None, (200, Json("Status")), &[503]),
    r("GET", "/-/metrics", "operations", "Prometheus metrics", Public, None, (200, Text), &[]),
    r("GET", "/api/v4/openapi.json", "operations", "This document", Public, None, (200, Json("Object")), &[]),
    r("GET", "/-/confirm", "pages", "Page confirming an address", Public, None, (200, Html), &[]),
    r("POST", "/-/confirm", "pages", "Confirm an address from the page", Public, typed::<ConfirmationForm>(), (200, Html), &[400, 403]),
    r("GET", "/-/reset-password", "pages", "Page choosing a new password", Public, None, (200, Html), &[]),
    r("POST", "/-/reset-password", "pages", "Set the new password from the page", Public, typed::<ResetForm>(), (200, Html), &[400, 403]),
    r("GET", "/-/invitation", "pages", "Page showing an invitation to a group", Public, None, (200, Html), &[404]),
    r("POST", "/oauth/token", "oauth", "Password, refresh, authorization-code, device or mfa grant (client authentication by HTTP Basic or in the body)", Public, typed::<TokenRequest>(), (200, Json("OAuthTokenView")), &[400, 401, 403, 429]),
    r("GET", "/oauth/authorize", "oidc", "The authorization endpoint: sign-in, consent, then a redirect with the code", Public, typed::<AuthorizeRequest>(), (200, Html), &[302, 303]),
    r("POST", "/oauth/authorize", "oidc", "The consent page's answer", Public, typed::<AuthorizeRequest>(), (200, Html), &[302, 303, 403]),
    r("POST", "/oauth/authorize_device", "oidc", "Start the device grant (RFC 8628)", Public, typed::<DeviceAuthorizationRequest>(), (200, Json("Object")), &[401, 503]),
    r("GET", "/oauth/device", "oidc", "Page where a signed-in person enters a device's code", Public, typed::<DeviceForm>(), (200, Html), &[303]),
    r("POST", "/oauth/device", "oidc", "Answer a device's request from the page", Public, typed::<DeviceForm>(), (200, Html), &[303, 403]),
    r("GET", "/oauth/userinfo", "oidc", "Claims about the person behind an access token with openid", Public, None, (200, Json("Object")), &[401, 403]),
    r("POST", "/oauth/userinfo", "oidc", "Claims about the person behind an access token with openid", Public, None, (200, Json("Object")), &[401, 403]),
    r("POST", "/oauth/introspect", "oidc", "What a token is (RFC 7662), for confidential clients", Public, typed::<IntrospectRequest>(), (200, Json("Object")), &[401]),
    r("GET", "/oauth/logout", "oidc", "RP-initiated logout", Public, typed::<LogoutRequest>(), (200, Html), &[302, 303]),
    r("POST", "/oauth/logout", "oidc", "Confirm an RP-initiated logout", Public, typed::<LogoutRequest>(), (200, Html), &[302, 303, 403]),
    r("GET", "/.well-known/openid-configuration", "oidc", "OpenID Connect discovery", Public, None, (200, Json("Object")), &[]),
    r("GET", "/-/sign_in", "pages", "The sign-in page", Public, typed::<SignInQuery>(), (200, Html), &[303]),
    r("POST", "/-/sign_in", "pages", "Sign in from the page (a session cookie, then onwards)", Public, typed::<SignInForm>(), (303, Empty), &[401, 403, 429]),
    r("POST", "/-/sign_in/passkey/options", "pages", "Request options of a sign-in with a passkey alone (for the page's script)", Public, None, (200, Json("Object")), &[400, 429]),
    r("POST", "/-/sign_in/passkey", "pages", "Sign in with a passkey alone (a session cookie, then onwards)", Public, typed::<PasskeyForm>(), (303, Empty), &[401, 403, 429]),
    r("POST", "/-/sign_in/two_factor", "pages", "The sign-in page's second step: a code for its mfa_token (a session cookie, then onwards)", Public, typed::<SecondFactorForm>(), (303, Empty), &[401, 403, 429]),
    r("GET", "/-/sign_out", "pages", "The sign-out page", Public, None, (200, Html), &[]),
    r("POST", "/-/sign_out", "pages", "Sign out of the browser session", Public, typed::<CsrfForm>(), (200, Html), &[403]),
    r("GET", "/-/assets/roster.css", "pages", "The pages' stylesheet", Public, None, (200, Stylesheet), &[]),
    r("GET", "/-/assets/webauthn.js", "pages", "The pages' WebAuthn script (their only one)", Public, None, (200, Script), &[]),
    r("POST", "/oauth/revoke", "oauth", "Revoke a token (RFC 7009)", Public, typed::<RevokeRequest>(), (200, Json("Object")), &[]),
    r("GET", "/oauth/discovery/keys", "oauth", "The JWKS of the keys that sign ID tokens", Public, None, (200, Json("Object")), &[]),
    r("GET", "/oauth/token/info", "oauth", "The token in use", Token, None, (200, Json("TokenInfo")), &[]),
    r("GET", "/api/v4/users", "users", "List and search users", Optional, typed::<UserListQuery>(), (200, List("UserView")), &[400, 405]),
    r("POST", "/api/v4/users", "users", "Create a user", Admin, typed_multipart::<CreateUser>(), (201, Json("UserAdmin")), &[409]),
    r("POST", "/api/v4/users/import", "users", "Import users, with their password hashes", Admin, batch::<ImportUser, ImportOptions>(), (200, List("ImportResult")), &[413, 415]),
    r("GET", "/api/v4/users/{id}", "users", "One user, as the caller may see it", Optional, typed::<UserQuery>(), (200, Json("UserView")), &[]),
    r("PUT", "/api/v4/users/{id}", "users", "Update a user", Admin, typed_multipart::<UpdateUser>(), (200, Json("UserAdmin")), &[409]),
    r("DELETE", "/api/v4/users/{id}", "users", "Delete a user", Admin, None, (204, Empty), &[]),
    r("GET", "/api/v4/user", "users", "The caller", Token, None, (200, Json("UserOwn")), &[]),
    r("PUT", "/api/v4/user", "account", "Update one's own profile", Token, typed::<UpdateOwnProfile>(), (200, Json("UserOwn")), &[409]),
    r("PATCH", "/api/v4/user", "account", "Update one's own profile", Token, typed::<UpdateOwnProfile>(), (200, Json("UserOwn")), &[409]),
    r("DELETE", "/api/v4/user", "account", "Delete one's own account", Token, typed::<CurrentPassword>(), (204, Empty), &[]),
    r("POST", "/api/v4/users/{id}/block", "users", "Block a user", Admin, None, (201, Json("Changed")), &[]),
    r("PUT", "/api/v4/users/{id}/block", "users", "Block a user", Admin, None, (201, Json("Changed")), &[]),
    r("POST", "/api/v4/users/{id}/unblock", "users", "Unblock a user", Admin, None, (201, Json("Changed")), &[]),
    r("PUT", "/api/v4/users/{id}/unblock", "users", "Unblock a user", Admin, None, (201, Json("Changed")), &[]),
    r("POST", "/api/v4/users/{id}/deactivate", "users", "Deactivate a user", Admin, None, (201, Json("Changed")), &[]),
    r("PUT", "/api/v4/users/{id}/deactivate", "users", "Deactivate a user", Admin, None, (201, Json("Changed")), &[]),
    r("POST", "/api/v4/users/{id}/activate", "users", "Activate a user", Admin, None, (201, Json("Changed")), &[]),
    r("PUT", "/api/v4/users/{id}/activate", "users", "Activate a user", Admin, None, (201, Json("Changed")), &[]),
    r("POST", "/api/v4/users/{id}/ban", "users", "Ban a user (active users only)", Admin, None, (201, Json("Changed")), &[]),
    r("POST", "/api/v4/users/{id}/unban", "users", "Unban a banned user", Admin, None, (201, Json("Changed")), &[]),
    r("POST", "/api/v4/users/{id}/approve", "users", "Approve a sign-up waiting for approval", Admin, None, (201, Json("Message")), &[409]),
    r("POST", "/api/v4/users/{id}/reject", "users", "Reject (delete) a sign-up waiting for approval", Admin, None, (200, Json("Message")), &[409]),
    r("POST", "/api/v4/users/{id}/confirm", "users", "Confirm a user's primary address", Admin, None, (201, Json("Changed")), &[]),
    r("DELETE", "/api/v4/users/{id}/identities/{provider}", "users", "Unlink an identity", Admin, None, (204, Empty), &[]),
    r("GET", "/api/v4/users/{id}/custom_attributes", "users", "A user's custom attributes", Admin, None, (200, List("CustomAttributeView")), &[]),
    r("GET", "/api/v4/users/{id}/custom_attributes/{key}", "users", "One custom attribute", Admin, None, (200, Json("CustomAttributeView")), &[400]),
    r("PUT", "/api/v4/users/{id}/custom_attributes/{key}", "users", "Set a custom attribute", Admin, typed::<CustomAttributeValue>(), (200, Json("CustomAttributeView")), &[]),
    r("DELETE", "/api/v4/users/{id}/custom_attributes/{key}", "users", "Delete a custom attribute", Admin, None, (204, Empty), &[400]),
    r("GET", "/api/v4/personal_access_tokens", "tokens", "List tokens", Token, typed::<TokenListQuery>(), (200, List("PatView")), &[400]),
    r("GET", "/api/v4/personal_access_tokens/{id}", "tokens", "One token (`self`: the one in use)", Token, None, (200, Json("PatView")), &[]),
    r("DELETE", "/api/v4/personal_access_tokens/{id}", "tokens", "Revoke a token", Token, None, (204, Empty), &[]),
    r("POST", "/api/v4/personal_access_tokens/{id}/rotate", "tokens", "Rotate a token", Token, typed::<RotateToken>(), (200, Json("PatView")), &[]),
    r("POST", "/api/v4/user/personal_access_tokens", "tokens", "Create a token for oneself", Token, typed::<CreateToken>(), (201, Json("PatView")), &[]),
    r("POST", "/api/v4/users/{id}/personal_access_tokens", "tokens", "Create a token for a user", Admin, typed::<CreateToken>(), (201, Json("PatView")), &[]),
    r("GET", "/api/v4/users/{id}/impersonation_tokens", "tokens", "A user's impersonation tokens", Admin, typed::<ImpersonationTokenQuery>(), (200, List("PatView")), &[400]),
    r("POST", "/api/v4/users/{id}/impersonation_tokens", "tokens", "Make an impersonation token: acts as the user, every use recorded", Admin, typed::<CreateToken>(), (201, Json("PatView")), &[]),
    r("GET", "/api/v4/users/{id}/impersonation_tokens/{token_id}", "tokens", "One impersonation token", Admin, None, (200, Json("PatView")), &[]),
    r("DELETE", "/api/v4/users/{id}/impersonation_tokens/{token_id}", "tokens", "Revoke an impersonation token", Admin, None, (204, Empty), &[]),
    r("GET", "/api/v4/user/activities", "users", "Users' last activity, most recent first", Admin, typed::<ActivitiesQuery>(), (200, List("Object")), &[400]),
    r("GET", "/api/v4/service_accounts", "users", "Service accounts", Admin, typed::<ServiceAccountQuery>(), (200, List("ServiceAccountView")), &[400]),
    r("POST", "/api/v4/service_accounts", "users", "Make a service account: a bot that acts only through its tokens", Admin, typed::<CreateServiceAccount>(), (201, Json("ServiceAccountView")), &[409]),
    r("GET", "/api/v4/hooks", "hooks", "System hooks", Admin, typed::<PageQuery>(), (200, List("HookView")), &[400]),
    r("POST", "/api/v4/hooks", "hooks", "Add a system hook", Admin, typed::<CreateHook>(), (201, Json("HookView")), &[]),
    r("GET", "/api/v4/hooks/{id}", "hooks", "A system hook", Admin, None, (200, Json("HookView")), &[]),
    r("PUT", "/api/v4/hooks/{id}", "hooks", "Change a system hook (a disabled one is enabled again)", Admin, typed::<UpdateHook>(), (200, Json("HookView")), &[]),
    r("DELETE", "/api/v4/hooks/{id}", "hooks", "Remove a system hook and its delivery log", Admin, None, (204, Empty), &[]),
    r("POST", "/api/v4/hooks/{id}", "hooks", "Send a test event now", Admin, None, (201, Json("TestEvent")), &[]),
    r("GET", "/api/v4/hooks/{id}/deliveries", "hooks", "A system hook's delivery log, newest first", Admin, typed::<PageQuery>(), (200, List("DeliveryView")), &[400]),
    r("POST", "/api/v4/hooks/{id}/deliveries/{delivery_id}/redeliver", "hooks", "Send a logged delivery again now, with its webhook-id", Admin, None, (201, Json("DeliveryView")), &[]),
    r("POST", "/api/v4/registrations", "account", "Sign up", Public, typed::<Registration>(), (201, Json("UserOwn")), &[403, 409, 429]),
    r("POST", "/api/v4/confirmations", "account", "Confirm an address", Public, typed::<Confirmation>(), (200, Json("UserBasic")), &[409]),
    r("POST", "/api/v4/confirmations/resend", "account", "Send a new confirmation link", Public, typed::<EmailRequest>(), (202, Json("Message")), &[429]),
    r("PUT", "/api/v4/user/password", "account", "Change one's password", Token, typed::<ChangePassword>(), (204, Empty), &[]),
    r("POST", "/api/v4/password/reset", "account", "Ask for a password reset link", Public, typed::<EmailRequest>(), (202, Json("Message")), &[429]),
    r("POST", "/api/v4/password/reset/complete", "account", "Set a new password with a reset token", Public, typed::<ResetComplete>(), (204, Empty), &[]),
    r("GET", "/api/v4/user/privacy", "social", "One's privacy settings", Token, None, (200, Json("Privacy")), &[]),
    r("PUT", "/api/v4/user/privacy", "social", "Change privacy settings", Token, typed::<Privacy>(), (200, Json("Privacy")), &[]),
    r("GET", "/api/v4/user/preferences", "social", "One's preferences", Token, None, (200, Json("Object")), &[]),
    r("PUT", "/api/v4/user/preferences", "social", "Replace one's preferences", Token, json_document::<Preferences>(), (200, Json("Object")), &[]),
    r("GET", "/api/v4/user/status", "social", "One's status", Token, None, (200, Json("UserStatusView")), &[]),
    r("PUT", "/api/v4/user/status", "social", "Set one's status (fields left out are unset)", Token, typed::<SetStatus>(), (200, Json("UserStatusView")), &[]),
    r("PATCH", "/api/v4/user/status", "social", "Change the given fields of one's status", Token, typed::<SetStatus>(), (200, Json("UserStatusView")), &[]),
    r("GET", "/api/v4/users/{id}/status", "social", "A user's status (id or user name)", Optional, None, (200, Json("UserStatusView")), &[]),
    r("PUT", "/api/v4/user/avatar", "social", "Upload an avatar", Token, typed_multipart::<NewAvatar>(), (200, Json("AvatarUrl")), &[]),
    r("DELETE", "/api/v4/user/avatar", "social", "Remove one's avatar", Token, None, (204, Empty), &[]),
    r("GET", "/uploads/avatars/{name}", "social", "An avatar image", Public, None, (200, Image), &[304]),
    r("POST", "/api/v4/users/{id}/follow", "social", "Follow a user", Token, None, (201, Json("UserBasic")), &[304, 400]),
    r("POST", "/api/v4/users/{id}/unfollow", "social", "Stop following a user", Token, None, (201, Json("UserBasic")), &[304, 400]),
    r("GET", "/api/v4/users/{id}/followers", "social", "A user's followers", Optional, typed::<PageQuery>(), (200, List("UserBasic")), &[403]),
    r("GET", "/api/v4/users/{id}/following", "social", "Whom a user follows", Optional, typed::<PageQuery>(), (200, List("UserBasic")), &[403]),
    r("GET", "/api/v4/user/emails", "emails", "One's secondary addresses", Token, None, (200, List("EmailView")), &[]),
    r("POST", "/api/v4/user/emails", "emails", "Add an address", Token, typed::<EmailRequest>(), (201, Json("EmailView")), &[429]),
    r("GET", "/api/v4/user/emails/{email_id}", "emails", "One of one's addresses", Token, None, (200, Json("EmailView")), &[]),
    r("DELETE", "/api/v4/user/emails/{email_id}", "emails", "Delete an address (idempotent)", Token, None, (204, Empty), &[]),
    r("GET", "/api/v4/users/{id}/emails", "emails", "A user's secondary addresses", Admin, None, (200, List("EmailView")), &[]),
    r("POST", "/api/v4/users/{id}/emails", "emails", "Add an address to a user", Admin, typed::<AdminEmailRequest>(), (201, Json("EmailView")), &[]),
    r("DELETE", "/api/v4/users/{id}/emails/{email_id}", "emails", "Delete a user's address", Admin, None, (204, Empty), &[]),
    r("GET", "/api/v4/user/keys", "keys", "One's SSH keys", Token, None, (200, List("KeyView")), &[]),
    r("POST", "/api/v4/user/keys", "keys", "Add an SSH key", Token, typed::<AddKey>(), (201, Json("KeyView")), &[]),
    r("GET", "/api/v4/user/keys/{key_id}", "keys", "One of one's keys", Token, None, (200, Json("KeyView")), &[]),
    r("DELETE", "/api/v4/user/keys/{key_id}", "keys", "Delete one of one's keys", Token, None, (204, Empty), &[]),
    r("GET", "/api/v4/users/{id}/keys", "keys", "A user's keys (id or user name)", Optional, None, (200, List("KeyView")), &[403]),
    r("POST", "/api/v4/users/{id}/keys", "keys", "Add a key to a user", Admin, typed::<AddKey>(), (201, Json("KeyView")), &[]),
    r("GET", "/api/v4/users/{id}/keys/{key_id}", "keys", "One of a user's keys", Optional, None, (200, Json("KeyView")), &[403]),
    r("DELETE", "/api/v4/users/{id}/keys/{key_id}", "keys", "Delete a user's key", Admin, None, (204, Empty), &[]),
    r("GET", "/api/v4/user/gpg_keys", "keys", "One's GPG keys", Token, None, (200, List("GpgKeyView")), &[]),
    r("POST", "/api/v4/user/gpg_keys", "keys", "Add a GPG key (armored public key)", Token, typed::<AddGpgKey>(), (201, Json("GpgKeyView")), &[]),
    r("GET", "/api/v4/user/gpg_keys/{key_id}", "keys", "One of one's GPG keys", Token, None, (200, Json("GpgKeyView")), &[]),
    r("DELETE", "/api/v4/user/gpg_keys/{key_id}", "keys", "Delete one of one's GPG keys", Token, None, (204, Empty), &[]),
    r("POST", "/api/v4/user/gpg_keys/{key_id}/revoke", "keys", "Revoke one of one's GPG keys", Token, None, (202, Json("Message")), &[]),
    r("GET", "/api/v4/users/{id}/gpg_keys", "keys", "A user's GPG keys (as the profile's privacy allows)", Optional, None, (200, List("GpgKeyView")), &[403]),
    r("POST", "/api/v4/users/{id}/gpg_keys", "keys", "Add a GPG key for a user", Admin, typed::<AddGpgKey>(), (201, Json("GpgKeyView")), &[]),
    r("GET", "/api/v4/users/{id}/gpg_keys/{key_id}", "keys", "One of a user's GPG keys", Optional, None, (200, Json("GpgKeyView")), &[403]),
    r("DELETE", "/api/v4/users/{id}/gpg_keys/{key_id}", "keys", "Delete a user's GPG key", Admin, None, (204, Empty), &[]),
    r("POST", "/api/v4/users/{id}/gpg_keys/{key_id}/revoke", "keys", "Revoke a user's GPG key", Admin, None, (202, Json("Message")), &[]),
    r("GET", "/api/v4/keys", "keys", "The key with a fingerprint (`fingerprint` query parameter)", Admin, typed::<KeyLookup>(), (200, Json("KeyView")), &[400, 404]),
    r("GET", "/api/v4/keys/{id}", "keys", "A key with its user", Admin, None, (200, Json("KeyView")), &[]),
    r("GET", "/api/v4/audit_events", "audit", "Security events", Admin, typed::<AuditQuery>(), (200, List("AuditEventView")), &[400]),
    r("GET", "/api/v4/user/audit_events", "audit", "Security events about the caller", Token, typed::<AuditQuery>(), (200, List("AuditEventView")), &[400]),
    r("GET", "/api/v4/groups", "groups", "List groups", Optional, typed::<GroupListQuery>(), (200, List("GroupView")), &[400, 405]),
    r("POST", "/api/v4/groups", "groups", "Create a group (the caller becomes its Owner)", Token, typed_multipart::<CreateGroup>(), (201, Json("GroupView")), &[403, 404]),
    r("GET", "/api/v4/groups/{id}", "groups", "One group (id or URL-encoded full path)", Optional, None, (200, Json("GroupView")), &[]),
    r("PUT", "/api/v4/groups/{id}", "groups", "Change a group (Owners)", Token, typed_multipart::<UpdateGroup>(), (200, Json("GroupView")), &[403]),
    r("DELETE", "/api/v4/groups/{id}", "groups", "Delete a group with its subgroups (Owners)", Token, None, (202, Json("Message")), &[403]),
    r("GET", "/api/v4/groups/{id}/subgroups", "groups", "A group's direct subgroups", Optional, typed::<GroupListQuery>(), (200, List("GroupView")), &[400, 405]),
    r("GET", "/api/v4/groups/{id}/descendant_groups", "groups", "Every group below a group", Optional, typed::<GroupListQuery>(), (200, List("GroupView")), &[400, 405]),
    r("GET", "/api/v4/groups/{id}/members", "groups", "A group's direct members", Optional, typed::<MemberListQuery>(), (200, List("MemberView")), &[400]),
    r("POST", "/api/v4/groups/{id}/members", "groups", "Add a member (Owners; Maintainers up to their level)", Token, typed::<AddMember>(), (201, Json("MemberView")), &[403, 409]),
    r("GET", "/api/v4/groups/{id}/members/all", "groups", "Direct and inherited members, each at its highest level", Optional, typed::<MemberListQuery>(), (200, List("MemberView")), &[400]),
    r("GET", "/api/v4/groups/{id}/members/all/{user_id}", "groups", "One direct or inherited member", Optional, None, (200, Json("MemberView")), &[]),
    r("GET", "/api/v4/groups/{id}/members/{user_id}", "groups", "One direct member", Optional, None, (200, Json("MemberView")), &[]),
    r("PUT", "/api/v4/groups/{id}/members/{user_id}", "groups", "Change a member's level or expiry", Token, typed::<UpdateMember>(), (200, Json("MemberView")), &[403]),
    r("DELETE", "/api/v4/groups/{id}/members/{user_id}", "groups", "Remove a member (or leave)", Token, None, (204, Empty), &[403]),
    r("GET", "/api/v4/groups/{id}/invitations", "groups", "Pending invitations (Maintainers, Owners)", Token, typed::<InvitationListQuery>(), (200, List("InvitationView")), &[400, 403]),
    r("POST", "/api/v4/groups/{id}/invitations", "groups", "Invite addresses by mail", Token, typed::<Invite>(), (201, Json("InvitationOutcome")), &[403]),
    r("PUT", "/api/v4/groups/{id}/invitations/{email}", "groups", "Change an invitation", Token, typed::<UpdateInvitation>(), (200, Json("InvitationView")), &[403]),
    r("DELETE", "/api/v4/groups/{id}/invitations/{email}", "groups", "Cancel an invitation", Token, None, (204, Empty), &[403]),
    r("POST", "/api/v4/invitations/accept", "groups", "Accept an invitation sent to one of one's confirmed addresses", Token, typed::<AcceptInvitation>(), (200, Json("MemberView")), &[403, 404, 409]),
    r("GET", "/api/v4/users/{id}/memberships", "groups", "A user's group memberships (the user, admins)", Token, typed::<PageQuery>(), (200, List("MembershipView")), &[400, 403]),
    r("GET", "/api/v4/users/{id}/associations_count", "groups", "How many groups (and, always 0, projects, issues, merge requests) a user has (the user, admins)", Token, None, (200, Json("Object")), &[403]),
    r("GET", "/api/v4/groups/{id}/access_tokens", "groups", "A group's access tokens (Owners)", Token, None, (200, List("GroupTokenView")), &[403]),
    r("POST", "/api/v4/groups/{id}/access_tokens", "groups", "Create a group access token and its bot member (Owners)", Token, typed::<CreateGroupToken>(), (201, Json("GroupTokenView")), &[403]),
    r("GET", "/api/v4/groups/{id}/access_tokens/{token_id}", "groups", "One group access token (Owners)", Token, None, (200, Json("GroupTokenView")), &[403]),
    r("DELETE", "/api/v4/groups/{id}/access_tokens/{token_id}", "groups", "Revoke a group access token (Owners)", Token, None, (204, Empty), &[403]),
    r("POST", "/api/v4/applications", "applications", "Register an OAuth application (the secret is shown once)", Admin, typed::<CreateApplication>(), (201, Json("ApplicationView")), &[]),
    r("GET", "/api/v4/applications", "applications", "OAuth applications", Admin, None, (200, List("ApplicationView")), &[]),
    r("DELETE", "/api/v4/applications/{id}", "applications", "Delete an application and revoke its tokens", Admin, None, (204, Empty), &[]),
    r("GET", "/api/v4/avatar", "users", "The avatar of the user with this public e-mail address (GitLab's)", Public, typed::<AvatarQuery>(), (200, Json("Object")), &[]),
    r("GET", "/api/v4/user/sessions", "sessions", "The sessions the user has open (OAuth token families and browser sessions)", Token, None, (200, List("SessionView")), &[]),
    r("DELETE", "/api/v4/user/sessions", "sessions", "End every session but the one in use", Token, None, (204, Empty), &[]),
    r("DELETE", "/api/v4/user/sessions/{id}", "sessions", "End one session", Token, None, (204, Empty), &[]),
    r("GET", "/api/v4/users/{id}/sessions", "sessions", "A user's open sessions", Admin, None, (200, List("SessionView")), &[]),
    r("DELETE", "/api/v4/users/{id}/sessions", "sessions", "End every session of a user", Admin, None, (204, Empty), &[]),
    r("GET", "/api/v4/user/authorized_applications", "applications", "The applications the user authorized", Token, None, (200, List("AuthorizedApplicationView")), &[]),
    r("DELETE", "/api/v4/user/authorized_applications/{id}", "applications", "Withdraw an authorization and revoke its tokens", Token, None, (204, Empty), &[]),
    r("POST", "/api/v4/applications/{id}/renew-secret", "applications", "Give an application a new secret", Admin, None, (201, Json("ApplicationView")), &[]),
    r("POST", "/api/v4/user/two_factor/totp", "two-factor", "Begin TOTP enrolment: the seed and otpauth URI, active once confirmed", Token, typed::<TotpEnrolment>(), (201, Json("TotpEnrolmentView")), &[]),
    r("POST", "/api/v4/user/two_factor/totp/confirm", "two-factor", "Confirm TOTP with a first code; the recovery codes, shown once", Token, typed::<TotpConfirmation>(), (200, Json("RecoveryCodesView")), &[]),
    r("POST", "/api/v4/user/two_factor/recovery_codes", "two-factor", "New recovery codes (the old ones stop working)", Token, typed::<RecoveryCodesRequest>(), (200, Json("RecoveryCodesView")), &[]),
    r("DELETE", "/api/v4/user/two_factor", "two-factor", "Turn two-factor authentication off (password, and a code when TOTP is on)", Token, typed::<DisableTwoFactor>(), (204, Empty), &[]),
    r("PATCH", "/api/v4/users/{id}/disable_two_factor", "two-factor", "Turn a user's two-factor authentication off (not an admin's)", Admin, None, (204, Empty), &[400]),
    r("POST", "/api/v4/user/webauthn/registrations/options", "two-factor", "Options for registering a WebAuthn credential ({\"publicKey\": …})", Token, None, (200, Json("Object")), &[400]),
    r("POST", "/api/v4/user/webauthn/registrations", "two-factor", "Register a WebAuthn credential (the authenticator's answer)", Token, typed::<WebauthnRegistration>(), (201, Json("WebauthnRegistrationView")), &[]),
    r("GET", "/api/v4/user/webauthn/registrations", "two-factor", "The user's WebAuthn credentials", Token, None, (200, List("WebauthnRegistrationView")), &[]),
    r("DELETE", "/api/v4/user/webauthn/registrations/{id}", "two-factor", "Delete a WebAuthn credential (with the password)", Token, typed::<CurrentPassword>(), (204, Empty), &[]),
    r("POST", "/oauth/mfa/webauthn/options", "oauth", "WebAuthn request options for the sign-in of an mfa_token", Public, typed::<MfaOptionsRequest>(), (200, Json("Object")), &[429]),
    r("GET", "/{username}.keys", "keys", "authorized_keys lines for a user", Optional, None, (200, Text), &[403, 404]),
    r("GET", "/{username}.gpg", "keys", "A user's GPG keys, armored, one after another", Optional, None, (200, Text), &[403, 404]),
];

/// The input the route table declares for `method` at `path` (a route
/// pattern).
pub fn request_of(method: &str, path: &str) -> Option<RequestSpec> {
    ROUTES
        .iter()
        .find(|r| r.method == method && r.path == path)
        .and_then(|r| r.request)
}

/// `{"message": "404 User Not Found"}` and the other plain errors.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorMessage {
    message: String,
}

/// `{"message": {"field": ["reason"]}}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ValidationError {
    message: BTreeMap<String, Vec<String>>,
}

/// `{"error": "email is missing"}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ParamError {
    error: String,
}

/// RFC 6749 errors.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct OAuthError {
    error: String,
    error_description: String,
}

fn json_ref(name: &str) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    match name {
        "Object" => ObjectBuilder::new().schema_type(Type::Object).into(),
        "Changed" => ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Boolean, Type::Null]))
            .description(Some(
                "`true` when the state changed, `null` when it already was so",
            ))
            .into(),
        other => Ref::from_schema_name(other).into(),
    }
}

fn body_content(
    body: Body,
) -> Option<(
    &'static str,
    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
)> {
    match body {
        Json(name) => Some(("application/json", json_ref(name))),
        List(name) => Some((
            "application/json",
            ArrayBuilder::new().items(json_ref(name)).into(),
        )),
        Empty => None,
        Text => Some((
            "text/plain",
            ObjectBuilder::new().schema_type(Type::String).into(),
        )),
        Html => Some(("text/html", ObjectBuilder::new().schema_type(Type::String).into())),
        Stylesheet => Some(("text/css", ObjectBuilder::new().schema_type(Type::String).into())),
        Script => Some((
            "text/javascript",
            ObjectBuilder::new().schema_type(Type::String).into(),
        )),
        Image => Some((
            "image/*",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(utoipa::openapi::SchemaFormat::Custom("binary".into())))
                .into(),
        )),
    }
}

fn error_schema(route: &Route, status: u16) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    match status {
        // The password was right; a second factor is awaited (§11).
        403 if route.path == "/oauth/token" => utoipa::openapi::schema::OneOfBuilder::new()
            .item(Ref::from_schema_name("MfaRequiredError"))
            .item(Ref::from_schema_name("OAuthError"))
            .into(),
        // A failed client authentication (RFC 6749 §5.2).
        // RFC 6749 §5.2, RFC 6750 §3.1 and RFC 7662 answer the OAuth way.
        401 | 403
            if matches!(
                route.path,
                "/oauth/token" | "/oauth/userinfo" | "/oauth/introspect" | "/oauth/authorize_device"
            ) =>
        {
            Ref::from_schema_name("OAuthError").into()
        }
        400 if route.path.starts_with("/oauth") => utoipa::openapi::schema::OneOfBuilder::new()
            .item(Ref::from_schema_name("OAuthError"))
            .item(Ref::from_schema_name("ErrorMessage"))
            .into(),
        400 => utoipa::openapi::schema::OneOfBuilder::new()
            .item(Ref::from_schema_name("ValidationError"))
            .item(Ref::from_schema_name("ParamError"))
            .item(Ref::from_schema_name("ErrorMessage"))
            .into(),
        // An insufficient scope is told the OAuth way.
        403 if route.access != Public => utoipa::openapi::schema::OneOfBuilder::new()
            .item(Ref::from_schema_name("ErrorMessage"))
            .item(Ref::from_schema_name("OAuthError"))
            .into(),
        _ => Ref::from_schema_name("ErrorMessage").into(),
    }
}

fn error_statuses(route: &Route) -> Vec<u16> {
    let mut statuses: Vec<u16> = route.errors.to_vec();
    match route.access {
        Public => {}
        Optional => statuses.push(401),
        Token | Admin => statuses.extend([401, 403]),
    }
    if route.path.contains('{') {
        statuses.push(404);
    }
    match (route.request, route.method) {
        (None, _) => {}
        (Some(_), "GET") => statuses.push(400),
        (Some(_), _) => statuses.extend([400, 413, 415]),
    }
    statuses.retain(|s| *s != route.ok.0);
    statuses.sort_unstable();
    statuses.dedup();
    statuses
}

fn method_of(name: &str) -> HttpMethod {
    match name {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "PATCH" => HttpMethod::Patch,
        _ => HttpMethod::Delete,
    }
}

fn status_text(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad request: invalid or missing parameters",
        401 => "No token, or an unknown, revoked or expired one",
        403 => "Not allowed",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Already taken",
        413 => "Body too large",
        415 => "Unsupported content type",
        429 => "Too many requests; Retry-After says how many seconds to wait",
        503 => "Unavailable",
        _ => "Answer",
    }
}

fn operation(route: &Route) -> utoipa::openapi::path::Operation {
    let mut op = OperationBuilder::new()
        .summary(Some(route.summary))
        .operation_id(Some(format!("{} {}", route.method, route.path)))
        .tag(route.tag);
    for segment in route.path.split('/') {
        for part in segment.split('{').skip(1) {
            let name = part.split('}').next().unwrap_or_default();
            let schema = if name.ends_with("id") && name != "id_or_username" {
                ObjectBuilder::new().schema_type(Type::Integer)
            } else {
                ObjectBuilder::new().schema_type(Type::String)
            };
            let schema = if route.path.starts_with("/api/v4/users/{id}/keys")
                || route.path == "/api/v4/users/{id}/status"
                || (route.path.starts_with("/api/v4/personal_access_tokens/{id}") && name == "id")
            {
                // A user name or `self` is accepted there too.
                ObjectBuilder::new().schema_type(Type::String)
            } else if route.path.starts_with("/api/v4/groups/{id}") && name == "id" {
                ObjectBuilder::new().schema_type(Type::String).description(Some(
                    "The group's id, or its full path URL-encoded (`acme%2Fplatform`)",
                ))
            } else if name == "email" {
                ObjectBuilder::new().schema_type(Type::String).format(Some(
                    utoipa::openapi::schema::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Email),
                ))
            } else if name == "key" {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"^[A-Za-z0-9_.:-]{1,255}$"))
            } else {
                schema
            };
            op = op.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(schema)),
            );
        }
    }
    if let Some(request) = route.request.filter(|_| route.method == "GET") {
        // A `GET` takes its input from the query: one parameter a property.
        op = query_parameters(op, (request.schema)());
    } else if let Some((request, batch)) = route.request.and_then(|r| Some((r, r.batch?))) {
        // A batch: a JSON array of the input, its options in the query.
        op = query_parameters(op, (batch.options)());
        let items = ArrayBuilder::new()
            .items(Ref::from_schema_name((request.name)()))
            .min_items(Some(1))
            .max_items(Some(batch.max_items));
        let body = RequestBodyBuilder::new()
            .content(
                "application/json",
                ContentBuilder::new().schema(Some(items)).build(),
            )
            .required(Some(Required::True));
        op = op.request_body(Some(body.build()));
    } else if let Some(request) = route.request {
        let schema: RefOr<utoipa::openapi::schema::Schema> = Ref::from_schema_name((request.name)()).into();
        let media_types: &[&str] = match request.encoding {
            Encoding::Form => &["application/json", "application/x-www-form-urlencoded"],
            Encoding::Multipart => &[
                "application/json",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ],
            Encoding::JsonDocument | Encoding::JsonArray => &["application/json"],
        };
        // A form has no null: its fields are given or not (`FooForm`).
        let form_schema: RefOr<utoipa::openapi::schema::Schema> =
            Ref::from_schema_name(format!("{}Form", (request.name)())).into();
        let mut body = RequestBodyBuilder::new();
        for media_type in media_types {
            let schema = if *media_type == "application/json" {
                schema.clone()
            } else {
                form_schema.clone()
            };
            body = body.content(*media_type, ContentBuilder::new().schema(Some(schema)).build());
        }
        op = op.request_body(Some(body.required(Some(Required::True)).build()));
    }
    let (status, body) = route.ok;
    let mut ok = ResponseBuilder::new().description(status_text(status));
    if let Some((mime, schema)) = body_content(body) {
        ok = ok.content(mime, ContentBuilder::new().schema(Some(schema)).build());
    }
    op = op.response(status.to_string(), ok.build());
    for error in error_statuses(route) {
        let mut response = ResponseBuilder::new().description(status_text(error));
        if (300..400).contains(&error) {
            // A redirect: its `Location` is the answer.
        } else if route.ok.1 == Html || route.tag == "pages" {
            // The pages answer every failure with a page too.
            let page = body_content(Html).map(|(_, schema)| schema);
            response = response.content("text/html", ContentBuilder::new().schema(page).build());
        } else if error != 304 {
            response = response.content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(error_schema(route, error)))
                    .build(),
            );
        }
        op = op.response(error.to_string(), response.build());
    }
    match route.access {
        Public => {}
        Optional => {
            op = op.securities(Some([
                SecurityRequirement::default(),
                SecurityRequirement::new("bearer", Vec::<String>::new()),
                SecurityRequirement::new("private_token", Vec::<String>::new()),
            ]));
        }
        Token | Admin => {
            op = op.securities(Some([
                SecurityRequirement::new("bearer", Vec::<String>::new()),
                SecurityRequirement::new("private_token", Vec::<String>::new()),
            ]));
        }
    }
    op.build()
}

/// One query parameter for each property of an input's schema.
fn query_parameters(mut op: OperationBuilder, schema: RefOr<Schema>) -> OperationBuilder {
    let required = crate::http::input::required_of(&schema);
    if let RefOr::T(utoipa::openapi::schema::Schema::Object(object)) = schema {
        for (name, property) in object.properties {
            let is_required = if required.contains(&name) {
                Required::True
            } else {
                Required::False
            };
            // An object (`custom_attributes[key]=value`) is a deepObject.
            let is_object = matches!(&property, RefOr::T(utoipa::openapi::schema::Schema::Object(o))
                if o.additional_properties.is_some());
            // A query has no null: a parameter is given or left out.
            let mut parameter = ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(is_required)
                .schema(Some(not_null(property)));
            if is_object {
                parameter = parameter
                    .style(Some(utoipa::openapi::path::ParameterStyle::DeepObject))
                    .explode(Some(true));
            }
            op = op.parameter(parameter);
        }
    }
    op
}

/// The schemas of every route's input that is sent as a body, by name.
fn request_schemas() -> BTreeMap<String, RefOr<utoipa::openapi::schema::Schema>> {
    let mut schemas = BTreeMap::new();
    for spec in ROUTES.iter().filter_map(|r| r.request) {
        let mut dependencies = Vec::new();
        (spec.dependencies)(&mut dependencies);
        schemas.extend(dependencies);
    }
    for spec in ROUTES
        .iter()
        .filter(|r| r.method != "GET")
        .filter_map(|r| r.request)
    {
        let name = (spec.name)().into_owned();
        if !matches!(spec.encoding, Encoding::JsonDocument | Encoding::JsonArray) {
            schemas.insert(format!("{name}Form"), form_fields((spec.schema)()));
        }
        schemas.insert(name, (spec.schema)());
    }
    schemas
}

/// The schema of an input sent as a form: the same fields, none nullable
/// (a form cannot say null; a field is given or left out).
fn form_fields(schema: RefOr<Schema>) -> RefOr<Schema> {
    let RefOr::T(Schema::Object(mut object)) = schema else {
        return schema;
    };
    for property in object.properties.values_mut() {
        *property = not_null(property.clone());
    }
    RefOr::T(Schema::Object(object))
}

/// A property's schema without its `null`.
fn not_null(schema: RefOr<Schema>) -> RefOr<Schema> {
    match schema {
        RefOr::T(Schema::Object(mut object)) => {
            if let SchemaType::Array(types) = &object.schema_type {
                let kept: Vec<Type> = types.iter().filter(|t| **t != Type::Null).cloned().collect();
                object.schema_type = match kept.as_slice() {
                    [one] => SchemaType::Type(one.clone()),
                    _ => SchemaType::Array(kept),
                };
            }
            if let Some(values) = &mut object.enum_values {
                values.retain(|v| !v.is_null());
            }
            RefOr::T(Schema::Object(object))
        }
        RefOr::T(Schema::OneOf(one_of)) => {
            let mut kept: Vec<RefOr<Schema>> = one_of
                .items
                .into_iter()
                .filter(|item| !is_null_type(item))
                .collect();
            if kept.len() == 1 {
                kept.remove(0)
            } else {
                let mut builder = utoipa::openapi::schema::OneOfBuilder::new();
                for item in kept {
                    builder = builder.item(item);
                }
                builder.into()
            }
        }
        other => other,
    }
}

fn is_null_type(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
}

/// The OpenAPI document.
pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    for route in ROUTES {
        paths = paths.path(
            route.path,
            PathItem::new(method_of(route.method), operation(route)),
        );
    }
    let components = ComponentsBuilder::new()
        .schema_from::<views::UserBasic>()
        .schema_from::<views::UserRestricted>()
        .schema_from::<views::UserPublic>()
        .schema_from::<views::UserOwn>()
        .schema_from::<views::UserAdmin>()
        // The views overlap (each adds fields to the one before), so a value
        // matches every view below its own: any of them, not exactly one.
        .schema(
            "UserView",
            utoipa::openapi::schema::AnyOfBuilder::new()
                .item(Ref::from_schema_name("UserRestricted"))
                .item(Ref::from_schema_name("UserPublic"))
                .item(Ref::from_schema_name("UserOwn"))
                .item(Ref::from_schema_name("UserAdmin")),
        )
        .schema_from::<views::IdentityView>()
        .schema_from::<views::CustomAttributeView>()
        .schema_from::<views::PatView>()
        .schema_from::<views::ServiceAccountView>()
        .schema_from::<views::GpgKeyView>()
        .schema_from::<views::OAuthTokenView>()
        .schema_from::<views::KeyView>()
        .schema_from::<views::EmailView>()
        .schema_from::<views::AuditEventView>()
        .schema_from::<views::UserStatusView>()
        .schema_from::<ErrorMessage>()
        .schema_from::<ValidationError>()
        .schema_from::<ParamError>()
        .schema_from::<OAuthError>()
        .schema_from::<views::AvatarUrl>()
        .schema_from::<views::Message>()
        .schema_from::<views::Status>()
        .schema_from::<views::TokenInfo>()
        .schema_from::<views::applications::ApplicationView>()
        .schema_from::<views::applications::AuthorizedApplicationView>()
        .schema_from::<views::applications::AuthorizedApplicationName>()
        .schema_from::<crate::services::user_sessions::SessionView>()
        .schema_from::<crate::services::user_sessions::SessionApplication>()
        .schema_from::<views::groups::GroupView>()
        .schema_from::<views::groups::MemberView>()
        .schema_from::<views::groups::MembershipView>()
        .schema_from::<views::groups::InvitationView>()
        .schema_from::<views::groups::InvitationOutcome>()
        .schema_from::<views::groups::GroupTokenView>()
        .schema_from::<views::import::ImportResult>()
        .schema_from::<views::hooks::HookView>()
        .schema_from::<views::hooks::DeliveryView>()
        .schema_from::<views::hooks::TestEvent>()
        .schema_from::<views::import::ImportStatus>()
        .schema_from::<views::two_factor::TotpEnrolmentView>()
        .schema_from::<views::two_factor::RecoveryCodesView>()
        .schema_from::<views::two_factor::MfaRequiredError>()
        .schema_from::<views::two_factor::WebauthnRegistrationView>()
        .schemas_from_iter(request_schemas())
        .security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        )
        .security_scheme(
            "private_token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("PRIVATE-TOKEN"))),
        )
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Roster")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "A self-hosted users service with GitLab's v4 Users API conventions.",
                )),
        )
        .paths(paths.build())
        .components(Some(components))
        .build()
}
