//! HTTP tests against a real server and a real database (SQLite or PostgreSQL,
//! chosen by `DEPOT_TEST_DB`). One binary, one module per capability.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod auth;
mod citizens;
mod cli;
mod crash;
mod delivery;
mod health;
mod helpers;
mod jobs;
mod kvik;
mod loans;
mod mail;
mod orders;
mod privacy;
mod smtp;
