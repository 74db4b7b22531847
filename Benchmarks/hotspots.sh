#!/usr/bin/env bash
# Hotspot benchmarks: our DBSCAN and Gi* against scikit-learn and PySAL on identical data, in one run.
# Builds nothing: `make bench` builds release first. Prints a Markdown section for BENCHMARKS.md.
# Env: BIN (default .build/release/otklik-bench), POINTS (1000000), PEER_POINTS (200000), EPS (50), MINPTS (5),
#      BINS (100000), RUNS (3).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/otklik-bench}
POINTS=${POINTS:-1000000}; PEER_POINTS=${PEER_POINTS:-200000}; EPS=${EPS:-50}; MINPTS=${MINPTS:-5}
BINS=${BINS:-100000}; RUNS=${RUNS:-3}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
SWIFT_CMD="$BIN hotspots --points $POINTS --peer-points $PEER_POINTS --eps $EPS --min-points $MINPTS --bins $BINS --runs $RUNS --write-dir $DIR"
$SWIFT_CMD > "$DIR/swift.txt"
DB_CMD="python3 Benchmarks/peers/hotspots_dbscan.py $DIR $PEER_POINTS $EPS $MINPTS"
GI_CMD="python3 Benchmarks/peers/hotspots_gistar.py $DIR 1250"
$DB_CMD > "$DIR/sklearn.json"
$GI_CMD > "$DIR/esda.json"
python3 - "$DIR" "$SWIFT_CMD" "$DB_CMD" "$GI_CMD" <<'PY'
import json, platform, os, sys, datetime
d, swift_cmd, db_cmd, gi_cmd = sys.argv[1:5]
lines = open(f"{d}/swift.txt").read().splitlines()
s = json.loads(lines[-1]); k = json.load(open(f"{d}/sklearn.json")); e = json.load(open(f"{d}/esda.json"))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
print(f"## Hotspots ({datetime.date.today()}, {cpu}, {os.cpu_count()} cores)\n")
print("Wall time is best of the runs; CPU time (user + system of the process) is shown as well because the")
print("machine is shared with other builds, which inflates wall time. Ratios use CPU time.\n")
print("| task | data | Otklik wall / CPU | peer wall / CPU | ratio (CPU) |")
print("|---|---|---|---|---|")
print(f"| DBSCAN (eps {s['eps']:g} m, minPts {s['min_points']}) | {s['dbscan_points']:,} clustered points, 200×200 km | "
      f"{s['dbscan_seconds']:.3f} s / {s['dbscan_cpu_seconds']:.3f} s | not run at 1M (measured on the 200k subset, next row) | — |")
print(f"| DBSCAN, same parameters | first {s['subset_points']:,} of those points | "
      f"{s['subset_seconds']:.3f} s / {s['subset_cpu_seconds']:.3f} s | "
      f"scikit-learn {k['version']} ball_tree {k['seconds']:.3f} s / {k['cpu_seconds']:.3f} s | "
      f"{k['cpu_seconds'] / s['subset_cpu_seconds']:.1f}× |")
print(f"| Gi* (band 1,250 m, binary, FDR) | {s['gistar_bins']:,} hexagon bins | "
      f"{s['gistar_seconds']:.3f} s / {s['gistar_cpu_seconds']:.3f} s | "
      f"esda {e['version']} weights + G_Local {e['weights_seconds'] + e['gistar_seconds']:.3f} s / {e['cpu_seconds']:.3f} s | "
      f"{e['cpu_seconds'] / s['gistar_cpu_seconds']:.1f}× |")
print()
print(f"- DBSCAN on 1M: {s['dbscan_clusters']:,} clusters, {s['dbscan_noise']:,} noise points; best of {s['runs']} runs, "
      "coordinates in memory to labels. scikit-learn runs on the first 200k points only, to keep the run short; "
      f"its labels are {'identical to' if k['labels_identical'] else 'DIFFERENT from'} ours on that subset.")
print(f"- Gi*: largest |z(Otklik) − z(esda)| = {e['max_abs_z_diff']:.2e}; our time includes the neighbour search.")
print(f"- Commands: `{swift_cmd}`, `{db_cmd}`, `{gi_cmd}` (run by `Benchmarks/hotspots.sh`).")
PY
# The scan with its replicas on 1M points (the demo generator's history, 999 replicas), and the engine around it.
SCAN_POINTS=${SCAN_POINTS:-1000000}
SCAN_CMD="$BIN hotspots --demo $SCAN_POINTS --replicas 999 --runs 1"
$SCAN_CMD > "$DIR/scan.txt"
python3 - "$DIR/scan.txt" "$SCAN_CMD" <<'PY'
import json, sys
s = json.loads(open(sys.argv[1]).read().splitlines()[-1])
print(f"- Scan statistic on {s['points']:,} points, {s['replicas']} replicas (disc counts, expectations, replicas, FDR): "
      f"{s['significance_seconds']:.2f} s wall / {s['significance_cpu_seconds']:.2f} s CPU (target < 10 s); whole engine "
      f"{s['analysis_seconds']:.2f} s wall, {s['clusters']:,} clusters. Command: `{sys.argv[2]}`.")
PY
