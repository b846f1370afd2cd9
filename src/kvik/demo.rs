//! Kvik Service in the demo municipality: Tuesday 12-15 and Thursday 9-11,
//! Christmas Eve closed, bookings ahead and twelve weeks of past visits with
//! outcomes (some hand-outs with their loans), so the queue and the statistics
//! have something to show.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entity::{address, citizen, kvik_booking, kvik_closed_date, kvik_slot, product, unit};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::{Opening, Outcome, Status, slots_between};
use crate::error::AppError;
use crate::loans::LegalBasis;
use crate::loans::store::{NewLoan, create_loan};

/// Hand-outs in the demo's past (each takes a unit from stock).
const MAX_DEMO_LOANS: usize = 12;

const NAMES: [&str; 16] = [
    "Inger Madsen",
    "Poul Kristensen",
    "Kirsten Olsen",
    "Jens Pedersen",
    "Hanne Thomsen",
    "Erik Nielsen",
    "Grethe Larsen",
    "Bent Sørensen",
    "Birthe Rasmussen",
    "Knud Jørgensen",
    "Ruth Andersen",
    "Aage Christensen",
    "Lis Poulsen",
    "Svend Johansen",
    "Edith Mortensen",
    "Arne Hansen",
];

const NEEDS: [(&str, &str); 6] = [
    ("Svært ved at gå længere ture", "rollator"),
    ("Kan ikke stå i badet", "badebaenk"),
    ("Svært ved at rejse mig fra toilettet", "toiletforhoejer"),
    ("Kan ikke bukke mig efter ting", "gribetang"),
    (
        "Kan ikke få strømper på efter hofteoperation",
        "stroempepaatager",
    ),
    ("Vil gerne have råd om hjælpemidler i hjemmet", "andet"),
];

fn opening(weekday: u32, opens: (u32, u32), closes: (u32, u32)) -> Option<Opening> {
    Some(Opening {
        weekday,
        opens: chrono::NaiveTime::from_hms_opt(opens.0, opens.1, 0)?,
        closes: chrono::NaiveTime::from_hms_opt(closes.0, closes.1, 0)?,
        slot_minutes: 20,
        capacity: 2,
    })
}

/// Seeds the demo's Kvik Service inside the demo transaction.
pub async fn seed_demo_kvik(
    txn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let openings: Vec<Opening> = [opening(2, (12, 0), (15, 0)), opening(4, (9, 0), (11, 0))]
        .into_iter()
        .flatten()
        .collect();
    for o in &openings {
        super::store::save_opening(txn, 0, o, true).await?;
    }
    let christmas = NaiveDate::from_ymd_opt(now.year(), 12, 24)
        .ok_or_else(|| AppError::Internal("demo date".to_owned()))?;
    kvik_closed_date::ActiveModel {
        date: Set(christmas),
        reason: Set("Juleaften".to_owned()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    super::store::set_horizon_days(txn, 28).await?;

    let today = crate::clock::local_date(now);
    let closed = [christmas].into_iter().collect();
    let mut n = 0usize;

    // Bookings ahead: most slots of the next two weeks half taken.
    let ahead = slots_between(&openings, &closed, today, today + Duration::days(14));
    for slot in ahead.iter().filter(|s| s.start > now) {
        n += 1;
        if n.is_multiple_of(3) {
            continue;
        }
        let taken = if n.is_multiple_of(4) { 2 } else { 1 };
        kvik_slot::ActiveModel {
            slot_start: Set(slot.start),
            booked: Set(taken),
            capacity: Set(slot.capacity),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        for k in 0..taken {
            let i = n + usize::try_from(k).unwrap_or(0);
            insert_visit(
                txn,
                i,
                Some(slot.start),
                false,
                Status::Booked,
                None,
                None,
                now,
            )
            .await?;
        }
    }

    // Twelve weeks back: visits with outcomes, walk-ins, a few no-shows.
    let past = slots_between(&openings, &closed, today - Duration::weeks(12), today);
    let kvik_products = product::Entity::find()
        .filter(product::Column::KvikEligible.eq(true))
        .order_by_asc(product::Column::Id)
        .all(txn)
        .await?;
    let citizens = citizen::Entity::find()
        .filter(citizen::Column::AddressId.is_not_null())
        .order_by_asc(citizen::Column::Id)
        .limit(40)
        .all(txn)
        .await?;
    let mut handed = 0usize;
    let mut k = 0usize;
    for slot in past.iter().filter(|s| s.start < now - Duration::hours(1)) {
        n += 1;
        if !n.is_multiple_of(3) {
            continue;
        }
        k += 1;
        let (status, outcome) = match k % 10 {
            0 => (Status::NoShow, Some(Outcome::NoShow)),
            1 | 4 | 7 => (Status::Done, Some(Outcome::Advice)),
            2 => (Status::Done, Some(Outcome::Referred)),
            _ => (Status::Done, Some(Outcome::HandedOut)),
        };
        let walk_in = k % 4 == 3 && status != Status::NoShow;
        let mut loan_id = None;
        if outcome == Some(Outcome::HandedOut) && handed < MAX_DEMO_LOANS {
            loan_id = demo_loan(txn, &citizens, &kvik_products, handed, slot.start).await?;
            handed += 1;
        }
        let outcome = match (outcome, loan_id) {
            (Some(Outcome::HandedOut), None) => Some(Outcome::Advice),
            (o, _) => o,
        };
        if !walk_in {
            kvik_slot::Entity::insert(kvik_slot::ActiveModel {
                slot_start: Set(slot.start),
                booked: Set(1),
                capacity: Set(slot.capacity),
                ..Default::default()
            })
            .on_conflict_do_nothing_on([kvik_slot::Column::SlotStart])
            .exec_without_returning(txn)
            .await?;
        }
        let row = insert_visit(
            txn,
            n,
            (!walk_in).then_some(slot.start),
            walk_in,
            status,
            outcome,
            loan_id,
            slot.start,
        )
        .await?;
        if walk_in {
            kvik_booking::Entity::update_many()
                .col_expr(kvik_booking::Column::CreatedAt, Expr::value(slot.start))
                .col_expr(kvik_booking::Column::ArrivedAt, Expr::value(slot.start))
                .filter(kvik_booking::Column::Id.eq(row))
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_visit(
    txn: &impl ConnectionTrait,
    i: usize,
    slot_start: Option<DateTime<Utc>>,
    walk_in: bool,
    status: Status,
    outcome: Option<Outcome>,
    loan_id: Option<i32>,
    at: DateTime<Utc>,
) -> Result<i32, AppError> {
    let name = NAMES[i % NAMES.len()];
    let (need, aid) = NEEDS[i % NEEDS.len()];
    let (_, hash) = super::new_cancel_token();
    let saved = kvik_booking::ActiveModel {
        slot_start: Set(slot_start),
        name: Set(name.to_owned()),
        phone: Set(format!("+45{}", 20_000_000 + (i * 7919) % 9_000_000)),
        email: Set(None),
        need: Set(need.to_owned()),
        aids: Set(Some(aid.to_owned())),
        walk_in: Set(walk_in),
        status: Set(status.as_str().to_owned()),
        cancel_token_hash: Set((!walk_in).then_some(hash)),
        arrived_at: Set((status != Status::Booked && status != Status::NoShow).then_some(at)),
        outcome: Set(outcome.map(|o| o.as_str().to_owned())),
        outcome_note: Set(None),
        loan_id: Set(loan_id),
        handled_by: Set(None),
        created_at: Set(at - Duration::days(3)),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(saved.id)
}

/// A §140 loan of a Kvik product from stock for a demo citizen, or none when
/// there is nothing left to lend.
async fn demo_loan(
    txn: &impl ConnectionTrait,
    citizens: &[citizen::Model],
    products: &[product::Model],
    i: usize,
    at: DateTime<Utc>,
) -> Result<Option<i32>, AppError> {
    if citizens.is_empty() || products.is_empty() {
        return Ok(None);
    }
    let citizen = &citizens[i % citizens.len()];
    // Rollators most often, as in real life.
    let product = if i.is_multiple_of(3) {
        &products[(i / 3) % products.len()]
    } else {
        &products[0]
    };
    let Some(unit) = unit::Entity::find()
        .filter(unit::Column::ProductId.eq(product.id))
        .filter(unit::Column::Status.eq("available"))
        .order_by_asc(unit::Column::Id)
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let Some(home) = address::Entity::find_by_id(citizen.address_id.unwrap_or(0))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let Some(area) = crate::citizens::store::area_of_postal_code(txn, &home.postal_code).await?
    else {
        return Ok(None);
    };
    unit::Entity::update_many()
        .col_expr(unit::Column::Status, Expr::value("on_loan"))
        .filter(unit::Column::Id.eq(unit.id))
        .exec(txn)
        .await?;
    let loan = create_loan(
        txn,
        NewLoan {
            citizen_id: citizen.id,
            product_id: product.id,
            unit_id: Some(unit.id),
            order_id: None,
            area_id: area.id,
            legal_basis: LegalBasis::Sundhedsloven140,
            start_date: crate::clock::local_date(at),
            due_date: None,
            actor_user_id: None,
            event: "created",
        },
        at,
    )
    .await?;
    Ok(Some(loan.id))
}
