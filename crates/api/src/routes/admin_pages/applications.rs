//! `/-/admin/applications`: OAuth applications, with the services of
//! `/applications`; a new secret is shown once.
use super::done;
use crate::http::error::ApiError;
use crate::http::input::parse;
use crate::http::page::{checked_form, form_status, AdminPerson, FormState, PageResult, Person};
use crate::http::params::Params;
use crate::inputs::applications::CreateApplication;
use crate::routes::path_id;
use crate::services::applications as app_service;
use crate::services::audit::Actor;
use crate::state::AppState;
use crate::views::admin_pages::ApplicationsPage;
use crate::views::pages::render;
use actix_web::{web, HttpRequest};
use roster_persistence::applications::{self, ApplicationRow};

const PAGE: &str = "/-/admin/applications";

async fn show(
    state: &AppState,
    person: &Person,
    form: FormState,
    created: Option<(ApplicationRow, String)>,
) -> PageResult {
    let rows = state.db.run(applications::list_applications).await?;
    Ok(person.browser.page(
        form_status(&form),
        render(&ApplicationsPage {
            title: "OAuth applications",
            nav: person.nav("admin_applications"),
            applications: rows,
            created: created.map(|(row, secret)| (row.name, row.uid, secret)),
            form,
        }),
    ))
}

/// `GET /-/admin/applications`.
pub async fn list(state: web::Data<AppState>, AdminPerson(person): AdminPerson) -> PageResult {
    let form = FormState::filled([
        ("scopes".to_owned(), "openid profile email".to_owned()),
        ("confidential".to_owned(), "true".to_owned()),
    ]);
    show(&state, &person, form, None).await
}

/// `POST /-/admin/applications`: `POST /applications`'s service; the page
/// that answers shows the secret, once.
pub async fn create(
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let created = match parse::<CreateApplication>(&params) {
        Ok(input) => app_service::create(&state, Actor::of(&person.caller), input).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(made) => show(&state, &person, FormState::new(), Some(made)).await,
        Err(e) => {
            let form = FormState::from_params(&params).with_error(e).for_fields(&[
                "name",
                "redirect_uri",
                "scopes",
                "confidential",
                "trusted",
            ]);
            show(&state, &person, form, None).await
        }
    }
}

/// `POST /-/admin/applications/:id/renew`: a new secret, shown once.
pub async fn renew(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", "Application")?;
    let renewed = app_service::renew_secret(&state, Actor::of(&person.caller), id).await?;
    show(&state, &person, FormState::new(), Some(renewed)).await
}

/// `POST /-/admin/applications/:id/delete`.
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", "Application")?;
    app_service::delete(&state, Actor::of(&person.caller), id).await?;
    Ok(done(&person, PAGE, "application_deleted"))
}
