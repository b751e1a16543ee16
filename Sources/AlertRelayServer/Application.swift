import AlertRelay
import AlertRelayCurl
import AlertRelayPostgres
import AlertRelayStore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import PostgresNIO
import Prometheus
import ServiceLifecycle
import Synchronization
import UnixSignals

/// What every listener does to protect itself: the whole-request read deadline (slowloris), the idle
/// timeout, header limits, and its connection gate.
func protectedServer(relay: Relay, gate: ConnectionGate, tls: ListenerTLS?) -> HTTPServerBuilder {
    let server = relay.configuration.settings.server
    let http = HTTP1Channel.Configuration(
        additionalChannelHandlers: [RequestDeadlineHandler(timeout: TimeAmount(server.readTimeout.duration)), CloseAfterAnswerHandler()],
        idleTimeout: TimeAmount(server.idleTimeout.duration),
        // Alertmanager and Grafana send a handful of small headers; anything near these is abuse.
        httpDecoderConfiguration: .init(maxHeaderFieldSize: 16 * 1024, maxHeaderListSize: 64 * 1024, maxHeaderFieldCount: 100)
    )
    return HTTPServerBuilder { responder in
        ListenerChannel(base: HTTP1Channel(responder: responder, configuration: http), gate: gate, tls: tls)
    }
}

/// Assembles the HTTP application.
public func buildApplication(relay: Relay, logger: Logger, floor: Bool = false) -> some ApplicationProtocol {
    Application(
        router: floor ? buildFloorRouter(relay: relay) : buildRouter(relay: relay),
        server: protectedServer(relay: relay, gate: relay.connections, tls: relay.listenerTLS),
        configuration: .init(
            address: .hostname(relay.configuration.listenAddress.host, port: relay.configuration.listenAddress.port),
            serverName: "AlertRelay"
        ),
        logger: logger
    )
}

public func buildRouter(relay: Relay) -> Router<RelayRequestContext> {
    let router = Router(context: RelayRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    HealthController(readiness: relay.unreadiness).register(on: router)
    if relay.configuration.metricsListenAddress == nil { registerMetrics(relay: relay, on: router) }
    WebhookController(ingestor: { relay.ingestor }, metrics: relay.metrics).register(on: router)
    let adminToken: @Sendable () -> Secret? = { relay.configuration.adminToken }
    router.group("/-").add(middleware: AdminAuthMiddleware(token: adminToken, clock: relay.clock)).post("/reload") { _, context in
        try await ReloadEndpoint.reload(relay, logger: context.logger)
    }
    router.get("/-/reload") { request, _ -> Response in throw APIError.methodNotAllowed(request.method, allowed: "POST") }
    let admin = router.group("/api/v1").add(middleware: AdminAuthMiddleware(token: adminToken, clock: relay.clock))
    DeliveriesController(store: relay.store, clock: relay.clock).register(on: admin)
    TestFireController(ingestor: { relay.ingestor }, store: relay.store).register(on: admin)
    RoutesController(configuration: { relay.configuration }, clock: relay.clock).register(on: admin)
    return router
}

/// `/metrics`, behind the admin token when `admin.protect_metrics` says so.
func registerMetrics(relay: Relay, on router: Router<RelayRequestContext>) {
    if relay.configuration.settings.admin.protectMetrics {
        let group = router.group("/").add(middleware: AdminAuthMiddleware(token: { relay.configuration.adminToken }, clock: relay.clock))
        MetricsController<RelayRequestContext>(relay: relay).register(on: group)
    } else {
        MetricsController<RelayRequestContext>(relay: relay).register(on: router)
    }
}

/// The second listener, when `server.metrics_listen_address` is set: `/metrics` and health only.
public func buildOperationsApplication(relay: Relay, address: ListenAddress, logger: Logger) -> some ApplicationProtocol {
    let router = Router(context: RelayRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    HealthController(readiness: relay.unreadiness).register(on: router)
    registerMetrics(relay: relay, on: router)
    return Application(
        router: router, server: protectedServer(relay: relay, gate: relay.metricsConnections, tls: nil),
        configuration: .init(address: .hostname(address.host, port: address.port), serverName: "AlertRelay"), logger: logger
    )
}

/// Runs the relay until SIGTERM or SIGINT, then shuts down gracefully: the HTTP server stops taking requests
/// first, then the delivery workers finish what they hold; everything else stays queued on disk.
/// - Parameters:
///   - discardingIngest: benchmarks only: nothing is stored (the ceiling).
///   - delivering: benchmarks only: `false` leaves the delivery workers off, to measure the commit alone.
///   - floor: benchmarks only: webhooks are answered after their signature check alone (``buildFloorRouter(relay:)``).
public func serve(
    configuration: RelayConfiguration, logger: Logger, discardingIngest: Bool = false, delivering: Bool = true, floor: Bool = false
) async throws {
    if floor {
        logger.critical("Benchmark mode: webhooks are answered after their signature check and nothing else")
        return try await serve(Relay(configuration: configuration, logger: logger, discardingIngest: true), logger: logger, delivering: false, floor: true)
    }
    if discardingIngest {
        logger.critical("Benchmark mode: accepted webhooks are NOT stored and will never be delivered")
    }
    if !delivering {
        logger.critical("Benchmark mode: delivery workers are off; accepted webhooks stay queued")
    }
    switch configuration.store {
    case .sqlite:
        try await serve(Relay(configuration: configuration, logger: logger, discardingIngest: discardingIngest), logger: logger, delivering: delivering)
    case .postgres(let location):
        // The client runs beside the service group for as long as it does; the schema is brought up to date
        // before anything takes a webhook.
        let settings = try PostgresSettings(location)
        let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            await Task.yield()  // let the client start running before the first lease
            do {
                // Bounded: a database that cannot be reached at start ends the start (a restart policy retries).
                let migrated: Void? = try await withTimeout(.seconds(15)) { try await PostgresSchema.migrate(client, schema: settings.schema, logger: logger) }
                guard migrated != nil else { throw StoreUnavailable(description: "no answer within 15 s") }
            } catch {
                throw StoreUnavailable(description: "PostgreSQL at \(settings.description): \(PostgresStoreError(operation: "prepare the schema", error))")
            }
            logger.info("Queue in PostgreSQL", metadata: ["database": "\(settings.description)", "lease": "\(settings.lease)"])
            let store = PostgresQueueStore(client: client, lease: settings.lease, ownership: settings, logger: logger)
            do {
                try await serve(
                    Relay(
                        configuration: configuration, logger: logger, store: store, replays: PostgresReplayLedger(client: client, logger: logger),
                        discardingIngest: discardingIngest
                    ), logger: logger,
                    delivering: delivering
                )
            } catch {
                await store.shutdown()
                throw error
            }
            await store.shutdown()
            group.cancelAll()
        }
    }
}

/// The store could not be reached or prepared at start: the process ends with this line.
public struct StoreUnavailable: Error, CustomStringConvertible {
    public var description: String
}

extension PostgresSettings {
    init(_ location: PostgresLocation) throws {
        do {
            try self.init(
                url: String(decoding: location.url.bytes, as: UTF8.self), password: location.password.map { String(decoding: $0.bytes, as: UTF8.self) },
                schema: location.schema, tls: TLSMode(rawValue: location.tls) ?? .prefer, poolSize: location.poolSize, lease: location.lease
            )
        } catch {
            throw StoreUnavailable(description: "storage.url: \(error)")
        }
    }
}

/// The services of one relay, until SIGTERM or SIGINT.
private func serve(_ relay: Relay, logger: Logger, delivering: Bool, floor: Bool = false) async throws {
    let configuration = relay.configuration
    let application = buildApplication(relay: relay, logger: logger, floor: floor)
    var services: [any Service] = delivering ? [DeliveryService(dispatcher: relay.dispatcher)] : []
    services.append(PruneService(store: relay.store, retention: configuration.settings.storage.deliveredRetention.duration, clock: relay.clock, logger: logger))
    services.append(ReloadOnHangup(relay: relay, logger: logger))
    if let address = configuration.metricsListenAddress {
        services.append(Listening(address: address, application: buildOperationsApplication(relay: relay, address: address, logger: logger)))
    }
    services.append(Listening(address: configuration.listenAddress, application: application))  // last: stopped first
    var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    // The delivery workers cut off what is still in flight after `shutdown_timeout` (it stays queued); the
    // rest of the group gets a little more, and a service that ignores cancellation a last few seconds, so
    // the process is gone before systemd's or Kubernetes' SIGKILL.
    let shutdownTimeout = configuration.settings.server.shutdownTimeout.duration
    group.maximumGracefulShutdownDuration = shutdownTimeout + .seconds(3)
    group.maximumCancellationDuration = .seconds(5)
    try await ServiceGroup(configuration: group).run()
}
