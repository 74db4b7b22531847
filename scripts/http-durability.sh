#!/usr/bin/env bash
# Durability: POST incidents concurrently, kill -9 the server mid-stream, restart it, and check that every
# acknowledged incident is present exactly once (and that replaying it is a no-op with the same id).
# Usage: scripts/http-durability.sh path/to/otklik path/to/scratch.sqlite [seconds-before-kill] [workers]
set -euo pipefail
BIN=$1 DB=$2 KILL_AFTER=${3:-3} WORKERS=${4:-8}
KEY=durability-$$-$RANDOM
export OTKLIK_API_KEYS="$KEY:operator:durability"
# As many writes as the server takes, not as many as one key's rate allows (the rate limit has tests of its own).
export OTKLIK_KEY_RATE=0
. "$(dirname "$0")/http-server.sh"
trap http_stop EXIT
http_start
acks=$(mktemp)
python3 "$(dirname "$0")/http-durability.py" post "$BASE" "$KEY" "$acks" "$WORKERS" &
poster=$!
# The kill comes KILL_AFTER seconds after the first acknowledged write, so a slow start on a loaded machine
# does not leave nothing to check.
for _ in $(seq 600); do [ -s "$acks" ] && break; kill -0 "$poster" 2>/dev/null || break; sleep 0.1; done
sleep "$KILL_AFTER"
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
wait "$poster" || true
echo "acknowledged before kill -9: $(wc -l <"$acks")"
http_start
python3 "$(dirname "$0")/http-durability.py" verify "$BASE" "$KEY" "$acks"
