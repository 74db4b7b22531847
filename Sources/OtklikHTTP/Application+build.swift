public import Hummingbird
import HummingbirdCore
public import Logging
public import OtklikServices
import Foundation
import OtklikCore

/// Builds the whole service. `otklik serve` runs the result with `runService()`, the tests with `app.test(...)`.
///
/// - Parameters:
///   - core: the application services over the store (see `ApplicationServices`).
/// - Throws: `APIKeysError` when the configured keys cannot be read, `HostSettingsError` when the base URL or
///   the allowed hosts are malformed.
public func buildApplication(
    configuration: AppConfiguration,
    core: ApplicationServices,
    logger: Logger
) throws -> some ApplicationProtocol {
    if let problem = configuration.hostProblem { throw HostSettingsError(message: problem) }
    let keys = try configuration.loadKeys()
    if keys.isEmpty {
        logger.warning("no API keys configured: writes will be refused (set OTKLIK_API_KEYS or an API keys file)")
    }
    let services = AppServices(config: configuration, core: core, keys: keys, logger: logger)
    let router = buildRouter(services)
    let limits = configuration.connections
    let registry = ConnectionRegistry()
    let metrics = services.metrics
    // Hummingbird's own idle timeout stays off: the guard tells an idle keep-alive connection from one whose
    // next request has started to arrive, which Hummingbird's handler (it sees whole heads only) cannot.
    let http1 = HTTP1Channel.Configuration(
        additionalChannelHandlers: [ConnectionGuard(limits: limits, registry: registry, metrics: metrics)])
    return Application(
        router: router,
        server: .http1(configuration: http1),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                             serverName: configuration.serverName),
        logger: logger
    )
}

/// A malformed `baseURL` or `allowedHosts`.
public struct HostSettingsError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

func buildRouter(_ services: AppServices) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    let config = services.config
    let gate = WorkGate(limits: .init(analyses: config.maxConcurrentAnalyses, routes: config.maxConcurrentRoutes,
                                      retryAfterSeconds: config.busyRetryAfterSeconds,
                                      analysisDeadline: .milliseconds(Int64(config.analysisDeadlineSeconds * 1000))),
                        metrics: services.metrics)
    services.core.hotspots.setHeavyWork(gate)
    services.core.hotspots.setCacheLimits(entries: config.analysisCacheEntries, bytes: config.analysisCacheBytes)
    if let after = config.staleAfter {
        services.core.hotspots.setStalePolicy(wait: .seconds(1), after: after)
        services.core.areas.setStalePolicy(wait: .seconds(1), after: after)
    }
    router.add(middleware: MetricsMiddleware(metrics: services.metrics))
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ProblemMiddleware(maxBodyBytes: services.config.maxBodyBytes))
    router.add(middleware: HostCheckMiddleware(policy: services.hosts))
    router.add(middleware: SecurityHeadersMiddleware(map: services.config.map))
    // Planners' own web maps read the public layers from other origins; the write API is not open to them.
    router.add(middleware: PublicCORSMiddleware())
    router.get("/healthz") { request, _ in
        try QueryParameters(request: request).onlyAllow([])
        // `tile_points`: whether cold incident tiles are already drawn from memory (see LiveTilePoints).
        return Respond.json(["status": "ok", "tile_points": .string(services.core.tileState.pointsReady ? "ready" : "building")])
    }
    OGCRoutes(services: services).register(on: router)
    TileRoutes(services: services).register(on: router)
    registerOpen311(on: router, services: services)
    registerRoutePlanning(on: router, services: services, work: gate)
    IncidentRoutes(services: services).register(on: router)
    ReportRoutes(services: services).register(on: router)
    OperationsRoutes(services: services).register(on: router)
    return router
}

/// One structured line per request: method, route, status, duration.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let d = ContinuousClock.now - start
        context.logger.debug("request", metadata: [
            "method": .logged(request.method.rawValue),
            "route": .logged(context.endpointPath ?? "unmatched"),
            "status": .stringConvertible(response.status.code),
            "ms": .stringConvertible(d.milliseconds),
        ])
        return response
    }
}

/// Builds the application and runs it until SIGTERM or SIGINT; requests in flight are finished first
/// (Hummingbird's service group does the graceful shutdown). For `otklik serve`.
public func runServer(
    configuration: AppConfiguration,
    core: ApplicationServices,
    logger: Logger
) async throws {
    let app = try buildApplication(configuration: configuration, core: core, logger: logger)
    logger.info("serving \(configuration.databaseForLog) on http://\(configuration.host):\(configuration.port)")
    try await app.runService()
}
