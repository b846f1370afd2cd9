#!/usr/bin/env python3
"""Compare depot's route planner with VROOM (pyvroom from PyPI) on the same matrices.

    pip install pyvroom
    python3 bench/vroom_compare.py solomon DIR [--ours FILE] [--time-limit 5]
    python3 bench/vroom_compare.py days DIR [--vroom-cache FILE]

`solomon`: every VRPLIB VRPTW instance in DIR, DIMACS convention (Euclidean distance
truncated to one decimal, travel time = distance); both solvers get the matrix in whole
tenths because VROOM wants integers. Our figures come from FILE (the output of
`depot bench routing DIR`) or, without --ours, from running the binary ($DEPOT_BIN, else
$CARGO_TARGET_DIR/release/depot, else target/release/depot). Prints our distance / VROOM's
per instance and the mean ratio (target: <= 1.00).

`days`: the depot days written by `depot bench days --write DIR`; VROOM plans each
day's problem (same seconds matrix, same vans, windows, pickups and deliveries) and
the script prints, for both, the total driving time and the total route duration (per
route from leaving the start to arriving back: driving, service and waiting), with our
figure / VROOM's for each. Both planners minimise driving time (VROOM's default cost is
the travel time; ours is `Objective::Duration`), and both leave the start as late as
possible without delaying a stop, so the route durations compare like for like. VROOM's
figures are recomputed here from its steps and the matrix, not taken on trust. A day
counts as worse when we leave more stops unassigned or, with as many, our total route
duration is longer.

VROOM runs at exploration level 5 on 2 threads, like our planner.
"""

import argparse
import glob
import hashlib
import json
import math
import os
import subprocess
import sys
import time

import vroom


def parse_vrp(path):
    """The fields of a VRPLIB VRPTW file that both solvers need."""
    inst = {"service_all": 0, "vehicles": 0}
    section = None
    coords, demand, windows, service, depots = {}, {}, {}, {}, []
    for raw in open(path):
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if ":" in line:
            key, value = (p.strip() for p in line.split(":", 1))
            if key == "VEHICLES":
                inst["vehicles"] = int(float(value))
            elif key == "CAPACITY":
                inst["capacity"] = int(float(value))
            elif key == "SERVICE_TIME":
                inst["service_all"] = int(float(value))
            section = None
            continue
        if line.endswith("_SECTION"):
            section = line
            continue
        f = line.split()
        i = int(f[0]) - 1
        if section == "NODE_COORD_SECTION":
            coords[i] = (float(f[1]), float(f[2]))
        elif section == "DEMAND_SECTION":
            demand[i] = int(f[1])
        elif section == "TIME_WINDOW_SECTION":
            windows[i] = (int(f[1]), int(f[2]))
        elif section == "SERVICE_TIME_SECTION":
            service[i] = int(f[1])
        elif section == "DEPOT_SECTION" and i >= 0:
            depots.append(i)
    n = len(coords)
    inst["coords"] = [coords[i] for i in range(n)]
    inst["demand"] = [demand[i] for i in range(n)]
    inst["windows"] = [windows[i] for i in range(n)]
    inst["service"] = [service.get(i, inst["service_all"]) for i in range(n)]
    inst["depot"] = depots[0] if depots else 0
    if not inst["vehicles"]:
        inst["vehicles"] = n - 1
    return inst


def tenths(a, b):
    return math.floor(10 * math.hypot(a[0] - b[0], a[1] - b[1]))


def vroom_solomon(inst, threads):
    c = inst["coords"]
    matrix = [[tenths(a, b) for b in c] for a in c]
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=matrix)
    depot = inst["depot"]
    tw = inst["windows"][depot]
    for v in range(inst["vehicles"]):
        problem.add_vehicle(
            vroom.Vehicle(
                v + 1,
                start=depot,
                end=depot,
                capacity=[inst["capacity"]],
                time_window=vroom.TimeWindow(tw[0] * 10, tw[1] * 10),
            )
        )
    for i in range(len(c)):
        if i == depot:
            continue
        e, l = inst["windows"][i]
        problem.add_job(
            vroom.Job(
                i,
                location=i,
                delivery=[inst["demand"][i]],
                default_service=inst["service"][i] * 10,
                time_windows=[vroom.TimeWindow(e * 10, l * 10)],
            )
        )
    start = time.monotonic()
    solution = problem.solve(exploration_level=5, nb_threads=threads)
    seconds = time.monotonic() - start
    summary = solution.to_dict()["summary"]
    return summary["cost"] / 10.0, summary["unassigned"], seconds


def our_binary():
    if os.environ.get("DEPOT_BIN"):
        return os.environ["DEPOT_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    return os.path.join(target, "release", "depot")


def our_lines(args):
    if args.ours:
        text = open(args.ours).read()
    else:
        cmd = [our_binary(), "bench", "routing", args.dir, "--time-limit", str(args.time_limit)]
        text = subprocess.run(cmd, capture_output=True, text=True).stdout
    lines = [json.loads(l) for l in text.splitlines() if l.strip()]
    return {l["instance"]: l for l in lines if "instance" in l}


def solomon(args):
    ours = our_lines(args)
    ratios = []
    for path in sorted(glob.glob(os.path.join(args.dir, "*.vrp"))):
        name = os.path.splitext(os.path.basename(path))[0]
        if name not in ours:
            continue
        distance, unassigned, seconds = vroom_solomon(parse_vrp(path), args.threads)
        ratio = ours[name]["distance"] / distance
        ratios.append(ratio)
        print(json.dumps({
            "instance": name,
            "ours": ours[name]["distance"],
            "vroom": round(distance, 1),
            "ratio": round(ratio, 4),
            "vroom_unassigned": unassigned,
            "vroom_seconds": round(seconds, 2),
            "worse": day_worse,
        }), flush=True)
    mean = sum(ratios) / max(len(ratios), 1)
    print(json.dumps({
        "summary": True,
        "instances": len(ratios),
        "mean_ratio": round(mean, 4),
        "worst_ratio": round(max(ratios, default=0), 4),
        "better_or_equal": sum(r <= 1.0 for r in ratios),
    }))
    return 0 if mean <= 1.0 else 1


def vroom_day(problem, threads):
    m = problem["matrix"]
    size = m["size"]
    d = m["durations"]
    matrix = [d[i * size:(i + 1) * size] for i in range(size)]
    v_in = vroom.Input()
    v_in.set_durations_matrix(profile="car", matrix_input=matrix)
    for v in problem["vehicles"]:
        v_in.add_vehicle(
            vroom.Vehicle(
                v["id"],
                start=v["start"],
                end=v["end"],
                capacity=[v["capacity"]],
                time_window=vroom.TimeWindow(v["shift"][0], v["shift"][1]),
            )
        )
    for j in problem["jobs"]:
        amount = j["demand"]
        delivery = [amount] if j["kind"] == "delivery" else [0]
        pickup = [amount] if j["kind"] == "pickup" else [0]
        v_in.add_job(
            vroom.Job(
                j["id"],
                location=j["location"],
                delivery=delivery,
                pickup=pickup,
                default_service=j["service"],
                time_windows=[vroom.TimeWindow(j["window"][0], j["window"][1])],
            )
        )
    start = time.monotonic()
    solution = v_in.solve(exploration_level=5, nb_threads=threads)
    seconds = time.monotonic() - start
    result = solution.to_dict()
    driving, duration = 0, 0
    for route in result["routes"]:
        steps = route["steps"]
        at = None
        for step in steps:
            here = step["location_index"]
            if at is not None:
                driving += d[at * size + here]
            at = here
        duration += steps[-1]["arrival"] - steps[0]["arrival"]
    summary = result["summary"]
    if driving != summary["duration"]:
        sys.exit(f"VROOM's travel time {summary['duration']} != {driving} from the matrix")
    return driving, duration, summary["unassigned"], seconds


def cached_vroom_day(problem, threads, cache_path):
    """VROOM's result for `problem`, from `cache_path` when it planned the very same
    problem before (keyed by a hash of the problem), so comparing a changed planner
    of ours does not re-run VROOM's minutes on every day."""
    if not cache_path:
        return vroom_day(problem, threads)
    key = hashlib.sha256(
        json.dumps([problem, threads], sort_keys=True).encode()
    ).hexdigest()
    cache = json.load(open(cache_path)) if os.path.exists(cache_path) else {}
    if key not in cache:
        cache[key] = list(vroom_day(problem, threads))
        with open(cache_path + ".tmp", "w") as f:
            json.dump(cache, f)
        os.replace(cache_path + ".tmp", cache_path)
    return tuple(cache[key])


def days(args):
    driving_ratios, duration_ratios, worse, worse_driving = [], [], 0, 0
    for path in sorted(glob.glob(os.path.join(args.dir, "day-*.json"))):
        day = json.load(open(path))
        ours = day["ours"]
        driving, duration, unassigned, seconds = cached_vroom_day(
            day["problem"], args.threads, args.vroom_cache
        )
        driving_ratio = ours["driving_s"] / driving if driving else 1.0
        duration_ratio = ours["duration_s"] / duration if duration else 1.0
        driving_ratios.append(driving_ratio)
        duration_ratios.append(duration_ratio)
        # Fewer unassigned stops first, then the shorter total.
        day_worse = (ours["unassigned"], ours["duration_s"]) > (unassigned, duration)
        worse += day_worse
        if (ours["unassigned"], ours["driving_s"]) > (unassigned, driving):
            worse_driving += 1
        print(json.dumps({
            "day": ours["day"],
            "stops": ours["stops"],
            "vehicles": ours["vehicles"],
            "ours_driving_min": round(ours["driving_s"] / 60, 1),
            "vroom_driving_min": round(driving / 60, 1),
            "driving_ratio": round(driving_ratio, 4),
            "ours_duration_min": round(ours["duration_s"] / 60, 1),
            "vroom_duration_min": round(duration / 60, 1),
            "duration_ratio": round(duration_ratio, 4),
            "ours_unassigned": ours["unassigned"],
            "vroom_unassigned": unassigned,
            "ours_seconds": ours["seconds"],
            "vroom_seconds": round(seconds, 2),
            "worse": day_worse,
        }), flush=True)
    n = max(len(driving_ratios), 1)
    print(json.dumps({
        "summary": True,
        "days": len(driving_ratios),
        "mean_driving_ratio": round(sum(driving_ratios) / n, 4),
        "worst_driving_ratio": round(max(driving_ratios, default=0), 4),
        "mean_duration_ratio": round(sum(duration_ratios) / n, 4),
        "worst_duration_ratio": round(max(duration_ratios, default=0), 4),
        "days_worse_than_vroom": worse,
        "days_worse_driving": worse_driving,
    }))
    return 0 if worse == 0 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["solomon", "days"])
    parser.add_argument("dir")
    parser.add_argument("--ours", help="output of `depot bench routing DIR` (solomon)")
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--vroom-cache",
        help="days: JSON file keeping VROOM's result per problem between runs",
    )
    args = parser.parse_args()
    return solomon(args) if args.what == "solomon" else days(args)


if __name__ == "__main__":
    sys.exit(main())
