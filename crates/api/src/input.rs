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
use crate::error::ApiError;
use crate::params::{Fields, Params};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
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
}

/// Reads `T` from `params`: `400` with every missing or invalid field.
pub fn parse<T: RequestInput>(params: &Params) -> Result<T, ApiError> {
    let mut f = params.fields();
    let value = T::read(&mut f);
    f.finish()?;
    value.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "{} reported no problem but made no value",
            T::name()
        ))
    })
}

/// The extractor of a route's typed input.
#[derive(Debug)]
pub struct Input<T>(pub T);

impl<T: RequestInput + 'static> FromRequest for Input<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let declared = check_declared::<T>(req);
        let params = Params::from_request(req, payload);
        Box::pin(async move {
            declared?;
            let params = params.await?;
            Ok(Input(parse(&params)?))
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
    let declared = crate::openapi::request_of(req.method().as_str(), &pattern).map(|spec| (spec.name)());
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

/// What the route table knows of a route's input.
#[derive(Clone, Copy)]
pub struct RequestSpec {
    /// The schema's name.
    pub name: fn() -> Cow<'static, str>,
    /// The schema.
    pub schema: fn() -> RefOr<Schema>,
    /// Adds the schemas it refers to (enums of its fields) to a list.
    pub dependencies: fn(&mut Vec<(String, RefOr<Schema>)>),
    /// The parameter names the reader asks for; `None` for the inputs still
    /// documented by a hand-kept schema.
    pub names_read: Option<fn() -> Vec<String>>,
    /// Whether the route also takes `multipart/form-data` (a file).
    pub multipart: bool,
}

impl std::fmt::Debug for RequestSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RequestSpec").field(&(self.name)()).finish()
    }
}

fn names_read_by<T: RequestInput>() -> Vec<String> {
    let params = Params::default();
    let mut f = params.fields();
    let _ = T::read(&mut f);
    f.names_read()
}

const fn spec<T: ToSchema>(names_read: Option<fn() -> Vec<String>>, multipart: bool) -> Option<RequestSpec> {
    Some(RequestSpec {
        name: <T as ToSchema>::name,
        schema: <T as PartialSchema>::schema,
        dependencies: <T as ToSchema>::schemas,
        names_read,
        multipart,
    })
}

/// The route table's entry for a typed input.
pub const fn typed<T: RequestInput>() -> Option<RequestSpec> {
    spec::<T>(Some(names_read_by::<T>), false)
}

/// [`typed`], for a route that also takes a file in a multipart body.
pub const fn typed_multipart<T: RequestInput>() -> Option<RequestSpec> {
    spec::<T>(Some(names_read_by::<T>), true)
}

/// The route table's entry for an input still documented by a hand-kept
/// schema (read from [`Params`] by its handler).
pub const fn shadow<T: ToSchema>() -> Option<RequestSpec> {
    spec::<T>(None, false)
}

/// [`shadow`], for a route that also takes a file in a multipart body.
pub const fn shadow_multipart<T: ToSchema>() -> Option<RequestSpec> {
    spec::<T>(None, true)
}

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
