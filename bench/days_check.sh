#!/usr/bin/env bash
# The planner against VROOM on sets of 20 generated depot days, one summary line per
# set and one line per day that ended worse than VROOM.
#
#   bench/days_check.sh [PLANNER_SEED] [DAY_SEED...]
#
# Without day seeds it runs the four held-out sets 6001, 7001, 8001 and 9001: no
# planner setting was tuned on them, so they say whether a change generalises. (The
# tuning sets are 1 and 1001; 2001-5001 were held out in session 7 and hold the hard
# days studied since, so they no longer count as unseen: bench/README.md, session 8.) Needs pyvroom
# (`pip install pyvroom`) and a release build ($DEPOT_BIN, else
# $CARGO_TARGET_DIR/release/depot, else target/release/depot). VROOM's results are
# cached in ~/.cache/vroom-days.json, so only the first run of a set waits for VROOM.
set -euo pipefail
cd "$(dirname "$0")/.."

planner_seed="${1:-1}"
shift || true
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(6001 7001 8001 9001)

bin="${DEPOT_BIN:-${CARGO_TARGET_DIR:-target}/release/depot}"
[ -x "$bin" ] || { echo "no release build at $bin: run cargo build --release" >&2; exit 2; }
python3 -c 'import vroom' 2>/dev/null || { echo "pyvroom is missing: pip install pyvroom" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cache="$HOME/.cache/vroom-days.json"
mkdir -p "$(dirname "$cache")"
for set in "${sets[@]}"; do
    "$bin" bench days --count 20 --seed "$set" --planner-seed "$planner_seed" \
        --write "$work/$set" >/dev/null
    # Exit 1 means "a day was worse", which this script reports; anything else failed.
    rc=0
    python3 bench/vroom_compare.py days "$work/$set" --vroom-cache "$cache" \
        >"$work/$set.out" || rc=$?
    [ "$rc" -le 1 ] || { echo "vroom_compare.py failed on set $set (exit $rc)" >&2; exit "$rc"; }
    echo "set $set: $(tail -1 "$work/$set.out")"
    grep '"worse": true' "$work/$set.out" | sed "s/^/  worse: /" || true
done
