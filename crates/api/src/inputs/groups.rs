//! Inputs of the group routes: groups, members, invitations and group
//! access tokens. A value outside a parameter's list is answered as GitLab
//! (Grape) does: `400 {"error": "access_level does not have a valid value"}`.
use super::avatar::AvatarFields;
use super::formats;
use super::queries::{not_a_valid_value, query_refusal, KeysetPage, Page, NOT_A_VALID_VALUE};
use crate::http::error::ApiError;
use crate::http::input::RequestInput;
use crate::http::params::Fields;
use chrono::NaiveDate;
use roster_domain::{
    parse_membership_expiry, AccessLevel, AvatarUpload, EmailAddress, FieldError, GroupName, GroupPath,
    ProfileText, Scopes, Title, TokenExpiry, Username, Visibility,
};
use roster_persistence::groups::GroupOrder;
use roster_persistence::today;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::ToSchema;

/// GitLab's access levels: 10 Guest, 20 Reporter, 30 Developer, 40
/// Maintainer, 50 Owner.
pub fn access_level_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .enum_values(Some([10, 20, 30, 40, 50]))
        .build()
}

pub(crate) fn access_level(f: &mut Fields<'_>, name: &'static str, required: bool) -> Option<AccessLevel> {
    let number = if required {
        f.required_integer(name)
    } else {
        f.integer(name, i64::MIN..=i64::MAX)
    };
    let level = AccessLevel::from_value(number?);
    if level.is_none() {
        f.check::<()>(Err(not_a_valid_value(name)));
    }
    level
}

fn visibility(v: &str) -> Result<Visibility, FieldError> {
    Visibility::parse(v).map_err(|_| not_a_valid_value("visibility"))
}

fn expiry(v: &str) -> Result<NaiveDate, FieldError> {
    parse_membership_expiry(v, today())
}

fn description(v: &str) -> Result<String, FieldError> {
    ProfileText::parse("description", v, 500).map(ProfileText::into_inner)
}

/// Problems with a value outside a list are told as Grape tells them;
/// others as `{"message": {field: [reasons]}}`.
fn grape_refusal(problem: ApiError) -> ApiError {
    match &problem {
        ApiError::Validation(fields)
            if fields
                .values()
                .any(|reasons| reasons.iter().any(|r| r == NOT_A_VALID_VALUE)) =>
        {
            query_refusal(problem)
        }
        _ => problem,
    }
}

/// The visibility levels.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum VisibilityLevel {
    private,
    internal,
    public,
}

/// A group's settings that every write may set.
#[derive(ToSchema)]
pub struct GroupSettings {
    /// What the group is (at most 500 characters).
    #[schema(schema_with = text_500)]
    pub description: Option<String>,
    /// Who sees the group: `private` (the default), `internal` or
    /// `public`; never wider than its parent's, never narrower than a
    /// subgroup's.
    #[schema(value_type = Option<VisibilityLevel>)]
    pub visibility: Option<Visibility>,
}

fn text_500() -> Object {
    formats::text(500)
}

impl GroupSettings {
    fn read(f: &mut Fields<'_>) -> Self {
        Self {
            description: f.optional("description", description),
            visibility: f.optional("visibility", visibility),
        }
    }
}

/// The name, path and place of a new group.
#[derive(ToSchema)]
pub struct NewGroupFields {
    /// The name.
    #[schema(schema_with = formats::group_name)]
    pub name: GroupName,
    /// The path: unique under the parent, part of the group's `full_path`.
    #[schema(schema_with = formats::group_path)]
    pub path: GroupPath,
    /// The parent, for a subgroup (a team).
    #[schema(minimum = 1)]
    pub parent_id: Option<i64>,
}

/// `POST /groups`.
pub struct CreateGroup {
    /// The name, path and parent.
    pub group: NewGroupFields,
    /// Description and visibility.
    pub settings: GroupSettings,
    /// An avatar to store.
    pub avatar: Option<AvatarUpload>,
}

crate::input_made_of!(
    CreateGroup,
    "`POST /groups` (JSON, form or multipart): `name` and `path` are needed.",
    [NewGroupFields, GroupSettings, AvatarFields]
);

impl RequestInput for CreateGroup {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let name = f.required("name", GroupName::parse);
        let path = f.required("path", GroupPath::parse);
        let parent_id = f.integer("parent_id", 1..=i64::MAX);
        let settings = GroupSettings::read(f);
        let avatar = AvatarFields::read(f).upload();
        Some(Self {
            group: NewGroupFields {
                name: name?,
                path: path?,
                parent_id,
            },
            settings,
            avatar,
        })
    }

    fn refused(problem: ApiError) -> ApiError {
        grape_refusal(problem)
    }
}

/// A new name or path.
#[derive(ToSchema)]
pub struct GroupRename {
    /// The name.
    #[schema(schema_with = formats::group_name, required = false)]
    pub name: Option<GroupName>,
    /// The path (the `full_path` of every group below changes with it).
    #[schema(schema_with = formats::group_path, required = false)]
    pub path: Option<GroupPath>,
}

/// `PUT /groups/:id`.
pub struct UpdateGroup {
    /// The new name or path.
    pub rename: GroupRename,
    /// Description and visibility.
    pub settings: GroupSettings,
    /// A new avatar.
    pub avatar: Option<AvatarUpload>,
}

crate::input_made_of!(
    UpdateGroup,
    "`PUT /groups/:id`: the fields to change.",
    [GroupRename, GroupSettings, AvatarFields]
);

impl RequestInput for UpdateGroup {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let rename = GroupRename {
            name: f.optional("name", GroupName::parse),
            path: f.optional("path", GroupPath::parse),
        };
        let settings = GroupSettings::read(f);
        let avatar = AvatarFields::read(f).upload();
        Some(Self {
            rename,
            settings,
            avatar,
        })
    }

    fn refused(problem: ApiError) -> ApiError {
        grape_refusal(problem)
    }
}

/// How groups can be ordered.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum GroupOrderBy {
    name,
    path,
    id,
}

/// The direction of an order.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum Direction {
    asc,
    desc,
}

/// The filters of a group list.
#[derive(ToSchema)]
pub struct GroupFilterFields {
    /// Part of the name or path.
    #[schema(max_length = 255)]
    pub search: Option<String>,
    /// Only groups the caller owns.
    pub owned: Option<bool>,
    /// Only groups where the caller has at least this level.
    #[schema(schema_with = access_level_schema, required = false)]
    pub min_access_level: Option<AccessLevel>,
    /// Only top-level groups (organisations).
    pub top_level_only: Option<bool>,
    /// With every public and internal group too, not only the caller's
    /// (always so for anonymous callers and admins).
    pub all_available: Option<bool>,
    /// Leave these groups out.
    #[schema(value_type = Option<Vec<i64>>)]
    pub skip_groups: Vec<i64>,
    /// `name` unless told.
    #[schema(value_type = Option<GroupOrderBy>)]
    pub order_by: GroupOrder,
    /// `asc` unless told.
    #[schema(value_type = Option<Direction>)]
    pub sort: Option<String>,
}

impl GroupFilterFields {
    /// Whether the order is descending.
    pub fn descending(&self) -> bool {
        self.sort.as_deref() == Some("desc")
    }
}

/// `GET /groups`, `/groups/:id/subgroups` and `/descendant_groups`.
pub struct GroupListQuery {
    /// The filters and order.
    pub filter: GroupFilterFields,
    /// The page.
    pub page: KeysetPage,
}

crate::input_made_of!(
    GroupListQuery,
    "Groups, filtered and ordered; keyset pagination when ordered by id.",
    [GroupFilterFields, KeysetPage]
);

impl RequestInput for GroupListQuery {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let filter = GroupFilterFields {
            search: f.optional("search", short_text),
            owned: f.boolean("owned"),
            min_access_level: access_level(f, "min_access_level", false),
            top_level_only: f.boolean("top_level_only"),
            all_available: f.boolean("all_available"),
            skip_groups: f
                .list("skip_groups", |v| {
                    v.trim()
                        .parse::<i64>()
                        .map_err(|_| FieldError::new("skip_groups", roster_domain::Problem::Invalid))
                })
                .unwrap_or_default(),
            order_by: f
                .optional("order_by", |v| match v.trim() {
                    "name" => Ok(GroupOrder::Name),
                    "path" => Ok(GroupOrder::Path),
                    "id" => Ok(GroupOrder::Id),
                    _ => Err(not_a_valid_value("order_by")),
                })
                .unwrap_or_default(),
            sort: f.optional("sort", |v| match v.trim() {
                "asc" => Ok("asc".to_owned()),
                "desc" => Ok("desc".to_owned()),
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

fn short_text(v: &str) -> Result<String, FieldError> {
    if v.chars().count() > 255 {
        Err(FieldError::new(
            "search",
            roster_domain::Problem::TooLong { max: 255 },
        ))
    } else {
        Ok(v.to_owned())
    }
}

/// The filters of a member list.
#[derive(ToSchema)]
pub struct MemberFilterFields {
    /// Part of a member's user name or name.
    #[schema(max_length = 255)]
    pub query: Option<String>,
    /// Only these users.
    #[schema(value_type = Option<Vec<i64>>)]
    pub user_ids: Vec<i64>,
}

/// `GET /groups/:id/members` and `/members/all`.
pub struct MemberListQuery {
    /// The filters.
    pub filter: MemberFilterFields,
    /// The page.
    pub page: Page,
}

crate::input_made_of!(MemberListQuery, "Members by user id.", [MemberFilterFields, Page]);

impl RequestInput for MemberListQuery {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let filter = MemberFilterFields {
            query: f.optional("query", short_text),
            user_ids: f
                .list("user_ids", |v| {
                    v.trim()
                        .parse::<i64>()
                        .map_err(|_| FieldError::new("user_ids", roster_domain::Problem::Invalid))
                })
                .unwrap_or_default(),
        };
        let page = Page::read(f);
        (!f.has_errors()).then_some(Self { filter, page })
    }

    fn refused(problem: ApiError) -> ApiError {
        query_refusal(problem)
    }
}

/// Who to add: `user_id` or `username`.
pub enum MemberRef {
    /// By id.
    Id(i64),
    /// By user name.
    Username(Username),
}

/// The fields of `POST /groups/:id/members`.
#[derive(ToSchema)]
pub struct AddMemberFields {
    /// The user to add (or `username`).
    #[schema(minimum = 1)]
    pub user_id: Option<i64>,
    /// The user to add, by name.
    #[schema(schema_with = formats::username, required = false)]
    pub username: Option<String>,
    /// The level.
    #[schema(schema_with = access_level_schema)]
    pub access_level: AccessLevel,
    /// The first day the membership no longer counts.
    #[schema(schema_with = formats::membership_expiry, required = false)]
    pub expires_at: Option<NaiveDate>,
}

/// `POST /groups/:id/members`.
pub struct AddMember {
    /// Who.
    pub who: MemberRef,
    /// The level.
    pub access_level: AccessLevel,
    /// The first day the membership no longer counts.
    pub expires_at: Option<NaiveDate>,
}

crate::input_made_of!(
    AddMember,
    "`POST /groups/:id/members`: `user_id` or `username`, and `access_level`.",
    [AddMemberFields]
);

impl RequestInput for AddMember {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let id = f.integer("user_id", 1..=i64::MAX);
        let username = f.optional("username", Username::parse);
        let level = access_level(f, "access_level", true);
        let expires_at = f.optional("expires_at", expiry);
        let who = match (id, username) {
            (Some(id), _) => Some(MemberRef::Id(id)),
            (None, Some(name)) => Some(MemberRef::Username(name)),
            (None, None) => {
                if !f.failed("user_id") && !f.failed("username") {
                    f.require_any(&["user_id", "username"]);
                }
                None
            }
        };
        Some(Self {
            who: who?,
            access_level: level?,
            expires_at,
        })
    }

    fn refused(problem: ApiError) -> ApiError {
        grape_refusal(problem)
    }
}

/// `PUT /groups/:id/members/:user_id`.
#[derive(ToSchema)]
pub struct UpdateMember {
    /// The new level.
    #[schema(schema_with = access_level_schema)]
    pub access_level: AccessLevel,
    /// The first day the membership no longer counts; empty or `null`
    /// clears it.
    #[schema(schema_with = formats::membership_expiry, required = false)]
    pub expires_at: Option<Option<NaiveDate>>,
}

impl RequestInput for UpdateMember {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let access_level = access_level(f, "access_level", true);
        let expires_at = f.clearable("expires_at", expiry);
        Some(Self {
            access_level: access_level?,
            expires_at,
        })
    }

    fn refused(problem: ApiError) -> ApiError {
        grape_refusal(problem)
    }
}

/// `PUT /groups/:id/invitations/:email`: what is left out stays.
#[derive(ToSchema)]
pub struct UpdateInvitation {
    /// The level the membership will have.
    #[schema(schema_with = access_level_schema, required = false)]
    pub access_level: Option<AccessLevel>,
    /// The first day the membership will no longer count; empty or `null`
    /// clears it.
    #[schema(schema_with = formats::membership_expiry, required = false)]
    pub expires_at: Option<Option<NaiveDate>>,
}

impl RequestInput for UpdateInvitation {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let access_level = access_level(f, "access_level", false);
        let expires_at = f.clearable("expires_at", expiry);
        if f.failed("access_level") {
            return None;
        }
        Some(Self {
            access_level,
            expires_at,
        })
    }

    fn refused(problem: ApiError) -> ApiError {
        grape_refusal(problem)
    }
}

/// `POST /groups/:id/invitations`.
#[derive(ToSchema)]
pub struct Invite {
    /// One address, or several separated by commas.
    #[schema(value_type = String, format = Email, min_length = 3, max_length = 254)]
    pub email: Vec<EmailAddress>,
    /// The level the membership will have.
    #[schema(schema_with = access_level_schema)]
    pub access_level: AccessLevel,
    /// The first day the membership will no longer count.
    #[schema(schema_with = formats::membership_expiry, required = false)]
    pub expires_at: Option<NaiveDate>,
}

/// At most this many addresses in one invitation request.
const MAX_INVITES: usize = 100;

impl RequestInput for Invite {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let email = f.required("email", |v| {
            let addresses: Vec<&str> = v.split(',').map(str::trim).filter(|a| !a.is_empty()).collect();
            if addresses.is_empty() {
                return Err(FieldError::new("email", roster_domain::Problem::Blank));
            }
            if addresses.len() > MAX_INVITES {
                return Err(FieldError::new(
                    "email",
                    roster_domain::Problem::InvalidBecause("names more than 100 addresses"),
                ));
            }
            let mut parsed: Vec<EmailAddress> = Vec::new();
            for a in addresses {
                let a = EmailAddress::parse(a)?;
                if !parsed.contains(&a) {
                    parsed.push(a);
                }
            }
            Ok(parsed)
        });
        let level = access_level(f, "access_level", true);
        let expires_at = f.optional("expires_at", expiry);
        Some(Self {
            email: email?,
            access_level: level?,
            expires_at,
        })
    }

    fn refused(problem: ApiError) -> ApiError {
        grape_refusal(problem)
    }
}

/// The filter of an invitation list.
#[derive(ToSchema)]
pub struct InvitationFilterFields {
    /// Part of the invited address.
    #[schema(max_length = 255)]
    pub query: Option<String>,
}

/// `GET /groups/:id/invitations`.
pub struct InvitationListQuery {
    /// Part of the invited address.
    pub query: Option<String>,
    /// The page.
    pub page: Page,
}

crate::input_made_of!(
    InvitationListQuery,
    "Pending invitations, oldest first.",
    [InvitationFilterFields, Page]
);

impl RequestInput for InvitationListQuery {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let query = f.optional("query", short_text);
        let page = Page::read(f);
        (!f.has_errors()).then_some(Self { query, page })
    }

    fn refused(problem: ApiError) -> ApiError {
        query_refusal(problem)
    }
}

/// `POST /invitations/accept`.
#[derive(ToSchema)]
pub struct AcceptInvitation {
    /// The secret from the invitation's link.
    #[schema(min_length = 1, max_length = 255)]
    pub invite_token: String,
}

impl RequestInput for AcceptInvitation {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let invite_token = f.required("invite_token", super::non_blank("invite_token"));
        Some(Self {
            invite_token: invite_token?,
        })
    }
}

/// A scope a group access token may carry.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum GroupTokenScope {
    api,
    read_api,
    read_user,
}

/// `POST /groups/:id/access_tokens`.
#[derive(ToSchema)]
pub struct CreateGroupToken {
    /// What the token is for.
    #[schema(schema_with = formats::title)]
    pub name: String,
    /// At least one scope.
    #[schema(value_type = Vec<GroupTokenScope>, min_items = 1)]
    pub scopes: Scopes,
    /// The bot member's level: 40 (Maintainer) unless told; at most the
    /// caller's own.
    #[schema(schema_with = access_level_schema, required = false)]
    pub access_level: AccessLevel,
    /// The last day the token works: after today, at most 365 days ahead;
    /// a year from today when left out.
    #[schema(schema_with = formats::token_expiry, required = false)]
    pub expires_at: TokenExpiry,
}

impl RequestInput for CreateGroupToken {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let today = today();
        let name = f.required("name", |v| Title::parse("name", v).map(Title::into_inner));
        let scopes = f.required_list("scopes", Scopes::parse);
        let level = access_level(f, "access_level", false);
        let expires_at = f.optional("expires_at", |v| TokenExpiry::parse(v, today));
        if f.failed("access_level") {
            return None;
        }
        Some(Self {
            name: name?,
            scopes: scopes?,
            access_level: level.unwrap_or(AccessLevel::Maintainer),
            expires_at: expires_at
                .unwrap_or_else(|| TokenExpiry::days_after(today, TokenExpiry::MAX_DAYS as u64)),
        })
    }

    fn refused(problem: ApiError) -> ApiError {
        grape_refusal(problem)
    }
}
