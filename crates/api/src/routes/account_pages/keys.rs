//! `/-/account/keys`: the person's SSH keys.
use super::done;
use crate::http::error::ApiError;
use crate::http::input::parse;
use crate::http::page::{
    checked_form, form_status, page_number, query_pairs, FormState, PageResult, Person, PER_PAGE,
};
use crate::http::params::Params;
use crate::inputs::keys::AddKey;
use crate::routes::path_id;
use crate::services::audit::Actor;
use crate::services::keys as keys_service;
use crate::state::AppState;
use crate::views::account_pages::KeysPage;
use crate::views::console::Pager;
use crate::views::pages::render;
use actix_web::{web, HttpRequest};
use roster_persistence::keys;

const PAGE: &str = "/-/account/keys";

async fn show(state: &AppState, person: &Person, form: FormState, page: i64) -> PageResult {
    let id = person.user().id;
    let (rows, pager) = Pager::slice(
        state.db.run(move |conn| keys::keys_of(conn, id)).await?,
        PAGE,
        page,
        PER_PAGE,
    );
    Ok(person.browser.page(
        form_status(&form),
        render(&KeysPage {
            title: "SSH keys",
            nav: person.nav("keys"),
            keys: rows,
            pager,
            form,
        }),
    ))
}

/// `GET /-/account/keys`.
pub async fn page(req: HttpRequest, state: web::Data<AppState>, person: Person) -> PageResult {
    let page = page_number(&query_pairs(&req));
    show(&state, &person, FormState::new(), page).await
}

/// `POST /-/account/keys`: `POST /user/keys`'s service and rules.
pub async fn add(state: web::Data<AppState>, person: Person, params: Result<Params, ApiError>) -> PageResult {
    let mut params = checked_form(&person.browser, params)?;
    params.drop_empty(&["expires_at"]);
    let added = match parse::<AddKey>(&params) {
        Ok(input) => keys_service::add(&state, Actor::of(&person.caller), person.user().id, input)
            .await
            .map(drop),
        Err(e) => Err(e),
    };
    match added {
        Ok(()) => Ok(done(&person, PAGE, "key_added")),
        Err(e) => {
            let form = FormState::from_params(&params).with_error(e).for_fields(&[
                "key",
                "title",
                "usage_type",
                "expires_at",
            ]);
            show(&state, &person, form, 1).await
        }
    }
}

/// `POST /-/account/keys/:id/delete`.
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", "Key")?;
    let (_, removed) = keys_service::remove(&state, Actor::of(&person.caller), person.user().id, id).await?;
    if !removed {
        return Err(ApiError::NotFound("Key").into());
    }
    Ok(done(&person, PAGE, "key_removed"))
}
