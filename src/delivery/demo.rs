//! Demo fleet for `serve --demo`: three vehicles of different sizes, all from
//! the depot, shifts 07:30–15:00.

use chrono::{DateTime, Utc};
use entity::vehicle;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, Set};

use crate::error::AppError;

/// (name, capacity in volume units). A care bed takes 30 in the demo catalogue.
const FLEET: [(&str, i32); 3] = [
    ("Stor varevogn (AB 12 345)", 60),
    ("Lille varevogn (CD 23 456)", 30),
    ("Personbil (EF 34 567)", 12),
];

/// Seeds the fleet when there are no vehicles yet.
pub async fn seed_demo_fleet(
    txn: &impl ConnectionTrait,
    _now: DateTime<Utc>,
) -> Result<(), AppError> {
    if vehicle::Entity::find().count(txn).await? > 0 {
        return Ok(());
    }
    for (name, capacity) in FLEET {
        vehicle::ActiveModel {
            name: Set(name.to_owned()),
            capacity: Set(capacity),
            shift_start: Set("07:30".to_owned()),
            shift_end: Set("15:00".to_owned()),
            start_lat: Set(None),
            start_lon: Set(None),
            active: Set(true),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}
