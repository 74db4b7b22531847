#!/usr/bin/env bash
# Tile benchmark: OtklikTiles (release otklik-bench) and PostGIS ST_AsMVT on the same points and tiles, one run.
# Prints a Markdown section. Needs `make bench` to have built .build/release/otklik-bench first.
# PostGIS: Debian's postgresql + postgis (apt-get install -y postgresql postgis); a throw-away cluster in a temp
# directory on a loopback port, stopped at the end.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
BIN="${OTKLIK_BENCH:-.build/release/otklik-bench}"
[ -x "$BIN" ] || { echo "tiles.sh: $BIN is missing: build release first (make bench)" >&2; exit 1; }
TMP="$(mktemp -d /tmp/otklik-tiles-bench.XXXXXX)"
chmod 755 "$TMP"
PORT="${TILES_PG_PORT:-54329}"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
STARTED=""
cleanup() {
  if [ -n "$STARTED" ]; then as_pg "$PGBIN/pg_ctl" -D "$TMP/pg" -m fast stop >/dev/null 2>&1 || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

CMD_OURS="$BIN tiles --points-out points.csv --tiles-out tiles.csv --mbtiles incidents.mbtiles"
"$BIN" tiles --points-out "$TMP/points.csv" --tiles-out "$TMP/tiles.csv" --json-out "$TMP/ours.json" \
  --mbtiles "$TMP/incidents.mbtiles" >"$TMP/ours.md"
cat "$TMP/ours.md"
if command -v ogrinfo >/dev/null; then
  echo
  echo "GDAL reads the built file: \`ogrinfo -so incidents.mbtiles\` → $(ogrinfo -ro -so "$TMP/incidents.mbtiles" 2>&1 | grep -m1 -o 'using driver .*' || echo 'failed')"
fi

PEER=""
if [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] && ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] && chown -R postgres "$TMP"
  if as_pg "$PGBIN/initdb" -D "$TMP/pg" -A trust -U postgres --no-sync >"$TMP/initdb.log" 2>&1 &&
     as_pg "$PGBIN/pg_ctl" -D "$TMP/pg" -l "$TMP/pg.log" -w -o "-p $PORT -k $TMP -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=512MB -c jit=off" start >/dev/null 2>&1; then
    STARTED=1
    as_pg psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qAt -F'|' -v points="$TMP/points.csv" -v tiles="$TMP/tiles.csv" \
      -f Benchmarks/peers/tiles_postgis.sql >"$TMP/peer.txt" 2>"$TMP/peer.err" && PEER=1 || cat "$TMP/peer.err" >&2
  else
    echo "tiles.sh: PostgreSQL could not be started here (see initdb/pg_ctl logs):" >&2
    tail -5 "$TMP/initdb.log" "$TMP/pg.log" >&2 2>/dev/null || true
  fi
fi

echo
echo "### Peer: PostGIS ST_AsMVT (same points, same 1,000 tiles, same clustering rule)"
echo
if [ -z "$PEER" ]; then
  echo "PostGIS could not be run on this machine (apt-get install -y postgresql postgis), so there is no ratio."
else
python3 - "$TMP/ours.json" "$TMP/peer.txt" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))
rows = [l.strip().split("|") for l in open(sys.argv[2]) if l.strip()]
passes = {r[1]: [float(v) for v in r[2:5]] for r in rows if r[0] == "pass"}
zooms = [r[1:] for r in rows if r[0] == "zoom"]
version = next((r[1:] for r in rows if r[0] == "version"), ["?", "?"])
print(f"PostGIS {version[0]} on PostgreSQL {version[1]}, timed inside the server (plpgsql loop, clock_timestamp per tile).\n")
print("| pass | median ms | p99 ms | max ms |")
print("| --- | ---: | ---: | ---: |")
for name in ("first", "second"):
    m, p, x = passes[name]
    print(f"| PostGIS, pass {name} | {m:.3f} | {p:.3f} | {x:.3f} |")
print("\n| zoom | tiles | PostGIS mean bytes | PostGIS max bytes | ours mean bytes |")
print("| ---: | ---: | ---: | ---: | ---: |")
for z, n, avg, mx in zooms:
    print(f"| {z} | {n} | {avg} | {mx} | {ours['bytes_by_zoom'].get(z, '')} |")
m2, p2, _ = passes["second"]
print(f"\n**Ratio (cold, per tile, PostGIS pass 2 / ours encode-only):** median {m2 / ours['encode_median_ms']:.1f}×, "
      f"p99 {p2 / ours['encode_p99_ms']:.1f}× (ours {ours['encode_median_ms']:.3f} / {ours['encode_p99_ms']:.3f} ms, "
      f"PostGIS {m2:.3f} / {p2:.3f} ms). Ours served cold (with gzip + ETag): median {ours['cold_median_ms']:.3f} ms; "
      f"warm: median {ours['warm_median_ms']:.4f} ms.")
print(f"\nNote: ours reads the points from the in-memory point index that `otklik serve` uses; PostGIS from its GiST index and shared buffers "
      f"(second pass, data cached). Neither figure includes HTTP.")
PY
fi
echo
echo "Commands: \`$CMD_OURS\`; \`psql -v points=points.csv -v tiles=tiles.csv -f Benchmarks/peers/tiles_postgis.sql\` on a temporary cluster (Benchmarks/tiles.sh)."

# Served tiles on the demo database (issue: "1,000 tiles at z8-z14 on the 300k demo database"): `otklik serve` over
# HTTP, cold (a fresh process: tile cache empty, incident points in memory) then warm, against PostGIS on the same
# incidents and the same tiles in this run. Our figure includes HTTP and the Python client; PostGIS's does not.
DEMO_DB="${DEMO_DB:-Benchmarks/out/demo300k.sqlite}"
SERVE_BIN="${OTKLIK_BIN:-.build/release/otklik}"
echo
echo "### Served over HTTP on the demo database"
echo
if [ ! -f "$DEMO_DB" ] || [ ! -x "$SERVE_BIN" ]; then
  echo "Skipped: $DEMO_DB or $SERVE_BIN is missing (make bench builds both)."
  exit 0
fi
mkdir -p "$TMP/demo"
chmod 755 "$TMP/demo"
cp "$DEMO_DB" "$TMP/demo/otklik.sqlite"
npoints=$(python3 Benchmarks/tiles_served.py export "$TMP/demo/otklik.sqlite" "$TMP/demo")
if [ -n "$PEER" ]; then
  [ "$(id -u)" = 0 ] && chown -R postgres "$TMP/demo"
  as_pg psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qAt -F'|' -v points="$TMP/demo/points.csv" -v tiles="$TMP/demo/tiles.csv" \
    -f Benchmarks/peers/tiles_postgis.sql >"$TMP/demo/peer.txt" 2>"$TMP/demo/peer.err" || { cat "$TMP/demo/peer.err" >&2; PEER=""; }
fi
SPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$SERVE_BIN" serve --db "$TMP/demo/otklik.sqlite" --data-dir data --host 127.0.0.1 --port "$SPORT" >"$TMP/demo/serve.log" 2>&1 &
SERVE_PID=$!
trap 'kill $SERVE_PID 2>/dev/null || true; cleanup' EXIT
ready=""
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$SPORT/healthz" 2>/dev/null | grep -q '"tile_points":"ready"'; then ready=1; break; fi
  sleep 0.1
done
sleep 1  # let the start-up scan's memory settle before timing
[ -n "$ready" ] || { echo "otklik serve did not get its tile points ready in 60 s" >&2; tail -5 "$TMP/demo/serve.log" >&2; exit 1; }
python3 Benchmarks/tiles_served.py time 127.0.0.1 "$SPORT" "$TMP/demo/tiles.csv" >"$TMP/demo/ours.json"
# Warm throughput: the same 1,000 tiles, now all in the tile cache, requested round-robin by wrk as a browser
# would (gzip accepted).
WRK_LINE=""
if command -v wrk >/dev/null; then
  python3 - "$TMP/demo/tiles.csv" >"$TMP/demo/tiles.lua" <<'PY'
import csv, sys
paths = [f'"/tiles/incidents/{r["z"]}/{r["x"]}/{r["y"]}.mvt"' for r in csv.DictReader(open(sys.argv[1]))]
print("local paths = {" + ",".join(paths) + "}")
print("local i = 0")
print('request = function() i = i + 1; return wrk.format("GET", paths[(i % #paths) + 1], {["Accept-Encoding"] = "gzip"}) end')
PY
  wrk -t2 -c16 -d10s --latency -s "$TMP/demo/tiles.lua" "http://127.0.0.1:$SPORT" >"$TMP/demo/wrk.txt" 2>&1 || true
  WRK_LINE=$(python3 - "$TMP/demo/wrk.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(label):
    m = re.search(label + r"\s+([\d.]+)(us|ms|s)\b", t)
    if not m: return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
rps = re.search(r"Requests/sec:\s+([\d.]+)", t)
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
print(f"{float(rps.group(1)) if rps else float('nan'):.0f}|{ms('50%'):.3f}|{ms('99%'):.3f}|{non2xx.group(1) if non2xx else 0}")
PY
)
fi
kill "$SERVE_PID" 2>/dev/null || true
python3 - "$TMP/demo/ours.json" "$TMP/demo/peer.txt" "$npoints" "$DEMO_DB" "$WRK_LINE" <<'PY'
import json, os, sys
ours = json.load(open(sys.argv[1]))
wrk = sys.argv[5].split("|") if sys.argv[5] else None
peer = {}
if os.path.exists(sys.argv[2]):
    rows = [l.strip().split("|") for l in open(sys.argv[2]) if l.strip()]
    peer = {r[1]: [float(v) for v in r[2:5]] for r in rows if r[0] == "pass"}
print(f"{int(sys.argv[3]):,} incidents of `{sys.argv[4]}`, {ours['tiles']} tiles at z8-z14 holding sampled incidents.\n")
print("| what | median ms | p99 ms |")
print("| --- | ---: | ---: |")
print(f"| otklik serve, cold, in the server (Server-Timing: index query, MVT, gzip, ETag, cache) | {ours['cold_server_median_ms']:.3f} | {ours['cold_server_p99_ms']:.3f} |")
print(f"| otklik serve, cold, at the client (HTTP round trip included) | {ours['cold_median_ms']:.3f} | {ours['cold_p99_ms']:.3f} |")
print(f"| otklik serve, warm, at the client (cache hit) | {ours['warm_median_ms']:.3f} | {ours['warm_p99_ms']:.3f} |")
if "second" in peer:
    m, p, _ = peer["second"]
    print(f"| PostGIS ST_AsMVT, pass 2, in the server (no HTTP) | {m:.3f} | {p:.3f} |")
    print(f"\n**Ratio (cold, per tile, in the server, PostGIS / otklik):** median {m / ours['cold_server_median_ms']:.1f}×, "
          f"p99 {p / ours['cold_server_p99_ms']:.1f}×. At the client, with our HTTP round trip and not PostGIS's: "
          f"median {m / ours['cold_median_ms']:.1f}×, p99 {p / ours['cold_p99_ms']:.1f}×.")
if wrk:
    print(f"\n**Warm throughput** (wrk -t2 -c16 -d10s, the same 1,000 tiles round-robin from the cache, gzip accepted): "
          f"{float(wrk[0]):,.0f} tiles/s, p50 {wrk[1]} ms, p99 {wrk[2]} ms, non-2xx {wrk[3]}.")
else:
    print("\nWarm throughput: wrk is not installed here (apt-get install -y wrk).")
print("\nMean bytes per tile by zoom (served, uncompressed): " +
      ", ".join(f"z{z} {b:,}" for z, b in ours["bytes_by_zoom"].items()) + ".")
PY
echo
echo "Commands: \`python3 Benchmarks/tiles_served.py export\` (points and tiles), the same PostGIS script on them, \`otklik serve\` and \`python3 Benchmarks/tiles_served.py time\`, then \`wrk -t2 -c16 -d10s --latency -s tiles.lua\` over the same tiles (Benchmarks/tiles.sh)."
