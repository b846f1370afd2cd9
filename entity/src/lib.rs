//! sea-orm entities: one module per table. Relations are expressed as explicit
//! queries in each capability's `store.rs`, which keeps these files plain.

pub mod address;
pub mod api_token;
pub mod area;
pub mod area_postcode;
pub mod audit_event;
pub mod citizen;
pub mod job_run;
pub mod outbox;
pub mod product;
pub mod session;
pub mod unit;
pub mod user;
