use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Weekly Kvik Service opening hours.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "kvik_opening")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 1 = Monday ... 7 = Sunday
    pub weekday: i32,
    /// HH:MM local time
    pub opens: String,
    /// HH:MM local time
    pub closes: String,
    pub slot_minutes: i32,
    /// Visitators working in parallel = bookings per slot.
    pub capacity: i32,
    pub active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
