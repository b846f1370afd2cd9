use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The statistic kept each time an area's overdue list is drawn.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "overdue_snapshot")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub area_id: i32,
    /// e.g. 2026-W48 for a weekly list
    pub period: String,
    pub taken_at: DateTimeUtc,
    pub count: i32,
    pub band_1_30: i32,
    pub band_31_90: i32,
    pub band_91_180: i32,
    pub band_over_180: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
