public import Hummingbird
public import Logging
public import OtklikServices
import Foundation
import OtklikCore

/// Builds the whole service. `otklik serve` runs the result with `runService()`, the tests with `app.test(...)`.
///
/// - Parameters:
///   - core: the application services over the store (see `ApplicationServices`).
/// - Throws: `APIKeysError` when the configured keys cannot be read.
public func buildApplication(
    configuration: AppConfiguration,
    core: ApplicationServices,
    logger: Logger
) throws -> some ApplicationProtocol {
    let keys = try configuration.loadKeys()
    if keys.isEmpty {
        logger.warning("no API keys configured: writes will be refused (set OTKLIK_API_KEYS or an API keys file)")
    }
    let services = AppServices(config: configuration, core: core, keys: keys, logger: logger)
    let router = buildRouter(services)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                             serverName: configuration.serverName),
        logger: logger
    )
}

func buildRouter(_ services: AppServices) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: MetricsMiddleware(metrics: services.metrics))
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ProblemMiddleware(maxBodyBytes: services.config.maxBodyBytes))
    // Planners' own web maps read the layers from other origins; keys travel in a header, never in cookies.
    router.add(middleware: CORSMiddleware(allowOrigin: .all, allowMethods: [.get, .post, .patch, .head, .options],
                                          exposedHeaders: ["Location"]))
    router.get("/healthz") { request, _ in
        try QueryParameters(request: request).onlyAllow([])
        // `tile_points`: whether cold incident tiles are already drawn from memory (see LiveTilePoints).
        return Respond.json(["status": "ok", "tile_points": .string(services.core.tileState.pointsReady ? "ready" : "building")])
    }
    OGCRoutes(services: services).register(on: router)
    TileRoutes(services: services).register(on: router)
    registerOpen311(on: router, services: services)
    registerRoutePlanning(on: router, services: services)
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
            "method": .string(request.method.rawValue),
            "route": .string(context.endpointPath ?? "unmatched"),
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
    logger.info("serving \(configuration.databasePath) on http://\(configuration.host):\(configuration.port)")
    try await app.runService()
}
