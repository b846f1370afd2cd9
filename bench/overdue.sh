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

# Base data and N loans: ~85 % returned (history), the rest active; §112 for
# every seventh; start dates spread over two years before today.
fill_sqlite() {
  sqlite3 "$1" <<SQL
PRAGMA synchronous=OFF;
BEGIN;
INSERT INTO area (id, code, name, slip_phone, list_recipients, list_cadence) VALUES
 (1,'nord','Område Nord','+4589151010','nord@bench.invalid','weekly'),
 (2,'syd','Område Syd','+4589152020','syd@bench.invalid','weekly'),
 (3,'vest','Område Vest','+4589153030','vest@bench.invalid','weekly');
INSERT INTO area_postcode (postal_code, area_id, city) VALUES ('8930',1,'Randers NØ'),('8900',2,'Randers C'),('8920',3,'Randers NV');
INSERT INTO product (id, code, name, iso9999, kvik_eligible, volume, service_minutes, active) VALUES
 (1,'12-06-06-01','Rollator','12 06 06',1,2,10,1),(2,'09-33-03-01','Badebænk','09 33 03',1,1,10,1);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 250000)
INSERT INTO citizen (id, cpr, name, phone, address_id, created_at, updated_at)
SELECT i, printf('%010d', i), 'Borger ' || i, NULL, NULL, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < $N),
 l AS (SELECT i, date('$TODAY', '-' || (i * 7919 % 730) || ' days') AS start FROM n)
INSERT INTO loan (citizen_id, product_id, unit_id, order_id, area_id, legal_basis, start_date, due_date, status, returned_on, created_at, updated_at)
SELECT i % 250000 + 1, i % 2 + 1, NULL, NULL, i % 3 + 1,
  CASE WHEN i % 7 = 0 THEN 'serviceloven_112' ELSE 'sundhedsloven_140' END,
  start,
  CASE WHEN i % 7 = 0 THEN NULL ELSE date(start, '+3 months') END,
  CASE WHEN i % 20 < 17 THEN 'returned' ELSE 'active' END,
  CASE WHEN i % 20 < 17 THEN start ELSE NULL END,
  '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'
FROM l;
COMMIT;
ANALYZE;
SQL
}

fill_postgres() {
  psql -q -v ON_ERROR_STOP=1 "$1" <<SQL
BEGIN;
INSERT INTO area (id, code, name, slip_phone, list_recipients, list_cadence) VALUES
 (1,'nord','Område Nord','+4589151010','nord@bench.invalid','weekly'),
 (2,'syd','Område Syd','+4589152020','syd@bench.invalid','weekly'),
 (3,'vest','Område Vest','+4589153030','vest@bench.invalid','weekly');
SELECT setval('area_id_seq', 3) \\gset

INSERT INTO area_postcode (postal_code, area_id, city) VALUES ('8930',1,'Randers NØ'),('8900',2,'Randers C'),('8920',3,'Randers NV');
INSERT INTO product (id, code, name, iso9999, kvik_eligible, volume, service_minutes, active) VALUES
 (1,'12-06-06-01','Rollator','12 06 06',true,2,10,true),(2,'09-33-03-01','Badebænk','09 33 03',true,1,10,true);
SELECT setval('product_id_seq', 2) \\gset

INSERT INTO citizen (id, cpr, name, phone, address_id, created_at, updated_at)
SELECT i, lpad(i::text, 10, '0'), 'Borger ' || i, NULL, NULL, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
FROM generate_series(1, 250000) AS i;
SELECT setval('citizen_id_seq', 250000) \\gset

INSERT INTO loan (citizen_id, product_id, unit_id, order_id, area_id, legal_basis, start_date, due_date, status, returned_on, created_at, updated_at)
SELECT i % 250000 + 1, i % 2 + 1, NULL, NULL, i % 3 + 1,
  CASE WHEN i % 7 = 0 THEN 'serviceloven_112' ELSE 'sundhedsloven_140' END,
  s,
  CASE WHEN i % 7 = 0 THEN NULL ELSE (s + interval '3 months')::date END,
  CASE WHEN i % 20 < 17 THEN 'returned' ELSE 'active' END,
  CASE WHEN i % 20 < 17 THEN s ELSE NULL END,
  '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
FROM (SELECT i, DATE '$TODAY' - ((i::bigint * 7919) % 730)::int AS s FROM generate_series(1, $N) AS i) AS g;
COMMIT;
VACUUM ANALYZE;
SQL
}

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
