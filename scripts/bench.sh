#!/usr/bin/env bash
# Load benchmark of the API on PostgreSQL: N synthetic persons (default 100,000), then
# wrk against an authenticated person get and a person list, as a provincial and a
# county user. Needs wrk (apt-get install wrk) and PostgreSQL on 127.0.0.1:5432.
#
#   scripts/bench.sh [persons] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
SECS="${2:-20}"
DB=xiangzhu_bench
PG="postgres://postgres@127.0.0.1:5432"
PORT=18181
OUT=bench-out
mkdir -p "$OUT"

cargo build --release -q -p xiangzhu-backend --bin xiangzhu
BIN="${CARGO_TARGET_DIR:-target}/release/xiangzhu"

export XIANGZHU_DATA_DIR="$OUT/data" DATABASE_URL="$PG/$DB" XIANGZHU_BIND="127.0.0.1:$PORT" RUST_LOG=warn
have=$(psql -h 127.0.0.1 -U postgres -tAc "SELECT count(*) FROM pg_database WHERE datname='$DB'")
if [ "$have" = "0" ]; then
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB"
fi
count=$(psql -h 127.0.0.1 -U postgres -d $DB -tAc "SELECT count(*) FROM persons" 2>/dev/null || echo 0)
if [ "$count" -lt "$N" ]; then
  # A new seed each time: the same seed would make the same (colliding) people.
  "$BIN" --demo generate --persons $((N - count)) --seed "$count"
fi
psql -h 127.0.0.1 -U postgres -d $DB -qc "ANALYZE"
echo "persons: $(psql -h 127.0.0.1 -U postgres -d $DB -tAc 'SELECT count(*) FROM persons')"

"$BIN" --demo serve > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "localhost:$PORT/readyz" >/dev/null && break; sleep 0.5; done

token() {
  curl -sf -X POST "localhost:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"xiangzhu-demo\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
LEADER=$(token leader)
COUNTY=$(token xiangxiang.staff)
ID=$(curl -sf "localhost:$PORT/api/v1/persons?limit=1&county_code=430381" -H "authorization: Bearer $COUNTY" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')

bench() {
  echo "== $1"
  wrk -t2 -c32 -d"${SECS}s" --latency -H "authorization: Bearer $2" "http://127.0.0.1:$PORT$3" | grep -E 'Requests/sec|50%|99%|Non-2xx|Socket errors' | sed 's/^/   /'
}
bench "GET /persons/{id} (county user)" "$COUNTY" "/api/v1/persons/$ID"
bench "GET /persons?limit=50 (county user)" "$COUNTY" "/api/v1/persons?limit=50"
bench "GET /persons?limit=50 (province leader)" "$LEADER" "/api/v1/persons?limit=50"
bench "GET /persons?limit=50&registered_poor=true&name=王 (province leader)" "$LEADER" "/api/v1/persons?limit=50&registered_poor=true&name=%E7%8E%8B"
bench "GET /kpi/employment?year=2020 (province leader)" "$LEADER" "/api/v1/kpi/employment?year=2020"
