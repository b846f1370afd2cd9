//! Route-based crossover (after SREX, Nagata & Kobayashi 2010, and hybrid genetic
//! search): a child takes the routes of parent `a` that serve a random stop and its
//! neighbours, and the routes of parent `b` without those routes' stops; stops left
//! over are reinserted greedily and the child is polished. Parents in different route
//! structures meet in one child, which neither ruin-and-recreate nor the polish can
//! do from one parent.

use rand::Rng;
use rand::rngs::SmallRng;

use super::model::Model;
use super::polish::{polish, replay};
use super::search::{NOT_ROUTED, Solution, recreate};

/// A complete, feasible child of `a` and `b` (`removed` is scratch space).
pub(crate) fn crossover(
    m: &Model,
    a: &Solution,
    b: &Solution,
    rng: &mut SmallRng,
    removed: &mut Vec<usize>,
) -> Solution {
    let mut child = b.clone();
    removed.clear();
    let chosen = routes_near_a_stop(m, a, rng);
    if chosen.is_empty() {
        return child;
    }
    let mut taken = vec![false; m.jobs];
    for &r in &chosen {
        for &j in &a.routes[r].jobs {
            taken[j] = true;
        }
    }
    // b's routes without a's chosen stops. Taking stops out cannot make a route late
    // on a metric matrix, but a rounded one may not be metric: replay to be sure.
    for route in &mut child.routes {
        if route.jobs.iter().any(|&j| taken[j]) {
            route.jobs.retain(|&j| !taken[j]);
            if replay(m, route.vehicle, &route.jobs).is_none() {
                removed.append(&mut route.jobs);
            }
            route.update(m);
        }
    }
    child.unassigned.retain(|&j| !taken[j]);
    removed.append(&mut child.unassigned);
    // a's chosen routes, each on an unused vehicle of the same type (so still
    // feasible); without one, its stops are reinserted.
    for &r in &chosen {
        let kind = m.vehicles[a.routes[r].vehicle].kind;
        let free = child
            .routes
            .iter()
            .position(|c| c.jobs.is_empty() && m.vehicles[c.vehicle].kind == kind);
        match free {
            Some(e) => {
                child.routes[e].jobs.clone_from(&a.routes[r].jobs);
                child.routes[e].update(m);
            }
            None => removed.extend_from_slice(&a.routes[r].jobs),
        }
    }
    child.route_of.fill(NOT_ROUTED);
    for r in 0..child.routes.len() {
        for &j in &child.routes[r].jobs {
            child.route_of[j] = r as u32;
        }
        child.place(r);
    }
    recreate(m, &mut child, removed, rng, None);
    polish(m, &mut child, 100);
    child
}

/// Up to half of `a`'s used routes: those serving a random routed stop and its
/// nearest neighbours, so the child gets one coherent region from `a`.
fn routes_near_a_stop(m: &Model, a: &Solution, rng: &mut SmallRng) -> Vec<usize> {
    let used = a.routes.iter().filter(|r| !r.jobs.is_empty()).count();
    let routed: Vec<usize> = (0..m.jobs)
        .filter(|&j| a.route_of[j] != NOT_ROUTED)
        .collect();
    if used == 0 || routed.is_empty() {
        return Vec::new();
    }
    let take = rng.random_range(1..=used.div_ceil(2));
    let seed = routed[rng.random_range(0..routed.len())];
    let mut chosen = Vec::with_capacity(take);
    let near = std::iter::once(seed).chain(m.neighbours[seed].iter().map(|&c| c as usize));
    for c in near {
        if chosen.len() >= take {
            break;
        }
        let r = a.route_of[c];
        if r != NOT_ROUTED && !chosen.contains(&(r as usize)) {
            chosen.push(r as usize);
        }
    }
    chosen
}
