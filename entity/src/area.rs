use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "area")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    /// Phone number of the area's therapists, printed on the loan slip.
    pub slip_phone: String,
    /// Comma-separated recipients of the area's overdue list.
    pub list_recipients: String,
    /// How often the overdue list is sent: weekly, biweekly, monthly, semiannual.
    pub list_cadence: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
