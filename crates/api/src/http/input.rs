//! Typed route inputs. A route reads its parameters (query, JSON, form or
//! multipart, merged as GitLab does) into one type that implements
//! [`RequestInput`]. The same type derives the route's OpenAPI schema
//! (`utoipa::ToSchema`, with the constraints its reader enforces), and the
//! route table names the type itself ([`typed`]), so the document is the
//! code:
//! - a test reads every input type with no parameters and checks that the
//!   names its reader asks for are exactly its schema's properties;
//! - in debug builds (the test suite), [`Input`] refuses to run on a route
//!   whose table entry names another type, so a handler cannot read a type
//!   the document does not describe.
use crate::http::error::ApiError;
use crate::http::fields::Problems;
use crate::http::params::{body_unread, is_json, json_too_deep, Fields, Params, MAX_JSON_DEPTH};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde_json::Value;
use std::borrow::Cow;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// A route's input: read field by field, every problem collected.
pub trait RequestInput: ToSchema + Sized {
    /// Reads every field from `f`, recording each problem there; `None` when
    /// any field failed. Every field is read before any is checked for
    /// `None`, so that one answer lists every problem.
    fn read(f: &mut Fields<'_>) -> Option<Self>;

    /// The answer to a request whose fields failed: GitLab's `400`s, unless
    /// the route's standard says otherwise (OAuth's `invalid_request`).
    fn refused(problem: ApiError) -> ApiError {
        problem
    }
}

/// Reads `T` from `params`: `400` with every missing or invalid field.
pub fn parse<T: RequestInput>(params: &Params) -> Result<T, ApiError> {
    let mut f = params.fields();
    let value = T::read(&mut f);
    f.finish().map_err(T::refused)?;
    value.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "{} reported no problem but made no value",
            T::name()
        ))
    })
}

/// The extractor of a route's typed input. Its problems wait for the
/// handler ([`Input::check`]): actix runs a handler's extractors side by
/// side, and a caller refused by `Caller` or `Admin` (`401`, `403`) must
/// hear that, not what was wrong with the body.
#[derive(Debug)]
pub struct Input<T>(Result<T, ApiError>);

impl<T> Input<T> {
    /// The input, or the `4xx` for what was wrong with it.
    pub fn check(self) -> Result<T, ApiError> {
        self.0
    }
}

impl<T: RequestInput + 'static> FromRequest for Input<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let declared = check_declared::<T>(req);
        let takes_body = req.method() != actix_web::http::Method::GET;
        let params = Params::from_request(req, payload);
        Box::pin(async move {
            declared?;
            let read = match params.await {
                Ok(params) if takes_body && params.empty_json_body() => {
                    Err(ApiError::BadRequest("the JSON body is empty".into()))
                }
                Ok(params) => parse(&params),
                Err(e) => Err(e),
            };
            Ok(Input(read))
        })
    }
}

/// In debug builds, `500` when the route table declares another input type
/// for this route than the one its handler reads (a bug the test suite's
/// calls to every route then find).
fn check_declared<T: ToSchema>(req: &HttpRequest) -> Result<(), ApiError> {
    if !cfg!(debug_assertions) {
        return Ok(());
    }
    let Some(pattern) = req.match_pattern() else {
        return Ok(());
    };
    let Some(table) = req.app_data::<DeclaredInputs>() else {
        return Ok(());
    };
    let declared = (table.0)(req.method().as_str(), &pattern).map(|spec| (spec.name)());
    if declared.as_deref() == Some(T::name().as_ref()) {
        Ok(())
    } else {
        Err(ApiError::Internal(anyhow::anyhow!(
            "{} {pattern} reads {} but the route table declares {declared:?}",
            req.method(),
            T::name()
        )))
    }
}

/// The media types a route's input comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// JSON or a form (`application/x-www-form-urlencoded`); for a `GET`,
    /// the query.
    Form,
    /// JSON, a form, or `multipart/form-data` (with a file).
    Multipart,
    /// A JSON document only (its keys are the user's own).
    JsonDocument,
    /// A JSON array of items, each read as the input type (a batch), with
    /// options in the query.
    JsonArray,
}

/// The route table's answer to "which input does this route declare", given
/// to the app as data (the table lives above this layer, in `openapi`).
#[derive(Clone, Copy)]
pub struct DeclaredInputs(pub fn(&str, &str) -> Option<RequestSpec>);

/// What the route table knows of a route's input.
#[derive(Clone, Copy)]
pub struct RequestSpec {
    /// The schema's name.
    pub name: fn() -> Cow<'static, str>,
    /// The schema.
    pub schema: fn() -> RefOr<Schema>,
    /// Adds the schemas it refers to (enums of its fields) to a list.
    pub dependencies: fn(&mut Vec<(String, RefOr<Schema>)>),
    /// The parameter names the reader asks for (none for a JSON document).
    pub names_read: fn() -> Vec<String>,
    /// Those it asks for as required.
    pub names_required: fn() -> Vec<String>,
    /// The media types it comes in.
    pub encoding: Encoding,
    /// For a batch, its options and size.
    pub batch: Option<BatchSpec>,
}

/// What the route table knows of a batch route besides its items' input.
#[derive(Clone, Copy)]
pub struct BatchSpec {
    /// The schema of its options, read from the query.
    pub options: fn() -> RefOr<Schema>,
    /// The most items one request takes.
    pub max_items: usize,
}

impl std::fmt::Debug for RequestSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RequestSpec").field(&(self.name)()).finish()
    }
}

/// Reads `T` from an empty request, for the names its reader asks for.
fn empty_read<T: RequestInput>() -> Fields<'static> {
    static EMPTY: std::sync::OnceLock<Params> = std::sync::OnceLock::new();
    let mut f = EMPTY.get_or_init(Params::default).fields();
    let _ = T::read(&mut f);
    f
}

fn names_read_by<T: RequestInput>() -> Vec<String> {
    empty_read::<T>().names_read()
}

fn names_required_by<T: RequestInput>() -> Vec<String> {
    empty_read::<T>().names_required()
}

const fn spec<T: ToSchema>(
    names_read: fn() -> Vec<String>,
    names_required: fn() -> Vec<String>,
    encoding: Encoding,
) -> Option<RequestSpec> {
    Some(RequestSpec {
        name: <T as ToSchema>::name,
        schema: <T as PartialSchema>::schema,
        dependencies: <T as ToSchema>::schemas,
        names_read,
        names_required,
        encoding,
        batch: None,
    })
}

/// The route table's entry for a typed input.
pub const fn typed<T: RequestInput>() -> Option<RequestSpec> {
    spec::<T>(names_read_by::<T>, names_required_by::<T>, Encoding::Form)
}

/// [`typed`], for a route that also takes a file in a multipart body.
pub const fn typed_multipart<T: RequestInput>() -> Option<RequestSpec> {
    spec::<T>(names_read_by::<T>, names_required_by::<T>, Encoding::Multipart)
}

/// The route table's entry for a free JSON document (any keys, read by
/// the type's own extractor, [`JsonDocument`]).
pub const fn json_document<T: JsonDocument>() -> Option<RequestSpec> {
    spec::<T>(Vec::new, Vec::new, Encoding::JsonDocument)
}

/// The route table's entry for a batch: a JSON array of `T`, options `Q`
/// in the query.
pub const fn batch<T: BatchItem, Q: RequestInput>() -> Option<RequestSpec> {
    match spec::<T>(names_read_by::<T>, names_required_by::<T>, Encoding::JsonArray) {
        Some(mut spec) => {
            spec.batch = Some(BatchSpec {
                options: <Q as PartialSchema>::schema,
                max_items: T::MAX_ITEMS,
            });
            Some(spec)
        }
        None => None,
    }
}

/// An item of a batch route's JSON array.
pub trait BatchItem: RequestInput {
    /// The most items one request may hold.
    const MAX_ITEMS: usize;
}

/// A batch request: the options from the query, and each item's reading,
/// in order (an item's problems do not refuse the others).
pub struct Batch<T, Q> {
    /// The options.
    pub options: Q,
    /// Each item, or its problems by field.
    pub items: Vec<Result<T, Problems>>,
}

/// The extractor of a batch route's input: a JSON array of `T` (at least
/// one, at most `T::MAX_ITEMS`) and the query's `Q`. Like [`Input`], its
/// refusal waits for the handler.
pub struct BatchInput<T, Q>(Result<Batch<T, Q>, ApiError>);

impl<T, Q> BatchInput<T, Q> {
    /// The batch, or the `4xx` for what was wrong with the request as a whole.
    pub fn check(self) -> Result<Batch<T, Q>, ApiError> {
        self.0
    }
}

impl<T: BatchItem + 'static, Q: RequestInput + 'static> FromRequest for BatchInput<T, Q> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let declared = check_declared::<T>(req);
        let query = Params::from_query(req.query_string());
        let content_type = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = actix_web::web::Bytes::from_request(req, payload);
        Box::pin(async move {
            declared?;
            let read = async {
                let options = parse::<Q>(&query?)?;
                if !content_type.trim().is_empty() && !is_json(&content_type) {
                    return Err(ApiError::UnsupportedMediaType);
                }
                let bytes = body.await.map_err(body_unread)?;
                read_batch::<T>(&bytes).map(|items| Batch { options, items })
            };
            Ok(BatchInput(read.await))
        })
    }
}

/// Reads a batch's JSON array: each item is read as its own request.
fn read_batch<T: BatchItem>(body: &[u8]) -> Result<Vec<Result<T, Problems>>, ApiError> {
    if json_too_deep(body, MAX_JSON_DEPTH) {
        return Err(ApiError::BadRequest(format!(
            "the JSON body is nested too deeply (at most {MAX_JSON_DEPTH} levels)"
        )));
    }
    let items = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(items)) => items,
        Ok(_) => return Err(ApiError::BadRequest("the JSON body must be an array".into())),
        Err(e) => return Err(ApiError::BadRequest(format!("malformed JSON body: {e}"))),
    };
    if items.is_empty() {
        return Err(ApiError::BadRequest("the JSON array is empty".into()));
    }
    if items.len() > T::MAX_ITEMS {
        return Err(ApiError::BadRequest(format!(
            "at most {} items are taken at once, {} were sent",
            T::MAX_ITEMS,
            items.len()
        )));
    }
    Ok(items.into_iter().map(read_item::<T>).collect())
}

fn read_item<T: RequestInput>(item: Value) -> Result<T, Problems> {
    match item {
        Value::Object(object) => read_object(object),
        _ => Err(Problems::from([(
            "base".to_owned(),
            vec!["must be a JSON object".to_owned()],
        )])),
    }
}

/// Reads `T` from one JSON object: the value, or every problem by field.
pub fn read_object<T: RequestInput>(object: serde_json::Map<String, Value>) -> Result<T, Problems> {
    let params = Params::from_object(object)?;
    let mut f = params.fields();
    let value = T::read(&mut f);
    let problems = f.problems();
    match value {
        Some(value) if problems.is_empty() => Ok(value),
        _ => Err(problems),
    }
}

/// An input that is a whole JSON document whose keys are the caller's own
/// (preferences), read by its own extractor rather than field by field.
pub trait JsonDocument: ToSchema + FromRequest {}

/// The property names of a schema (an object schema's, or those of every
/// object it is made of).
pub fn properties_of(schema: &RefOr<Schema>) -> Vec<String> {
    match schema {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        RefOr::T(Schema::AllOf(all)) => all.items.iter().flat_map(properties_of).collect(),
        _ => Vec::new(),
    }
}

/// The property names a schema marks required.
pub fn required_of(schema: &RefOr<Schema>) -> Vec<String> {
    match schema {
        RefOr::T(Schema::Object(object)) => object.required.clone(),
        _ => Vec::new(),
    }
}

/// One object schema with the properties (and required names) of every
/// part, for an input made of several parts (`CreateUser` is the profile
/// fields, the admin fields, an identity, an avatar and its own).
pub fn merged_object(description: &str, parts: &[RefOr<Schema>]) -> RefOr<Schema> {
    let mut object = utoipa::openapi::schema::ObjectBuilder::new().description(Some(description));
    for part in parts {
        if let RefOr::T(Schema::Object(part)) = part {
            for (name, schema) in &part.properties {
                object = object.property(name, schema.clone());
            }
            for name in &part.required {
                object = object.required(name);
            }
        }
    }
    object.into()
}

/// Implements `ToSchema` for an input made of parts that derive it: one
/// object with every part's properties (see [`merged_object`]).
#[macro_export]
macro_rules! input_made_of {
    ($name:ident, $description:literal, [$($part:ty),+ $(,)?]) => {
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::http::input::merged_object(
                    $description,
                    &[$(<$part as utoipa::PartialSchema>::schema()),+],
                )
            }
        }
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
            fn schemas(
                out: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>,
            ) {
                $(<$part as utoipa::ToSchema>::schemas(out);)+
            }
        }
    };
}
