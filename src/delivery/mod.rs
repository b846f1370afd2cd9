//! Delivery runs: planning the day's stops into routes for the vans.

pub mod planner;
