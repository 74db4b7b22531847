-- What PostgreSQL itself needs to store the rows an import stores: the incidents, events and contacts that
-- `otklik import` wrote, dumped as COPY text (:dir/incidents.txt, events.txt, reporters.txt) and loaded by the server's
-- COPY from those files into a fresh database of the same schema, with the same things set aside and built after (the rows
-- already placed, routed and formatted: no parsing, placing or checking on the client).
-- With -v rows_only=true it stops after the incident rows: their COPY alone, into the table with only its primary key
-- (no events, contacts, GiST or other index): what one connection's COPY of these rows costs the server by itself.
-- Run: psql -d <fresh otklik database> -v dir=<folder> [-v rows_only=true] -f Benchmarks/peers/pg_copy_floor.sql
\set ON_ERROR_STOP 1
\timing on
ALTER TABLE incident_events DROP CONSTRAINT incident_events_incident_id_fkey;
ALTER TABLE reporters DROP CONSTRAINT reporters_incident_id_fkey;
ALTER TABLE incidents DROP CONSTRAINT incidents_key;
DROP INDEX incidents_geom, incidents_reported_at, incidents_district, incidents_settlement, incidents_category_status, incident_events_incident;
\set inc :dir '/incidents.txt'
\set ev :dir '/events.txt'
\set rep :dir '/reporters.txt'
\if :{?rows_only}
\else
\set rows_only false
\endif
\echo start
COPY incidents (id, source, external_id, category, description, address, lon, lat, reported_at, status, resolved_at, updated_at, district, settlement, agency, approximate, attributes) FROM :'inc';
\if :rows_only
\q
\endif
COPY incident_events (incident_id, from_status, to_status, at, actor, note) FROM :'ev';
COPY reporters (incident_id, name, phone, email) FROM :'rep';
CREATE UNIQUE INDEX incidents_key ON incidents (source, external_id);
ALTER TABLE incidents ADD CONSTRAINT incidents_key UNIQUE USING INDEX incidents_key;
CREATE INDEX incidents_geom ON incidents USING gist (geom);
CREATE INDEX incidents_reported_at ON incidents (reported_at);
CREATE INDEX incidents_district ON incidents (district);
CREATE INDEX incidents_settlement ON incidents (settlement);
CREATE INDEX incidents_category_status ON incidents (category, status);
CREATE INDEX incident_events_incident ON incident_events (incident_id);
ALTER TABLE incident_events ADD CONSTRAINT incident_events_incident_id_fkey FOREIGN KEY (incident_id) REFERENCES incidents(id) ON DELETE CASCADE;
ALTER TABLE reporters ADD CONSTRAINT reporters_incident_id_fkey FOREIGN KEY (incident_id) REFERENCES incidents(id) ON DELETE CASCADE;
