//! `depot bench routing DIR` and `depot bench days`: the planner on the Solomon
//! instances (gap to the best known) and on generated depot days. The only file
//! reading of the planner lives here.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serde_json::json;

use super::{
    Job, JobKind, Objective, Options, Plan, Problem, Vehicle, check, solve, travel, vrplib,
};

/// Runs the planner on every `.vrp` in `dir`, one JSON line per instance and a summary.
/// Returns whether every plan was feasible and complete.
pub fn routing(dir: &Path, time_limit: f64, out: &mut impl Write) -> Result<bool, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "vrp"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no .vrp files in {}", dir.display()));
    }
    let options = Options {
        time_limit: Duration::from_secs_f64(time_limit.max(0.01)),
        threads: 2,
        seed: 1,
        objective: Objective::Distance,
        max_iterations: None,
    };
    let began = Instant::now();
    let (mut gaps, mut unassigned, mut infeasible) = (Vec::new(), 0usize, 0usize);
    for file in &files {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let instance =
            vrplib::parse_instance(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let name = file
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let problem = instance.to_problem();
        let start = Instant::now();
        let plan = solve(&problem, &options).map_err(|e| format!("{name}: {e}"))?;
        let seconds = start.elapsed().as_secs_f64();
        let verdict = check(&problem, &plan).and_then(|()| check_distance(&instance, &plan));
        let distance = plan.distance() as f64 / vrplib::SCALE as f64;
        let best = std::fs::read_to_string(file.with_extension("sol"))
            .ok()
            .and_then(|t| vrplib::parse_solution_cost(&t));
        let gap = best.map(|b| (distance - b) / b * 100.0);
        if let Some(g) = gap {
            gaps.push(g);
        }
        unassigned += plan.unassigned.len();
        if verdict.is_err() {
            infeasible += 1;
        }
        let line = InstanceLine {
            instance: name,
            distance: round(distance, 1),
            routes: plan.routes.len(),
            unassigned: plan.unassigned.len(),
            seconds: round(seconds, 2),
            feasible: verdict.is_ok(),
            gap_percent: gap.map(|g| round(g, 2)),
            error: verdict.err(),
        };
        writeln!(out, "{}", to_json(&line)).map_err(|e| e.to_string())?;
    }
    let mean = gaps.iter().sum::<f64>() / gaps.len().max(1) as f64;
    let worst = gaps.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let summary = SummaryLine {
        summary: true,
        instances: files.len(),
        mean_gap_percent: round(mean, 2),
        worst_gap_percent: (!gaps.is_empty()).then(|| round(worst, 2)),
        unassigned,
        infeasible,
        seconds: round(began.elapsed().as_secs_f64(), 1),
    };
    writeln!(out, "{}", to_json(&summary)).map_err(|e| e.to_string())?;
    Ok(unassigned == 0 && infeasible == 0)
}

/// One line per instance; a struct so the keys keep this order.
#[derive(Serialize)]
struct InstanceLine {
    instance: String,
    distance: f64,
    routes: usize,
    unassigned: usize,
    seconds: f64,
    feasible: bool,
    gap_percent: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct SummaryLine {
    summary: bool,
    instances: usize,
    mean_gap_percent: f64,
    worst_gap_percent: Option<f64>,
    unassigned: usize,
    infeasible: usize,
    seconds: f64,
}

/// Recomputes the total distance from the coordinates, apart from the matrix.
fn check_distance(instance: &vrplib::Instance, plan: &Plan) -> Result<(), String> {
    let depot = instance.coords[instance.depot];
    let mut total = 0;
    for route in &plan.routes {
        let mut at = depot;
        for v in &route.stops {
            let next = instance.coords[v.job as usize];
            total += vrplib::dimacs_tenths(at, next);
            at = next;
        }
        total += vrplib::dimacs_tenths(at, depot);
    }
    if total == plan.distance() {
        Ok(())
    } else {
        Err(format!(
            "distance {} ≠ {total} from coordinates",
            plan.distance()
        ))
    }
}

fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// The depot in Randers (latitude, longitude).
const DEPOT: (f64, f64) = (56.4480, 10.0650);
/// Shift 07:30-15:30 in seconds since midnight.
const SHIFT: (i64, i64) = (27_000, 55_800);

/// A generated depot day: 30-150 stops around Randers, 2-10 vans, 20-35% pickups,
/// about a third of the deliveries due before a hospital discharge.
pub fn generate_day(seed: u64) -> Problem {
    let mut rng = SmallRng::seed_from_u64(seed);
    let stops: usize = rng.random_range(30..=150);
    let vans = (stops.div_ceil(15) as i64 + rng.random_range(-1..=1)).clamp(2, 10) as usize;
    let pickup_share = rng.random_range(0.20..0.35);
    // Exactly the drawn share of pickups, at random positions.
    let mut is_pickup = vec![false; stops];
    let pickups = (stops as f64 * pickup_share).round() as usize;
    for k in rand::seq::index::sample(&mut rng, stops, pickups) {
        is_pickup[k] = true;
    }
    let mut coords = vec![DEPOT];
    let mut jobs = Vec::with_capacity(stops);
    for (i, &pickup) in is_pickup.iter().enumerate() {
        // Two in three stops in town, the rest in villages up to ~25 km out.
        let radius_km = if rng.random_bool(0.65) { 4.0 } else { 25.0 };
        let r = radius_km * rng.random::<f64>().sqrt();
        let angle = rng.random_range(0.0..std::f64::consts::TAU);
        coords.push((
            DEPOT.0 + r * angle.sin() / 111.0,
            DEPOT.1 + r * angle.cos() / 61.5,
        ));
        let kind = if pickup {
            JobKind::Pickup
        } else {
            JobKind::Delivery
        };
        let demand = match rng.random_range(0..20) {
            0..=11 => 1,
            12..=16 => 2,
            _ => 4,
        };
        let service = 300 + 300 * demand + rng.random_range(0..4) * 60;
        let window = if kind == JobKind::Delivery && rng.random_bool(0.35) {
            // Discharge between 10:00 and 15:00 on the quarter hour: in place before.
            let discharge = 36_000 + 900 * rng.random_range(0..=20);
            (SHIFT.0, discharge - service)
        } else {
            SHIFT
        };
        jobs.push(Job {
            id: i as i64 + 1,
            location: i + 1,
            kind,
            demand,
            service,
            window,
        });
    }
    let vehicles = (0..vans)
        .map(|v| Vehicle {
            id: v as i64 + 1,
            capacity: 30,
            start: 0,
            end: 0,
            shift: SHIFT,
        })
        .collect();
    Problem {
        matrix: travel::straight_line_matrix(
            &coords,
            travel::DEFAULT_ROAD_FACTOR,
            travel::DEFAULT_SPEED_KMH,
        ),
        vehicles,
        jobs,
    }
}

/// What `depot bench days` plans.
#[derive(Clone, Debug)]
pub struct DaysRun {
    pub count: usize,
    /// The first day's seed; day k uses `seed + k`.
    pub seed: u64,
    /// The planner's own seed: the days stay the same, the planner's luck changes.
    pub planner_seed: u64,
    /// Seconds per day; None is the depot's budget, [`super::time_limit_for`].
    pub time_limit: Option<f64>,
    /// Iterations per search instead of the clock (repeatable plans).
    pub iterations: Option<u64>,
}

/// Plans the generated days of `run`, printing one JSON line each; with `write`,
/// saves each day's problem and our figures as `day-NN.json` for
/// `bench/vroom_compare.py days`.
pub fn days(run: &DaysRun, write: Option<&Path>, out: &mut impl Write) -> Result<bool, String> {
    if let Some(dir) = write {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut all_ok = true;
    for day in 0..run.count {
        let problem = generate_day(run.seed.wrapping_add(day as u64));
        // Without a given limit, the depot's own: scaled with the day's size.
        let time_limit = match (run.time_limit, run.iterations) {
            (Some(t), _) => Duration::from_secs_f64(t.max(0.01)),
            // Counted iterations must not be cut short by the clock.
            (None, Some(_)) => Duration::from_secs(3600),
            (None, None) => super::time_limit_for(problem.jobs.len()),
        };
        let options = Options {
            time_limit,
            seed: run.planner_seed,
            max_iterations: run.iterations,
            ..Options::default()
        };
        let start = Instant::now();
        let plan = solve(&problem, &options).map_err(|e| e.to_string())?;
        let seconds = start.elapsed().as_secs_f64();
        let verdict = check(&problem, &plan);
        all_ok &= verdict.is_ok();
        let pickups = problem
            .jobs
            .iter()
            .filter(|j| j.kind == JobKind::Pickup)
            .count();
        let line = json!({
            "day": day + 1,
            "stops": problem.jobs.len(),
            "vehicles": problem.vehicles.len(),
            "pickups": pickups,
            "routes": plan.routes.len(),
            "driving_s": plan.driving(),
            "duration_s": plan.routes.iter().map(|r| r.duration).sum::<i64>(),
            "distance_m": plan.distance(),
            "unassigned": plan.unassigned.len(),
            "seconds": round(seconds, 3),
            "feasible": verdict.is_ok(),
        });
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
        if let Some(dir) = write {
            let file = dir.join(format!("day-{:02}.json", day + 1));
            let body = json!({"problem": problem, "ours": line, "plan": plan});
            std::fs::write(&file, body.to_string())
                .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        }
    }
    Ok(all_ok)
}
