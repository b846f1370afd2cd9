use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What happened to a loan: created, imported, extended, converted, collection_requested, returned, reminded.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "loan_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub loan_id: i32,
    pub at: DateTimeUtc,
    pub actor_user_id: Option<i32>,
    pub kind: String,
    pub old_due: Option<Date>,
    pub new_due: Option<Date>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
