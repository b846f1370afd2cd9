//! Unit tests of the planner on tiny problems whose answers are known by hand.

use std::time::Duration;

use super::*;

/// Locations on a plane, one unit = one second = one metre.
fn matrix(points: &[(i64, i64)]) -> TravelMatrix {
    let size = points.len();
    let mut d = Vec::new();
    for a in points {
        for b in points {
            let dx = (a.0 - b.0) as f64;
            let dy = (a.1 - b.1) as f64;
            d.push((dx * dx + dy * dy).sqrt().round() as i64);
        }
    }
    TravelMatrix {
        size,
        durations: d.clone(),
        distances: d,
    }
}

fn van(id: i64, capacity: i64) -> Vehicle {
    Vehicle {
        id,
        capacity,
        start: 0,
        end: 0,
        shift: (0, 10_000),
    }
}

fn job(id: i64, location: usize, kind: JobKind, demand: i64) -> Job {
    Job {
        id,
        location,
        kind,
        demand,
        service: 0,
        window: (0, 10_000),
    }
}

fn quick() -> Options {
    Options {
        time_limit: Duration::from_secs(5),
        threads: 1,
        seed: 7,
        objective: Objective::Distance,
        max_iterations: Some(2_000),
    }
}

fn planned(problem: &Problem) -> Plan {
    let plan = solve(problem, &quick()).expect("solves");
    check(problem, &plan).expect("the plan passes the check");
    plan
}

fn order(plan: &Plan, route: usize) -> Vec<i64> {
    plan.routes[route].stops.iter().map(|v| v.job).collect()
}

#[test]
fn stops_on_a_line_are_served_out_and_back_in_one_route() {
    let problem = Problem {
        matrix: matrix(&[(0, 0), (30, 0), (10, 0), (20, 0), (40, 0)]),
        vehicles: vec![van(1, 10), van(2, 10)],
        jobs: (1..=4)
            .map(|i| job(i, i as usize, JobKind::Delivery, 1))
            .collect(),
    };
    let plan = planned(&problem);
    assert_eq!(plan.distance(), 80);
    assert_eq!(plan.routes.len(), 1);
    assert!(plan.unassigned.is_empty());
}

#[test]
fn a_square_needs_two_vans_when_each_carries_two() {
    let problem = Problem {
        matrix: matrix(&[(0, 0), (10, 10), (10, -10), (-10, 10), (-10, -10)]),
        vehicles: vec![van(1, 2), van(2, 2), van(3, 2)],
        jobs: (1..=4)
            .map(|i| job(i, i as usize, JobKind::Delivery, 1))
            .collect(),
    };
    let plan = planned(&problem);
    // Each route: out 14, across 20, back 14.
    assert_eq!(plan.routes.len(), 2);
    assert_eq!(plan.distance(), 96);
}

#[test]
fn a_job_bigger_than_every_van_is_unassigned_over_capacity() {
    let problem = Problem {
        matrix: matrix(&[(0, 0), (10, 0), (20, 0)]),
        vehicles: vec![van(1, 5)],
        jobs: vec![
            job(1, 1, JobKind::Delivery, 6),
            job(2, 2, JobKind::Pickup, 5),
        ],
    };
    let plan = planned(&problem);
    assert_eq!(plan.unassigned.len(), 1);
    assert_eq!(plan.unassigned[0].job, 1);
    assert_eq!(plan.unassigned[0].reason, Reason::OverCapacity);
    assert_eq!(Reason::OverCapacity.as_str(), "over_capacity");
    assert_eq!(order(&plan, 0), vec![2]);
}

#[test]
fn a_window_closing_before_the_van_can_arrive_cannot_be_met() {
    let mut late = job(1, 1, JobKind::Delivery, 1);
    late.window = (0, 50); // 100 away: the van cannot be there by 50
    let mut back_late = job(2, 1, JobKind::Delivery, 1);
    back_late.window = (9_950, 10_000); // reachable, but then home after the shift
    let problem = Problem {
        matrix: matrix(&[(0, 0), (100, 0)]),
        vehicles: vec![van(1, 5)],
        jobs: vec![late, back_late],
    };
    let plan = planned(&problem);
    let reasons: Vec<_> = plan.unassigned.iter().map(|u| u.reason).collect();
    assert_eq!(reasons, vec![Reason::WindowCannotBeMet; 2]);
    assert_eq!(
        Reason::WindowCannotBeMet.label_da(),
        "tidsvinduet kan ikke nås"
    );
}

#[test]
fn no_vans_means_no_vehicle_for_anyone() {
    let problem = Problem {
        matrix: matrix(&[(0, 0), (1, 0)]),
        vehicles: vec![],
        jobs: vec![job(1, 1, JobKind::Delivery, 1)],
    };
    let plan = planned(&problem);
    assert_eq!(plan.unassigned[0].reason, Reason::NoVehicle);
}

/// One van, two stops on opposite sides with the same tight window: only one fits.
fn tight_windows_far_apart() -> Problem {
    let mut a = job(1, 1, JobKind::Delivery, 1);
    let mut b = job(2, 2, JobKind::Delivery, 1);
    a.window = (100, 110);
    b.window = (100, 110);
    Problem {
        matrix: matrix(&[(0, 0), (100, 0), (-100, 0)]),
        vehicles: vec![van(1, 5)],
        jobs: vec![a, b],
    }
}

#[test]
fn two_stops_with_the_same_tight_window_far_apart_leave_one_without_room() {
    let problem = tight_windows_far_apart();
    let plan = planned(&problem);
    assert_eq!(plan.routes.len(), 1);
    assert_eq!(plan.unassigned.len(), 1);
    assert_eq!(plan.unassigned[0].reason, Reason::NoRoom);
}

#[test]
fn deliveries_go_before_pickups_when_the_van_would_otherwise_overflow() {
    // One-way streets: the round 0 → pickup → delivery → 0 costs 30, the other way
    // round 150. Collecting first overfills the van: 6 to deliver + 6 collected > 10.
    let d = vec![0, 10, 50, 50, 0, 10, 10, 50, 0];
    let problem = Problem {
        matrix: TravelMatrix {
            size: 3,
            durations: d.clone(),
            distances: d,
        },
        vehicles: vec![van(1, 10)],
        jobs: vec![
            job(1, 2, JobKind::Delivery, 6),
            job(2, 1, JobKind::Pickup, 6),
        ],
    };
    let plan = planned(&problem);
    assert_eq!(order(&plan, 0), vec![1, 2]);
    assert_eq!(plan.distance(), 150);
    assert_eq!(plan.routes[0].initial_load, 6);
    let loads: Vec<_> = plan.routes[0].stops.iter().map(|v| v.load_after).collect();
    assert_eq!(loads, vec![0, 6]);

    // With room for both, the short way round (pickup first) wins.
    let mut roomy = problem.clone();
    roomy.vehicles[0].capacity = 12;
    let plan = planned(&roomy);
    assert_eq!(order(&plan, 0), vec![2, 1]);
    assert_eq!(plan.distance(), 30);
}

#[test]
fn a_van_may_end_its_shift_somewhere_else_than_it_started() {
    let mut problem = Problem {
        matrix: matrix(&[(0, 0), (100, 0), (50, 0)]),
        vehicles: vec![van(1, 5)],
        jobs: vec![job(1, 2, JobKind::Delivery, 1)],
    };
    problem.vehicles[0].end = 1;
    let plan = planned(&problem);
    assert_eq!(plan.distance(), 100);
}

#[test]
fn the_van_leaves_late_enough_not_to_wait_at_the_first_window() {
    let mut a = job(1, 1, JobKind::Delivery, 1);
    a.window = (500, 600);
    a.service = 60;
    let problem = Problem {
        matrix: matrix(&[(0, 0), (100, 0)]),
        vehicles: vec![van(1, 5)],
        jobs: vec![a],
    };
    let plan = planned(&problem);
    let route = &plan.routes[0];
    assert_eq!(route.departure, 400);
    assert_eq!(route.stops[0].arrival, 500);
    assert_eq!(route.duration, 100 + 60 + 100);
    assert_eq!(route.driving, 200);
}

#[test]
fn the_check_rejects_broken_plans() {
    let mut a = job(1, 1, JobKind::Delivery, 3);
    a.window = (0, 1_000);
    let problem = Problem {
        matrix: matrix(&[(0, 0), (100, 0), (0, 100)]),
        vehicles: vec![van(1, 5)],
        jobs: vec![a, job(2, 2, JobKind::Delivery, 2)],
    };
    let plan = planned(&problem);

    let mut missing = plan.clone();
    missing.routes[0].stops.pop();
    assert!(check(&problem, &missing).is_err());

    let mut twice = plan.clone();
    let first = twice.routes[0].stops[0].clone();
    twice.routes[0].stops.push(first);
    assert!(check(&problem, &twice).is_err());

    let mut small = problem.clone();
    small.vehicles[0].capacity = 4;
    assert!(check(&small, &plan).is_err());

    let mut tight = problem.clone();
    tight.jobs[0].window = (0, 50);
    assert!(check(&tight, &plan).is_err());

    let mut short_shift = problem.clone();
    short_shift.vehicles[0].shift.1 = 100;
    assert!(check(&short_shift, &plan).is_err());

    let mut wrong_distance = plan.clone();
    wrong_distance.routes[0].distance -= 1;
    assert!(check(&problem, &wrong_distance).is_err());
}

#[test]
fn a_malformed_problem_is_an_error_not_a_panic() {
    let mut problem = Problem {
        matrix: matrix(&[(0, 0), (1, 0)]),
        vehicles: vec![van(1, 5)],
        jobs: vec![job(1, 7, JobKind::Delivery, 1)],
    };
    assert!(matches!(
        solve(&problem, &quick()),
        Err(PlanError::Location(..))
    ));
    problem.jobs[0].location = 1;
    problem.matrix.durations.pop();
    assert!(matches!(
        solve(&problem, &quick()),
        Err(PlanError::MatrixSize(2))
    ));
}

#[test]
fn the_same_seed_and_iterations_give_the_same_plan() {
    let problem = bench::generate_day(3);
    let a = solve(&problem, &quick()).expect("solves");
    let b = solve(&problem, &quick()).expect("solves");
    assert_eq!(a, b);
}

#[test]
fn a_generated_depot_day_is_planned_feasibly_within_windows_and_shifts() {
    for seed in 1..=3 {
        let problem = bench::generate_day(seed);
        let options = Options {
            objective: Objective::Duration,
            ..quick()
        };
        let plan = solve(&problem, &options).expect("solves");
        check(&problem, &plan).expect("feasible");
        let pickups = problem
            .jobs
            .iter()
            .filter(|j| j.kind == JobKind::Pickup)
            .count();
        assert!(pickups > 0);
        assert!(
            plan.unassigned.len() <= problem.jobs.len() / 10,
            "{:?}",
            plan.unassigned
        );
    }
}

const TINY_VRP: &str = "NAME : T1
TYPE : CVRPTW
DIMENSION : 4
VEHICLES : 2
CAPACITY : 10
SERVICE_TIME : 5
NODE_COORD_SECTION
1 0 0
2 3 4
3 6 8
4 -3 -4
DEMAND_SECTION
1 0
2 4
3 4
4 4
TIME_WINDOW_SECTION
1 0 100
2 0 100
3 0 100
4 0 100
DEPOT_SECTION
1
-1
EOF
";

#[test]
fn a_vrplib_instance_is_read_in_tenths_and_solved() {
    let inst = vrplib::parse_instance(TINY_VRP).expect("parses");
    assert_eq!(inst.vehicles, 2);
    assert_eq!(inst.service, vec![5; 4]);
    let problem = inst.to_problem();
    assert_eq!(problem.jobs.len(), 3);
    assert_eq!(problem.jobs[0].service, 50);
    assert_eq!(problem.matrix.distance(0, 1), 50);
    let plan = planned(&problem);
    // Capacity 10 splits (2,3) from 4: 10 + 10 out and back, plus 5 + 5.
    assert_eq!(plan.distance(), 300);
    assert_eq!(vrplib::dimacs_tenths((0.0, 0.0), (1.0, 1.0)), 14);
    assert_eq!(
        vrplib::parse_solution_cost("Route #1: 1 2\nCost 827.3\n"),
        Some(827.3)
    );
}

/// Replays `jobs` on `vehicle` from scratch: the route's cost, or None when a window,
/// the shift or the capacity breaks. Written apart from `RouteState`'s caches.
fn replayed_cost(problem: &Problem, vehicle: usize, jobs: &[usize]) -> Option<i64> {
    let (cost, back) = replayed(problem, vehicle, jobs)?;
    (back <= problem.vehicles[vehicle].shift.1).then_some(cost)
}

/// Replays `jobs` on `vehicle` leaving at the shift's start, the shift's end not
/// enforced: the route's cost and its arrival back, or None when a window or the
/// capacity breaks.
fn replayed(problem: &Problem, vehicle: usize, jobs: &[usize]) -> Option<(i64, i64)> {
    let v = &problem.vehicles[vehicle];
    let m = &problem.matrix;
    let mut load: i64 = jobs
        .iter()
        .filter(|&&j| problem.jobs[j].kind == JobKind::Delivery)
        .map(|&j| problem.jobs[j].demand)
        .sum();
    let (mut time, mut at, mut cost) = (v.shift.0, v.start, 0);
    if load > v.capacity {
        return None;
    }
    for &j in jobs {
        let job = &problem.jobs[j];
        let begin = (time + m.duration(at, job.location)).max(job.window.0);
        load += match job.kind {
            JobKind::Delivery => -job.demand,
            JobKind::Pickup => job.demand,
        };
        if begin > job.window.1 || load > v.capacity {
            return None;
        }
        cost += m.duration(at, job.location);
        time = begin + job.service;
        at = job.location;
    }
    let back = time + m.duration(at, v.end);
    Some((cost + m.duration(at, v.end), back))
}

/// The jobs `0..n` in random order, and a route of them appended in that order while
/// `keeps` holds.
fn random_route(
    rng: &mut rand::rngs::SmallRng,
    n: usize,
    keeps: impl Fn(&[usize]) -> bool,
) -> (Vec<usize>, Vec<usize>) {
    use rand::seq::SliceRandom;
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let mut jobs = Vec::new();
    for &j in &order {
        jobs.push(j);
        if !keeps(&jobs) {
            jobs.pop();
        }
    }
    (order, jobs)
}

#[test]
fn the_cached_insertion_check_agrees_with_replaying_the_route() {
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    let mut rng = SmallRng::seed_from_u64(11);
    let mut problem = bench::generate_day(5);
    // Tighter than a depot day so windows (with waiting), shift and load all bind.
    problem.vehicles[0].capacity = 9;
    problem.vehicles[0].shift = (27_000, 27_000 + 3 * 3600);
    for j in &mut problem.jobs {
        let open = 27_000 + rng.random_range(0..3 * 3600);
        j.window = (open, open + rng.random_range(600..7200));
    }
    let model = model::Model::new(&problem, Objective::Duration).expect("valid");
    let (mut checked, mut feasible) = (0, 0);
    for _ in 0..40 {
        // A random feasible route.
        let (order, jobs) = random_route(&mut rng, problem.jobs.len(), |jobs| {
            replayed_cost(&problem, 0, jobs).is_some()
        });
        let mut route = route::RouteState::new(&model, 0);
        route.jobs.clone_from(&jobs);
        route.update(&model);
        let base = replayed_cost(&problem, 0, &jobs).expect("built feasible");
        assert_eq!(route.cost, if jobs.is_empty() { 0 } else { base });
        for &j in order.iter().filter(|j| !jobs.contains(j)) {
            for p in 0..=jobs.len() {
                let mut with = jobs.clone();
                with.insert(p, j);
                let replay = replayed_cost(&problem, 0, &with);
                let cached = route.insertion_below(&model, j, p, i64::MAX);
                let expected = replay.map(|c| if jobs.is_empty() { c } else { c - base });
                assert_eq!(cached, expected, "job {j} at {p} into {jobs:?}");
                checked += 1;
                feasible += usize::from(replay.is_some());
            }
        }
    }
    // Both answers occur often enough for the comparison to mean something.
    assert!(
        feasible > 100 && checked - feasible > 100,
        "{feasible}/{checked}"
    );
}

#[test]
fn a_stop_inserted_into_a_route_leaves_the_same_caches_as_recomputing_it() {
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    let mut rng = SmallRng::seed_from_u64(12);
    let mut problem = bench::generate_day(5);
    // Waits, a binding shift and mixed loads, so every cached value has work to do.
    problem.vehicles[0].shift = (27_000, 27_000 + 3 * 3600);
    for j in &mut problem.jobs {
        let open = 27_000 + rng.random_range(0..3 * 3600);
        j.window = (open, open + rng.random_range(600..7200));
    }
    let model = model::Model::new(&problem, Objective::Duration).expect("valid");
    for _ in 0..20 {
        let mut route = route::RouteState::new(&model, 0);
        for j in 0..rng.random_range(1..problem.jobs.len()) {
            let p = rng.random_range(0..=route.len());
            route.insert(&model, p, j);
            assert!(route.caches_are_fresh(&model), "job {j} at {p}");
        }
    }
}

#[test]
fn the_insertion_check_with_overtime_agrees_with_replaying_the_route() {
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    let mut rng = SmallRng::seed_from_u64(12);
    let mut problem = bench::generate_day(5);
    // A short shift that most routes run over, windows with waiting, a tight load.
    problem.vehicles[0].capacity = 12;
    problem.vehicles[0].shift = (27_000, 27_000 + 2 * 3600);
    for j in &mut problem.jobs {
        let open = 27_000 + rng.random_range(0..4 * 3600);
        j.window = (open, open + rng.random_range(1800..4 * 3600));
    }
    let model = model::Model::new(&problem, Objective::Duration).expect("valid");
    let close = problem.vehicles[0].shift.1;
    let overtime = |back: i64| (back - close).max(0);
    let weight = 2.5;
    let (mut checked, mut late, mut refused) = (0, 0, 0);
    for _ in 0..40 {
        // A random route that keeps windows and load, and may end after the shift.
        let (order, mut jobs) = random_route(&mut rng, problem.jobs.len(), |jobs| {
            replayed(&problem, 0, jobs).is_some()
        });
        // Short ones end within the shift.
        jobs.truncate(rng.random_range(0..=jobs.len()));
        let mut route = route::RouteState::new(&model, 0);
        route.jobs.clone_from(&jobs);
        route.update(&model);
        let (base, back) = replayed(&problem, 0, &jobs).expect("built within windows");
        assert_eq!(
            route.overtime,
            if jobs.is_empty() { 0 } else { overtime(back) }
        );
        for &j in order.iter().filter(|j| !jobs.contains(j)) {
            for p in 0..=jobs.len() {
                let mut with = jobs.clone();
                with.insert(p, j);
                let expected = replayed(&problem, 0, &with).map(|(cost, new_back)| {
                    let added = if jobs.is_empty() { cost } else { cost - base };
                    let more = overtime(new_back) - route.overtime;
                    added + (weight * more as f64).round() as i64
                });
                let cached = route.insertion_overtime(&model, j, p, i64::MAX, weight);
                assert_eq!(cached, expected, "job {j} at {p} into {jobs:?}");
                checked += 1;
                refused += usize::from(expected.is_none());
                late +=
                    usize::from(replayed_cost(&problem, 0, &with).is_none() && expected.is_some());
            }
        }
    }
    // Refused, accepted within the shift and accepted over it all occur often.
    assert!(
        refused > 100 && late > 100 && checked - refused - late > 100,
        "{refused} refused, {late} over the shift, of {checked}"
    );
}

#[test]
fn the_time_limit_grows_with_the_day_and_keeps_100_stops_under_a_second() {
    assert_eq!(time_limit_for(30), Duration::from_millis(950));
    assert_eq!(time_limit_for(100), Duration::from_millis(950));
    assert_eq!(time_limit_for(101), Duration::from_millis(1950));
    assert_eq!(time_limit_for(108), Duration::from_millis(8950));
    assert_eq!(time_limit_for(109), Duration::from_millis(9950));
    assert_eq!(time_limit_for(110), Duration::from_millis(10_000));
    assert_eq!(time_limit_for(400), Duration::from_millis(10_000));
    assert_eq!(
        Options::for_jobs(100).time_limit,
        Duration::from_millis(950)
    );
}

#[test]
fn a_large_day_uses_the_neighbour_insertions_and_stays_feasible_and_complete() {
    // 128 stops: well above the size where only places beside near neighbours are
    // tried first; the full scan must still catch what they miss.
    let problem = bench::generate_day(1);
    assert!(problem.jobs.len() > 100);
    let options = Options {
        objective: Objective::Duration,
        threads: 2,
        ..quick()
    };
    let plan = solve(&problem, &options).expect("solves");
    check(&problem, &plan).expect("feasible");
    assert!(plan.unassigned.is_empty(), "{:?}", plan.unassigned);
}

#[test]
fn a_day_whose_shift_binds_ends_every_route_within_it_though_the_search_may_run_over() {
    // Six-hour shifts for three vans: every stop fits, the routes press against the
    // shift's end, and the annealing passes through plans that run over it (depot
    // days price overtime rather than forbid it); the plan it returns must not.
    // Without the rule that only a plan within every shift becomes the best, this
    // plan ends 11 s late.
    let hours = 6;
    let mut problem = bench::generate_day(3);
    for v in &mut problem.vehicles {
        v.shift = (27_000, 27_000 + hours * 3600);
    }
    for j in &mut problem.jobs {
        j.window.1 = j.window.1.min(27_000 + hours * 3600);
    }
    let options = Options {
        objective: Objective::Duration,
        ..quick()
    };
    let plan = solve(&problem, &options).expect("solves");
    assert!(plan.unassigned.is_empty(), "{:?}", plan.unassigned);
    check(&problem, &plan).expect("every route within its shift");
    let close = 27_000 + hours * 3600;
    assert!(
        plan.routes.iter().any(|r| r.arrival > close - 600),
        "the shift binds: some route ends in its last ten minutes"
    );
}

/// Two stops to the west (jobs 0 near, 1 far) and two to the east (2 near, 3 far) of
/// the depot, each a delivery of 1, and two vans.
fn west_and_east() -> Problem {
    Problem {
        matrix: matrix(&[(0, 0), (-100, 10), (-200, 10), (100, 10), (200, 10)]),
        vehicles: vec![van(1, 10), van(2, 10)],
        jobs: (1..=4)
            .map(|i| job(i, i as usize, JobKind::Delivery, 1))
            .collect(),
    }
}

/// A search solution with exactly these routes (job indices in order).
fn with_routes(model: &model::Model, routes: [Vec<usize>; 2]) -> search::Solution {
    let mut s = search::Solution::empty(model);
    for (r, jobs) in routes.into_iter().enumerate() {
        for &j in &jobs {
            s.route_of[j] = r as u32;
        }
        s.routes[r].jobs = jobs;
        s.routes[r].update(model);
        s.place(r);
    }
    s.unassigned.clear();
    s
}

#[test]
fn swapping_the_far_ends_of_two_crossing_routes_untangles_them() {
    // Each route serves one stop to the west and one to the east.
    let problem = west_and_east();
    let model = model::Model::new(&problem, Objective::Distance).expect("valid");
    let mut s = with_routes(&model, [vec![0, 3], vec![2, 1]]);
    let tangled = s.routes[0].cost + s.routes[1].cost;

    assert!(exchange::improve_pair(&model, &mut s, 0, 1));
    while exchange::improve_pair(&model, &mut s, 0, 1) {}

    let mut routes: Vec<Vec<usize>> = s.routes.iter().map(|r| r.jobs.clone()).collect();
    for r in &mut routes {
        r.sort_unstable();
    }
    routes.sort();
    assert_eq!(
        routes,
        vec![vec![0, 1], vec![2, 3]],
        "west with west, east with east"
    );
    let untangled = s.routes[0].cost + s.routes[1].cost;
    assert!(untangled < tangled, "{untangled} < {tangled}");
    for (r, route) in s.routes.iter().enumerate() {
        assert_eq!(replayed_cost(&problem, r, &route.jobs), Some(route.cost));
        assert!(route.jobs.iter().all(|&j| s.route_of[j] == r as u32));
    }
}

#[test]
fn a_segment_swap_that_would_break_a_window_is_not_made() {
    // The crossing routes again, with the far west stop due by t = 210 and 50 s at
    // the near west one: moving the near west stop in front of the far one (the
    // first improving swap the scan meets) would be cheaper but late, so it must be
    // refused; whatever else improves, every route still replays on time.
    let mut problem = west_and_east();
    problem.jobs[0].service = 50;
    problem.jobs[1].window = (0, 210);
    let model = model::Model::new(&problem, Objective::Distance).expect("valid");
    let mut s = with_routes(&model, [vec![1, 3], vec![0, 2]]);
    let before = s.routes[0].cost + s.routes[1].cost;
    while exchange::improve_pair(&model, &mut s, 0, 1) {}
    assert!(s.routes[0].cost + s.routes[1].cost < before);
    for (r, route) in s.routes.iter().enumerate() {
        assert_eq!(
            replayed_cost(&problem, r, &route.jobs),
            Some(route.cost),
            "{:?}",
            route.jobs
        );
    }
}

#[test]
fn every_segment_swap_is_screened_at_the_cost_of_the_routes_it_makes() {
    let (_, model, _) = day_16_for(0);
    let s = construct::construct(&model, construct::Opening::Furthest, 0.5);
    let used: Vec<usize> = (0..s.routes.len())
        .filter(|&r| !s.routes[r].jobs.is_empty())
        .collect();
    assert!(used.len() >= 2, "day 16 needs two routes");
    let (a, b) = (used[0], used[1]);
    let cost = |r: usize, jobs: &[usize]| {
        if jobs.is_empty() {
            return 0;
        }
        let v = &model.vehicles[s.routes[r].vehicle];
        let locs: Vec<usize> = std::iter::once(v.start)
            .chain(jobs.iter().map(|&j| model.job[j].loc))
            .chain(std::iter::once(v.end))
            .collect();
        locs.windows(2).map(|w| model.c(w[0], w[1])).sum::<i64>()
    };
    let (ja, jb) = (&s.routes[a].jobs, &s.routes[b].jobs);
    let screens = exchange::screens(&model, &s, a, b);
    // Every segment of up to three jobs and every tail, on both sides.
    assert!(
        screens.len() > 4 * ja.len() * 4 * jb.len(),
        "{}",
        screens.len()
    );
    for ((i, la, k, lb), screened) in screens {
        let new_a: Vec<usize> = [&ja[..i], &jb[k..k + lb], &ja[i + la..]].concat();
        let new_b: Vec<usize> = [&jb[..k], &ja[i..i + la], &jb[k + lb..]].concat();
        assert_eq!(
            screened,
            cost(a, &new_a) + cost(b, &new_b),
            "swap of {la} at {i} and {lb} at {k}"
        );
    }
}

#[test]
fn after_the_polish_no_reversal_or_moved_run_inside_a_route_is_cheaper() {
    // The polish screens each move from running sums; a wrong sum would pass over a
    // cheaper order. Try every 2-opt and or-opt move of the polished plan by hand.
    let (_, model, _) = day_16_for(0);
    let mut s = construct::construct(&model, construct::Opening::None, 0.0);
    let built = s.cost;
    polish::polish(&model, &mut s, 100);
    assert!(s.cost < built, "{} < {built}", s.cost);
    let mut tried = 0;
    for route in s.routes.iter().filter(|r| r.jobs.len() >= 3) {
        let jobs = &route.jobs;
        let n = jobs.len();
        let mut candidates: Vec<Vec<usize>> = Vec::new();
        for i in 0..n - 1 {
            for k in i + 1..n {
                let mut c = jobs.clone();
                c[i..=k].reverse();
                candidates.push(c);
            }
        }
        for len in 1..=3 {
            for i in 0..=n - len {
                let mut rest = jobs.clone();
                let run: Vec<usize> = rest.drain(i..i + len).collect();
                for p in 0..=rest.len() {
                    let mut c = rest.clone();
                    c.splice(p..p, run.iter().copied());
                    candidates.push(c);
                }
            }
        }
        for c in candidates {
            tried += 1;
            if let Some(cost) = polish::replay(&model, route.vehicle, &c) {
                assert!(cost >= route.cost, "{c:?} costs {cost} < {}", route.cost);
            }
        }
    }
    assert!(tried > 1000, "{tried} moves tried");
}

/// Generated day 16 compiled for the search, with repeatable options of `iterations`.
fn day_16_for(iterations: u64) -> (Problem, model::Model, Options) {
    let problem = bench::generate_day(16);
    let model = model::Model::new(&problem, Objective::Duration).expect("a valid day");
    let options = Options {
        max_iterations: Some(iterations),
        // The iterations end the run, not the clock (debug builds are slow).
        time_limit: std::time::Duration::from_secs(3600),
        ..Options::default()
    };
    (problem, model, options)
}

#[test]
fn a_child_of_two_plans_is_feasible_and_mostly_complete() {
    use rand::SeedableRng;
    use rand::rngs::SmallRng;
    let (problem, model, options) = day_16_for(300);
    let a = search::run(
        &model,
        &options,
        1,
        search::Start::Empty { hot: true },
        None,
    );
    let b = search::run(
        &model,
        &options,
        2,
        search::Start::Empty { hot: true },
        None,
    );
    let routes = |s: &search::Solution| -> Vec<Vec<usize>> {
        s.routes.iter().map(|r| r.jobs.clone()).collect()
    };
    assert_ne!(routes(&a), routes(&b), "two different parents");
    let mut rng = SmallRng::seed_from_u64(5);
    let mut removed = Vec::new();
    let mut complete = 0;
    for _ in 0..10 {
        let child = crossover::crossover(&model, &a, &b, &mut rng, &mut removed);
        let plan = model.to_plan(&problem, &child);
        check(&problem, &plan).expect("the child is feasible");
        // A stop the greedy reinsertion cannot place stays unassigned (and the search
        // then drops the child); the child's own list must say so.
        assert_eq!(plan.unassigned.len(), child.unassigned_count());
        complete += usize::from(plan.unassigned.is_empty());
        // The cost the search compares is the plan's driving time.
        assert_eq!(child.cost, plan.driving());
    }
    assert!(
        complete >= 5,
        "only {complete} of 10 children serve every stop"
    );
}

#[test]
fn the_price_of_left_out_stops_rises_while_the_search_dwells_on_them_and_falls_when_not() {
    let mut penalty = search::Penalty::new();
    let start = penalty.weight;
    for _ in 0..1000 {
        penalty.record(true);
    }
    let raised = penalty.weight;
    assert!(
        raised > start * 5.0,
        "always incomplete: {start} -> {raised}"
    );
    for _ in 0..1_000_000 {
        penalty.record(true);
    }
    assert!(penalty.weight <= 100.0, "bounded above: {}", penalty.weight);
    for _ in 0..1_000_000 {
        penalty.record(false);
    }
    assert!(penalty.weight >= 0.05, "bounded below: {}", penalty.weight);
    assert!(penalty.weight < 0.1, "never incomplete: {}", penalty.weight);
    // About one iteration in ten with stops left out holds the price where it is.
    let held = penalty.weight;
    for i in 0..10_000 {
        penalty.record(i % 10 == 0);
    }
    assert_eq!(penalty.weight, held);
}

#[test]
fn a_plan_with_stops_left_out_is_priced_by_their_round_trips() {
    let (problem, model, options) = day_16_for(200);
    let mut plan = search::run(
        &model,
        &options,
        1,
        search::Start::Empty { hot: true },
        None,
    );
    assert!(plan.unassigned.is_empty(), "a complete plan");
    let penalty = search::Penalty::new();
    assert_eq!(
        penalty.value(&model, &plan),
        plan.cost as f64,
        "a complete plan costs nothing extra"
    );
    // Leave the first stop of the first used route out by hand.
    let r = plan
        .routes
        .iter()
        .position(|r| !r.jobs.is_empty())
        .expect("a route");
    let j = plan.routes[r].jobs.remove(0);
    plan.unassigned.push(j);
    let round_trip = 2 * model.from_depot[j] + problem.jobs[j].service;
    assert_eq!(model.price[j], round_trip);
    assert_eq!(
        penalty.value(&model, &plan),
        (plan.cost + round_trip) as f64
    );
}

#[test]
fn every_sequential_insertion_serves_a_roomy_day_feasibly_and_the_rules_differ() {
    let (problem, model, _) = day_16_for(1);
    let mut plans = Vec::new();
    for opening in construct::OPENINGS {
        for lambda in construct::LAMBDAS {
            let s = construct::construct(&model, opening, lambda);
            let plan = model.to_plan(&problem, &s);
            check(&problem, &plan).expect("a constructed plan is feasible");
            assert!(
                plan.unassigned.is_empty(),
                "{opening:?} λ={lambda}: all served"
            );
            assert_eq!(s.cost, plan.driving(), "the cost is the driving time");
            let routes: Vec<Vec<usize>> = s.routes.iter().map(|r| r.jobs.clone()).collect();
            plans.push(routes);
        }
    }
    plans.sort();
    plans.dedup();
    assert!(
        plans.len() >= 10,
        "only {} different plans of 20",
        plans.len()
    );
}

#[test]
fn the_insertion_plans_come_polished_best_first_without_repeats() {
    let (problem, model, _) = day_16_for(1);
    let plans = construct::ranked(&model, None);
    assert!(plans.len() >= 2, "a runner-up to start from");
    for pair in plans.windows(2) {
        let key = |s: &search::Solution| (s.unassigned_count(), s.cost);
        assert!(key(&pair[0]) < key(&pair[1]), "sorted, each once");
    }
    for s in &plans {
        check(&problem, &model.to_plan(&problem, s)).expect("feasible");
    }
    let mut unpolished = construct::construct(&model, construct::Opening::None, 0.0);
    let built = unpolished.cost;
    polish::polish(&model, &mut unpolished, 100);
    assert!(unpolished.cost <= built);
    assert!(
        plans[0].cost <= unpolished.cost,
        "the best is at least as good as any one polished"
    );
}

#[test]
fn sequential_insertion_leaves_out_what_does_not_fit_and_opens_routes_with_the_seed_rule() {
    let problem = tight_windows_far_apart();
    let model = model::Model::new(&problem, Objective::Distance).expect("valid");
    let s = construct::construct(&model, construct::Opening::None, 0.0);
    assert_eq!(s.unassigned.len(), 1);
    check(&problem, &model.to_plan(&problem, &s)).expect("feasible");

    // Far and near stops on a line, a van each taking one: the furthest-first rule
    // opens the first van's route at the far stop.
    let problem = Problem {
        matrix: matrix(&[(0, 0), (10, 0), (500, 0)]),
        vehicles: vec![van(1, 1), van(2, 1)],
        jobs: vec![
            job(1, 1, JobKind::Delivery, 1),
            job(2, 2, JobKind::Delivery, 1),
        ],
    };
    let model = model::Model::new(&problem, Objective::Distance).expect("valid");
    let far = construct::construct(&model, construct::Opening::Furthest, 0.0);
    assert_eq!(far.routes[0].jobs, vec![1]);
    let near = construct::construct(&model, construct::Opening::Nearest, 0.0);
    assert_eq!(near.routes[0].jobs, vec![0]);
}

#[test]
fn the_search_from_sequential_insertion_improves_on_its_start_and_stays_feasible() {
    let (problem, model, options) = day_16_for(2_000);
    let start = construct::ranked(&model, None).remove(0);
    assert!(
        start.unassigned.is_empty(),
        "day 16 has room for every stop"
    );
    let s = search::run(
        &model,
        &options,
        3,
        search::Start::Constructed { rank: 0 },
        None,
    );
    let plan = model.to_plan(&problem, &s);
    check(&problem, &plan).expect("feasible");
    assert!(plan.unassigned.is_empty());
    assert!(
        s.cost < start.cost,
        "the search improves the insertion plan: {} -> {}",
        start.cost,
        s.cost
    );
}

/// Three vans from a depot at the origin: one west to 100 and 1000, one east to 150
/// and 900, one local to 10 and 20 north (job indices 0-5 in that order).
fn two_far_routes_and_a_local_one() -> (Problem, model::Model, search::Solution) {
    let problem = Problem {
        matrix: matrix(&[
            (0, 0),
            (-100, 0),
            (-1000, 0),
            (150, 0),
            (900, 0),
            (0, 10),
            (0, 20),
        ]),
        vehicles: vec![van(1, 10), van(2, 10), van(3, 10)],
        jobs: (1..=6)
            .map(|i| job(i, i as usize, JobKind::Delivery, 1))
            .collect(),
    };
    let model = model::Model::new(&problem, Objective::Duration).expect("valid");
    let mut s = search::Solution::empty(&model);
    for (r, jobs) in [vec![0, 1], vec![2, 3], vec![4, 5]].into_iter().enumerate() {
        for &j in &jobs {
            s.route_of[j] = r as u32;
        }
        s.routes[r].jobs = jobs;
        s.routes[r].update(&model);
        s.place(r);
    }
    s.unassigned.clear();
    s.total();
    (problem, model, s)
}

#[test]
fn the_radial_ruin_empties_one_route_and_takes_the_inner_stops_off_the_far_ones() {
    use rand::SeedableRng;
    use rand::rngs::SmallRng;
    let (_, model, plan) = two_far_routes_and_a_local_one();
    let mut emptied_seen = [false; 3];
    for seed in 0..40 {
        let mut s = plan.clone();
        let mut removed = Vec::new();
        search::radial_ruin(
            &model,
            &mut s,
            &mut removed,
            &mut SmallRng::seed_from_u64(seed),
        );
        let emptied: Vec<usize> = (0..3).filter(|&r| s.routes[r].jobs.is_empty()).collect();
        assert_eq!(emptied.len(), 1, "exactly one route is emptied");
        let e = emptied[0];
        emptied_seen[e] = true;
        // The day's median distance is 150: the west and east routes go far (furthest
        // over 300) and lose the stops under half their furthest; the local one (20)
        // keeps its stops unless it is the emptied one.
        let mut expected: Vec<usize> = plan.routes[e].jobs.clone();
        for (r, inner) in [(0, 0), (1, 2)] {
            if r != e {
                expected.push(inner);
                assert_eq!(
                    s.routes[r].jobs,
                    vec![inner + 1],
                    "route {r} keeps its far stop"
                );
            }
        }
        if e != 2 {
            assert_eq!(
                s.routes[2].jobs,
                vec![4, 5],
                "the local route is left alone"
            );
        }
        removed.sort_unstable();
        expected.sort_unstable();
        assert_eq!(removed, expected);
        for &j in &removed {
            assert_eq!(s.route_of[j], search::NOT_ROUTED);
        }
    }
    assert_eq!(emptied_seen, [true; 3], "any route may be the emptied one");
}

#[test]
fn a_local_first_kick_keeps_the_inner_stops_off_the_far_routes() {
    use rand::SeedableRng;
    use rand::rngs::SmallRng;
    let (problem, model, plan) = two_far_routes_and_a_local_one();
    let seeded = SmallRng::seed_from_u64;
    let mut local_emptied = 0;
    for seed in 0..40 {
        // The kick's first draws are the radial ruin's, so one with the same seed
        // shows which route the kick empties.
        let mut probe = plan.clone();
        search::radial_ruin(&model, &mut probe, &mut Vec::new(), &mut seeded(seed));
        let emptied = (0..3)
            .find(|&r| probe.routes[r].jobs.is_empty())
            .expect("one route is emptied");
        let kicked = search::kick_as(&model, &plan, &mut seeded(seed), &mut Vec::new(), true);
        check(&problem, &model.to_plan(&problem, &kicked)).expect("feasible");
        assert_eq!(kicked.unassigned_count(), 0);
        // The west route reaches 1000 and the east one 900: a far route that was not
        // emptied takes back no stop less than half as far (the local ones, 100, 150).
        for (r, reach) in [(0, 1000), (1, 900)] {
            if r != emptied {
                for &j in &kicked.routes[r].jobs {
                    assert!(
                        2 * model.from_depot[j] >= reach,
                        "seed {seed}: stop {j} went back on far route {r}: {:?}",
                        kicked.routes.iter().map(|r| &r.jobs).collect::<Vec<_>>()
                    );
                }
            }
        }
        if emptied == 2 {
            local_emptied += 1;
            // A plain kick puts the west route's inner stop back on it, on its way.
            let plain = search::kick_as(&model, &plan, &mut seeded(seed), &mut Vec::new(), false);
            assert_eq!(plain.route_of[0], 0, "seed {seed}: a plain kick differs");
        }
    }
    assert!(local_emptied > 0, "some seed empties the local route");
}

#[test]
fn a_kicked_plan_serves_every_stop_of_a_roomy_day_within_every_shift() {
    use rand::SeedableRng;
    use rand::rngs::SmallRng;
    let (problem, model, _) = day_16_for(300);
    let best = construct::ranked(&model, None).remove(0);
    assert_eq!(best.unassigned_count(), 0, "day 16 has room for every stop");
    let mut rng = SmallRng::seed_from_u64(3);
    let mut removed = Vec::new();
    for _ in 0..10 {
        let kicked = search::kick(&model, &best, &mut rng, &mut removed);
        let plan = model.to_plan(&problem, &kicked);
        check(&problem, &plan).expect("the kicked plan is feasible");
        assert!(plan.unassigned.is_empty(), "{:?}", plan.unassigned);
        assert_eq!(kicked.overtime, 0);
        assert_eq!(kicked.cost, plan.driving());
        assert_ne!(
            kicked
                .routes
                .iter()
                .map(|r| r.jobs.clone())
                .collect::<Vec<_>>(),
            best.routes
                .iter()
                .map(|r| r.jobs.clone())
                .collect::<Vec<_>>(),
            "the kick reshapes the plan"
        );
    }
}
