//! The commands of the binary besides serving: `dev seed` and
//! `ssh authorized-keys`.
pub mod authorized_keys;
pub mod dev_oidc;
pub mod dev_seed;
pub mod operator;
