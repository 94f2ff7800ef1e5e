//! `/groups`: organisations and teams, their members, invitations and
//! access tokens, and `/users/:id/memberships` (§9). A group the caller may
//! not see is `404`, on every route.
use super::path_id;
use crate::endpoint;
use crate::http::auth::{Caller, MaybeCaller};
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::http::pagination;
use crate::http::params::MAX_UPLOAD_BODY_BYTES;
use crate::inputs::groups::{
    AcceptInvitation, AddMember, CreateGroup, CreateGroupToken, GroupListQuery, InvitationListQuery, Invite,
    MemberListQuery, UpdateGroup, UpdateInvitation, UpdateMember,
};
use crate::inputs::queries::PageQuery;
use crate::services::groups::{self as group_service, filter_of, scope_for};
use crate::services::{group_tokens, invitations, members as member_service};
use crate::state::AppState;
use crate::views::groups as views;
use crate::views::Message;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_persistence::groups::{self, GroupOrder};
use roster_persistence::members::{self, MemberFilter};
use roster_persistence::{invitations as stored_invitations, today, users};
use serde::Serialize;

/// The group a route names: its id, or its full path URL-encoded
/// (`acme%2Fplatform`).
/// A path segment as the client meant it. The router leaves `%2F`, `%25`
/// and `%2B` encoded (they would change the path's meaning); a group's full
/// path (`acme%2Fplatform`) and an address (`a%2Bb%40example.com`, as
/// python-gitlab sends `a+b@example.com`) need them decoded.
fn segment(req: &HttpRequest, name: &str) -> String {
    let raw = req.match_info().get(name).unwrap_or_default();
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned()
}

fn reference(req: &HttpRequest) -> String {
    segment(req, "id")
}

fn json_list<T: Serialize>(items: impl Iterator<Item = T>) -> Vec<serde_json::Value> {
    items
        .map(|v| serde_json::to_value(v).unwrap_or_default())
        .collect()
}

/// Which groups a list shows, and how.
enum Listing {
    All,
    Subgroups(i64),
    Descendants(i64),
}

async fn list(
    req: &HttpRequest,
    state: &AppState,
    caller: Option<Caller>,
    query: GroupListQuery,
    listing: Listing,
) -> Result<HttpResponse, ApiError> {
    let f = &query.filter;
    let paging = query.page.paging(f.order_by == GroupOrder::Id)?;
    let scope = match listing {
        // Below a group one sees what one may read there (GitLab's
        // `all_available` for subgroups).
        Listing::Subgroups(_) | Listing::Descendants(_) => scope_for(caller.as_ref(), Some(true)),
        Listing::All => scope_for(caller.as_ref(), f.all_available),
    };
    let mut filter = filter_of(caller.as_ref(), f, scope);
    match listing {
        Listing::All => {}
        Listing::Subgroups(id) => filter.parent = Some(id),
        Listing::Descendants(id) => filter.below = Some(id),
    }
    let (order, descending) = (f.order_by, f.descending());
    let request = paging.request;
    let page = state
        .db
        .run(move |conn| groups::list_groups(conn, &filter, order, descending, request))
        .await?;
    let ctx = state.view_context();
    let body = json_list(page.items.iter().map(|g| views::group(g, &ctx)));
    let last_id = page.items.last().map(|g| g.id);
    Ok(pagination::respond(
        req,
        &state.public_url,
        paging,
        &page,
        last_id,
        body,
    ))
}

/// `GET /groups`.
pub async fn list_groups(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    query: Input<GroupListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.check()?;
    list(&req, &state, caller.0, query, Listing::All).await
}

/// `GET /groups/:id/subgroups`.
pub async fn list_subgroups(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    query: Input<GroupListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.check()?;
    let (group, _) = group_service::find(&state, caller.0.as_ref(), reference(&req)).await?;
    list(&req, &state, caller.0, query, Listing::Subgroups(group.id)).await
}

/// `GET /groups/:id/descendant_groups`.
pub async fn list_descendants(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    query: Input<GroupListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.check()?;
    let (group, _) = group_service::find(&state, caller.0.as_ref(), reference(&req)).await?;
    list(&req, &state, caller.0, query, Listing::Descendants(group.id)).await
}

/// `POST /groups`.
pub async fn create_group(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<CreateGroup>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let group = group_service::create(&state, &caller, input).await?;
    Ok(HttpResponse::Created().json(views::group(&group, &state.view_context())))
}

/// `GET /groups/:id`.
pub async fn get_group(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let (group, _) = group_service::find(&state, caller.0.as_ref(), reference(&req)).await?;
    Ok(HttpResponse::Ok().json(views::group(&group, &state.view_context())))
}

/// `PUT /groups/:id`.
pub async fn update_group(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<UpdateGroup>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let group = group_service::update(&state, &caller, reference(&req), input).await?;
    Ok(HttpResponse::Ok().json(views::group(&group, &state.view_context())))
}

/// `DELETE /groups/:id`: `202`, as GitLab; the group is gone already.
pub async fn delete_group(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    group_service::delete(&state, &caller, reference(&req)).await?;
    Ok(HttpResponse::Accepted().json(Message {
        message: "202 Accepted",
    }))
}

async fn member_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    query: Input<MemberListQuery>,
    inherited: bool,
) -> Result<HttpResponse, ApiError> {
    let query = query.check()?;
    let paging = query.page.paging()?;
    let (page_no, per_page) = query.page.offset()?;
    let (group, _) = group_service::find(&state, caller.0.as_ref(), reference(&req)).await?;
    let filter = MemberFilter {
        query: query.filter.query.clone(),
        user_ids: query.filter.user_ids.clone(),
    };
    let page = state
        .db
        .run(move |conn| members::list_members(conn, group.id, inherited, &filter, page_no, per_page))
        .await?;
    let ctx = state.view_context();
    let body = json_list(page.items.iter().map(|(m, u)| views::member(m, u, &ctx)));
    Ok(pagination::respond(
        &req,
        &state.public_url,
        paging,
        &page,
        None,
        body,
    ))
}

/// `GET /groups/:id/members`.
pub async fn list_members(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    query: Input<MemberListQuery>,
) -> Result<HttpResponse, ApiError> {
    member_list(req, state, caller, query, false).await
}

/// `GET /groups/:id/members/all`.
pub async fn list_all_members(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    query: Input<MemberListQuery>,
) -> Result<HttpResponse, ApiError> {
    member_list(req, state, caller, query, true).await
}

async fn one_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    inherited: bool,
) -> Result<HttpResponse, ApiError> {
    let user_id = path_id(&req, "user_id", "Member")?;
    let (group, _) = group_service::find(&state, caller.0.as_ref(), reference(&req)).await?;
    let (member, user) = state
        .db
        .run(move |conn| members::member_in(conn, group.id, inherited, user_id))
        .await?
        .ok_or(ApiError::NotFound("Member"))?;
    Ok(HttpResponse::Ok().json(views::member(&member, &user, &state.view_context())))
}

/// `GET /groups/:id/members/:user_id`.
pub async fn get_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    one_member(req, state, caller, false).await
}

/// `GET /groups/:id/members/all/:user_id`.
pub async fn get_inherited_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    one_member(req, state, caller, true).await
}

/// `POST /groups/:id/members`.
pub async fn add_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<AddMember>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let (member, user) = member_service::add(&state, &caller, reference(&req), input).await?;
    Ok(HttpResponse::Created().json(views::member(&member, &user, &state.view_context())))
}

/// `PUT /groups/:id/members/:user_id`.
pub async fn update_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<UpdateMember>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let user_id = path_id(&req, "user_id", "Member")?;
    let (member, user) = member_service::update(&state, &caller, reference(&req), user_id, input).await?;
    Ok(HttpResponse::Ok().json(views::member(&member, &user, &state.view_context())))
}

/// `DELETE /groups/:id/members/:user_id`.
pub async fn remove_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let user_id = path_id(&req, "user_id", "Member")?;
    member_service::remove(&state, &caller, reference(&req), user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /groups/:id/invitations` (Maintainers, Owners).
pub async fn list_invitations(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Input<InvitationListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.check()?;
    let paging = query.page.paging()?;
    let (page_no, per_page) = query.page.offset()?;
    let (group, role) = group_service::find(&state, Some(&caller), reference(&req)).await?;
    if !role.can_maintain() {
        return Err(ApiError::Forbidden(None));
    }
    let term = query.query.clone();
    let page = state
        .db
        .run(move |conn| {
            stored_invitations::list_invitations(conn, group.id, term.as_deref(), page_no, per_page)
        })
        .await?;
    let body = json_list(
        page.items
            .iter()
            .map(|(row, sender)| views::invitation(row, sender)),
    );
    Ok(pagination::respond(
        &req,
        &state.public_url,
        paging,
        &page,
        None,
        body,
    ))
}

/// `POST /groups/:id/invitations`.
pub async fn invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<Invite>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let refused = invitations::invite(&state, &caller, reference(&req), input).await?;
    Ok(HttpResponse::Created().json(if refused.is_empty() {
        views::InvitationOutcome {
            status: "success",
            message: None,
        }
    } else {
        views::InvitationOutcome {
            status: "error",
            message: Some(refused),
        }
    }))
}

fn invited_email(req: &HttpRequest) -> String {
    segment(req, "email")
}

/// `PUT /groups/:id/invitations/:email`.
pub async fn update_invitation(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<UpdateInvitation>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let (row, sender) =
        invitations::update(&state, &caller, reference(&req), invited_email(&req), input).await?;
    Ok(HttpResponse::Ok().json(views::invitation(&row, &sender)))
}

/// `DELETE /groups/:id/invitations/:email`.
pub async fn cancel_invitation(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    invitations::cancel(&state, &caller, reference(&req), invited_email(&req)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /invitations/accept` (Roster's): the caller joins the group.
pub async fn accept_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<AcceptInvitation>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let (member, user) = invitations::accept(&state, &caller, input.invite_token).await?;
    Ok(HttpResponse::Ok().json(views::member(&member, &user, &state.view_context())))
}

/// `GET /users/:id/memberships`: the user themselves and admins.
pub async fn list_memberships(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Input<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.check()?;
    let id = path_id(&req, "id", "User")?;
    if id != caller.user.id && !caller.user.is_admin {
        return Err(ApiError::Forbidden(None));
    }
    let paging = query.0.paging()?;
    let (page_no, per_page) = query.0.offset()?;
    let page = state
        .db
        .run_api(move |conn| {
            users::find_user(conn, id)?.ok_or(ApiError::NotFound("User"))?;
            Ok(members::memberships_of(conn, id, page_no, per_page)?)
        })
        .await?;
    let body = json_list(page.items.iter().map(|(m, g)| views::membership(m, g)));
    Ok(pagination::respond(
        &req,
        &state.public_url,
        paging,
        &page,
        None,
        body,
    ))
}

/// `GET /users/:id/associations_count`: the user themselves and admins.
/// GitLab's answer, whose projects, issues and merge requests Roster has
/// none of: what an admin tool reads before deleting a user.
pub async fn associations_count(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", "User")?;
    if id != caller.user.id && !caller.user.is_admin {
        return Err(ApiError::Forbidden(None));
    }
    let groups = state
        .db
        .run_api(move |conn| {
            users::find_user(conn, id)?.ok_or(ApiError::NotFound("User"))?;
            Ok(members::group_count_of(conn, id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "groups_count": groups,
        "projects_count": 0,
        "issues_count": 0,
        "merge_requests_count": 0,
    })))
}

/// `GET /groups/:id/access_tokens`.
pub async fn list_tokens(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let rows = group_tokens::list(&state, &caller, reference(&req)).await?;
    let today = today();
    Ok(HttpResponse::Ok().json(json_list(
        rows.iter()
            .map(|(row, level)| views::group_token(row, *level, today, None)),
    )))
}

/// `POST /groups/:id/access_tokens`.
pub async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    input: Input<CreateGroupToken>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let (row, level, secret) = group_tokens::create(&state, &caller, reference(&req), input).await?;
    Ok(HttpResponse::Created().json(views::group_token(
        &row,
        Some(level),
        today(),
        Some(secret.expose()),
    )))
}

/// `GET /groups/:id/access_tokens/:token_id`.
pub async fn get_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let token = path_id(&req, "token_id", "Group Access Token")?;
    let (row, level) = group_tokens::get(&state, &caller, reference(&req), token).await?;
    Ok(HttpResponse::Ok().json(views::group_token(&row, level, today(), None)))
}

/// `DELETE /groups/:id/access_tokens/:token_id`.
pub async fn revoke_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let token = path_id(&req, "token_id", "Group Access Token")?;
    group_tokens::revoke(&state, &caller, reference(&req), token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers the group routes (inside `/api/v4`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/groups", body_limit = MAX_UPLOAD_BODY_BYTES; GET => list_groups, POST => create_group);
    endpoint!(cfg, "/groups/{id}", body_limit = MAX_UPLOAD_BODY_BYTES; GET => get_group, PUT => update_group, DELETE => delete_group);
    endpoint!(cfg, "/groups/{id}/subgroups", GET => list_subgroups);
    endpoint!(cfg, "/groups/{id}/descendant_groups", GET => list_descendants);
    endpoint!(cfg, "/groups/{id}/members", GET => list_members, POST => add_member);
    endpoint!(cfg, "/groups/{id}/members/all", GET => list_all_members);
    endpoint!(cfg, "/groups/{id}/members/all/{user_id}", GET => get_inherited_member);
    endpoint!(cfg, "/groups/{id}/members/{user_id}", GET => get_member, PUT => update_member, DELETE => remove_member);
    endpoint!(cfg, "/groups/{id}/invitations", GET => list_invitations, POST => invite);
    endpoint!(cfg, "/groups/{id}/invitations/{email}", PUT => update_invitation, DELETE => cancel_invitation);
    endpoint!(cfg, "/groups/{id}/access_tokens", GET => list_tokens, POST => create_token);
    endpoint!(cfg, "/groups/{id}/access_tokens/{token_id}", GET => get_token, DELETE => revoke_token);
    endpoint!(cfg, "/invitations/accept", POST => accept_invitation);
    endpoint!(cfg, "/users/{id}/memberships", GET => list_memberships);
    endpoint!(cfg, "/users/{id}/associations_count", GET => associations_count);
}
