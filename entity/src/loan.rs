use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A loan of an aid to a citizen (§140 short loan or §112 lasting grant).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "loan")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub citizen_id: i32,
    pub product_id: i32,
    pub unit_id: Option<i32>,
    /// The delivery that started it, if any.
    pub order_id: Option<i32>,
    /// The area of the citizen's address when the loan started: whose therapists follow up.
    pub area_id: i32,
    /// sundhedsloven_140 or serviceloven_112
    pub legal_basis: String,
    pub start_date: Date,
    /// None for §112.
    pub due_date: Option<Date>,
    /// active, collection_requested, returned
    pub status: String,
    pub returned_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
