#!/usr/bin/env bash
# Loads the map page in headless Chromium, saves screenshots at given views and checks what the page drew.
#
#   scripts/browser-check.sh [BASE_URL] [OUT_DIR]
#
# BASE_URL: a running Otklik server with demo data (e.g. http://127.0.0.1:8080). Without it the script starts
# scripts/browser-check-mock.py (the same endpoints and fields, synthetic data) on a loopback port, with its
# own loopback basemap when BROWSER_CHECK_BASEMAP=1.
# OUT_DIR (default .build/browser-check): map.png (the default view), map-<name>.png for each view, dom*.html,
# chromium.log.
#
# Environment:
#   BROWSER_CHECK_VIEWS     space-separated name=zoom/lat/lon (default: z8 over the oblast, z15 over Vyazma);
#                           each gives map-<name>.png and dom-<name>.html, and must show place labels
#   BROWSER_CHECK_DISTRICT  the district opened as /?district=… (default Вяземский район)
#   BROWSER_CHECK_BASEMAP_PORT  start the mock on this loopback port only to serve basemap tiles
#                           (/basemap/{z}/{x}/{y}.png) for a real server configured to use them
#   BROWSER_CHECK_QUICK=1   only the first view: labels, no errors, and no basemap unless one is configured
# Whether basemap tiles must appear is read from BASE_URL/web/config.json.
# Skips (exit 0, with a message) only where Chromium is absent and cannot be installed.
set -u
cd "$(dirname "$0")/.."
BASE="${1:-}"
OUT="${2:-.build/browser-check}"
VIEWS="${BROWSER_CHECK_VIEWS:-z8=8/54.72/33.05 z15=15/55.2058/34.2981}"
DISTRICT="${BROWSER_CHECK_DISTRICT:-Вяземский район}"
QUICK="${BROWSER_CHECK_QUICK:-0}"
mkdir -p "$OUT"
rm -f "$OUT"/map*.png "$OUT"/dom*.html "$OUT"/chromium.log

CHROME="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$CHROME" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >"$OUT/apt.log" 2>&1 || true
  CHROME="$(command -v chromium || true)"
fi
if [ -z "$CHROME" ]; then
  echo "browser-check: SKIPPED: chromium is not installed and cannot be installed here (apt-get install chromium)"
  exit 0
fi

PIDS=()
# KILL, not TERM: a test runner may start this script with SIGTERM blocked, and the mock inherits that mask.
cleanup() { for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done; }
trap cleanup EXIT
start_mock() { # port, extra args…; waits until it answers
  local port="$1"; shift
  python3 scripts/browser-check-mock.py --port "$port" "$@" >"$OUT/mock-$port.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 150); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/api/v1/categories" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "browser-check: the mock on port $port did not start"; cat "$OUT/mock-$port.log"; exit 1
}
if [ -n "${BROWSER_CHECK_BASEMAP_PORT:-}" ]; then start_mock "$BROWSER_CHECK_BASEMAP_PORT"; fi
if [ -z "$BASE" ]; then
  PORT="${BROWSER_CHECK_PORT:-8765}"
  if [ "${BROWSER_CHECK_BASEMAP:-0}" = 1 ]; then start_mock "$PORT" --basemap; else start_mock "$PORT"; fi
  BASE="http://127.0.0.1:$PORT"
fi
CONFIG="$(curl -fsS "$BASE/web/config.json" 2>/dev/null || echo '{}')"
if echo "$CONFIG" | grep -Eq '"basemap": *\{'; then EXPECT_BASEMAP=1; else EXPECT_BASEMAP=0; fi

FLAGS=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions
       --window-size=1400,900 --virtual-time-budget=25000 --run-all-compositor-stages-before-draw
       --enable-logging=stderr --v=0 --user-data-dir="$OUT/profile" --lang=ru-RU)
dom() { timeout 120 "$CHROME" "${FLAGS[@]}" --dump-dom "$BASE/$1" >"$OUT/$2" 2>>"$OUT/chromium.log"; }
shot() { timeout 120 "$CHROME" "${FLAGS[@]}" --screenshot="$OUT/$2" "$BASE/$1" >/dev/null 2>>"$OUT/chromium.log"; }
urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

passed=0; failed=0
check() { # name, condition result (0 ok)
  if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}
attr() { grep -o "id=\"stats\"[^>]*" "$2" | grep -o "data-$1=\"[^\"]*\"" | head -1 | sed 's/.*="\(.*\)"/\1/'; }
stats_text() { grep -o "id=\"stats\"[^>]*>[^<]*" "$1" | sed 's/.*>//'; }
positive() { [ -n "$1" ] && [ "$1" -gt 0 ] 2>/dev/null; }
count() { grep -o "$1" "$2" | wc -l; }
page_ok() { # dom file, label
  local f="$OUT/$1"
  [ "$(attr ready "$f")" = "true" ]; r=$?; check "$2: page finished loading (data-ready)" $r
  [ "$(attr errors "$f")" = "0" ]; r=$?; check "$2: no errors recorded by the page ($(attr errors "$f") $(grep -o "id=\"stats\"[^>]*" "$f" | grep -o "title=\"[^\"]*\""))" $r
}
labels_ok() { # dom file, label
  local f="$OUT/$1" n
  n=$(count 'class="[^"]*place-label' "$f")
  positive "$n" && [ "$n" = "$(attr labels "$f")" ]; r=$?; check "$2: settlement labels in the DOM: $n (page says $(attr labels "$f"))" $r
}
basemap_ok() { # dom file, label
  local f="$OUT/$1" n
  n=$(count 'leaflet-tile-loaded' "$f")
  if [ "$EXPECT_BASEMAP" = 1 ]; then
    positive "$n" && positive "$(attr basemap-tiles "$f")"; r=$?; check "$2: basemap tiles loaded: $n" $r
    grep -q 'leaflet-control-attribution[^>]*>.*Подложка\|leaflet-control-attribution' "$f"; r=$?; check "$2: attribution shown" $r
  else
    [ "$n" = 0 ]; r=$?; check "$2: no basemap configured, none drawn ($n tiles)" $r
  fi
}

set -- $VIEWS
FIRST="${1%%=*}"
for view in $VIEWS; do
  name="${view%%=*}"; hash="${view#*=}"
  dom "#$hash" "dom-$name.html"
  shot "#$hash" "map-$name.png"
  page_ok "dom-$name.html" "$name"
  labels_ok "dom-$name.html" "$name"
  basemap_ok "dom-$name.html" "$name"
  [ -s "$OUT/map-$name.png" ]; r=$?; check "$name: screenshot saved to $OUT/map-$name.png" $r
  [ "$QUICK" = 1 ] && break
done

if [ "$QUICK" != 1 ]; then
  dom "" dom.html
  shot "" map.png
  f="$OUT/dom.html"
  page_ok dom.html "oblast"
  positive "$(attr districts "$f")"; r=$?; check "oblast: districts drawn: $(attr districts "$f")" $r
  positive "$(attr incidents "$f")"; r=$?; check "oblast: incidents drawn: $(attr incidents "$f")" $r
  positive "$(attr hotspots "$f")"; r=$?; check "oblast: hotspots counted: $(attr hotspots "$f")" $r
  positive "$(attr district-labels "$f")"; r=$?; check "oblast: district names shown: $(attr district-labels "$f")" $r
  text="$(stats_text "$f")"
  echo "$text" | grep -q "очагов: " && ! echo "$text" | grep -qE '[0-9]{4}'; r=$?; check "oblast: header numbers grouped in the Russian way: $text" $r
  FIRST_DOM="$OUT/dom-$FIRST.html"
  positive "$(attr incidents "$OUT/dom-z15.html" 2>/dev/null || attr incidents "$FIRST_DOM")"; r=$?; check "incidents drawn zoomed in" $r
  [ -s "$OUT/map.png" ]; r=$?; check "screenshot saved to $OUT/map.png" $r
  grep -q 'Смоленск' "$f"; r=$?; check "Russian text reached the DOM" $r
  # The ranked panel says what a hotspot is, carries the score's legend, and explains each row in Russian.
  grep -q 'id="hotspot-about"[^>]*>Очаг — место, где жалоб' "$f"; r=$?; check "oblast: the panel says what a hotspot is" $r
  grep -q '<dt>Сила</dt>' "$f"; r=$?; check "oblast: the panel carries the score legend" $r
  why="$(grep -o 'class="why">[^<]*' "$f" | head -1)"
  echo "$why" | grep -qE '[0-9] жалоб[аы]? при ожидаемых [^—]+ — [^,]+, p [<≤=] [0-9]'; r=$?
  check "oblast: a ranked row explains itself: ${why#class=\"why\">}" $r

  # A district from the address, as a report links to the map: selected, zoomed, filtered, linked back.
  enc="$(urlencode "$DISTRICT")"
  dom "?district=$enc" dom-district.html
  shot "?district=$enc" map-district.png
  f="$OUT/dom-district.html"
  page_ok dom-district.html "district"
  [ "$(attr district "$f")" = "$DISTRICT" ]; r=$?; check "district: $DISTRICT chosen from the address" $r
  python3 - "$f" "$DISTRICT" <<'EOF'
import sys
html, name = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
sys.exit(0 if html.count("<option value=") > 20 and f'<option value="{name}">' in html else 1)
EOF
  r=$?; check "district: the selector lists the districts" $r
  positive "$(attr incidents "$f")"; r=$?; check "district: incidents in $DISTRICT: $(attr incidents "$f")" $r
  grep -q "href=\"/api/v1/reports/hotspots?format=html&amp;district=$enc\"" "$f"; r=$?; check "district: the hotspot report link carries the district" $r
  grep -q "href=\"/api/v1/reports/settlements?format=html&amp;district=$enc\"" "$f"; r=$?; check "district: the settlement report link carries the district" $r
  grep -q "href=\"/api/v1/reports/districts?format=html\"" "$f"; r=$?; check "district: the district report link is there" $r
fi
! grep -E 'CONSOLE.*(Uncaught|Error|Failed to load resource|Content Security Policy|Refused)' "$OUT/chromium.log" >/dev/null
check "no console errors, failed requests or CSP refusals in Chromium's log" $?

echo "browser-check against $BASE"
echo "browser-check: $passed passed, $failed failed"
[ "$failed" = 0 ]
