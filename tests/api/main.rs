//! HTTP tests against a real server and a real database (SQLite or PostgreSQL,
//! chosen by `DEPOT_TEST_DB`). One binary, one module per capability.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod auth;
mod cli;
mod crash;
mod health;
mod helpers;
mod jobs;
mod mail;
mod smtp;
