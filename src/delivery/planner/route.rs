//! One route in the search, with the schedule cached so an insertion is checked in
//! constant time: earliest service starts forward, latest feasible starts backward,
//! and the load profile with prefix/suffix maxima (a delivery raises the load on the
//! way *to* its stop, a pickup on the way *from* it).
//!
//! Positions: 0 is the vehicle's start, 1..=len the jobs, len+1 the end.

use super::model::Model;

#[derive(Debug)]
pub(crate) struct RouteState {
    pub vehicle: usize,
    pub jobs: Vec<usize>,
    locs: Vec<usize>,
    /// Service time at each position (0 at start and end).
    serv: Vec<i64>,
    /// Earliest start of service at each position.
    start: Vec<i64>,
    /// Latest start of service at each position that keeps the rest of the route feasible.
    latest: Vec<i64>,
    /// Load when leaving each position.
    load: Vec<i64>,
    pre_max: Vec<i64>,
    suf_max: Vec<i64>,
    pub cost: i64,
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
        self.locs.clone_from(&o.locs);
        self.serv.clone_from(&o.serv);
        self.start.clone_from(&o.start);
        self.latest.clone_from(&o.latest);
        self.load.clone_from(&o.load);
        self.pre_max.clone_from(&o.pre_max);
        self.suf_max.clone_from(&o.suf_max);
        self.cost = o.cost;
    }
}

impl RouteState {
    fn empty(vehicle: usize) -> Self {
        Self {
            vehicle,
            jobs: Vec::new(),
            locs: Vec::new(),
            serv: Vec::new(),
            start: Vec::new(),
            latest: Vec::new(),
            load: Vec::new(),
            pre_max: Vec::new(),
            suf_max: Vec::new(),
            cost: 0,
        }
    }

    pub fn new(model: &Model, vehicle: usize) -> Self {
        let mut r = Self::empty(vehicle);
        r.update(model);
        r
    }

    /// Recomputes the caches after `jobs` changed. Linear in the route's length.
    pub fn update(&mut self, m: &Model) {
        let v = &m.vehicles[self.vehicle];
        let n = self.jobs.len();
        self.locs.clear();
        self.serv.clear();
        self.locs.push(v.start);
        self.serv.push(0);
        for &j in &self.jobs {
            self.locs.push(m.job_loc[j]);
            self.serv.push(m.service[j]);
        }
        self.locs.push(v.end);
        self.serv.push(0);

        self.start.clear();
        self.start.push(v.open);
        let mut cost = 0;
        for k in 1..=n + 1 {
            let (a, b) = (self.locs[k - 1], self.locs[k]);
            let arrival = self.start[k - 1] + self.serv[k - 1] + m.t(a, b);
            let early = if k <= n {
                m.early[self.jobs[k - 1]]
            } else {
                v.open
            };
            self.start.push(arrival.max(early));
            cost += m.c(a, b);
        }
        self.cost = if n == 0 { 0 } else { cost };

        self.latest.clear();
        self.latest.resize(n + 2, 0);
        self.latest[n + 1] = v.close;
        for k in (0..=n).rev() {
            let late = if k == 0 {
                v.close
            } else {
                m.late[self.jobs[k - 1]]
            };
            let next = self.latest[k + 1] - m.t(self.locs[k], self.locs[k + 1]) - self.serv[k];
            self.latest[k] = late.min(next);
        }

        self.load.clear();
        let mut load: i64 = self.jobs.iter().map(|&j| m.delivery[j]).sum();
        self.load.push(load);
        for &j in &self.jobs {
            load += m.pickup[j] - m.delivery[j];
            self.load.push(load);
        }
        self.load.push(load);
        self.pre_max.clear();
        let mut top = i64::MIN;
        for &l in &self.load {
            top = top.max(l);
            self.pre_max.push(top);
        }
        self.suf_max.clear();
        self.suf_max.resize(n + 2, 0);
        let mut top = i64::MIN;
        for k in (0..n + 2).rev() {
            top = top.max(self.load[k]);
            self.suf_max[k] = top;
        }
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// The added cost of serving `j` between positions `p` and `p + 1`, or None when
    /// that breaks a window, the shift or the capacity.
    #[inline]
    pub fn insertion(&self, m: &Model, j: usize, p: usize) -> Option<i64> {
        let cap = m.vehicles[self.vehicle].capacity;
        if self.pre_max[p] + m.delivery[j] > cap || self.suf_max[p] + m.pickup[j] > cap {
            return None;
        }
        let (a, b, u) = (self.locs[p], self.locs[p + 1], m.job_loc[j]);
        let begin = (self.start[p] + self.serv[p] + m.t(a, u)).max(m.early[j]);
        if begin > m.late[j] || begin + m.service[j] + m.t(u, b) > self.latest[p + 1] {
            return None;
        }
        // An unused vehicle costs nothing, so opening one pays both legs in full.
        let base = if self.jobs.is_empty() { 0 } else { m.c(a, b) };
        Some(m.c(a, u) + m.c(u, b) - base)
    }

    /// The cost saved by taking out the job at position `k` (1..=len), or None when
    /// the rest would break a window (possible when the matrix is not metric).
    pub fn removal(&self, m: &Model, k: usize) -> Option<i64> {
        if self.jobs.len() == 1 {
            return Some(self.cost);
        }
        let (a, u, b) = (self.locs[k - 1], self.locs[k], self.locs[k + 1]);
        let arrival = self.start[k - 1] + self.serv[k - 1] + m.t(a, b);
        if arrival > self.latest[k + 1] {
            return None;
        }
        Some(m.c(a, u) + m.c(u, b) - m.c(a, b))
    }

    /// Earliest start of service at position `p`: no later position can start earlier,
    /// so the insertion scan stops once this passes a job's window.
    #[inline]
    pub fn start_at(&self, p: usize) -> i64 {
        self.start[p]
    }
}
