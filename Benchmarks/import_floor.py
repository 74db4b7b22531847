#!/usr/bin/env python3
"""What SQLite alone costs to store an import with the incident schema, no Swift, no parsing: the floor under
`otklik import`, for Benchmarks/import.sh.

  import_floor.py SOURCE.sqlite WORKDIR

SOURCE is a database that `otklik import` filled. Its incidents are copied into a fresh file in transactions of
200,000 rows, each with its creation events (INSERT ... SELECT, as the importer writes them),
the events' index by incident kept live and CHECK constraints off (the importer checks positions itself), then
the other secondary indexes are built. The R*Tree is left out
(ours is built apart, in one packed pass). Four configurations, each a Markdown table row:
  - rollback journal (DELETE), (source, external_id) key kept live: what the importer does when it has the file
    to itself; the key keeps re-imports idempotent row by row;
  - WAL, key live: what it does when another connection (a running server) has the file open;
  - WAL, key built at the end by sorting;
  - rollback journal, key built at the end.
"""
import os, sqlite3, sys, time

SCHEMA = """CREATE TABLE incidents (id INTEGER PRIMARY KEY, source TEXT NOT NULL, external_id TEXT NOT NULL,
  category TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', address TEXT NOT NULL DEFAULT '',
  lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180), lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
  reported_at TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'resolved', 'rejected')),
  resolved_at TEXT, updated_at TEXT NOT NULL, district TEXT, settlement TEXT, agency TEXT NOT NULL,
  approximate INTEGER NOT NULL DEFAULT 0, attributes TEXT, geom BLOB {key})"""
EVENTS = """CREATE TABLE incident_events (id INTEGER PRIMARY KEY, incident_id INTEGER NOT NULL, from_status TEXT,
  to_status TEXT NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL, note TEXT NOT NULL DEFAULT '')"""
INDEXES = ["CREATE INDEX incidents_reported_at ON incidents(reported_at)",
           "CREATE INDEX incidents_district ON incidents(district)",
           "CREATE INDEX incidents_settlement ON incidents(settlement)",
           "CREATE INDEX incidents_category_status ON incidents(category, status)"]
EVENTS_INDEX = "CREATE INDEX incident_events_incident ON incident_events(incident_id)"
BATCH = 200_000
COLUMNS = ("source, external_id, category, description, address, lon, lat, reported_at, status, resolved_at, "
           "updated_at, district, settlement, agency, approximate, attributes, geom")


def run(source, work, journal, live_key):
    db = os.path.join(work, f"floor-{journal}-{'live' if live_key else 'deferred'}.sqlite")
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    c = sqlite3.connect(db, isolation_level=None)
    c.execute(f"PRAGMA journal_mode={journal}")
    c.execute("PRAGMA synchronous=" + ("FULL" if journal == "DELETE" else "NORMAL"))   # as the importer
    c.execute("PRAGMA cache_size=-32768")   # the store's page cache
    c.execute("PRAGMA ignore_check_constraints=ON")   # as the importer, which checks positions itself
    c.execute(SCHEMA.format(key=", UNIQUE (source, external_id)" if live_key else ""))
    c.execute(EVENTS)
    c.execute(EVENTS_INDEX)
    c.execute("ATTACH ? AS src", (source,))
    lo, hi = c.execute("SELECT min(id), max(id) FROM src.incidents").fetchone()
    t0 = time.time()
    for first in range(lo, hi + 1, BATCH):
        last = first + BATCH - 1
        c.execute("BEGIN")
        c.execute(f"INSERT INTO incidents (id, {COLUMNS}) SELECT id, {COLUMNS} FROM src.incidents WHERE id BETWEEN ? AND ?", (first, last))
        c.execute("""INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note)
                     SELECT id, NULL, CASE WHEN status IN ('new', 'in_progress') THEN status ELSE 'new' END, reported_at, 'import', ''
                     FROM incidents WHERE id BETWEEN ? AND ?""", (first, last))
        c.execute("""INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note)
                     SELECT id, 'new', status, COALESCE(resolved_at, reported_at), agency, ''
                     FROM incidents WHERE id BETWEEN ? AND ? AND status NOT IN ('new', 'in_progress')""", (first, last))
        c.execute("COMMIT")
    t1 = time.time()
    c.execute("BEGIN")
    for sql in INDEXES + ([] if live_key else ["CREATE UNIQUE INDEX incidents_key ON incidents(source, external_id)"]):
        c.execute(sql)
    c.execute("COMMIT")
    if journal == "WAL":
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    t2 = time.time()
    rows = c.execute("SELECT count(*) FROM incidents").fetchone()[0]
    c.close()
    size = os.path.getsize(db)
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    return rows, t1 - t0, t2 - t1, size


def main():
    source, work = sys.argv[1], sys.argv[2]
    for journal, live, label in (("DELETE", True, "rollback journal, key live (the importer's, alone with the file)"),
                                 ("WAL", True, "WAL, key live (the importer's, with a server on the file)"),
                                 ("WAL", False, "WAL, key built at the end"),
                                 ("DELETE", False, "rollback journal, key built at the end")):
        rows, t_rows, t_index, size = run(source, work, journal, live)
        print(f"| {label} | {rows:,} | {t_rows:.1f} | {t_index:.1f} | {t_rows + t_index:.1f} | {size / 1e6:.0f} MB |")


if __name__ == "__main__":
    main()
