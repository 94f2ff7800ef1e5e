//! The admin console (`/-/admin/...`, §12): users, groups, OAuth
//! applications, system hooks and the security event log, on the services
//! the API uses. Anyone but a signed-in admin gets `404`; while Roster has
//! no admin at all, `/-/admin` tells the operator how to make one.
use crate::http::browser::Browser;
use crate::http::page::{page_number, query_pairs, with_notice, AdminPerson, PageResult, Person, PER_PAGE};
use crate::page;
use crate::state::AppState;
use crate::views::admin_pages::{FirstRunPage, OverviewPage};
use crate::views::pages::render;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use roster_persistence::{overview, users};

mod applications;
mod events;
mod groups;
mod hooks;
mod user;
mod users_list;

/// The `303` after a change: to `location`, with the notice `code`.
fn done(person: &Person, location: &str, code: &str) -> HttpResponse {
    person.browser.redirect(&with_notice(location, code))
}

/// The list filters a page was asked for, as the API's own query reads
/// them (so each filter means what it means there): the `named` ones that
/// are not empty, then `extra`.
fn api_query<T: crate::http::input::RequestInput>(
    pairs: &[(String, String)],
    named: &[&str],
    extra: &[(&str, String)],
) -> Result<T, crate::http::error::ApiError> {
    let chosen = pairs
        .iter()
        .filter(|(k, v)| named.contains(&k.as_str()) && !v.trim().is_empty())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(extra.iter().map(|(k, v)| (*k, v.as_str())));
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(chosen)
        .finish();
    crate::http::input::parse(&crate::http::params::Params::from_query(&encoded)?)
}

/// `GET /-/admin`: the overview for an admin; the first-run page while
/// there is no admin; `404` for anyone else.
pub async fn overview(req: HttpRequest, state: web::Data<AppState>) -> PageResult {
    let admins = state.db.run(users::count_admins).await?;
    if admins == 0 {
        let browser = Browser::from_request(&req, &mut Payload::None).await?;
        return Ok(browser.page(
            StatusCode::OK,
            render(&FirstRunPage {
                title: "Welcome to Roster",
            }),
        ));
    }
    let AdminPerson(person) = AdminPerson::from_request(&req, &mut Payload::None).await?;
    let counts = state.db.run(overview::counts).await?;
    Ok(person.browser.page(
        StatusCode::OK,
        render(&OverviewPage {
            title: "Admin console",
            nav: person.nav("admin"),
            users: counts.users,
            blocked: counts.blocked,
            admins: counts.admins,
            groups: counts.groups,
            applications: counts.applications,
            hooks: counts.hooks,
        }),
    ))
}

/// Registers the admin console.
pub fn configure(cfg: &mut web::ServiceConfig) {
    page!(cfg, "/-/admin", GET => overview);
    page!(cfg, "/-/admin/users", GET => users_list::page);
    page!(cfg, "/-/admin/users/new", GET => user::new_page, POST => user::create);
    page!(cfg, "/-/admin/users/{id}", GET => user::page);
    page!(cfg, "/-/admin/users/{id}/edit", GET => user::edit_page, POST => user::update);
    page!(cfg, "/-/admin/users/{id}/{action}", POST => user::act);
    page!(cfg, "/-/admin/users/{id}/emails/{item}/delete", POST => user::remove_email);
    page!(cfg, "/-/admin/users/{id}/keys/{item}/delete", POST => user::remove_key);
    page!(cfg, "/-/admin/users/{id}/tokens/{item}/revoke", POST => user::revoke_token);
    page!(cfg, "/-/admin/users/{id}/sessions/end", POST => user::end_sessions);
    page!(cfg, "/-/admin/groups", GET => groups::list, POST => groups::create);
    page!(cfg, "/-/admin/groups/{id}", GET => groups::page);
    page!(cfg, "/-/admin/groups/{id}/members", POST => groups::add_member);
    page!(cfg, "/-/admin/groups/{id}/members/{user_id}", POST => groups::change_member);
    page!(cfg, "/-/admin/groups/{id}/members/{user_id}/remove", POST => groups::remove_member);
    page!(cfg, "/-/admin/groups/{id}/delete", POST => groups::delete);
    page!(cfg, "/-/admin/applications", GET => applications::list, POST => applications::create);
    page!(cfg, "/-/admin/applications/{id}/renew", POST => applications::renew);
    page!(cfg, "/-/admin/applications/{id}/delete", POST => applications::delete);
    page!(cfg, "/-/admin/hooks", GET => hooks::list, POST => hooks::create);
    page!(cfg, "/-/admin/hooks/{id}", GET => hooks::page, POST => hooks::update);
    page!(cfg, "/-/admin/hooks/{id}/test", POST => hooks::test);
    page!(cfg, "/-/admin/hooks/{id}/delete", POST => hooks::delete);
    page!(cfg, "/-/admin/hooks/{id}/deliveries/{delivery_id}/redeliver", POST => hooks::redeliver);
    page!(cfg, "/-/admin/events", GET => events::page);
}
