import AlertRelay
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// Assembles the HTTP application for a checked configuration.
public func buildApplication(
    configuration: ResolvedConfiguration,
    logger: Logger,
    clock: @escaping @Sendable () -> Date = Date.init,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let ingestor = try Ingestor(configuration: configuration, clock: clock)
    let router = buildRouter(ingestor: ingestor)
    return Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(60))),
        configuration: .init(
            address: .hostname(configuration.listenAddress.host, port: configuration.listenAddress.port),
            serverName: "AlertRelay"
        ),
        onServerRunning: onServerRunning,
        logger: logger
    )
}

public func buildRouter(ingestor: Ingestor) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    HealthController(ingestor: ingestor).register(on: router)
    WebhookController(ingestor: ingestor).register(on: router)
    return router
}

/// Runs the relay until SIGTERM or SIGINT, then shuts down gracefully: the HTTP server stops taking requests
/// and finishes the ones in flight.
public func serve(configuration: ResolvedConfiguration, logger: Logger) async throws {
    let application = try buildApplication(configuration: configuration, logger: logger)
    let serviceGroup = ServiceGroup(
        configuration: .init(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    )
    try await serviceGroup.run()
}
