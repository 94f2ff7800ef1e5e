//! Inputs of the lists: paging, and the filters of users, tokens and
//! security events. Problems with a query are answered as GitLab does:
//! `400 {"error": "<name> is invalid"}` for the first bad parameter.
use crate::http::error::ApiError;
use crate::http::input::RequestInput;
use crate::http::pagination::{decode_cursor, Paging, DEFAULT_PER_PAGE, MAX_PER_PAGE};
use crate::http::params::Fields;
use chrono::NaiveDateTime;
use roster_domain::{FieldError, Problem};
use roster_persistence::user_list::UserOrder;
use roster_persistence::PageRequest;
use utoipa::ToSchema;

/// Grape's words for a value outside a parameter's list.
pub(crate) const NOT_A_VALID_VALUE: &str = "does not have a valid value";

/// A value outside `field`'s list of values.
pub(crate) fn not_a_valid_value(field: &'static str) -> FieldError {
    FieldError::new(field, Problem::InvalidBecause(NOT_A_VALID_VALUE))
}

/// GitLab's answer to a bad query, about its first bad parameter: "x does
/// not have a valid value" for a value outside a list, else "x is invalid".
pub fn query_refusal(problem: ApiError) -> ApiError {
    match problem {
        ApiError::Validation(fields) => match fields.into_iter().next() {
            Some((name, reasons)) if reasons.iter().any(|r| r == NOT_A_VALID_VALUE) => {
                ApiError::Param(format!("{name} {NOT_A_VALID_VALUE}"))
            }
            Some((name, _)) => ApiError::InvalidParam(name),
            None => ApiError::InvalidParam(String::new()),
        },
        other => other,
    }
}

/// Offset pagination only.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum OffsetOnly {
    offset,
}

/// Offset or keyset pagination.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum PaginationKind {
    offset,
    keyset,
}

/// The page of an offset-paginated list.
#[derive(ToSchema)]
pub struct Page {
    /// The page, from 1 (lower numbers read as 1).
    #[schema(value_type = Option<i64>)]
    pub page: i64,
    /// Rows a page, 1 to 100 (default 20; other numbers are brought
    /// within).
    #[schema(value_type = Option<i64>)]
    pub per_page: i64,
    /// Only `offset` here; `keyset` is answered `405`.
    #[schema(value_type = Option<OffsetOnly>)]
    pub pagination: Option<String>,
}

impl Page {
    fn read_parts(f: &mut Fields<'_>) -> (i64, i64, Option<String>) {
        let page = f.clamped_integer("page", 1..=i64::MAX).unwrap_or(1);
        let per_page = f
            .clamped_integer("per_page", 1..=MAX_PER_PAGE)
            .unwrap_or(DEFAULT_PER_PAGE);
        let pagination = f.optional("pagination", |v| match v.trim() {
            "offset" | "keyset" => Ok(v.trim().to_owned()),
            _ => Err(FieldError::new("pagination", Problem::Invalid)),
        });
        (page, per_page, pagination)
    }

    /// Reads the paging parameters; the problems are recorded in `f`.
    pub fn read(f: &mut Fields<'_>) -> Self {
        let (page, per_page, pagination) = Self::read_parts(f);
        Self {
            page,
            per_page,
            pagination,
        }
    }

    /// The page and its size; `405` when keyset pagination was asked for.
    pub fn offset(&self) -> Result<(i64, i64), ApiError> {
        if self.pagination.as_deref() == Some("keyset") {
            return Err(ApiError::MethodNotAllowedKeyset);
        }
        Ok((self.page, self.per_page))
    }

    /// The paging of the answer's headers.
    pub fn paging(&self) -> Result<Paging, ApiError> {
        let (page, per_page) = self.offset()?;
        Ok(Paging {
            request: PageRequest::Offset { page, per_page },
        })
    }
}

/// The page of a list that also takes keyset pagination (by id).
#[derive(ToSchema)]
pub struct KeysetPage {
    /// The page, from 1 (offset pagination).
    #[schema(value_type = Option<i64>)]
    pub page: i64,
    /// Rows a page, 1 to 100 (default 20; other numbers are brought
    /// within).
    #[schema(value_type = Option<i64>)]
    pub per_page: i64,
    /// `keyset` pages by id (with `order_by=id`), following `cursor`.
    #[schema(value_type = Option<PaginationKind>)]
    pub pagination: Option<String>,
    /// Where the next keyset page starts: the `cursor` of the previous
    /// answer's `Link` header.
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,18}$")]
    pub cursor: Option<i64>,
}

impl KeysetPage {
    /// Reads the paging parameters; the problems are recorded in `f`.
    pub fn read(f: &mut Fields<'_>) -> Self {
        let (page, per_page, pagination) = Page::read_parts(f);
        let cursor = f.optional("cursor", |v| {
            decode_cursor(v).ok_or_else(|| FieldError::new("cursor", Problem::Invalid))
        });
        Self {
            page,
            per_page,
            pagination,
            cursor,
        }
    }

    /// What to ask storage for; `405` for keyset pagination of a list not
    /// ordered by id.
    pub fn paging(&self, ordered_by_id: bool) -> Result<Paging, ApiError> {
        let request = match self.pagination.as_deref() {
            Some("keyset") if !ordered_by_id => return Err(ApiError::MethodNotAllowedKeyset),
            Some("keyset") => PageRequest::Keyset {
                after: self.cursor,
                per_page: self.per_page,
            },
            _ => PageRequest::Offset {
                page: self.page,
                per_page: self.per_page,
            },
        };
        Ok(Paging { request })
    }
}

/// A list with offset pagination and no filter.
pub struct PageQuery(pub Page);

crate::input_made_of!(PageQuery, "The page of a list.", [Page]);

impl RequestInput for PageQuery {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let page = Page::read(f);
        (!f.has_errors()).then_some(Self(page))
    }

    fn refused(problem: ApiError) -> ApiError {
        query_refusal(problem)
    }
}

/// A time: an RFC 3339 time, or a `YYYY-MM-DD` date (its midnight, UTC).
pub fn instant(name: &'static str) -> impl Fn(&str) -> Result<NaiveDateTime, FieldError> {
    move |v| roster_domain::parse_instant(v).ok_or_else(|| FieldError::new(name, Problem::Invalid))
}

/// `custom_attributes[key]=value` pairs: in a query every value is text,
/// so one that looks like a number is still the text it is.
fn attribute_filters() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, SchemaType, Type};
    let value =
        ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Number, Type::Boolean]));
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::RefOr(value.into())))
        .build()
}

/// A filter text of at most 255 characters.
fn short_text(name: &'static str) -> impl Fn(&str) -> Result<String, FieldError> {
    move |v| {
        if v.chars().count() > 255 {
            Err(FieldError::new(name, Problem::TooLong { max: 255 }))
        } else {
            Ok(v.to_owned())
        }
    }
}

/// An id filter.
fn id(f: &mut Fields<'_>, name: &str) -> Option<i64> {
    f.integer(name, 1..=i64::MAX)
}

/// What a security event is about.
#[derive(ToSchema, Clone, Copy)]
pub enum EntityType {
    /// A user.
    User,
    /// A group.
    Group,
    /// An OAuth application.
    Application,
}

impl EntityType {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "User",
            Self::Group => "Group",
            Self::Application => "Application",
        }
    }
}

/// The filters of the security events.
#[derive(ToSchema)]
pub struct AuditFilterFields {
    /// The kind of thing the events are about.
    pub entity_type: Option<EntityType>,
    /// The user (or group, with `entity_type=Group`) the events are about.
    #[schema(minimum = 1)]
    pub entity_id: Option<i64>,
    /// The user who acted.
    #[schema(minimum = 1)]
    pub author_id: Option<i64>,
    /// One kind of event, such as `user_created`.
    #[schema(max_length = 255)]
    pub event_name: Option<String>,
    /// Events at or after this time (RFC 3339, or a date).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created_after: Option<NaiveDateTime>,
    /// Events at or before this time (RFC 3339, or a date).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created_before: Option<NaiveDateTime>,
}

/// `GET /audit_events` and `GET /user/audit_events`.
pub struct AuditQuery {
    /// The filters.
    pub filter: AuditFilterFields,
    /// The page.
    pub page: Page,
}

crate::input_made_of!(
    AuditQuery,
    "Security events, newest first.",
    [AuditFilterFields, Page]
);

impl RequestInput for AuditQuery {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let filter = AuditFilterFields {
            entity_type: f.optional("entity_type", |v| match v.trim() {
                "User" => Ok(EntityType::User),
                "Group" => Ok(EntityType::Group),
                "Application" => Ok(EntityType::Application),
                _ => Err(not_a_valid_value("entity_type")),
            }),
            entity_id: id(f, "entity_id"),
            author_id: id(f, "author_id"),
            event_name: f.optional("event_name", short_text("event_name")),
            created_after: f.optional("created_after", instant("created_after")),
            created_before: f.optional("created_before", instant("created_before")),
        };
        let page = Page::read(f);
        (!f.has_errors()).then_some(Self { filter, page })
    }

    fn refused(problem: ApiError) -> ApiError {
        query_refusal(problem)
    }
}

/// Active or not, for token lists.
#[derive(ToSchema, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum TokenState {
    /// Not revoked and not expired.
    active,
    /// Revoked or expired.
    inactive,
}

/// The filters of the token lists (GitLab's).
#[derive(ToSchema)]
pub struct TokenFilterFields {
    /// Only this user's tokens (admins; others may name only themselves).
    #[schema(minimum = 1)]
    pub user_id: Option<i64>,
    /// Made at or after this time (RFC 3339, or a date).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created_after: Option<NaiveDateTime>,
    /// Made at or before this time.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created_before: Option<NaiveDateTime>,
    /// Last used at or after this time.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_after: Option<NaiveDateTime>,
    /// Last used at or before this time.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_before: Option<NaiveDateTime>,
    /// Only revoked tokens (`true`) or only tokens not revoked (`false`).
    pub revoked: Option<bool>,
    /// Names holding this text, whatever the case.
    #[schema(max_length = 255)]
    pub search: Option<String>,
    /// Only active or only inactive tokens.
    pub state: Option<TokenState>,
}

impl TokenFilterFields {
    fn read(f: &mut Fields<'_>) -> Self {
        Self {
            user_id: id(f, "user_id"),
            created_after: f.optional("created_after", instant("created_after")),
            created_before: f.optional("created_before", instant("created_before")),
            last_used_after: f.optional("last_used_after", instant("last_used_after")),
            last_used_before: f.optional("last_used_before", instant("last_used_before")),
            revoked: f.boolean("revoked"),
            search: f.optional("search", short_text("search")),
            state: f.optional("state", |v| match v.trim() {
                "active" => Ok(TokenState::active),
                "inactive" => Ok(TokenState::inactive),
                _ => Err(not_a_valid_value("state")),
            }),
        }
    }
}

/// `GET /personal_access_tokens`.
pub struct TokenListQuery {
    /// The filters.
    pub filter: TokenFilterFields,
    /// The page.
    pub page: Page,
}

crate::input_made_of!(
    TokenListQuery,
    "Personal access tokens, newest first.",
    [TokenFilterFields, Page]
);

impl RequestInput for TokenListQuery {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let filter = TokenFilterFields::read(f);
        let page = Page::read(f);
        (!f.has_errors()).then_some(Self { filter, page })
    }

    fn refused(problem: ApiError) -> ApiError {
        query_refusal(problem)
    }
}

/// The filter of `GET /users/:id/impersonation_tokens`.
#[derive(ToSchema)]
pub struct ImpersonationStateField {
    /// `all` (the default), `active` or `inactive`.
    #[schema(value_type = Option<String>, pattern = "^(all|active|inactive)$")]
    pub state: Option<TokenState>,
}

/// `GET /users/:id/impersonation_tokens`.
pub struct ImpersonationTokenQuery {
    /// Active, inactive, or all (`None`).
    pub state: Option<TokenState>,
    /// The page.
    pub page: Page,
}

crate::input_made_of!(
    ImpersonationTokenQuery,
    "A user's impersonation tokens, newest first.",
    [ImpersonationStateField, Page]
);

impl RequestInput for ImpersonationTokenQuery {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let state = f
            .optional("state", |v| match v.trim() {
                "all" => Ok(None),
                "active" => Ok(Some(TokenState::active)),
                "inactive" => Ok(Some(TokenState::inactive)),
                _ => Err(not_a_valid_value("state")),
            })
            .flatten();
        let page = Page::read(f);
        (!f.has_errors()).then_some(Self { state, page })
    }

    fn refused(problem: ApiError) -> ApiError {
        query_refusal(problem)
    }
}

/// Whether a user's answer includes their custom attributes (admins).
#[derive(ToSchema)]
pub struct UserQuery {
    /// Add `custom_attributes` to each user (admins only).
    pub with_custom_attributes: Option<bool>,
}

impl RequestInput for UserQuery {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let with_custom_attributes = f.boolean("with_custom_attributes");
        (!f.has_errors()).then_some(Self {
            with_custom_attributes,
        })
    }

    fn refused(problem: ApiError) -> ApiError {
        query_refusal(problem)
    }
}

/// How users can be ordered.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum UserOrderBy {
    id,
    name,
    username,
    created_at,
    updated_at,
    last_activity_on,
}

/// The values of the `two_factor` filter.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum TwoFactorFilter {
    enabled,
    disabled,
}

/// The direction of an order.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum SortDirection {
    asc,
    desc,
}

/// The filters and order of the user list. Some are for admins only and
/// are ignored for others, as in GitLab.
#[derive(ToSchema)]
pub struct UserFilterFields {
    /// Part of a user name, a name or (admins) an e-mail address.
    #[schema(max_length = 255)]
    pub search: Option<String>,
    /// Exactly this user name (any case).
    #[schema(max_length = 255)]
    pub username: Option<String>,
    /// Only active users.
    pub active: Option<bool>,
    /// Only blocked users.
    pub blocked: Option<bool>,
    /// Only external users (admins).
    pub external: Option<bool>,
    /// Only admins (admins).
    pub admins: Option<bool>,
    /// `enabled` or `disabled`: users with or without a second factor
    /// (admins).
    #[schema(value_type = Option<TwoFactorFilter>)]
    pub two_factor: Option<bool>,
    /// Users created at or after this time (RFC 3339, or a date).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created_after: Option<NaiveDateTime>,
    /// Users created at or before this time (RFC 3339, or a date).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created_before: Option<NaiveDateTime>,
    /// Users with an identity of this id (with `provider`: at that
    /// provider) (admins).
    #[schema(max_length = 255)]
    pub extern_uid: Option<String>,
    /// Users with an identity at this provider (admins).
    #[schema(max_length = 255)]
    pub provider: Option<String>,
    /// `custom_attributes[key]=value`: users with these attributes (admins).
    #[schema(schema_with = attribute_filters, required = false)]
    pub custom_attributes: Vec<(String, String)>,
    /// Add `custom_attributes` to each user (admins only).
    pub with_custom_attributes: Option<bool>,
    /// `id` unless told.
    #[schema(value_type = Option<UserOrderBy>)]
    pub order_by: UserOrder,
    /// `desc` unless told.
    #[schema(value_type = Option<SortDirection>)]
    pub sort: Option<String>,
}

/// `GET /users`.
pub struct UserListQuery {
    /// The filters and order.
    pub filter: UserFilterFields,
    /// The page.
    pub page: KeysetPage,
}

crate::input_made_of!(
    UserListQuery,
    "Users, filtered and ordered; keyset pagination when ordered by id.",
    [UserFilterFields, KeysetPage]
);

fn order_by(v: &str) -> Result<UserOrder, FieldError> {
    match v.trim() {
        "id" => Ok(UserOrder::Id),
        "name" => Ok(UserOrder::Name),
        "username" => Ok(UserOrder::Username),
        "created_at" => Ok(UserOrder::CreatedAt),
        "updated_at" => Ok(UserOrder::UpdatedAt),
        "last_activity_on" => Ok(UserOrder::LastActivityOn),
        _ => Err(not_a_valid_value("order_by")),
    }
}

impl RequestInput for UserListQuery {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let filter = UserFilterFields {
            search: f.optional("search", short_text("search")),
            username: f.optional("username", short_text("username")),
            active: f.boolean("active"),
            blocked: f.boolean("blocked"),
            external: f.boolean("external"),
            admins: f.boolean("admins"),
            two_factor: f.optional("two_factor", |v| match v.trim() {
                "enabled" => Ok(true),
                "disabled" => Ok(false),
                _ => Err(not_a_valid_value("two_factor")),
            }),
            created_after: f.optional("created_after", instant("created_after")),
            created_before: f.optional("created_before", instant("created_before")),
            extern_uid: f.optional("extern_uid", short_text("extern_uid")),
            provider: f.optional("provider", short_text("provider")),
            custom_attributes: f.bracketed("custom_attributes"),
            with_custom_attributes: f.boolean("with_custom_attributes"),
            order_by: f.optional("order_by", order_by).unwrap_or(UserOrder::Id),
            sort: f.optional("sort", |v| match v.trim() {
                "desc" => Ok("desc".to_owned()),
                "asc" => Ok("asc".to_owned()),
                _ => Err(not_a_valid_value("sort")),
            }),
        };
        let page = KeysetPage::read(f);
        (!f.has_errors()).then_some(Self { filter, page })
    }

    fn refused(problem: ApiError) -> ApiError {
        query_refusal(problem)
    }
}

impl UserFilterFields {
    /// Whether the order is descending.
    pub fn descending(&self) -> bool {
        self.sort.as_deref() != Some("asc")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::input::parse;
    use crate::http::params::Params;

    fn page_of(query: &str) -> Result<PageQuery, ApiError> {
        parse::<PageQuery>(&Params::from_query(query).unwrap()).map_err(PageQuery::refused)
    }

    #[test]
    fn pages_are_read_and_clamped() {
        let page = page_of("page=0&per_page=1000").unwrap().0;
        assert_eq!(page.offset().unwrap(), (1, 100));
        assert!(matches!(page_of("page=x"), Err(ApiError::InvalidParam(n)) if n == "page"));
        assert!(
            matches!(page_of("pagination=sideways"), Err(ApiError::InvalidParam(n)) if n == "pagination")
        );
        assert!(matches!(
            page_of("pagination=keyset").unwrap().0.offset(),
            Err(ApiError::MethodNotAllowedKeyset)
        ));
    }

    #[test]
    fn keyset_pages_follow_the_cursor() {
        let query = format!(
            "pagination=keyset&cursor={}",
            crate::http::pagination::encode_cursor(7)
        );
        let users = parse::<UserListQuery>(&Params::from_query(&query).unwrap()).unwrap();
        assert_eq!(
            users.page.paging(true).unwrap().request,
            PageRequest::Keyset {
                after: Some(7),
                per_page: 20
            }
        );
        assert!(matches!(
            users.page.paging(false),
            Err(ApiError::MethodNotAllowedKeyset)
        ));
        let bad = parse::<UserListQuery>(&Params::from_query("cursor=e30").unwrap())
            .map_err(UserListQuery::refused);
        assert!(matches!(bad, Err(ApiError::InvalidParam(n)) if n == "cursor"));
    }
}

/// `GET /avatar` (GitLab's): the avatar of the user whose public e-mail
/// address this is.
#[derive(utoipa::ToSchema)]
pub struct AvatarQuery {
    /// A public e-mail address.
    #[schema(min_length = 1)]
    pub email: String,
    /// The size wanted, in pixels (accepted as GitLab does; Roster serves
    /// the image as uploaded).
    #[schema(minimum = 1, maximum = 4096)]
    pub size: Option<i64>,
}

impl RequestInput for AvatarQuery {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let email = f.required("email", |v| {
            if v.trim().is_empty() {
                Err(FieldError::new("email", Problem::Blank))
            } else {
                Ok(v.trim().to_owned())
            }
        });
        let size = f.integer("size", 1..=4096);
        Some(Self { email: email?, size })
    }

    fn refused(problem: ApiError) -> ApiError {
        query_refusal(problem)
    }
}

/// The day `GET /user/activities` reaches back to.
#[derive(ToSchema)]
pub struct ActivitiesFromField {
    /// Users active on or after this day (`YYYY-MM-DD`; default six months ago).
    #[schema(value_type = Option<String>, format = Date)]
    pub from: Option<chrono::NaiveDate>,
}

/// `GET /user/activities`.
pub struct ActivitiesQuery {
    /// The first day.
    pub from: Option<chrono::NaiveDate>,
    /// The page.
    pub page: Page,
}

crate::input_made_of!(
    ActivitiesQuery,
    "Users' last activity, most recent first.",
    [ActivitiesFromField, Page]
);

impl RequestInput for ActivitiesQuery {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let from = f.optional("from", |v| {
            chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
                .map_err(|_| FieldError::new("from", Problem::Invalid))
        });
        let page = Page::read(f);
        (!f.has_errors()).then_some(Self { from, page })
    }

    fn refused(problem: ApiError) -> ApiError {
        query_refusal(problem)
    }
}
