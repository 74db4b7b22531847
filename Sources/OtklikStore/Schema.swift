import GRDB

/// The database schema, versioned. Migrations run at open, each in its own transaction.
/// `InitSpatialMetadata(1)` must run outside a transaction, so it happens before the migrator.
enum Schema {
    static func migrator() -> DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-incidents-areas-events") { db in
            try db.execute(sql: """
                CREATE TABLE incidents (
                  id INTEGER PRIMARY KEY,
                  source TEXT NOT NULL,
                  external_id TEXT NOT NULL,
                  category TEXT NOT NULL,
                  description TEXT NOT NULL DEFAULT '',
                  address TEXT NOT NULL DEFAULT '',
                  lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
                  lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
                  reported_at TEXT NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'resolved', 'rejected')),
                  resolved_at TEXT,
                  updated_at TEXT NOT NULL,
                  district TEXT,
                  settlement TEXT,
                  agency TEXT NOT NULL,
                  approximate INTEGER NOT NULL DEFAULT 0,
                  attributes TEXT,
                  UNIQUE (source, external_id)
                );
                CREATE INDEX incidents_reported_at ON incidents(reported_at);
                CREATE INDEX incidents_district ON incidents(district);
                CREATE INDEX incidents_settlement ON incidents(settlement);
                CREATE INDEX incidents_category_status ON incidents(category, status);
                -- Personal data lives apart from the public layer, so a GIS client that opens the
                -- incidents table never sees it.
                CREATE TABLE reporters (
                  incident_id INTEGER PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
                  name TEXT, phone TEXT, email TEXT
                );
                CREATE TABLE incident_events (
                  id INTEGER PRIMARY KEY,
                  incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
                  from_status TEXT,
                  to_status TEXT NOT NULL,
                  at TEXT NOT NULL,
                  actor TEXT NOT NULL,
                  note TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX incident_events_incident ON incident_events(incident_id, at);
                CREATE INDEX incident_events_at ON incident_events(at);
                CREATE TABLE districts (
                  id INTEGER PRIMARY KEY,
                  name TEXT NOT NULL UNIQUE,
                  kind TEXT,
                  population INTEGER,
                  approximate INTEGER NOT NULL DEFAULT 0,
                  properties TEXT
                );
                CREATE TABLE settlements (
                  id INTEGER PRIMARY KEY,
                  name TEXT NOT NULL,
                  district TEXT,
                  kind TEXT,
                  population INTEGER,
                  approximate INTEGER NOT NULL DEFAULT 0,
                  properties TEXT
                );
                CREATE TABLE store_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                """)
            for (table, column, type) in [("incidents", "geom", "POINT"), ("districts", "geom", "MULTIPOLYGON"),
                                          ("settlements", "geom", "POINT"), ("settlements", "area", "MULTIPOLYGON")] {
                let ok = try Int.fetchOne(db, sql: "SELECT AddGeometryColumn(?, ?, 4326, ?, 'XY')",
                                          arguments: [table, column, type]) ?? 0
                guard ok == 1 else { throw StoreError(.migration, "AddGeometryColumn(\(table).\(column)) failed") }
            }
            for (table, column) in [("incidents", "geom"), ("districts", "geom"), ("settlements", "geom")] {
                let ok = try Int.fetchOne(db, sql: "SELECT CreateSpatialIndex(?, ?)", arguments: [table, column]) ?? 0
                guard ok == 1 else { throw StoreError(.migration, "CreateSpatialIndex(\(table).\(column)) failed") }
            }
        }
        // No reader looks events up by time alone (they go by incident, or scan everything), and at 1.7 events
        // per incident this index was 6 % of the file and a sixth of a bulk load's index rebuild.
        m.registerMigration("v2-drop-event-time-index") { db in
            try db.execute(sql: "DROP INDEX IF EXISTS incident_events_at")
            // A bulk load interrupted under v1 saved the index to restore it; it must stay dropped.
            try DeferredIndexes.forget(db, named: "incident_events_at")
        }
        // Events are looked up by incident, a handful at a time, and sorted by time after: the time in the key
        // made the index 71 MB instead of 25 MB for a million incidents, all of it written during imports.
        m.registerMigration("v3-event-index-by-incident") { db in
            try db.execute(sql: """
                DROP INDEX IF EXISTS incident_events_incident;
                CREATE INDEX incident_events_incident ON incident_events(incident_id);
                """)
        }
        // The (source, external_id) key becomes a named index instead of the table's UNIQUE constraint, whose
        // index SQLite cannot drop: a load into an empty table builds it once at the end (see
        // `DeferredIndexes.setAside`) instead of updating it at a random place per row, a third of the
        // load's inserting time. SQLite cannot drop a constraint, so the table is built again, with the same
        // columns in the same order (the geometry column last, as AddGeometryColumn added it), the same ids, and
        // the same indexes and SpatiaLite triggers. The R*Tree is keyed by id and stays as it is.
        m.registerMigration("v4-incident-key-as-named-index") { db in
            let triggers = try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'incidents'")
            let indexes = try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' AND sql IS NOT NULL")
            try db.execute(sql: """
                CREATE TABLE incidents_v4 (
                  id INTEGER PRIMARY KEY,
                  source TEXT NOT NULL,
                  external_id TEXT NOT NULL,
                  category TEXT NOT NULL,
                  description TEXT NOT NULL DEFAULT '',
                  address TEXT NOT NULL DEFAULT '',
                  lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
                  lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
                  reported_at TEXT NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'resolved', 'rejected')),
                  resolved_at TEXT,
                  updated_at TEXT NOT NULL,
                  district TEXT,
                  settlement TEXT,
                  agency TEXT NOT NULL,
                  approximate INTEGER NOT NULL DEFAULT 0,
                  attributes TEXT,
                  "geom" POINT
                );
                INSERT INTO incidents_v4 SELECT * FROM incidents;
                DROP TABLE incidents;
                ALTER TABLE incidents_v4 RENAME TO incidents;
                """)
            for sql in indexes + triggers { try db.execute(sql: sql) }
            try db.execute(sql: "CREATE UNIQUE INDEX \(IncidentKey.index) ON incidents(source, external_id)")
        }
        // Notes written before visibility existed were written as the operator's own record and may name the
        // caller or hold a phone number: they all become internal, and only notes marked public from now on
        // reach Open311.
        m.registerMigration("v5-event-note-visibility") { db in
            try db.execute(sql: """
                ALTER TABLE incident_events ADD COLUMN visibility TEXT NOT NULL DEFAULT 'internal'
                  CHECK (visibility IN ('public', 'internal'))
                """)
        }
        // Who read which reporter's contact, through which route, and when each key was last used. No foreign
        // key to incidents: the record of a read outlives the incident it was about.
        m.registerMigration("v6-contact-read-audit") { db in
            try db.execute(sql: """
                CREATE TABLE contact_reads (
                  id INTEGER PRIMARY KEY,
                  at TEXT NOT NULL,
                  key_name TEXT NOT NULL,
                  incident_id INTEGER NOT NULL,
                  route TEXT NOT NULL
                );
                CREATE INDEX contact_reads_at ON contact_reads(at);
                CREATE TABLE api_key_use (
                  name TEXT PRIMARY KEY,
                  last_used_at TEXT NOT NULL
                );
                """)
        }
        // One counter that every write transaction changing incidents or areas adds one to, whichever process
        // commits it: a server reads it to see the commits of another process (see `CommitLedger`). Replaced
        // by the log of v8.
        m.registerMigration("v7-change-counter") { db in
            try db.execute(sql: """
                CREATE TABLE store_changes (
                  id INTEGER PRIMARY KEY CHECK (id = 1),
                  version INTEGER NOT NULL
                );
                INSERT INTO store_changes (id, version) VALUES (1, 0);
                """)
        }
        // The counter becomes the log of where each recent commit changed incidents (see `ChangedPlaces`): a
        // commit adds a row, whose rowid is the new counter value, in place of updating the counter's one row,
        // so it writes no more pages than before and a server on the same file drops only what another
        // process's commit touched. The log goes on from the counter's value.
        m.registerMigration("v8-change-places") { db in
            try db.execute(sql: """
                CREATE TABLE store_change_places (
                  version INTEGER PRIMARY KEY,
                  points BLOB
                );
                INSERT INTO store_change_places (version, points) SELECT version, NULL FROM store_changes WHERE version > 0;
                DROP TABLE store_changes;
                """)
        }
        return m
    }
}

/// The incidents' (source, external_id) key, which makes imports and POSTs idempotent.
enum IncidentKey {
    static let index = "incidents_key"
}
