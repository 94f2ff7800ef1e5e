//! `/-/admin/hooks` and `/-/admin/hooks/:id`: system hooks and their
//! delivery log, with the services of `/hooks`.
use super::{done, page_number, query_pairs, PER_PAGE};
use crate::http::error::ApiError;
use crate::http::input::parse;
use crate::http::page::{checked_form, form_status, AdminPerson, FormState, PageResult, Person};
use crate::http::params::Params;
use crate::inputs::hooks::{CreateHook, UpdateHook};
use crate::routes::path_id;
use crate::services::audit::Actor;
use crate::services::hooks as hook_service;
use crate::state::AppState;
use crate::views::admin_pages::{HookPage, HooksPage};
use crate::views::console::Pager;
use crate::views::pages::render;
use actix_web::{web, HttpRequest};
use roster_persistence::system_hooks::{self, HookRow};

const HOOK: &str = "Hook";
const FIELDS: &[&str] = &[
    "url",
    "name",
    "token",
    "events",
    "enable_ssl_verification",
    "signing_secret",
];
/// More hooks than anyone keeps; the page lists them all.
const MOST: i64 = 500;

fn hook_path(id: i64) -> String {
    format!("/-/admin/hooks/{id}")
}

/// A form's hook fields as `POST /hooks` reads them: the checkbox asking
/// for a signing secret, the events typed with commas.
fn hook_params(mut params: Params) -> Params {
    params.drop_empty(&["events", "token"]);
    if params.text("generate_signing_secret").as_deref() == Some("true") {
        params.set("signing_secret", "generate");
    }
    params
}

async fn list_page(
    state: &AppState,
    person: &Person,
    form: FormState,
    signing_secret: Option<String>,
) -> PageResult {
    let hooks = state
        .db
        .run(|conn| system_hooks::list_hooks(conn, 1, MOST))
        .await?
        .items;
    Ok(person.browser.page(
        form_status(&form),
        render(&HooksPage {
            title: "System hooks",
            nav: person.nav("admin_hooks"),
            hooks,
            signing_secret,
            form,
        }),
    ))
}

/// `GET /-/admin/hooks`.
pub async fn list(state: web::Data<AppState>, AdminPerson(person): AdminPerson) -> PageResult {
    let form = FormState::filled([("enable_ssl_verification".to_owned(), "true".to_owned())]);
    list_page(&state, &person, form, None).await
}

/// `POST /-/admin/hooks`: `POST /hooks`'s service (the address checked
/// against server-side request forgery); a generated signing secret is
/// shown once.
pub async fn create(
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    let mut params = hook_params(checked_form(&person.browser, params)?);
    params.drop_empty(&["name"]);
    let created = match parse::<CreateHook>(&params) {
        Ok(input) => hook_service::create(&state, Actor::of(&person.caller), input).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(saved) => match saved.generated {
            Some(secret) => list_page(&state, &person, FormState::new(), Some(secret)).await,
            None => Ok(done(&person, &hook_path(saved.row.id), "hook_saved")),
        },
        Err(e) => {
            let form = FormState::from_params(&params).with_error(e).for_fields(FIELDS);
            list_page(&state, &person, form, None).await
        }
    }
}

fn values_of(hook: &HookRow) -> FormState {
    FormState::filled([
        ("url".to_owned(), hook.url.clone()),
        ("name".to_owned(), hook.name.clone().unwrap_or_default()),
        ("events".to_owned(), hook.events.clone().unwrap_or_default()),
        (
            "enable_ssl_verification".to_owned(),
            hook.enable_ssl_verification.to_string(),
        ),
    ])
}

async fn hook_page(
    req: &HttpRequest,
    state: &AppState,
    person: &Person,
    form: Option<FormState>,
) -> PageResult {
    let id = path_id(req, "id", HOOK)?;
    let hook = hook_service::find(state, id).await?;
    let pairs = query_pairs(req);
    let page = page_number(&pairs);
    let found = state
        .db
        .run(move |conn| system_hooks::list_deliveries(conn, id, page, PER_PAGE))
        .await?;
    let form = form.unwrap_or_else(|| values_of(&hook));
    Ok(person.browser.page(
        form_status(&form),
        render(&HookPage {
            title: format!(
                "System hook {}",
                hook.name.clone().unwrap_or_else(|| hook.url.clone())
            ),
            nav: person.nav("admin_hooks"),
            form,
            deliveries: found.items,
            pager: Pager::new(
                &hook_path(id),
                &pairs,
                page,
                PER_PAGE,
                found.total,
                found.has_more,
            ),
            hook,
        }),
    ))
}

/// `GET /-/admin/hooks/:id`.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
) -> PageResult {
    hook_page(&req, &state, &person, None).await
}

/// `POST /-/admin/hooks/:id`: `PUT /hooks/:id`'s service (saving enables
/// a hook disabled after failures).
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = hook_params(checked_form(&person.browser, params)?);
    let id = path_id(&req, "id", HOOK)?;
    let saved = match parse::<UpdateHook>(&params) {
        Ok(input) => hook_service::update(&state, Actor::of(&person.caller), id, input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(Some(_)) => Ok(done(&person, &hook_path(id), "hook_saved")),
        Ok(None) => Err(ApiError::NotFound(HOOK).into()),
        Err(e) => {
            let form = FormState::from_params(&params).with_error(e).for_fields(FIELDS);
            hook_page(&req, &state, &person, Some(form)).await
        }
    }
}

/// `POST /-/admin/hooks/:id/test`: GitLab's sample event, sent now.
pub async fn test(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", HOOK)?;
    hook_service::test(&state, id).await?;
    Ok(done(&person, &hook_path(id), "hook_tested"))
}

/// `POST /-/admin/hooks/:id/delete`.
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", HOOK)?;
    if !hook_service::delete(&state, Actor::of(&person.caller), id).await? {
        return Err(ApiError::NotFound(HOOK).into());
    }
    Ok(done(&person, "/-/admin/hooks", "hook_deleted"))
}

/// `POST /-/admin/hooks/:id/deliveries/:delivery_id/redeliver`.
pub async fn redeliver(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", HOOK)?;
    let delivery = path_id(&req, "delivery_id", "Delivery")?;
    hook_service::redeliver(&state, id, delivery).await?;
    Ok(done(&person, &hook_path(id), "redelivered"))
}
