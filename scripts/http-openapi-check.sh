#!/usr/bin/env bash
# Validates GET /openapi.json with openapi-spec-validator (PyPI).
# Usage: scripts/http-openapi-check.sh path/to/otklik path/to/otklik.sqlite
set -euo pipefail
BIN=$1 DB=$2
python3 -c 'import openapi_spec_validator' 2>/dev/null || pip install -q openapi-spec-validator
. "$(dirname "$0")/http-server.sh"
trap http_stop EXIT
http_start
curl -fsS "$BASE/openapi.json" -o /tmp/otklik-openapi.json
python3 -m openapi_spec_validator /tmp/otklik-openapi.json && echo "openapi.json: valid OpenAPI 3.0"
