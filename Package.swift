// swift-tools-version:6.1
import PackageDescription

// Every target opts into the same upcoming features so that dependency leaks (public imports)
// and implicit existentials are compile errors rather than review comments.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Otklik",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "otklik", targets: ["otklik"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        // Named for the connection guard's channel handlers (timeouts, connection cap); the versions are the ones
        // Hummingbird already resolves to.
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
        // The PostGIS backend's client.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSpatiaLite",
            pkgConfig: "spatialite",
            providers: [.apt(["libsqlite3-dev", "libspatialite-dev", "libsqlite3-mod-spatialite"])]
        ),
        .systemLibrary(
            name: "CProj",
            pkgConfig: "proj",
            providers: [.apt(["libproj-dev", "proj-data"])]
        ),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "OtklikCore", swiftSettings: strict),
        .target(name: "OtklikGeo", dependencies: ["OtklikCore", "CProj"], swiftSettings: strict),
        .target(
            name: "OtklikStore",
            dependencies: [
                "OtklikCore", "CSpatiaLite", "CZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The PostGIS backend: the same ports as OtklikStore, over PostgresNIO.
        .target(
            name: "OtklikPostGIS",
            dependencies: [
                "OtklikCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(name: "OtklikDemo", dependencies: ["OtklikCore"], swiftSettings: strict),
        .target(name: "OtklikHotspots", dependencies: ["OtklikCore"], swiftSettings: strict),
        .target(name: "OtklikTiles", dependencies: ["OtklikCore", "CZlib"], swiftSettings: strict),
        .target(name: "OtklikInspection", dependencies: ["OtklikCore"], swiftSettings: strict),
        // The use cases the CLI and the HTTP layer share: hotspots, area figures, tiles, routes. Takes the store
        // through Core's protocols only, so it names no backend.
        .target(
            name: "OtklikServices",
            dependencies: ["OtklikCore", "OtklikGeo", "OtklikHotspots", "OtklikTiles", "OtklikInspection"],
            swiftSettings: strict
        ),
        .target(
            name: "OtklikHTTP",
            dependencies: [
                "OtklikCore", "OtklikServices", "OtklikTiles", "OtklikInspection",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "otklik",
            dependencies: [
                "OtklikCore", "OtklikGeo", "OtklikStore", "OtklikHotspots", "OtklikTiles", "OtklikInspection",
                "OtklikServices", "OtklikHTTP", "OtklikDemo", "OtklikPostGIS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "otklik-bench",
            dependencies: ["OtklikCore", "OtklikGeo", "OtklikStore", "OtklikHotspots", "OtklikTiles", "OtklikInspection",
                           "OtklikServices", "OtklikDemo",
                           .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/OtklikBench",
            swiftSettings: strict
        ),
        .target(name: "OtklikTestSupport", path: "Tests/Support", swiftSettings: strict),
        .testTarget(name: "OtklikCoreTests", dependencies: ["OtklikCore"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(
            name: "OtklikDemoTests",
            dependencies: ["OtklikDemo", "OtklikCore", "OtklikStore", "OtklikGeo", "OtklikHotspots", "OtklikServices",
                           .product(name: "Logging", package: "swift-log")],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(name: "OtklikGeoTests", dependencies: ["OtklikGeo", "OtklikCore"], swiftSettings: strict),
        .testTarget(
            name: "OtklikStoreTests", dependencies: ["OtklikTestSupport", "OtklikStore", "OtklikPostGIS", "OtklikCore", "OtklikGeo"],
            resources: [.copy("Fixtures")], swiftSettings: strict
        ),
        .testTarget(
            name: "OtklikHotspotsTests", dependencies: ["OtklikTestSupport", "OtklikHotspots", "OtklikCore"],
            resources: [.copy("Fixtures")], swiftSettings: strict
        ),
        .testTarget(
            name: "OtklikTilesTests", dependencies: ["OtklikTestSupport", "OtklikTiles", "OtklikCore"],
            resources: [.copy("Fixtures")], swiftSettings: strict
        ),
        .testTarget(
            name: "OtklikInspectionTests", dependencies: ["OtklikTestSupport", "OtklikInspection", "OtklikCore"],
            resources: [.copy("Fixtures")], swiftSettings: strict
        ),
        .testTarget(
            name: "OtklikHTTPTests",
            dependencies: [
                "OtklikHTTP", "OtklikServices", "OtklikStore", "OtklikCore", "OtklikTiles", "OtklikHotspots", "OtklikTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: strict
        ),
        // Drives the built `otklik` executable as a user would; it links none of our modules.
        .testTarget(name: "OtklikCLITests", dependencies: ["OtklikTestSupport"], swiftSettings: strict),
    ]
)
