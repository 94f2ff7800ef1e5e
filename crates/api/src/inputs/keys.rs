//! Inputs of the SSH key routes.
use crate::input::RequestInput;
use crate::params::Fields;
use roster_domain::Fingerprint;
use utoipa::ToSchema;

/// `GET /keys?fingerprint=…`: what an SSH server asks.
#[derive(ToSchema)]
pub struct KeyLookup {
    /// A SHA-256 fingerprint (`SHA256:` and unpadded base64, as `ssh-keygen
    /// -lf` prints it) or an MD5 one (16 hexadecimal pairs, with or without
    /// `MD5:`).
    #[schema(
        value_type = String,
        pattern = r"^\s*(SHA256:[A-Za-z0-9+/]{1,64}|(MD5:)?[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){15})\s*$"
    )]
    pub fingerprint: Fingerprint,
}

impl RequestInput for KeyLookup {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let fingerprint = f.required("fingerprint", Fingerprint::parse);
        Some(Self {
            fingerprint: fingerprint?,
        })
    }
}
