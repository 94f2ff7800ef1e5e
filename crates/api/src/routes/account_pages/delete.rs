//! `/-/account/delete`: leaving, with the password (as `DELETE /user`).
use crate::http::error::ApiError;
use crate::http::input::parse;
use crate::http::page::{checked_form, form_status, FormState, PageResult, Person};
use crate::http::params::Params;
use crate::inputs::account::CurrentPassword;
use crate::routes::sign_in::message;
use crate::services::accounts;
use crate::state::AppState;
use crate::views::account_pages::DeletePage;
use crate::views::pages::render;
use actix_web::http::StatusCode;
use actix_web::web;

fn show(person: &Person, form: FormState) -> PageResult {
    Ok(person.browser.page(
        form_status(&form),
        render(&DeletePage {
            title: "Delete your account",
            nav: person.nav("delete"),
            form,
        }),
    ))
}

/// `GET /-/account/delete`.
pub async fn page(person: Person) -> PageResult {
    show(&person, FormState::new())
}

/// `POST /-/account/delete`: the account goes, and with it this session.
pub async fn submit(
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let deleted = match parse::<CurrentPassword>(&params) {
        Ok(input) => accounts::delete_self(&state, &person.caller, input).await,
        Err(e) => Err(e),
    };
    match deleted {
        Ok(()) => {
            let mut response = message(
                &person.browser,
                StatusCode::OK,
                "Account deleted",
                "Your account was deleted. Goodbye.".into(),
                None,
            );
            let removal = person.browser.removal(crate::http::browser::SESSION_COOKIE);
            if let Err(e) = response.add_cookie(&removal) {
                log::error!("could not clear the session cookie: {e}");
            }
            Ok(response)
        }
        Err(e) => show(
            &person,
            FormState::new().with_error(e).for_fields(&["current_password"]),
        ),
    }
}
