//! `/-/account/tokens`: personal access tokens; a new one is shown once.
use super::done;
use crate::http::error::ApiError;
use crate::http::input::parse;
use crate::http::page::{
    checked_form, form_status, page_number, query_pairs, FormState, PageResult, Person, PER_PAGE,
};
use crate::http::params::Params;
use crate::inputs::tokens::CreateToken;
use crate::routes::path_id;
use crate::services::audit::Actor;
use crate::services::tokens::{self, Made};
use crate::state::AppState;
use crate::views::account_pages::TokensPage;
use crate::views::console::Pager;
use crate::views::pages::render;
use actix_web::{web, HttpRequest};
use roster_persistence::personal_tokens::{self, PatFilter};

const PAGE: &str = "/-/account/tokens";

async fn show(
    state: &AppState,
    person: &Person,
    form: FormState,
    new_token: Option<String>,
    page: i64,
) -> PageResult {
    let filter = PatFilter {
        user_id: Some(person.user().id),
        active: Some(true),
        today: Some(chrono::Utc::now().date_naive()),
        ..PatFilter::default()
    };
    let found = state
        .db
        .run(move |conn| personal_tokens::list_pats(conn, &filter, page, PER_PAGE))
        .await?;
    let pager = Pager::new(PAGE, &[], page, PER_PAGE, found.total, found.has_more);
    Ok(person.browser.page(
        form_status(&form),
        render(&TokensPage {
            title: "Access tokens",
            nav: person.nav("tokens"),
            tokens: found.items,
            pager,
            new_token,
            form,
        }),
    ))
}

/// `GET /-/account/tokens`.
pub async fn page(req: HttpRequest, state: web::Data<AppState>, person: Person) -> PageResult {
    let page = page_number(&query_pairs(&req));
    show(&state, &person, FormState::new(), None, page).await
}

/// `POST /-/account/tokens`: `POST /user/personal_access_tokens`'s
/// service; the page that answers shows the token, once.
pub async fn create(
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    let mut params = checked_form(&person.browser, params)?;
    params.drop_empty(&["expires_at"]);
    let made = match parse::<CreateToken>(&params) {
        Ok(input) => {
            let actor = Actor::of(&person.caller);
            tokens::create(&state, actor, person.user().id, input, Made::Personal).await
        }
        Err(e) => Err(e),
    };
    match made {
        Ok((_, secret)) => {
            show(
                &state,
                &person,
                FormState::new(),
                Some(secret.expose().to_owned()),
                1,
            )
            .await
        }
        Err(e) => {
            let scopes = params.list("scopes").unwrap_or_default();
            let mut form =
                FormState::from_params(&params)
                    .with_error(e)
                    .for_fields(&["name", "expires_at", "scopes"]);
            for scope in scopes {
                form = form.with_value(&format!("scope_{scope}"), "true");
            }
            show(&state, &person, form, None, 1).await
        }
    }
}

/// `POST /-/account/tokens/:id/revoke`: one of the person's own tokens.
pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    person: Person,
    params: Result<Params, ApiError>,
) -> PageResult {
    checked_form(&person.browser, params)?;
    let id = path_id(&req, "id", "Token")?;
    let owner = person.user().id;
    let row = state
        .db
        .run(move |conn| personal_tokens::find_pat(conn, id))
        .await?
        .filter(|t| t.user_id == owner && !t.impersonation)
        .ok_or(ApiError::NotFound("Token"))?;
    tokens::revoke(&state, Actor::of(&person.caller), &row).await?;
    Ok(done(&person, PAGE, "token_revoked"))
}
