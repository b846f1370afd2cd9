//! SISR — Slack Induction by String Removals (Christiaens & Vanden Berghe,
//! Transportation Science 2020). Each iteration removes a few *strings* (runs of
//! consecutive stops) from routes near a random stop, reinserts every removed stop at
//! its cheapest feasible place while skipping a few places at random ("blinks"), and
//! accepts the result by simulated annealing. Removing neighbouring strings frees room
//! (slack) in time windows and capacity exactly where the routes compete for stops,
//! which is why such a simple scheme is strong on windowed problems.
//!
//! Windows and capacities hold throughout; a stop that fits nowhere stays unassigned
//! and is retried every iteration. Once a complete plan is known, the annealing may
//! accept a plan with stops left out, and on depot days routes that end after their
//! shift, each at an adaptive price ([`Penalty`]); the best plan is always within
//! every shift and only ever gets better by the rule "fewer unassigned stops first,
//! then lower cost". In the second half of a depot day's budget each search also
//! *kicks* its best plan a few times ([`KICK_AT`]): a radial reshaping annealed in a
//! chain of its own, kept when it ends better. Each new best plan of a search's main
//! chain is polished by descent ([`POLISH_ROUNDS`]) and the chain goes on from it.

use std::time::Instant;

use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::{Rng, RngCore, SeedableRng};

use super::Options;
use super::model::Model;
use super::route::RouteState;

/// The longest string taken from one route: 15 rather than the paper's 10, because on
/// depot days a few long runs to the edge of the municipality fill the whole shift.
const MAX_STRING: usize = 15;
/// Days up to this many stops get the bigger ruin of [`average_removed`].
pub(super) const SMALL_DAY: usize = 100;

/// Average number of stops removed per iteration. 15 rather than the paper's 10 (7
/// instead of 10 of 120 day-runs worse than VROOM, session 4), and 20 on days of up
/// to 100 stops: their budget buys enough iterations for the bigger ruin, which
/// crosses between near-equal route structures more often — day 16 (79 stops) ended
/// worse than VROOM in 8 of 128 runs instead of 17 of 96 — while on the larger days,
/// where iterations are scarcer, 20 made the plans longer (bench/README.md).
fn average_removed(jobs: usize) -> f64 {
    if jobs <= SMALL_DAY { 20.0 } else { 15.0 }
}
/// Chance of skipping an insertion place.
const BLINK: f64 = 0.01;
/// Simulated-annealing temperature at the start and the end, in the objective's
/// units (seconds of driving, or the benchmark's tenths of distance).
const MILD: (f64, f64) = (100.0, 1.0);
const HOT: (f64, f64) = (1000.0, 30.0);
/// Chance that an iteration empties a whole route instead of removing strings.
const ROUTE_REMOVAL: f64 = 0.03;
/// Insertion places tried first: next to a job's nearest neighbours (granular
/// neighbourhood, Toth & Vigo 2003). The cheapest place is almost always beside one of
/// them; trying only these (and both ends of every route) cut the instructions per
/// iteration by 35% on 132 stops with 24 neighbours, and 12 were faster still without
/// worse days (8 were worse).
const NEAR: usize = 12;
pub(super) const NOT_ROUTED: u32 = u32::MAX;

#[derive(Debug)]
pub(crate) struct Solution {
    /// One route per vehicle, empty when the vehicle stays home.
    pub routes: Vec<RouteState>,
    /// Route index of each job, `NOT_ROUTED` when not in a route.
    pub route_of: Vec<u32>,
    /// Position of each routed job in its route (1..=len, as in `RouteState`).
    pub pos_of: Vec<u32>,
    /// Jobs the search still tries to place (not the excluded ones).
    pub unassigned: Vec<usize>,
    pub cost: i64,
    /// Seconds the routes end after their shifts, summed (see `OVERTIME_SHARE`).
    pub overtime: i64,
}

impl Clone for Solution {
    fn clone(&self) -> Self {
        Self {
            routes: self.routes.clone(),
            route_of: self.route_of.clone(),
            pos_of: self.pos_of.clone(),
            unassigned: self.unassigned.clone(),
            cost: self.cost,
            overtime: self.overtime,
        }
    }

    fn clone_from(&mut self, o: &Self) {
        self.routes.clone_from(&o.routes);
        self.route_of.clone_from(&o.route_of);
        self.pos_of.clone_from(&o.pos_of);
        self.unassigned.clone_from(&o.unassigned);
        self.cost = o.cost;
        self.overtime = o.overtime;
    }
}

impl Solution {
    pub(crate) fn empty(m: &Model) -> Self {
        Self {
            routes: (0..m.vehicles.len())
                .map(|v| RouteState::new(m, v))
                .collect(),
            route_of: vec![NOT_ROUTED; m.jobs],
            pos_of: vec![0; m.jobs],
            unassigned: (0..m.jobs).filter(|&j| m.excluded[j].is_none()).collect(),
            cost: 0,
            overtime: 0,
        }
    }

    /// Records the positions of route `r`'s jobs after the route changed.
    pub fn place(&mut self, r: usize) {
        self.place_from(r, 0);
    }

    /// As [`Self::place`] when only the jobs from index `first` on moved.
    pub fn place_from(&mut self, r: usize, first: usize) {
        for (k, &j) in self.routes[r].jobs.iter().enumerate().skip(first) {
            self.pos_of[j] = k as u32 + 1;
        }
    }

    pub fn unassigned_count(&self) -> usize {
        self.unassigned.len()
    }

    pub fn better_than(&self, o: &Self) -> bool {
        (self.unassigned.len(), self.cost) < (o.unassigned.len(), o.cost)
    }

    /// Sums the routes' cost and overtime after they changed.
    pub fn total(&mut self) {
        self.cost = self.routes.iter().map(|r| r.cost).sum();
        self.overtime = self.routes.iter().map(|r| r.overtime).sum();
    }
}

/// When the searches compare notes (fractions of the budget): each hands its best
/// plan to the other, and a search that is behind carries on from the better plan.
/// Two independent searches waste half the machine on a basin that is already
/// lost; sharing only late keeps the early diversity.
const SHARE_AT: [f64; 3] = [0.5, 0.7, 0.85];

/// The best plan any search has shown so far, and the insertion plans the searches
/// from sequential insertion start from (built once for all of them).
#[derive(Debug, Default)]
pub(crate) struct Shared {
    best: std::sync::Mutex<Option<Solution>>,
    constructed: std::sync::OnceLock<Vec<Solution>>,
}

impl Shared {
    /// A copy of the best plan shown so far, if any.
    fn peek(&self) -> Option<Solution> {
        self.best.lock().ok().and_then(|here| here.clone())
    }

    /// Leaves `best` here if it beats what is here; otherwise, when `take_over`,
    /// makes `current` and `best` the better plan from here.
    fn meet(&self, current: &mut Solution, best: &mut Solution, take_over: bool) {
        let Ok(mut here) = self.best.lock() else {
            return;
        };
        match here.as_ref() {
            Some(other) if other.better_than(best) => {
                if take_over {
                    best.clone_from(other);
                    current.clone_from(other);
                }
            }
            _ => *here = Some(best.clone()),
        }
    }
}

/// Children bred from this search's best plan and the other search's at each meeting.
/// A depot day has several near-equal route structures and a search settles into one
/// of them late; a child takes some routes from one parent and the rest from the
/// other (`crossover.rs`), so two structures can be joined instead of one drawn.
/// With 10 children, days 2 and 16 ended worse than VROOM in 6 and 8 of 48 runs
/// against 13 and 15 without (bench/README.md).
const CHILDREN: usize = 10;

/// Breeds children of `best` and `other`, alternating which parent gives the chosen
/// routes; a child better than both parents becomes the best and current plan.
fn breed(
    m: &Model,
    current: &mut Solution,
    best: &mut Solution,
    other: &Solution,
    rng: &mut SmallRng,
    removed: &mut Vec<usize>,
) {
    for k in 0..CHILDREN {
        let (a, b) = if k % 2 == 0 {
            (&*best, other)
        } else {
            (other, &*best)
        };
        let child = super::crossover::crossover(m, a, b, rng, removed);
        if child.better_than(best) && child.better_than(other) {
            best.clone_from(&child);
            current.clone_from(&child);
        }
    }
}

/// When a search on a depot day kicks its best plan (fractions of the budget): it
/// reshapes the plan by [`radial_ruin`] and anneals the result in a chain of its own
/// for [`KICK_SPAN`] of the budget from [`KICK_HEAT`], keeping it if it beats the
/// best. The hard days have two route structures, e.g. four far routes and two local
/// ones or three far and three local, the second shorter; the annealing reaches one
/// and stays there, and the kicked plan starts in the other. On days 6010, 6018 and
/// 7016 × planner seeds 9-24, runs worse than VROOM: 25 of 48 without kicks, 3 with
/// these four (bench/README.md, session 13).
const KICK_AT: [f64; 4] = [0.55, 0.65, 0.75, 0.9];
/// A kick's share of the budget: enough for the kicked plan to settle (about 20,000
/// iterations on a day of 135 stops at 6 s).
const KICK_SPAN: f64 = 0.08;
/// Temperatures of a kick's chain: warm enough to repair the rough reinsertion,
/// cool enough to stay in the structure it starts in (as [`SEEDED`]).
const KICK_HEAT: (f64, f64) = (100.0, 30.0);

/// Rounds of the polish (`polish.rs`) given to each new best plan of a chain, which
/// then goes on from the polished plan. Ruin-and-recreate places stops one at a
/// time; the polish's segment moves between routes (2-opt*, cross-exchange) and
/// inside them settle a new best in its local optimum at once, so the annealing
/// explores from local optima rather than from their slopes. A new best comes a few
/// hundred times a run, so this costs no measurable share of the iterations. Day 2020
/// (62 stops, three routes bound by the shift) ended worse than VROOM in 57 of 240
/// runs against 85 without; 7016 in 1 of 40 against 4, 8017 and 8005 held
/// (interleaved; bench/README.md, session 20); Solomon at 5 s: mean gap 0.14 %.
const POLISH_ROUNDS: usize = 100;

/// One annealing chain: where it is, where it was best, and its price of left-out
/// jobs.
struct Chain {
    current: Solution,
    best: Solution,
    candidate: Solution,
    penalty: Penalty,
    overtime: Penalty,
    /// Whether each new best is polished ([`POLISH_ROUNDS`]): the main chains only.
    polish_bests: bool,
}

impl Chain {
    /// From an empty plan: every job inserted once, in random order.
    fn empty(m: &Model, rng: &mut SmallRng, removed: &mut Vec<usize>) -> Self {
        let mut current = Solution::empty(m);
        recreate(m, &mut current, removed, rng, None);
        Self::from(current)
    }

    /// From `best` reshaped by [`kick`]. A kick's chain does not polish its new bests: on day 2020 that undid half of
    /// what polishing gained (31 of 100 runs worse than VROOM against 25).
    fn kicked(m: &Model, best: &Solution, rng: &mut SmallRng, removed: &mut Vec<usize>) -> Self {
        Self {
            polish_bests: false,
            ..Self::from(kick(m, best, rng, removed))
        }
    }

    fn from(current: Solution) -> Self {
        Self {
            best: current.clone(),
            candidate: current.clone(),
            current,
            penalty: Penalty::new(),
            overtime: Penalty::overtime(),
            polish_bests: true,
        }
    }

    /// One ruin-and-recreate step at `temperature`.
    fn step(
        &mut self,
        m: &Model,
        temperature: f64,
        relax: bool,
        rng: &mut SmallRng,
        removed: &mut Vec<usize>,
    ) {
        let priced = self.best.unassigned.is_empty();
        // Once a complete plan is known, routes may also run over their shift at the
        // overtime price (`OVERTIME_SHARE`), as hybrid genetic search relaxes time windows.
        let overtime = (relax && priced).then_some(self.overtime.weight);
        self.candidate.clone_from(&self.current);
        ruin(m, &mut self.candidate, removed, rng);
        recreate(m, &mut self.candidate, removed, rng, overtime);

        // Once a complete plan is known, a plan with jobs left out may win at the
        // penalty's price: the chain then crosses between route structures through
        // plans that drop a stop or two, instead of only through complete ones (day
        // 2003, bench/README.md). On a day with more jobs than room, fewer left out
        // always wins: a price would rather leave out three stops near the depot
        // than one far away (day 5009 left 4 out instead of 2, session 8).
        let noise = -temperature * rng.random::<f64>().max(f64::MIN_POSITIVE).ln();
        let (candidate, current) = (&self.candidate, &self.current);
        let value =
            |s: &Solution| self.penalty.value(m, s) + self.overtime.weight * s.overtime as f64;
        let accept = if priced {
            value(candidate) < value(current) + noise
        } else {
            match candidate.unassigned.len().cmp(&current.unassigned.len()) {
                std::cmp::Ordering::Less => true,
                std::cmp::Ordering::Greater => false,
                std::cmp::Ordering::Equal => (candidate.cost as f64) < current.cost as f64 + noise,
            }
        };
        if accept {
            std::mem::swap(&mut self.current, &mut self.candidate);
            if self.current.overtime == 0 && self.current.better_than(&self.best) {
                // A new best is polished and the chain goes on from there
                // ([`POLISH_ROUNDS`]).
                if self.polish_bests {
                    super::polish::polish(m, &mut self.current, POLISH_ROUNDS);
                }
                self.best.clone_from(&self.current);
            }
        }
        if priced {
            self.penalty.record(!self.current.unassigned.is_empty());
        }
        if overtime.is_some() {
            self.overtime.record(self.current.overtime > 0);
        }
    }
}

/// How a search begins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Start {
    /// From an empty plan, with the given annealing profile: hot for depot days,
    /// mild for the benchmark's distance instances.
    Empty { hot: bool },
    /// From the `rank`-th best plan of sequential insertion (`construct.rs`, 0 the
    /// best), annealed from [`SEEDED`]: cool enough to stay in that plan's route
    /// structure. A search from a runner-up (rank above 0) keeps to its own course
    /// when the searches meet ([`Shared`]): it shows its best plan but does not take
    /// over a better one, which would pull it into the structure the others share.
    Constructed { rank: usize },
}

/// Temperatures of the search that starts from sequential insertion: cool enough to
/// stay near its start (started from VROOM's own plan of day 7016 at 300, 100 or 30 s,
/// the search ended even with it or 165 s below; the hot 1000 s forgets any start),
/// warm enough to reshape an insertion plan 5-10 % above it. 100 and 300 did alike
/// on five hard days in session 9, before the kicks and the polished insertion plans;
/// since then 100 keeps day 8005's better structure (six routes, where the hot
/// searches end in five), which 300 loses: 0 of 32 runs worse than VROOM against 10
/// of 32, interleaved (bench/README.md, session 18). 300 would halve day 2020's
/// misses but bring back day 8017's (session 19), so 100 stays.
const SEEDED: (f64, f64) = (100.0, 30.0);

/// One search with its own random stream, until the time or iteration limit.
pub(crate) fn run(
    m: &Model,
    options: &Options,
    seed: u64,
    start: Start,
    shared: Option<&Shared>,
) -> Solution {
    let began = Instant::now();
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut removed = Vec::with_capacity(m.jobs);
    let mut chain = match start {
        Start::Constructed { rank } => {
            // Polishing the insertion plans may take a quarter of the budget; runs
            // with an iteration limit (repeatable, tests) polish them all.
            let deadline = options
                .max_iterations
                .is_none()
                .then(|| began + options.time_limit.mul_f64(0.25));
            let build = || super::construct::ranked(m, deadline);
            let own;
            let plans = match shared {
                Some(shared) => shared.constructed.get_or_init(build),
                None => {
                    own = build();
                    &own
                }
            };
            let plan = plans.get(rank).or(plans.first());
            Chain::from(plan.cloned().unwrap_or_else(|| Solution::empty(m)))
        }
        Start::Empty { .. } => Chain::empty(m, &mut rng, &mut removed),
    };
    if chain.current.unassigned.is_empty() && m.jobs < 2 {
        return chain.best;
    }

    // The temperature is in the objective's own units: seconds of driving on depot
    // days, tenths of distance on the benchmark. (It once claimed to be "typical
    // legs" of the first plan, but the first plan is empty — every job is placed in
    // the first iteration — so that scale was always 1 and the figures below were
    // tuned as plain units.) Two profiles: 100 → 1 is best on Solomon at 5 s (0.2 %
    // mean gap against 0.8 % for 10 → 0.1); 1000 → 30 s is best on depot days at
    // about a second, where a short budget meets long routes with wide windows —
    // there both threads run it (0.5-1 % less driving on the ten largest days than
    // one thread each), and colder profiles settle in worse route structures
    // (bench/README.md).
    let (t_start, t_end) = match start {
        Start::Empty { hot: true } => HOT,
        Start::Empty { hot: false } => MILD,
        Start::Constructed { .. } => SEEDED,
    };
    let limit = options.time_limit.as_secs_f64().max(1e-3);
    // Depot days only: their far routes are bound by the shift. The benchmark's
    // distance instances keep their hard route ends (and their measured figures).
    let relax = options.objective == super::Objective::Duration;
    let max_iterations = options.max_iterations.unwrap_or(u64::MAX);

    // With an iteration limit the schedule follows iterations (repeatable runs);
    // otherwise it follows the clock. The clock always stops the search.
    let progress_at = |iteration: u64| {
        let timed = began.elapsed().as_secs_f64() / limit;
        if timed >= 1.0 || iteration >= max_iterations {
            return None;
        }
        Some(match options.max_iterations {
            Some(max) => iteration as f64 / max.max(1) as f64,
            None => timed,
        })
    };

    let mut iteration: u64 = 0;
    let mut next_share = 0;
    let mut next_kick = 0;
    while let Some(progress) = progress_at(iteration) {
        iteration += 1;
        if let Some(shared) = shared
            && next_share < SHARE_AT.len()
            && progress >= SHARE_AT[next_share]
        {
            next_share += 1;
            if let Some(other) = shared.peek() {
                breed(
                    m,
                    &mut chain.current,
                    &mut chain.best,
                    &other,
                    &mut rng,
                    &mut removed,
                );
            }
            let runner_up = matches!(start, Start::Constructed { rank } if rank > 0);
            shared.meet(&mut chain.current, &mut chain.best, !runner_up);
        }
        if relax
            && next_kick < KICK_AT.len()
            && progress >= KICK_AT[next_kick]
            && chain.best.unassigned.is_empty()
        {
            next_kick += 1;
            // The kick's own chain runs for its span of the schedule while this one waits.
            let until = (progress + KICK_SPAN).min(1.0);
            let mut kicked = Chain::kicked(m, &chain.best, &mut rng, &mut removed);
            kicked.overtime.weight = chain.overtime.weight;
            while let Some(now) = progress_at(iteration)
                && now < until
            {
                iteration += 1;
                let along = (now - progress) / KICK_SPAN;
                let temperature = KICK_HEAT.0 * (KICK_HEAT.1 / KICK_HEAT.0).powf(along);
                kicked.step(m, temperature, relax, &mut rng, &mut removed);
            }
            if kicked.best.overtime == 0 && kicked.best.better_than(&chain.best) {
                chain.best.clone_from(&kicked.best);
                chain.current.clone_from(&kicked.best);
            }
            continue;
        }
        let temperature = t_start * (t_end / t_start).powf(progress);
        chain.step(m, temperature, relax, &mut rng, &mut removed);
    }
    let mut best = chain.best;
    super::polish::polish(m, &mut best, 100);
    best
}

/// The price of leaving jobs out, per unit of `Model::price`, adapted to the day like
/// the penalties of hybrid genetic search (Vidal 2022): raised while the chain spends
/// more than [`INCOMPLETE_SHARE`] of its iterations in plans with jobs left out,
/// lowered while it spends less. A fixed price sits near a cliff: at a quarter of a
/// round trip the chain spent 15-57 % of day 2003 there, at 0.15 it never came back
/// (bench/README.md, session 7). The best plan is still only ever replaced by one
/// with no more jobs left out. [`Penalty::overtime`] is the same kind of price for
/// each second a route ends after its shift.
#[derive(Debug)]
pub(super) struct Penalty {
    pub weight: f64,
    /// Share of iterations the chain should spend in the priced state.
    target: f64,
    seen: u32,
    /// Iterations of the window that ended in the priced state.
    priced: u32,
}

/// Share of iterations the chain should spend in plans with jobs left out.
const INCOMPLETE_SHARE: f64 = 0.1;
/// Share of iterations the chain should spend in plans with a route over its shift.
/// On a hard depot day the better route structure has a few long routes to the edge
/// of the municipality, each ending just within the shift; a chain held to the shift
/// reaches it from a structure of medium routes only through a narrow pass, while one
/// that may run over for a while crosses freely (HGS relaxes windows alike). On the
/// three hard days × eight planner seeds, runs worse than VROOM: 17 of 24 held to the
/// shift, 12 at a share of 0.1, 10 at 0.2, 7 at 0.3, 12 at 0.5 (bench/README.md,
/// session 12).
const OVERTIME_SHARE: f64 = 0.3;
/// Iterations between two adjustments of the penalty.
const PENALTY_WINDOW: u32 = 100;
/// Bounds of the weight: at the top a left-out job costs a hundred round trips, which
/// all but keeps the chain to complete plans.
const WEIGHT_RANGE: (f64, f64) = (0.05, 100.0);

impl Penalty {
    /// A left-out job starts at the price of its round trip (and service).
    pub fn new() -> Self {
        Self {
            weight: 1.0,
            target: INCOMPLETE_SHARE,
            seen: 0,
            priced: 0,
        }
    }

    /// The price of a second of overtime, in the objective's units, starting at a
    /// second of driving; aimed at [`OVERTIME_SHARE`].
    pub fn overtime() -> Self {
        Self {
            weight: 1.0,
            target: OVERTIME_SHARE,
            seen: 0,
            priced: 0,
        }
    }

    /// The plan's cost with its left-out jobs priced in (rarely more than a few, so
    /// summed here rather than kept up to date in the solution).
    pub fn value(&self, m: &Model, s: &Solution) -> f64 {
        let missing: i64 = s.unassigned.iter().map(|&j| m.price[j]).sum();
        s.cost as f64 + self.weight * missing as f64
    }

    /// Counts one iteration that ended in the priced state (jobs left out, or overtime) or not, and
    /// every [`PENALTY_WINDOW`] iterations moves the weight towards the target share.
    pub fn record(&mut self, priced: bool) {
        self.seen += 1;
        self.priced += u32::from(priced);
        if self.seen < PENALTY_WINDOW {
            return;
        }
        let share = f64::from(self.priced) / f64::from(self.seen);
        if share > self.target + 0.05 {
            self.weight *= 1.2;
        } else if share < self.target - 0.05 {
            self.weight *= 0.85;
        }
        self.weight = self.weight.clamp(WEIGHT_RANGE.0, WEIGHT_RANGE.1);
        self.seen = 0;
        self.priced = 0;
    }
}

/// Removes strings of consecutive stops from a few routes near a random stop; the
/// removed jobs (plus the ones already unassigned) end up in `removed`.
fn ruin(m: &Model, s: &mut Solution, removed: &mut Vec<usize>, rng: &mut SmallRng) {
    removed.clear();
    removed.append(&mut s.unassigned);
    let routed = m.jobs - removed.len() - m.excluded_count;
    let used = s.routes.iter().filter(|r| !r.jobs.is_empty()).count();
    if routed == 0 || used == 0 {
        return;
    }
    let avg_len = (routed as f64 / used as f64).max(1.0);
    let max_len = (MAX_STRING as f64).min(avg_len);
    let max_strings = 4.0 * average_removed(m.jobs) / (1.0 + max_len) - 1.0;
    let strings = rng.random_range(1.0..max_strings.max(1.0) + 1.0).floor() as usize;

    if rng.random::<f64>() < ROUTE_REMOVAL {
        // Now and then empty a whole route: string removals alone rarely take out
        // every stop of a long route, so the fleet could never shrink.
        let pick = rng.random_range(0..used);
        if let Some(route) = s.routes.iter_mut().filter(|r| !r.jobs.is_empty()).nth(pick) {
            for j in route.jobs.drain(..) {
                s.route_of[j] = NOT_ROUTED;
                removed.push(j);
            }
            route.update(m);
        }
        return;
    }
    let mut seed = rng.random_range(0..m.jobs);
    while s.route_of[seed] == NOT_ROUTED {
        seed = rng.random_range(0..m.jobs);
    }
    let mut ruined: Vec<usize> = Vec::with_capacity(strings);
    let order = std::iter::once(seed).chain(m.neighbours[seed].iter().map(|&c| c as usize));
    for c in order {
        if ruined.len() >= strings {
            break;
        }
        let r = s.route_of[c];
        if r == NOT_ROUTED || ruined.contains(&(r as usize)) {
            continue;
        }
        let r = r as usize;
        ruined.push(r);
        let route = &mut s.routes[r];
        let len = route.len();
        let cap = (max_len.floor() as usize).clamp(1, len);
        let l = rng.random_range(1..=cap);
        let Some(pos) = route.jobs.iter().position(|&j| j == c) else {
            continue;
        };
        if l == len || rng.random::<f64>() < 0.5 {
            // A plain string containing c.
            let first = rng.random_range(pos.saturating_sub(l - 1)..=pos.min(len - l));
            for j in route.jobs.drain(first..first + l) {
                s.route_of[j] = NOT_ROUTED;
                removed.push(j);
            }
        } else {
            // A split string: a window of l + keep stops around c of which a middle
            // run of `keep` stays, so the route keeps some of its shape.
            let mut keep = 1;
            while l + keep < len && rng.random::<f64>() < 0.5 {
                keep += 1;
            }
            let width = l + keep;
            let first = rng.random_range(pos.saturating_sub(width - 1)..=pos.min(len - width));
            let kept_from = first + rng.random_range(0..=l);
            let mut k = 0;
            route.jobs.retain(|&j| {
                let at = k;
                k += 1;
                let inside = at >= first && at < first + width;
                let kept = at >= kept_from && at < kept_from + keep;
                if inside && !kept {
                    s.route_of[j] = NOT_ROUTED;
                    removed.push(j);
                    false
                } else {
                    true
                }
            });
        }
        route.update(m);
        s.place(r);
    }
}

/// Inserts the removed jobs one by one at their cheapest feasible place.
/// With `overtime`, a route may end after its shift at that price per second.
pub(super) fn recreate(
    m: &Model,
    s: &mut Solution,
    removed: &mut Vec<usize>,
    rng: &mut SmallRng,
    overtime: Option<f64>,
) {
    match rng.random_range(0..11) {
        0..=3 => removed.shuffle(rng),
        4..=7 => {
            removed.sort_by_key(|&j| std::cmp::Reverse(m.job[j].delivery.max(m.job[j].pickup)))
        }
        8..=9 => removed.sort_by_key(|&j| std::cmp::Reverse(m.from_depot[j])),
        _ => removed.sort_by_key(|&j| m.from_depot[j]),
    }
    insert_all(m, s, removed, rng, overtime);
}

/// Inserts the removed jobs in their order, each at its cheapest feasible place.
fn insert_all(
    m: &Model,
    s: &mut Solution,
    removed: &mut Vec<usize>,
    rng: &mut SmallRng,
    overtime: Option<f64>,
) {
    insert_all_where(m, s, removed, rng, overtime, |_, _| true);
}

/// [`insert_all`] into the routes `open(job, route)` allows; a job that fits in none
/// of them is left unassigned. (Generic, so the search's own `|_, _| true` costs
/// nothing in its innermost loop.)
fn insert_all_where(
    m: &Model,
    s: &mut Solution,
    removed: &mut Vec<usize>,
    rng: &mut SmallRng,
    overtime: Option<f64>,
    open: impl Fn(usize, usize) -> bool + Copy,
) {
    let mut seen_empty: Vec<usize> = Vec::new();
    for &j in removed.iter() {
        let mut best = near_insertion(m, s, j, rng, &mut seen_empty, overtime, open);
        if best.is_none() {
            best = full_insertion(m, s, j, rng, &mut seen_empty, overtime, open);
        }
        match best {
            Some((_, r, p)) => {
                s.routes[r].insert(m, p, j);
                s.route_of[j] = r as u32;
                s.place_from(r, p);
            }
            None => s.unassigned.push(j),
        }
    }
    removed.clear();
    s.total();
}

/// `best` with one route emptied and the inner stops of the far routes taken out
/// ([`radial_ruin`]), the stops then reinserted furthest first and within every
/// shift: the far routes take the remote stops, the near ones go to the local routes
/// or a new one. Half the kicks, at random, are [`kick_as`] local first.
pub(super) fn kick(
    m: &Model,
    best: &Solution,
    rng: &mut SmallRng,
    removed: &mut Vec<usize>,
) -> Solution {
    let local_first = rng.random::<bool>();
    kick_as(m, best, rng, removed, local_first)
}

/// [`kick`], the inner stops kept off the far routes when `local_first`: a far route
/// takes back no stop less than half as far as its furthest (the stops
/// [`radial_ruin`] took off it) while another route has room. Plain cheapest
/// insertion puts most of them back, since a far route passes them on its way out:
/// on day 8017 the search's trap is such a plan, three far routes that also serve
/// local stops and a short local one (31,635 s of driving against 31,406), and plain
/// kicks from it came back to it. Runs worse than VROOM, interleaved: 8017 × planner
/// seeds 101-260, 27 of 160 with plain kicks only, 5 of 60 with local-first ones only,
/// 11 of 160 with half of each; 8005 × 1-40, 6 of 40 plain and 2 of 40 half (all
/// local first, 6 of 16: its better plan has a route more, which plain kicks open).
/// The price: 7016 × 1-40, 0 of 40 plain, 1 of 40 half. See bench/README.md, session 17.
pub(super) fn kick_as(
    m: &Model,
    best: &Solution,
    rng: &mut SmallRng,
    removed: &mut Vec<usize>,
    local_first: bool,
) -> Solution {
    let mut s = best.clone();
    let reach = radial_ruin(m, &mut s, removed, rng);
    removed.sort_by_key(|&j| std::cmp::Reverse(m.from_depot[j]));
    if local_first {
        let off_far_routes = |j: usize, r: usize| 2 * m.from_depot[j] >= reach[r];
        insert_all_where(m, &mut s, removed, rng, None, off_far_routes);
        // A stop with no room elsewhere may still go on a far route.
        removed.append(&mut s.unassigned);
    }
    insert_all(m, &mut s, removed, rng, None);
    s
}

/// Empties one random route, and takes out of every route that goes far (its
/// furthest stop more than twice the day's median distance from the depot) the stops
/// less than half as far as its furthest. A string removal never reshapes the day
/// this much: it is how a plan of four far routes and two local ones becomes one of
/// three far routes, whose remote stops lie further out, and three local ones.
/// Returns each route's reach: the distance of its furthest stop for a far route that
/// kept its remote stops, 0 for every other route.
pub(super) fn radial_ruin(
    m: &Model,
    s: &mut Solution,
    removed: &mut Vec<usize>,
    rng: &mut SmallRng,
) -> Vec<i64> {
    let mut reach = vec![0; s.routes.len()];
    removed.clear();
    removed.append(&mut s.unassigned);
    let used: Vec<usize> = (0..s.routes.len())
        .filter(|&r| !s.routes[r].jobs.is_empty())
        .collect();
    if used.len() < 2 {
        return reach;
    }
    let mut distances = m.from_depot.clone();
    distances.sort_unstable();
    let median = distances.get(distances.len() / 2).copied().unwrap_or(0);
    let emptied = used[rng.random_range(0..used.len())];
    for &r in &used {
        let route = &mut s.routes[r];
        let furthest = route
            .jobs
            .iter()
            .map(|&j| m.from_depot[j])
            .max()
            .unwrap_or(0);
        if r != emptied && furthest <= 2 * median {
            continue;
        }
        if r != emptied {
            reach[r] = furthest;
        }
        route.jobs.retain(|&j| {
            let out = r == emptied || 2 * m.from_depot[j] < furthest;
            if out {
                s.route_of[j] = NOT_ROUTED;
                removed.push(j);
            }
            !out
        });
        route.update(m);
        s.place(r);
    }
    reach
}

/// The added cost of `j` at place `p` of `route`, strict or with overtime priced in.
#[inline]
fn insertion(
    route: &RouteState,
    m: &Model,
    j: usize,
    p: usize,
    bound: i64,
    overtime: Option<f64>,
) -> Option<i64> {
    match overtime {
        None => route.insertion_below(m, j, p, bound),
        Some(weight) => route.insertion_overtime(m, j, p, bound, weight),
    }
}

/// Whether to skip an insertion place ("blink"); one random word, no float.
#[inline]
fn blink(rng: &mut SmallRng) -> bool {
    rng.next_u32() < (BLINK * u32::MAX as f64) as u32
}

/// The cheapest place for `j` beside one of its nearest routed neighbours, at either
/// end of a used route, or in one empty route per vehicle type: (added cost, route,
/// position). None sends the caller to [`full_insertion`].
fn near_insertion(
    m: &Model,
    s: &Solution,
    j: usize,
    rng: &mut SmallRng,
    seen_empty: &mut Vec<usize>,
    overtime: Option<f64>,
    open: impl Fn(usize, usize) -> bool + Copy,
) -> Option<(i64, usize, usize)> {
    if m.jobs <= 2 * NEAR {
        return None;
    }
    let mut best: Option<(i64, usize, usize)> = None;
    // A function rather than a closure: the compiler left the closure out of line,
    // and this is the search's innermost loop.
    #[inline(always)]
    fn consider(
        (m, s, j, overtime): (&Model, &Solution, usize, Option<f64>),
        best: &mut Option<(i64, usize, usize)>,
        r: usize,
        p: usize,
        rng: &mut SmallRng,
        open: impl Fn(usize, usize) -> bool,
    ) {
        if !open(j, r) || blink(rng) {
            return;
        }
        let bound = best.map_or(i64::MAX, |(d, _, _)| d);
        if let Some(delta) = insertion(&s.routes[r], m, j, p, bound, overtime) {
            *best = Some((delta, r, p));
        }
    }
    let at = (m, s, j, overtime);
    for &near in &m.neighbours[j][..NEAR] {
        let r = s.route_of[near as usize];
        if r == NOT_ROUTED {
            continue;
        }
        let q = s.pos_of[near as usize] as usize;
        // Just before and just after the neighbour.
        consider(at, &mut best, r as usize, q - 1, rng, open);
        consider(at, &mut best, r as usize, q, rng, open);
    }
    seen_empty.clear();
    for (r, route) in s.routes.iter().enumerate() {
        if route.jobs.is_empty() {
            let kind = m.vehicles[route.vehicle].kind;
            if !seen_empty.contains(&kind) {
                seen_empty.push(kind);
                consider(at, &mut best, r, 0, rng, open);
            }
        } else {
            consider(at, &mut best, r, 0, rng, open);
            consider(at, &mut best, r, route.len(), rng, open);
        }
    }
    best
}

/// The cheapest place for `j` over every position of every route `open` allows.
fn full_insertion(
    m: &Model,
    s: &Solution,
    j: usize,
    rng: &mut SmallRng,
    seen_empty: &mut Vec<usize>,
    overtime: Option<f64>,
    open: impl Fn(usize, usize) -> bool,
) -> Option<(i64, usize, usize)> {
    let mut best: Option<(i64, usize, usize)> = None;
    seen_empty.clear();
    for (r, route) in s.routes.iter().enumerate() {
        if !open(j, r) {
            continue;
        }
        if route.jobs.is_empty() {
            // Identical unused vehicles give identical insertions: try one.
            let kind = m.vehicles[route.vehicle].kind;
            if seen_empty.contains(&kind) {
                continue;
            }
            seen_empty.push(kind);
        }
        for p in 0..=route.len() {
            if route.start_at(p) > m.job[j].late {
                break;
            }
            if blink(rng) {
                continue;
            }
            let bound = best.map_or(i64::MAX, |(d, _, _)| d);
            if let Some(delta) = insertion(route, m, j, p, bound, overtime) {
                best = Some((delta, r, p));
            }
        }
    }
    best
}
