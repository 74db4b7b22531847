#!/usr/bin/env bash
# Hotspot quality: planted hotspots in synthetic regions built from real settlements (three oblasts × three
# seeds), found by the same analysis as `otklik hotspots`. Prints a Markdown section for BENCHMARKS.md.
# Builds nothing: `make bench` builds release first. Skips (saying so) without ../shared/data.
# Env: BIN (default .build/release/otklik-bench), SETTLEMENTS (../shared/data/boundaries/russia_settlements.csv.gz),
#      REGIONS ("Тверская область;Ярославская область;Курская область"), SEEDS (1,2,3), BACKGROUND (40000), PLANTED (10).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/otklik-bench}
SETTLEMENTS=${SETTLEMENTS:-../shared/data/boundaries/russia_settlements.csv.gz}
REGIONS=${REGIONS:-Тверская область;Ярославская область;Курская область}
SEEDS=${SEEDS:-1,2,3}; BACKGROUND=${BACKGROUND:-40000}; PLANTED=${PLANTED:-10}
echo "## Hotspot quality ($(date -u +%Y-%m-%d))"
echo
if [ ! -f "$SETTLEMENTS" ]; then echo "Not run: $SETTLEMENTS is absent."; echo; exit 0; fi
CMD=("$BIN" hotspots-quality --settlements "$SETTLEMENTS" --regions "$REGIONS" --seeds "$SEEDS" --background "$BACKGROUND" --planted "$PLANTED")
echo "Planted hotspots (a third bursts, a third a failed fix then a burst, a third one burst, not recurring) over a"
echo "population-weighted background on the region's real settlements; \`ranks\` are positions in the significant list."
echo
"${CMD[@]}" | grep -v '^{'
echo
echo "- Command: \`${CMD[*]}\` (run by \`Benchmarks/quality.sh\`)."
echo
