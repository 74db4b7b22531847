import Foundation
import Hummingbird
import Synchronization

/// Request counters and latency histograms per route, kept in process and rendered in the Prometheus text
/// format. The route label is the route template (`/api/v1/incidents/{id}`), never the raw path, so that the
/// number of series stays bounded whatever clients send.
final class Metrics: Sendable {
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Key: Hashable { var method: String; var route: String; var status: Int }
    struct RouteKey: Hashable { var method: String; var route: String }
    struct Histogram { var counts = [Int](repeating: 0, count: Metrics.buckets.count); var sum = 0.0; var count = 0 }

    private struct State {
        var requests: [Key: Int] = [:]
        var latency: [RouteKey: Histogram] = [:]
        var closed: [String: Int] = [:]
        var shed: [String: Int] = [:]
    }

    private let state = Mutex(State())

    func record(method: String, route: String, status: Int, seconds: Double) {
        state.withLock { s in
            s.requests[Key(method: method, route: route, status: status), default: 0] += 1
            var h = s.latency[RouteKey(method: method, route: route)] ?? Histogram()
            for (i, b) in Self.buckets.enumerated() where seconds <= b { h.counts[i] += 1 }
            h.sum += seconds
            h.count += 1
            s.latency[RouteKey(method: method, route: route)] = h
        }
    }

    /// A connection the server closed itself (a timeout, or over the connection limit).
    func connectionClosed(_ reason: ConnectionCloseReason) {
        state.withLock { $0.closed[reason.rawValue, default: 0] += 1 }
    }

    /// A heavy request refused because its kind was at its concurrency limit.
    func shed(_ kind: String) {
        state.withLock { $0.shed[kind, default: 0] += 1 }
    }

    /// Prometheus exposition text; gauges come from the caller (they need the store).
    func render(gauges: [(name: String, help: String, value: Double?)]) -> String {
        let snapshot = state.withLock { $0 }
        var out = "# HELP otklik_http_requests_total HTTP requests by method, route template and status.\n"
        out += "# TYPE otklik_http_requests_total counter\n"
        for (k, v) in snapshot.requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            out += "otklik_http_requests_total{method=\"\(k.method)\",route=\"\(Self.escape(k.route))\",status=\"\(k.status)\"} \(v)\n"
        }
        out += "# HELP otklik_http_request_duration_seconds Time to the response head, by route template.\n"
        out += "# TYPE otklik_http_request_duration_seconds histogram\n"
        for (k, h) in snapshot.latency.sorted(by: { ($0.key.route, $0.key.method) < ($1.key.route, $1.key.method) }) {
            let labels = "method=\"\(k.method)\",route=\"\(Self.escape(k.route))\""
            for (i, b) in Self.buckets.enumerated() {
                out += "otklik_http_request_duration_seconds_bucket{\(labels),le=\"\(b)\"} \(h.counts[i])\n"
            }
            out += "otklik_http_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(h.count)\n"
            out += "otklik_http_request_duration_seconds_sum{\(labels)} \(h.sum)\n"
            out += "otklik_http_request_duration_seconds_count{\(labels)} \(h.count)\n"
        }
        out += "# HELP otklik_http_connections_closed_total Connections the server closed, by reason.\n"
        out += "# TYPE otklik_http_connections_closed_total counter\n"
        for reason in ConnectionCloseReason.allCases {
            out += "otklik_http_connections_closed_total{reason=\"\(reason.rawValue)\"} \(snapshot.closed[reason.rawValue] ?? 0)\n"
        }
        out += "# HELP otklik_heavy_requests_shed_total Requests shed with 503: their kind (route, analysis, large_page) was at its limit, or (analysis_deadline) a cold analysis passed its deadline.\n"
        out += "# TYPE otklik_heavy_requests_shed_total counter\n"
        for (kind, n) in snapshot.shed.sorted(by: { $0.key < $1.key }) {
            out += "otklik_heavy_requests_shed_total{kind=\"\(Self.escape(kind))\"} \(n)\n"
        }
        for g in gauges {
            out += "# HELP \(g.name) \(g.help)\n# TYPE \(g.name) gauge\n"
            out += "\(g.name) \(g.value.map { $0 == $0.rounded() ? String(Int64($0)) : String($0) } ?? "NaN")\n"
        }
        return out
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}

struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: Metrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let seconds = (ContinuousClock.now - start).seconds
            // Unmatched paths share one label: arbitrary client paths must not create series.
            let route = context.endpointPath ?? "unmatched"
            metrics.record(method: request.method.rawValue, route: route, status: status, seconds: seconds)
        }
        let response = try await next(request, context)
        status = response.status.code
        return response
    }
}
