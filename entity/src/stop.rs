use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One stop of a run: an address served once for every order there.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "stop")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub run_id: i32,
    pub seq: i32,
    pub address_id: i32,
    pub eta: Option<DateTimeUtc>,
    /// Latest arrival (discharge time).
    pub window_end: Option<DateTimeUtc>,
    pub service_minutes: i32,
    /// planned, delivered, failed
    pub status: String,
    pub receiver_name: Option<String>,
    pub note: Option<String>,
    /// not_home, wrong_address, refused, other
    pub failure_reason: Option<String>,
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
