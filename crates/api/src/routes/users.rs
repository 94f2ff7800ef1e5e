//! `/users` and `/user`: lists, views, admin create/update/delete, state changes.
use super::path_id;
use crate::auth::Caller;
use crate::endpoint;
use crate::error::ApiError;
use crate::pagination;
use crate::params::Params;
use crate::params::{parse_bool, MAX_UPLOAD_BODY_BYTES};
use crate::services;
use crate::services::audit;
use crate::services::user_views;
use crate::state::AppState;
use crate::views;
use crate::views::UserExtras;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use roster_domain::{ProfileView, StateChange, Transition, Viewer};
use roster_persistence::social;
use roster_persistence::user_list::{self, UserFilter, UserOrder};
use roster_persistence::users;
use serde_json::json;

const USER: &str = "User";

pub(crate) fn parse_time(name: &str, value: &str) -> Result<NaiveDateTime, ApiError> {
    let value = value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.naive_utc());
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
        .map_err(|_| ApiError::InvalidParam(name.into()))
}

fn read_order(params: &Params) -> Result<(UserOrder, bool), ApiError> {
    let order = match params.text("order_by").as_deref().map(str::trim) {
        None | Some("") | Some("id") => UserOrder::Id,
        Some("name") => UserOrder::Name,
        Some("username") => UserOrder::Username,
        Some("created_at") => UserOrder::CreatedAt,
        Some("updated_at") => UserOrder::UpdatedAt,
        Some("last_activity_on") => UserOrder::LastActivityOn,
        Some(_) => return Err(ApiError::Param("order_by does not have a valid value".into())),
    };
    let descending = match params.text("sort").as_deref().map(str::trim) {
        None | Some("") => true,
        Some("desc") => true,
        Some("asc") => false,
        Some(_) => return Err(ApiError::Param("sort does not have a valid value".into())),
    };
    Ok((order, descending))
}

/// `custom_attributes[key]=value` pairs of the query.
fn custom_attribute_filters(params: &Params) -> Vec<(String, String)> {
    params
        .keys()
        .filter_map(|k| {
            let key = k.strip_prefix("custom_attributes[")?.strip_suffix(']')?;
            Some((key.to_owned(), params.text(k)?))
        })
        .collect()
}

fn read_filter(params: &Params, viewer: Viewer) -> Result<UserFilter, ApiError> {
    let admin = viewer.is_admin();
    let mut f = params.fields();
    let filter = UserFilter {
        search: params.text("search"),
        search_emails: admin,
        username: params.text("username"),
        active: f.boolean("active").unwrap_or(false),
        blocked: f.boolean("blocked").unwrap_or(false),
        external: admin && f.boolean("external").unwrap_or(false),
        admins: admin && f.boolean("admins").unwrap_or(false),
        created_after: params
            .text("created_after")
            .map(|v| parse_time("created_after", &v))
            .transpose()?,
        created_before: params
            .text("created_before")
            .map(|v| parse_time("created_before", &v))
            .transpose()?,
        identity: match (params.text("extern_uid"), params.text("provider")) {
            (Some(uid), Some(provider)) if admin => Some((provider, uid)),
            (Some(_), None) if admin => return Err(ApiError::Missing(vec!["provider".into()])),
            (None, Some(_)) if admin => return Err(ApiError::Missing(vec!["extern_uid".into()])),
            _ => None,
        },
        custom_attributes: if admin {
            custom_attribute_filters(params)
        } else {
            Vec::new()
        },
        hide_unsearchable: viewer.search_hides_unsearchable().then_some(match viewer {
            Viewer::User { id, .. } => Some(id),
            Viewer::Anonymous => None,
        }),
    };
    if let Err(ApiError::Validation(fields)) = f.finish() {
        let name = fields.keys().next().cloned().unwrap_or_default();
        return Err(ApiError::InvalidParam(name));
    }
    Ok(filter)
}

/// `GET /users`.
pub async fn list_users(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    // The caller, the page and what its views need in one trip to the database.
    let (_, (paging, level, page, extras)) =
        crate::auth::maybe_authenticate_then(&req, move |conn, viewer| {
            let (order, descending) = read_order(&params)?;
            let filter = read_filter(&params, viewer)?;
            let with_custom_attributes = wants_custom_attributes(&params);
            let paging = pagination::read(&params, order == UserOrder::Id)?;
            let level = viewer.list_view();
            let page = user_list::list_users(conn, &filter, order, descending, paging.request)?;
            let mut extras = UserExtras::default();
            if level == ProfileView::Admin {
                let ids: Vec<i64> = page.items.iter().map(|u| u.id).collect();
                extras.identities = users::identities_of(conn, &ids)?;
                if with_custom_attributes {
                    extras.custom_attributes = Some(social::custom_attributes_of(conn, &ids)?);
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

fn wants_custom_attributes(params: &Params) -> bool {
    params
        .raw("with_custom_attributes")
        .and_then(parse_bool)
        .unwrap_or(false)
}

/// `GET /users/:id`.
pub async fn get_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    // A bad id is answered after a bad token, as everywhere else.
    let id = path_id(&req, "id", USER);
    let with_custom_attributes = wants_custom_attributes(&params);
    // The caller and the user's view in one trip to the database.
    let (_, found) = crate::auth::maybe_authenticate_then(&req, move |conn, viewer| {
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
        crate::auth::authenticate_then(&req, |conn, caller| user_views::own_extras(conn, &caller.user))
            .await?;
    Ok(HttpResponse::Ok().json(user_views::own_view_with(&state, &caller.user, &extras)))
}

/// `POST /users` (admin).
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let user = services::users::create_user(&state, &params).await?;
    audit::by(
        &state,
        &caller,
        "user_created",
        user.id,
        json!({"username": user.username}),
    )
    .await;
    let view = user_views::view_of(&state, user.id, caller.viewer(), Some(ProfileView::Admin), true).await?;
    Ok(HttpResponse::Created().json(view))
}

/// `PUT /users/:id` (admin).
pub async fn update_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let id = path_id(&req, "id", USER)?;
    if caller.user.id == id && params.raw("admin").and_then(parse_bool) == Some(false) {
        return Err(ApiError::Forbidden(Some(
            "You cannot remove your own admin rights.".into(),
        )));
    }
    services::users::update_user(&state, id, &params)
        .await?
        .ok_or(ApiError::NotFound(USER))?;
    let fields: Vec<&String> = params
        .keys()
        .filter(|k| !matches!(k.as_str(), "password" | "avatar"))
        .collect();
    let password_set = params.has("password");
    audit::by(
        &state,
        &caller,
        "user_updated",
        id,
        json!({"fields": fields, "password_set": password_set}),
    )
    .await;
    let view = user_views::view_of(&state, id, caller.viewer(), Some(ProfileView::Admin), true).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `DELETE /users/:id` (admin).
pub async fn delete_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let id = path_id(&req, "id", USER)?;
    if caller.user.id == id {
        return Err(ApiError::Forbidden(Some(
            "You cannot delete yourself here; use DELETE /api/v4/user.".into(),
        )));
    }
    if state.db.run(move |conn| users::delete_user(conn, id)).await? {
        audit::by(&state, &caller, "user_deleted", id, serde_json::Value::Null).await;
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound(USER))
    }
}

async fn transition(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    t: Transition,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let id = path_id(&req, "id", USER)?;
    if caller.user.id == id && t != Transition::Activate && t != Transition::Unblock {
        return Err(ApiError::Forbidden(Some(
            "You cannot change the state of your own account.".into(),
        )));
    }
    let changed = state
        .db
        .run_api(move |conn| {
            roster_persistence::write_transaction(conn, |conn| {
                let user = users::find_user(conn, id)?.ok_or(ApiError::NotFound(USER))?;
                let current = roster_domain::UserState::from_stored(&user.state)
                    .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("unknown state {:?}", user.state)))?;
                match current.apply(t) {
                    StateChange::To(next) => {
                        users::set_state(conn, id, next.as_str())?;
                        Ok(true)
                    }
                    StateChange::Unchanged => Ok(false),
                    StateChange::Forbidden(why) => Err(ApiError::Forbidden(Some(why.into()))),
                }
            })
        })
        .await?;
    if changed {
        let name = match t {
            Transition::Block => "user_blocked",
            Transition::Unblock => "user_unblocked",
            Transition::Deactivate => "user_deactivated",
            Transition::Activate => "user_activated",
        };
        audit::by(&state, &caller, name, id, serde_json::Value::Null).await;
    }
    let body = if changed {
        serde_json::Value::Bool(true)
    } else {
        serde_json::Value::Null
    };
    Ok(HttpResponse::Created().json(body))
}

/// `POST /users/:id/block`.
pub async fn block_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    transition(req, state, caller, Transition::Block).await
}

/// `POST /users/:id/unblock`.
pub async fn unblock_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    transition(req, state, caller, Transition::Unblock).await
}

/// `POST /users/:id/deactivate`.
pub async fn deactivate_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    transition(req, state, caller, Transition::Deactivate).await
}

/// `POST /users/:id/activate`.
pub async fn activate_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    transition(req, state, caller, Transition::Activate).await
}

/// `POST /users/:id/confirm` (admin): confirms the primary address now.
pub async fn confirm_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let id = path_id(&req, "id", USER)?;
    if state.db.run(move |conn| users::confirm_primary(conn, id)).await? {
        Ok(HttpResponse::Created().json(true))
    } else {
        Err(ApiError::NotFound(USER))
    }
}

/// `DELETE /users/:id/identities/:provider` (admin).
pub async fn delete_identity(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let id = path_id(&req, "id", USER)?;
    let provider = req.match_info().get("provider").unwrap_or_default().to_owned();
    let (user_exists, deleted) = state
        .db
        .run(move |conn| {
            let exists = users::find_user(conn, id)?.is_some();
            let deleted = exists && users::delete_identity(conn, id, &provider)?;
            Ok((exists, deleted))
        })
        .await?;
    match (user_exists, deleted) {
        (false, _) => Err(ApiError::NotFound(USER)),
        (true, false) => Err(ApiError::NotFound("Identity")),
        (true, true) => Ok(HttpResponse::NoContent().finish()),
    }
}

/// Registers the user routes (inside `/api/v4`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    endpoint!(cfg, "/users", body_limit = MAX_UPLOAD_BODY_BYTES; GET => list_users, POST => create_user);
    endpoint!(cfg, "/users/{id}", body_limit = MAX_UPLOAD_BODY_BYTES; GET => get_user, PUT => update_user, DELETE => delete_user);
    endpoint!(cfg, "/users/{id}/block", POST => block_user, PUT => block_user);
    endpoint!(cfg, "/users/{id}/unblock", POST => unblock_user, PUT => unblock_user);
    endpoint!(cfg, "/users/{id}/deactivate", POST => deactivate_user, PUT => deactivate_user);
    endpoint!(cfg, "/users/{id}/activate", POST => activate_user, PUT => activate_user);
    endpoint!(cfg, "/users/{id}/confirm", POST => confirm_user);
    endpoint!(cfg, "/users/{id}/identities/{provider}", DELETE => delete_identity);
}
