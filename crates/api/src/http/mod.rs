//! HTTP plumbing shared by every route: reading parameters into typed
//! inputs, authentication, pagination, the early refusals of the
//! middleware, and the one error type mapped to HTTP answers.
pub mod auth;
pub mod browser;
pub mod error;
pub mod fields;
pub mod input;
pub mod middleware;
pub mod origin;
pub mod page;
pub mod pagination;
pub mod params;
