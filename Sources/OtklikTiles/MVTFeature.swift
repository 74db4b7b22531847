/// A position on a tile's integer grid (0...extent, y down; the buffer gives values just outside).
public struct TilePixel: Sendable, Hashable {
    public var x: Int32
    public var y: Int32

    public init(x: Int32, y: Int32) {
        self.x = x
        self.y = y
    }
}

/// Geometry already quantised to the tile grid. Polygons are lists of rings whose first ring is the exterior;
/// the encoder writes rings as given, so winding must be right before (see `TileGeometry.polygon`).
public enum MVTGeometry: Sendable, Hashable {
    case points([TilePixel])
    case lineStrings([[TilePixel]])
    case polygons([[[TilePixel]]])

    var typeCode: UInt64 {
        switch self {
        case .points: return 1
        case .lineStrings: return 2
        case .polygons: return 3
        }
    }

    var isEmpty: Bool {
        switch self {
        case .points(let p): return p.isEmpty
        case .lineStrings(let l): return l.isEmpty
        case .polygons(let p): return p.isEmpty
        }
    }
}

public struct MVTFeature: Sendable, Hashable {
    public var id: UInt64?
    public var geometry: MVTGeometry
    public var properties: [MVTProperty]

    public init(id: UInt64? = nil, geometry: MVTGeometry, properties: [MVTProperty] = []) {
        self.id = id
        self.geometry = geometry
        self.properties = properties
    }
}

/// A named layer of features sharing one extent.
public struct MVTLayer: Sendable, Hashable {
    public var name: String
    public var extent: Int
    public var features: [MVTFeature]

    public init(name: String, extent: Int = 4096, features: [MVTFeature] = []) {
        self.name = name
        self.extent = extent
        self.features = features
    }
}
