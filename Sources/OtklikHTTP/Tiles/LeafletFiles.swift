import Foundation
import Hummingbird

/// Serves Debian's `libjs-leaflet` files under /vendor/leaflet, for the map page (no CDN: the machines have
/// no internet). Only plain file names in the package folder and its `images/` folder are served; anything
/// else, traversal included, is a 404 problem, as is a missing package.
struct LeafletFiles: Sendable {
    static let directory = "/usr/share/javascript/leaflet"
    static let types = ["js": "application/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
                        "png": "image/png", "map": "application/json", "svg": "image/svg+xml"]

    func register(on router: Router<BasicRequestContext>) {
        router.get("/vendor/leaflet/{file}") { request, context in
            try QueryParameters(request: request).onlyAllow([])
            return try Self.file(context.parameters.get("file") ?? "", folder: nil)
        }
        router.get("/vendor/leaflet/images/{file}") { request, context in
            try QueryParameters(request: request).onlyAllow([])
            return try Self.file(context.parameters.get("file") ?? "", folder: "images")
        }
    }

    /// A name is letters, digits, `-`, `_` and `.`, not starting with a dot: `..`, slashes (encoded or not)
    /// and hidden files never reach the file system.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 100 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { c in
                (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "-" || c == "_" || c == "."
            }
    }

    static func file(_ name: String, folder: String?, directory: String = directory) throws -> Response {
        let ext = name.split(separator: ".").last.map { String($0).lowercased() } ?? ""
        guard isPlainName(name), let type = types[ext] else {
            throw Problem.notFound("no Leaflet file '\(QueryParameters.shorten(name))'")
        }
        let path = [directory, folder, name].compactMap { $0 }.joined(separator: "/")
        guard let data = FileManager.default.contents(atPath: path) else {
            if !FileManager.default.fileExists(atPath: directory) {
                throw Problem.notFound("Leaflet is not installed: apt-get install libjs-leaflet (\(directory) is missing)")
            }
            throw Problem.notFound("no Leaflet file '\(QueryParameters.shorten(name))'")
        }
        return Respond.bytes(Array(data), contentType: type, headers: [.cacheControl: "public, max-age=86400"])
    }
}
