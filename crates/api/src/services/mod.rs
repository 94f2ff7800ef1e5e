//! What the handlers do, beyond reading parameters and writing answers: the
//! steps shared by several routes and by the command line.
pub mod accounts;
pub mod audit;
pub mod avatars;
pub mod keys;
pub mod links;
pub mod privacy;
pub mod sessions;
pub mod tokens;
pub mod user_views;
pub mod users;
