//! `/-/admin/groups` and `/-/admin/groups/:id`: groups, their members,
//! making and deleting them, with the services of `/groups`.
use super::{api_query, done, page_number, query_pairs, PER_PAGE};
use crate::http::error::ApiError;
use crate::http::input::parse;
use crate::http::page::{checked_form, form_status, AdminPerson, FormState, PageExit, PageResult, Person};
use crate::http::params::Params;
use crate::inputs::groups::{AddMember, CreateGroup, GroupListQuery, UpdateMember};
use crate::routes::path_id;
use crate::services::{groups as group_service, members as member_service};
use crate::state::AppState;
use crate::views::admin_pages::{GroupPage, GroupsPage, MemberView};
use crate::views::console::Pager;
use crate::views::pages::render;
use actix_web::{web, HttpRequest};
use roster_domain::AccessLevel;
use roster_persistence::groups::{self, GroupRow};
use roster_persistence::members::{self, MemberFilter};
use roster_persistence::PageRequest;

const GROUP: &str = "Group";
const GROUP_FIELDS: &[&str] = &["name", "path", "visibility", "description"];

fn group_path(id: i64) -> String {
    format!("/-/admin/groups/{id}")
}

async fn list_page(req: &HttpRequest, state: &AppState, person: &Person, form: FormState) -> PageResult {
    let pairs = query_pairs(req);
    let page = page_number(&pairs);
    let mut filters = FormState::filled(pairs.iter().cloned());
    let extra = [("all_available", "true".to_owned())];
    let found = match api_query::<GroupListQuery>(&pairs, &["search"], &extra) {
        Ok(q) => {
            let caller = Some(&person.caller);
            let filter =
                group_service::filter_of(caller, &q.filter, group_service::scope_for(caller, Some(true)));
            let (order, descending) = (q.filter.order_by, q.filter.descending());
            let request = PageRequest::Offset {
                page,
                per_page: PER_PAGE,
            };
            Some(
                state
                    .db
                    .run(move |conn| groups::list_groups(conn, &filter, order, descending, request))
                    .await?,
            )
        }
        Err(e) => {
            filters = filters.with_error(e).for_fields(&["search"]);
            None
        }
    };
    let (rows, total, has_more) =
        found.map_or((Vec::new(), Some(0), false), |p| (p.items, p.total, p.has_more));
    let status = form_status(&form).max(form_status(&filters));
    Ok(person.browser.page(
        status,
        render(&GroupsPage {
            title: "Groups",
            nav: person.nav("admin_groups"),
            filters,
            groups: rows,
            pager: Pager::new("/-/admin/groups", &pairs, page, PER_PAGE, total, has_more),
            form,
        }),
    ))
}

/// `GET /-/admin/groups?search=&page=`.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
) -> PageResult {
    let form = FormState::filled([("visibility".to_owned(), "private".to_owned())]);
    list_page(&req, &state, &person, form).await
}

/// `POST /-/admin/groups`: `POST /groups`'s service.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    let mut params = checked_form(&person.browser, params)?;
    params.drop_empty(&["description"]);
    let created = match parse::<CreateGroup>(&params) {
        Ok(input) => group_service::create(&state, &person.caller, input).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(group) => Ok(done(&person, &group_path(group.id), "group_created")),
        Err(e) => {
            let form = FormState::from_params(&params)
                .with_error(e)
                .for_fields(GROUP_FIELDS);
            list_page(&req, &state, &person, form).await
        }
    }
}

async fn find(state: &AppState, id: i64) -> Result<GroupRow, PageExit> {
    state
        .db
        .run(move |conn| groups::find_group(conn, id))
        .await?
        .ok_or(PageExit::NotFound)
}

fn levels() -> Vec<(i32, &'static str)> {
    [
        AccessLevel::Guest,
        AccessLevel::Reporter,
        AccessLevel::Developer,
        AccessLevel::Maintainer,
        AccessLevel::Owner,
    ]
    .into_iter()
    .map(|l| (l.value(), l.name()))
    .collect()
}

async fn group_page(req: &HttpRequest, state: &AppState, person: &Person, form: FormState) -> PageResult {
    let id = path_id(req, "id", GROUP)?;
    let group = find(state, id).await?;
    let pairs = query_pairs(req);
    let page = page_number(&pairs);
    let found = state
        .db
        .run(move |conn| members::list_members(conn, id, false, &MemberFilter::default(), page, PER_PAGE))
        .await?;
    Ok(person.browser.page(
        form_status(&form),
        render(&GroupPage {
            title: format!("Group {}", group.full_name),
            nav: person.nav("admin_groups"),
            members: found
                .items
                .into_iter()
                .map(|(member, user)| MemberView {
                    user_id: user.id,
                    username: user.username,
                    access_level: member.access_level,
                    expires_at: member.expires_at,
                })
                .collect(),
            pager: Pager::new(
                &group_path(id),
                &pairs,
                page,
                PER_PAGE,
                found.total,
                found.has_more,
            ),
            group,
            levels: levels(),
            form,
        }),
    ))
}

/// `GET /-/admin/groups/:id`.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
) -> PageResult {
    let form = FormState::filled([("access_level".to_owned(), "30".to_owned())]);
    group_page(&req, &state, &person, form).await
}

/// `POST /-/admin/groups/:id/members`: `POST /groups/:id/members`'s service.
pub async fn add_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", GROUP)?;
    let added = match parse::<AddMember>(&params) {
        Ok(input) => member_service::add(&state, &person.caller, id.to_string(), input).await,
        Err(e) => Err(e),
    };
    match added {
        Ok(_) => Ok(done(&person, &group_path(id), "member_added")),
        Err(ApiError::NotFound(what)) if what != GROUP => {
            let form = FormState::from_params(&params).field_error("username", "is not a user's name");
            group_page(&req, &state, &person, form).await
        }
        Err(e) => {
            let form = FormState::from_params(&params)
                .with_error(e)
                .for_fields(&["username", "access_level"]);
            group_page(&req, &state, &person, form).await
        }
    }
}

/// `POST /-/admin/groups/:id/members/:user_id`: a new role.
pub async fn change_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", GROUP)?;
    let user_id = path_id(&req, "user_id", "Member")?;
    let input = parse::<UpdateMember>(&params)?;
    member_service::update(&state, &person.caller, id.to_string(), user_id, input).await?;
    Ok(done(&person, &group_path(id), "member_changed"))
}

/// `POST /-/admin/groups/:id/members/:user_id/remove`.
pub async fn remove_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", GROUP)?;
    let user_id = path_id(&req, "user_id", "Member")?;
    member_service::remove(&state, &person.caller, id.to_string(), user_id).await?;
    Ok(done(&person, &group_path(id), "member_removed"))
}

/// `POST /-/admin/groups/:id/delete`: the group and its subgroups.
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", GROUP)?;
    group_service::delete(&state, &person.caller, id.to_string()).await?;
    Ok(done(&person, "/-/admin/groups", "group_deleted"))
}
