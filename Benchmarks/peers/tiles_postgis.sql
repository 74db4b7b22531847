-- PostGIS peer for the tile benchmark: the same incidents, the same 1,000 tiles, the same rule as OtklikTiles
-- (grid clusters of 32x32 cells per tile below z13 counting each point in its own tile only; from z13 raw points
-- with a 64-unit buffer unless the tile holds more than 4,000, then 128x128 clusters), built by ST_AsMVT.
-- Run by Benchmarks/tiles.sh:  psql -v points=/path/points.csv -v tiles=/path/tiles.csv -f tiles_postgis.sql
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgis;
DROP TABLE IF EXISTS bench_incidents, bench_tiles;
CREATE TABLE bench_incidents (id bigint PRIMARY KEY, lon float8, lat float8, category text, status text, date text,
                              settlement text, district text);
COPY bench_incidents FROM :'points' WITH (FORMAT csv, HEADER true);
ALTER TABLE bench_incidents ADD COLUMN geom geometry(Point, 3857);
UPDATE bench_incidents SET geom = ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 3857);
CREATE INDEX bench_incidents_geom ON bench_incidents USING gist (geom);
CLUSTER bench_incidents USING bench_incidents_geom;
ANALYZE bench_incidents;
CREATE TABLE bench_tiles (z int, x int, y int);
COPY bench_tiles FROM :'tiles' WITH (FORMAT csv, HEADER true);

CREATE OR REPLACE FUNCTION otklik_tile(tz int, tx int, ty int) RETURNS bytea LANGUAGE plpgsql STABLE AS $$
DECLARE
  env geometry := ST_TileEnvelope(tz, tx, ty);
  size float8 := ST_XMax(ST_TileEnvelope(tz, tx, ty)) - ST_XMin(ST_TileEnvelope(tz, tx, ty));
  grid int := 32;
  own bigint;
  result bytea;
BEGIN
  IF tz >= 13 THEN
    SELECT count(*) INTO own FROM bench_incidents
     WHERE geom && env AND ST_X(geom) < ST_XMax(env) AND ST_Y(geom) > ST_YMin(env);
    IF own <= 4000 THEN
      SELECT ST_AsMVT(q, 'incidents', 4096, 'geom', 'id') INTO result FROM (
        SELECT id, category, status, date, settlement, district, ST_AsMVTGeom(geom, env, 4096, 64, true) AS geom
          FROM bench_incidents WHERE geom && ST_Expand(env, size * 64 / 4096)) q;
      RETURN result;
    END IF;
    grid := 128;
  END IF;
  SELECT ST_AsMVT(q, 'incidents', 4096, 'geom') INTO result FROM (
    SELECT count(*) AS point_count, count(*) > 1 AS cluster,
           ST_AsMVTGeom(ST_Centroid(ST_Collect(geom)), env, 4096, 64, true) AS geom
      FROM bench_incidents
     WHERE geom && env AND ST_X(geom) < ST_XMax(env) AND ST_Y(geom) > ST_YMin(env)
     GROUP BY floor((ST_X(geom) - ST_XMin(env)) / (size / grid)), floor((ST_YMax(env) - ST_Y(geom)) / (size / grid))) q;
  RETURN result;
END $$;

CREATE OR REPLACE FUNCTION otklik_bench() RETURNS TABLE (tz int, ms float8, bytes int) LANGUAGE plpgsql AS $$
DECLARE t record; t0 timestamptz; b bytea;
BEGIN
  FOR t IN SELECT * FROM bench_tiles LOOP
    t0 := clock_timestamp();
    b := otklik_tile(t.z, t.x, t.y);
    tz := t.z; ms := extract(epoch FROM clock_timestamp() - t0) * 1000; bytes := coalesce(length(b), 0);
    RETURN NEXT;
  END LOOP;
END $$;

-- Pass 1 warms shared buffers and the plan cache; pass 2 is the figure.
CREATE TEMP TABLE pass1 AS SELECT * FROM otklik_bench();
CREATE TEMP TABLE pass2 AS SELECT * FROM otklik_bench();
SELECT 'pass', 'first', percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), max(ms) FROM pass1;
SELECT 'pass', 'second', percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), max(ms) FROM pass2;
SELECT 'zoom', tz, count(*), avg(bytes)::int, max(bytes) FROM pass2 GROUP BY tz ORDER BY tz;
SELECT 'version', postgis_lib_version(), current_setting('server_version');
