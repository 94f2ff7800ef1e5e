//! `/-/admin/users/:id` and its actions, `/-/admin/users/new`,
//! `/-/admin/users/:id/edit`: the services of `POST/PUT/DELETE /users`,
//! the state changes, confirmation, resets, two-factor and sessions.
use super::done;
use crate::http::error::ApiError;
use crate::http::input::parse;
use crate::http::page::{
    checked_form, form_status, page_number_of, query_pairs, AdminPerson, FormState, PageExit, PageResult,
    Person, PER_PAGE,
};
use crate::http::params::Params;
use crate::inputs::users::{CreateUser, UpdateUser};
use crate::routes::path_id;
use crate::services::audit::Actor;
use crate::services::user_sessions::{self, Current};
use crate::services::{emails, keys as keys_service, tokens, two_factor, users as user_service};
use crate::state::AppState;
use crate::views::admin_pages::{UserFormPage, UserPage};
use crate::views::console::{role_name, PagedList, Pager};
use crate::views::pages::render;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use roster_domain::{Transition, UserState};
use roster_persistence::personal_tokens::{self, PatFilter};
use roster_persistence::users::{self, UserRow};
use roster_persistence::{keys, members};

const USER: &str = "User";
const FIELDS: &[&str] = &[
    "name",
    "username",
    "email",
    "password",
    "skip_confirmation",
    "admin",
    "external",
    "can_create_group",
    "projects_limit",
    "note",
];
/// More of a user's keys, tokens or groups than anyone has: each list is
/// read whole, then shown [`PER_PAGE`] at a time.
const MOST: i64 = 5000;

/// The page's lists, each with its own page in the query.
const KEYS: PagedList = PagedList {
    param: "keys_page",
    label: "Pages of the SSH keys",
};
const TOKENS: PagedList = PagedList {
    param: "tokens_page",
    label: "Pages of the tokens",
};
const SESSIONS: PagedList = PagedList {
    param: "sessions_page",
    label: "Pages of the sessions",
};
const GROUPS: PagedList = PagedList {
    param: "groups_page",
    label: "Pages of the memberships",
};

fn user_path(id: i64) -> String {
    format!("/-/admin/users/{id}")
}

async fn find(state: &AppState, id: i64) -> Result<UserRow, PageExit> {
    state
        .db
        .run(move |conn| users::find_user(conn, id))
        .await?
        .ok_or(PageExit::NotFound)
}

/// The actions the console offers on `user`, as its state allows.
fn actions_for(user: &UserRow, admin: &UserRow) -> Vec<(&'static str, &'static str, bool)> {
    let mut actions = Vec::new();
    let own = user.id == admin.id;
    match UserState::from_stored(&user.state) {
        Some(UserState::Active) if !own => {
            actions.push(("block", "Block", false));
            actions.push(("deactivate", "Deactivate", false));
            actions.push(("ban", "Ban", false));
        }
        Some(UserState::Blocked) => actions.push(("unblock", "Unblock", false)),
        Some(UserState::Deactivated) => actions.push(("activate", "Activate", false)),
        Some(UserState::Banned) => actions.push(("unban", "Unban", false)),
        Some(UserState::PendingApproval) => {
            actions.push(("approve", "Approve", false));
            actions.push(("reject", "Reject and delete", true));
        }
        _ => {}
    }
    if user.confirmed_at.is_none() {
        actions.push(("confirm", "Confirm the address", false));
    }
    if UserState::from_stored(&user.state) == Some(UserState::Active) && !user.is_bot() {
        actions.push(("send_reset", "Send a password reset", false));
    }
    if user.two_factor_enabled && !user.is_admin {
        actions.push(("disable_two_factor", "Turn off two-factor", false));
    }
    if !own {
        actions.push(("delete", "Delete the user", true));
    }
    actions
}

/// The page of `list` that `pairs` ask for, of `rows` read whole.
fn paged<T>(list: PagedList, rows: Vec<T>, path: &str, pairs: &[(String, String)]) -> (Vec<T>, Pager) {
    Pager::slice_of(
        list,
        rows,
        path,
        pairs,
        page_number_of(pairs, list.param),
        PER_PAGE,
    )
}

/// `GET /-/admin/users/:id`.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
) -> PageResult {
    let id = path_id(&req, "id", USER)?;
    let user = find(&state, id).await?;
    let (rows, key_rows, tokens, memberships) = state
        .db
        .run(move |conn| {
            let filter = PatFilter {
                user_id: Some(id),
                active: Some(true),
                today: Some(chrono::Utc::now().date_naive()),
                ..PatFilter::default()
            };
            let mut tokens = personal_tokens::list_pats(conn, &filter, 1, MOST)?.items;
            let impersonation = PatFilter {
                impersonation: true,
                ..filter
            };
            tokens.extend(personal_tokens::list_pats(conn, &impersonation, 1, MOST)?.items);
            Ok((
                roster_persistence::emails::secondary_emails(conn, id)?,
                keys::keys_of(conn, id)?,
                tokens,
                members::memberships_of(conn, id, 1, MOST)?.items,
            ))
        })
        .await?;
    let sessions = user_sessions::list(&state, id, Current::None).await?;
    let pairs = query_pairs(&req);
    let path = user_path(id);
    let (key_rows, keys_pager) = paged(KEYS, key_rows, &path, &pairs);
    let (tokens, tokens_pager) = paged(TOKENS, tokens, &path, &pairs);
    let (sessions, sessions_pager) = paged(SESSIONS, sessions, &path, &pairs);
    let (memberships, groups_pager) = paged(GROUPS, memberships, &path, &pairs);
    Ok(person.browser.page(
        StatusCode::OK,
        render(&UserPage {
            title: format!("User {}", user.username),
            nav: person.nav("admin_users"),
            actions: actions_for(&user, person.user()),
            user,
            emails: rows,
            keys: key_rows,
            keys_pager,
            tokens,
            tokens_pager,
            sessions,
            sessions_pager,
            memberships: memberships
                .into_iter()
                .map(|(m, g)| (g.id, g.full_path, role_name(m.access_level)))
                .collect(),
            groups_pager,
        }),
    ))
}

/// `POST /-/admin/users/:id/:action`: one of the actions the page offers.
pub async fn act(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", USER)?;
    let action = req.match_info().get("action").unwrap_or_default();
    let caller = &person.caller;
    let transition = |t| user_service::change_state(&state, caller, id, t);
    let notice = match action {
        "block" => transition(Transition::Block).await.map(|_| "state")?,
        "unblock" => transition(Transition::Unblock).await.map(|_| "state")?,
        "deactivate" => transition(Transition::Deactivate).await.map(|_| "state")?,
        "activate" => transition(Transition::Activate).await.map(|_| "state")?,
        "ban" => transition(Transition::Ban).await.map(|_| "state")?,
        "unban" => transition(Transition::Unban).await.map(|_| "state")?,
        "approve" => transition(Transition::Approve).await.map(|_| "state")?,
        "reject" => {
            user_service::reject_sign_up(&state, caller, id).await?;
            return Ok(done(&person, "/-/admin/users", "user_deleted"));
        }
        "delete" => {
            user_service::delete_user(&state, caller, id).await?;
            return Ok(done(&person, "/-/admin/users", "user_deleted"));
        }
        "confirm" => user_service::confirm_user(&state, caller, id)
            .await
            .map(|()| "confirmed")?,
        "send_reset" => user_service::send_reset(&state, caller, id)
            .await
            .map(|()| "reset_sent")?,
        "disable_two_factor" => two_factor::disable_for(&state, caller, id)
            .await
            .map(|()| "two_factor_disabled")?,
        _ => return Err(PageExit::NotFound),
    };
    Ok(done(&person, &user_path(id), notice))
}

/// `POST /-/admin/users/:id/emails/:item/delete`.
pub async fn remove_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", USER)?;
    let item = path_id(&req, "item", "Email")?;
    if emails::remove(&state, id, item).await? == roster_persistence::emails::EmailDeletion::Missing {
        return Err(PageExit::NotFound);
    }
    Ok(done(&person, &user_path(id), "email_removed"))
}

/// `POST /-/admin/users/:id/keys/:item/delete`.
pub async fn remove_key(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", USER)?;
    let item = path_id(&req, "item", "Key")?;
    let (_, removed) = keys_service::remove(&state, Actor::of(&person.caller), id, item).await?;
    if !removed {
        return Err(PageExit::NotFound);
    }
    Ok(done(&person, &user_path(id), "key_removed"))
}

/// `POST /-/admin/users/:id/tokens/:item/revoke`.
pub async fn revoke_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", USER)?;
    let item = path_id(&req, "item", "Token")?;
    let row = state
        .db
        .run(move |conn| personal_tokens::find_pat(conn, item))
        .await?
        .filter(|t| t.user_id == id)
        .ok_or(PageExit::NotFound)?;
    tokens::revoke(&state, Actor::of(&person.caller), &row).await?;
    Ok(done(&person, &user_path(id), "token_revoked"))
}

/// `POST /-/admin/users/:id/sessions/end`: every session of the user
/// (the admin's own current one stays, on their own account).
pub async fn end_sessions(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", USER)?;
    find(&state, id).await?;
    let keep = if id == person.user().id {
        user_sessions::current_of(&person.caller)
    } else {
        Current::None
    };
    user_sessions::end_all_but(&state, id, keep, Actor::of(&person.caller)).await?;
    Ok(done(&person, &user_path(id), "sessions_ended"))
}

fn form_page(person: &Person, title: String, action: String, creating: bool, form: FormState) -> PageResult {
    Ok(person.browser.page(
        form_status(&form),
        render(&UserFormPage {
            title,
            nav: person.nav("admin_users"),
            action,
            creating,
            form,
        }),
    ))
}

/// `GET /-/admin/users/new`.
pub async fn new_page(AdminPerson(person): AdminPerson) -> PageResult {
    let form = FormState::filled([("projects_limit".to_owned(), "100000".to_owned())]);
    form_page(
        &person,
        "New user".into(),
        "/-/admin/users/new".into(),
        true,
        form,
    )
}

/// `POST /-/admin/users/new`: `POST /users`'s service; without a
/// password the new user is mailed a link to choose one.
pub async fn create(
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    let mut params = checked_form(&person.browser, params)?;
    params.drop_empty(&["password", "projects_limit", "note"]);
    if !params.has("password") {
        params.set("reset_password", "true");
    }
    let created = match parse::<CreateUser>(&params) {
        Ok(input) => {
            let viewer = person.caller.viewer();
            user_service::create_user(&state, Actor::of(&person.caller), viewer, input).await
        }
        Err(e) => Err(e),
    };
    match created {
        Ok(shown) => Ok(done(&person, &user_path(shown.row.id), "user_created")),
        Err(e) => {
            let form = FormState::from_params(&params).with_error(e).for_fields(FIELDS);
            form_page(
                &person,
                "New user".into(),
                "/-/admin/users/new".into(),
                true,
                form,
            )
        }
    }
}

fn values_of(user: &UserRow) -> FormState {
    FormState::filled([
        ("name".into(), user.name.clone()),
        ("username".into(), user.username.clone()),
        ("email".into(), user.email.clone()),
        ("admin".into(), user.is_admin.to_string()),
        ("external".into(), user.external.to_string()),
        ("can_create_group".into(), user.can_create_group.to_string()),
        ("projects_limit".into(), user.projects_limit.to_string()),
        ("note".into(), user.note.clone()),
    ])
}

/// `GET /-/admin/users/:id/edit`.
pub async fn edit_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
) -> PageResult {
    let id = path_id(&req, "id", USER)?;
    let user = find(&state, id).await?;
    let title = format!("Edit {}", user.username);
    form_page(
        &person,
        title,
        format!("/-/admin/users/{id}/edit"),
        false,
        values_of(&user),
    )
}

/// `POST /-/admin/users/:id/edit`: `PUT /users/:id`'s service and rules.
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    let mut params = checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", USER)?;
    let user = find(&state, id).await?;
    params.drop_empty(&["password", "projects_limit"]);
    let saved = match parse::<UpdateUser>(&params) {
        Ok(input) => {
            let viewer = person.caller.viewer();
            user_service::update_user(&state, Actor::of(&person.caller), viewer, id, input).await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(Some(_)) => Ok(done(&person, &user_path(id), "user_saved")),
        Ok(None) => Err(PageExit::NotFound),
        Err(e) => {
            let form = FormState::from_params(&params).with_error(e).for_fields(FIELDS);
            let title = format!("Edit {}", user.username);
            form_page(&person, title, format!("/-/admin/users/{id}/edit"), false, form)
        }
    }
}
