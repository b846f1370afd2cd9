//! Sequential insertion (Solomon 1987, in the form VROOM uses): routes are filled
//! one vehicle at a time, each opened with a seed job picked by a rule (furthest
//! from the depot, earliest deadline, ...), then repeatedly given the job whose
//! cheapest insertion minus λ × its round trip is lowest, until none fits. The rules
//! and λ values give structurally different plans: a far seed with a high λ builds
//! routes around remote villages first, a low λ grows compact routes from the depot.
//! The search uses the best of them as a second, different starting point to the
//! annealing from an empty plan (`search::run`).

use std::time::Instant;

use super::model::Model;
use super::search::{NOT_ROUTED, Solution};

/// How a new route picks its first job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Opening {
    /// No seed: the first job is the best by the insertion rule.
    None,
    /// The largest amount.
    Largest,
    /// The nearest to the depot.
    Nearest,
    /// The furthest from the depot.
    Furthest,
    /// The earliest end of window.
    EarliestDeadline,
}

/// The rules and λ values tried (the grid of VROOM's highest exploration level, in
/// spirit: every opening rule with a spread of λ).
pub(crate) const OPENINGS: [Opening; 5] = [
    Opening::None,
    Opening::Largest,
    Opening::Nearest,
    Opening::Furthest,
    Opening::EarliestDeadline,
];
pub(crate) const LAMBDAS: [f64; 4] = [0.0, 0.5, 1.0, 1.5];

/// The plans of every opening rule and λ, each polished first (`polish.rs`), best
/// first (fewer left out, then cost) and without repeats, as VROOM improves every one
/// of its insertion plans by local search before it chooses. The plan that is best
/// after polishing is often not the one best before: on day 8017 (95 stops) the search
/// from it ended worse than VROOM in 12 of 112 runs instead of 30 (bench/README.md,
/// session 14). The twenty take 10-25 ms, polished about 150 ms on 95 stops and
/// 280 ms on 135 (session 14, before the polish's constant-time screens), out of the
/// budget of the searches that start from here; after `deadline` (on a slow
/// machine) the rest are left as built, so the searches still have time.
pub(crate) fn ranked(m: &Model, deadline: Option<Instant>) -> Vec<Solution> {
    let mut plans: Vec<Solution> = OPENINGS
        .iter()
        .flat_map(|&opening| {
            LAMBDAS.iter().map(move |&lambda| {
                let mut s = construct(m, opening, lambda);
                if deadline.is_none_or(|d| Instant::now() < d) {
                    super::polish::polish(m, &mut s, 100);
                }
                s
            })
        })
        .collect();
    plans.sort_by_key(|s| (s.unassigned_count(), s.cost));
    plans.dedup_by_key(|s| (s.unassigned_count(), s.cost));
    plans
}

/// A feasible plan by sequential insertion; jobs that fit nowhere are left
/// unassigned.
pub(crate) fn construct(m: &Model, opening: Opening, lambda: f64) -> Solution {
    let mut s = Solution::empty(m);
    let mut open: Vec<usize> = std::mem::take(&mut s.unassigned);
    for r in 0..s.routes.len() {
        if open.is_empty() {
            break;
        }
        let v = &m.vehicles[s.routes[r].vehicle];
        let round_trip = |j: usize| m.c(v.start, m.job[j].loc) + m.c(m.job[j].loc, v.end);
        let fits_alone = |j: usize| s.routes[r].insertion_below(m, j, 0, i64::MAX).is_some();
        let first = match opening {
            Opening::None => None,
            Opening::Largest => pick(&open, fits_alone, |j| {
                -(m.job[j].delivery.max(m.job[j].pickup))
            }),
            Opening::Nearest => pick(&open, fits_alone, round_trip),
            Opening::Furthest => pick(&open, fits_alone, |j| -round_trip(j)),
            Opening::EarliestDeadline => pick(&open, fits_alone, |j| m.job[j].late),
        };
        if let Some(k) = first {
            let j = open.swap_remove(k);
            s.routes[r].jobs.push(j);
            s.routes[r].update(m);
        }
        loop {
            let route = &s.routes[r];
            let mut best: Option<(f64, usize, usize)> = None;
            for (k, &j) in open.iter().enumerate() {
                let regret = lambda * round_trip(j) as f64;
                for p in 0..=route.len() {
                    if route.start_at(p) > m.job[j].late {
                        break;
                    }
                    if let Some(delta) = route.insertion_below(m, j, p, i64::MAX) {
                        let value = delta as f64 - regret;
                        if best.is_none_or(|(b, _, _)| value < b) {
                            best = Some((value, k, p));
                        }
                    }
                }
            }
            let Some((_, k, p)) = best else {
                break;
            };
            let j = open.swap_remove(k);
            s.routes[r].insert(m, p, j);
        }
    }
    for r in 0..s.routes.len() {
        for &j in &s.routes[r].jobs {
            s.route_of[j] = r as u32;
        }
        s.place(r);
    }
    debug_assert!(open.iter().all(|&j| s.route_of[j] == NOT_ROUTED));
    s.unassigned = open;
    s.total();
    s
}

/// The index in `open` of the job with the lowest `key` among those that `fits`.
fn pick(open: &[usize], fits: impl Fn(usize) -> bool, key: impl Fn(usize) -> i64) -> Option<usize> {
    (0..open.len())
        .filter(|&k| fits(open[k]))
        .min_by_key(|&k| key(open[k]))
}
