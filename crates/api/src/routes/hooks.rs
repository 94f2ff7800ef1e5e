//! GitLab's system hooks API (`/hooks`, admin), with Roster's delivery log.
use super::path_id;
use crate::endpoint;
use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::http::pagination;
use crate::inputs::hooks::{CreateHook, UpdateHook};
use crate::inputs::queries::PageQuery;
use crate::services;
use crate::services::audit::Actor;
use crate::state::AppState;
use crate::views::hooks::{DeliveryView, HookView};
use actix_web::{web, HttpRequest, HttpResponse};
use roster_persistence::{now, system_hooks};

const HOOK: &str = "Hook";

/// `GET /hooks`.
pub async fn list_hooks(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(_): Admin,
    query: Input<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let PageQuery(page) = query.check()?;
    let paging = page.paging()?;
    let (page, per_page) = page.offset()?;
    let page = state
        .db
        .run(move |conn| system_hooks::list_hooks(conn, page, per_page))
        .await?;
    let at = now();
    Ok(pagination::respond_rows(
        &req,
        &state.public_url,
        paging,
        &page,
        |row| HookView::of(row, at, None),
    ))
}

/// `POST /hooks`: `201` with the hook (and a generated secret, once).
pub async fn create_hook(
    state: web::Data<AppState>,
    Admin(caller): Admin,
    input: Input<CreateHook>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let saved = services::hooks::create(&state, Actor::of(&caller), input).await?;
    Ok(HttpResponse::Created().json(HookView::of(&saved.row, now(), saved.generated)))
}

/// `GET /hooks/:id`.
pub async fn get_hook(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(_): Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", HOOK)?;
    let row = services::hooks::find(&state, id).await?;
    Ok(HttpResponse::Ok().json(HookView::of(&row, now(), None)))
}

/// `PUT /hooks/:id`.
pub async fn update_hook(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
    input: Input<UpdateHook>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let id = path_id(&req, "id", HOOK)?;
    let saved = services::hooks::update(&state, Actor::of(&caller), id, input)
        .await?
        .ok_or(ApiError::NotFound(HOOK))?;
    Ok(HttpResponse::Ok().json(HookView::of(&saved.row, now(), saved.generated)))
}

/// `DELETE /hooks/:id`: `204`.
pub async fn delete_hook(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(caller): Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", HOOK)?;
    if !services::hooks::delete(&state, Actor::of(&caller), id).await? {
        return Err(ApiError::NotFound(HOOK));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /hooks/:id`: sends a test event; `201` with the data sent.
pub async fn test_hook(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(_): Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", HOOK)?;
    let sent = services::hooks::test(&state, id).await?;
    Ok(HttpResponse::Created().json(sent))
}

/// `GET /hooks/:id/deliveries`: the delivery log, newest first.
pub async fn list_deliveries(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(_): Admin,
    query: Input<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let PageQuery(page) = query.check()?;
    let id = path_id(&req, "id", HOOK)?;
    let paging = page.paging()?;
    let (page, per_page) = page.offset()?;
    let page = state
        .db
        .run_api(move |conn| {
            system_hooks::find_hook(conn, id)?.ok_or(ApiError::NotFound(HOOK))?;
            Ok(system_hooks::list_deliveries(conn, id, page, per_page)?)
        })
        .await?;
    Ok(pagination::respond_rows(
        &req,
        &state.public_url,
        paging,
        &page,
        |row| DeliveryView::from(row),
    ))
}

/// `POST /hooks/:id/deliveries/:delivery_id/redeliver`: `201` with the
/// delivery as logged after the new try.
pub async fn redeliver(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(_): Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", HOOK)?;
    let delivery = path_id(&req, "delivery_id", "Delivery")?;
    let row = services::hooks::redeliver(&state, id, delivery).await?;
    Ok(HttpResponse::Created().json(DeliveryView::from(&row)))
}

/// Registers the system hook routes (inside `/api/v4`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/hooks", GET => list_hooks, POST => create_hook);
    endpoint!(cfg, "/hooks/{id}", GET => get_hook, PUT => update_hook, DELETE => delete_hook, POST => test_hook);
    endpoint!(cfg, "/hooks/{id}/deliveries", GET => list_deliveries);
    endpoint!(cfg, "/hooks/{id}/deliveries/{delivery_id}/redeliver", POST => redeliver);
}
