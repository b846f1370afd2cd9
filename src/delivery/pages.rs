//! The depot's pages: planning a day (unplanned orders, plan, runs on a
//! schematic map, move and reorder stops, driver, lock and dispatch), the
//! vehicles, the statistics, and the printable run sheet.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;

use super::api::parse_date;
use super::plan::{Details, plan_day};
use super::planner::JobKind;
use super::store::{self, Item, RunView, StopView, VehicleData};
use super::{
    DEPOT_LAT, DEPOT_LON, DEPOT_NAME, DRIVERS, PLANNERS, RUN_COLOURS, RunStatus, project, select,
    week_label, week_start,
};
use crate::error::AppError;
use crate::routes::{RouteDef, get, post};
use crate::state::AppState;
use crate::web::api::path_id;
use crate::web::form::FormErrors;
use crate::web::{CurrentUser, PageContext, PageError, render, render_with};

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/planning", PLANNERS, planning),
        post("/planning/plan", PLANNERS, plan),
        post("/planning/runs/{id}/driver", PLANNERS, set_driver),
        post("/planning/runs/{id}/status", PLANNERS, set_status),
        post("/planning/stops/{id}/move", PLANNERS, move_stop),
        post("/planning/stops/{id}/shift", PLANNERS, shift_stop),
        get("/planning/stats", PLANNERS, stats),
        get("/vehicles", PLANNERS, vehicles),
        post("/vehicles", PLANNERS, create_vehicle),
        get("/vehicles/{id}", PLANNERS, edit_vehicle),
        post("/vehicles/{id}", PLANNERS, update_vehicle),
        get("/runs/{id}/sheet", DRIVERS, sheet),
    ]
}

// ---------------------------------------------------------------- shared bits

/// "2 × Rollator, 1 × Plejeseng".
pub fn items_line(items: &[Item]) -> String {
    items
        .iter()
        .map(|i| format!("{} × {}", i.quantity, i.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "Ordre 15 trukket frem fra 26.11.2026".
pub fn merged_line(s: &StopView) -> String {
    let pulled: Vec<String> = s
        .orders
        .iter()
        .filter_map(|o| {
            o.pulled_from.map(|d| {
                format!(
                    "ordre {} trukket frem fra {}",
                    o.order_id,
                    crate::web::local_date(d)
                )
            })
        })
        .collect();
    if s.orders.len() > 1 {
        let ids: Vec<String> = s.orders.iter().map(|o| o.order_id.to_string()).collect();
        let mut text = format!("Samkørt: ordre {}", super::join_da(&ids));
        if !pulled.is_empty() {
            text.push_str(&format!(" ({})", pulled.join(", ")));
        }
        text
    } else {
        pulled.join(", ")
    }
}

fn source_label(raw: &str) -> &'static str {
    crate::orders::Source::parse(raw).map_or("", crate::orders::Source::label)
}

fn minutes_label(minutes: i32) -> String {
    format!("{} t {:02} min", minutes / 60, minutes % 60)
}

fn km_label(km: f64) -> String {
    format!("{km:.1}").replace('.', ",")
}

// ---------------------------------------------------------------- planning page

#[derive(Deserialize)]
pub struct DateQuery {
    date: Option<String>,
    planlagt: Option<String>,
}

struct Unplanned {
    id: i32,
    kind: &'static str,
    source: &'static str,
    citizen: String,
    address: String,
    date: String,
    items: String,
    pulled: bool,
    reason: String,
}

struct StopRow {
    id: i32,
    seq: i32,
    address: String,
    citizens: String,
    eta: String,
    window: String,
    late: bool,
    orders: String,
    merged: String,
    deliver: String,
    collect: String,
    status: &'static str,
    first: bool,
    last: bool,
    approximate: bool,
}

struct RunRow {
    id: i32,
    number: usize,
    colour: &'static str,
    vehicle: String,
    capacity: i32,
    load: i64,
    over: bool,
    status: &'static str,
    editable: bool,
    can_lock: bool,
    can_unlock: bool,
    can_dispatch: bool,
    drivers: Vec<(i32, String, bool)>,
    distance: String,
    duration: String,
    stops: Vec<StopRow>,
    /// Other draft runs of the day a stop can move to.
    targets: Vec<(i32, String)>,
}

struct MapStop {
    x: f64,
    y: f64,
    label: String,
}

struct MapRun {
    colour: &'static str,
    points: String,
    stops: Vec<MapStop>,
}

struct MapView {
    depot: (f64, f64),
    runs: Vec<MapRun>,
    label: String,
}

#[derive(askama::Template)]
#[template(path = "delivery/planning.html")]
struct PlanningPage {
    ctx: PageContext,
    date: String,
    date_label: String,
    prev: String,
    next: String,
    planned_now: bool,
    summary: Option<(i32, i32, i32, i32, String)>,
    merges: Vec<String>,
    approximate: Vec<String>,
    unplanned: Vec<Unplanned>,
    runs: Vec<RunRow>,
    map: Option<MapView>,
    vehicles: usize,
    /// What planning now would take: jobs for the planner, its time budget and
    /// the same in whole seconds (with the saving), for the progress bar.
    plan_jobs: usize,
    plan_millis: u128,
    /// "1 sekund" or "3 sekunder": the budget rounded up, with the saving.
    plan_time: String,
}

fn map_of(runs: &[RunView]) -> Option<MapView> {
    let mut points = vec![(DEPOT_LAT, DEPOT_LON)];
    for r in runs {
        points.extend(r.stops.iter().map(|s| s.coords));
    }
    if points.len() < 2 {
        return None;
    }
    let xy = project(&points, 640.0, 420.0, 28.0);
    let depot = xy.first().copied().unwrap_or((0.0, 0.0));
    let mut next = 1;
    let mut out = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        let mut line = vec![depot];
        let mut stops = Vec::new();
        for s in &r.stops {
            let p = xy.get(next).copied().unwrap_or(depot);
            next += 1;
            line.push(p);
            stops.push(MapStop {
                x: p.0,
                y: p.1,
                label: format!("{}", s.stop.seq),
            });
        }
        line.push(depot);
        out.push(MapRun {
            colour: RUN_COLOURS[i % RUN_COLOURS.len()],
            points: line
                .iter()
                .map(|(x, y)| format!("{x:.1},{y:.1}"))
                .collect::<Vec<_>>()
                .join(" "),
            stops,
        });
    }
    let stops: usize = runs.iter().map(|r| r.stops.len()).sum();
    Some(MapView {
        depot,
        runs: out,
        label: format!(
            "Skematisk kort over {} kørsler med {stops} stop fra {DEPOT_NAME}. Stoplisten under hver kørsel viser det samme i tekst.",
            runs.len()
        ),
    })
}

fn run_rows(runs: &[RunView], drivers: &[(i32, String)]) -> Vec<RunRow> {
    runs.iter()
        .enumerate()
        .map(|(i, r)| {
            let count = r.stops.len();
            RunRow {
                id: r.run.id,
                number: i + 1,
                colour: RUN_COLOURS[i % RUN_COLOURS.len()],
                vehicle: r.vehicle.name.clone(),
                capacity: r.vehicle.capacity,
                load: r.load,
                over: r.over_capacity(),
                status: r.status.label(),
                editable: r.editable(),
                can_lock: r.status == RunStatus::Draft,
                can_unlock: r.status == RunStatus::Locked,
                can_dispatch: matches!(r.status, RunStatus::Draft | RunStatus::Locked),
                drivers: drivers
                    .iter()
                    .map(|(id, name)| (*id, name.clone(), r.run.driver_id == Some(*id)))
                    .collect(),
                distance: km_label(r.run.distance_km),
                duration: minutes_label(r.run.duration_min),
                targets: runs
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.run.id != r.run.id && o.editable())
                    .map(|(j, o)| (o.run.id, format!("Kørsel {} – {}", j + 1, o.vehicle.name)))
                    .collect(),
                stops: r
                    .stops
                    .iter()
                    .enumerate()
                    .map(|(k, s)| StopRow {
                        id: s.stop.id,
                        seq: s.stop.seq,
                        address: s.address_line.clone(),
                        citizens: s.citizen_names.join(", "),
                        eta: s.eta_hhmm(),
                        window: s.window_hhmm(),
                        late: s.late,
                        orders: s
                            .order_ids()
                            .iter()
                            .map(i32::to_string)
                            .collect::<Vec<_>>()
                            .join(", "),
                        merged: merged_line(s),
                        deliver: items_line(&s.deliver),
                        collect: items_line(&s.collect),
                        status: s.status.label(),
                        first: k == 0,
                        last: k + 1 == count,
                        approximate: s.approximate,
                    })
                    .collect(),
            }
        })
        .collect()
}

async fn planning(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<DateQuery>,
) -> Result<Response, PageError> {
    let date = match query.date.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(raw) => parse_date("date", raw)?,
        None => state.clock.today(),
    };
    let db = &state.db;
    let runs = store::runs_of_date(db, date, None).await?;
    let drivers: Vec<(i32, String)> = store::drivers(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let log = store::latest_planning(db, date).await?;
    let details = log
        .as_ref()
        .map(|l| Details::parse(&l.details))
        .unwrap_or_default();
    let (candidates, _) = store::candidates(db, date).await?;
    let selection = select(&candidates, date);
    let pulled: HashMap<i32, bool> = selection
        .chosen
        .iter()
        .map(|(id, from)| (*id, from.is_some()))
        .collect();
    let ids: Vec<i32> = selection.chosen.iter().map(|(id, _)| *id).collect();
    // One planner job per stop and kind (delivery, pickup), as `plan_day` builds them.
    let plan_jobs: usize = super::group_stops(&candidates, &ids, date)
        .iter()
        .map(|s| usize::from(!s.deliveries.is_empty()) + usize::from(!s.pickups.is_empty()))
        .sum();
    let budget = super::planner::time_limit_for(plan_jobs);
    let open = entity::order::Entity::find()
        .filter(entity::order::Column::Id.is_in(ids))
        .filter(entity::order::Column::StopId.is_null())
        .order_by_asc(entity::order::Column::Id)
        .all(db)
        .await?;
    let unplanned = crate::orders::store::views(db, open)
        .await?
        .into_iter()
        .map(|v| Unplanned {
            id: v.order.id,
            kind: v.kind.label(),
            source: v.source.label(),
            citizen: v.citizen_name.clone(),
            address: v.address_line.clone(),
            date: v
                .order
                .deliver_by
                .map(crate::web::local_date)
                .unwrap_or_default(),
            items: v
                .lines
                .iter()
                .map(|(_, name, q)| format!("{q} × {name}"))
                .collect::<Vec<_>>()
                .join(", "),
            pulled: pulled.get(&v.order.id).copied().unwrap_or(false),
            reason: details
                .reason_of(v.order.id)
                .map(str::to_owned)
                .unwrap_or_default(),
        })
        .collect();
    let approximate = runs
        .iter()
        .flat_map(|r| r.stops.iter())
        .filter(|s| s.approximate)
        .map(|s| s.address_line.clone())
        .collect();
    let vehicles = store::active_vehicles(db).await?.len();
    render(&PlanningPage {
        ctx,
        date: date.format("%Y-%m-%d").to_string(),
        date_label: crate::web::local_date(date),
        prev: (date - Duration::days(1)).format("%Y-%m-%d").to_string(),
        next: (date + Duration::days(1)).format("%Y-%m-%d").to_string(),
        planned_now: query.planlagt.is_some(),
        summary: log.map(|l| {
            (
                l.orders,
                l.stops,
                l.runs,
                l.drives_saved,
                crate::web::local_datetime(l.planned_at),
            )
        }),
        merges: details.merge_texts(),
        approximate,
        unplanned,
        map: map_of(&runs),
        runs: run_rows(&runs, &drivers),
        vehicles,
        plan_jobs,
        plan_millis: budget.as_millis(),
        plan_time: match budget.as_secs() + 1 {
            1 => "1 sekund".to_owned(),
            n => format!("{n} sekunder"),
        },
    })
}

#[derive(Deserialize)]
pub struct DateForm {
    #[serde(default)]
    date: String,
}

fn back_to(date: NaiveDate) -> String {
    format!("/planning?date={}", date.format("%Y-%m-%d"))
}

async fn plan(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<DateForm>,
) -> Result<Response, PageError> {
    let date = parse_date("date", &form.date)?;
    plan_day(
        &state.db,
        date,
        user.user_id,
        state.clock.today(),
        state.clock.now(),
    )
    .await?;
    Ok(Redirect::to(&format!("{}&planlagt=1#resultat", back_to(date))).into_response())
}

#[derive(Deserialize)]
pub struct DriverForm {
    #[serde(default)]
    driver_id: String,
}

async fn set_driver(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<DriverForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let driver = match form.driver_id.trim() {
        "" => None,
        raw => Some(
            raw.parse::<i32>()
                .map_err(|_| AppError::field("driver_id", "Vælg en af chaufførerne"))?,
        ),
    };
    store::assign_driver(&state.db, id, driver).await?;
    let found = store::find_run(&state.db, id).await?;
    Ok(Redirect::to(&format!("{}#run-{id}", back_to(found.date))).into_response())
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    action: String,
}

async fn set_status(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let to = match form.action.as_str() {
        "lock" => RunStatus::Locked,
        "unlock" => RunStatus::Draft,
        "dispatch" => RunStatus::Dispatched,
        _ => return Err(AppError::BadRequest("Ukendt handling.".to_owned()).into()),
    };
    let txn = crate::orders::store::begin_write(&state.db).await?;
    let saved = store::set_run_status(
        &txn,
        id,
        to,
        user.user_id,
        state.clock.today(),
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(Redirect::to(&format!("{}#run-{id}", back_to(saved.date))).into_response())
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    run_id: String,
}

async fn move_stop(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let to = form
        .run_id
        .trim()
        .parse::<i32>()
        .map_err(|_| AppError::field("run_id", "Vælg en kørsel"))?;
    let txn = crate::orders::store::begin_write(&state.db).await?;
    store::move_stop(&txn, id, to).await?;
    let found = store::find_run(&txn, to).await?;
    txn.commit().await?;
    Ok(Redirect::to(&format!("{}#run-{to}", back_to(found.date))).into_response())
}

#[derive(Deserialize)]
pub struct ShiftForm {
    #[serde(default)]
    direction: String,
}

async fn shift_stop(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<ShiftForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let up = match form.direction.as_str() {
        "up" => true,
        "down" => false,
        _ => return Err(AppError::BadRequest("Ukendt retning.".to_owned()).into()),
    };
    let txn = crate::orders::store::begin_write(&state.db).await?;
    let run_id = store::shift_stop(&txn, id, up).await?;
    let found = store::find_run(&txn, run_id).await?;
    txn.commit().await?;
    Ok(Redirect::to(&format!("{}#run-{run_id}", back_to(found.date))).into_response())
}

// ---------------------------------------------------------------- statistics

struct WeekRow {
    label: String,
    drives_saved: i32,
    runs: usize,
    stops_per_run: String,
    km_per_run: String,
}

struct Bar {
    x: f64,
    y: f64,
    height: f64,
    label: String,
    value: i32,
}

#[derive(askama::Template)]
#[template(path = "delivery/stats.html")]
struct StatsPage {
    ctx: PageContext,
    weeks: Vec<WeekRow>,
    bars: Vec<Bar>,
    max: i64,
    total_saved: i32,
}

/// The number of weeks the statistics show.
const STATS_WEEKS: i64 = 8;

async fn stats(State(state): State<AppState>, ctx: PageContext) -> Result<Response, PageError> {
    let today = state.clock.today();
    let last = week_start(today);
    let first = last - Duration::weeks(STATS_WEEKS - 1);
    let to = last + Duration::days(6);
    let plannings = store::plannings(&state.db, first, to).await?;
    let figures = store::run_figures(&state.db, first, to).await?;
    let weeks: Vec<WeekRow> = (0..STATS_WEEKS)
        .map(|i| {
            let monday = first + Duration::weeks(i);
            let in_week = |d: NaiveDate| week_start(d) == monday;
            let saved = plannings
                .iter()
                .filter(|p| in_week(p.date))
                .map(|p| p.drives_saved)
                .sum();
            let runs: Vec<&(NaiveDate, i64, f64)> =
                figures.iter().filter(|f| in_week(f.0)).collect();
            let n = runs.len();
            let (stops, km) = runs
                .iter()
                .fold((0i64, 0f64), |(s, k), r| (s + r.1, k + r.2));
            WeekRow {
                label: format!(
                    "{} ({})",
                    week_label(monday),
                    crate::web::local_date(monday)
                ),
                drives_saved: saved,
                runs: n,
                stops_per_run: if n == 0 {
                    "–".to_owned()
                } else {
                    km_label(stops as f64 / n as f64)
                },
                km_per_run: if n == 0 {
                    "–".to_owned()
                } else {
                    km_label(km / n as f64)
                },
            }
        })
        .collect();
    let max = crate::loans::stats::nice_max(
        weeks
            .iter()
            .map(|w| i64::from(w.drives_saved))
            .max()
            .unwrap_or(0)
            .max(1),
    );
    let bars = weeks
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let height = 200.0 * f64::from(w.drives_saved) / max as f64;
            Bar {
                x: 50.0 + i as f64 * 70.0,
                y: 220.0 - height,
                height,
                label: week_label(first + Duration::weeks(i as i64)),
                value: w.drives_saved,
            }
        })
        .collect();
    render(&StatsPage {
        ctx,
        total_saved: weeks.iter().map(|w| w.drives_saved).sum(),
        weeks,
        bars,
        max,
    })
}

// ---------------------------------------------------------------- vehicles

#[derive(Clone, Debug, Default, Deserialize)]
pub struct VehicleForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    shift_start: String,
    #[serde(default)]
    shift_end: String,
    #[serde(default)]
    start_lat: String,
    #[serde(default)]
    start_lon: String,
    #[serde(default)]
    active: Option<String>,
}

impl VehicleForm {
    fn of(v: &entity::vehicle::Model) -> Self {
        Self {
            name: v.name.clone(),
            capacity: v.capacity.to_string(),
            shift_start: v.shift_start.clone(),
            shift_end: v.shift_end.clone(),
            start_lat: v.start_lat.map(|x| x.to_string()).unwrap_or_default(),
            start_lon: v.start_lon.map(|x| x.to_string()).unwrap_or_default(),
            active: v.active.then(|| "on".to_owned()),
        }
    }

    fn blank() -> Self {
        Self {
            shift_start: "07:30".to_owned(),
            shift_end: "15:00".to_owned(),
            active: Some("on".to_owned()),
            ..Default::default()
        }
    }

    fn is_active(&self) -> bool {
        self.active.is_some()
    }
}

/// Checks the vehicle form: a name, a capacity 1–1000, a shift HH:MM–HH:MM
/// ending after it starts, and both or neither coordinate of a start place.
pub fn check_vehicle(form: &VehicleForm) -> Result<VehicleData, FormErrors> {
    let mut errors = FormErrors::default();
    let name = form.name.trim().to_owned();
    if name.is_empty() {
        errors.add("name", "Skriv bilens navn");
    } else if name.chars().count() > 60 {
        errors.add("name", "Navnet må højst have 60 tegn");
    }
    let capacity = form
        .capacity
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|c| (1..=1000).contains(c));
    if capacity.is_none() {
        errors.add(
            "capacity",
            "Skriv lastrummet som et helt tal fra 1 til 1000",
        );
    }
    let start = super::parse_hhmm(&form.shift_start);
    let end = super::parse_hhmm(&form.shift_end);
    if start.is_none() {
        errors.add("shift_start", "Skriv tidspunktet som TT:MM, fx 07:30");
    }
    if end.is_none() {
        errors.add("shift_end", "Skriv tidspunktet som TT:MM, fx 15:00");
    }
    if let (Some(s), Some(e)) = (start, end)
        && e <= s
    {
        errors.add("shift_end", "Arbejdstiden skal slutte efter den begynder");
    }
    let coord = |raw: &str| raw.trim().replace(',', ".").parse::<f64>().ok();
    let place = match (form.start_lat.trim(), form.start_lon.trim()) {
        ("", "") => None,
        (lat, lon) => match (coord(lat), coord(lon)) {
            (Some(lat), Some(lon))
                if (54.0..=58.0).contains(&lat) && (7.0..=16.0).contains(&lon) =>
            {
                Some((lat, lon))
            }
            _ => {
                errors.add(
                    "start_lat",
                    "Skriv både bredde- og længdegrad i Danmark (fx 56.4550 og 10.0420), eller lad begge stå tomme",
                );
                None
            }
        },
    };
    match (capacity, start, end) {
        (Some(capacity), Some(s), Some(e)) if errors.is_empty() => Ok(VehicleData {
            name,
            capacity,
            shift_start: s.format("%H:%M").to_string(),
            shift_end: e.format("%H:%M").to_string(),
            start: place,
            active: form.is_active(),
        }),
        _ => Err(errors),
    }
}

struct VehicleRow {
    id: i32,
    name: String,
    capacity: i32,
    shift: String,
    start: String,
    active: bool,
}

#[derive(askama::Template)]
#[template(path = "delivery/vehicles.html")]
struct VehiclesPage {
    ctx: PageContext,
    rows: Vec<VehicleRow>,
    form: VehicleForm,
    errors: FormErrors,
    saved: bool,
}

#[derive(askama::Template)]
#[template(path = "delivery/vehicle.html")]
struct VehiclePage {
    ctx: PageContext,
    id: i32,
    form: VehicleForm,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    gemt: Option<String>,
}

async fn vehicle_rows(state: &AppState) -> Result<Vec<VehicleRow>, AppError> {
    Ok(store::all_vehicles(&state.db)
        .await?
        .into_iter()
        .map(|v| VehicleRow {
            id: v.id,
            start: match (v.start_lat, v.start_lon) {
                (Some(lat), Some(lon)) => format!("{lat:.4}, {lon:.4}"),
                _ => DEPOT_NAME.to_owned(),
            },
            name: v.name,
            capacity: v.capacity,
            shift: format!("{}–{}", v.shift_start, v.shift_end),
            active: v.active,
        })
        .collect())
}

async fn vehicles(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<SavedQuery>,
) -> Result<Response, PageError> {
    render(&VehiclesPage {
        ctx,
        rows: vehicle_rows(&state).await?,
        form: VehicleForm::blank(),
        errors: FormErrors::default(),
        saved: query.gemt.is_some(),
    })
}

async fn create_vehicle(
    State(state): State<AppState>,
    ctx: PageContext,
    Form(form): Form<VehicleForm>,
) -> Result<Response, PageError> {
    match check_vehicle(&form) {
        Ok(data) => {
            store::save_vehicle(&state.db, None, &data).await?;
            Ok(Redirect::to("/vehicles?gemt=1").into_response())
        }
        Err(errors) => render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &VehiclesPage {
                ctx,
                rows: vehicle_rows(&state).await?,
                form,
                errors,
                saved: false,
            },
        ),
    }
}

async fn edit_vehicle(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let found = entity::vehicle::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&VehiclePage {
        ctx,
        id,
        form: VehicleForm::of(&found),
        errors: FormErrors::default(),
    })
}

async fn update_vehicle(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<VehicleForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    match check_vehicle(&form) {
        Ok(data) => {
            store::save_vehicle(&state.db, Some(id), &data).await?;
            Ok(Redirect::to("/vehicles?gemt=1").into_response())
        }
        Err(errors) => render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &VehiclePage {
                ctx,
                id,
                form,
                errors,
            },
        ),
    }
}

// ---------------------------------------------------------------- run sheet

pub struct SheetStop {
    pub seq: i32,
    pub eta: String,
    pub window: String,
    pub address: String,
    pub citizens: String,
    pub phones: String,
    pub access: String,
    pub orders: String,
    pub merged: String,
    pub deliver: String,
    pub collect: String,
    pub status: &'static str,
}

#[derive(askama::Template)]
#[template(path = "delivery/sheet.html")]
struct SheetPage {
    ctx: PageContext,
    id: i32,
    date: String,
    vehicle: String,
    driver: String,
    status: &'static str,
    distance: String,
    duration: String,
    stops: Vec<SheetStop>,
}

pub fn sheet_stops(view: &RunView) -> Vec<SheetStop> {
    view.stops
        .iter()
        .map(|s| SheetStop {
            seq: s.stop.seq,
            eta: s.eta_hhmm(),
            window: s.window_hhmm(),
            address: s.address_line.clone(),
            citizens: s.citizen_names.join(", "),
            phones: s.phones.join(", "),
            access: s.access_notes.join(" · "),
            orders: s
                .orders
                .iter()
                .map(|o| {
                    let kind = if o.kind == JobKind::Pickup {
                        "afhentning"
                    } else {
                        source_label(&o.source)
                    };
                    format!("{} ({})", o.order_id, kind.to_lowercase())
                })
                .collect::<Vec<_>>()
                .join(", "),
            merged: merged_line(s),
            deliver: items_line(&s.deliver),
            collect: items_line(&s.collect),
            status: s.status.label(),
        })
        .collect()
}

async fn sheet(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let view = store::run_view(&state.db, path_id(&id)?).await?;
    if !super::complete::may_complete(&user, &view.run) {
        return Err(AppError::Forbidden.into());
    }
    render(&SheetPage {
        ctx,
        id: view.run.id,
        date: crate::web::local_date(view.run.date),
        vehicle: view.vehicle.name.clone(),
        driver: view
            .driver_name
            .clone()
            .unwrap_or_else(|| "ikke tildelt".to_owned()),
        status: view.status.label(),
        distance: km_label(view.run.distance_km),
        duration: minutes_label(view.run.duration_min),
        stops: sheet_stops(&view),
    })
}
