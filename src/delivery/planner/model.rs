//! The problem compiled for the search: flat arrays, the objective's cost matrix,
//! neighbour lists, vehicle types, and the jobs no vehicle could ever serve (with
//! their reason) taken out before the search starts.

use super::route::RouteState;
use super::search::Solution;
use super::{JobKind, Objective, Plan, PlanError, Problem, Reason, Route, Unassigned, Visit};

#[derive(Clone, Debug)]
pub(crate) struct VehicleModel {
    pub start: usize,
    pub end: usize,
    pub open: i64,
    pub close: i64,
    pub capacity: i64,
    /// Vehicles with the same start, end, shift and capacity share a type: the search
    /// tries only one empty route per type.
    pub kind: usize,
}

/// One job as the search reads it; the fields side by side because the route cache
/// and the insertion check read most of them together.
#[derive(Clone, Copy, Debug)]
pub(crate) struct JobModel {
    pub loc: usize,
    pub service: i64,
    pub early: i64,
    pub late: i64,
    pub delivery: i64,
    pub pickup: i64,
}

/// One entry of the travel matrix as the search reads it.
#[derive(Clone, Copy, Debug)]
struct Leg {
    cost: i32,
    time: i32,
}

#[derive(Debug)]
pub(crate) struct Model {
    pub jobs: usize,
    pub size: usize,
    /// The objective's cost and the travel time of every pair of locations, side by
    /// side and in 32 bits: the insertion check reads both for the same pairs, and a
    /// 100-stop day's matrix then takes 80 KB instead of 160 (the check's reads are
    /// most of the search's time; about 9 % less CPU per iteration, session 14).
    legs: Vec<Leg>,
    pub job: Vec<JobModel>,
    pub vehicles: Vec<VehicleModel>,
    /// For each job, the other jobs by increasing cost from it.
    pub neighbours: Vec<Vec<u32>>,
    /// Cost from the first vehicle's start (the depot) to each job.
    pub from_depot: Vec<i64>,
    /// What leaving each job out roughly saves: the round trip from the depot, plus
    /// the service time when the objective is time. The search prices plans with
    /// jobs left out by this (`search::Penalty`).
    pub price: Vec<i64>,
    /// Jobs that no vehicle could serve even alone, with the reason.
    pub excluded: Vec<Option<Reason>>,
    pub excluded_count: usize,
}

impl Model {
    pub fn new(problem: &Problem, objective: Objective) -> Result<Self, PlanError> {
        let m = &problem.matrix;
        let size = m.size;
        if m.durations.len() != size * size || m.distances.len() != size * size {
            return Err(PlanError::MatrixSize(size));
        }
        let mut types: Vec<(usize, usize, i64, i64, i64)> = Vec::new();
        let mut vehicles = Vec::with_capacity(problem.vehicles.len());
        for (i, v) in problem.vehicles.iter().enumerate() {
            for loc in [v.start, v.end] {
                if loc >= size {
                    return Err(PlanError::Location(format!("vehicle {i}"), loc));
                }
            }
            if v.capacity < 0 {
                return Err(PlanError::Invalid(
                    format!("vehicle {i}"),
                    "negative capacity",
                ));
            }
            let key = (v.start, v.end, v.shift.0, v.shift.1, v.capacity);
            let kind = match types.iter().position(|t| *t == key) {
                Some(k) => k,
                None => {
                    types.push(key);
                    types.len() - 1
                }
            };
            vehicles.push(VehicleModel {
                start: v.start,
                end: v.end,
                open: v.shift.0,
                close: v.shift.1,
                capacity: v.capacity,
                kind,
            });
        }
        let n = problem.jobs.len();
        let mut job = Vec::with_capacity(n);
        for (i, j) in problem.jobs.iter().enumerate() {
            if j.location >= size {
                return Err(PlanError::Location(format!("job {i}"), j.location));
            }
            if j.demand < 0 || j.service < 0 {
                return Err(PlanError::Invalid(
                    format!("job {i}"),
                    "negative demand or service time",
                ));
            }
            let (delivery, pickup) = match j.kind {
                JobKind::Delivery => (j.demand, 0),
                JobKind::Pickup => (0, j.demand),
            };
            job.push(JobModel {
                loc: j.location,
                service: j.service,
                early: j.window.0,
                late: j.window.1,
                delivery,
                pickup,
            });
        }
        let cost = match objective {
            Objective::Duration => &m.durations,
            Objective::Distance => &m.distances,
        };
        let legs = cost
            .iter()
            .zip(&m.durations)
            .map(|(&cost, &time)| {
                Some(Leg {
                    cost: i32::try_from(cost).ok()?,
                    time: i32::try_from(time).ok()?,
                })
            })
            .collect::<Option<Vec<_>>>()
            .ok_or(PlanError::Invalid(
                "the travel matrix".into(),
                "a travel time or distance beyond 2^31",
            ))?;
        let mut model = Self {
            jobs: n,
            size,
            legs,
            job,
            vehicles,
            neighbours: Vec::new(),
            from_depot: Vec::new(),
            price: Vec::new(),
            excluded: Vec::new(),
            excluded_count: 0,
        };
        model.neighbours = (0..n)
            .map(|a| {
                let mut others: Vec<u32> = (0..n).filter(|&b| b != a).map(|b| b as u32).collect();
                others.sort_by_key(|&b| model.job_cost(a, b as usize));
                others
            })
            .collect();
        let depot = model.vehicles.first().map_or(0, |v| v.start);
        model.from_depot = (0..n).map(|j| model.c(depot, model.job[j].loc)).collect();
        let timed = objective == Objective::Duration;
        model.price = (0..n)
            .map(|j| 2 * model.from_depot[j] + if timed { model.job[j].service } else { 0 })
            .collect();
        model.excluded = (0..n).map(|j| model.reason_alone(j)).collect();
        model.excluded_count = model.excluded.iter().filter(|e| e.is_some()).count();
        Ok(model)
    }

    #[inline]
    pub fn c(&self, a: usize, b: usize) -> i64 {
        i64::from(self.legs[a * self.size + b].cost)
    }

    #[inline]
    pub fn t(&self, a: usize, b: usize) -> i64 {
        i64::from(self.legs[a * self.size + b].time)
    }

    fn job_cost(&self, a: usize, b: usize) -> i64 {
        self.c(self.job[a].loc, self.job[b].loc)
    }

    /// Why no vehicle could serve job `j` even on an otherwise empty route.
    fn reason_alone(&self, j: usize) -> Option<Reason> {
        if self.vehicles.is_empty() {
            return Some(Reason::NoVehicle);
        }
        let need = self.job[j].delivery.max(self.job[j].pickup);
        let mut roomy = false;
        for v in &self.vehicles {
            if need > v.capacity {
                continue;
            }
            roomy = true;
            let loc = self.job[j].loc;
            let begin = (v.open + self.t(v.start, loc)).max(self.job[j].early);
            let back = begin + self.job[j].service + self.t(loc, v.end);
            if self.job[j].early <= self.job[j].late && begin <= self.job[j].late && back <= v.close
            {
                return None;
            }
        }
        Some(if roomy {
            Reason::WindowCannotBeMet
        } else {
            Reason::OverCapacity
        })
    }

    /// Turns the search's solution into the public plan, with times.
    pub fn to_plan(&self, problem: &Problem, solution: &Solution) -> Plan {
        let routes = solution
            .routes
            .iter()
            .filter(|r| !r.jobs.is_empty())
            .map(|r| self.route_out(problem, r))
            .collect();
        let mut unassigned: Vec<Unassigned> = (0..self.jobs)
            .filter_map(|j| {
                let reason = match self.excluded[j] {
                    Some(reason) => reason,
                    None if solution.route_of[j] == u32::MAX => Reason::NoRoom,
                    None => return None,
                };
                Some(Unassigned {
                    job: problem.jobs[j].id,
                    job_index: j,
                    reason,
                })
            })
            .collect();
        unassigned.sort_by_key(|u| u.job_index);
        Plan { routes, unassigned }
    }

    fn route_out(&self, problem: &Problem, r: &RouteState) -> Route {
        let v = &self.vehicles[r.vehicle];
        // Leave as late as possible without delaying any stop (Savelsbergh's forward
        // time slack): the vehicle then waits less on the road.
        let mut slack = i64::MAX;
        let mut waited = 0;
        let mut time = v.open;
        let mut at = v.start;
        for &j in &r.jobs {
            let arrival = time + self.t(at, self.job[j].loc);
            let begin = arrival.max(self.job[j].early);
            waited += begin - arrival;
            slack = slack.min(waited + self.job[j].late - begin);
            time = begin + self.job[j].service;
            at = self.job[j].loc;
        }
        let back = time + self.t(at, v.end);
        slack = slack.min(waited + v.close - back).min(waited).max(0);
        let departure = v.open + slack;

        let mut load: i64 = r.jobs.iter().map(|&j| self.job[j].delivery).sum();
        let initial_load = load;
        let (mut time, mut at, mut distance, mut driving) = (departure, v.start, 0, 0);
        let mut stops = Vec::with_capacity(r.jobs.len());
        for &j in &r.jobs {
            let loc = self.job[j].loc;
            let arrival = time + self.t(at, loc);
            let start = arrival.max(self.job[j].early);
            distance += problem.matrix.distance(at, loc);
            driving += self.t(at, loc);
            load += self.job[j].pickup - self.job[j].delivery;
            stops.push(Visit {
                job: problem.jobs[j].id,
                job_index: j,
                arrival,
                start,
                load_after: load,
            });
            time = start + self.job[j].service;
            at = loc;
        }
        distance += problem.matrix.distance(at, v.end);
        driving += self.t(at, v.end);
        let arrival = time + self.t(at, v.end);
        Route {
            vehicle: problem.vehicles[r.vehicle].id,
            vehicle_index: r.vehicle,
            departure,
            arrival,
            initial_load,
            stops,
            distance,
            driving,
            duration: arrival - departure,
        }
    }
}
