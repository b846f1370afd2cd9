use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A delivery vehicle.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "vehicle")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    /// In product volume units.
    pub capacity: i32,
    /// HH:MM
    pub shift_start: String,
    /// HH:MM
    pub shift_end: String,
    /// None: the depot.
    pub start_lat: Option<f64>,
    pub start_lon: Option<f64>,
    pub active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
