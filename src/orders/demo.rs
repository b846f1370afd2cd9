//! Demo orders for `serve --demo`: about fifteen orders over the coming days
//! from the hospital and the therapists, some to the same address (a hospital
//! order followed by a therapist's care bed), so the "samkøres med" hints and
//! the delivery runs have something to show.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{address, citizen, order, order_event, order_line, product, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::{DeliveryMode, Kind, Source, Status};
use crate::error::AppError;

/// One demo order: citizens are picked by index, days count from today, the
/// hour is the discharge time of a hospital order.
struct Demo {
    source: Source,
    citizen: usize,
    /// The address of an earlier demo order (index into the list), if any.
    at_address_of: Option<usize>,
    /// Delivered to another citizen's home (e.g. a daughter's): that citizen's index.
    to_home_of: Option<usize>,
    days: i64,
    hour: u32,
    aids: &'static [(&'static str, i32)],
    status: Status,
    self_pickup: bool,
    lasting: bool,
    notes: Option<&'static str>,
}

const fn d(
    source: Source,
    citizen: usize,
    days: i64,
    hour: u32,
    aids: &'static [(&'static str, i32)],
    status: Status,
) -> Demo {
    Demo {
        source,
        citizen,
        at_address_of: None,
        to_home_of: None,
        days,
        hour,
        aids,
        status,
        self_pickup: false,
        lasting: false,
        notes: None,
    }
}

const ROLLATOR: &str = "Rollator, standard";
const BATH: &str = "Badebænk, højdejusterbar";
const RAISER: &str = "Toiletforhøjer, 10 cm";
const BED: &str = "Plejeseng, elektrisk 90 x 200 cm";
const COMMODE: &str = "Bade- og toiletstol med hjul";
const CRUTCHES: &str = "Albuestokke, justerbare (par)";
const WALKER: &str = "Gangstativ";

fn demos() -> Vec<Demo> {
    use Source::{Hospital, Therapist};
    use Status::{Confirmed, Received};
    vec![
        // 0: discharge tomorrow; 1: the therapist's care bed to the same home.
        Demo {
            notes: Some("Nøgleboks 2580 ved hoveddøren"),
            ..d(Hospital, 0, 1, 11, &[(ROLLATOR, 1), (RAISER, 1)], Confirmed)
        },
        Demo {
            lasting: true,
            ..d(Therapist, 0, 2, 0, &[(BED, 1)], Received)
        },
        d(Hospital, 1, 1, 14, &[(BATH, 1), (RAISER, 1)], Received),
        d(Hospital, 2, 1, 9, &[(WALKER, 1)], Confirmed),
        // 4 and 5: a couple at one address — the spouse's order is merged too.
        d(Hospital, 3, 2, 10, &[(ROLLATOR, 1), (BATH, 1)], Received),
        Demo {
            at_address_of: Some(4),
            ..d(Therapist, 4, 3, 0, &[(BED, 1), (COMMODE, 1)], Received)
        },
        d(Hospital, 5, 2, 13, &[(CRUTCHES, 1)], Received),
        Demo {
            self_pickup: true,
            ..d(Hospital, 6, 1, 15, &[(CRUTCHES, 1), (RAISER, 1)], Confirmed)
        },
        d(Therapist, 7, 3, 0, &[(COMMODE, 1)], Confirmed),
        d(Therapist, 8, 4, 0, &[(ROLLATOR, 1)], Received),
        d(Hospital, 9, 3, 12, &[(BATH, 1), (WALKER, 1)], Received),
        // 11: discharged to a daughter's home; 12: the therapist orders to the same place.
        Demo {
            to_home_of: Some(14),
            ..d(Hospital, 10, 4, 10, &[(ROLLATOR, 1)], Received)
        },
        Demo {
            at_address_of: Some(11),
            ..d(Therapist, 10, 5, 0, &[(BED, 1)], Received)
        },
        d(Therapist, 11, 5, 0, &[(RAISER, 2)], Received),
        d(Hospital, 12, 6, 11, &[(BATH, 1), (ROLLATOR, 1)], Received),
        Demo {
            self_pickup: true,
            ..d(Therapist, 13, 2, 0, &[(CRUTCHES, 1)], Received)
        },
    ]
}

/// Seeds the demo orders with their first events; call inside the demo
/// transaction after users, products and citizens exist.
pub async fn seed_demo_orders(
    txn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let users = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .all(txn)
        .await?;
    let coordinator = users.iter().find(|u| u.role == "coordinator");
    let therapist = users.iter().find(|u| u.role == "therapist");
    let (Some(coordinator), Some(therapist)) = (coordinator, therapist) else {
        return Ok(());
    };
    let depot = users.iter().find(|u| u.role == "depot").map(|u| u.id);
    let citizens = citizen::Entity::find()
        .filter(citizen::Column::AddressId.is_not_null())
        .order_by_asc(citizen::Column::Id)
        .all(txn)
        .await?;
    if citizens.len() < 20 {
        return Ok(());
    }
    let products = product::Entity::find().all(txn).await?;
    let today = crate::clock::local_date(now);
    let list = demos();
    let pick = |index: usize| &citizens[(index * 3 + 1) % citizens.len()];
    let mut addresses: Vec<i32> = Vec::new();
    for (i, demo) in list.iter().enumerate() {
        // Every third citizen, so the orders spread over the municipality.
        let citizen = pick(demo.citizen);
        let home = citizen.address_id.unwrap_or_default();
        let address_id = match (demo.at_address_of, demo.to_home_of) {
            (Some(other), _) => addresses.get(other).copied().unwrap_or(home),
            (None, Some(other)) => pick(other).address_id.unwrap_or(home),
            (None, None) => home,
        };
        // At another order's address: a spouse living there orders, if there is one.
        let first = demo
            .at_address_of
            .and_then(|other| list.get(other))
            .map(|other| pick(other.citizen).id);
        let citizen_id = match first {
            Some(first) if first != citizen.id => citizens
                .iter()
                .find(|c| c.address_id == Some(address_id) && c.id != first)
                .map_or(citizen.id, |spouse| spouse.id),
            _ => citizen.id,
        };
        addresses.push(address_id);
        if address::Entity::find_by_id(address_id)
            .one(txn)
            .await?
            .is_none()
        {
            continue;
        }
        let date = today + Duration::days(demo.days);
        let discharge_at = (demo.source == Source::Hospital)
            .then(|| discharge(date, demo.hour))
            .flatten();
        let ordered_by = if demo.source == Source::Hospital {
            coordinator.id
        } else {
            therapist.id
        };
        let created = now - Duration::hours(i64::try_from(20 - i).unwrap_or(1));
        let saved = order::ActiveModel {
            kind: Set(Kind::Delivery.as_str().to_owned()),
            source: Set(demo.source.as_str().to_owned()),
            citizen_id: Set(citizen_id),
            address_id: Set(address_id),
            discharge_at: Set(discharge_at),
            deliver_by: Set(Some(date)),
            delivery_mode: Set(if demo.self_pickup {
                DeliveryMode::SelfPickup
            } else {
                DeliveryMode::Delivery
            }
            .as_str()
            .to_owned()),
            legal_basis: Set(if demo.lasting {
                "serviceloven_112"
            } else {
                "sundhedsloven_140"
            }
            .to_owned()),
            status: Set(demo.status.as_str().to_owned()),
            access_notes: Set(demo.notes.map(str::to_owned)),
            contact_phone: Set(citizen.phone.clone()),
            notes: Set(None),
            ordered_by: Set(ordered_by),
            idempotency_key: Set(None),
            request_hash: Set(None),
            loan_id: Set(None),
            stop_id: Set(None),
            created_at: Set(created),
            updated_at: Set(created),
            completed_at: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        for (name, quantity) in demo.aids {
            let Some(p) = products.iter().find(|p| p.name == *name) else {
                continue;
            };
            order_line::ActiveModel {
                order_id: Set(saved.id),
                product_id: Set(p.id),
                quantity: Set(*quantity),
                unit_id: Set(None),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
        event(
            txn,
            saved.id,
            None,
            Status::Received,
            Some(ordered_by),
            created,
        )
        .await?;
        if demo.status == Status::Confirmed {
            let at = created + Duration::minutes(30);
            event(
                txn,
                saved.id,
                Some(Status::Received),
                Status::Confirmed,
                depot,
                at,
            )
            .await?;
        }
    }
    Ok(())
}

/// A discharge at `hour` o'clock Copenhagen time on `date`.
fn discharge(date: NaiveDate, hour: u32) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    let local = date.and_hms_opt(hour, 0, 0)?;
    chrono_tz::Europe::Copenhagen
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.to_utc())
}

async fn event(
    txn: &impl ConnectionTrait,
    order_id: i32,
    from: Option<Status>,
    to: Status,
    actor: Option<i32>,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    order_event::ActiveModel {
        order_id: Set(order_id),
        at: Set(at),
        actor_user_id: Set(actor),
        from_status: Set(from.map(|s| s.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        note: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}
