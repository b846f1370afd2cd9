//! Planning a day: read the candidates, consolidate, solve off the async
//! threads within about a second, and replace the day's draft runs in one
//! transaction (locked and dispatched runs stay as they are).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{order, planning_log, run, stop, stop_order};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession,
};
use serde::{Deserialize, Serialize};

use super::planner::{JobKind, Options, Reason, solve};
use super::{
    Merge, RunStatus, StopStatus, at_secs, build_problem, group_stops, read_plan, select, store,
};
use crate::error::AppError;
use crate::orders::Status as OrderStatus;

/// An order left out, with the solver's reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Left {
    pub order_id: i32,
    pub reason: String,
}

/// What a planning leaves behind for the page (stored as the log's details).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Details {
    pub merges: Vec<Merge>,
    /// Per merge: whether it is the one that saves the drive.
    pub saves: Vec<bool>,
    pub unassigned: Vec<Left>,
    /// Addresses placed by their postal code (no coordinates of their own).
    pub approximate: Vec<i32>,
}

impl Details {
    pub fn parse(raw: &str) -> Self {
        serde_json::from_str(raw).unwrap_or_default()
    }

    /// Danish lines for the page, one per merge.
    pub fn merge_texts(&self) -> Vec<String> {
        self.merges
            .iter()
            .enumerate()
            .map(|(i, m)| m.text_da(self.saves.get(i).copied().unwrap_or(false)))
            .collect()
    }

    pub fn reason_of(&self, order_id: i32) -> Option<&'static str> {
        self.unassigned
            .iter()
            .find(|l| l.order_id == order_id)
            .map(|l| reason_label(&l.reason))
    }
}

/// The Danish text of a stored reason word.
pub fn reason_label(code: &str) -> &'static str {
    [
        Reason::NoVehicle,
        Reason::OverCapacity,
        Reason::WindowCannotBeMet,
        Reason::NoRoom,
    ]
    .into_iter()
    .find(|r| r.as_str() == code)
    .map_or("ukendt årsag", Reason::label_da)
}

#[derive(Clone, Debug)]
pub struct Outcome {
    pub runs: Vec<i32>,
    pub unassigned: Vec<Left>,
    pub merges: Vec<Merge>,
    pub drives_saved: i64,
    pub orders: usize,
    pub stops: usize,
}

/// Plans `date` and replaces its draft runs. A planning that meets a change
/// made meanwhile (an order cancelled, a second planning) gives 409.
pub async fn plan_day<C>(
    db: &C,
    date: NaiveDate,
    actor: i32,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Outcome, AppError>
where
    C: ConnectionTrait + sea_orm::TransactionTrait,
{
    let (candidates, approximate) = store::candidates(db, date).await?;
    let selection = select(&candidates, date);
    let chosen: Vec<i32> = selection.chosen.iter().map(|(id, _)| *id).collect();
    let pulled: HashMap<i32, NaiveDate> = selection
        .chosen
        .iter()
        .filter_map(|(id, from)| from.map(|f| (*id, f)))
        .collect();
    let stops = group_stops(&candidates, &chosen, date);
    let vehicles = store::active_vehicles(db).await?;
    let specs: Vec<_> = vehicles.iter().map(|v| store::spec_of(v, date)).collect();
    let (problem, refs) = build_problem(&stops, &specs, date);
    // The budget grows with the day (0.95 s up to 100 stops, at most 10 s): see
    // `planner::time_limit_for`.
    let options = Options::for_jobs(problem.jobs.len());
    let plan = tokio::task::spawn_blocking(move || solve(&problem, &options))
        .await
        .map_err(|e| AppError::Internal(format!("planner stopped: {e}")))?
        .map_err(|e| AppError::Internal(format!("planner: {e}")))?;
    let (routes, left) = read_plan(&plan, &refs);

    let mut unassigned = Vec::new();
    for (job, reason) in &left {
        let Some(s) = stops.get(job.stop) else {
            continue;
        };
        let orders = match job.kind {
            JobKind::Delivery => &s.deliveries,
            JobKind::Pickup => &s.pickups,
        };
        for id in orders {
            unassigned.push(Left {
                order_id: *id,
                reason: reason.as_str().to_owned(),
            });
        }
    }
    unassigned.sort_by_key(|l| l.order_id);
    let left_ids: BTreeSet<i32> = unassigned.iter().map(|l| l.order_id).collect();
    let merges: Vec<Merge> = selection
        .merges
        .iter()
        .filter(|m| !left_ids.contains(&m.order_id))
        .cloned()
        .collect();
    let saves: Vec<bool> = (0..merges.len())
        .map(|i| super::saves_drive(&merges, &candidates, i))
        .collect();
    let drives_saved = saves.iter().filter(|s| **s).count() as i64;

    let txn = crate::orders::store::begin_write(db).await?;
    let drivers = clear_drafts(&txn, date, actor, today, now).await?;
    let mut run_ids = Vec::new();
    let mut stop_count = 0;
    let mut order_count = 0;
    for route in &routes {
        let saved_run = run::ActiveModel {
            date: Set(date),
            vehicle_id: Set(route.vehicle_id),
            driver_id: Set(drivers.get(&route.vehicle_id).copied()),
            status: Set(RunStatus::Draft.as_str().to_owned()),
            distance_km: Set((route.distance_m as f64 / 100.0).round() / 10.0),
            duration_min: Set(i32::try_from(route.duration_s / 60).unwrap_or(i32::MAX)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        run_ids.push(saved_run.id);
        for (seq, visit) in route.stops.iter().enumerate() {
            let Some(draft) = stops.get(visit.stop) else {
                continue;
            };
            let saved_stop = stop::ActiveModel {
                run_id: Set(saved_run.id),
                seq: Set(i32::try_from(seq + 1).unwrap_or(i32::MAX)),
                address_id: Set(draft.address_id),
                eta: Set(Some(at_secs(date, visit.eta))),
                window_end: Set(draft.discharge_at),
                service_minutes: Set(i32::try_from(draft.service_minutes()).unwrap_or(i32::MAX)),
                status: Set(StopStatus::Planned.as_str().to_owned()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            stop_count += 1;
            for kind in &visit.kinds {
                let orders = match kind {
                    JobKind::Delivery => &draft.deliveries,
                    JobKind::Pickup => &draft.pickups,
                };
                for id in orders {
                    put_on_stop(&txn, *id, saved_stop.id, actor, today, now).await?;
                    stop_order::ActiveModel {
                        stop_id: Set(saved_stop.id),
                        order_id: Set(*id),
                        kind: Set(match kind {
                            JobKind::Delivery => "delivery",
                            JobKind::Pickup => "pickup",
                        }
                        .to_owned()),
                        pulled_from: Set(pulled.get(id).copied()),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await?;
                    order_count += 1;
                }
            }
        }
    }
    let details = Details {
        merges: merges.clone(),
        saves,
        unassigned: unassigned.clone(),
        approximate: {
            let mut list: Vec<i32> = approximate.into_iter().collect();
            list.sort_unstable();
            list
        },
    };
    planning_log::ActiveModel {
        date: Set(date),
        planned_at: Set(now),
        orders: Set(i32::try_from(order_count).unwrap_or(i32::MAX)),
        stops: Set(stop_count),
        runs: Set(i32::try_from(run_ids.len()).unwrap_or(i32::MAX)),
        drives_saved: Set(i32::try_from(drives_saved).unwrap_or(i32::MAX)),
        details: Set(serde_json::to_string(&details).unwrap_or_default()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(Outcome {
        runs: run_ids,
        unassigned,
        merges,
        drives_saved,
        orders: order_count,
        stops: usize::try_from(stop_count).unwrap_or_default(),
    })
}

/// Removes the day's draft runs, their orders back to confirmed; returns the
/// driver each vehicle had, so a new planning keeps the assignment.
async fn clear_drafts(
    txn: &impl ConnectionTrait,
    date: NaiveDate,
    actor: i32,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<HashMap<i32, i32>, AppError> {
    let drafts = run::Entity::find()
        .filter(run::Column::Date.eq(date))
        .filter(run::Column::Status.eq(RunStatus::Draft.as_str()))
        .all(txn)
        .await?;
    let drivers = drafts
        .iter()
        .filter_map(|r| r.driver_id.map(|d| (r.vehicle_id, d)))
        .collect();
    let run_ids: Vec<i32> = drafts.iter().map(|r| r.id).collect();
    if run_ids.is_empty() {
        return Ok(drivers);
    }
    let stop_ids: Vec<i32> = stop::Entity::find()
        .filter(stop::Column::RunId.is_in(run_ids.clone()))
        .all(txn)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let planned = order::Entity::find()
        .filter(order::Column::StopId.is_in(stop_ids.clone()))
        .filter(order::Column::Status.eq(OrderStatus::Planned.as_str()))
        .all(txn)
        .await?;
    for o in planned {
        crate::orders::store::unplan(txn, o.id, Some(actor), today, now).await?;
    }
    // Any other order still pointing at these stops (changed by hand) lets go.
    order::Entity::update_many()
        .col_expr(
            order::Column::StopId,
            sea_orm::sea_query::Expr::value(Option::<i32>::None),
        )
        .filter(order::Column::StopId.is_in(stop_ids.clone()))
        .exec(txn)
        .await?;
    stop_order::Entity::delete_many()
        .filter(stop_order::Column::StopId.is_in(stop_ids.clone()))
        .exec(txn)
        .await?;
    stop::Entity::delete_many()
        .filter(stop::Column::Id.is_in(stop_ids))
        .exec(txn)
        .await?;
    run::Entity::delete_many()
        .filter(run::Column::Id.is_in(run_ids))
        .exec(txn)
        .await?;
    Ok(drivers)
}

/// received → confirmed, failed → confirmed, then planned on the stop.
async fn put_on_stop(
    txn: &impl ConnectionTrait,
    order_id: i32,
    stop_id: i32,
    actor: i32,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let current = crate::orders::store::find(txn, order_id).await?;
    let status = OrderStatus::parse(&current.status);
    if matches!(status, Some(OrderStatus::Received | OrderStatus::Failed)) {
        crate::orders::store::change_status(
            txn,
            order_id,
            OrderStatus::Confirmed,
            Some(actor),
            Some("Bekræftet ved planlægning af kørsel".to_owned()),
            today,
            now,
        )
        .await?;
    }
    crate::orders::store::plan(txn, order_id, stop_id, Some(actor), today, now).await?;
    Ok(())
}
