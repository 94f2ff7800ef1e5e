//! `/-/account/groups`: the person's groups, and invitations sent to their
//! confirmed addresses, to accept or decline.
use super::done;
use crate::http::error::ApiError;
use crate::http::page::{checked_form, page_number, query_pairs, PageResult, Person, PER_PAGE};
use crate::http::params::Params;
use crate::routes::path_id;
use crate::services::invitations;
use crate::state::AppState;
use crate::views::account_pages::{GroupsPage, InvitationView, MembershipView};
use crate::views::console::{role_name, Pager};
use crate::views::pages::render;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use roster_persistence::members;

const PAGE: &str = "/-/account/groups";

/// `GET /-/account/groups`.
pub async fn page(req: HttpRequest, state: web::Data<AppState>, person: Person) -> PageResult {
    let page = page_number(&query_pairs(&req));
    let waiting = invitations::waiting_for(&state, &person.caller).await?;
    let id = person.user().id;
    let memberships = state
        .db
        .run(move |conn| members::memberships_of(conn, id, page, PER_PAGE))
        .await?;
    let pager = Pager::new(PAGE, &[], page, PER_PAGE, memberships.total, memberships.has_more);
    Ok(person.browser.page(
        StatusCode::OK,
        render(&GroupsPage {
            title: "Groups and invitations",
            nav: person.nav("groups"),
            invitations: waiting
                .into_iter()
                .map(|(row, group)| InvitationView {
                    id: row.id,
                    group_name: group.full_name,
                    group_path: group.full_path,
                    role: role_name(row.access_level),
                })
                .collect(),
            memberships: memberships
                .items
                .into_iter()
                .map(|(member, group)| MembershipView {
                    name: group.full_name,
                    path: group.full_path,
                    role: role_name(member.access_level),
                })
                .collect(),
            pager,
        }),
    ))
}

/// `POST /-/account/invitations/:id/accept`.
pub async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", "Invitation")?;
    invitations::accept_own(&state, &person.caller, id).await?;
    Ok(done(&person, PAGE, "invitation_accepted"))
}

/// `POST /-/account/invitations/:id/decline`.
pub async fn decline(
    req: HttpRequest,
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", "Invitation")?;
    invitations::decline_own(&state, &person.caller, id).await?;
    Ok(done(&person, PAGE, "invitation_declined"))
}
