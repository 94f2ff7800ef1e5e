//! `/-/admin/users`: the user list with `GET /users`'s filters, 20 to a page.
use super::{api_query, page_number, query_pairs, PER_PAGE};
use crate::http::page::{form_status, AdminPerson, FormState, PageResult};
use crate::inputs::queries::UserListQuery;
use crate::routes::users::filter_of;
use crate::state::AppState;
use crate::views::admin_pages::UsersPage;
use crate::views::console::Pager;
use crate::views::pages::render;
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
    let mut extra: Vec<(&str, String)> = Vec::new();
    // The overview's links name the flag itself.
    for flag in ["admins", "blocked"] {
        if typed(flag) == "true" {
            extra.push((flag, "true".into()));
        }
    }
    if let Some(flag) = state_flag(&typed("state")) {
        extra.push((flag, "true".into()));
    }
    // Newest and most recently active first; names in alphabetical order.
    let order_by = typed("order_by");
    if !["", "id", "last_activity_on"].contains(&order_by.as_str()) {
        extra.push(("sort", "asc".into()));
    }
    let mut filters = FormState::filled(pairs.iter().cloned());
    let viewer = Viewer::User {
        id: person.user().id,
        is_admin: true,
    };
    let named = [
        "search",
        "two_factor",
        "order_by",
        "created_after",
        "created_before",
    ];
    let listed = match api_query::<UserListQuery>(&pairs, &named, &extra) {
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
    let status = form_status(&filters);
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
