//! A local-search descent that polishes a solution: stops moved to another route
//! (relocate), and within a route, runs of 1-3 stops moved (or-opt) and segments
//! reversed (2-opt). Ruin-and-recreate finds good route *assignments* fast but is slow
//! at the last bits of *order* inside long routes; this closes that gap in
//! milliseconds. Moves are screened by cost first; only improving ones are replayed
//! for windows, shift and load.

use super::model::Model;
use super::route::RouteState;
use super::search::Solution;

/// Improves `s` until no move helps (or `max_rounds` passes).
pub(crate) fn polish(m: &Model, s: &mut Solution, max_rounds: usize) {
    let mut scratch = Vec::new();
    for _ in 0..max_rounds {
        let mut improved = false;
        for r in 0..s.routes.len() {
            improved |= intra(m, &mut s.routes[r], &mut scratch);
        }
        improved |= relocate(m, s);
        improved |= exchange(m, s);
        if !improved {
            break;
        }
    }
    for r in 0..s.routes.len() {
        s.place(r);
    }
    s.total();
}

/// Segment swaps between every two routes (`exchange.rs`); true when any helped.
fn exchange(m: &Model, s: &mut Solution) -> bool {
    let mut improved = false;
    for a in 0..s.routes.len() {
        for b in a + 1..s.routes.len() {
            if s.routes[a].jobs.is_empty() && s.routes[b].jobs.is_empty() {
                continue;
            }
            while super::exchange::improve_pair(m, s, a, b) {
                improved = true;
            }
        }
    }
    improved
}

/// Cost of a route serving `jobs` in order (0 for no jobs: the vehicle stays home),
/// or None when infeasible.
pub(crate) fn replay(m: &Model, vehicle: usize, jobs: &[usize]) -> Option<i64> {
    if jobs.is_empty() {
        return Some(0);
    }
    let v = &m.vehicles[vehicle];
    let mut load: i64 = jobs.iter().map(|&j| m.job[j].delivery).sum();
    if load > v.capacity {
        return None;
    }
    let (mut time, mut at, mut cost) = (v.open, v.start, 0);
    for &j in jobs {
        let loc = m.job[j].loc;
        let begin = (time + m.t(at, loc)).max(m.job[j].early);
        if begin > m.job[j].late {
            return None;
        }
        load += m.job[j].pickup - m.job[j].delivery;
        if load > v.capacity {
            return None;
        }
        cost += m.c(at, loc);
        time = begin + m.job[j].service;
        at = loc;
    }
    if time + m.t(at, v.end) > v.close {
        return None;
    }
    Some(cost + m.c(at, v.end))
}

fn cost_of(m: &Model, vehicle: usize, jobs: &[usize]) -> i64 {
    let v = &m.vehicles[vehicle];
    let mut at = v.start;
    let mut cost = 0;
    for &j in jobs {
        cost += m.c(at, m.job[j].loc);
        at = m.job[j].loc;
    }
    cost + m.c(at, v.end)
}

/// Or-opt and 2-opt inside one route; true when the route got cheaper. Each move is
/// screened in constant time from the route's costs up to each stop, forward and
/// backward (a reversed segment is driven backward); only a cheaper one is built and
/// replayed. Building every candidate to price it made a polish pass cubic in the
/// route's length.
fn intra(m: &Model, route: &mut RouteState, scratch: &mut Vec<usize>) -> bool {
    let n = route.jobs.len();
    if n < 3 {
        return false;
    }
    let mut improved = false;
    let mut best = route.cost;
    let mut path = Path::default();
    'again: loop {
        let jobs = route.jobs.clone();
        path.of(m, route.vehicle, &jobs);
        let (locs, total) = (&path.locs, path.total());
        // 2-opt: reverse jobs[i..=k], locations a..=b.
        for i in 0..n - 1 {
            for k in i + 1..n {
                let (a, b) = (i + 1, k + 1);
                let screened = path.forward[a - 1] + m.c(locs[a - 1], locs[b]) + path.backward[b]
                    - path.backward[a]
                    + m.c(locs[a], locs[b + 1])
                    + total
                    - path.forward[b + 1];
                if screened >= best {
                    continue;
                }
                scratch.clear();
                scratch.extend_from_slice(&jobs[..i]);
                scratch.extend(jobs[i..=k].iter().rev());
                scratch.extend_from_slice(&jobs[k + 1..]);
                if try_take(m, route, scratch, &mut best) {
                    improved = true;
                    continue 'again;
                }
            }
        }
        // Or-opt: move jobs[i..i+len] (locations s..=e) to before position p of the rest.
        for len in 1..=3.min(n - 1) {
            for i in 0..=n - len {
                let (s, e) = (i + 1, i + len);
                let taken_out = total - m.c(locs[s - 1], locs[s]) - m.c(locs[e], locs[e + 1])
                    + m.c(locs[s - 1], locs[e + 1]);
                // The location of the rest's job r (the start before it, the end after).
                let rest = |r: usize| {
                    if r < i {
                        locs[r + 1]
                    } else {
                        locs[r + len + 1]
                    }
                };
                for p in 0..=n - len {
                    if p == i {
                        continue;
                    }
                    let prev = if p == 0 { locs[0] } else { rest(p - 1) };
                    let next = rest(p);
                    let screened =
                        taken_out + m.c(prev, locs[s]) + m.c(locs[e], next) - m.c(prev, next);
                    if screened >= best {
                        continue;
                    }
                    scratch.clear();
                    scratch.extend(jobs[..i].iter().chain(&jobs[i + len..]).take(p));
                    scratch.extend_from_slice(&jobs[i..i + len]);
                    scratch.extend(jobs[..i].iter().chain(&jobs[i + len..]).skip(p));
                    if try_take(m, route, scratch, &mut best) {
                        improved = true;
                        continue 'again;
                    }
                }
            }
        }
        return improved;
    }
}

/// A route's locations (start, jobs, end) with the cost up to each of them, driven
/// forward and backward (the polish's moves and `exchange.rs` screen from these).
#[derive(Default)]
pub(super) struct Path {
    pub locs: Vec<usize>,
    pub forward: Vec<i64>,
    pub backward: Vec<i64>,
}

impl Path {
    pub fn of(&mut self, m: &Model, vehicle: usize, jobs: &[usize]) {
        let v = &m.vehicles[vehicle];
        self.locs.clear();
        self.locs.push(v.start);
        self.locs.extend(jobs.iter().map(|&j| m.job[j].loc));
        self.locs.push(v.end);
        self.forward.clear();
        self.backward.clear();
        self.forward.push(0);
        self.backward.push(0);
        for (q, w) in self.locs.windows(2).enumerate() {
            self.forward.push(self.forward[q] + m.c(w[0], w[1]));
            self.backward.push(self.backward[q] + m.c(w[1], w[0]));
        }
    }

    pub fn total(&self) -> i64 {
        self.forward.last().copied().unwrap_or(0)
    }
}

fn try_take(m: &Model, route: &mut RouteState, jobs: &[usize], best: &mut i64) -> bool {
    if cost_of(m, route.vehicle, jobs) >= *best {
        return false;
    }
    match replay(m, route.vehicle, jobs) {
        Some(cost) => {
            route.jobs.clear();
            route.jobs.extend_from_slice(jobs);
            route.update(m);
            *best = cost;
            true
        }
        None => false,
    }
}

/// Moves single stops to the cheapest feasible place in another route.
fn relocate(m: &Model, s: &mut Solution) -> bool {
    let mut improved = false;
    for a in 0..s.routes.len() {
        let mut pos = 0;
        while pos < s.routes[a].jobs.len() {
            let j = s.routes[a].jobs[pos];
            let Some(gain) = s.routes[a].removal(m, pos + 1) else {
                pos += 1;
                continue;
            };
            let mut best: Option<(i64, usize, usize)> = None;
            for (b, route) in s.routes.iter().enumerate() {
                if b == a || route.jobs.is_empty() {
                    continue;
                }
                for p in 0..=route.len() {
                    if route.start_at(p) > m.job[j].late {
                        break;
                    }
                    let bound = best.map_or(gain, |(d, _, _)| d.min(gain));
                    if let Some(add) = route.insertion_below(m, j, p, bound) {
                        best = Some((add, b, p));
                    }
                }
            }
            match best {
                Some((_, b, p)) => {
                    s.routes[a].jobs.remove(pos);
                    s.routes[a].update(m);
                    s.routes[b].insert(m, p, j);
                    s.route_of[j] = b as u32;
                    improved = true;
                }
                None => pos += 1,
            }
        }
    }
    improved
}
