//! Delivery runs: the day's open deliveries and pickups consolidated into stops
//! (one per normalised address), planned into routes for the vans by the pure
//! solver in `planner/`, adjusted by hand, locked, dispatched, and completed by
//! the driver (also offline: the driver's page queues completions).
//!
//! This file holds the rules as plain functions (no I/O): which orders a day's
//! planning takes (with the merges of flexible orders and riding-along pickups),
//! how they become stops and solver jobs, the time axis of a day, the ETA
//! forward pass after a manual change, the completion's checks and the map's
//! projection. `store.rs` reads and writes, `plan.rs` runs a planning,
//! `complete.rs` completes a stop, `api.rs`/`pages.rs`/`driver.rs` are the
//! handlers.

pub mod api;
pub mod complete;
pub mod demo;
pub mod driver;
pub mod pages;
pub mod plan;
pub mod planner;
pub mod store;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Copenhagen;
use serde::{Deserialize, Serialize};

pub use demo::seed_demo_fleet;
use planner::travel::{DEFAULT_ROAD_FACTOR, DEFAULT_SPEED_KMH, haversine_m, straight_line_matrix};
use planner::{Job, JobKind, Plan, Problem, Reason, TravelMatrix, Vehicle};

use crate::auth::{Access, Role};
use crate::error::FieldErrors;
use crate::routes::RouteDef;

/// Plans, edits and dispatches runs; manages vehicles.
pub const PLANNERS: Access = Access::Roles(&[Role::Depot]);
/// Sees runs and completes stops (a driver only those of their own runs).
pub const DRIVERS: Access = Access::Roles(&[Role::Driver, Role::Depot]);

/// Hjælpemiddelhuset in Randers: where every van starts and ends unless the
/// vehicle has its own start place. A constant rather than a setting: the depot
/// does not move, and a vehicle's own start covers the exceptions.
pub const DEPOT_NAME: &str = "Hjælpemiddelhuset, Randers";
pub const DEPOT_LAT: f64 = 56.4550;
pub const DEPOT_LON: f64 = 10.0420;

/// A pickup due later rides along when its address is this close to a stop.
pub const RIDE_ALONG_METRES: f64 = 300.0;
/// How far ahead a flexible order (a "deliver by" date) may be pulled forward.
pub const PULL_FORWARD_DAYS: i64 = 14;
/// The shortest visit at a door.
pub const MIN_SERVICE_MINUTES: i64 = 5;

pub fn routes() -> Vec<RouteDef> {
    let mut all = api::routes();
    all.extend(pages::routes());
    all.extend(driver::routes());
    all
}

// ---------------------------------------------------------------- words

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Planned, may be changed or planned again.
    Draft,
    /// Fixed: a new planning of the day leaves it alone.
    Locked,
    /// Out with the driver: its orders are out for delivery.
    Dispatched,
    /// Every stop completed.
    Done,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Locked => "locked",
            Self::Dispatched => "dispatched",
            Self::Done => "done",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Draft, Self::Locked, Self::Dispatched, Self::Done]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Kladde",
            Self::Locked => "Låst",
            Self::Dispatched => "Sendt ud",
            Self::Done => "Afsluttet",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StopStatus {
    Planned,
    Delivered,
    Failed,
}

impl StopStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Planned, Self::Delivered, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Planned => "Planlagt",
            Self::Delivered => "Leveret",
            Self::Failed => "Ikke leveret",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    NotHome,
    WrongAddress,
    Refused,
    Other,
}

impl FailureReason {
    pub const ALL: [FailureReason; 4] = [
        Self::NotHome,
        Self::WrongAddress,
        Self::Refused,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotHome => "not_home",
            Self::WrongAddress => "wrong_address",
            Self::Refused => "refused",
            Self::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NotHome => "Ikke hjemme",
            Self::WrongAddress => "Forkert adresse",
            Self::Refused => "Afvist",
            Self::Other => "Andet",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Delivered,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    pub fn stop_status(self) -> StopStatus {
        match self {
            Self::Delivered => StopStatus::Delivered,
            Self::Failed => StopStatus::Failed,
        }
    }
}

/// The reason a solver job was left out, as a stable word and in Danish.
pub fn reason_code(reason: Reason) -> &'static str {
    reason.as_str()
}

// ---------------------------------------------------------------- consolidation

/// An open order as the planning sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub order_id: i32,
    pub kind: JobKind,
    /// The address row is unique per normalised key: equal ids share a stop.
    pub address_id: i32,
    pub coords: (f64, f64),
    /// The date it is wanted by (deliver-by, else the discharge date).
    pub date: NaiveDate,
    /// A hospital discharge time: the aid must be there before; never moved.
    pub discharge_at: Option<DateTime<Utc>>,
    /// Transport volume of all its lines.
    pub volume: i64,
    /// Minutes at the door for all its lines.
    pub service_minutes: i64,
}

impl Candidate {
    /// Whether it may be delivered before its date: a "deliver by" date, not a
    /// discharge the citizen must come home to.
    pub fn is_flexible(&self) -> bool {
        self.discharge_at.is_none() || self.kind == JobKind::Pickup
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeKind {
    /// Pulled forward into a stop at the same address.
    SameAddress,
    /// A pickup due later, near a planned stop: rides along.
    NearbyPickup,
}

/// An order taken into the day ahead of its date, and the drive that saves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Merge {
    pub order_id: i32,
    /// The orders of the day it joins (same address, or the nearby stop).
    pub with_orders: Vec<i32>,
    /// Its own date.
    pub from: NaiveDate,
    /// `same_address` or `nearby_pickup`.
    #[schema(value_type = String)]
    pub kind: MergeKind,
}

impl Merge {
    /// "Ordre 12 og 15 samkøres: 1 kørsel sparet" as the planning page says it.
    pub fn text_da(&self, saves_drive: bool) -> String {
        let with: Vec<String> = self.with_orders.iter().map(i32::to_string).collect();
        let with = join_da(&with);
        let saved = if saves_drive {
            "1 kørsel sparet"
        } else {
            "samme kørsel som en anden flyttet ordre"
        };
        match self.kind {
            MergeKind::SameAddress => format!(
                "Ordre {with} og {} samkøres (ordre {} var til {}): {saved}",
                self.order_id,
                self.order_id,
                crate::web::local_date(self.from)
            ),
            MergeKind::NearbyPickup => format!(
                "Afhentning ordre {} tages med ved stoppet for ordre {with} (ellers {}): {saved}",
                self.order_id,
                crate::web::local_date(self.from)
            ),
        }
    }
}

/// "1, 2 og 3".
pub fn join_da(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} og {last}", rest.join(", ")),
    }
}

/// What a day's planning takes: the orders due (by the date or earlier), and
/// the later ones that join a stop of the day, each with its merge.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    /// Order ids, each with its own date when it was pulled forward.
    pub chosen: Vec<(i32, Option<NaiveDate>)>,
    pub merges: Vec<Merge>,
    /// Drives that would otherwise have been made: one per address and later date.
    pub drives_saved: i64,
}

/// Picks the day's orders. Due by `date` (or overdue): taken. Later, but within
/// `PULL_FORWARD_DAYS` and flexible: taken when an order due that day is at the
/// same address. Pickups later still: taken when within `RIDE_ALONG_METRES` of
/// a stop of the day. Each (address, later date) taken counts one drive saved.
pub fn select(candidates: &[Candidate], date: NaiveDate) -> Selection {
    let due: Vec<&Candidate> = candidates.iter().filter(|c| c.date <= date).collect();
    let mut at_address: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    let mut places: Vec<((f64, f64), i32)> = Vec::new();
    for c in &due {
        let list = at_address.entry(c.address_id).or_default();
        if list.is_empty() {
            places.push((c.coords, c.address_id));
        }
        list.push(c.order_id);
    }
    let mut selection = Selection {
        chosen: due.iter().map(|c| (c.order_id, None)).collect(),
        ..Default::default()
    };
    let horizon = date + Duration::days(PULL_FORWARD_DAYS);
    let mut saved: BTreeSet<(i32, NaiveDate)> = BTreeSet::new();
    let mut later: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.date > date && c.date <= horizon && c.is_flexible())
        .collect();
    later.sort_by_key(|c| (c.date, c.order_id));
    for c in later {
        let merge = if let Some(orders) = at_address.get(&c.address_id) {
            Some((orders.clone(), MergeKind::SameAddress))
        } else if c.kind == JobKind::Pickup {
            places
                .iter()
                .filter(|(coords, _)| haversine_m(*coords, c.coords) <= RIDE_ALONG_METRES)
                .min_by(|a, b| haversine_m(a.0, c.coords).total_cmp(&haversine_m(b.0, c.coords)))
                .and_then(|(_, address)| at_address.get(address))
                .map(|orders| (orders.clone(), MergeKind::NearbyPickup))
        } else {
            None
        };
        if let Some((with_orders, kind)) = merge {
            selection.chosen.push((c.order_id, Some(c.date)));
            saved.insert((c.address_id, c.date));
            selection.merges.push(Merge {
                order_id: c.order_id,
                with_orders,
                from: c.date,
                kind,
            });
        }
    }
    selection.drives_saved = saved.len() as i64;
    selection
}

/// Whether a merge is the first for its (address, date): the one that saves a drive.
pub fn saves_drive(merges: &[Merge], candidates: &[Candidate], index: usize) -> bool {
    let address = |order: i32| {
        candidates
            .iter()
            .find(|c| c.order_id == order)
            .map(|c| c.address_id)
    };
    let Some(merge) = merges.get(index) else {
        return false;
    };
    !merges[..index]
        .iter()
        .any(|m| m.from == merge.from && address(m.order_id) == address(merge.order_id))
}

/// One address of the day: every order there, deliveries and pickups apart.
#[derive(Clone, Debug, PartialEq)]
pub struct StopDraft {
    pub address_id: i32,
    pub coords: (f64, f64),
    pub deliveries: Vec<i32>,
    pub pickups: Vec<i32>,
    pub delivery_volume: i64,
    pub pickup_volume: i64,
    pub delivery_minutes: i64,
    pub pickup_minutes: i64,
    /// The earliest discharge on the day: the aid must be in place by then.
    pub discharge_at: Option<DateTime<Utc>>,
}

impl StopDraft {
    /// Minutes at the door for the whole stop (at least `MIN_SERVICE_MINUTES`).
    pub fn service_minutes(&self) -> i64 {
        (self.delivery_minutes + self.pickup_minutes).max(MIN_SERVICE_MINUTES)
    }

    pub fn order_ids(&self) -> Vec<i32> {
        let mut all = self.deliveries.clone();
        all.extend(&self.pickups);
        all.sort_unstable();
        all
    }
}

/// The chosen orders grouped by address, in the order of their first order id.
pub fn group_stops(candidates: &[Candidate], chosen: &[i32], date: NaiveDate) -> Vec<StopDraft> {
    let mut stops: Vec<StopDraft> = Vec::new();
    let mut index: HashMap<i32, usize> = HashMap::new();
    let mut sorted: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| chosen.contains(&c.order_id))
        .collect();
    sorted.sort_by_key(|c| c.order_id);
    for c in sorted {
        let at = *index.entry(c.address_id).or_insert_with(|| {
            stops.push(StopDraft {
                address_id: c.address_id,
                coords: c.coords,
                deliveries: Vec::new(),
                pickups: Vec::new(),
                delivery_volume: 0,
                pickup_volume: 0,
                delivery_minutes: 0,
                pickup_minutes: 0,
                discharge_at: None,
            });
            stops.len() - 1
        });
        let Some(stop) = stops.get_mut(at) else {
            continue;
        };
        match c.kind {
            JobKind::Delivery => {
                stop.deliveries.push(c.order_id);
                stop.delivery_volume += c.volume;
                stop.delivery_minutes += c.service_minutes;
            }
            JobKind::Pickup => {
                stop.pickups.push(c.order_id);
                stop.pickup_volume += c.volume;
                stop.pickup_minutes += c.service_minutes;
            }
        }
        if let Some(at) = c
            .discharge_at
            .filter(|at| crate::clock::local_date(*at) == date)
        {
            stop.discharge_at = Some(stop.discharge_at.map_or(at, |old| old.min(at)));
        }
    }
    stops
}

// ---------------------------------------------------------------- the day's time axis

/// "07:30" → a time of day.
pub fn parse_hhmm(raw: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok()
}

/// The instant of local midnight starting `date` in Copenhagen.
pub fn day_start(date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    Copenhagen
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// Seconds from the day's start to a local time of day.
pub fn local_secs(date: NaiveDate, time: NaiveTime) -> i64 {
    let at = Copenhagen
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .map_or_else(|| date.and_time(time).and_utc(), |t| t.with_timezone(&Utc));
    (at - day_start(date)).num_seconds()
}

/// The instant `secs` after the day's start.
pub fn at_secs(date: NaiveDate, secs: i64) -> DateTime<Utc> {
    day_start(date) + Duration::seconds(secs)
}

/// Seconds of an instant since the day's start.
pub fn secs_of(date: NaiveDate, at: DateTime<Utc>) -> i64 {
    (at - day_start(date)).num_seconds()
}

/// "09:45" in Copenhagen time.
pub fn hhmm(at: DateTime<Utc>) -> String {
    at.with_timezone(&Copenhagen).format("%H:%M").to_string()
}

/// A van as the planning needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct VehicleSpec {
    pub id: i32,
    pub capacity: i64,
    /// Seconds since the day's start.
    pub shift: (i64, i64),
    pub start: (f64, f64),
}

/// Which stop and which half (deliveries or pickups) a solver job stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobRef {
    pub stop: usize,
    pub kind: JobKind,
}

/// The solver's problem: location 0 is the depot, then each vehicle's own
/// start, then one location per stop. A stop with deliveries and pickups gives
/// two jobs at one place (the solver keeps them together: no travel between).
/// A discharge time closes the window at the discharge minus the time at the door.
pub fn build_problem(
    stops: &[StopDraft],
    vehicles: &[VehicleSpec],
    date: NaiveDate,
) -> (Problem, Vec<JobRef>) {
    let mut coords = vec![(DEPOT_LAT, DEPOT_LON)];
    let mut vehicle_list = Vec::new();
    for v in vehicles {
        let start = if v.start == (DEPOT_LAT, DEPOT_LON) {
            0
        } else {
            coords.push(v.start);
            coords.len() - 1
        };
        vehicle_list.push(Vehicle {
            id: i64::from(v.id),
            capacity: v.capacity,
            start,
            end: start,
            shift: v.shift,
        });
    }
    let first_stop = coords.len();
    coords.extend(stops.iter().map(|s| s.coords));
    let mut jobs = Vec::new();
    let mut refs = Vec::new();
    for (i, stop) in stops.iter().enumerate() {
        let service = stop.service_minutes() * 60;
        let window_end = stop
            .discharge_at
            .map_or(i64::from(i32::MAX), |at| secs_of(date, at) - service);
        let halves = [
            (JobKind::Delivery, &stop.deliveries, stop.delivery_volume),
            (JobKind::Pickup, &stop.pickups, stop.pickup_volume),
        ];
        let both = !stop.deliveries.is_empty() && !stop.pickups.is_empty();
        for (kind, orders, volume) in halves {
            if orders.is_empty() {
                continue;
            }
            // The whole stop's service goes on the delivery half when there are two.
            let service = match (both, kind) {
                (false, _) => service,
                (true, JobKind::Delivery) => {
                    (stop.delivery_minutes * 60).max(MIN_SERVICE_MINUTES * 60)
                }
                (true, JobKind::Pickup) => stop.pickup_minutes * 60,
            };
            jobs.push(Job {
                id: refs.len() as i64,
                location: first_stop + i,
                kind,
                demand: volume,
                service,
                window: (0, window_end),
            });
            refs.push(JobRef { stop: i, kind });
        }
    }
    let matrix = straight_line_matrix(&coords, DEFAULT_ROAD_FACTOR, DEFAULT_SPEED_KMH);
    (
        Problem {
            matrix,
            vehicles: vehicle_list,
            jobs,
        },
        refs,
    )
}

/// A planned route as it will be stored: stops (by index) in order with the
/// start of service.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteDraft {
    pub vehicle_id: i32,
    pub stops: Vec<RouteStop>,
    pub distance_m: i64,
    pub duration_s: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RouteStop {
    pub stop: usize,
    /// The halves of the stop on this route.
    pub kinds: Vec<JobKind>,
    pub eta: i64,
}

/// The solver's plan as routes of stops (the two halves of a stop on one route
/// become one visit) and the halves left out with their reason.
pub fn read_plan(plan: &Plan, refs: &[JobRef]) -> (Vec<RouteDraft>, Vec<(JobRef, Reason)>) {
    let mut routes = Vec::new();
    for route in &plan.routes {
        let mut stops: Vec<RouteStop> = Vec::new();
        for visit in &route.stops {
            let Some(job) = refs.get(visit.job_index) else {
                continue;
            };
            if let Some(existing) = stops.iter_mut().find(|s| s.stop == job.stop) {
                existing.kinds.push(job.kind);
            } else {
                stops.push(RouteStop {
                    stop: job.stop,
                    kinds: vec![job.kind],
                    eta: visit.start,
                });
            }
        }
        if stops.is_empty() {
            continue;
        }
        routes.push(RouteDraft {
            vehicle_id: i32::try_from(route.vehicle).unwrap_or_default(),
            stops,
            distance_m: route.distance,
            duration_s: route.duration,
        });
    }
    let left = plan
        .unassigned
        .iter()
        .filter_map(|u| refs.get(u.job_index).map(|r| (*r, u.reason)))
        .collect();
    (routes, left)
}

/// ETAs after a manual change: leave at the shift start, drive, wait for
/// nothing, serve, drive on. Returns each stop's ETA (seconds), the metres
/// driven and the seconds from departure to arrival back.
pub fn forward_pass(
    matrix: &TravelMatrix,
    start: usize,
    stops: &[(usize, i64)],
    depart: i64,
) -> (Vec<i64>, i64, i64) {
    let mut at = depart;
    let mut here = start;
    let mut metres = 0;
    let mut etas = Vec::with_capacity(stops.len());
    for (location, service) in stops {
        at += matrix.duration(here, *location);
        metres += matrix.distance(here, *location);
        etas.push(at);
        at += service;
        here = *location;
    }
    at += matrix.duration(here, start);
    metres += matrix.distance(here, start);
    (etas, metres, at - depart)
}

/// A matrix over a run's start and its stops (index 0 the start).
pub fn run_matrix(start: (f64, f64), stops: &[(f64, f64)]) -> TravelMatrix {
    let mut coords = vec![start];
    coords.extend_from_slice(stops);
    straight_line_matrix(&coords, DEFAULT_ROAD_FACTOR, DEFAULT_SPEED_KMH)
}

// ---------------------------------------------------------------- completion

/// A completion as sent (JSON or form); every field lenient so all problems
/// are named at once.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CompletionInput {
    /// `delivered` or `failed`.
    pub outcome: String,
    /// Who received the aids (required when delivered).
    pub receiver_name: Option<String>,
    /// Reaches the orderer (required when the reason is `other`).
    pub note: Option<String>,
    /// `not_home`, `wrong_address`, `refused` or `other` (required when failed).
    pub failure_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub outcome: Outcome,
    pub receiver_name: Option<String>,
    pub note: Option<String>,
    pub failure_reason: Option<FailureReason>,
}

fn tidy(raw: &Option<String>) -> Option<String> {
    raw.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Checks a completion: the receiver's name for a delivery, a reason for a
/// failure (and a note when the reason is "other").
pub fn check_completion(input: &CompletionInput) -> Result<Completion, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut add = |field: &str, message: &str| {
        errors
            .entry(field.to_owned())
            .or_default()
            .push(message.to_owned());
    };
    let receiver_name = tidy(&input.receiver_name);
    let note = tidy(&input.note);
    let failure_reason = tidy(&input.failure_reason);
    let outcome = match input.outcome.trim() {
        "delivered" => Some(Outcome::Delivered),
        "failed" => Some(Outcome::Failed),
        _ => {
            add("outcome", "Vælg leveret eller ikke leveret");
            None
        }
    };
    if receiver_name
        .as_ref()
        .is_some_and(|n| n.chars().count() > 100)
    {
        add("receiver_name", "Navnet må højst have 100 tegn");
    }
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        add("note", "Bemærkningen må højst have 1000 tegn");
    }
    let reason = match failure_reason.as_deref() {
        None => None,
        Some(raw) => {
            let parsed = FailureReason::parse(raw);
            if parsed.is_none() {
                add("failure_reason", "Vælg en af årsagerne");
            }
            parsed
        }
    };
    match outcome {
        Some(Outcome::Delivered) if receiver_name.is_none() => {
            add("receiver_name", "Skriv navnet på den, der tog imod");
        }
        Some(Outcome::Failed) if failure_reason.is_none() => {
            add("failure_reason", "Vælg hvorfor stoppet ikke blev leveret");
        }
        Some(Outcome::Failed) if reason == Some(FailureReason::Other) && note.is_none() => {
            add("note", "Skriv hvad der skete, når årsagen er «Andet»");
        }
        _ => {}
    }
    match outcome {
        Some(outcome) if errors.is_empty() => Ok(Completion {
            outcome,
            receiver_name: if outcome == Outcome::Delivered {
                receiver_name
            } else {
                None
            },
            note,
            failure_reason: if outcome == Outcome::Failed {
                reason
            } else {
                None
            },
        }),
        _ => Err(errors),
    }
}

/// Whether a stop already completed was completed the same way: a repeat from
/// the offline queue gets the same answer instead of an error.
pub fn same_completion(
    status: &str,
    receiver_name: Option<&str>,
    failure_reason: Option<&str>,
    completion: &Completion,
) -> bool {
    status == completion.outcome.stop_status().as_str()
        && receiver_name == completion.receiver_name.as_deref()
        && failure_reason == completion.failure_reason.map(FailureReason::as_str)
}

// ---------------------------------------------------------------- map and weeks

/// Projects (lat, lon) points into a `width × height` box with a margin,
/// keeping the aspect (a degree of longitude is shorter than one of latitude).
pub fn project(points: &[(f64, f64)], width: f64, height: f64, margin: f64) -> Vec<(f64, f64)> {
    if points.is_empty() {
        return Vec::new();
    }
    let mid_lat = points.iter().map(|p| p.0).sum::<f64>() / points.len() as f64;
    let squeeze = mid_lat.to_radians().cos().max(0.1);
    let xs: Vec<f64> = points.iter().map(|p| p.1 * squeeze).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.0).collect();
    let (min_x, max_x) = bounds(&xs);
    let (min_y, max_y) = bounds(&ys);
    let span = (max_x - min_x).max(max_y - min_y).max(1e-6);
    let scale = ((width - 2.0 * margin) / span).min((height - 2.0 * margin) / span);
    let off_x = (width - (max_x - min_x) * scale) / 2.0;
    let off_y = (height - (max_y - min_y) * scale) / 2.0;
    xs.iter()
        .zip(&ys)
        .map(|(x, y)| {
            (
                ((x - min_x) * scale + off_x).clamp(0.0, width),
                (height - ((y - min_y) * scale + off_y)).clamp(0.0, height),
            )
        })
        .collect()
}

fn bounds(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)))
}

/// The Monday of a date's ISO week.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// "Uge 48".
pub fn week_label(monday: NaiveDate) -> String {
    format!("Uge {}", monday.iso_week().week())
}

/// Distinct colours for the runs on the map (readable on white, and told apart
/// by number and list as well, never by colour alone).
pub const RUN_COLOURS: [&str; 6] = [
    "#0059b3", "#b34700", "#00804d", "#8a2be2", "#b3003c", "#5c5c00",
];

#[cfg(test)]
mod tests;
