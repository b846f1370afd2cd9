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
use super::polish::{Path, replay};
use super::search::Solution;

/// Longest segment moved besides a route's whole tail.
const MAX_SEGMENT: usize = 3;

/// One side of a segment swap, looked up once per pair of routes: the segment of
/// `len` jobs from index `i`, the cost of its route outside it, and the locations the
/// swap joins. The screen of a swap is then four matrix reads and a few sums; it
/// runs for every pair of segments of two routes and was an eighth of the planner's
/// time when it recomputed each side from prefix sums per pair.
#[derive(Clone, Copy)]
struct Segment {
    i: usize,
    len: usize,
    /// Jobs the route keeps besides the segment.
    rest: usize,
    /// Cost of the route from its start to `before` and from `after` to its end.
    outside: i64,
    /// Cost from the segment's first location to its last (0 for one job or none).
    inside: i64,
    /// Cost of going straight from `before` to `after` (the segment taken out).
    bridge: i64,
    before: usize,
    after: usize,
    first: usize,
    last: usize,
}

impl Segment {
    /// Cost of this segment's route with `other`'s segment in its place; 0 when no
    /// job is left.
    #[inline]
    fn cost_with(&self, m: &Model, other: &Segment) -> i64 {
        if self.rest + other.len == 0 {
            return 0;
        }
        let middle = if other.len == 0 {
            self.bridge
        } else {
            m.c(self.before, other.first) + other.inside + m.c(other.last, self.after)
        };
        self.outside + middle
    }
}

/// Every segment of route `r` a move may take (see [`segments`]), in that order.
fn segments_of(m: &Model, s: &Solution, r: usize, out: &mut Vec<Segment>) {
    let mut path = Path::default();
    path.of(m, s.routes[r].vehicle, &s.routes[r].jobs);
    let (loc, prefix) = (&path.locs, &path.forward);
    let n = s.routes[r].jobs.len();
    out.clear();
    out.extend(segments(n).map(|(i, len)| {
        let (before, after) = (loc[i], loc[i + len + 1]);
        Segment {
            i,
            len,
            rest: n - len,
            outside: prefix[i] + prefix[n + 1] - prefix[i + len + 1],
            inside: if len == 0 {
                0
            } else {
                prefix[i + len] - prefix[i + 1]
            },
            bridge: m.c(before, after),
            before,
            after,
            first: loc[i + 1],
            last: loc[i + len],
        }
    }));
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
    let (mut sa, mut sb) = (Vec::new(), Vec::new());
    segments_of(m, s, a, &mut sa);
    segments_of(m, s, b, &mut sb);
    let old = s.routes[a].cost + s.routes[b].cost;
    let mut new_a = Vec::new();
    let mut new_b = Vec::new();
    for x in &sa {
        for y in &sb {
            if x.len == 0 && y.len == 0 {
                continue;
            }
            let screened = x.cost_with(m, y) + y.cost_with(m, x);
            if screened >= old {
                continue;
            }
            let (i, la, k, lb) = (x.i, x.len, y.i, y.len);
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

/// Every swap between routes `a` and `b` as the scan screens it: ((first index in
/// `a`, length, first index in `b`, length), the two routes' screened cost).
#[cfg(test)]
pub(super) fn screens(
    m: &Model,
    s: &Solution,
    a: usize,
    b: usize,
) -> Vec<((usize, usize, usize, usize), i64)> {
    let (mut sa, mut sb) = (Vec::new(), Vec::new());
    segments_of(m, s, a, &mut sa);
    segments_of(m, s, b, &mut sb);
    sa.iter()
        .flat_map(|x| {
            sb.iter().map(move |y| {
                (
                    (x.i, x.len, y.i, y.len),
                    x.cost_with(m, y) + y.cost_with(m, x),
                )
            })
        })
        .collect()
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
