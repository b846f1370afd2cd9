# Bulk fill of a migrated depot database by SQL (recursive CTE on SQLite,
# generate_series on PostgreSQL): far faster than going through the API, so a
# realistic volume takes seconds to minutes. Sourced by overdue.sh and load.sh.
#
#   seed_sqlite FILE   /   seed_postgres URL
#
# Settings (environment, read when called):
#   TODAY     the server's today, YYYY-MM-DD (Copenhagen)
#   CITIZENS  citizens, each with an address in one of the areas' postal codes
#   LOANS     loans: ~85 % returned (history), the rest active; §112 every seventh;
#             start dates spread over two years before TODAY; the loan's area is
#             its citizen's
#   ORDERS    orders (0 = none), each with one or two lines; 1 % received,
#             1 % confirmed, 1 % cancelled (those from the last week), the rest
#             delivered; ORDERERS = "coordinator_id therapist_id depot_id" (users
#             that exist already) must be set when ORDERS > 0
#   PRODUCTS  products (the first ten Kvik-eligible), UNITS physical units
#   KVIK      1 = opening hours Monday-Friday 09:00-15:00, 10-minute slots for
#             KVIK_CAPACITY visitors, so public booking has free times
#
# Citizen c: CPR DDMMYY-XXXX with DD = 1 + c / 10000 (c < 280,000), MM = 01,
# YY = 40, XXXX = c % 10000 (a valid birth date, unique); address
# "Benchvej {c % 500} {c / 500 + 1}" in postal code number c % 9; area c % 3 + 1.

seed_defaults() {
  CITIZENS=${CITIZENS:-100000}
  LOANS=${LOANS:-1000000}
  ORDERS=${ORDERS:-0}
  PRODUCTS=${PRODUCTS:-40}
  UNITS=${UNITS:-20000}
  KVIK=${KVIK:-0}
  KVIK_CAPACITY=${KVIK_CAPACITY:-10}
  read -r COORDINATOR_ID THERAPIST_ID DEPOT_ID <<<"${ORDERERS:-0 0 0}"
}

# Areas and their postal codes (again is harmless: load.sh adds them before the
# users, as a therapist needs an area). $1 = sqlite or postgres.
seed_areas_sql() {
  local ins="INSERT INTO" end=";"
  if [[ $1 == sqlite ]]; then ins="INSERT OR IGNORE INTO"; else end=" ON CONFLICT DO NOTHING;"; fi
  cat <<SQL
$ins area (id, code, name, slip_phone, list_recipients, list_cadence) VALUES
 (1,'nord','Område Nord','+4589151010','nord@bench.invalid','weekly'),
 (2,'syd','Område Syd','+4589152020','syd@bench.invalid','weekly'),
 (3,'vest','Område Vest','+4589153030','vest@bench.invalid','weekly')$end
$ins area_postcode (postal_code, area_id, city) VALUES
 ('8900',1,'Randers C'),('8920',2,'Randers NV'),('8930',3,'Randers NØ'),
 ('8940',1,'Randers SV'),('8960',2,'Randers SØ'),('8870',3,'Langå'),
 ('8981',1,'Spentrup'),('8983',2,'Gjerlev J'),('8990',3,'Fårup')$end
SQL
}

# Postal code number k (0..8) in the order above, as an SQL CASE on expression $1.
seed_postcode_case() {
  echo "CASE ($1) % 9 WHEN 0 THEN '8900' WHEN 1 THEN '8920' WHEN 2 THEN '8930' WHEN 3 THEN '8940' WHEN 4 THEN '8960' WHEN 5 THEN '8870' WHEN 6 THEN '8981' WHEN 7 THEN '8983' ELSE '8990' END"
}

seed_sqlite() {
  seed_defaults
  local pc; pc=$(seed_postcode_case c)
  sqlite3 "$1" >/dev/null <<SQL
PRAGMA synchronous=OFF;
PRAGMA journal_mode=WAL;
PRAGMA cache_size=-200000;
BEGIN;
$(seed_areas_sql sqlite)
WITH RECURSIVE n(k) AS (SELECT 1 WHERE $PRODUCTS > 0 UNION ALL SELECT k+1 FROM n WHERE k < $PRODUCTS)
INSERT INTO product (id, code, name, iso9999, kvik_eligible, volume, service_minutes, active)
SELECT k, printf('12-06-%02d-%02d', k / 10, k % 10), 'Hjælpemiddel ' || k, '12 06 06', k <= 10, 1 + k % 5, 10, 1 FROM n;
WITH RECURSIVE n(u) AS (SELECT 1 WHERE $UNITS > 0 UNION ALL SELECT u+1 FROM n WHERE u < $UNITS)
INSERT INTO unit (id, product_id, serial, status, updated_at)
SELECT u, u % $PRODUCTS + 1, 'SN' || u, CASE WHEN u % 3 = 0 THEN 'on_loan' ELSE 'available' END, '2026-01-01T00:00:00+00:00' FROM n;
WITH RECURSIVE n(c) AS (SELECT 1 UNION ALL SELECT c+1 FROM n WHERE c < $CITIZENS)
INSERT INTO address (id, street, house_number, floor, door, postal_code, city, lat, lon, norm_key)
SELECT c, 'Benchvej ' || (c % 500), CAST(c / 500 + 1 AS TEXT), NULL, NULL, $pc,
  (SELECT city FROM area_postcode WHERE postal_code = $pc), NULL, NULL,
  'benchvej ' || (c % 500) || '|' || (c / 500 + 1) || '|||' || $pc FROM n;
WITH RECURSIVE n(c) AS (SELECT 1 UNION ALL SELECT c+1 FROM n WHERE c < $CITIZENS)
INSERT INTO citizen (id, cpr, name, phone, address_id, created_at, updated_at)
SELECT c, printf('%02d0140%04d', 1 + c / 10000, c % 10000), 'Borger ' || c, '+4586' || printf('%06d', c % 1000000), c,
  '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 WHERE $LOANS > 0 UNION ALL SELECT i+1 FROM n WHERE i < $LOANS),
 l AS (SELECT i, i % $CITIZENS + 1 AS c, date('$TODAY', '-' || (i * 7919 % 730) || ' days') AS start FROM n)
INSERT INTO loan (citizen_id, product_id, unit_id, order_id, area_id, legal_basis, start_date, due_date, status, returned_on, created_at, updated_at)
SELECT c, i % $PRODUCTS + 1, NULL, NULL, c % 3 + 1,
  CASE WHEN i % 7 = 0 THEN 'serviceloven_112' ELSE 'sundhedsloven_140' END,
  start,
  CASE WHEN i % 7 = 0 THEN NULL ELSE date(start, '+3 months') END,
  CASE WHEN i % 20 < 17 THEN 'returned' ELSE 'active' END,
  CASE WHEN i % 20 < 17 THEN start ELSE NULL END,
  '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'
FROM l;
WITH RECURSIVE n(j) AS (SELECT 1 WHERE $ORDERS > 0 UNION ALL SELECT j+1 FROM n WHERE j < $ORDERS),
 o AS (SELECT j, (j * 7) % $CITIZENS + 1 AS c, j % 3 AS src,
   CASE j % 100 WHEN 0 THEN 'received' WHEN 1 THEN 'confirmed' WHEN 2 THEN 'cancelled' ELSE 'delivered' END AS status,
   CASE WHEN j % 100 < 3 THEN j % 7 ELSE (j * 7919) % 730 + 7 END AS age FROM n),
 d AS (SELECT *, date('$TODAY', '-' || age || ' days') AS created FROM o)
INSERT INTO orders (id, kind, source, citizen_id, address_id, discharge_at, deliver_by, delivery_mode, legal_basis, status,
  access_notes, contact_phone, notes, ordered_by, idempotency_key, request_hash, loan_id, stop_id, created_at, updated_at, completed_at)
SELECT j, CASE WHEN j % 10 = 9 THEN 'pickup' ELSE 'delivery' END,
  CASE src WHEN 0 THEN 'hospital' WHEN 1 THEN 'therapist' ELSE 'depot' END, c, c,
  CASE WHEN src = 0 THEN date(created, '+2 days') || 'T09:00:00+00:00' ELSE NULL END,
  date(created, '+2 days'), 'delivery',
  CASE WHEN j % 7 = 0 THEN 'serviceloven_112' ELSE 'sundhedsloven_140' END, status,
  NULL, NULL, NULL,
  CASE src WHEN 0 THEN $COORDINATOR_ID WHEN 1 THEN $THERAPIST_ID ELSE $DEPOT_ID END,
  NULL, NULL, NULL, NULL, created || 'T08:00:00+00:00', created || 'T08:00:00+00:00',
  CASE WHEN status = 'delivered' THEN date(created, '+2 days') || 'T12:00:00+00:00' ELSE NULL END
FROM d;
INSERT INTO order_line (order_id, product_id, quantity, unit_id)
SELECT id, id % $PRODUCTS + 1, 1, NULL FROM orders;
INSERT INTO order_line (order_id, product_id, quantity, unit_id)
SELECT id, (id + 7) % $PRODUCTS + 1, 1, NULL FROM orders WHERE id % 3 = 0;
INSERT INTO kvik_opening (weekday, opens, closes, slot_minutes, capacity, active)
SELECT w, '09:00', '15:00', 10, $KVIK_CAPACITY, 1 FROM (SELECT 1 AS w UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5)
WHERE $KVIK = 1;
COMMIT;
ANALYZE;
SQL
}

seed_postgres() {
  seed_defaults
  local pc; pc=$(seed_postcode_case c)
  psql -q -v ON_ERROR_STOP=1 "$1" >/dev/null <<SQL
SET synchronous_commit = off;
SET TIME ZONE 'UTC';
BEGIN;
$(seed_areas_sql postgres)
INSERT INTO product (id, code, name, iso9999, kvik_eligible, volume, service_minutes, active)
SELECT k, '12-06-' || lpad((k / 10)::text, 2, '0') || '-' || lpad((k % 10)::text, 2, '0'), 'Hjælpemiddel ' || k, '12 06 06',
  k <= 10, 1 + k % 5, 10, true FROM generate_series(1, $PRODUCTS) AS k;
INSERT INTO unit (id, product_id, serial, status, updated_at)
SELECT u, u % $PRODUCTS + 1, 'SN' || u, CASE WHEN u % 3 = 0 THEN 'on_loan' ELSE 'available' END, '2026-01-01T00:00:00Z'
FROM generate_series(1, $UNITS) AS u;
INSERT INTO address (id, street, house_number, floor, door, postal_code, city, lat, lon, norm_key)
SELECT c, 'Benchvej ' || (c % 500), (c / 500 + 1)::text, NULL, NULL, $pc,
  (SELECT city FROM area_postcode WHERE postal_code = $pc), NULL, NULL,
  'benchvej ' || (c % 500) || '|' || (c / 500 + 1) || '|||' || $pc
FROM generate_series(1, $CITIZENS) AS c;
INSERT INTO citizen (id, cpr, name, phone, address_id, created_at, updated_at)
SELECT c, lpad((1 + c / 10000)::text, 2, '0') || '0140' || lpad((c % 10000)::text, 4, '0'), 'Borger ' || c,
  '+4586' || lpad((c % 1000000)::text, 6, '0'), c, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
FROM generate_series(1, $CITIZENS) AS c;
INSERT INTO loan (citizen_id, product_id, unit_id, order_id, area_id, legal_basis, start_date, due_date, status, returned_on, created_at, updated_at)
SELECT c, i % $PRODUCTS + 1, NULL, NULL, c % 3 + 1,
  CASE WHEN i % 7 = 0 THEN 'serviceloven_112' ELSE 'sundhedsloven_140' END,
  s,
  CASE WHEN i % 7 = 0 THEN NULL ELSE (s + interval '3 months')::date END,
  CASE WHEN i % 20 < 17 THEN 'returned' ELSE 'active' END,
  CASE WHEN i % 20 < 17 THEN s ELSE NULL END,
  '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
FROM (SELECT i, i % $CITIZENS + 1 AS c, DATE '$TODAY' - ((i::bigint * 7919) % 730)::int AS s
      FROM generate_series(1, $LOANS) AS i) AS g;
INSERT INTO orders (id, kind, source, citizen_id, address_id, discharge_at, deliver_by, delivery_mode, legal_basis, status,
  access_notes, contact_phone, notes, ordered_by, idempotency_key, request_hash, loan_id, stop_id, created_at, updated_at, completed_at)
SELECT j, CASE WHEN j % 10 = 9 THEN 'pickup' ELSE 'delivery' END,
  CASE src WHEN 0 THEN 'hospital' WHEN 1 THEN 'therapist' ELSE 'depot' END, c, c,
  CASE WHEN src = 0 THEN (created + 2) + time '09:00' ELSE NULL END,
  created + 2, 'delivery',
  CASE WHEN j % 7 = 0 THEN 'serviceloven_112' ELSE 'sundhedsloven_140' END, status,
  NULL, NULL, NULL,
  CASE src WHEN 0 THEN $COORDINATOR_ID WHEN 1 THEN $THERAPIST_ID ELSE $DEPOT_ID END,
  NULL, NULL, NULL, NULL, created + time '08:00', created + time '08:00',
  CASE WHEN status = 'delivered' THEN (created + 2) + time '12:00' ELSE NULL END
FROM (SELECT j, c, src, status, DATE '$TODAY' - age AS created FROM (
  SELECT j, ((j::bigint * 7) % $CITIZENS + 1)::int AS c, j % 3 AS src,
    CASE j % 100 WHEN 0 THEN 'received' WHEN 1 THEN 'confirmed' WHEN 2 THEN 'cancelled' ELSE 'delivered' END AS status,
    CASE WHEN j % 100 < 3 THEN j % 7 ELSE ((j::bigint * 7919) % 730)::int + 7 END AS age
  FROM generate_series(1, $ORDERS) AS j) AS o) AS d;
INSERT INTO order_line (order_id, product_id, quantity, unit_id)
SELECT id, id % $PRODUCTS + 1, 1, NULL FROM orders;
INSERT INTO order_line (order_id, product_id, quantity, unit_id)
SELECT id, (id + 7) % $PRODUCTS + 1, 1, NULL FROM orders WHERE id % 3 = 0;
INSERT INTO kvik_opening (weekday, opens, closes, slot_minutes, capacity, active)
SELECT w, '09:00', '15:00', 10, $KVIK_CAPACITY, true FROM generate_series(1, 5) AS w WHERE $KVIK = 1;
SELECT setval(pg_get_serial_sequence('area', 'id'), 3);
SELECT setval(pg_get_serial_sequence('product', 'id'), GREATEST($PRODUCTS, 1));
SELECT setval(pg_get_serial_sequence('unit', 'id'), GREATEST($UNITS, 1));
SELECT setval(pg_get_serial_sequence('address', 'id'), GREATEST($CITIZENS, 1));
SELECT setval(pg_get_serial_sequence('citizen', 'id'), GREATEST($CITIZENS, 1));
SELECT setval(pg_get_serial_sequence('orders', 'id'), GREATEST($ORDERS, 1));
COMMIT;
VACUUM ANALYZE;
SQL
}
