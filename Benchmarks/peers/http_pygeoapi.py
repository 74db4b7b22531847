#!/usr/bin/env python3
"""Peer of Benchmarks/http.sh and Benchmarks/postgis.sh: writes a pygeoapi configuration that serves the incidents
of a GeoPackage (exported from the same database with ogr2ogr) through pygeoapi's SQLiteGPKG provider, or the
incidents table of a PostGIS database that `otklik` uses through its PostgreSQL provider.

usage: http_pygeoapi.py GPKG|postgresql://user@host:port/dbname PORT CONFIG_OUT OPENAPI_OUT
Then run: PYGEOAPI_CONFIG=CONFIG_OUT PYGEOAPI_OPENAPI=OPENAPI_OUT gunicorn pygeoapi.flask_app:APP
"""
import sys, subprocess
from urllib.parse import urlsplit

source, port, config, openapi = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
if source.startswith(("postgresql://", "postgres://")):
    u = urlsplit(source)
    provider = f"""      - type: feature
        name: PostgreSQL
        data: {{host: {u.hostname}, port: {u.port or 5432}, dbname: {u.path.lstrip("/")}, user: {u.username}, password: "{u.password or ''}", search_path: [public]}}
        id_field: id
        table: incidents
        geom_field: geom"""
else:
    provider = f"""      - type: feature
        name: SQLiteGPKG
        data: {source}
        id_field: fid
        table: incidents"""
yaml = f"""
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  language: en-US
  limits: {{default_items: 100, max_items: 10000}}
  map:
    url: "https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png"
    attribution: OSM
logging:
  level: ERROR
metadata:
  identification:
    title: bench
    description: bench
    keywords: [bench]
    keywords_type: theme
    terms_of_service: https://example.org
    url: https://example.org
  license: {{name: CC-BY 4.0, url: https://creativecommons.org/licenses/by/4.0/}}
  provider: {{name: bench, url: https://example.org}}
  contact: {{name: bench, position: bench, address: bench, city: bench, stateorprovince: bench, postalcode: "0", country: RU, phone: "0", fax: "0", email: a@example.org, url: https://example.org, hours: always, instructions: none, role: pointOfContact}}
resources:
  incidents:
    type: collection
    title: incidents
    description: incidents
    keywords: [incidents]
    extents:
      spatial: {{bbox: [-180, -90, 180, 90], crs: http://www.opengis.net/def/crs/OGC/1.3/CRS84}}
    providers:
{provider}
"""
open(config, "w").write(yaml)
subprocess.run(["pygeoapi", "openapi", "generate", config, "--output-file", openapi], check=True)
