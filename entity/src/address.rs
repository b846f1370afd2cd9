use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "address")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub street: String,
    pub house_number: String,
    pub floor: Option<String>,
    pub door: Option<String>,
    pub postal_code: String,
    pub city: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Normalised street, number, floor, door and postal code: equal keys share a stop.
    #[sea_orm(unique)]
    pub norm_key: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
