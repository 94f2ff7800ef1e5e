//! Offset and keyset pagination: reading `page`/`per_page`/`cursor` and writing
//! GitLab's headers (`X-Page`, `X-Total`, `Link`, …).
use crate::error::ApiError;
use crate::params::Params;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
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

fn encode_cursor(id: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{{\"id\":{id}}}"))
}

fn decode_cursor(cursor: &str) -> Option<i64> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("id")?.as_i64()
}

/// Reads the paging parameters. `keyset_ok` says whether this request may use
/// keyset pagination (only lists ordered by id can).
pub fn read(params: &Params, keyset_ok: bool) -> Result<Paging, ApiError> {
    let mut fields = params.fields();
    let page = fields.integer("page", i64::MIN..=i64::MAX).unwrap_or(1).max(1);
    let per_page = fields
        .integer("per_page", i64::MIN..=i64::MAX)
        .unwrap_or(DEFAULT_PER_PAGE)
        .clamp(1, MAX_PER_PAGE);
    if fields.has_errors() {
        let name = if params
            .text("page")
            .is_some_and(|p| p.trim().parse::<i64>().is_err())
        {
            "page"
        } else {
            "per_page"
        };
        return Err(ApiError::InvalidParam(name.into()));
    }
    match params.text("pagination").as_deref() {
        None | Some("offset") => Ok(Paging {
            request: PageRequest::Offset { page, per_page },
        }),
        Some("keyset") => {
            if !keyset_ok {
                return Err(ApiError::MethodNotAllowedKeyset);
            }
            let after = match params.text("cursor") {
                None => None,
                Some(c) => Some(decode_cursor(&c).ok_or_else(|| ApiError::InvalidParam("cursor".into()))?),
            };
            Ok(Paging {
                request: PageRequest::Keyset { after, per_page },
            })
        }
        Some(_) => Err(ApiError::InvalidParam("pagination".into())),
    }
}

fn link(base: &str, req: &HttpRequest, replace: &[(&str, String)]) -> String {
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    pairs.retain(|(k, _)| !replace.iter().any(|(r, _)| r == k));
    pairs.extend(replace.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{base}{}?{query}", req.path())
}

/// A 200 answer with the page's rows and pagination headers. `last_id` is
/// the id of the last row, for the keyset cursor.
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
        assert_eq!(decode_cursor("not-base64!"), None);
        assert_eq!(decode_cursor("e30"), None); // {}
    }

    #[test]
    fn reads_and_clamps() {
        let p = Params::from_query("page=0&per_page=1000").unwrap();
        let paging = read(&p, false).unwrap();
        assert_eq!(
            paging.request,
            PageRequest::Offset {
                page: 1,
                per_page: 100
            }
        );
        assert!(matches!(
            read(&Params::from_query("page=x").unwrap(), false),
            Err(ApiError::InvalidParam(n)) if n == "page"
        ));
        assert!(matches!(
            read(&Params::from_query("pagination=keyset").unwrap(), false),
            Err(ApiError::MethodNotAllowedKeyset)
        ));
        let p = Params::from_query(&format!("pagination=keyset&cursor={}", encode_cursor(7))).unwrap();
        assert_eq!(
            read(&p, true).unwrap().request,
            PageRequest::Keyset {
                after: Some(7),
                per_page: 20
            }
        );
    }
}
