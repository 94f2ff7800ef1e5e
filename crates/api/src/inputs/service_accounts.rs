//! Inputs of the service account routes (GitLab's `/service_accounts`).
use crate::http::error::ApiError;
use crate::http::input::RequestInput;
use crate::http::params::Fields;
use crate::inputs::queries::{not_a_valid_value, query_refusal, Page};
use roster_domain::{EmailAddress, Title, Username};
use roster_persistence::service_accounts::ServiceAccountOrder;
use utoipa::ToSchema;

/// `POST /service_accounts`: every field may be left out, as in GitLab.
#[derive(ToSchema)]
pub struct CreateServiceAccount {
    /// The display name (default `Service account user`).
    #[schema(schema_with = super::formats::title)]
    pub name: Option<String>,
    /// The user name (default `service_account_` and 32 hex digits).
    #[schema(schema_with = super::formats::username)]
    pub username: Option<Username>,
    /// The address (default `<username>@noreply.<host>`); no mail is sent to it.
    #[schema(value_type = Option<String>, format = Email, min_length = 3, max_length = 254)]
    pub email: Option<EmailAddress>,
}

impl RequestInput for CreateServiceAccount {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let name = f.optional("name", |v| Title::parse("name", v).map(Title::into_inner));
        let username = f.optional("username", Username::parse);
        let email = f.optional("email", EmailAddress::parse);
        (!f.has_errors()).then_some(Self {
            name,
            username,
            email,
        })
    }
}

/// `order_by` of the service account list.
#[derive(ToSchema)]
#[allow(non_camel_case_types, dead_code)]
enum ServiceAccountOrderBy {
    id,
    username,
}

/// `sort` of the service account list.
#[derive(ToSchema, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum SortDirection {
    /// Ascending.
    asc,
    /// Descending.
    desc,
}

/// The order of the service account list.
#[derive(ToSchema)]
pub struct ServiceAccountOrderFields {
    /// `id` (the default) or `username`.
    #[schema(value_type = Option<ServiceAccountOrderBy>)]
    pub order_by: ServiceAccountOrder,
    /// `desc` (the default) or `asc`.
    #[schema(value_type = Option<SortDirection>)]
    pub sort: SortDirection,
}

/// `GET /service_accounts`.
pub struct ServiceAccountQuery {
    /// The order.
    pub order: ServiceAccountOrderFields,
    /// The page.
    pub page: Page,
}

crate::input_made_of!(
    ServiceAccountQuery,
    "Service accounts, by id or user name.",
    [ServiceAccountOrderFields, Page]
);

impl RequestInput for ServiceAccountQuery {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let order_by = f.optional("order_by", |v| match v.trim() {
            "id" => Ok(ServiceAccountOrder::Id),
            "username" => Ok(ServiceAccountOrder::Username),
            _ => Err(not_a_valid_value("order_by")),
        });
        let sort = f.optional("sort", |v| match v.trim() {
            "asc" => Ok(SortDirection::asc),
            "desc" => Ok(SortDirection::desc),
            _ => Err(not_a_valid_value("sort")),
        });
        let page = Page::read(f);
        (!f.has_errors()).then_some(Self {
            order: ServiceAccountOrderFields {
                order_by: order_by.unwrap_or(ServiceAccountOrder::Id),
                sort: sort.unwrap_or(SortDirection::desc),
            },
            page,
        })
    }

    fn refused(problem: ApiError) -> ApiError {
        query_refusal(problem)
    }
}
