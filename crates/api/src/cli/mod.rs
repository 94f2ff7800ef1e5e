//! The commands of the binary besides serving: the operator's, `dev`,
//! `ssh authorized-keys` and `testkit serve`.
pub mod authorized_keys;
pub mod dev_oidc;
pub mod dev_seed;
pub mod dump;
pub mod fixtures;
pub mod operator;
pub mod testkit;
