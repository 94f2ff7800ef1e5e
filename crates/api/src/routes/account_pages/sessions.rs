//! `/-/account/sessions`: browsers and applications signed in; signing
//! one out, or every other.
use super::done;
use crate::http::error::ApiError;
use crate::http::page::{checked_form, page_number, query_pairs, PageResult, Person, PER_PAGE};
use crate::http::params::Params;
use crate::routes::path_id;
use crate::services::audit::Actor;
use crate::services::authorizations;
use crate::services::user_sessions::{self, current_of};
use crate::state::AppState;
use crate::views::account_pages::SessionsPage;
use crate::views::console::Pager;
use crate::views::pages::render;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};

const PAGE: &str = "/-/account/sessions";

/// `GET /-/account/sessions`.
pub async fn page(req: HttpRequest, state: web::Data<AppState>, person: Person) -> PageResult {
    let (sessions, pager) = Pager::slice(
        user_sessions::list(&state, person.user().id, current_of(&person.caller)).await?,
        PAGE,
        page_number(&query_pairs(&req)),
        PER_PAGE,
    );
    let applications = authorizations::list(&state, person.user().id).await?;
    Ok(person.browser.page(
        StatusCode::OK,
        render(&SessionsPage {
            title: "Sessions and applications",
            nav: person.nav("sessions"),
            sessions,
            pager,
            applications,
        }),
    ))
}

/// `POST /-/account/sessions/end`: the session `id` of the list (as
/// `DELETE /user/sessions/:id`).
pub async fn end(state: web::Data<AppState>, person: Person, params: Result<Params, ApiError>) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let id = params
        .text("id")
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or(ApiError::NotFound("Session"))?;
    user_sessions::end(&state, person.user().id, id, Actor::of(&person.caller)).await?;
    Ok(done(&person, PAGE, "session_ended"))
}

/// `POST /-/account/sessions/end_others`: every session but this one.
pub async fn end_others(
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let current = current_of(&person.caller);
    user_sessions::end_all_but(&state, person.user().id, current, Actor::of(&person.caller)).await?;
    Ok(done(&person, PAGE, "sessions_ended"))
}

/// `POST /-/account/applications/:id/revoke`: withdraws the consent given
/// to an application and ends its access (as
/// `DELETE /user/authorized_applications/:id`).
pub async fn revoke_application(
    req: HttpRequest,
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", "Authorized application")?;
    authorizations::revoke(&state, Actor::of(&person.caller), person.user().id, id).await?;
    Ok(done(&person, PAGE, "application_revoked"))
}
