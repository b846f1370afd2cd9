//! The demo municipality for `depot serve --demo`: seeded by code (not by
//! migrations) when the database is empty.

use chrono::{DateTime, Utc};
use entity::{area, area_postcode};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Set, TransactionTrait};

use crate::auth::{Role, store};
use crate::error::AppError;

/// A demo login printed at start.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: &'static str,
    pub email: String,
    pub password: String,
}

const DEMO_PASSWORD: &str = "demo-adgang-2026";

/// Seeds everything when there are no areas yet; returns the logins (empty when
/// the database already had data).
pub async fn seed_if_empty(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<DemoLogin>, AppError> {
    if area::Entity::find().count(db).await? > 0 {
        return Ok(Vec::new());
    }
    let tx = db.begin().await?;
    let areas = [
        ("nord", "Område Nord", "+4589151010", &[("8930", "Randers NØ"), ("8970", "Havndal"), ("8981", "Spentrup"), ("8983", "Gjerlev J")][..]),
        ("syd", "Område Syd", "+4589152020", &[("8900", "Randers C"), ("8960", "Randers SØ"), ("8870", "Langå")][..]),
        ("vest", "Område Vest", "+4589153030", &[("8920", "Randers NV"), ("8940", "Randers SV"), ("8990", "Fårup")][..]),
    ];
    for (code, name, phone, postcodes) in areas {
        let saved = area::ActiveModel {
            code: Set(code.to_owned()),
            name: Set(name.to_owned()),
            slip_phone: Set(phone.to_owned()),
            list_recipients: Set(format!("terapeuter.{code}@randers.invalid")),
            list_cadence: Set("biweekly".to_owned()),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        for (postal_code, city) in postcodes {
            area_postcode::ActiveModel {
                postal_code: Set((*postal_code).to_owned()),
                area_id: Set(saved.id),
                city: Set((*city).to_owned()),
            }
            .insert(&tx)
            .await?;
        }
    }
    let users: [(Role, &str, &str, Option<&str>); 6] = [
        (Role::Admin, "admin@depot.invalid", "Anne Admin", None),
        (Role::Depot, "depot@depot.invalid", "Dennis Depot", None),
        (Role::Coordinator, "koordinator@depot.invalid", "Karin Koordinator", None),
        (Role::Therapist, "terapeut.nord@depot.invalid", "Tina Terapeut", Some("nord")),
        (Role::Visitator, "visitator@depot.invalid", "Villy Visitator", None),
        (Role::Driver, "chauffoer@depot.invalid", "Carsten Chauffør", None),
    ];
    let mut logins = Vec::new();
    for (role, email, name, area_code) in users {
        store::create_user(
            &tx,
            store::NewUser { email, name, role, area_code, phone: None, password: DEMO_PASSWORD },
            now,
        )
        .await?;
        logins.push(DemoLogin { role: role.as_str(), email: email.to_owned(), password: DEMO_PASSWORD.to_owned() });
    }
    tx.commit().await?;
    Ok(logins)
}
