use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Kvik Service settings: one row, id 1.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "kvik_settings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// How many days ahead citizens may book.
    pub horizon_days: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
