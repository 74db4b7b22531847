import CSpatiaLite

/// One prepared statement on a raw connection, for the bulk paths where GRDB's per-row conveniences cost
/// more than the insert itself. Owns its sqlite3_stmt and finalises it in deinit. Used only inside a
/// GRDB write block, so the connection is not shared while it lives.
final class RawStatement {
    private let db: OpaquePointer
    private var stmt: OpaquePointer?
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(db: OpaquePointer, sql: String) throws {
        self.db = db
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK else {
            throw StoreError(.sqlite, "prepare failed: \(String(cString: sqlite3_errmsg(db))) in \(sql)")
        }
    }

    deinit { sqlite3_finalize(stmt) }

    func bind(_ index: Int32, _ value: Double) { sqlite3_bind_double(stmt, index, value) }
    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(stmt, index, value) }
    func bindNull(_ index: Int32) { sqlite3_bind_null(stmt, index) }

    func bind(_ index: Int32, _ value: String?) {
        guard let value else { sqlite3_bind_null(stmt, index); return }
        var v = value
        v.withUTF8 { buf in
            _ = sqlite3_bind_text(stmt, index, UnsafeRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self),
                                  Int32(buf.count), Self.transient)
        }
    }

    /// Binds text that stays where it is until the statement is stepped and its bindings cleared or replaced
    /// (SQLITE_STATIC: no copy). A nil pointer is only valid with count 0, and binds ''.
    func bindStatic(_ index: Int32, _ text: UnsafePointer<UInt8>?, _ count: Int) {
        let p = UnsafeRawPointer(text ?? Self.empty.utf8Start).assumingMemoryBound(to: CChar.self)
        sqlite3_bind_text(stmt, index, p, Int32(count), nil)
    }

    /// As `bindStatic` for a BLOB.
    func bindStaticBlob(_ index: Int32, _ bytes: UnsafePointer<UInt8>?, _ count: Int) {
        sqlite3_bind_blob(stmt, index, UnsafeRawPointer(bytes ?? Self.empty.utf8Start), Int32(count), nil)
    }

    /// Drops every binding, so that none points at memory the caller is about to release.
    func clearBindings() { sqlite3_clear_bindings(stmt) }

    /// Where an empty value points: SQLite binds NULL for a nil pointer.
    private static let empty: StaticString = ""

    func bind(_ index: Int32, blob: [UInt8]) {
        blob.withUnsafeBytes { buf in
            _ = sqlite3_bind_blob(stmt, index, buf.baseAddress, Int32(buf.count), Self.transient)
        }
    }

    /// Runs a statement that returns no rows; returns the number of rows it changed.
    @discardableResult
    func run() throws -> Int {
        let rc = sqlite3_step(stmt)
        defer { sqlite3_reset(stmt) }
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else {
            throw stepFailed()
        }
        return Int(sqlite3_changes(db))
    }

    /// Steps once and returns the first column as an integer, or nil when there is no row.
    func int64() throws -> Int64? {
        let rc = sqlite3_step(stmt)
        defer { sqlite3_reset(stmt) }
        if rc == SQLITE_ROW { return sqlite3_column_type(stmt, 0) == SQLITE_NULL ? nil : sqlite3_column_int64(stmt, 0) }
        guard rc == SQLITE_DONE else { throw stepFailed() }
        return nil
    }

    /// The current row of a stepping statement, valid only inside `forEachRow`'s body.
    struct Row {
        fileprivate let stmt: OpaquePointer?
        func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(stmt, column) }
        func double(_ column: Int32) -> Double { sqlite3_column_double(stmt, column) }
    }

    /// Steps through every row of a query.
    func forEachRow(_ body: (Row) throws -> Void) throws {
        defer { sqlite3_reset(stmt) }
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw stepFailed() }
            try body(Row(stmt: stmt))
        }
    }

    /// The error of a step that neither returned a row nor finished, with SQLite's message.
    private func stepFailed() -> StoreError {
        StoreError(.sqlite, "step failed: \(String(cString: sqlite3_errmsg(db)))")
    }

    static func exec(_ db: OpaquePointer, _ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &err) == SQLITE_OK else {
            let msg = err.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(err)
            throw StoreError(.sqlite, "\(msg) in \(sql.prefix(200))")
        }
    }
}
