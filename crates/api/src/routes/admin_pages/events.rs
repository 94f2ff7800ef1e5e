//! `/-/admin/events`: the security event log, with `GET /audit_events`'s
//! filters, newest first, 20 to a page.
use super::{api_query, page_number, query_pairs, PER_PAGE};
use crate::http::page::{form_status, AdminPerson, FormState, PageResult};
use crate::inputs::queries::AuditQuery;
use crate::routes::audit::filter_of;
use crate::state::AppState;
use crate::views::admin_pages::EventsPage;
use crate::views::console::Pager;
use crate::views::pages::render;
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
    let mut filters = FormState::filled(pairs.iter().cloned());
    let found = match api_query::<AuditQuery>(&pairs, FILTERS, &[]) {
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
    let status = form_status(&filters);
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
