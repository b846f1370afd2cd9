use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// An order served by a stop. Kept when a failed stop sends the order back to
/// planning (`orders.stop_id` then becomes null), so the stop's history stays.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "stop_order")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub stop_id: i32,
    pub order_id: i32,
    /// delivery or pickup
    pub kind: String,
    /// The order's own date when it was pulled forward into this stop (a merge).
    pub pulled_from: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
