//! GitLab's service accounts (admin): bot users with their own personal
//! access tokens (made at `POST /users/:id/personal_access_tokens`).
use crate::endpoint;
use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::http::pagination;
use crate::inputs::service_accounts::{CreateServiceAccount, ServiceAccountQuery, SortDirection};
use crate::services;
use crate::state::AppState;
use crate::views;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_persistence::service_accounts;

/// `POST /service_accounts`: `201 {id, username, name, email}`.
pub async fn create_service_account(
    state: web::Data<AppState>,
    Admin(caller): Admin,
    input: Input<CreateServiceAccount>,
) -> Result<HttpResponse, ApiError> {
    let input = input.check()?;
    let user = services::service_accounts::create(&state, &caller, input).await?;
    Ok(HttpResponse::Created().json(views::service_account(&user)))
}

/// `GET /service_accounts`: `order_by` `id` or `username`, `sort`.
pub async fn list_service_accounts(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(_): Admin,
    query: Input<ServiceAccountQuery>,
) -> Result<HttpResponse, ApiError> {
    let ServiceAccountQuery { order, page } = query.check()?;
    let ascending = order.sort == SortDirection::asc;
    let paging = page.paging()?;
    let (page, per_page) = page.offset()?;
    let page = state
        .db
        .run(move |conn| service_accounts::list(conn, order.order_by, ascending, page, per_page))
        .await?;
    Ok(pagination::respond_rows(
        &req,
        &state.public_url,
        paging,
        &page,
        views::service_account,
    ))
}

/// Registers the service account routes (inside `/api/v4`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/service_accounts", GET => list_service_accounts, POST => create_service_account);
}
