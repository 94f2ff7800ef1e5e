//! Custom attributes (admin): string key/value pairs on a user.
use super::path_id;
use crate::endpoint;
use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::http::input::Input;
use crate::inputs::custom_attributes::CustomAttributeValue;
use crate::state::AppState;
use crate::views;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_domain::AttributeKey;
use roster_persistence::users;

const USER: &str = "User";
const ATTRIBUTE: &str = "Custom Attribute";

fn key_of(req: &HttpRequest) -> Result<String, ApiError> {
    Ok(AttributeKey::parse(req.match_info().get("key").unwrap_or_default())?.into_inner())
}

/// `GET /users/:id/custom_attributes`.
pub async fn list_attributes(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", USER)?;
    let rows = state
        .db
        .run_api(move |conn| {
            users::find_user(conn, id)?.ok_or(ApiError::NotFound(USER))?;
            Ok(roster_persistence::custom_attributes::custom_attributes_of(
                conn,
                &[id],
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(views::custom_attribute).collect::<Vec<_>>()))
}

/// `GET /users/:id/custom_attributes/:key`.
pub async fn get_attribute(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", USER)?;
    let key = key_of(&req)?;
    let row = state
        .db
        .run_api(move |conn| {
            users::find_user(conn, id)?.ok_or(ApiError::NotFound(USER))?;
            roster_persistence::custom_attributes::custom_attribute(conn, id, &key)?
                .ok_or(ApiError::NotFound(ATTRIBUTE))
        })
        .await?;
    Ok(HttpResponse::Ok().json(views::custom_attribute(&row)))
}

/// `PUT /users/:id/custom_attributes/:key` with `value`: creates or replaces.
pub async fn set_attribute(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Admin,
    input: Input<CustomAttributeValue>,
) -> Result<HttpResponse, ApiError> {
    let CustomAttributeValue { value } = input.check()?;
    let id = path_id(&req, "id", USER)?;
    let key = key_of(&req)?;
    let row = state
        .db
        .run_api(move |conn| {
            users::find_user(conn, id)?.ok_or(ApiError::NotFound(USER))?;
            Ok(roster_persistence::custom_attributes::set_custom_attribute(
                conn, id, &key, &value,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(views::custom_attribute(&row)))
}

/// `DELETE /users/:id/custom_attributes/:key`.
pub async fn delete_attribute(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Admin,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id", USER)?;
    let key = key_of(&req)?;
    let deleted = state
        .db
        .run_api(move |conn| {
            users::find_user(conn, id)?.ok_or(ApiError::NotFound(USER))?;
            Ok(roster_persistence::custom_attributes::delete_custom_attribute(
                conn, id, &key,
            )?)
        })
        .await?;
    if deleted {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound(ATTRIBUTE))
    }
}

/// Registers the custom attribute routes inside `/api/v4`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/users/{id}/custom_attributes", GET => list_attributes);
    endpoint!(cfg, "/users/{id}/custom_attributes/{key}", GET => get_attribute, PUT => set_attribute, DELETE => delete_attribute);
}
