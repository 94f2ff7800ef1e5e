//! Request parameters: query string, JSON body or form body, merged into one
//! map as GitLab's API does, with typed, lenient getters (`"1"`, `"true"`,
//! `true` are all true) that collect every problem before answering.
use crate::http::error::ApiError;
pub use crate::http::fields::Fields;
use actix_web::dev::Payload;
use actix_web::http::{header, Method};
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The deepest nesting of arrays and objects accepted in a JSON body.
pub const MAX_JSON_DEPTH: usize = 32;

/// Whether a JSON text nests arrays and objects deeper than `max` (a scan
/// before parsing, so that a hostile body costs nothing to refuse).
pub fn json_too_deep(body: &[u8], max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in body {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The largest body accepted by ordinary routes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The largest body of routes that take an avatar as base64 in JSON or a
/// form (the image's own limit is checked after decoding, with a clear 400).
pub const MAX_UPLOAD_BODY_BYTES: usize = 512 * 1024;

/// The largest multipart body (an avatar and the other fields).
pub const MAX_MULTIPART_BYTES: usize = roster_domain::MAX_AVATAR_BYTES + 64 * 1024;

/// All parameters of a request, and the files of a multipart one.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: Map<String, Value>,
    files: HashMap<String, Vec<u8>>,
    /// The names whose values came from a JSON body, where a value has a
    /// type: there a text field takes a string, a boolean field `true` or
    /// `false`, a number field a number (in a query or a form, everything
    /// is text, and `true`, `True` and `1` are booleans).
    typed: std::collections::HashSet<String>,
    /// `Content-Type: application/json` with nothing in the body: refused
    /// by the routes that take a body (`Input`), accepted by those that do
    /// not (python-gitlab sends that header on every POST).
    empty_json_body: bool,
}

fn insert_pair(map: &mut Map<String, Value>, key: String, value: String) {
    // `scopes[]=a&scopes[]=b` and repeated keys make arrays.
    if let Some(base) = key.strip_suffix("[]") {
        let entry = map
            .entry(base.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        match entry {
            Value::Array(items) => items.push(Value::String(value)),
            other => *other = Value::Array(vec![other.take(), Value::String(value)]),
        }
        return;
    }
    match map.get_mut(&key) {
        Some(Value::Array(items)) => items.push(Value::String(value)),
        Some(existing) => *existing = Value::Array(vec![existing.take(), Value::String(value)]),
        None => {
            map.insert(key, Value::String(value));
        }
    }
}

impl Params {
    /// The parameters of one JSON object (an item of a batch, or a nested
    /// object of an item), read as a JSON body is: typed, NULs refused.
    pub fn from_object(object: Map<String, Value>) -> Result<Self, ApiError> {
        let params = Self {
            typed: object.keys().cloned().collect(),
            values: object,
            ..Self::default()
        };
        refuse_nul(&params)?;
        Ok(params)
    }

    /// Parses a query string (lenient: a malformed one is a 400).
    pub fn from_query(query: &str) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|_| ApiError::BadRequest("malformed query string".into()))?;
        let mut map = Map::new();
        for (k, v) in pairs {
            insert_pair(&mut map, k, v);
        }
        Ok(Self {
            values: map,
            ..Self::default()
        })
    }

    fn merge_body(&mut self, content_type: &str, body: &[u8]) -> Result<(), ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let mime = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match mime.as_str() {
            "application/json" | "" if json_too_deep(body, MAX_JSON_DEPTH) => Err(ApiError::BadRequest(
                format!("the JSON body is nested too deeply (at most {MAX_JSON_DEPTH} levels)"),
            )),
            "application/json" | "" => match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(obj)) => {
                    self.typed.extend(obj.keys().cloned());
                    self.values.extend(obj);
                    Ok(())
                }
                Ok(_) => Err(ApiError::BadRequest("the JSON body must be an object".into())),
                Err(_) if mime.is_empty() => Err(ApiError::UnsupportedMediaType),
                Err(e) => Err(ApiError::BadRequest(format!("malformed JSON body: {e}"))),
            },
            "application/x-www-form-urlencoded" => {
                let mut form = Map::new();
                let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
                    .map_err(|_| ApiError::BadRequest("malformed form body".into()))?;
                for (k, v) in pairs {
                    insert_pair(&mut form, k, v);
                }
                self.values.extend(form);
                Ok(())
            }
            _ => Err(ApiError::UnsupportedMediaType),
        }
    }

    /// A parameter as text; numbers and booleans are given in their JSON form.
    /// `None` when absent or JSON `null`.
    pub fn text(&self, name: &str) -> Option<String> {
        match self.values.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A file of a multipart request, by field name.
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(Vec::as_slice)
    }

    /// The names of all parameters.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.values.keys()
    }

    /// Whether the parameter was given at all (even as `null`).
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// The raw value.
    pub fn raw(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Leaves out the named parameters where a form sent them empty (a
    /// date left blank means "none given", not a date to judge).
    pub fn drop_empty(&mut self, names: &[&str]) {
        for name in names {
            if self.values.get(*name).is_some_and(|v| v.as_str() == Some("")) {
                self.values.remove(*name);
            }
        }
    }

    /// Sets a parameter as a form would send it.
    pub fn set(&mut self, name: &str, value: &str) {
        self.values
            .insert(name.to_owned(), Value::String(value.to_owned()));
    }

    /// Reads the checkboxes of a page's form: each sends a hidden `false`
    /// and, when ticked, `true` after it, so the last value counts.
    pub fn settle_checkboxes(&mut self) {
        for value in self.values.values_mut() {
            if let Value::Array(items) = value {
                if items.len() == 2 && items[0].as_str() == Some("false") && items[1].as_str() == Some("true")
                {
                    *value = Value::String("true".into());
                }
            }
        }
    }

    /// Whether the request said JSON and sent nothing.
    pub fn empty_json_body(&self) -> bool {
        self.empty_json_body
    }

    /// The value, when it came from a JSON body (and so has a type).
    pub(crate) fn typed(&self, name: &str) -> Option<&Value> {
        self.typed.contains(name).then(|| self.values.get(name)).flatten()
    }

    /// Starts collecting fields from these parameters.
    pub fn fields(&self) -> Fields<'_> {
        Fields::new(self)
    }

    /// A list parameter: a JSON array, repeated keys, or one comma-separated text.
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        match self.values.get(name)? {
            Value::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|v| match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .collect(),
            ),
            Value::String(s) => Some(s.split(',').map(|p| p.trim().to_owned()).collect()),
            _ => None,
        }
    }
}

/// Whether a value, or any key or value inside it, holds a NUL character.
pub fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// `400` when a parameter holds a NUL character. PostgreSQL refuses NUL in
/// text and no value of Roster's may hold one, so both backends answer alike.
fn refuse_nul(params: &Params) -> Result<(), ApiError> {
    let nul = params
        .values
        .iter()
        .any(|(k, v)| k.contains('\0') || holds_nul(v));
    if nul {
        return Err(ApiError::BadRequest(
            "NUL characters are not allowed in parameters".into(),
        ));
    }
    Ok(())
}

/// Reads a boolean the way GitLab's clients send them.
pub fn parse_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "t" | "yes" | "on" => Some(true),
            "false" | "0" | "f" | "no" | "off" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The answer to a body that could not be read: too large, or cut off.
pub fn body_unread(e: actix_web::Error) -> ApiError {
    match e.as_response_error().status_code().as_u16() {
        413 => ApiError::PayloadTooLarge,
        _ => ApiError::BadRequest("the body could not be read".into()),
    }
}

/// Whether a `Content-Type` names JSON.
pub fn is_json(content_type: &str) -> bool {
    let mime = content_type.split(';').next().unwrap_or("").trim();
    mime.eq_ignore_ascii_case("application/json")
}

async fn read_multipart(params: &mut Params, req: &HttpRequest, payload: Payload) -> Result<(), ApiError> {
    use futures_util::StreamExt;
    let mut form = actix_multipart::Multipart::new(req.headers(), payload);
    let mut total = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| ApiError::BadRequest("malformed multipart body".into()))?;
        let disposition = field.content_disposition().cloned();
        let name = disposition
            .as_ref()
            .and_then(|d| d.get_name())
            .unwrap_or_default()
            .to_owned();
        let is_file = disposition.as_ref().and_then(|d| d.get_filename()).is_some();
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| ApiError::BadRequest("malformed multipart body".into()))?;
            total += chunk.len();
            if total > MAX_MULTIPART_BYTES {
                return Err(ApiError::PayloadTooLarge);
            }
            data.extend_from_slice(&chunk);
        }
        if is_file {
            params.files.insert(name, data);
        } else {
            let text = String::from_utf8(data).map_err(|_| ApiError::InvalidParam(name.clone()))?;
            insert_pair(&mut params.values, name, text);
        }
    }
    Ok(())
}

impl FromRequest for Params {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let query = Params::from_query(req.query_string());
        let reads_body = !matches!(*req.method(), Method::GET | Method::HEAD);
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        if reads_body
            && content_type
                .trim()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        {
            let req = req.clone();
            let payload = payload.take();
            return Box::pin(async move {
                let mut params = query?;
                read_multipart(&mut params, &req, payload).await?;
                refuse_nul(&params)?;
                Ok(params)
            });
        }
        let body = web::Bytes::from_request(req, payload);
        // A route that takes a body refuses an empty one that claims to be
        // JSON; routes without a body (block, follow) accept it, since
        // python-gitlab sends `Content-Type: application/json` on every POST.
        let json = is_json(&content_type);
        Box::pin(async move {
            let mut params = query?;
            if reads_body {
                let bytes = body.await.map_err(body_unread)?;
                params.empty_json_body = json && bytes.iter().all(u8::is_ascii_whitespace);
                params.merge_body(&content_type, &bytes)?;
            }
            refuse_nul(&params)?;
            Ok(params)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_and_form_make_arrays_for_repeated_keys() {
        let p = Params::from_query("scopes[]=api&scopes[]=read_user&name=x").unwrap();
        assert_eq!(p.list("scopes").unwrap(), vec!["api", "read_user"]);
        assert_eq!(p.text("name").as_deref(), Some("x"));
        let p = Params::from_query("scopes=api,read_user").unwrap();
        assert_eq!(p.list("scopes").unwrap(), vec!["api", "read_user"]);
    }

    #[test]
    fn bodies_merge_over_the_query() {
        let mut p = Params::from_query("a=1&b=2").unwrap();
        p.merge_body("application/json; charset=utf-8", br#"{"b": 3, "c": true}"#)
            .unwrap();
        assert_eq!(p.text("a").as_deref(), Some("1"));
        assert_eq!(p.text("b").as_deref(), Some("3"));
        assert_eq!(p.text("c").as_deref(), Some("true"));
        let mut p = Params::default();
        p.merge_body("application/x-www-form-urlencoded", b"admin=1&name=A+B")
            .unwrap();
        assert_eq!(p.text("name").as_deref(), Some("A B"));
        assert!(matches!(
            p.merge_body("application/json", b"[1]"),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            p.merge_body("application/json", b"{"),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            p.merge_body("text/csv", b"a,b"),
            Err(ApiError::UnsupportedMediaType)
        ));
        assert!(p.merge_body("text/csv", b"").is_ok());
    }

    #[test]
    fn depth_is_counted_outside_strings() {
        assert!(!json_too_deep(br#"{"a": [1, {"b": 2}]}"#, 3));
        assert!(json_too_deep(br#"{"a": [1, {"b": [2]}]}"#, 3));
        assert!(!json_too_deep(br#"{"a": "[[[[[[[[[[\"[[[["}"#, 2));
        let deep = "[".repeat(33) + &"]".repeat(33);
        assert!(json_too_deep(deep.as_bytes(), MAX_JSON_DEPTH));
    }

    #[test]
    fn booleans_as_clients_send_them() {
        for (v, expected) in [
            (json!(true), Some(true)),
            (json!("True"), Some(true)),
            (json!("1"), Some(true)),
            (json!(0), Some(false)),
            (json!("false"), Some(false)),
            (json!("maybe"), None),
            (json!(2), None),
        ] {
            assert_eq!(parse_bool(&v), expected, "{v}");
        }
    }

    #[test]
    fn fields_report_missing_before_invalid() {
        let mut p = Params::default();
        p.merge_body("application/json", br#"{"admin": "perhaps", "n": "12"}"#)
            .unwrap();
        let mut f = p.fields();
        assert_eq!(f.boolean("admin"), None);
        assert_eq!(f.integer("n", 0..=10), None);
        f.required("email", |v| Ok(v.to_owned()));
        match f.finish() {
            Err(ApiError::Missing(m)) => assert_eq!(m, vec!["email"]),
            other => panic!("{other:?}"),
        }
        let mut f = p.fields();
        f.boolean("admin");
        match f.finish() {
            Err(ApiError::Validation(m)) => assert_eq!(m["admin"], vec!["is invalid"]),
            other => panic!("{other:?}"),
        }
    }
}
