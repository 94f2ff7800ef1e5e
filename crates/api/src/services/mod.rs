//! What the handlers do, beyond reading parameters and writing answers: the
//! steps shared by several routes and by the command line.
pub mod accounts;
pub mod applications;
pub mod audit;
pub mod authorization;
pub mod avatars;
pub mod clients;
pub mod code_grant;
pub mod device;
pub mod group_tokens;
pub mod groups;
pub mod id_tokens;
pub mod invitations;
pub mod keys;
pub mod links;
pub mod members;
pub mod oidc;
pub mod privacy;
pub mod second_factor;
pub mod sessions;
pub mod sign_in;
pub mod signing_keys;
pub mod tokens;
pub mod two_factor;
pub mod user_sessions;
pub mod user_views;
pub mod users;
