import OtklikCore
import Foundation

/// Incidents with every value the bulk insert binds already computed: district and settlement, agency,
/// timestamps as text, geometry blob. Preparing needs no connection, so an import prepares the next chunk on
/// its own thread while the writer inserts the previous one.
///
/// Packed: the texts and blobs of all rows sit back to back in one byte buffer, with a (start, length) span per
/// field and row, so that a chunk is a handful of allocations rather than a dozen per row, and the writer binds
/// values where they lie.
public struct PreparedChunk: Sendable {
    /// The fields kept in `bytes`, in their span order.
    enum Field: Int, CaseIterable {
        case source, externalID, category, description, address, reported, status, resolved, district, settlement,
             agency, attributes, geometry
    }
    static let fieldCount = Field.allCases.count

    var bytes: [UInt8] = []
    /// Per row, per field: start in `bytes` and length; length -1 for NULL.
    var spans: [Int] = []
    var lon: [Double] = []
    var lat: [Double] = []
    var approximate: [Bool] = []
    /// Rows with a reporter contact, in row order.
    var reporters: [(row: Int, contact: ReporterContact)] = []

    public var count: Int { lon.count }

    /// Each row's position.
    var locations: [GeoPoint] { zip(lon, lat).map { GeoPoint(lon: $0, lat: $1) } }

    init(capacity: Int) {
        bytes.reserveCapacity(capacity * 320)
        spans.reserveCapacity(capacity * Self.fieldCount * 2)
        lon.reserveCapacity(capacity)
        lat.reserveCapacity(capacity)
        approximate.reserveCapacity(capacity)
    }

    mutating func append(_ inc: Incident, district: String?, settlement: String?, agency: String) {
        let row = count
        text(inc.source.rawValue)
        text(inc.externalID)
        text(inc.category)
        text(inc.description)
        text(inc.address)
        text(Timestamp.format(inc.reportedAt))
        text(inc.status.rawValue)
        text(inc.resolvedAt.map(Timestamp.format))
        text(district)
        text(settlement)
        text(agency)
        text(IncidentRow.attributesJSON(inc.attributes))
        let start = bytes.count
        SpatiaLiteBlob.appendPoint(to: &bytes, lon: inc.location.lon, lat: inc.location.lat)
        spans.append(start)
        spans.append(bytes.count - start)
        lon.append(inc.location.lon)
        lat.append(inc.location.lat)
        approximate.append(inc.approximateLocation)
        if let r = inc.reporter, !r.isEmpty { reporters.append((row, r)) }
    }

    private mutating func text(_ value: String?) {
        guard var value else {
            spans.append(0)
            spans.append(-1)
            return
        }
        let start = bytes.count
        value.withUTF8 { bytes.append(contentsOf: $0) }
        spans.append(start)
        spans.append(bytes.count - start)
    }
}
