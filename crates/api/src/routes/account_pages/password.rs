//! `/-/account/password`.
use super::done;
use crate::http::error::ApiError;
use crate::http::input::parse;
use crate::http::page::{checked_form, form_status, FormState, PageResult, Person};
use crate::http::params::Params;
use crate::inputs::account::ChangePassword;
use crate::services::accounts;
use crate::state::AppState;
use crate::views::account_pages::PasswordPage;
use crate::views::pages::render;
use actix_web::web;

fn show(person: &Person, form: FormState) -> PageResult {
    Ok(person.browser.page(
        form_status(&form),
        render(&PasswordPage {
            title: "Password",
            nav: person.nav("password"),
            form,
        }),
    ))
}

/// `GET /-/account/password`.
pub async fn page(person: Person) -> PageResult {
    show(&person, FormState::new())
}

/// `POST /-/account/password`: `PUT /user/password`'s service; this
/// browser stays signed in, every other session ends.
pub async fn submit(
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let changed = match parse::<ChangePassword>(&params) {
        Ok(input) => accounts::change_password(&state, &person.caller, input).await,
        Err(e) => Err(e),
    };
    match changed {
        Ok(()) => Ok(done(&person, "/-/account/password", "password")),
        Err(e) => show(
            &person,
            FormState::new().with_error(e).for_fields(&[
                "current_password",
                "password",
                "password_confirmation",
            ]),
        ),
    }
}
