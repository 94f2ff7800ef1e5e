//! The API tests: each starts a real Roster (testkit) on a fresh database.
//! Set `ROSTER_TEST_DATABASE_URL=postgres://…` to run them on PostgreSQL.
mod audit;
mod authorization;
mod cli;
mod compat;
mod concurrency;
mod contract_fuzz;
mod conventions;
mod crash;
mod emails;
mod keygen;
mod keys;
mod life_cycle;
mod many_nodes;
mod oauth;
mod openapi;
mod operations;
mod passwords;
mod privacy;
mod rate_limits;
mod smtp;
mod social;
mod sshd;
mod status;
mod tokens;
mod users;
mod users_list;
