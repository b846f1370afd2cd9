//! One route in the search, with the schedule cached so an insertion is checked in
//! constant time: earliest service starts forward, latest feasible starts backward,
//! and the load profile with prefix/suffix maxima (a delivery raises the load on the
//! way *to* its stop, a pickup on the way *from* it).
//!
//! Positions: 0 is the vehicle's start, 1..=len the jobs, len+1 the end.

use super::model::Model;

/// What the insertion check needs to know about one position of a route, kept
/// together: a check reads two neighbouring positions, which then sit in one or two
/// cache lines instead of six arrays' worth.
#[derive(Clone, Copy, Debug, Default)]
struct Position {
    loc: usize,
    /// Service time (0 at start and end).
    serv: i64,
    /// Latest start the position's own window allows, and its pickup minus its
    /// delivery: the backward pass needs no job lookups.
    late: i64,
    net: i64,
    /// Earliest start of service.
    start: i64,
    /// Latest start of service that keeps the rest of the route feasible.
    latest: i64,
    /// Highest load on the way up to and out of this position, and from it on: a
    /// delivery raises the load before its stop, a pickup after it.
    pre_max: i64,
    suf_max: i64,
    /// Latest arrival that keeps every later window, ignoring the shift's end: the
    /// check of an insertion that may run over the shift (`insertion_overtime`).
    free: i64,
    /// The arrival back at the end as a function of the arrival here, `max(arrival +
    /// tail, floor)`: the driving and service from here on, and the waits for windows.
    tail: i64,
    floor: i64,
}

#[derive(Debug)]
pub(crate) struct RouteState {
    pub vehicle: usize,
    pub jobs: Vec<usize>,
    at: Vec<Position>,
    pub cost: i64,
    /// Seconds the route ends after the shift: 0 in every plan the search keeps as
    /// its best; only the annealing's current plan may run over (`search::OVERTIME_SHARE`).
    pub overtime: i64,
}

impl Clone for RouteState {
    fn clone(&self) -> Self {
        let mut r = Self::empty(self.vehicle);
        r.clone_from(self);
        r
    }

    /// Reuses the vectors: the search copies its current solution every iteration.
    fn clone_from(&mut self, o: &Self) {
        self.vehicle = o.vehicle;
        self.jobs.clone_from(&o.jobs);
        self.at.clone_from(&o.at);
        self.cost = o.cost;
        self.overtime = o.overtime;
    }
}

impl RouteState {
    fn empty(vehicle: usize) -> Self {
        Self {
            vehicle,
            jobs: Vec::new(),
            at: Vec::new(),
            cost: 0,
            overtime: 0,
        }
    }

    pub fn new(model: &Model, vehicle: usize) -> Self {
        let mut r = Self::empty(vehicle);
        r.update(model);
        r
    }

    /// Recomputes the caches after `jobs` changed: one pass forward (starts, cost,
    /// load maxima so far), one backward (latest starts, load maxima from here on).
    pub fn update(&mut self, m: &Model) {
        let v = &m.vehicles[self.vehicle];
        let n = self.jobs.len();
        let mut load: i64 = self.jobs.iter().map(|&j| m.job[j].delivery).sum();
        let mut top = load;
        let (mut time, mut from, mut cost) = (v.open, v.start, 0);
        self.at.clear();
        self.at.push(Position {
            loc: v.start,
            start: v.open,
            late: v.close,
            pre_max: load,
            ..Position::default()
        });
        for &j in &self.jobs {
            let job = &m.job[j];
            let start = (time + m.t(from, job.loc)).max(job.early);
            cost += m.c(from, job.loc);
            let net = job.pickup - job.delivery;
            load += net;
            top = top.max(load);
            self.at.push(Position {
                loc: job.loc,
                serv: job.service,
                late: job.late,
                net,
                start,
                pre_max: top,
                ..Position::default()
            });
            time = start + job.service;
            from = job.loc;
        }
        cost += m.c(from, v.end);
        self.at.push(Position {
            loc: v.end,
            start: (time + m.t(from, v.end)).max(v.open),
            late: v.close,
            latest: v.close,
            pre_max: top,
            suf_max: load,
            ..Position::default()
        });
        self.cost = if n == 0 { 0 } else { cost };
        self.overtime = (self.at[n + 1].start - v.close).max(0);

        // Backward: `load` is the load leaving each position, undone stop by stop.
        let (mut top, mut next_latest, mut next_loc) = (load, v.close, v.end);
        let (mut next_free, mut next_tail, mut next_floor) = (i64::MAX / 4, 0, v.open);
        self.at[n + 1].free = next_free;
        self.at[n + 1].floor = next_floor;
        for (k, here) in self.at[..=n].iter_mut().enumerate().rev() {
            let leg = m.t(here.loc, next_loc);
            here.latest = here.late.min(next_latest - leg - here.serv);
            top = top.max(load);
            here.suf_max = top;
            load -= here.net;
            // Arrival-based: the wait for this stop's window is in `floor`.
            let early = if k == 0 {
                v.open
            } else {
                m.job[self.jobs[k - 1]].early
            };
            here.free = here.late.min(next_free - leg - here.serv);
            here.tail = here.serv + leg + next_tail;
            here.floor = (early + here.tail).max(next_floor);
            (next_latest, next_loc) = (here.latest, here.loc);
            (next_free, next_tail, next_floor) = (here.free, here.tail, here.floor);
        }
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// The added cost of serving `j` between positions `p` and `p + 1` when it is
    /// below `bound`; None when it is not, or when it breaks a window, the shift or
    /// the capacity.
    #[inline]
    pub fn insertion_below(&self, m: &Model, j: usize, p: usize, bound: i64) -> Option<i64> {
        let (delta, arrival) = self.screen(m, j, p, bound)?;
        (arrival <= self.at[p + 1].latest).then_some(delta)
    }

    /// As [`Self::insertion_below`], but the route may end after the shift: the added
    /// cost includes `weight` per second of added overtime. Windows and capacity stay
    /// hard.
    #[inline]
    pub fn insertion_overtime(
        &self,
        m: &Model,
        j: usize,
        p: usize,
        bound: i64,
        weight: f64,
    ) -> Option<i64> {
        let (delta, arrival) = self.screen(m, j, p, bound)?;
        let next = &self.at[p + 1];
        if arrival > next.free {
            return None;
        }
        let back = (arrival + next.tail).max(next.floor);
        let overtime = (back - m.vehicles[self.vehicle].close).max(0);
        let total = delta + (weight * (overtime - self.overtime) as f64).round() as i64;
        (total < bound).then_some(total)
    }

    /// What both insertion checks share: the added cost when below `bound`, the load
    /// and `j`'s own window allow it, with the arrival at position `p + 1` after it.
    /// The cost is three matrix reads and most places lose on it against the best
    /// place so far, so it is looked at before the schedule.
    #[inline]
    fn screen(&self, m: &Model, j: usize, p: usize, bound: i64) -> Option<(i64, i64)> {
        let (here, next, job) = (&self.at[p], &self.at[p + 1], &m.job[j]);
        let (a, b, u) = (here.loc, next.loc, job.loc);
        // An unused vehicle costs nothing, so opening one pays both legs in full.
        let base = if self.jobs.is_empty() { 0 } else { m.c(a, b) };
        let delta = m.c(a, u) + m.c(u, b) - base;
        if delta >= bound {
            return None;
        }
        let cap = m.vehicles[self.vehicle].capacity;
        if here.pre_max + job.delivery > cap || here.suf_max + job.pickup > cap {
            return None;
        }
        let begin = (here.start + here.serv + m.t(a, u)).max(job.early);
        if begin > job.late {
            return None;
        }
        Some((delta, begin + job.service + m.t(u, b)))
    }

    /// The cost saved by taking out the job at position `k` (1..=len), or None when
    /// the rest would break a window (possible when the matrix is not metric).
    pub fn removal(&self, m: &Model, k: usize) -> Option<i64> {
        if self.jobs.len() == 1 {
            return Some(self.cost);
        }
        let (before, after) = (&self.at[k - 1], &self.at[k + 1]);
        let (a, u, b) = (before.loc, self.at[k].loc, after.loc);
        let arrival = before.start + before.serv + m.t(a, b);
        if arrival > after.latest {
            return None;
        }
        Some(m.c(a, u) + m.c(u, b) - m.c(a, b))
    }

    /// Earliest start of service at position `p`: no later position can start earlier,
    /// so the insertion scan stops once this passes a job's window.
    #[inline]
    pub fn start_at(&self, p: usize) -> i64 {
        self.at[p].start
    }
}
