#!/usr/bin/env bash
# Fuzzes the API from its own OpenAPI document with schemathesis (PyPI): no 5xx, and every response must match
# the documented status codes, content types and schemas. Also validates the document with
# openapi-spec-validator.
# Usage: scripts/http-schemathesis.sh path/to/otklik path/to/scratch-copy.sqlite [max-examples]
# The database is written to (POSTs, PATCHes): give a copy.
set -euo pipefail
BIN=$1 DB=$2 EXAMPLES=${3:-50}
KEY=fuzz-$$-$RANDOM
export OTKLIK_API_KEYS="$KEY:admin:fuzz"
python3 -c 'import schemathesis' 2>/dev/null || pip install -q schemathesis
python3 -c 'import openapi_spec_validator' 2>/dev/null || pip install -q openapi-spec-validator
. "$(dirname "$0")/http-server.sh"
trap http_stop EXIT
http_start
curl -fsS "$BASE/openapi.json" -o /tmp/otklik-openapi.json
python3 -m openapi_spec_validator /tmp/otklik-openapi.json
st run "$BASE/openapi.json" --url "$BASE" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$EXAMPLES" -H "Authorization: Bearer $KEY" --workers 2
