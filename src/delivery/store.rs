//! Runs, stops and vehicles in the database: the day's candidates for planning,
//! views of runs with everything the pages show, manual changes (move, reorder,
//! lock, dispatch, driver) with the ETAs recomputed, vehicles and statistics.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    address, citizen, order, order_line, planning_log, product, run, stop, stop_order, user,
    vehicle,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};

use super::planner::JobKind;
use super::{
    Candidate, DEPOT_LAT, DEPOT_LON, RunStatus, StopStatus, VehicleSpec, forward_pass, local_secs,
    parse_hhmm, run_matrix,
};
use crate::error::AppError;
use crate::orders::Status as OrderStatus;

// ---------------------------------------------------------------- places

/// Coordinates of addresses; without their own, the centre of other addresses
/// with the same postal code, else the depot. The flag says "approximate".
pub async fn coords_of(
    db: &impl ConnectionTrait,
    addresses: &[address::Model],
) -> Result<HashMap<i32, ((f64, f64), bool)>, AppError> {
    let missing: HashSet<String> = addresses
        .iter()
        .filter(|a| a.lat.is_none() || a.lon.is_none())
        .map(|a| a.postal_code.clone())
        .collect();
    let mut centres: HashMap<String, (f64, f64)> = HashMap::new();
    if !missing.is_empty() {
        let known = address::Entity::find()
            .filter(address::Column::PostalCode.is_in(missing))
            .filter(address::Column::Lat.is_not_null())
            .filter(address::Column::Lon.is_not_null())
            .all(db)
            .await?;
        let mut sums: HashMap<String, (f64, f64, f64)> = HashMap::new();
        for a in known {
            if let (Some(lat), Some(lon)) = (a.lat, a.lon) {
                let sum = sums.entry(a.postal_code).or_default();
                *sum = (sum.0 + lat, sum.1 + lon, sum.2 + 1.0);
            }
        }
        centres = sums
            .into_iter()
            .map(|(code, (lat, lon, n))| (code, (lat / n, lon / n)))
            .collect();
    }
    Ok(addresses
        .iter()
        .map(|a| {
            let place = match (a.lat, a.lon) {
                (Some(lat), Some(lon)) => ((lat, lon), false),
                _ => (
                    centres
                        .get(&a.postal_code)
                        .copied()
                        .unwrap_or((DEPOT_LAT, DEPOT_LON)),
                    true,
                ),
            };
            (a.id, place)
        })
        .collect())
}

pub fn vehicle_start(v: &vehicle::Model) -> (f64, f64) {
    match (v.start_lat, v.start_lon) {
        (Some(lat), Some(lon)) => (lat, lon),
        _ => (DEPOT_LAT, DEPOT_LON),
    }
}

/// A vehicle's shift on a date in seconds from the day's start.
pub fn shift_of(v: &vehicle::Model, date: NaiveDate) -> (i64, i64) {
    let start = parse_hhmm(&v.shift_start).map_or(7 * 3600 + 1800, |t| local_secs(date, t));
    let end = parse_hhmm(&v.shift_end).map_or(15 * 3600, |t| local_secs(date, t));
    (start, end.max(start))
}

pub fn spec_of(v: &vehicle::Model, date: NaiveDate) -> VehicleSpec {
    VehicleSpec {
        id: v.id,
        capacity: i64::from(v.capacity.max(0)),
        shift: shift_of(v, date),
        start: vehicle_start(v),
    }
}

// ---------------------------------------------------------------- candidates

/// Statuses a planning may take an order from (received is confirmed on the way;
/// failed comes back for a new attempt).
pub const PLANNABLE: [OrderStatus; 3] = [
    OrderStatus::Received,
    OrderStatus::Confirmed,
    OrderStatus::Failed,
];

/// The open orders a planning of `date` may take: deliveries by van and pickups
/// not on a stop, plus those on the day's draft runs (which the planning
/// replaces). Returns the candidates and the addresses placed approximately.
pub async fn candidates(
    db: &impl ConnectionTrait,
    date: NaiveDate,
) -> Result<(Vec<Candidate>, HashSet<i32>), AppError> {
    let statuses: Vec<&str> = PLANNABLE.iter().map(|s| s.as_str()).collect();
    let mut orders = order::Entity::find()
        .filter(order::Column::Status.is_in(statuses))
        .filter(order::Column::DeliveryMode.eq("delivery"))
        .order_by_asc(order::Column::Id)
        .all(db)
        .await?;
    let draft_stops = draft_stop_ids(db, date).await?;
    if !draft_stops.is_empty() {
        orders.extend(
            order::Entity::find()
                .filter(order::Column::Status.eq(OrderStatus::Planned.as_str()))
                .filter(order::Column::StopId.is_in(draft_stops))
                .all(db)
                .await?,
        );
    }
    let ids: Vec<i32> = orders.iter().map(|o| o.id).collect();
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.is_in(ids))
        .all(db)
        .await?;
    let product_ids: HashSet<i32> = lines.iter().map(|l| l.product_id).collect();
    let products =
        crate::db::rows_by::<product::Entity, _>(db, product::Column::Id, product_ids, |p| p.id)
            .await?;
    let mut volume: HashMap<i32, (i64, i64)> = HashMap::new();
    for line in &lines {
        let (v, m) = products.get(&line.product_id).map_or((1, 10), |p| {
            (i64::from(p.volume), i64::from(p.service_minutes))
        });
        let q = i64::from(line.quantity.max(0));
        let entry = volume.entry(line.order_id).or_default();
        *entry = (entry.0 + v * q, entry.1 + m * q);
    }
    let address_ids: HashSet<i32> = orders.iter().map(|o| o.address_id).collect();
    let addresses = address::Entity::find()
        .filter(address::Column::Id.is_in(address_ids))
        .all(db)
        .await?;
    let places = coords_of(db, &addresses).await?;
    let approximate = places
        .iter()
        .filter(|(_, (_, approx))| *approx)
        .map(|(id, _)| *id)
        .collect();
    let out = orders
        .into_iter()
        .map(|o| {
            let (volume, service_minutes) = volume.get(&o.id).copied().unwrap_or((0, 0));
            Candidate {
                order_id: o.id,
                kind: if o.kind == "pickup" {
                    JobKind::Pickup
                } else {
                    JobKind::Delivery
                },
                address_id: o.address_id,
                coords: places
                    .get(&o.address_id)
                    .map_or((DEPOT_LAT, DEPOT_LON), |p| p.0),
                date: o
                    .deliver_by
                    .or(o.discharge_at.map(crate::clock::local_date))
                    .unwrap_or(crate::clock::local_date(o.created_at)),
                discharge_at: o.discharge_at,
                volume,
                service_minutes,
            }
        })
        .collect();
    Ok((out, approximate))
}

/// The stops of the day's draft runs.
pub async fn draft_stop_ids(
    db: &impl ConnectionTrait,
    date: NaiveDate,
) -> Result<Vec<i32>, AppError> {
    let runs: Vec<i32> = run::Entity::find()
        .filter(run::Column::Date.eq(date))
        .filter(run::Column::Status.eq(RunStatus::Draft.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    Ok(stop::Entity::find()
        .filter(stop::Column::RunId.is_in(runs))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect())
}

pub async fn active_vehicles(db: &impl ConnectionTrait) -> Result<Vec<vehicle::Model>, AppError> {
    Ok(vehicle::Entity::find()
        .filter(vehicle::Column::Active.eq(true))
        .order_by_asc(vehicle::Column::Id)
        .all(db)
        .await?)
}

pub async fn all_vehicles(db: &impl ConnectionTrait) -> Result<Vec<vehicle::Model>, AppError> {
    Ok(vehicle::Entity::find()
        .order_by_asc(vehicle::Column::Name)
        .all(db)
        .await?)
}

pub async fn drivers(db: &impl ConnectionTrait) -> Result<Vec<user::Model>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq("driver"))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Name)
        .all(db)
        .await?)
}

// ---------------------------------------------------------------- views

/// An order served by a stop.
#[derive(Clone, Debug)]
pub struct StopOrder {
    pub order_id: i32,
    pub kind: JobKind,
    pub source: String,
    pub status: String,
    pub pulled_from: Option<NaiveDate>,
    pub ordered_by: i32,
    /// Whether it is still on this stop (a failed stop sends it back).
    pub current: bool,
}

/// A product line of a stop: code, name, quantity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub code: String,
    pub name: String,
    pub quantity: i32,
}

#[derive(Clone, Debug)]
pub struct StopView {
    pub stop: stop::Model,
    pub status: StopStatus,
    pub address: address::Model,
    pub address_line: String,
    pub coords: (f64, f64),
    pub approximate: bool,
    pub orders: Vec<StopOrder>,
    pub deliver: Vec<Item>,
    pub collect: Vec<Item>,
    pub volume: i64,
    pub citizen_names: Vec<String>,
    pub phones: Vec<String>,
    pub access_notes: Vec<String>,
    /// Arrives after the latest start (the discharge time minus the time at the door).
    pub late: bool,
}

impl StopView {
    pub fn order_ids(&self) -> Vec<i32> {
        self.orders.iter().map(|o| o.order_id).collect()
    }

    pub fn eta_hhmm(&self) -> String {
        self.stop.eta.map(super::hhmm).unwrap_or_default()
    }

    pub fn window_hhmm(&self) -> String {
        self.stop.window_end.map(super::hhmm).unwrap_or_default()
    }

    /// Orders pulled forward into this stop (the merges a driver should know).
    pub fn merged(&self) -> bool {
        self.orders.len() > 1 || self.orders.iter().any(|o| o.pulled_from.is_some())
    }

    pub fn is_open(&self) -> bool {
        self.status == StopStatus::Planned
    }
}

#[derive(Clone, Debug)]
pub struct RunView {
    pub run: run::Model,
    pub status: RunStatus,
    pub vehicle: vehicle::Model,
    pub driver_name: Option<String>,
    pub stops: Vec<StopView>,
    /// All deliveries of the run on board at the start.
    pub load: i64,
}

impl RunView {
    pub fn over_capacity(&self) -> bool {
        self.load > i64::from(self.vehicle.capacity)
    }

    pub fn editable(&self) -> bool {
        self.status == RunStatus::Draft
    }

    pub fn open_stops(&self) -> usize {
        self.stops.iter().filter(|s| s.is_open()).count()
    }
}

pub async fn find_run(db: &impl ConnectionTrait, id: i32) -> Result<run::Model, AppError> {
    run::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn find_stop(db: &impl ConnectionTrait, id: i32) -> Result<stop::Model, AppError> {
    stop::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The runs of a date (only a driver's own when `driver` is given), with stops.
pub async fn runs_of_date(
    db: &impl ConnectionTrait,
    date: NaiveDate,
    driver: Option<i32>,
) -> Result<Vec<RunView>, AppError> {
    let mut query = run::Entity::find().filter(run::Column::Date.eq(date));
    if let Some(driver) = driver {
        query = query
            .filter(run::Column::DriverId.eq(driver))
            .filter(run::Column::Status.ne(RunStatus::Draft.as_str()));
    }
    let runs = query.order_by_asc(run::Column::Id).all(db).await?;
    views(db, runs).await
}

pub async fn run_view(db: &impl ConnectionTrait, id: i32) -> Result<RunView, AppError> {
    let found = find_run(db, id).await?;
    views(db, vec![found])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// A driver's runs from `from` on that are not done (the page links to them).
pub async fn upcoming_for_driver(
    db: &impl ConnectionTrait,
    driver: i32,
    from: NaiveDate,
) -> Result<Vec<run::Model>, AppError> {
    Ok(run::Entity::find()
        .filter(run::Column::DriverId.eq(driver))
        .filter(run::Column::Date.gte(from))
        .filter(
            run::Column::Status.is_in([RunStatus::Locked.as_str(), RunStatus::Dispatched.as_str()]),
        )
        .order_by_asc(run::Column::Date)
        .order_by_asc(run::Column::Id)
        .all(db)
        .await?)
}

/// Views of runs, read in a few queries whatever their number.
pub async fn views(
    db: &impl ConnectionTrait,
    runs: Vec<run::Model>,
) -> Result<Vec<RunView>, AppError> {
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    let run_ids: Vec<i32> = runs.iter().map(|r| r.id).collect();
    let vehicles: HashMap<i32, vehicle::Model> = vehicle::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let driver_ids: HashSet<i32> = runs.iter().filter_map(|r| r.driver_id).collect();
    let driver_names: HashMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(driver_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let stops = stop::Entity::find()
        .filter(stop::Column::RunId.is_in(run_ids))
        .order_by_asc(stop::Column::Seq)
        .order_by_asc(stop::Column::Id)
        .all(db)
        .await?;
    let stop_ids: Vec<i32> = stops.iter().map(|s| s.id).collect();
    let links = stop_order::Entity::find()
        .filter(stop_order::Column::StopId.is_in(stop_ids))
        .order_by_asc(stop_order::Column::OrderId)
        .all(db)
        .await?;
    let order_ids: HashSet<i32> = links.iter().map(|l| l.order_id).collect();
    let orders =
        crate::db::rows_by::<order::Entity, _>(db, order::Column::Id, order_ids.clone(), |o| o.id)
            .await?;
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.is_in(order_ids))
        .order_by_asc(order_line::Column::Id)
        .all(db)
        .await?;
    let product_ids: HashSet<i32> = lines.iter().map(|l| l.product_id).collect();
    let products =
        crate::db::rows_by::<product::Entity, _>(db, product::Column::Id, product_ids, |p| p.id)
            .await?;
    let citizen_ids: HashSet<i32> = orders.values().map(|o| o.citizen_id).collect();
    let citizens =
        crate::db::rows_by::<citizen::Entity, _>(db, citizen::Column::Id, citizen_ids, |c| c.id)
            .await?;
    let address_ids: HashSet<i32> = stops.iter().map(|s| s.address_id).collect();
    let addresses = address::Entity::find()
        .filter(address::Column::Id.is_in(address_ids))
        .all(db)
        .await?;
    let places = coords_of(db, &addresses).await?;
    let addresses: HashMap<i32, address::Model> =
        addresses.into_iter().map(|a| (a.id, a)).collect();

    let mut stop_views: HashMap<i32, Vec<StopView>> = HashMap::new();
    for s in stops {
        let Some(address) = addresses.get(&s.address_id).cloned() else {
            continue;
        };
        let mut view = StopView {
            status: StopStatus::parse(&s.status).unwrap_or(StopStatus::Planned),
            address_line: crate::citizens::store::one_line(&address),
            coords: places
                .get(&address.id)
                .map_or((DEPOT_LAT, DEPOT_LON), |p| p.0),
            approximate: places.get(&address.id).is_some_and(|p| p.1),
            address,
            orders: Vec::new(),
            deliver: Vec::new(),
            collect: Vec::new(),
            volume: 0,
            citizen_names: Vec::new(),
            phones: Vec::new(),
            access_notes: Vec::new(),
            // The ETA is the start at the door; the aid must be in place (service
            // done) by the discharge, as the planner's window demands.
            late: matches!((s.eta, s.window_end), (Some(eta), Some(end))
                if eta + chrono::Duration::minutes(i64::from(s.service_minutes)) > end),
            stop: s,
        };
        for link in links.iter().filter(|l| l.stop_id == view.stop.id) {
            let Some(o) = orders.get(&link.order_id) else {
                continue;
            };
            let kind = if link.kind == "pickup" {
                JobKind::Pickup
            } else {
                JobKind::Delivery
            };
            view.orders.push(StopOrder {
                order_id: o.id,
                kind,
                source: o.source.clone(),
                status: o.status.clone(),
                pulled_from: link.pulled_from,
                ordered_by: o.ordered_by,
                current: o.stop_id == Some(view.stop.id),
            });
            for line in lines.iter().filter(|l| l.order_id == o.id) {
                let (code, name, volume) = products
                    .get(&line.product_id)
                    .map(|p| (p.code.clone(), p.name.clone(), p.volume))
                    .unwrap_or_default();
                let list = match kind {
                    JobKind::Delivery => {
                        view.volume += i64::from(volume) * i64::from(line.quantity);
                        &mut view.deliver
                    }
                    JobKind::Pickup => &mut view.collect,
                };
                match list.iter_mut().find(|i| i.code == code) {
                    Some(item) => item.quantity += line.quantity,
                    None => list.push(Item {
                        code,
                        name,
                        quantity: line.quantity,
                    }),
                }
            }
            if let Some(c) = citizens.get(&o.citizen_id) {
                if !view.citizen_names.contains(&c.name) {
                    view.citizen_names.push(c.name.clone());
                }
                let phone = o.contact_phone.clone().or(c.phone.clone());
                if let Some(phone) = phone
                    && !view.phones.contains(&phone)
                {
                    view.phones.push(phone);
                }
            }
            if let Some(note) = o.access_notes.as_ref().filter(|n| !n.trim().is_empty())
                && !view.access_notes.contains(note)
            {
                view.access_notes.push(note.clone());
            }
        }
        stop_views.entry(view.stop.run_id).or_default().push(view);
    }
    let mut out = Vec::with_capacity(runs.len());
    for r in runs {
        let Some(vehicle) = vehicles.get(&r.vehicle_id).cloned() else {
            continue;
        };
        let stops = stop_views.remove(&r.id).unwrap_or_default();
        out.push(RunView {
            status: RunStatus::parse(&r.status).unwrap_or(RunStatus::Draft),
            driver_name: r.driver_id.and_then(|id| driver_names.get(&id).cloned()),
            load: stops.iter().map(|s| s.volume).sum(),
            vehicle,
            stops,
            run: r,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------- manual changes

fn editable(found: &run::Model) -> Result<(), AppError> {
    if found.status == RunStatus::Draft.as_str() {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "Kørslen er låst eller sendt ud og kan ikke ændres. Lås den op først.".to_owned(),
        ))
    }
}

/// Sets each stop's ETA, the distance and the duration of a run from its stops
/// in their order (leave at the shift start; see `forward_pass`).
pub async fn recompute(db: &impl ConnectionTrait, run_id: i32) -> Result<(), AppError> {
    let found = find_run(db, run_id).await?;
    let vehicle = vehicle::Entity::find_by_id(found.vehicle_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let stops = stop::Entity::find()
        .filter(stop::Column::RunId.eq(run_id))
        .order_by_asc(stop::Column::Seq)
        .order_by_asc(stop::Column::Id)
        .all(db)
        .await?;
    let address_ids: HashSet<i32> = stops.iter().map(|s| s.address_id).collect();
    let addresses = address::Entity::find()
        .filter(address::Column::Id.is_in(address_ids))
        .all(db)
        .await?;
    let places = coords_of(db, &addresses).await?;
    let coords: Vec<(f64, f64)> = stops
        .iter()
        .map(|s| {
            places
                .get(&s.address_id)
                .map_or((DEPOT_LAT, DEPOT_LON), |p| p.0)
        })
        .collect();
    let matrix = run_matrix(vehicle_start(&vehicle), &coords);
    let (shift_start, _) = shift_of(&vehicle, found.date);
    let visits: Vec<(usize, i64)> = stops
        .iter()
        .enumerate()
        .map(|(i, s)| (i + 1, i64::from(s.service_minutes) * 60))
        .collect();
    let (etas, metres, seconds) = forward_pass(&matrix, 0, &visits, shift_start);
    for (i, (s, eta)) in stops.into_iter().zip(etas).enumerate() {
        let mut active = s.into_active_model();
        active.seq = Set(i32::try_from(i + 1).unwrap_or(i32::MAX));
        active.eta = Set(Some(super::at_secs(found.date, eta)));
        active.update(db).await?;
    }
    let mut active = found.into_active_model();
    active.distance_km = Set((metres as f64 / 100.0).round() / 10.0);
    active.duration_min = Set(i32::try_from(seconds / 60).unwrap_or(i32::MAX));
    active.update(db).await?;
    Ok(())
}

/// Moves a stop one place up or down in its run.
pub async fn shift_stop(
    db: &impl ConnectionTrait,
    stop_id: i32,
    up: bool,
) -> Result<i32, AppError> {
    let found = find_stop(db, stop_id).await?;
    editable(&find_run(db, found.run_id).await?)?;
    let siblings = stop::Entity::find()
        .filter(stop::Column::RunId.eq(found.run_id))
        .order_by_asc(stop::Column::Seq)
        .order_by_asc(stop::Column::Id)
        .all(db)
        .await?;
    let Some(at) = siblings.iter().position(|s| s.id == stop_id) else {
        return Err(AppError::NotFound);
    };
    let swap_with = if up {
        at.checked_sub(1)
    } else {
        (at + 1 < siblings.len()).then_some(at + 1)
    };
    if let Some(other) = swap_with {
        let mut order: Vec<i32> = siblings.iter().map(|s| s.id).collect();
        order.swap(at, other);
        renumber(db, &order).await?;
        recompute(db, found.run_id).await?;
    }
    Ok(found.run_id)
}

async fn renumber(db: &impl ConnectionTrait, ids: &[i32]) -> Result<(), AppError> {
    for (i, id) in ids.iter().enumerate() {
        stop::Entity::update_many()
            .col_expr(
                stop::Column::Seq,
                sea_orm::sea_query::Expr::value(i32::try_from(i + 1).unwrap_or(i32::MAX)),
            )
            .filter(stop::Column::Id.eq(*id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Moves a stop to the end of another draft run of the same day.
pub async fn move_stop(
    db: &impl ConnectionTrait,
    stop_id: i32,
    to_run: i32,
) -> Result<i32, AppError> {
    let found = find_stop(db, stop_id).await?;
    let from = find_run(db, found.run_id).await?;
    let target = find_run(db, to_run)
        .await
        .map_err(|_| AppError::field("run_id", "Vælg en af dagens kørsler"))?;
    editable(&from)?;
    editable(&target)?;
    if target.date != from.date {
        return Err(AppError::field("run_id", "Vælg en kørsel samme dag"));
    }
    if target.id == from.id {
        return Ok(from.id);
    }
    let last = stop::Entity::find()
        .filter(stop::Column::RunId.eq(target.id))
        .order_by_desc(stop::Column::Seq)
        .one(db)
        .await?
        .map_or(0, |s| s.seq);
    let mut active = found.into_active_model();
    active.run_id = Set(target.id);
    active.seq = Set(last + 1);
    active.update(db).await?;
    recompute(db, from.id).await?;
    recompute(db, target.id).await?;
    Ok(from.id)
}

/// Changes a run's status: lock (draft → locked), unlock (locked → draft),
/// dispatch (draft or locked → dispatched: its orders go out for delivery).
pub async fn set_run_status(
    db: &impl ConnectionTrait,
    run_id: i32,
    to: RunStatus,
    actor: i32,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<run::Model, AppError> {
    let found = find_run(db, run_id).await?;
    let from = RunStatus::parse(&found.status).unwrap_or(RunStatus::Draft);
    let legal = matches!(
        (from, to),
        (RunStatus::Draft, RunStatus::Locked)
            | (RunStatus::Locked, RunStatus::Draft)
            | (RunStatus::Draft | RunStatus::Locked, RunStatus::Dispatched)
    );
    if !legal {
        return Err(AppError::Conflict(format!(
            "En kørsel kan ikke gå fra «{}» til «{}».",
            from.label(),
            to.label()
        )));
    }
    if to == RunStatus::Dispatched {
        let stop_ids: Vec<i32> = stop::Entity::find()
            .filter(stop::Column::RunId.eq(run_id))
            .all(db)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        let planned = order::Entity::find()
            .filter(order::Column::StopId.is_in(stop_ids))
            .filter(order::Column::Status.eq(OrderStatus::Planned.as_str()))
            .all(db)
            .await?;
        for o in planned {
            crate::orders::store::change_status(
                db,
                o.id,
                OrderStatus::OutForDelivery,
                Some(actor),
                Some(format!("Kørsel {run_id} sendt ud")),
                today,
                now,
            )
            .await?;
        }
    }
    let done = run::Entity::update_many()
        .col_expr(
            run::Column::Status,
            sea_orm::sea_query::Expr::value(to.as_str()),
        )
        .filter(run::Column::Id.eq(run_id))
        .filter(run::Column::Status.eq(from.as_str()))
        .exec(db)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::Conflict(
            "Kørslen er lige blevet ændret af en anden. Genindlæs og prøv igen.".to_owned(),
        ));
    }
    find_run(db, run_id).await
}

/// Assigns a driver (a user with the driver role) or none.
pub async fn assign_driver(
    db: &impl ConnectionTrait,
    run_id: i32,
    driver: Option<i32>,
) -> Result<(), AppError> {
    let found = find_run(db, run_id).await?;
    if found.status == RunStatus::Done.as_str() {
        return Err(AppError::Conflict("Kørslen er afsluttet.".to_owned()));
    }
    if let Some(id) = driver {
        let ok = user::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_some_and(|u| u.role == "driver" && u.active);
        if !ok {
            return Err(AppError::field("driver_id", "Vælg en af chaufførerne"));
        }
    }
    let mut active = found.into_active_model();
    active.driver_id = Set(driver);
    active.update(db).await?;
    Ok(())
}

// ---------------------------------------------------------------- vehicles

/// A vehicle as typed in the form, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct VehicleData {
    pub name: String,
    pub capacity: i32,
    pub shift_start: String,
    pub shift_end: String,
    pub start: Option<(f64, f64)>,
    pub active: bool,
}

pub async fn save_vehicle(
    db: &impl ConnectionTrait,
    id: Option<i32>,
    data: &VehicleData,
) -> Result<vehicle::Model, AppError> {
    let mut active = match id {
        Some(id) => vehicle::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(AppError::NotFound)?
            .into_active_model(),
        None => <vehicle::ActiveModel as Default>::default(),
    };
    active.name = Set(data.name.clone());
    active.capacity = Set(data.capacity);
    active.shift_start = Set(data.shift_start.clone());
    active.shift_end = Set(data.shift_end.clone());
    active.start_lat = Set(data.start.map(|p| p.0));
    active.start_lon = Set(data.start.map(|p| p.1));
    active.active = Set(data.active);
    Ok(if id.is_some() {
        active.update(db).await?
    } else {
        active.insert(db).await?
    })
}

// ---------------------------------------------------------------- statistics

/// The latest planning of each date in a range (a day planned twice counts once).
pub async fn plannings(
    db: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<planning_log::Model>, AppError> {
    let rows = planning_log::Entity::find()
        .filter(planning_log::Column::Date.gte(from))
        .filter(planning_log::Column::Date.lte(to))
        .order_by_asc(planning_log::Column::Date)
        .order_by_asc(planning_log::Column::Id)
        .all(db)
        .await?;
    let mut latest: Vec<planning_log::Model> = Vec::new();
    for row in rows {
        match latest.last_mut() {
            Some(last) if last.date == row.date => *last = row,
            _ => latest.push(row),
        }
    }
    Ok(latest)
}

pub async fn latest_planning(
    db: &impl ConnectionTrait,
    date: NaiveDate,
) -> Result<Option<planning_log::Model>, AppError> {
    Ok(planning_log::Entity::find()
        .filter(planning_log::Column::Date.eq(date))
        .order_by_desc(planning_log::Column::Id)
        .one(db)
        .await?)
}

/// Runs with at least one stop in a range: (date, stops, km).
pub async fn run_figures(
    db: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, i64, f64)>, AppError> {
    let runs = run::Entity::find()
        .filter(run::Column::Date.gte(from))
        .filter(run::Column::Date.lte(to))
        .all(db)
        .await?;
    let ids: Vec<i32> = runs.iter().map(|r| r.id).collect();
    let mut counts: HashMap<i32, i64> = HashMap::new();
    for s in stop::Entity::find()
        .filter(stop::Column::RunId.is_in(ids))
        .all(db)
        .await?
    {
        *counts.entry(s.run_id).or_default() += 1;
    }
    Ok(runs
        .into_iter()
        .filter_map(|r| counts.get(&r.id).map(|n| (r.date, *n, r.distance_km)))
        .collect())
}
