//! Moves between two routes for the polish: swap a segment of one route with a segment
//! of the other. With segments of 0-3 stops this is cross-exchange (and, with one side
//! empty, or-opt between routes); with both segments running to the end of their
//! route it is 2-opt* (the two routes swap tails). Ruin-and-recreate reaches such
//! moves only by chance — it reinserts stops one at a time, each at its cheapest
//! place, so a better pair of tails stays out of reach when no single stop gains.
//!
//! Costs are screened in constant time from each route's prefix sums; only improving
//! moves are replayed for windows, shift and load.

use super::model::Model;
use super::polish::replay;
use super::search::Solution;

/// Longest segment moved besides a route's whole tail.
const MAX_SEGMENT: usize = 3;

/// A route's locations (start, jobs, end) and its cost up to each of them.
struct Path {
    locs: Vec<usize>,
    prefix: Vec<i64>,
}

impl Path {
    fn of(m: &Model, s: &Solution, r: usize) -> Self {
        let v = &m.vehicles[s.routes[r].vehicle];
        let mut locs = Vec::with_capacity(s.routes[r].jobs.len() + 2);
        locs.push(v.start);
        locs.extend(s.routes[r].jobs.iter().map(|&j| m.job[j].loc));
        locs.push(v.end);
        let mut prefix = Vec::with_capacity(locs.len());
        prefix.push(0);
        for w in locs.windows(2) {
            let last = prefix.last().copied().unwrap_or(0);
            prefix.push(last + m.c(w[0], w[1]));
        }
        Self { locs, prefix }
    }

    fn jobs(&self) -> usize {
        self.locs.len() - 2
    }

    /// Cost of this route with its jobs `i..i + la` (positions `i + 1..=i + la`)
    /// replaced by `other`'s jobs `k..k + lb`; 0 when no job is left.
    fn cost_with(&self, m: &Model, i: usize, la: usize, other: &Path, k: usize, lb: usize) -> i64 {
        if self.jobs() - la + lb == 0 {
            return 0;
        }
        let (before, after) = (self.locs[i], self.locs[i + la + 1]);
        let middle = if lb == 0 {
            m.c(before, after)
        } else {
            m.c(before, other.locs[k + 1]) + other.prefix[k + lb] - other.prefix[k + 1]
                + m.c(other.locs[k + lb], after)
        };
        let n = self.jobs();
        self.prefix[i] + middle + self.prefix[n + 1] - self.prefix[i + la + 1]
    }
}

/// The segments of a route of `n` jobs a move may take: (first index, length).
fn segments(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..=n).flat_map(move |i| {
        let tail = n - i;
        (0..=MAX_SEGMENT.min(tail))
            .chain((tail > MAX_SEGMENT).then_some(tail))
            .map(move |l| (i, l))
    })
}

/// Applies the first improving segment swap between routes `a` and `b`; true if any.
pub(crate) fn improve_pair(m: &Model, s: &mut Solution, a: usize, b: usize) -> bool {
    let (pa, pb) = (Path::of(m, s, a), Path::of(m, s, b));
    let old = s.routes[a].cost + s.routes[b].cost;
    let mut new_a = Vec::new();
    let mut new_b = Vec::new();
    for (i, la) in segments(pa.jobs()) {
        for (k, lb) in segments(pb.jobs()) {
            if la == 0 && lb == 0 {
                continue;
            }
            let screened = pa.cost_with(m, i, la, &pb, k, lb) + pb.cost_with(m, k, lb, &pa, i, la);
            if screened >= old {
                continue;
            }
            let (ja, jb) = (&s.routes[a].jobs, &s.routes[b].jobs);
            new_a.clear();
            new_a.extend_from_slice(&ja[..i]);
            new_a.extend_from_slice(&jb[k..k + lb]);
            new_a.extend_from_slice(&ja[i + la..]);
            new_b.clear();
            new_b.extend_from_slice(&jb[..k]);
            new_b.extend_from_slice(&ja[i..i + la]);
            new_b.extend_from_slice(&jb[k + lb..]);
            let (Some(ca), Some(cb)) = (
                replay(m, s.routes[a].vehicle, &new_a),
                replay(m, s.routes[b].vehicle, &new_b),
            ) else {
                continue;
            };
            if ca + cb < old {
                set_jobs(m, s, a, &new_a);
                set_jobs(m, s, b, &new_b);
                return true;
            }
        }
    }
    false
}

fn set_jobs(m: &Model, s: &mut Solution, r: usize, jobs: &[usize]) {
    let route = &mut s.routes[r];
    route.jobs.clear();
    route.jobs.extend_from_slice(jobs);
    route.update(m);
    for &j in jobs {
        s.route_of[j] = r as u32;
    }
    s.place(r);
}
