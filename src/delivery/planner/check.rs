//! An independent feasibility check of a plan, written apart from the search's cached
//! evaluation: it replays every route from the problem alone.

use std::collections::HashSet;

use super::{JobKind, Plan, Problem};

/// Ok when every job is either in exactly one route or listed as unassigned, every
/// vehicle drives at most one route, every window, shift and capacity holds, and the
/// reported times, loads and distances are what the replay gives.
pub fn check(problem: &Problem, plan: &Plan) -> Result<(), String> {
    let n = problem.jobs.len();
    let mut seen = vec![false; n];
    let mut mark = |j: usize, what: &str| -> Result<(), String> {
        match seen.get_mut(j) {
            None => Err(format!("{what}: job index {j} does not exist")),
            Some(true) => Err(format!("{what}: job {j} appears twice")),
            Some(s) => {
                *s = true;
                Ok(())
            }
        }
    };
    let mut vehicles = HashSet::new();
    let matrix = &problem.matrix;
    for (r, route) in plan.routes.iter().enumerate() {
        let here = format!("route {r}");
        let v = problem
            .vehicles
            .get(route.vehicle_index)
            .ok_or_else(|| format!("{here}: no vehicle {}", route.vehicle_index))?;
        if !vehicles.insert(route.vehicle_index) {
            return Err(format!(
                "{here}: vehicle {} used twice",
                route.vehicle_index
            ));
        }
        if route.departure < v.shift.0 {
            return Err(format!("{here}: leaves before the shift starts"));
        }
        let mut load: i64 = 0;
        for visit in &route.stops {
            mark(visit.job_index, &here)?;
            let job = &problem.jobs[visit.job_index];
            if job.kind == JobKind::Delivery {
                load += job.demand;
            }
        }
        if load != route.initial_load {
            return Err(format!(
                "{here}: initial load {} ≠ {load}",
                route.initial_load
            ));
        }
        if load > v.capacity {
            return Err(format!(
                "{here}: leaves with {load} > capacity {}",
                v.capacity
            ));
        }
        let (mut time, mut at, mut distance, mut driving) = (route.departure, v.start, 0, 0);
        for visit in &route.stops {
            let job = &problem.jobs[visit.job_index];
            let arrival = time + matrix.duration(at, job.location);
            let start = arrival.max(job.window.0);
            if arrival != visit.arrival || start != visit.start {
                return Err(format!(
                    "{here}: times of job {} do not add up",
                    visit.job_index
                ));
            }
            if start > job.window.1 {
                return Err(format!(
                    "{here}: job {} starts after its window",
                    visit.job_index
                ));
            }
            load += match job.kind {
                JobKind::Delivery => -job.demand,
                JobKind::Pickup => job.demand,
            };
            if load > v.capacity || load != visit.load_after {
                return Err(format!("{here}: load {load} after job {}", visit.job_index));
            }
            distance += matrix.distance(at, job.location);
            driving += matrix.duration(at, job.location);
            time = start + job.service;
            at = job.location;
        }
        distance += matrix.distance(at, v.end);
        driving += matrix.duration(at, v.end);
        let back = time + matrix.duration(at, v.end);
        if back != route.arrival || back > v.shift.1 {
            return Err(format!("{here}: back at {back}, shift ends {}", v.shift.1));
        }
        if distance != route.distance || driving != route.driving {
            return Err(format!("{here}: distance or driving time does not add up"));
        }
    }
    for u in &plan.unassigned {
        mark(u.job_index, "unassigned")?;
    }
    match seen.iter().position(|s| !s) {
        Some(j) => Err(format!(
            "job {j} is neither planned nor listed as unassigned"
        )),
        None => Ok(()),
    }
}
