//! `/-/account`: the profile and the avatar.
use super::done;
use crate::http::error::ApiError;
use crate::http::input::parse;
use crate::http::page::{checked_form, form_status, FormState, PageResult, Person};
use crate::http::params::Params;
use crate::inputs::account::UpdateOwnProfile;
use crate::inputs::avatar::NewAvatar;
use crate::services::{accounts, avatars};
use crate::state::AppState;
use crate::views::account_pages::ProfilePage;
use crate::views::pages::render;
use actix_web::web;
use roster_persistence::users::UserRow;

/// The fields of the profile form (any other field's problem shows above it).
const FIELDS: &[&str] = &[
    "name",
    "username",
    "email",
    "pronouns",
    "bio",
    "location",
    "organization",
    "job_title",
    "website_url",
    "time_zone",
    "current_password",
];

fn values_of(user: &UserRow) -> FormState {
    FormState::filled([
        ("name".into(), user.name.clone()),
        ("username".into(), user.username.clone()),
        ("email".into(), user.email.clone()),
        ("pronouns".into(), user.pronouns.clone().unwrap_or_default()),
        ("bio".into(), user.bio.clone()),
        ("location".into(), user.location.clone()),
        ("organization".into(), user.organization.clone()),
        ("job_title".into(), user.job_title.clone()),
        ("website_url".into(), user.website_url.clone()),
        ("time_zone".into(), user.time_zone.clone().unwrap_or_default()),
    ])
}

fn show(person: &Person, form: FormState, avatar_form: FormState) -> PageResult {
    let user = person.user();
    let status = form_status(&form).max(form_status(&avatar_form));
    Ok(person.browser.page(
        status,
        render(&ProfilePage {
            title: "Your profile",
            nav: person.nav("profile"),
            form,
            avatar_form,
            avatar_url: user
                .avatar
                .as_ref()
                .map(|name| format!("/uploads/avatars/{name}")),
            unconfirmed_email: user.unconfirmed_email.clone(),
        }),
    ))
}

/// `GET /-/account`.
pub async fn page(person: Person) -> PageResult {
    show(&person, values_of(person.user()), FormState::new())
}

/// `POST /-/account`: `PUT /user`'s service and rules.
pub async fn submit(
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let saved = match parse::<UpdateOwnProfile>(&params) {
        Ok(input) => accounts::update_profile(&state, &person.caller, input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(done(&person, "/-/account", "profile")),
        Err(e) => show(
            &person,
            FormState::from_params(&params).with_error(e).for_fields(FIELDS),
            FormState::new(),
        ),
    }
}

/// `POST /-/account/avatar`: a multipart upload, checked and cleaned as
/// `PUT /user/avatar` does.
pub async fn upload_avatar(
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    let params = checked_form(&person.browser, params)?;
    let stored = match parse::<NewAvatar>(&params) {
        Ok(input) => avatars::store_for(&state, person.user().id, input.upload).await,
        Err(e) => Err(e),
    };
    match stored {
        Ok(_) => Ok(done(&person, "/-/account", "avatar")),
        Err(e) => show(
            &person,
            values_of(person.user()),
            FormState::new().with_error(e).for_fields(&["avatar"]),
        ),
    }
}

/// `POST /-/account/avatar/remove`.
pub async fn remove_avatar(
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    avatars::remove(&state, person.user().id).await?;
    Ok(done(&person, "/-/account", "avatar_removed"))
}
