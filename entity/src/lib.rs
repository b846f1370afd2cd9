//! sea-orm entities: one module per table. Relations are expressed as explicit
//! queries in each capability's `store.rs`, which keeps these files plain.

pub mod address;
pub mod api_token;
pub mod area;
pub mod area_postcode;
pub mod audit_event;
pub mod citizen;
pub mod job_run;
pub mod kvik_booking;
pub mod kvik_closed_date;
pub mod kvik_opening;
pub mod kvik_settings;
pub mod kvik_slot;
pub mod loan;
pub mod loan_event;
pub mod order;
pub mod order_event;
pub mod order_line;
pub mod outbox;
pub mod overdue_snapshot;
pub mod planning_log;
pub mod product;
pub mod run;
pub mod session;
pub mod stop;
pub mod stop_order;
pub mod unit;
pub mod user;
pub mod vehicle;
