use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A vehicle's run on one day.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "run")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub date: Date,
    pub vehicle_id: i32,
    pub driver_id: Option<i32>,
    /// draft, locked, dispatched, done
    pub status: String,
    pub distance_km: f64,
    pub duration_min: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
