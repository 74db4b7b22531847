#!/usr/bin/env bash
# Round trip of 100 Open311 requests against a running server (see scripts/open311-roundtrip.py).
# Usage: scripts/open311-roundtrip.sh [BASE_URL] [API_KEY]   (defaults: http://127.0.0.1:8080, $OTKLIK_OPEN311_KEY)
# Installs the georeport client from PyPI when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="${1:-http://127.0.0.1:8080}"
KEY="${2:-${OTKLIK_OPEN311_KEY:-}}"
if ! python3 -c "import georeport, xmltodict, requests" 2>/dev/null; then
    python3 -m pip install --quiet "georeport==0.3.1" 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages "georeport==0.3.1"
fi
exec python3 scripts/open311-roundtrip.py "$BASE" --api-key "$KEY" --count 100 --categories data/categories.json
