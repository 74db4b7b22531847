#!/usr/bin/env bash
# HTTP benchmark (issue 4): prints a Markdown section for BENCHMARKS.md.
#  1. /ogc/collections/incidents/items?bbox=<a district>&limit=1000: throughput and p99, otklik vs pygeoapi
#     (SQLiteGPKG provider on a GeoPackage exported from the same database), same machine, same run.
#  2. A 10,000-feature page: p50 latency (one connection).
#  3. Single-incident POSTs per second, sustained, on a scratch copy of the database.
# Usage: Benchmarks/http.sh [otklik-binary] [database]    (defaults: .build/release/otklik data/otklik.sqlite)
# Needs: wrk (apt), pygeoapi + gunicorn (pip; installed when missing), ogr2ogr, python3.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
BIN=${1:-.build/release/otklik} SRC_DB=${2:-data/otklik.sqlite}
DURATION=${DURATION:-20s} CONNS=${CONNS:-16} THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
# pygeoapi's SQLite/GeoPackage provider loads mod_spatialite, which needs a Python built with extension
# loading: Debian's /usr/bin/python3 has it (pyenv builds often do not), so the peer gets its own venv.
PEER_VENV=${PEER_VENV:-.build/peers/pygeoapi-venv}
if [ ! -x "$PEER_VENV/bin/gunicorn" ]; then
    /usr/bin/python3 -m venv "$PEER_VENV" && "$PEER_VENV/bin/pip" install -q pygeoapi gunicorn >&2
fi
work=$(mktemp -d)
cleanup() { [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null; [ -n "${PEER_PID:-}" ] && kill "$PEER_PID" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

DB="$work/otklik.sqlite"
cp "$SRC_DB" "$DB"
KEY=bench-$$-$RANDOM
export OTKLIK_API_KEYS="$KEY:operator:bench"
PORT=$(free_port)
# The per-key rate limit is off (--key-rate 0): this measures what the server can store, not the limit.
"$BIN" serve --db "$DB" --port "$PORT" --key-rate 0 >"$work/serve.log" 2>&1 &
SERVER_PID=$!
BASE="http://127.0.0.1:$PORT"
wait_http "$BASE/healthz"

# The district with the most complaints, its bbox from its own polygon.
read -r DISTRICT BBOX < <(curl -fsS "$BASE/ogc/collections/districts/items?limit=1000" | python3 -c '
import json, sys
fs = json.load(sys.stdin)["features"]
f = max(fs, key=lambda f: f["properties"].get("complaints") or 0)
def pts(g):
    c = g["coordinates"]
    rings = c if g["type"] == "Polygon" else [r for p in c for r in p]
    return [p for r in rings for p in r]
p = pts(f["geometry"]); xs = [a[0] for a in p]; ys = [a[1] for a in p]
print(f["properties"]["name"].replace(" ", "_"), f"{min(xs):.5f},{min(ys):.5f},{max(xs):.5f},{max(ys):.5f}")')
ITEMS="/ogc/collections/incidents/items?bbox=$BBOX&limit=1000"
MATCHED=$(curl -fsS "$BASE$ITEMS" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["numberMatched"], d["numberReturned"])')

ours=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$BASE$ITEMS" | wrk_stats)
page10k=$(wrk -t1 -c1 -d"$DURATION" --latency "$BASE/ogc/collections/incidents/items?limit=10000" | wrk_stats)
# 100,000 incidents of one box (the whole region) as GeoJSON, as a client reads them: ten 10,000-feature pages,
# following the next links; best of 3 (issue: incident store, "a bbox query returning 100k incidents").
full100k=$(
    best=""; got=0
    for _ in 1 2 3; do
        url="$BASE/ogc/collections/incidents/items?bbox=30,53,36,57&limit=10000"; got=0; total=0
        while [ -n "$url" ] && [ "$got" -lt 100000 ]; do
            t=$(curl -fsS -o "$work/page.json" -w '%{time_total}' "$url")
            total=$(python3 -c "print($total + $t)")
            tail=$(tail -c 4096 "$work/page.json")
            got=$((got + $(grep -o '"numberReturned":[0-9]*' <<<"$tail" | cut -d: -f2)))
            url=$(grep -o '"href":"[^"]*","rel":"next"' <<<"$tail" | sed 's/^"href":"//; s/","rel":"next"$//' || true)
        done
        if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $total < $best else 1)"; then best=$total; fi
    done
    printf '%.3f %d' "$best" "$got"
)

# Ingest: one feature per POST, unique external ids per thread and request.
cat >"$work/post.lua" <<LUA
local counter, tid = 0, 0
local threads = {}
function setup(thread) thread:set("tid", #threads + 1); table.insert(threads, thread) end
function init(args) tid = tonumber(wrk.thread:get("tid")) or 0 end
request = function()
  counter = counter + 1
  local body = string.format('{"type":"Feature","geometry":{"type":"Point","coordinates":[%.5f,54.78]},"properties":{"source":"hotline","external_id":"bench-%d-%d-%d","category":"road.pothole","reported_at":"2025-03-01T10:00:00Z","description":"Яма, нагрузочный тест"}}', 32.0 + (counter % 1000) / 10000, $$, tid, counter)
  return wrk.format("POST", "/api/v1/incidents", {["Authorization"] = "Bearer $KEY", ["Content-Type"] = "application/geo+json"}, body)
end
LUA
before=$(curl -fsS "$BASE/ogc/collections/incidents/items?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])')
posts=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$work/post.lua" "$BASE" | wrk_stats)
after=$(curl -fsS "$BASE/ogc/collections/incidents/items?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])')
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
# The same POSTs with --durability normal (WAL synced at checkpoints only): what the default, full, costs.
"$BIN" serve --db "$DB" --port "$PORT" --key-rate 0 --durability normal >"$work/serve-normal.log" 2>&1 &
SERVER_PID=$!
wait_http "$BASE/healthz"
before_n=$(curl -fsS "$BASE/ogc/collections/incidents/items?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])')
# New external ids for this pass: replaying the first pass's would measure idempotent hits, not writes.
sed 's/"bench-%d-%d-%d"/"bench-normal-%d-%d-%d"/' "$work/post.lua" >"$work/post-normal.lua"
posts_normal=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$work/post-normal.lua" "$BASE" | wrk_stats)
after_n=$(curl -fsS "$BASE/ogc/collections/incidents/items?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])')
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=

# Peer: pygeoapi on a GeoPackage of the same incidents.
ogr2ogr -f GPKG "$work/incidents.gpkg" "$SRC_DB" incidents -nln incidents -lco FID=fid >/dev/null
PPORT=$(free_port)
PATH="$PEER_VENV/bin:$PATH" "$PEER_VENV/bin/python" "$(dirname "$0")/peers/http_pygeoapi.py" "$work/incidents.gpkg" "$PPORT" "$work/pygeoapi.yml" "$work/pygeoapi-openapi.yml" >/dev/null
PYGEOAPI_CONFIG="$work/pygeoapi.yml" PYGEOAPI_OPENAPI="$work/pygeoapi-openapi.yml" \
    "$PEER_VENV/bin/gunicorn" -w "$(nproc)" -b "127.0.0.1:$PPORT" pygeoapi.flask_app:APP >"$work/pygeoapi.log" 2>&1 &
PEER_PID=$!
wait_http "http://127.0.0.1:$PPORT/collections/incidents"
PEER_ITEMS="/collections/incidents/items?bbox=$BBOX&limit=1000&f=json"
PEER_RETURNED=$(curl -fsS "http://127.0.0.1:$PPORT$PEER_ITEMS" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("numberMatched"), len(d["features"]))')
peer=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$PPORT$PEER_ITEMS" | wrk_stats)
kill "$PEER_PID"; wait "$PEER_PID" 2>/dev/null || true; PEER_PID=

read -r o_rps o_p50 o_p99 o_bad <<<"$ours"
read -r p_rps p_p50 p_p99 p_bad <<<"$peer"
read -r k_rps k_p50 k_p99 k_bad <<<"$page10k"
read -r w_rps w_p50 w_p99 w_bad <<<"$posts"
read -r n_rps n_p50 n_p99 n_bad <<<"$posts_normal"
ratio=$(python3 -c "print(f'{$o_rps / $p_rps:.1f}' if $p_rps > 0 else 'n/a')")
cat <<MD
## HTTP service ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m))

Database: \`$SRC_DB\`; district \`${DISTRICT//_/ }\`, bbox \`$BBOX\` (numberMatched, numberReturned: $MATCHED; pygeoapi: $PEER_RETURNED).
wrk $THREADS threads, $CONNS connections, $DURATION per run, loopback.

| Measurement | otklik | pygeoapi (SQLiteGPKG, gunicorn $(nproc) workers) | ratio |
|---|---|---|---|
| items?bbox=district&limit=1000, req/s | $o_rps | $p_rps | ${ratio}× (target ≥ 10×) |
| same, p50 / p99 ms | $o_p50 / $o_p99 | $p_p50 / $p_p99 | |
| items?limit=10000 (one connection), p50 / p99 ms | $k_p50 / $k_p99 | | target p50 < 150 ms |
| 100,000 features of one box, ten 10k pages following \`next\`, sum of curl's time per page, best of 3, s / features | ${full100k% *} / ${full100k#* } | | target < 0.5 s |
| single-incident POST, req/s sustained, \`--durability full\` (the default: fsync per commit) | $w_rps (p99 $w_p99 ms, non-2xx $w_bad; stored +$((after - before))) | | target ≥ 2,000/s |
| the same, \`--durability normal\` (WAL synced at checkpoints) | $n_rps (p99 $n_p99 ms, non-2xx $n_bad; stored +$((after_n - before_n))) | | |

Commands: \`wrk -t$THREADS -c$CONNS -d$DURATION --latency "<base>$ITEMS"\`; the peer URL is \`$PEER_ITEMS\`;
POSTs use a generated wrk Lua script with unique (source, external_id) per request on a copy of the database,
with the per-key rate limit off (\`--key-rate 0\`).
MD
