use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The ledger of scheduled jobs: one row per job and period, so a job for a period
/// runs once across restarts and across instances.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "job_run")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub job: String,
    pub period: String,
    /// running, done
    pub status: String,
    pub owner: String,
    pub lease_until: DateTimeUtc,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
