//! Queries for base data.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{area, area_postcode, product, unit, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::{AreaValues, ProductValues, UnitStatus};
use crate::error::AppError;

pub async fn active_products(db: &impl ConnectionTrait) -> Result<Vec<product::Model>, AppError> {
    Ok(product::Entity::find()
        .filter(product::Column::Active.eq(true))
        .order_by_asc(product::Column::Name)
        .all(db)
        .await?)
}

// ---------------------------------------------------------------- areas

pub async fn all_areas(db: &impl ConnectionTrait) -> Result<Vec<area::Model>, AppError> {
    Ok(area::Entity::find()
        .order_by_asc(area::Column::Code)
        .all(db)
        .await?)
}

/// Every area with its postal codes, in code order.
pub async fn areas_with_postcodes(
    db: &impl ConnectionTrait,
) -> Result<Vec<(area::Model, Vec<area_postcode::Model>)>, AppError> {
    let areas = all_areas(db).await?;
    let mut postcodes: HashMap<i32, Vec<area_postcode::Model>> = HashMap::new();
    for pc in area_postcode::Entity::find()
        .order_by_asc(area_postcode::Column::PostalCode)
        .all(db)
        .await?
    {
        postcodes.entry(pc.area_id).or_default().push(pc);
    }
    Ok(areas
        .into_iter()
        .map(|a| {
            let codes = postcodes.remove(&a.id).unwrap_or_default();
            (a, codes)
        })
        .collect())
}

pub async fn find_area(db: &impl ConnectionTrait, id: i32) -> Result<area::Model, AppError> {
    area::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn postcodes_of(
    db: &impl ConnectionTrait,
    area_id: i32,
) -> Result<Vec<area_postcode::Model>, AppError> {
    Ok(area_postcode::Entity::find()
        .filter(area_postcode::Column::AreaId.eq(area_id))
        .order_by_asc(area_postcode::Column::PostalCode)
        .all(db)
        .await?)
}

pub async fn update_area(
    db: &impl ConnectionTrait,
    area: area::Model,
    values: AreaValues,
) -> Result<(), AppError> {
    let mut model: area::ActiveModel = area.into();
    model.name = Set(values.name);
    model.slip_phone = Set(values.slip_phone);
    model.list_recipients = Set(values.list_recipients);
    model.list_cadence = Set(values.list_cadence.as_str().to_owned());
    model.update(db).await?;
    Ok(())
}

/// The area a postal code belongs to, if any.
pub async fn postcode_owner(
    db: &impl ConnectionTrait,
    postal_code: &str,
) -> Result<Option<area::Model>, AppError> {
    let Some(found) = area_postcode::Entity::find_by_id(postal_code.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(area::Entity::find_by_id(found.area_id).one(db).await?)
}

pub async fn add_postcode(
    db: &impl ConnectionTrait,
    area_id: i32,
    postal_code: String,
    city: String,
) -> Result<(), AppError> {
    area_postcode::ActiveModel {
        postal_code: Set(postal_code),
        area_id: Set(area_id),
        city: Set(city),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Removes a postal code from an area; "not found" when the area does not have it.
pub async fn remove_postcode(
    db: &impl ConnectionTrait,
    area_id: i32,
    postal_code: &str,
) -> Result<(), AppError> {
    let result = area_postcode::Entity::delete_many()
        .filter(area_postcode::Column::AreaId.eq(area_id))
        .filter(area_postcode::Column::PostalCode.eq(postal_code))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

// ---------------------------------------------------------------- products

pub async fn all_products(db: &impl ConnectionTrait) -> Result<Vec<product::Model>, AppError> {
    Ok(product::Entity::find()
        .order_by_asc(product::Column::Code)
        .all(db)
        .await?)
}

pub async fn find_product(db: &impl ConnectionTrait, id: i32) -> Result<product::Model, AppError> {
    product::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Whether another product than `except` has this code.
pub async fn product_code_taken(
    db: &impl ConnectionTrait,
    code: &str,
    except: Option<i32>,
) -> Result<bool, AppError> {
    let mut query = product::Entity::find().filter(product::Column::Code.eq(code));
    if let Some(id) = except {
        query = query.filter(product::Column::Id.ne(id));
    }
    Ok(query.count(db).await? > 0)
}

pub async fn insert_product(
    db: &impl ConnectionTrait,
    values: ProductValues,
) -> Result<i32, AppError> {
    let saved = product::ActiveModel {
        code: Set(values.code),
        name: Set(values.name),
        iso9999: Set(values.iso9999),
        kvik_eligible: Set(values.kvik_eligible),
        volume: Set(values.volume),
        service_minutes: Set(values.service_minutes),
        active: Set(values.active),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(saved.id)
}

pub async fn update_product(
    db: &impl ConnectionTrait,
    product: product::Model,
    values: ProductValues,
) -> Result<(), AppError> {
    let mut model: product::ActiveModel = product.into();
    model.code = Set(values.code);
    model.name = Set(values.name);
    model.iso9999 = Set(values.iso9999);
    model.kvik_eligible = Set(values.kvik_eligible);
    model.volume = Set(values.volume);
    model.service_minutes = Set(values.service_minutes);
    model.active = Set(values.active);
    model.update(db).await?;
    Ok(())
}

// ---------------------------------------------------------------- units

/// At most this many units are listed at once; the filters narrow the list.
pub const UNIT_LIMIT: u64 = 500;

/// Units with their product's name, by product name and serial.
pub async fn list_units(
    db: &impl ConnectionTrait,
    product_id: Option<i32>,
    status: Option<UnitStatus>,
) -> Result<(Vec<(unit::Model, String)>, u64), AppError> {
    let mut query = unit::Entity::find();
    if let Some(id) = product_id {
        query = query.filter(unit::Column::ProductId.eq(id));
    }
    if let Some(status) = status {
        query = query.filter(unit::Column::Status.eq(status.as_str()));
    }
    let total = query.clone().count(db).await?;
    let units = query
        .order_by_asc(unit::Column::ProductId)
        .order_by_asc(unit::Column::Serial)
        .limit(UNIT_LIMIT)
        .all(db)
        .await?;
    let names: HashMap<i32, String> = product::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut rows: Vec<(unit::Model, String)> = units
        .into_iter()
        .map(|u| {
            let name = names.get(&u.product_id).cloned().unwrap_or_default();
            (u, name)
        })
        .collect();
    rows.sort_by(|(a, an), (b, bn)| an.cmp(bn).then_with(|| a.serial.cmp(&b.serial)));
    Ok((rows, total))
}

pub async fn find_unit(db: &impl ConnectionTrait, id: i32) -> Result<unit::Model, AppError> {
    unit::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn serial_taken(db: &impl ConnectionTrait, serial: &str) -> Result<bool, AppError> {
    Ok(unit::Entity::find()
        .filter(unit::Column::Serial.eq(serial))
        .count(db)
        .await?
        > 0)
}

pub async fn insert_unit(
    db: &impl ConnectionTrait,
    product_id: i32,
    serial: String,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let saved = unit::ActiveModel {
        product_id: Set(product_id),
        serial: Set(serial),
        status: Set(UnitStatus::Available.as_str().to_owned()),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(saved.id)
}

/// Sets a unit's status, but only if it still has the status it was checked
/// against (a loan may have taken it meanwhile). Returns whether it changed.
pub async fn set_unit_status(
    db: &impl ConnectionTrait,
    unit: &unit::Model,
    status: UnitStatus,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let result = unit::Entity::update_many()
        .col_expr(unit::Column::Status, Expr::value(status.as_str()))
        .col_expr(unit::Column::UpdatedAt, Expr::value(now))
        .filter(unit::Column::Id.eq(unit.id))
        .filter(unit::Column::Status.eq(unit.status.as_str()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

// ---------------------------------------------------------------- users

/// Every user, by name.
pub async fn all_users(db: &impl ConnectionTrait) -> Result<Vec<user::Model>, AppError> {
    Ok(user::Entity::find()
        .order_by_asc(user::Column::Name)
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?)
}

pub async fn find_user(db: &impl ConnectionTrait, id: i32) -> Result<user::Model, AppError> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn set_user_active(
    db: &impl ConnectionTrait,
    user_id: i32,
    active: bool,
) -> Result<(), AppError> {
    user::Entity::update_many()
        .col_expr(user::Column::Active, Expr::value(active))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn set_password_hash(
    db: &impl ConnectionTrait,
    user_id: i32,
    hash: String,
) -> Result<(), AppError> {
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}
