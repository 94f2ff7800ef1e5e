//! `GET /-/testkit/mail`: the mail a `roster testkit serve` instance
//! captured, so a test in any language reads a confirmation or reset link
//! without an SMTP server. Registered only in that mode (`Settings::testkit`),
//! never by `roster serve`; it is not part of the API or its OpenAPI document.
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views;
use actix_web::{web, HttpRequest, HttpResponse};
use roster_persistence::outbox;
use serde::Deserialize;
use serde_json::json;

/// The most messages one answer holds.
const MAX_MESSAGES: i64 = 1000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MailQuery {
    /// Only messages to this address.
    to: Option<String>,
    /// At most this many (default 100).
    limit: Option<i64>,
}

/// Newest first: `[{id, kind, to, subject, text, created_at, sent_at}]`.
async fn mail(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let query: MailQuery = serde_urlencoded::from_str(req.query_string())
        .map_err(|e| ApiError::BadRequest(format!("query: {e} (known: to, limit)")))?;
    let limit = match query.limit {
        None => 100,
        Some(n) if (1..=MAX_MESSAGES).contains(&n) => n,
        Some(_) => return Err(ApiError::Param(format!("limit must be 1 to {MAX_MESSAGES}"))),
    };
    let to = query.to.map(|t| t.trim().to_lowercase());
    let rows = state
        .db
        .run(move |conn| outbox::list(conn, to.as_deref(), limit))
        .await?;
    let body: Vec<_> = rows
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "kind": m.kind,
                "to": m.recipient,
                "subject": m.subject,
                "text": m.body_text,
                "created_at": views::time(m.created_at),
                "sent_at": m.sent_at.map(views::time),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

/// Registers the testkit's routes (only called in testkit mode).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/-/testkit/mail").route(web::get().to(mail)));
}
