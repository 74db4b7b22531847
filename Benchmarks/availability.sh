#!/usr/bin/env bash
# Availability under abuse: prints a Markdown section for BENCHMARKS.md.
# Starts `otklik serve` on the demo database and runs the long form of scripts/load-check.py against it:
# first 300 clients that ask for limit=10000 OGC pages and read nothing (RSS idle → held → after; SLOW, default
# 300), then 20,000 idle connections, 5 heavy anonymous route plans in a loop and 30 distinct-`since` hotspot reports, with
# /healthz probed throughout; the server's peak RSS comes from /proc/PID/status. All traffic is on 127.0.0.1,
# bounded in count and time (LOAD_SECONDS, default 60).
# Usage: Benchmarks/availability.sh [otklik-binary] [database]
#        (defaults: .build/release/otklik, $DEMO_DB or data/otklik.sqlite)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
BIN=${1:-.build/release/otklik} DB=${2:-${DEMO_DB:-data/otklik.sqlite}}
LOAD_SECONDS=${LOAD_SECONDS:-60} IDLE=${IDLE:-20000} SLOW=${SLOW:-300}
[ -x "$BIN" ] || { echo "$BIN is missing: swift build -c release" >&2; exit 1; }
[ -f "$DB" ] || { echo "$DB is missing: otklik demo --db $DB" >&2; exit 1; }
work=$(mktemp -d)
cleanup() { [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# The server and the load generator each want one descriptor per connection.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
PORT=$(free_port)
"$BIN" serve --db "$DB" --port "$PORT" >"$work/serve.log" 2>&1 &
SERVER_PID=$!
wait_http "http://127.0.0.1:$PORT/healthz"
rss_before=$(awk '/VmRSS/{printf "%.0f", $2/1024}' "/proc/$SERVER_PID/status")
echo "## availability"
echo
echo "\`scripts/load-check.py --long --slow-readers $SLOW --idle $IDLE --duration $LOAD_SECONDS\` against \`otklik serve\` on $(basename "$DB")"
echo "(default limits: 60 s idle, 15 s header, 60 s body, 30 s write timeouts, 4,096 connections capped by the"
echo "open-file limit, 2 route plans and 2 cold analyses at once). Server RSS before the load: ${rss_before} MB."
echo
status=0
python3 scripts/load-check.py --port "$PORT" --pid "$SERVER_PID" --long --slow-readers "$SLOW" --idle "$IDLE" --duration "$LOAD_SECONDS" \
    --markdown || status=$?
echo
curl -fsS "http://127.0.0.1:$PORT/metrics" | grep -E '^otklik_(http_connections_closed_total|heavy_requests_shed_total)' \
    | sed 's/^/    /' || true
echo
exit $status
