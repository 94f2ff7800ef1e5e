//! Offset and keyset pagination: reading `page`/`per_page`/`cursor` and writing
//! GitLab's headers (`X-Page`, `X-Total`, `Link`, …).
use actix_web::{HttpRequest, HttpResponse};
use roster_persistence::{Page, PageRequest};

/// Rows per page when none is asked for.
pub const DEFAULT_PER_PAGE: i64 = 20;
/// Most rows per page; larger requests are cut to this, as in GitLab.
pub const MAX_PER_PAGE: i64 = 100;

/// The page a request asks for.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// What to ask storage for.
    pub request: PageRequest,
}

/// The cursor of the keyset page after `id`: the id itself. Clients treat
/// it as opaque and follow the `Link` header; being a plain number, the
/// OpenAPI document can say exactly what a valid one looks like.
pub fn encode_cursor(id: i64) -> String {
    id.to_string()
}

/// The id a keyset cursor starts after.
pub fn decode_cursor(cursor: &str) -> Option<i64> {
    let cursor = cursor.trim();
    if cursor.is_empty() || cursor.len() > 18 || !cursor.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    cursor.parse().ok()
}

fn link(base: &str, req: &HttpRequest, replace: &[(&str, String)]) -> String {
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    pairs.retain(|(k, _)| !replace.iter().any(|(r, _)| r == k));
    pairs.extend(replace.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{base}{}?{query}", req.path())
}

/// A 200 answer of an offset page: each row shown through `view`, with the
/// pagination headers.
pub fn respond_rows<T, V: serde::Serialize>(
    req: &HttpRequest,
    public_url: &str,
    paging: Paging,
    page: &Page<T>,
    view: impl Fn(&T) -> V,
) -> HttpResponse {
    let body = page
        .items
        .iter()
        .map(|row| serde_json::to_value(view(row)).unwrap_or_default())
        .collect();
    respond(req, public_url, paging, page, None, body)
}

/// A 200 answer with the page's rows and pagination headers. `last_id` is
/// the id of the last row, for the keyset cursor ([`respond_rows`] is the
/// usual offset case).
pub fn respond<T>(
    req: &HttpRequest,
    public_url: &str,
    paging: Paging,
    page: &Page<T>,
    last_id: Option<i64>,
    body: Vec<serde_json::Value>,
) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    let per_page = paging.request.per_page();
    response.insert_header(("X-Per-Page", per_page.to_string()));
    let mut links = Vec::new();
    match paging.request {
        PageRequest::Offset { page: current, .. } => {
            let next = if page.has_more {
                (current + 1).to_string()
            } else {
                String::new()
            };
            let prev = if current > 1 {
                (current - 1).to_string()
            } else {
                String::new()
            };
            response.insert_header(("X-Page", current.to_string()));
            response.insert_header(("X-Next-Page", next.clone()));
            response.insert_header(("X-Prev-Page", prev.clone()));
            let per = ("per_page", per_page.to_string());
            let at = |p: String| link(public_url, req, &[("page", p), per.clone()]);
            if !prev.is_empty() {
                links.push(format!("<{}>; rel=\"prev\"", at(prev)));
            }
            if !next.is_empty() {
                links.push(format!("<{}>; rel=\"next\"", at(next)));
            }
            links.push(format!("<{}>; rel=\"first\"", at("1".into())));
            if let Some(total) = page.total {
                let pages = ((total + per_page - 1) / per_page).max(1);
                response.insert_header(("X-Total", total.to_string()));
                response.insert_header(("X-Total-Pages", pages.to_string()));
                links.push(format!("<{}>; rel=\"last\"", at(pages.to_string())));
            }
        }
        PageRequest::Keyset { .. } => {
            if let (true, Some(id)) = (page.has_more, last_id) {
                let next = link(
                    public_url,
                    req,
                    &[("cursor", encode_cursor(id)), ("per_page", per_page.to_string())],
                );
                links.push(format!("<{next}>; rel=\"next\""));
            }
        }
    }
    if !links.is_empty() {
        response.insert_header(("Link", links.join(", ")));
    }
    response.json(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        assert_eq!(decode_cursor("not-a-number"), None);
        assert_eq!(decode_cursor("-1"), None);
        assert_eq!(decode_cursor("9999999999999999999"), None);
    }
}
