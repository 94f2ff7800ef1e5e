//! Roster's domain: the values a users service stores, each a type that can only
//! hold a valid value.
//!
//! Every constrained value is a newtype with a private field and a `parse`
//! function ("parse, don't validate"): once you hold a [`Username`] or an
//! [`EmailAddress`], it is valid, and nothing needs to check it again. Parsing
//! also normalises (e-mail addresses are trimmed and lower-cased), so a plain
//! `UNIQUE` column enforces uniqueness.
//!
//! The crate does no I/O and depends on no database or web framework, so other
//! services can reuse the same rules. With the `serde` feature, the value types
//! implement `Deserialize` through the same `parse`, so no invalid value can be
//! built by deserializing either.
//!
//! ```
//! use roster_domain::{EmailAddress, Username};
//!
//! let email = EmailAddress::parse("  Alice@Example.COM ").unwrap();
//! assert_eq!(email.as_str(), "alice@example.com");
//! assert!(Username::parse("api").is_err()); // reserved by Roster's own routes
//! ```
#![deny(missing_docs)]

mod access;
mod avatar;
mod email;
mod error;
mod gpg_key;
mod group;
mod imported_hash;
mod instant;
mod oauth_app;
mod oidc;
mod outbound;
mod password;
mod profile;
mod secret_box;
#[cfg(feature = "serde")]
mod serde_support;
mod session_id;
mod signing_key;
mod ssh_key;
mod state;
mod status;
mod token;
mod two_factor;
mod username;
mod webhook;

pub use access::{Privacy, ProfileView, Viewer};
pub use avatar::{AvatarUpload, ImageKind, MAX_AVATAR_BYTES};
pub use email::EmailAddress;
pub use error::{FieldError, Problem};
pub use gpg_key::{GpgPublicKey, MAX_GPG_KEY_BYTES};
pub use group::{
    parse_membership_expiry, visibility_problem, AccessLevel, GroupName, GroupPath, GroupRole, Visibility,
    MAX_ANCESTORS,
};
pub use imported_hash::{passlib_ab64_decode, HashFormat, ImportedHash};
pub use instant::parse_instant;
pub use oauth_app::{AppScope, AppScopes, RedirectUris};
pub use oidc::{at_hash, parse_max_age, CodeChallenge, Prompt, UserCode};
pub use outbound::{is_internal_address, HookUrl};
pub use password::Password;
pub use profile::{AttributeKey, Birthday, Gender, Name, PhoneNumber, ProfileText, TimeZone, Title, WebUrl};
pub use secret_box::{SecretBoxError, SecretKey};
pub use session_id::SessionId;
pub use signing_key::{BadSigningKey, JwsParts, SigningKeyPair, SIGNING_KEY_BITS};
pub use ssh_key::{Fingerprint, KeyUsage, SshPublicKey, DEFAULT_MIN_RSA_BITS};
pub use state::{StateChange, Transition, UserState, BLOCKED_STATES};
pub use status::{Availability, ClearStatusAfter, StatusEmoji, StatusMessage, UserStatus};
pub use token::{Scope, Scopes, TokenDigest, TokenExpiry, TokenKind, TokenSecret};
pub use two_factor::{
    BadSeed, OtpCode, RecoveryCode, SecondFactorCode, TotpSeed, RECOVERY_CODE_COUNT, TOTP_SEED_BYTES,
    TOTP_STEP_SECONDS,
};
pub use username::Username;
pub use webhook::{WebhookSecret, SYSTEM_HOOK_EVENTS};
