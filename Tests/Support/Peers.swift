import Foundation
public import Testing

/// A program (or Python package) from outside the project that a test uses to check our output: GDAL reads our
/// layers and tiles, xmllint validates GPX, Chromium renders the map page, Python decoders read what we wrote.
///
/// A test that needs one skips with a reason when it is missing, and fails instead when
/// `OTKLIK_REQUIRE_PEERS=1` (CI sets it), so that a green CI run proves the check ran:
///
///     @Test(.requires(.ogrinfo)) func gdalReadsTheFile() throws {
///         let out = try ExternalProcess.run(Peers.require(.ogrinfo), ["-ro", "-al", path])
///     }
///
/// `make test-deps` installs every peer listed here.
public struct Peer: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The executables that will do, the first found wins (chromium or chromium-browser).
    public let tools: [String]
    /// Python modules that `python3` must import (then the tool is python3).
    public let pythonModules: [String]
    /// Where it comes from, for the message: a Debian or PyPI package.
    public let package: String

    public init(tools: [String], pythonModules: [String] = [], package: String) {
        self.tools = tools
        self.pythonModules = pythonModules
        self.package = package
    }

    /// A tool by name: one of the known peers below, or else any program on PATH.
    public init(stringLiteral name: String) {
        self = Peer.known.first { $0.pythonModules.isEmpty && $0.tools.contains(name) } ?? Peer(tools: [name], package: name)
    }

    public var description: String {
        pythonModules.isEmpty ? tools[0] : "python3 with \(pythonModules.joined(separator: ", "))"
    }

    /// The peer with the package it comes from: "ogrinfo (Debian gdal-bin)".
    public var withPackage: String {
        pythonModules.isEmpty ? "\(self) (Debian \(package))" : "\(self) (PyPI \(package))"
    }
}

extension Peer {
    public static let ogrinfo = Peer(tools: ["ogrinfo"], package: "gdal-bin")
    public static let ogr2ogr = Peer(tools: ["ogr2ogr"], package: "gdal-bin")
    public static let xmllint = Peer(tools: ["xmllint"], package: "libxml2-utils")
    public static let chromium = Peer(tools: ["chromium", "chromium-browser"], package: "chromium")
    public static let spatialite = Peer(tools: ["spatialite"], package: "spatialite-bin")
    public static let gpsbabel = Peer(tools: ["gpsbabel"], package: "gpsbabel")
    public static let gzip = Peer(tools: ["gzip"], package: "gzip")
    public static let python3 = Peer(tools: ["python3"], package: "python3")
    public static let mapboxVectorTile = Peer(tools: ["python3"], pythonModules: ["mapbox_vector_tile"], package: "mapbox-vector-tile")
    public static let gpxpy = Peer(tools: ["python3"], pythonModules: ["gpxpy"], package: "gpxpy")
    /// The Open311 client and what scripts/open311-roundtrip.py imports beside it.
    public static let georeport = Peer(tools: ["python3"], pythonModules: ["georeport", "xmltodict", "requests"], package: "georeport")
    public static let openAPISpecValidator = Peer(tools: ["python3"], pythonModules: ["openapi_spec_validator"],
                                                  package: "openapi-spec-validator")

    /// PostgreSQL 15 with PostGIS 3, for the PostGIS backend's tests (see `PostgresCluster`, which also takes a
    /// server named by OTKLIK_PG_URL instead).
    public static let postgres = Peer(tools: ["/usr/lib/postgresql/15/bin/initdb"], package: "postgresql-15 postgresql-15-postgis-3")

    /// Runs the map page's number formatting beside Core's, so that the two cannot drift.
    public static let node = Peer(tools: ["node", "nodejs"], package: "nodejs")

    static let known: [Peer] = [.ogrinfo, .ogr2ogr, .xmllint, .chromium, .spatialite, .gpsbabel, .gzip, .python3,
                                .node, .postgres, .mapboxVectorTile, .gpxpy, .georeport, .openAPISpecValidator]
}

/// Finds peers once per test run and decides between skipping and failing.
public enum Peers {
    /// True when a missing peer is a failure (`OTKLIK_REQUIRE_PEERS=1`, as CI runs).
    public static var required: Bool { ProcessInfo.processInfo.environment["OTKLIK_REQUIRE_PEERS"] == "1" }

    /// The peer's executable (python3 for a Python package), or nil when it is missing.
    public static func path(_ peer: Peer) -> String? {
        cache.value(for: peer) {
            guard let exe = peer.tools.lazy.compactMap(ExternalProcess.path).first else { return nil }
            guard !peer.pythonModules.isEmpty else { return exe }
            let probe = try? ExternalProcess.run(Command(exe, ["-c", "import " + peer.pythonModules.joined(separator: ", ")],
                                                         timeout: .seconds(120)))
            return probe?.succeeded == true ? exe : nil
        }
    }

    public static func isAvailable(_ peer: Peer) -> Bool { path(peer) != nil }

    /// The peer's executable, for a test that carries `.requires(peer)`: that trait has already skipped the test
    /// when the peer is missing and not required, so here a missing peer is always a failure.
    public static func require(_ peer: Peer) throws -> String {
        guard let exe = path(peer) else { throw PeerMissing(peer: peer) }
        return exe
    }

    /// For a check inside a larger test that has a part of its own for the peer: the executable; nil when it is
    /// missing and not required (that part is left out); an error when a required peer is missing.
    public static func ifAvailable(_ peer: Peer) throws -> String? {
        if let exe = path(peer) { return exe }
        if required { throw PeerMissing(peer: peer) }
        print("note: \(peer.withPackage) is not installed; its part of this test is left out")
        return nil
    }

    /// The test-trait condition: true to run, false to skip, an error (a failed test) when a required peer is missing.
    static func check(_ peers: [Peer]) throws -> Bool {
        for peer in peers where !isAvailable(peer) {
            if required { throw PeerMissing(peer: peer) }
            return false
        }
        return true
    }

    private static let cache = Cache()

    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var found: [Peer: String?] = [:]

        func value(for peer: Peer, _ find: () -> String?) -> String? {
            if let known = lock.withLock({ found[peer] }) { return known }
            let value = find()
            lock.withLock { found[peer] = .some(value) }
            return value
        }
    }
}

/// A required peer that is not there.
public struct PeerMissing: Error, CustomStringConvertible {
    public let peer: Peer
    public var description: String {
        "\(peer.withPackage) is not installed, and OTKLIK_REQUIRE_PEERS=1 makes that a failure; make test-deps installs it"
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when every peer is installed; otherwise skips it with the reason, or, under
    /// `OTKLIK_REQUIRE_PEERS=1`, fails it.
    public static func requires(_ peers: Peer..., sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        let reason = "needs " + peers.map(\.withPackage).joined(separator: " and ") + "; make test-deps installs it"
        return .enabled(Comment(rawValue: reason), sourceLocation: sourceLocation) { try Peers.check(peers) }
    }
}
