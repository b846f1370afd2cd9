//! Personal data by the rules: a citizen's insight export (all data held about
//! them and the log of who looked them up and why), deletion after a retention
//! period, and consistent backups.

pub mod pages;
pub mod store;

use chrono::{DateTime, Duration, Utc};

use crate::routes::RouteDef;

pub fn routes() -> Vec<RouteDef> {
    pages::routes()
}

/// A citizen may be deleted when nothing is open for them (no loan still out, no
/// order still under way) and nothing has happened for `retention_days`.
pub fn may_delete(
    has_open_items: bool,
    last_activity: DateTime<Utc>,
    now: DateTime<Utc>,
    retention_days: i64,
) -> bool {
    !has_open_items && now - last_activity > Duration::days(retention_days)
}

/// Order statuses after which nothing more happens to an order.
pub const CLOSED_ORDER_STATUSES: [&str; 3] = ["delivered", "failed", "cancelled"];

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::days(day)
    }

    #[test]
    fn only_quiet_citizens_without_open_items_may_be_deleted() {
        assert!(may_delete(false, at(0), at(400), 365));
        assert!(
            !may_delete(false, at(0), at(365), 365),
            "not before the period has passed"
        );
        assert!(
            !may_delete(true, at(0), at(4000), 365),
            "never with an open loan or order"
        );
    }
}
