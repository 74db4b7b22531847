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
# Peers that tests use to check our output (GDAL reads our layers and tiles, xmllint validates GPX, gpsbabel
# reads it back, the spatialite shell reads MBTiles, Chromium renders the map page). Tests that need one skip
# with a message when it is missing, and fail instead under OTKLIK_REQUIRE_PEERS=1 (as CI runs them).
# Tests/Support/Peers.swift lists them; keep the two lists together.
APT_TEST := gdal-bin libxml2-utils spatialite-bin gpsbabel chromium gzip python3-pip nodejs postgresql-15 postgresql-15-postgis-3
# The commands the tests look for ("a:b": either will do).
PEER_TOOLS := ogrinfo ogr2ogr xmllint spatialite gpsbabel chromium:chromium-browser gzip python3 node:nodejs /usr/lib/postgresql/15/bin/initdb
# Python peers used by some tests to decode what we wrote (never used at run time), and the modules they bring.
PIP_TEST := mapbox-vector-tile gpxpy georeport openapi-spec-validator
PIP_MODULES := mapbox_vector_tile, gpxpy, georeport, xmltodict, requests, openapi_spec_validator

# `make test OTKLIK_REQUIRE_PEERS=1` reaches the tests as well as `OTKLIK_REQUIRE_PEERS=1 make test` does.
export OTKLIK_REQUIRE_PEERS

.PHONY: deps test-deps build install run demo test bench clean

deps:
	@scripts/apt-ensure.sh $(APT_RUNTIME)

# Without OTKLIK_REQUIRE_PEERS=1 a peer that cannot be installed is a note (its tests skip); with it, an error.
test-deps: deps
ifeq ($(OTKLIK_REQUIRE_PEERS),1)
	@scripts/apt-ensure.sh $(APT_TEST)
	@python3 -c "import $(PIP_MODULES)" 2>/dev/null || \
	  python3 -m pip install -q $(PIP_TEST) || \
	  python3 -m pip install -q --break-system-packages $(PIP_TEST)
	@missing=""; \
	  for t in $(PEER_TOOLS); do \
	    found=""; for a in $${t//:/ }; do command -v $$a >/dev/null && found=1; done; \
	    [ -n "$$found" ] || missing="$$missing $$t"; \
	  done; \
	  python3 -c "import $(PIP_MODULES)" || missing="$$missing python3-modules($(PIP_MODULES))"; \
	  if [ -n "$$missing" ]; then echo "OTKLIK_REQUIRE_PEERS=1 but these peers are still missing:$$missing" >&2; exit 1; fi
else
	@scripts/apt-ensure.sh --optional $(APT_TEST)
	@python3 -c "import $(PIP_MODULES)" 2>/dev/null || \
	  python3 -m pip install -q $(PIP_TEST) 2>/dev/null || \
	  python3 -m pip install -q --break-system-packages $(PIP_TEST) 2>/dev/null || \
	  echo "note: could not pip install $(PIP_TEST); tests that decode with them will skip"
endif

build: deps
	$(SWIFT) build -c release --product otklik

# `make install PREFIX=/usr/local` (the default; DESTDIR is honoured): the release binary in $(PREFIX)/lib/otklik
# with the map page's resource bundle beside it, and $(PREFIX)/bin/otklik linked to it. The data it needs is
# built in, so it runs from any folder.
PREFIX ?= /usr/local
install: build
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" scripts/install.sh .build/release

demo: build
	@[ -f "$(DB)" ] || .build/release/otklik demo --db "$(DB)"

run: demo
	.build/release/otklik serve --db "$(DB)" --host $(HOST) --port $(PORT)

# The CLI, browser and real-client tests drive the built `otklik` binary, so build every product first. The
# import check keeps the module graph honest: an import of a target that is not a declared dependency fails the
# build, in the products and (with --build-tests) in the test targets too.
test: test-deps
	$(SWIFT) build --build-tests --explicit-target-dependency-import-check error
	$(SWIFT) test --skip-build

bench: test-deps
	$(SWIFT) build -c release
	Benchmarks/run.sh

clean:
	rm -rf .build
