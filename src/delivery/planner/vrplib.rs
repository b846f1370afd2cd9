//! VRPLIB instances with time windows (e.g. Solomon) and their `.sol` files, turned
//! into a [`Problem`] in the DIMACS convention: Euclidean distances truncated to one
//! decimal, travel time equal to distance, objective total distance. Everything is
//! scaled by 10 so the planner works in whole tenths.

use super::{Job, JobKind, Problem, TravelMatrix, Vehicle};

/// Tenths per unit of the instance.
pub const SCALE: i64 = 10;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Instance {
    pub name: String,
    pub vehicles: usize,
    pub capacity: i64,
    pub coords: Vec<(f64, f64)>,
    pub demand: Vec<i64>,
    pub windows: Vec<(i64, i64)>,
    pub service: Vec<i64>,
    pub depot: usize,
}

/// Parses the text of a `.vrp` file.
pub fn parse_instance(text: &str) -> Result<Instance, String> {
    let mut inst = Instance::default();
    let mut section = String::new();
    let mut service_all = 0;
    let mut dimension = 0usize;
    let mut depots = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line == "EOF" {
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            let (key, value) = (key.trim(), value.trim());
            let number = || {
                value
                    .parse::<f64>()
                    .map_err(|_| format!("bad {key}: {value}"))
            };
            match key {
                "NAME" => inst.name = value.to_owned(),
                "DIMENSION" => dimension = number()? as usize,
                "VEHICLES" => inst.vehicles = number()? as usize,
                "CAPACITY" => inst.capacity = number()? as i64,
                "SERVICE_TIME" => service_all = number()? as i64,
                _ => {}
            }
            section.clear();
            continue;
        }
        if line.ends_with("_SECTION") {
            section = line.to_owned();
            continue;
        }
        let fields: Vec<f64> = line
            .split_whitespace()
            .map(|f| {
                f.parse::<f64>()
                    .map_err(|_| format!("bad number in {section}: {line}"))
            })
            .collect::<Result<_, _>>()?;
        let id = fields.first().copied().unwrap_or(0.0) as i64;
        let at = |len: usize| -> Result<usize, String> {
            if id < 1 || id as usize > len {
                Err(format!("node {id} out of range in {section}"))
            } else {
                Ok(id as usize - 1)
            }
        };
        let field = |k: usize| fields.get(k).copied().ok_or(format!("short line: {line}"));
        match section.as_str() {
            "NODE_COORD_SECTION" => {
                inst.coords.push((field(1)?, field(2)?));
            }
            "DEMAND_SECTION" => {
                let i = at(dimension)?;
                grow(&mut inst.demand, dimension)[i] = field(1)? as i64;
            }
            "TIME_WINDOW_SECTION" => {
                let i = at(dimension)?;
                let (a, b) = (field(1)? as i64, field(2)? as i64);
                grow(&mut inst.windows, dimension)[i] = (a, b);
            }
            "SERVICE_TIME_SECTION" => {
                let i = at(dimension)?;
                grow(&mut inst.service, dimension)[i] = field(1)? as i64;
            }
            // Ids below 1 end the section (-1) and are not depots.
            "DEPOT_SECTION" if id >= 1 => depots.push(id as usize - 1),
            _ => {}
        }
    }
    if inst.coords.len() != dimension || dimension < 2 {
        return Err(format!(
            "expected {dimension} coordinates, found {}",
            inst.coords.len()
        ));
    }
    if inst.demand.len() != dimension || inst.windows.len() != dimension {
        return Err("missing DEMAND_SECTION or TIME_WINDOW_SECTION".to_owned());
    }
    inst.depot = depots.first().copied().unwrap_or(0);
    if inst.service.is_empty() {
        inst.service = vec![service_all; dimension];
    }
    if inst.vehicles == 0 {
        inst.vehicles = dimension - 1;
    }
    Ok(inst)
}

fn grow<T: Default + Clone>(v: &mut Vec<T>, len: usize) -> &mut Vec<T> {
    if v.len() < len {
        v.resize(len, T::default());
    }
    v
}

/// Euclidean distance truncated to one decimal, in tenths.
pub fn dimacs_tenths(a: (f64, f64), b: (f64, f64)) -> i64 {
    let d = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    (d * 10.0).floor() as i64
}

impl Instance {
    /// The planner's problem: location i is node i, job k is node k+1 (skipping the
    /// depot), every vehicle starts and ends at the depot within its window.
    pub fn to_problem(&self) -> Problem {
        let size = self.coords.len();
        let mut d = Vec::with_capacity(size * size);
        for &a in &self.coords {
            for &b in &self.coords {
                d.push(dimacs_tenths(a, b));
            }
        }
        let shift = self.windows[self.depot];
        let vehicles = (0..self.vehicles)
            .map(|i| Vehicle {
                id: i as i64 + 1,
                capacity: self.capacity,
                start: self.depot,
                end: self.depot,
                shift: (shift.0 * SCALE, shift.1 * SCALE),
            })
            .collect();
        let jobs = (0..size)
            .filter(|&i| i != self.depot)
            .map(|i| Job {
                id: i as i64,
                location: i,
                kind: JobKind::Delivery,
                demand: self.demand[i],
                service: self.service[i] * SCALE,
                window: (self.windows[i].0 * SCALE, self.windows[i].1 * SCALE),
            })
            .collect();
        Problem {
            matrix: TravelMatrix {
                size,
                durations: d.clone(),
                distances: d,
            },
            vehicles,
            jobs,
        }
    }
}

/// The cost on the `Cost` line of a `.sol` file.
pub fn parse_solution_cost(text: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("Cost"))
        .and_then(|v| v.trim().parse().ok())
}
