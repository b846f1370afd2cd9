use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One planning of a day's runs: what it came to (the latest per date counts).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "planning_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub date: Date,
    pub planned_at: DateTimeUtc,
    pub orders: i32,
    pub stops: i32,
    pub runs: i32,
    /// Drives avoided by consolidation (orders pulled forward, pickups riding along).
    pub drives_saved: i32,
    /// JSON: the merges and the unassigned orders with their reasons.
    pub details: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
