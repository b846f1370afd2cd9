//! depot: the daily system of a municipal assistive-device depot.
//! See ARCHITECTURE.md for the map.

pub mod assets;
pub mod audit;
pub mod auth;
pub mod basedata;
pub mod citizens;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod delivery;
pub mod demo;
pub mod domain;
pub mod error;
pub mod health;
pub mod home;
pub mod kvik;
pub mod loans;
pub mod notify;
pub mod openapi;
pub mod orders;
pub mod privacy;
pub mod routes;
pub mod startup;
pub mod state;
pub mod web;
