//! The typed inputs of the routes (see [`crate::http::input`]), one module per
//! resource. Each type is what its handler reads and what the OpenAPI
//! document shows, with the constraints its reader enforces.
pub mod account;
pub mod applications;
pub mod avatar;
pub mod browser;
pub mod custom_attributes;
pub mod emails;
pub mod formats;
pub mod groups;
pub mod hooks;
pub mod import;
pub mod keys;
pub mod oauth;
pub mod profile;
pub mod queries;
pub mod service_accounts;
pub mod social;
pub mod tokens;
pub mod two_factor;
pub mod users;

use roster_domain::{FieldError, Problem};

/// A text that must hold something other than white space.
pub(crate) fn non_blank(field: &'static str) -> impl Fn(&str) -> Result<String, FieldError> {
    move |v| {
        if v.trim().is_empty() {
            Err(FieldError::new(field, Problem::Blank))
        } else {
            Ok(v.to_owned())
        }
    }
}
