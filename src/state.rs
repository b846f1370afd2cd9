//! What every handler can reach: the database, the clock, the settings and the
//! in-memory login throttle.

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

use crate::auth::throttle::LoginThrottle;
use crate::clock::Clock;
use crate::config::Config;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub throttle: Arc<LoginThrottle>,
    /// This process's name in leases (outbox rows, job runs).
    pub instance: String,
    /// Wakes the mail worker when an email was queued.
    pub mail_wakeup: Arc<Notify>,
}

impl AppState {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>, config: Config) -> Self {
        Self {
            db,
            clock,
            config: Arc::new(config),
            throttle: Arc::new(LoginThrottle::default()),
            instance: format!(
                "{}-{}",
                std::process::id(),
                &crate::auth::random_secret()[..8]
            ),
            mail_wakeup: Arc::new(Notify::new()),
        }
    }
}
