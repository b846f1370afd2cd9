#!/usr/bin/env bash
# Load benchmark: seeds SQLite and PostgreSQL with a municipality's volume
# (100,000 citizens, 1,000,000 loans, 200,000 orders), serves each with the
# release binary and drives it from a second process (bench/load, a small Rust
# client) with a mixed workload of staff pages, API reads and writes and public
# Kvik booking. Prints throughput, p50/p95/p99 latency, errors by class and the
# server's peak RSS, then a verdict per target. A measurement, not a timed test.
#
#   bench/load.sh                  # both databases, 200 users, 60 s
#   BACKENDS=sqlite bench/load.sh
#
# PROFILE=1 first measures the server CPU per request of each kind alone.
# Settings: BACKENDS ("sqlite postgres"), CLIENTS (200), SECONDS_RUN (60),
# THINK_MS (1000: each user waits 500-1500 ms between requests), SAT_SECONDS
# (30: the saturation run, no think time; 0 skips it), CITIZENS, LOANS, ORDERS,
# DEPOT_BIN (default: cargo build --release), LOAD_BIN (default: built from
# bench/load into $CARGO_TARGET_DIR-load), BENCH_PG
# (postgres://postgres@127.0.0.1:5432). The runs take /tmp/depot-measure.lock.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BACKENDS=${BACKENDS:-"sqlite postgres"}
CLIENTS=${CLIENTS:-200}
SECONDS_RUN=${SECONDS_RUN:-60}
THINK_MS=${THINK_MS:-1000}
SAT_SECONDS=${SAT_SECONDS:-30}
BENCH_PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
export CITIZENS=${CITIZENS:-100000} LOANS=${LOANS:-1000000} ORDERS=${ORDERS:-200000}
export KVIK=1 PRODUCTS=40 UNITS=20000
TARGET=${CARGO_TARGET_DIR:-target}
if [[ -z "${DEPOT_BIN:-}" ]]; then
  cargo build --quiet --release --bin depot
  DEPOT_BIN="$TARGET/release/depot"
fi
# The generator has its own workspace and target folder (not the service's).
if [[ -z "${LOAD_BIN:-}" ]]; then
  LOAD_TARGET=${LOAD_TARGET:-${CARGO_TARGET_DIR:-$ROOT/bench/load/target}-load}
  CARGO_TARGET_DIR=$LOAD_TARGET cargo build --quiet --release --manifest-path bench/load/Cargo.toml
  LOAD_BIN="$LOAD_TARGET/release/depot-load"
fi

# shellcheck source=bench/seed.sh
source bench/seed.sh
export TODAY; TODAY=$(TZ=Europe/Copenhagen date +%F)
DISCHARGE=$(TZ=Europe/Copenhagen date -d tomorrow +%FT10:00:00%:z)
WORK=$(mktemp -d /tmp/depot-load.XXXXXX)
SERVER_PID=""
cleanup() { [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

sql() { # backend url-or-file statement
  if [[ $1 == sqlite ]]; then sqlite3 "$2" "$3"; else psql -Atq "$2" -c "$3"; fi
}

# Users by the real CLI (Argon2 hash, hashed token); the staff pages' session is
# inserted the way a login stores it (SHA-256 of the cookie value).
make_users() { # backend db-url db-handle
  local backend=$1 url=$2 db=$3 role email
  for role in depot coordinator therapist; do
    email="$role@bench.invalid"
    if [[ $role == therapist ]]; then
      printf 'en lang bench adgangskode 2026\n' | DATABASE_URL=$url "$DEPOT_BIN" user add --email "$email" --name "Bench $role" --role "$role" --area syd >/dev/null
    else
      printf 'en lang bench adgangskode 2026\n' | DATABASE_URL=$url "$DEPOT_BIN" user add --email "$email" --name "Bench $role" --role "$role" >/dev/null
    fi
  done
  DEPOT_TOKEN=$(DATABASE_URL=$url "$DEPOT_BIN" token create --email depot@bench.invalid)
  ORDERER_TOKEN=$(DATABASE_URL=$url "$DEPOT_BIN" token create --email coordinator@bench.invalid)
  ORDERERS="$(sql "$backend" "$db" "SELECT id FROM app_user WHERE email='coordinator@bench.invalid'") $(sql "$backend" "$db" "SELECT id FROM app_user WHERE email='therapist@bench.invalid'") $(sql "$backend" "$db" "SELECT id FROM app_user WHERE email='depot@bench.invalid'")"
  export ORDERERS
}

make_session() { # backend db-handle
  SESSION=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  local hash csrf
  hash=$(printf '%s' "$SESSION" | sha256sum | cut -d' ' -f1)
  csrf=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  if [[ $1 == sqlite ]]; then
    sql sqlite "$2" "INSERT INTO session (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
      SELECT '$hash', id, '$csrf', strftime('%Y-%m-%dT%H:%M:%S+00:00','now'), strftime('%Y-%m-%dT%H:%M:%S+00:00','now'),
        strftime('%Y-%m-%dT%H:%M:%S+00:00','now','+10 hours') FROM app_user WHERE email='depot@bench.invalid'"
  else
    sql postgres "$2" "INSERT INTO session (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
      SELECT '$hash', id, '$csrf', now(), now(), now() + interval '10 hours' FROM app_user WHERE email='depot@bench.invalid'" >/dev/null
  fi
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
mb() { awk -v k="$1" '$1==k":" {printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status"; }

# PROFILE=1: before the mixed run, each kind of request alone (8 users, no think
# time, PROFILE_SECONDS each) and the server's CPU per request of that kind: where
# the mixed run's CPU goes. The Kvik booking entry also fetches its day page.
KIND_LABELS=("page  GET /" "page  GET /orders" "page  GET /orders/{id}" "page  GET /loans?area=syd"
  "page  GET /citizens/{id}" "api   GET loans overdue syd 100" "api   GET /api/v1/orders/{id}"
  "api   GET orders?status=received" "api   POST /api/v1/orders" "pub   GET /api/v1/kvik/slots"
  "pub   GET /kvik?day=D" "pub   POST /kvik/book (429 after 20/address)")
profile_kinds() { # backend generator-args...
  local backend=$1; shift
  local i t0 n out
  echo "$backend: server CPU per request, each kind alone (8 users, no think time, ${PROFILE_SECONDS:-5} s)"
  for i in $(seq 0 11); do
    t0=$(cpu_ticks)
    out=$("$LOAD_BIN" mixed "$@" --clients 8 --seconds "${PROFILE_SECONDS:-5}" --think-ms 0 --only "$i" --first-source 220)
    n=$(grep -o 'total=[0-9]*' <<<"$out" | cut -d= -f2)
    awk -v t="$(( $(cpu_ticks) - t0 ))" -v hz="$(getconf CLK_TCK)" -v n="$n" \
      -v what="${KIND_LABELS[$i]}" \
      -v rps="$(grep -o 'rps=[0-9]*' <<<"$out" | cut -d= -f2)" \
      'BEGIN {printf "  %-38s %6d req %5d req/s %7.2f ms CPU per request\n", what, n, rps, 1000*t/hz/n}'
  done
}

# Per backend: the lines of the summary table.
SUMMARY=()

run_backend() { # backend url db-handle
  local backend=$1 url=$2 db=$3
  export DATABASE_URL=$url DEPOT_BIND=127.0.0.1:0 DEPOT_BACKGROUND=off DEPOT_LOG=warn DEPOT_MAIL=file:$WORK/mail
  DATABASE_URL=$url "$DEPOT_BIN" migrate >/dev/null
  if [[ $backend == sqlite ]]; then seed_areas_sql sqlite | sqlite3 "$db"; else seed_areas_sql postgres | psql -q "$db" >/dev/null; fi
  make_users "$backend" "$url" "$db"
  local start; start=$(date +%s)
  if [[ $backend == sqlite ]]; then seed_sqlite "$db"; else seed_postgres "$db"; fi
  echo "$backend: seeded $CITIZENS citizens, $LOANS loans, $ORDERS orders ($(sql "$backend" "$db" "SELECT COUNT(*) FROM order_line") lines) in $(( $(date +%s) - start )) s"
  make_session "$backend" "$db"

  # The default log level (info): one access-log line per request, as in production.
  DEPOT_LOG=info "$DEPOT_BIN" serve >"$WORK/serve-$backend.log" 2>&1 & SERVER_PID=$!
  local addr=""
  for _ in $(seq 1 150); do
    addr=$(grep -o 'listening on [0-9.:]*' "$WORK/serve-$backend.log" | head -1 | cut -d' ' -f3 || true)
    [[ -n "$addr" ]] && curl -fs "http://$addr/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  [[ -n "$addr" ]] || { echo "$backend: server did not start"; cat "$WORK/serve-$backend.log"; exit 1; }
  echo "$backend: depot serve pid $SERVER_PID on $addr (DEPOT_BACKGROUND=off), RSS at start $(mb VmRSS) MB"

  local common=(--addr "$addr" --clients "$CLIENTS" --session "$SESSION" --depot-token "$DEPOT_TOKEN"
    --orderer-token "$ORDERER_TOKEN" --citizens "$CITIZENS" --orders "$ORDERS" --discharge "$DISCHARGE")
  exec 9>/tmp/depot-measure.lock
  flock 9
  if [[ -n "${PROFILE:-}" ]]; then profile_kinds "$backend" "${common[@]}"; fi
  echo "$backend: load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  local t0; t0=$(cpu_ticks)
  "$LOAD_BIN" mixed "${common[@]}" --seconds "$SECONDS_RUN" --think-ms "$THINK_MS" | tee "$WORK/mixed.txt"
  local hwm; hwm=$(mb VmHWM)
  # Server CPU per request: with the rate above, shows whether it ran out of CPU.
  awk -v t="$(( $(cpu_ticks) - t0 ))" -v hz="$(getconf CLK_TCK)" -v n="$(grep -o 'total=[0-9]*' "$WORK/mixed.txt" | cut -d= -f2)" \
    'BEGIN {printf "'"$backend"': server CPU %.1f s in the run, %.2f ms per request\n", t/hz, 1000*t/hz/n}'
  echo "$backend: peak RSS (VmHWM) $hwm MB; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  local sat="-" sat_p99="-" sat_5xx="-" sat_hwm="-"
  if (( SAT_SECONDS > 0 )); then
    echo 5 >"/proc/$SERVER_PID/clear_refs" 2>/dev/null || true # restart the peak from here
    "$LOAD_BIN" mixed "${common[@]}" --seconds "$SAT_SECONDS" --think-ms 0 --first-source 2 | tee "$WORK/sat.txt"
    sat=$(grep -o 'rps=[0-9]*' "$WORK/sat.txt" | cut -d= -f2)
    sat_p99=$(grep -o ' p99=[0-9.]*' "$WORK/sat.txt" | cut -d= -f2)
    sat_5xx=$(grep -o 'server5xx=[0-9]*' "$WORK/sat.txt" | cut -d= -f2)
    sat_hwm=$(mb VmHWM)
    echo "$backend: saturation peak RSS $sat_hwm MB; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  fi
  "$LOAD_BIN" ratelimit --addr "$addr" --requests 200 --first-source 253 | tee "$WORK/rl.txt"
  flock -u 9
  local rl_429 rl_5xx; rl_429=$(grep -o 'limited429=[0-9]*' "$WORK/rl.txt" | cut -d= -f2); rl_5xx=$(grep -o 'server5xx=[0-9]*' "$WORK/rl.txt" | cut -d= -f2)
  if grep -q ' 5[0-9][0-9] ' "$WORK/serve-$backend.log"; then echo "$backend: server log mentions 5xx:"; grep ' 5[0-9][0-9] ' "$WORK/serve-$backend.log" | head -5; fi
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

  local r; r=$(grep '^RESULT' "$WORK/mixed.txt")
  val() { grep -o " $1=[0-9.]*" <<<" $r" | cut -d= -f2; }
  local verdict_5xx verdict_p99 verdict_rss verdict_rl
  verdict_5xx=$([[ $(val server5xx) == 0 && $(val socket) == 0 ]] && echo met || echo MISSED)
  verdict_p99=$(awk -v p="$(val p99)" 'BEGIN{print (p < 100) ? "met" : "MISSED"}')
  verdict_rss=$(awk -v m="$hwm" -v s="${sat_hwm/-/0}" 'BEGIN{print (m < 150 && s < 150) ? "met" : "MISSED"}')
  verdict_rl=$([[ $rl_5xx == 0 && $rl_429 -gt 0 ]] && echo met || echo MISSED)
  SUMMARY+=("$(printf '%-9s %7s %7s %7s %7s %6s %6s %6s %5s %5s %8s | %7s %7s %5s %8s | %4s/%-4s' \
    "$backend" "$(val rps)" "$(val p50)" "$(val p95)" "$(val p99)" "$(val conflict409)" "$(val invalid422)" \
    "$(val limited429)" "$(val other4xx)" "$(val server5xx)" "$(val socket)/$hwm" "$sat" "$sat_p99" "$sat_5xx" "$sat_hwm" "$rl_429" "$rl_5xx")")
  SUMMARY+=("          verdicts: zero 5xx $verdict_5xx; p99 < 100 ms $verdict_p99; peak RSS < 150 MB $verdict_rss; 429 past the public limit, no 5xx $verdict_rl")
}

for backend in $BACKENDS; do
  case $backend in
    sqlite)
      db="$WORK/load.db"
      run_backend sqlite "sqlite://$db?mode=rwc" "$db"
      ;;
    postgres)
      name="depot_load_$$"
      psql -q "$BENCH_PG/postgres" -c "CREATE DATABASE $name" >/dev/null
      run_backend postgres "$BENCH_PG/$name" "$BENCH_PG/$name"
      psql -q "$BENCH_PG/postgres" -c "DROP DATABASE $name" >/dev/null
      ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
done

echo
echo "Summary ($CLIENTS users, ${SECONDS_RUN} s, think time $((THINK_MS / 2))-$((THINK_MS * 3 / 2)) ms; saturation ${SAT_SECONDS} s without think time; $(nproc) cores shared by server and generator)"
printf '%-9s %7s %7s %7s %7s %6s %6s %6s %5s %5s %8s | %7s %7s %5s %8s | %s\n' \
  backend req/s p50ms p95ms p99ms 409 422 429 4xx 5xx sock/RSSMB sat-rps sat-p99 5xx sat-RSS "rate-limit 429/5xx"
printf '%s\n' "${SUMMARY[@]}"
