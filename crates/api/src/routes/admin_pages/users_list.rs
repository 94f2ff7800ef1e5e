//! `/-/admin/users`: the user list with `GET /users`'s filters, 20 to a page.
use super::{page_number, query_pairs, PER_PAGE};
use crate::http::input::parse;
use crate::http::page::{AdminPerson, FormState, PageResult};
use crate::http::params::Params;
use crate::inputs::queries::UserListQuery;
use crate::routes::users::filter_of;
use crate::state::AppState;
use crate::views::admin_pages::UsersPage;
use crate::views::console::Pager;
use crate::views::pages::render;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use roster_domain::Viewer;
use roster_persistence::user_list;
use roster_persistence::PageRequest;

/// The page's "show" choice as `GET /users`'s flag.
fn state_flag(choice: &str) -> Option<&'static str> {
    match choice {
        "active" => Some("active"),
        "blocked" => Some("blocked"),
        "admins" => Some("admins"),
        "external" => Some("external"),
        _ => None,
    }
}

/// `GET /-/admin/users?search=&state=&two_factor=&order_by=&page=`.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
) -> PageResult {
    let pairs = query_pairs(&req);
    let typed = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let page = page_number(&pairs);
    // The API's own query, so each filter means what it means there.
    let mut query: Vec<(String, String)> = [
        "search",
        "two_factor",
        "order_by",
        "created_after",
        "created_before",
    ]
    .iter()
    .filter(|name| !typed(name).trim().is_empty())
    .map(|name| (name.to_string(), typed(name)))
    .collect();
    // The overview's links name the flag itself.
    for flag in ["admins", "blocked"] {
        if typed(flag) == "true" {
            query.push((flag.into(), "true".into()));
        }
    }
    if let Some(flag) = state_flag(&typed("state")) {
        query.push((flag.into(), "true".into()));
    }
    // Newest first by default; names in alphabetical order.
    let order_by = typed("order_by");
    if !order_by.is_empty() && order_by != "id" {
        query.push(("sort".into(), "asc".into()));
    }
    query.push(("page".into(), page.to_string()));
    query.push(("per_page".into(), PER_PAGE.to_string()));
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&query)
        .finish();
    let mut filters = FormState::filled(pairs.iter().cloned());
    let viewer = Viewer::User {
        id: person.user().id,
        is_admin: true,
    };
    let listed = match Params::from_query(&encoded).and_then(|p| parse::<UserListQuery>(&p)) {
        Ok(q) => {
            let filter = filter_of(&q, viewer);
            let (order, descending) = (q.filter.order_by, q.filter.descending());
            let request = PageRequest::Offset {
                page,
                per_page: PER_PAGE,
            };
            Some(
                state
                    .db
                    .run(move |conn| user_list::list_users(conn, &filter, order, descending, request))
                    .await?,
            )
        }
        Err(e) => {
            filters = filters
                .with_error(e)
                .for_fields(&["search", "created_after", "created_before"]);
            None
        }
    };
    let status = if filters.has_errors() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let (users, total, has_more) =
        listed.map_or((Vec::new(), Some(0), false), |p| (p.items, p.total, p.has_more));
    Ok(person.browser.page(
        status,
        render(&UsersPage {
            title: "Users",
            nav: person.nav("admin_users"),
            filters,
            users,
            total,
            pager: Pager::new("/-/admin/users", &pairs, page, PER_PAGE, total, has_more),
        }),
    ))
}
