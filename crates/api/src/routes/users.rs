//! `/users` and `/user`: lists, views, admin create/update/delete, state changes.
use super::path_id;
use crate::endpoint;
use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::http::input::{BatchInput, Input};
use crate::http::pagination;
use crate::http::params::MAX_UPLOAD_BODY_BYTES;
use crate::inputs::import::{ImportOptions, ImportUser};
use crate::inputs::queries::{UserListQuery, UserQuery};
use crate::inputs::users::{CreateUser, UpdateUser};
use crate::services;
use crate::services::audit::Actor;
use crate::services::user_views;
use crate::state::AppState;
use crate::views;
use crate::views::UserExtras;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_domain::{ProfileView, Transition, Viewer};
use roster_persistence::user_list::{self, UserFilter, UserOrder};
use roster_persistence::users;

const USER: &str = "User";

/// What `GET /users` lists for `viewer` (admins see more filters work).
pub fn filter_of(query: &UserListQuery, viewer: Viewer) -> UserFilter {
    let admin = viewer.is_admin();
    let f = &query.filter;
    UserFilter {
        search: f.search.clone(),
        search_emails: admin,
        username: f.username.clone(),
        active: f.active.unwrap_or(false),
        blocked: f.blocked.unwrap_or(false),
        external: admin && f.external.unwrap_or(false),
        admins: admin && f.admins.unwrap_or(false),
        two_factor: f.two_factor.filter(|_| admin),
        created_after: f.created_after,
        created_before: f.created_before,
        identity: match (f.provider.clone(), f.extern_uid.clone()) {
            (None, None) => None,
            pair if admin => Some(pair),
            _ => None,
        },
        custom_attributes: if admin {
            f.custom_attributes.clone()
        } else {
            Vec::new()
        },
        hide_unsearchable: viewer.search_hides_unsearchable().then_some(match viewer {
            Viewer::User { id, .. } => Some(id),
            Viewer::Anonymous => None,
        }),
    }
}

/// `GET /users`.
pub async fn list_users(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Input<UserListQuery>,
) -> Result<HttpResponse, ApiError> {
    // The caller, the page and what its views need in one trip to the database.
    let (_, (paging, level, page, extras)) =
        crate::http::auth::maybe_authenticate_then(&req, move |conn, viewer| {
            let query = query.check()?;
            let order = query.filter.order_by;
            let descending = query.filter.descending();
            let filter = filter_of(&query, viewer);
            let with_custom_attributes = query.filter.with_custom_attributes.unwrap_or(false);
            let paging = query.page.paging(order == UserOrder::Id)?;
            let level = viewer.list_view();
            let page = user_list::list_users(conn, &filter, order, descending, paging.request)?;
            let mut extras = UserExtras::default();
            if level == ProfileView::Admin {
                let ids: Vec<i64> = page.items.iter().map(|u| u.id).collect();
                extras.identities = users::identities_of(conn, &ids)?;
                if with_custom_attributes {
                    extras.custom_attributes = Some(
                        roster_persistence::custom_attributes::custom_attributes_of(conn, &ids)?,
                    );
                }
            }
            Ok((paging, level, page, extras))
        })
        .await?;
    let body = views::users(&page.items, level, &extras, &state.view_context());
    let last_id = page.items.last().map(|u| u.id);
    Ok(pagination::respond(
        &req,
        &state.public_url,
        paging,
        &page,
        last_id,
        body,
    ))
}

/// `GET /users/:id`.
pub async fn get_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Input<UserQuery>,
) -> Result<HttpResponse, ApiError> {
    // A bad id is answered after a bad token, as everywhere else.
    let id = path_id(&req, "id", USER);
    let query = query.check();
    // The caller and the user's view in one trip to the database.
    let (_, found) = crate::http::auth::maybe_authenticate_then(&req, move |conn, viewer| {
        let with_custom_attributes = query?.with_custom_attributes.unwrap_or(false);
        Ok(user_views::load_view(
            conn,
            id?,
            viewer,
            None,
            with_custom_attributes,
        )?)
    })
    .await?;
    let (row, level, extras) = found.ok_or(ApiError::NotFound(USER))?;
    Ok(HttpResponse::Ok().json(views::user(&row, level, &extras, &state.view_context())))
}

/// `GET /user`.
pub async fn current_user(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    // Every client calls this to check its token: one trip to the database.
    let (caller, extras) =
        crate::http::auth::authenticate_then(&req, |conn, caller| user_views::own_extras(conn, &caller.user))
            .await?;
    Ok(HttpResponse::Ok().json(user_views::own_view_with(&state, &caller.user, &extras)))
}

/// `POST /users` (admin).
pub async fn create_user(
    state: web::Data<AppState>,
    Admin(caller): Admin,
    input: Input<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let shown = services::users::create_user(&state, Actor::of(&caller), caller.viewer(), input).await?;
    Ok(HttpResponse::Created().json(shown.render(&state)))
}

/// The largest import body: a thousand users with a few keys each.
const IMPORT_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// `POST /users/import` (admin): many users at once (§13).
pub async fn import_users(
    state: web::Data<AppState>,
    Admin(caller): Admin,
    input: BatchInput<ImportUser, ImportOptions>,
) -> Result<HttpResponse, ApiError> {
    let batch = input.check()?;
    let results = services::import::import_users(&state, Actor::of(&caller), batch).await?;
    Ok(HttpResponse::Ok().json(results))
}

/// `PUT /users/:id` (admin).
pub async fn update_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
    input: Input<UpdateUser>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let id = path_id(&req, "id", USER)?;
    if caller.user.id == id && input.changes.is_admin == Some(false) {
        return Err(ApiError::Forbidden(Some(
            "You cannot remove your own admin rights.".into(),
        )));
    }
    let shown = services::users::update_user(&state, Actor::of(&caller), caller.viewer(), id, input)
        .await?
        .ok_or(ApiError::NotFound(USER))?;
    Ok(HttpResponse::Ok().json(shown.render(&state)))
}

/// `DELETE /users/:id` (admin).
pub async fn delete_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", USER)?;
    services::users::delete_user(&state, &caller, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn transition(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
    t: Transition,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", USER)?;
    let changed = services::users::change_state(&state, &caller, id, t).await?;
    Ok(HttpResponse::Created().json(changed.then_some(true)))
}

/// `POST /users/:id/block`.
pub async fn block_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<HttpResponse, ApiError> {
    transition(req, state, admin, Transition::Block).await
}

/// `POST /users/:id/unblock`.
pub async fn unblock_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<HttpResponse, ApiError> {
    transition(req, state, admin, Transition::Unblock).await
}

/// `POST /users/:id/deactivate`.
pub async fn deactivate_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<HttpResponse, ApiError> {
    transition(req, state, admin, Transition::Deactivate).await
}

/// `POST /users/:id/activate`.
pub async fn activate_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<HttpResponse, ApiError> {
    transition(req, state, admin, Transition::Activate).await
}

/// `POST /users/:id/ban` (admin): GitLab's moderation; `201 true`, or `403
/// {"message": "You cannot ban blocked users."}` for anyone not active.
pub async fn ban_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<HttpResponse, ApiError> {
    transition(req, state, admin, Transition::Ban).await
}

/// `POST /users/:id/unban` (admin): a banned user is active again.
pub async fn unban_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<HttpResponse, ApiError> {
    transition(req, state, admin, Transition::Unban).await
}

/// `POST /users/:id/approve` (admin): a sign-up waiting for approval
/// becomes active: `201 {"message": "Success"}`, `409` when not pending.
pub async fn approve_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", USER)?;
    services::users::change_state(&state, &caller, id, Transition::Approve).await?;
    Ok(HttpResponse::Created().json(serde_json::json!({ "message": "Success" })))
}

/// `POST /users/:id/reject` (admin): a sign-up waiting for approval is
/// deleted and told by mail: `200 {"message": "Success"}` as GitLab
/// answers, `409` when not pending.
pub async fn reject_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", USER)?;
    services::users::reject_sign_up(&state, &caller, id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "message": "Success" })))
}

/// `POST /users/:id/confirm` (admin): confirms the primary address now.
pub async fn confirm_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", USER)?;
    services::users::confirm_user(&state, &caller, id).await?;
    Ok(HttpResponse::Created().json(true))
}

/// `DELETE /users/:id/identities/:provider` (admin).
pub async fn delete_identity(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", USER)?;
    let provider = req.match_info().get("provider").unwrap_or_default().to_owned();
    services::users::unlink_identity(&state, &caller, id, provider).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers the user routes (inside `/api/v4`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/users", body_limit = MAX_UPLOAD_BODY_BYTES; GET => list_users, POST => create_user);
    // Before `/users/{id}`, which would take `import` for an id.
    endpoint!(cfg, "/users/import", body_limit = IMPORT_BODY_LIMIT; POST => import_users);
    endpoint!(cfg, "/users/{id}", body_limit = MAX_UPLOAD_BODY_BYTES; GET => get_user, PUT => update_user, DELETE => delete_user);
    endpoint!(cfg, "/users/{id}/block", POST => block_user, PUT => block_user);
    endpoint!(cfg, "/users/{id}/unblock", POST => unblock_user, PUT => unblock_user);
    endpoint!(cfg, "/users/{id}/deactivate", POST => deactivate_user, PUT => deactivate_user);
    endpoint!(cfg, "/users/{id}/activate", POST => activate_user, PUT => activate_user);
    endpoint!(cfg, "/users/{id}/ban", POST => ban_user);
    endpoint!(cfg, "/users/{id}/unban", POST => unban_user);
    endpoint!(cfg, "/users/{id}/approve", POST => approve_user);
    endpoint!(cfg, "/users/{id}/reject", POST => reject_user);
    endpoint!(cfg, "/users/{id}/confirm", POST => confirm_user);
    endpoint!(cfg, "/users/{id}/identities/{provider}", DELETE => delete_identity);
}
