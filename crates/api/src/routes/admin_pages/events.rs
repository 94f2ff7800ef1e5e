//! `/-/admin/events`: the security event log, with `GET /audit_events`'s
//! filters, newest first, 20 to a page.
use super::{page_number, query_pairs, PER_PAGE};
use crate::http::input::parse;
use crate::http::page::{AdminPerson, FormState, PageResult};
use crate::http::params::Params;
use crate::inputs::queries::AuditQuery;
use crate::routes::audit::filter_of;
use crate::state::AppState;
use crate::views::admin_pages::EventsPage;
use crate::views::console::Pager;
use crate::views::pages::render;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use roster_persistence::audit;

const FILTERS: &[&str] = &[
    "event_name",
    "entity_type",
    "entity_id",
    "author_id",
    "created_after",
    "created_before",
];

/// `GET /-/admin/events`.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    AdminPerson(person): AdminPerson,
) -> PageResult {
    let pairs = query_pairs(&req);
    let page = page_number(&pairs);
    // The API's own query, so each filter means what it means there.
    let query: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, v)| FILTERS.contains(&k.as_str()) && !v.trim().is_empty())
        .cloned()
        .collect();
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&query)
        .finish();
    let mut filters = FormState::filled(pairs.iter().cloned());
    let found = match Params::from_query(&encoded).and_then(|p| parse::<AuditQuery>(&p)) {
        Ok(q) => {
            let filter = filter_of(&q);
            Some(
                state
                    .db
                    .run(move |conn| audit::list(conn, &filter, page, PER_PAGE))
                    .await?,
            )
        }
        Err(e) => {
            filters = filters.with_error(e).for_fields(FILTERS);
            None
        }
    };
    let status = if filters.has_errors() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let (events, total, has_more) =
        found.map_or((Vec::new(), Some(0), false), |p| (p.items, p.total, p.has_more));
    Ok(person.browser.page(
        status,
        render(&EventsPage {
            title: "Security events",
            nav: person.nav("admin_events"),
            filters,
            events,
            pager: Pager::new("/-/admin/events", &pairs, page, PER_PAGE, total, has_more),
        }),
    ))
}
