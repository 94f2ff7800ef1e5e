//! `/-/account/emails`: the person's other addresses.
use super::done;
use crate::http::error::ApiError;
use crate::http::input::parse;
use crate::http::page::{checked_form, form_status, FormState, PageResult, Person};
use crate::http::params::Params;
use crate::inputs::account::EmailRequest;
use crate::routes::path_id;
use crate::services::emails;
use crate::state::AppState;
use crate::views::account_pages::EmailsPage;
use crate::views::pages::render;
use actix_web::{web, HttpRequest};

const PAGE: &str = "/-/account/emails";

async fn show(state: &AppState, person: &Person, form: FormState) -> PageResult {
    let user = person.user();
    let rows = emails::list(state, user.id).await?;
    Ok(person.browser.page(
        form_status(&form),
        render(&EmailsPage {
            title: "E-mail addresses",
            nav: person.nav("emails"),
            primary: user.email.clone(),
            unconfirmed_email: user.unconfirmed_email.clone(),
            emails: rows,
            form,
            recent: person.checked_recently(),
        }),
    ))
}

/// `GET /-/account/emails`.
pub async fn page(state: web::Data<AppState>, person: Person) -> PageResult {
    show(&state, &person, FormState::new()).await
}

/// `POST /-/account/emails`: a sensitive change (the password again after
/// ten minutes), then `POST /user/emails`'s service.
pub async fn add(state: web::Data<AppState>, person: Person, params: Result<Params, ApiError>) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let added = match person.confirm_password(&state, &params).await {
        Ok(()) => match parse::<EmailRequest>(&params) {
            Ok(input) => emails::add_own(&state, person.user().id, input.email)
                .await
                .map(drop),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match added {
        Ok(()) => Ok(done(&person, PAGE, "email_added")),
        Err(e) => {
            let form = FormState::from_params(&params)
                .with_error(e)
                .for_fields(&["email", "current_password"]);
            show(&state, &person, form).await
        }
    }
}

/// `POST /-/account/emails/:id/delete`.
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", "Email")?;
    emails::remove(&state, person.user().id, id).await?;
    Ok(done(&person, PAGE, "email_removed"))
}

/// `POST /-/account/emails/:id/resend`: a new confirmation link.
pub async fn resend(
    req: HttpRequest,
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", "Email")?;
    emails::resend(&state, person.user().id, id).await?;
    Ok(done(&person, PAGE, "email_sent"))
}
