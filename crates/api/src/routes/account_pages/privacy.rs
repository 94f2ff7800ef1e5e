//! `/-/account/privacy`: who sees what, and preferences.
use super::done;
use crate::http::error::ApiError;
use crate::http::input::parse;
use crate::http::page::{checked_form, form_status, FormState, PageResult, Person};
use crate::http::params::Params;
use crate::inputs::account::UpdateOwnProfile;
use crate::inputs::social::Privacy;
use crate::services::{accounts, privacy};
use crate::state::AppState;
use crate::views::account_pages::PrivacyPage;
use crate::views::pages::render;
use actix_web::web;
use roster_persistence::emails;
use roster_persistence::users::UserRow;

const PAGE: &str = "/-/account/privacy";
const PREFERENCES: &[&str] = &["time_zone", "theme_id"];

fn flag(on: bool) -> String {
    on.to_string()
}

fn privacy_values(user: &UserRow) -> FormState {
    FormState::filled([
        ("private_profile".into(), flag(user.private_profile)),
        ("searchable".into(), flag(user.searchable)),
        ("show_followers".into(), flag(user.show_followers)),
        ("share_activity".into(), flag(user.share_activity)),
        (
            "public_email".into(),
            user.public_email.clone().unwrap_or_default(),
        ),
    ])
}

fn preference_values(user: &UserRow) -> FormState {
    FormState::filled([
        ("time_zone".into(), user.time_zone.clone().unwrap_or_default()),
        ("theme_id".into(), user.theme_id.to_string()),
    ])
}

async fn show(state: &AppState, person: &Person, form: FormState, preferences_form: FormState) -> PageResult {
    let id = person.user().id;
    let confirmed = state
        .db
        .run(move |conn| emails::confirmed_addresses(conn, id))
        .await?;
    let status = form_status(&form).max(form_status(&preferences_form));
    Ok(person.browser.page(
        status,
        render(&PrivacyPage {
            title: "Privacy and preferences",
            nav: person.nav("privacy"),
            form,
            preferences_form,
            confirmed,
        }),
    ))
}

/// `GET /-/account/privacy`.
pub async fn page(state: web::Data<AppState>, person: Person) -> PageResult {
    let user = person.user();
    show(&state, &person, privacy_values(user), preference_values(user)).await
}

/// `POST /-/account/privacy`: `PUT /user/privacy`'s service.
pub async fn submit(
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let saved = match parse::<Privacy>(&params) {
        Ok(input) => privacy::update_privacy(&state, person.user().id, input)
            .await
            .map(drop),
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(done(&person, PAGE, "privacy")),
        Err(e) => {
            let form = FormState::from_params(&params).with_error(e).for_fields(&[
                "private_profile",
                "searchable",
                "show_followers",
                "share_activity",
                "public_email",
            ]);
            show(&state, &person, form, preference_values(person.user())).await
        }
    }
}

/// `POST /-/account/preferences`: the time zone and theme, through
/// `PUT /user`'s service.
pub async fn preferences(
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let saved = match parse::<UpdateOwnProfile>(&params) {
        Ok(input) => accounts::update_profile(&state, &person.caller, input)
            .await
            .map(drop),
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(done(&person, PAGE, "preferences")),
        Err(e) => {
            let form = FormState::from_params(&params)
                .with_error(e)
                .for_fields(PREFERENCES);
            show(&state, &person, privacy_values(person.user()), form).await
        }
    }
}
