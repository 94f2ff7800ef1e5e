//! Roster's HTTP API: an actix-web application over `roster-persistence`,
//! speaking GitLab's v4 Users API conventions.
//!
//! The binary `roster` (see `main.rs`) reads [`settings::Settings`] from the
//! environment and calls [`app::serve`]. Tests and other services start a real
//! server with [`app::open_database`] and [`app::bind`] (the `roster-testkit`
//! crate wraps this).
#![deny(missing_docs)]

pub mod app;
pub mod background;
pub mod cli;
pub mod db;
pub mod http;
pub mod inputs;
pub mod limits;
pub mod openapi;
pub mod rate_limit;
pub mod routes;
pub mod secret_key;
pub mod services;
pub mod settings;
pub mod state;
pub mod views;
