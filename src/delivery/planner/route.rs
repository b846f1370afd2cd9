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
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Position {
    loc: usize,
    /// Service time (0 at start and end).
    serv: i64,
    /// The position's own window, and its pickup minus its delivery: the passes
    /// need no job lookups.
    early: i64,
    late: i64,
    net: i64,
    /// Load on board when leaving the position (arriving, at the end).
    load: i64,
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

impl Position {
    /// A job's position, its schedule and loads still to be computed.
    fn of(m: &Model, j: usize) -> Self {
        let job = &m.job[j];
        Self {
            loc: job.loc,
            serv: job.service,
            early: job.early,
            late: job.late,
            net: job.pickup - job.delivery,
            ..Self::default()
        }
    }
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

    /// Recomputes the caches after `jobs` changed: one pass forward (starts, loads,
    /// load maxima so far), one backward (latest starts, load maxima from here on).
    pub fn update(&mut self, m: &Model) {
        let v = &m.vehicles[self.vehicle];
        let n = self.jobs.len();
        let load: i64 = self.jobs.iter().map(|&j| m.job[j].delivery).sum();
        self.at.clear();
        self.at.push(Position {
            loc: v.start,
            early: v.open,
            late: v.close,
            start: v.open,
            load,
            pre_max: load,
            ..Position::default()
        });
        self.at
            .extend(self.jobs.iter().map(|&j| Position::of(m, j)));
        self.at.push(Position {
            loc: v.end,
            early: v.open,
            late: v.close,
            latest: v.close,
            free: i64::MAX / 4,
            floor: v.open,
            ..Position::default()
        });
        self.forward(m, 1);
        self.at[n + 1].suf_max = self.at[n + 1].load;
        self.backward(m, n);
        self.cost = if n == 0 {
            0
        } else {
            self.at.windows(2).map(|w| m.c(w[0].loc, w[1].loc)).sum()
        };
    }

    /// Serves `j` between positions `p` and `p + 1`, bringing the caches up to date
    /// in one pass over the route instead of [`Self::update`]'s two: the schedule
    /// before the new stop and the latest starts after it stay as they are, and the
    /// loads before it rise by its delivery, after it by its pickup. The insertion
    /// is the search's most frequent change (a quarter of its time went to
    /// recomputing whole routes).
    pub fn insert(&mut self, m: &Model, p: usize, j: usize) {
        if self.jobs.is_empty() {
            self.jobs.push(j);
            self.update(m);
            return;
        }
        let (delivery, pickup) = (m.job[j].delivery, m.job[j].pickup);
        let (a, u, b) = (self.at[p].loc, m.job[j].loc, self.at[p + 1].loc);
        self.cost += m.c(a, u) + m.c(u, b) - m.c(a, b);
        self.jobs.insert(p, j);
        for here in &mut self.at[..=p] {
            here.load += delivery;
            here.pre_max += delivery;
        }
        for here in &mut self.at[p + 1..] {
            here.suf_max += pickup;
        }
        self.at.insert(p + 1, Position::of(m, j));
        self.forward(m, p + 1);
        self.backward(m, p + 1);
    }

    /// Earliest starts, loads and load maxima so far, from position `from` to the end.
    fn forward(&mut self, m: &Model, from: usize) {
        for k in from..self.at.len() {
            let prev = self.at[k - 1];
            let here = &mut self.at[k];
            here.start = (prev.start + prev.serv + m.t(prev.loc, here.loc)).max(here.early);
            here.load = prev.load + here.net;
            here.pre_max = prev.pre_max.max(here.load);
        }
        let end = self.at.len() - 1;
        self.overtime = (self.at[end].start - m.vehicles[self.vehicle].close).max(0);
    }

    /// Latest starts, the arrival-back function and load maxima from here on, from
    /// position `from` back to the start (position `from + 1` must be up to date).
    fn backward(&mut self, m: &Model, from: usize) {
        for k in (0..=from).rev() {
            let next = self.at[k + 1];
            let here = &mut self.at[k];
            let leg = m.t(here.loc, next.loc);
            here.latest = here.late.min(next.latest - leg - here.serv);
            here.suf_max = here.load.max(next.suf_max);
            // Arrival-based: the wait for this stop's window is in `floor`.
            here.free = here.late.min(next.free - leg - here.serv);
            here.tail = here.serv + leg + next.tail;
            here.floor = (here.early + here.tail).max(next.floor);
        }
    }

    /// Whether the caches are what [`Self::update`] computes from scratch.
    #[cfg(test)]
    pub fn caches_are_fresh(&self, m: &Model) -> bool {
        let mut fresh = self.clone();
        fresh.update(m);
        (fresh.at == self.at) && (fresh.cost, fresh.overtime) == (self.cost, self.overtime)
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
        let added = overtime - self.overtime;
        let total = if added == 0 {
            delta
        } else {
            delta + rounded(weight * added as f64)
        };
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

/// `x` rounded half away from zero, as `f64::round`, which is a call into libm on
/// the baseline x86-64 target; this is two instructions in the insertion check.
#[inline]
fn rounded(x: f64) -> i64 {
    (x + 0.5f64.copysign(x)) as i64
}
