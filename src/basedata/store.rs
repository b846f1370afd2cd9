//! Queries for base data.

use entity::product;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::AppError;

pub async fn active_products(db: &impl ConnectionTrait) -> Result<Vec<product::Model>, AppError> {
    Ok(product::Entity::find()
        .filter(product::Column::Active.eq(true))
        .order_by_asc(product::Column::Name)
        .all(db)
        .await?)
}
