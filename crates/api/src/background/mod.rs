//! The work done beside the request workers: password hashing on its own
//! threads, the mail outbox and its sender, metrics, and the load gauge.
pub mod hashing;
pub mod hooks;
pub mod load;
pub mod mail;
pub mod mailer;
pub mod metrics;
pub mod stored_hash;
