//! Demo loans for `serve --demo`: about 120 loans over the demo citizens, many of
//! them past their due date with varied ages, some lasting §112 grants, some
//! returned, and snapshots of the past weeks falling towards today's count.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{address, area, area_postcode, citizen, overdue_snapshot, product, unit};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};

use super::store::{self, NewLoan, create_loan};
use super::{LegalBasis, due_date, period_of};
use crate::error::AppError;

/// A small deterministic generator: every demo looks the same.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u32) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        u32::try_from((self.0 >> 33) % u64::from(n.max(1))).unwrap_or(0)
    }
}

const LOANS: usize = 120;

pub async fn seed_demo_loans(
    tx: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let today = crate::clock::local_date(now);
    let mut rng = Lcg(0x140_2026);
    let citizens = citizen::Entity::find()
        .order_by_asc(citizen::Column::Id)
        .all(tx)
        .await?;
    let products = product::Entity::find()
        .filter(product::Column::Active.eq(true))
        .order_by_asc(product::Column::Id)
        .all(tx)
        .await?;
    if citizens.is_empty() || products.is_empty() {
        return Ok(());
    }
    let postcodes: HashMap<String, i32> = area_postcode::Entity::find()
        .all(tx)
        .await?
        .into_iter()
        .map(|p| (p.postal_code, p.area_id))
        .collect();
    let addresses: HashMap<i32, String> = address::Entity::find()
        .all(tx)
        .await?
        .into_iter()
        .map(|a| (a.id, a.postal_code))
        .collect();
    let mut free_units: HashMap<i32, Vec<unit::Model>> = HashMap::new();
    for u in unit::Entity::find()
        .filter(unit::Column::Status.eq("available"))
        .order_by_asc(unit::Column::Id)
        .all(tx)
        .await?
    {
        free_units.entry(u.product_id).or_default().push(u);
    }
    let mut made = 0;
    let mut i = 0usize;
    while made < LOANS && i < citizens.len() * 3 {
        let citizen =
            &citizens[(i * 7 + usize::try_from(rng.below(5)).unwrap_or(0)) % citizens.len()];
        i += 1;
        let Some(area_id) = citizen
            .address_id
            .and_then(|id| addresses.get(&id))
            .and_then(|pc| postcodes.get(pc))
            .copied()
        else {
            continue;
        };
        let product = &products
            [usize::try_from(rng.below(u32::try_from(products.len()).unwrap_or(1))).unwrap_or(0)];
        let basis = if rng.below(100) < 15 {
            LegalBasis::Serviceloven112
        } else {
            LegalBasis::Sundhedsloven140
        };
        // Started up to 14 months ago: about half of the §140 loans are past due.
        let start = today - Duration::days(i64::from(rng.below(420)));
        let mut due = due_date(start, basis);
        // Some were extended once already.
        if rng.below(100) < 10
            && let Some(d) = due
        {
            due = Some(d + Duration::days(i64::from(30 + rng.below(60))));
        }
        let unit_id = match free_units.get_mut(&product.id).and_then(Vec::pop) {
            Some(u) => {
                let id = u.id;
                let mut active = u.into_active_model();
                active.status = Set("on_loan".to_owned());
                active.updated_at = Set(now);
                active.update(tx).await?;
                Some(id)
            }
            None => None,
        };
        let created = create_loan(
            tx,
            NewLoan {
                citizen_id: citizen.id,
                product_id: product.id,
                unit_id,
                order_id: None,
                area_id,
                legal_basis: basis,
                start_date: start,
                due_date: Some(due),
                actor_user_id: None,
                event: "created",
            },
            now,
        )
        .await?;
        // A fifth came back already.
        let age = (today - start).num_days();
        if age > 20 && rng.below(100) < 20 {
            let back =
                start + Duration::days(i64::from(rng.below(u32::try_from(age).unwrap_or(1))));
            store::mark_returned(tx, created, back, None, now).await?;
        }
        made += 1;
    }
    seed_snapshots(tx, today, now).await
}

/// Snapshots every other week for the past four months, falling to today's count.
async fn seed_snapshots(
    tx: &impl ConnectionTrait,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for a in area::Entity::find().all(tx).await? {
        let current = store::overdue_bands(tx, a.id, today).await?;
        let this_period = period_of(&a.list_cadence, today);
        for back in (1..=8i64).rev() {
            let day = today - Duration::days(14 * back);
            let period = period_of(&a.list_cadence, day);
            if period == this_period {
                continue;
            }
            // Higher in the past: 9 % more per fortnight back, with a little noise.
            let factor =
                1.0 + 0.09 * back as f64 + 0.02 * ((back * 7 + i64::from(a.id)) % 3) as f64;
            let scale = |n: i64| ((n as f64 * factor).round() as i64).max(n);
            let bands = [
                scale(current.band_1_30),
                scale(current.band_31_90),
                scale(current.band_91_180),
                scale(current.band_over_180),
            ];
            let clamp = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
            overdue_snapshot::ActiveModel {
                area_id: Set(a.id),
                period: Set(period),
                taken_at: Set(now - Duration::days(14 * back)),
                count: Set(clamp(bands.iter().sum())),
                band_1_30: Set(clamp(bands[0])),
                band_31_90: Set(clamp(bands[1])),
                band_91_180: Set(clamp(bands[2])),
                band_over_180: Set(clamp(bands[3])),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
    }
    Ok(())
}
