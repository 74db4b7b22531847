#!/usr/bin/env bash
# Import benchmark (issue: incident store): 1,000,000 incidents from CSV into a fresh database, spatial
# index, district and settlement assignment included; peer: ogr2ogr -f SQLite -dsco SPATIALITE=YES on the
# same CSV with its spatial index, in the same run. Prints a Markdown section.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${IMPORT_ROWS:-1000000}
BIN=.build/release
OUT=${BENCH_OUT:-Benchmarks/out}
mkdir -p "$OUT"
CSV="$OUT/incidents-$N.csv"
[ -f "$CSV" ] || "$BIN/otklik-bench" store gen-csv "$N" "$CSV" data >/dev/null
rm -f "$OUT"/import.sqlite* "$OUT"/ogr.sqlite*

# The import path of `otklik import incidents` (IncidentImporter) on a fresh database with the demo areas loaded:
# the time is the importer's own (areas loading excluded), peak RSS is the whole process's.
/usr/bin/time -f "%e %M" -o "$OUT/ours.time" "$BIN/otklik-bench" store import "$CSV" "$OUT/import.sqlite" data > "$OUT/ours.json" 2>"$OUT/ours.log"
read _ ours_kb < "$OUT/ours.time"
ours_s=$(python3 -c "import json;print(json.load(open('$OUT/ours.json'))['seconds'])")
rows=$(sqlite3 "$OUT/import.sqlite" "select count(*) from incidents")
assigned=$(sqlite3 "$OUT/import.sqlite" "select count(*) from incidents where district is not null")
rcheck=$(sqlite3 "$OUT/import.sqlite" "select load_extension('mod_spatialite'); select rtreecheck('idx_incidents_geom');" 2>/dev/null | tail -1 || echo "n/a")

/usr/bin/time -f "%e %M" -o "$OUT/ogr.time" ogr2ogr -f SQLite -dsco SPATIALITE=YES -lco SPATIAL_INDEX=YES -gt 65536 \
  -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:4326 -nln incidents \
  "$OUT/ogr.sqlite" "$CSV" 2>"$OUT/ogr.log"
read ogr_s ogr_kb < "$OUT/ogr.time"
ogr_rows=$(sqlite3 "$OUT/ogr.sqlite" "select count(*) from incidents")

python3 - "$N" "$rows" "$assigned" "$ours_s" "$ours_kb" "$ogr_rows" "$ogr_s" "$ogr_kb" "$rcheck" "$OUT/ours.json" <<'PY'
import sys
n, rows, assigned, s, kb, ogr_rows, os_, okb, rc = sys.argv[1:10]
n, rows, assigned, ogr_rows = int(n), int(rows), int(assigned), int(ogr_rows)
s, kb, os_, okb = float(s), int(kb), float(os_), int(okb)
ours, peer = rows / s, ogr_rows / os_
print(f"## Import: {n:,} incidents from CSV\n")
print("| tool | rows | seconds | rows/s | peak RSS |")
print("|---|---:|---:|---:|---:|")
print(f"| otklik import (index + district/settlement) | {rows:,} | {s:.1f} | {ours:,.0f} | {kb/1024:.0f} MB |")
import json
phases = json.load(open(sys.argv[10]))
print(f"| ogr2ogr -f SQLite -dsco SPATIALITE=YES (index) | {ogr_rows:,} | {os_:.1f} | {peer:,.0f} | {okb/1024:.0f} MB |")
print(f"\nRatio ours/ogr2ogr: **{ours/peer:.2f}×** (target ≥ 2×); peak RSS target < 300 MB. "
      f"Rows with a district: {assigned:,}. rtreecheck: {rc}. Ours in phases: rows {phases['rows_phase_seconds']:.1f} s "
      f"(parse, validate, areas and insert, pipelined), then indexes {phases['index_phase_seconds']:.1f} s (R*Tree and B-trees). "
      f"Alone with the file, the import writes through a rollback journal in 200,000-row transactions and returns it to WAL.\n")
print("Command: `IMPORT_ROWS=%d Benchmarks/import.sh` (CSV from `otklik-bench store gen-csv`).\n" % n)
PY

# The floor: SQLite alone storing the same rows with the same schema (no parsing, no Swift), in the importer's
# configuration and in the ones it does not use. See Benchmarks/import_floor.py.
echo "### What SQLite alone costs with this schema"
echo
echo "The imported rows copied into a fresh file by \`INSERT … SELECT\` in 200,000-row transactions with their events (the events' index kept live, as the importer does), then the other B-tree indexes (R*Tree not included)."
echo
echo "| configuration | rows | rows s | indexes s | total s | file |"
echo "|---|---:|---:|---:|---:|---:|"
python3 Benchmarks/import_floor.py "$OUT/import.sqlite" "$OUT"
echo
echo "Command: \`python3 Benchmarks/import_floor.py $OUT/import.sqlite $OUT\`."
echo
