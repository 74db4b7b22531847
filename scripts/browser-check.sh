#!/usr/bin/env bash
# Loads the map page in headless Chromium, saves a screenshot and checks that the layers loaded.
#
#   scripts/browser-check.sh [BASE_URL] [OUT_DIR]
#
# BASE_URL: a running Otklik server with demo data (e.g. http://127.0.0.1:8080). Without it the script starts
# scripts/browser-check-mock.py (the same endpoints and fields, synthetic data) on a loopback port.
# OUT_DIR (default .build/browser-check): map.png (the screenshot), dom.html, chromium.log.
# Checks: the page says it is ready, districts/incidents/hotspots counts are non-zero, the page recorded no
# errors, and Chromium logged no console errors. Skips (exit 0, with a message) only where Chromium is absent
# and cannot be installed.
set -u
cd "$(dirname "$0")/.."
BASE="${1:-}"
OUT="${2:-.build/browser-check}"
mkdir -p "$OUT"

CHROME="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$CHROME" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >"$OUT/apt.log" 2>&1 || true
  CHROME="$(command -v chromium || true)"
fi
if [ -z "$CHROME" ]; then
  echo "browser-check: SKIPPED: chromium is not installed and cannot be installed here (apt-get install chromium)"
  exit 0
fi

MOCK_PID=""
cleanup() { [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null; }
trap cleanup EXIT
if [ -z "$BASE" ]; then
  PORT="${BROWSER_CHECK_PORT:-8765}"
  python3 scripts/browser-check-mock.py --port "$PORT" >"$OUT/mock.log" 2>&1 &
  MOCK_PID=$!
  BASE="http://127.0.0.1:$PORT"
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$BASE/api/v1/categories" 2>/dev/null && break
    sleep 0.2
  done
fi

FLAGS=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions
       --window-size=1400,900 --virtual-time-budget=25000 --run-all-compositor-stages-before-draw
       --enable-logging=stderr --v=0 --user-data-dir="$OUT/profile")
timeout 120 "$CHROME" "${FLAGS[@]}" --dump-dom "$BASE/" >"$OUT/dom.html" 2>"$OUT/chromium.log"
timeout 120 "$CHROME" "${FLAGS[@]}" --screenshot="$OUT/map.png" "$BASE/" >/dev/null 2>>"$OUT/chromium.log"
# Zoomed into Smolensk: raw incident points from the z15 tiles instead of clusters.
timeout 120 "$CHROME" "${FLAGS[@]}" --dump-dom "$BASE/#15/54.782/32.045" >"$OUT/dom-city.html" 2>>"$OUT/chromium.log"
timeout 120 "$CHROME" "${FLAGS[@]}" --screenshot="$OUT/map-city.png" "$BASE/#15/54.782/32.045" >/dev/null 2>>"$OUT/chromium.log"

passed=0; failed=0
check() { # name, condition result (0 ok)
  if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}
attr() { grep -o "id=\"stats\"[^>]*" "${2:-$OUT/dom.html}" | grep -o "data-$1=\"[^\"]*\"" | head -1 | sed 's/.*="\(.*\)"/\1/'; }
positive() { [ -n "$1" ] && [ "$1" -gt 0 ] 2>/dev/null; }

[ "$(attr ready)" = "true" ]; check "page finished loading (data-ready)" $?
positive "$(attr districts)"; check "districts drawn: $(attr districts)" $?
positive "$(attr incidents)"; check "incidents drawn: $(attr incidents)" $?
positive "$(attr hotspots)"; check "hotspots drawn: $(attr hotspots)" $?
[ "$(attr errors)" = "0" ]; check "no errors recorded by the page ($(attr errors))" $?
! grep -E 'CONSOLE.*(Uncaught|Error|Failed to load resource)' "$OUT/chromium.log" >/dev/null; check "no console errors or failed requests in Chromium's log" $?
positive "$(attr incidents "$OUT/dom-city.html")"; check "incidents drawn zoomed into Smolensk: $(attr incidents "$OUT/dom-city.html")" $?
[ "$(attr errors "$OUT/dom-city.html")" = "0" ]; check "no errors recorded zoomed in" $?
[ -s "$OUT/map.png" ] && [ -s "$OUT/map-city.png" ]; check "screenshots saved to $OUT/map.png and map-city.png" $?
grep -q 'Смоленск\|район' "$OUT/dom.html"; check "Russian text reached the DOM" $?

echo "browser-check against $BASE"
echo "browser-check: $passed passed, $failed failed"
[ "$failed" = 0 ]
