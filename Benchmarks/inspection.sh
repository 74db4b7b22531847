#!/usr/bin/env bash
# Inspection routes: TSPLIB gaps and planner timings of `otklik-bench inspection`, with OR-Tools (GUIDED_LOCAL_SEARCH,
# 1 s per instance) and LKH (elkai, 1 run) on the same instances and distance functions, in one run.
# Expects the release build (make bench builds it). Prints a Markdown section on stdout.
# Options: MAX_NODES (default 1000), ONLY (comma list), TSPLIB (default ../shared/data/tsplib).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/otklik-bench
TSPLIB=${TSPLIB:-../shared/data/tsplib}
MAX_NODES=${MAX_NODES:-1000}
ONLY=${ONLY:-}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [ ! -x "$BIN" ]; then echo "missing $BIN: build with 'swift build -c release --product otklik-bench'" >&2; exit 1; fi
if [ ! -f "$TSPLIB/optimal_lengths.csv" ]; then echo "## Inspection routes"; echo; echo "TSPLIB data absent ($TSPLIB): skipped."; exit 0; fi

ours_args=(inspection --tsplib "$TSPLIB" --max-nodes "$MAX_NODES" --json "$WORK/ours.json")
[ -n "$ONLY" ] && ours_args+=(--only "$ONLY")
"$BIN" "${ours_args[@]}" > "$WORK/ours.txt"

peer_note=""
for pkg in ortools elkai; do
  if ! python3 -c "import $pkg" 2>/dev/null; then
    pip install --quiet "$pkg" >/dev/null 2>&1 || peer_note="$peer_note $pkg could not be installed;"
  fi
done
peer_args=("$TSPLIB" --max-nodes "$MAX_NODES" --seconds 1 --lkh-runs 1 --json "$WORK/peers.json")
[ -n "$ONLY" ] && peer_args+=(--only "$ONLY")
python3 Benchmarks/peers/inspection_peers.py "${peer_args[@]}" 2> "$WORK/peers.log" || peer_note="$peer_note peers failed: $(tail -1 "$WORK/peers.log");"

python3 - "$WORK/ours.json" "$WORK/peers.json" "$peer_note" "$MAX_NODES" <<'PY'
import json, os, platform, sys, datetime
ours = json.load(open(sys.argv[1]))
peers = {r["name"]: r for r in (json.load(open(sys.argv[2])) if os.path.exists(sys.argv[2]) else [])}
note, max_nodes = sys.argv[3].strip(), sys.argv[4]
gap = lambda v, opt: (v - opt) / opt * 100
print("## Inspection routes (OtklikInspection)")
print()
print(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
      f"load {os.getloadavg()[0]:.1f}. Release build. Every TSPLIB coordinate instance with at most {max_nodes} nodes, "
      "each in its own distance function (EUC_2D, CEIL_2D, ATT, GEO). Ours: greedy edge + 2-opt/Or-opt with neighbour "
      "lists + iterated local search, 20 kicks per node, seed fixed (deterministic). OR-Tools: routing solver, "
      "PATH_CHEAPEST_ARC + GUIDED_LOCAL_SEARCH, 1 s limit. LKH: elkai 2 (LKH-3), 1 run. "
      "cpu ms is the thread's CPU time (the machine is shared; wall time includes waiting).")
print()
print("| instance | n | metric | optimum | ours | gap % | wall ms | cpu ms | OR-Tools gap % | LKH gap % | ours / OR-Tools | ours / LKH |")
print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
og, pg, lg, ratios_or, ratios_lkh = [], [], [], [], []
for r in ours["tsplib"]:
    p = peers.get(r["name"], {})
    g = gap(r["length"], r["optimum"]); og.append(g)
    orv, lkv = p.get("ortools"), p.get("lkh")
    org = f"{gap(orv, r['optimum']):.2f}" if orv else "–"
    lkg = f"{gap(lkv, r['optimum']):.2f}" if lkv else "–"
    if orv: pg.append(gap(orv, r["optimum"])); ratios_or.append(r["length"] / orv)
    if lkv: lg.append(gap(lkv, r["optimum"])); ratios_lkh.append(r["length"] / lkv)
    print(f"| {r['name']} | {r['n']} | {r['metric']} | {int(r['optimum'])} | {int(r['length'])} | {g:.2f} | "
          f"{r['milliseconds']:.0f} | {r['cpuMilliseconds']:.0f} | {org} | {lkg} | "
          f"{(r['length']/orv) if orv else float('nan'):.4f} | {(r['length']/lkv) if lkv else float('nan'):.4f} |")
avg = lambda xs: sum(xs) / len(xs) if xs else float("nan")
print()
print(f"- Ours: average gap **{avg(og):.3f} %**, worst {max(og):.2f} % over {len(og)} instances; "
      f"slowest {max(r['milliseconds'] for r in ours['tsplib']):.0f} ms wall, "
      f"{max(r['cpuMilliseconds'] for r in ours['tsplib']):.0f} ms CPU.")
if pg:
    print(f"- OR-Tools GLS 1 s: average gap {avg(pg):.3f} %, worst {max(pg):.2f} % over {len(pg)} instances; "
          f"mean length ratio ours / OR-Tools {avg(ratios_or):.4f}.")
if lg:
    print(f"- LKH (elkai): average gap {avg(lg):.3f} %, worst {max(lg):.2f} %; mean length ratio ours / LKH "
          f"{avg(ratios_lkh):.4f} (LKH is the optimum-quality reference).")
if note:
    print(f"- Peers: {note}")
print()
print("| planner case (geodesic, Smolensk Oblast) | candidates | stops | km (geodesic) | wall ms | cpu ms |")
print("|---|---:|---:|---:|---:|---:|")
for t in ours["planner"]:
    print(f"| {t['label']} | {t['candidates']} | {t['stops']} | {t['kilometres']:.1f} | {t['milliseconds']:.1f} | {t['cpuMilliseconds']:.1f} |")
print()
print("Commands: `.build/release/otklik-bench inspection --tsplib ../shared/data/tsplib --json ours.json`; "
      "`python3 Benchmarks/peers/inspection_peers.py ../shared/data/tsplib --seconds 1 --lkh-runs 1 --json peers.json`; "
      "all of it: `bash Benchmarks/inspection.sh`.")
PY
