import CSpatiaLite

/// Loads mod_spatialite into one connection through the C API.
///
/// Extension loading is switched on only around the call and off again: the SQL function
/// `load_extension()` is never enabled, so no query can load code.
enum SpatiaLiteLoader {
    static func load(into db: OpaquePointer) throws {
        guard otklik_enable_load_extension(db, 1) == SQLITE_OK else {
            throw StoreError(.spatialite, "cannot enable extension loading: \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { _ = otklik_enable_load_extension(db, 0) }
        var err: UnsafeMutablePointer<CChar>?
        guard sqlite3_load_extension(db, "mod_spatialite", nil, &err) == SQLITE_OK else {
            let msg = err.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(err)
            throw StoreError(.spatialite,
                "cannot load mod_spatialite (\(msg)); install libsqlite3-mod-spatialite")
        }
    }
}
