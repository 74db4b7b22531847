# Otklik — the two commands a newcomer needs are `make run` and `make test`.
# Both install the missing Debian packages first (through sudo when not root).

SHELL := /bin/bash
DB ?= data/otklik.sqlite
HOST ?= 127.0.0.1
PORT ?= 8080
SWIFT ?= swift

# Needed to build and run.
APT_RUNTIME := libsqlite3-dev libspatialite-dev libsqlite3-mod-spatialite libproj-dev proj-data zlib1g-dev \
               libjs-leaflet libjs-leaflet.markercluster
# Peers that tests use to check our output (GDAL reads our layers and tiles, xmllint validates GPX,
# Chromium renders the map page). Tests that need one skip with a message when it is missing.
APT_TEST := gdal-bin libxml2-utils spatialite-bin chromium python3-pip
# Python peers used by some tests to decode what we wrote (never used at run time).
PIP_TEST := mapbox-vector-tile gpxpy georeport openapi-spec-validator

.PHONY: deps test-deps build run demo test bench clean

deps:
	@scripts/apt-ensure.sh $(APT_RUNTIME)

test-deps: deps
	@scripts/apt-ensure.sh --optional $(APT_TEST)
	@python3 -c "import mapbox_vector_tile, gpxpy, georeport, openapi_spec_validator" 2>/dev/null || \
	  python3 -m pip install -q $(PIP_TEST) 2>/dev/null || \
	  python3 -m pip install -q --break-system-packages $(PIP_TEST) 2>/dev/null || \
	  echo "note: could not pip install $(PIP_TEST); tests that decode with them will skip"

build: deps
	$(SWIFT) build -c release --product otklik

demo: build
	@[ -f "$(DB)" ] || .build/release/otklik demo --db "$(DB)"

run: demo
	.build/release/otklik serve --db "$(DB)" --host $(HOST) --port $(PORT)

# The browser and real-client tests drive the built `otklik` binary, so build every product first.
test: test-deps
	$(SWIFT) build
	$(SWIFT) test

bench: test-deps
	$(SWIFT) build -c release
	Benchmarks/run.sh

clean:
	rm -rf .build
