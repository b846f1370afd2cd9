#!/usr/bin/env bash
# Overdue list benchmark: fills a database with N loans (default 1,000,000) over
# three areas and times the overdue list of one area — the real endpoint
# GET /api/v1/loans?status=overdue&area=syd&limit=100 (count + first page of
# 100 rows ordered by due date) — on SQLite and on PostgreSQL. Prints the
# milliseconds; it is a measurement, not a timed test.
#
#   bench/overdue.sh                 # both databases
#   BACKENDS=sqlite bench/overdue.sh # only SQLite
#
# Settings: N (loans), BACKENDS ("sqlite postgres"), DEPOT_BIN (default: the
# release build if present, else the debug build), BENCH_PG (PostgreSQL server,
# default postgres://postgres@127.0.0.1:5432), BENCH_PORT (18099), RUNS (20).
set -euo pipefail

cd "$(dirname "$0")/.."
N=${N:-1000000}
BACKENDS=${BACKENDS:-"sqlite postgres"}
BENCH_PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-18099}
RUNS=${RUNS:-20}
TARGET=${CARGO_TARGET_DIR:-target}
if [[ -z "${DEPOT_BIN:-}" ]]; then
  if [[ -x "$TARGET/release/depot" ]]; then DEPOT_BIN="$TARGET/release/depot"; else
    cargo build --quiet --bin depot
    DEPOT_BIN="$TARGET/debug/depot"
  fi
fi
TODAY=$(TZ=Europe/Copenhagen date +%F) # the server's today
WORK=$(mktemp -d /tmp/depot-bench.XXXXXX)
SERVER_PID=""
cleanup() { [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# Base data and N loans over 250,000 citizens (bench/seed.sh): ~85 % returned
# (history), the rest active; §112 for every seventh; start dates spread over
# two years before today.
# shellcheck source=bench/seed.sh
source bench/seed.sh
export CITIZENS=250000 LOANS=$N ORDERS=0 PRODUCTS=2 UNITS=0 KVIK=0 TODAY
fill_sqlite() { seed_sqlite "$1"; }
fill_postgres() { seed_postgres "$1"; }

# The two statements the endpoint runs for the loans (names come after, by id).
COUNT_SQL="SELECT COUNT(*) FROM loan WHERE status = 'active' AND due_date < '$TODAY' AND area_id = 2"
PAGE_SQL="SELECT * FROM loan WHERE status = 'active' AND due_date < '$TODAY' AND area_id = 2 ORDER BY due_date ASC, id ASC LIMIT 100"

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m}'; }

time_endpoint() {
  local url=$1 label=$2
  export DATABASE_URL=$url DEPOT_BIND=127.0.0.1:$PORT DEPOT_BACKGROUND=off DEPOT_LOG=warn DEPOT_MAIL=file:$WORK/mail
  printf 'en lang bench adgangskode 2026\n' | "$DEPOT_BIN" user add --email bench@bench.invalid --name Bench --role depot >/dev/null
  local token; token=$("$DEPOT_BIN" token create --email bench@bench.invalid)
  "$DEPOT_BIN" serve >"$WORK/serve.log" 2>&1 & SERVER_PID=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  local api="http://127.0.0.1:$PORT/api/v1/loans?status=overdue&area=syd&limit=100"
  local total; total=$(curl -fs -D - -o "$WORK/page.json" -H "Authorization: Bearer $token" "$api" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-total-count"{print $2}')
  curl -fs -o /dev/null -H "Authorization: Bearer $token" "$api" # warm up
  local times=()
  for _ in $(seq 1 "$RUNS"); do
    times+=("$(curl -fs -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "$api" | awk '{printf "%.2f", $1*1000}')")
  done
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  local med; med=$(printf '%s\n' "${times[@]}" | median)
  local max; max=$(printf '%s\n' "${times[@]}" | sort -n | tail -1)
  printf '%-10s %d loans, %s overdue in syd: GET overdue list (count + 100 rows) median %s ms, max %s ms over %d runs\n' \
    "$label" "$N" "$total" "$med" "$max" "$RUNS"
}

for backend in $BACKENDS; do
  case $backend in
    sqlite)
      db="$WORK/bench.db"; url="sqlite://$db?mode=rwc"
      DATABASE_URL=$url "$DEPOT_BIN" migrate >/dev/null
      start=$(date +%s); fill_sqlite "$db"; echo "sqlite: filled $N loans in $(( $(date +%s) - start )) s"
      echo "sqlite: plan: $(sqlite3 "$db" "EXPLAIN QUERY PLAN $PAGE_SQL" | tail -n +2 | tr -s ' ' | tr '\n' ' ')"
      for q in "$COUNT_SQL" "$PAGE_SQL"; do
        ms=$(for _ in 1 2 3 4 5; do printf '.timer on\n%s;\n' "$q" | sqlite3 "$db" | awk '/^Run Time/{printf "%.2f\n", $4*1000}'; done | median)
        echo "sqlite: SQL median ${ms} ms: ${q:0:60}..."
      done
      time_endpoint "$url" sqlite
      ;;
    postgres)
      name="depot_bench_$$"
      psql -q "$BENCH_PG/postgres" -c "CREATE DATABASE $name" >/dev/null
      url="$BENCH_PG/$name"
      DATABASE_URL=$url "$DEPOT_BIN" migrate >/dev/null
      start=$(date +%s); fill_postgres "$url"; echo "postgres: filled $N loans in $(( $(date +%s) - start )) s"
      echo "postgres: plan: $(psql -Atq "$url" -c "EXPLAIN $PAGE_SQL" | tr -s ' ' | tr '\n' ' ' | cut -c1-240)"
      for q in "$COUNT_SQL" "$PAGE_SQL"; do
        ms=$(for _ in 1 2 3 4 5; do printf '\\timing on\n%s;\n' "$q" | psql -Atq "$url" | awk '/^Time:/{print $2}'; done | median)
        echo "postgres: SQL median ${ms} ms: ${q:0:60}..."
      done
      time_endpoint "$url" postgres
      psql -q "$BENCH_PG/postgres" -c "DROP DATABASE $name" >/dev/null
      ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
done
