//! Inputs of the custom attribute routes.
use crate::http::input::RequestInput;
use crate::http::params::Fields;
use roster_domain::{FieldError, Problem, ProfileText};
use utoipa::ToSchema;

/// The longest custom attribute value.
const VALUE_MAX: usize = 1024;

/// `PUT /users/:id/custom_attributes/:key`.
#[derive(ToSchema)]
pub struct CustomAttributeValue {
    /// The value: 1 to 1,024 characters.
    #[schema(
        min_length = 1,
        max_length = 1024,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
    )]
    pub value: String,
}

impl RequestInput for CustomAttributeValue {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let value = f.required("value", |v| {
            let text = ProfileText::parse("value", v, VALUE_MAX)?;
            if text.as_str().is_empty() {
                return Err(FieldError::new("value", Problem::Blank));
            }
            Ok(text.into_inner())
        });
        Some(Self { value: value? })
    }
}
