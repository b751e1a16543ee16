import AlertRelay
import AlertRelayCurl
import AlertRelayStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// Everything the service runs, wired from a checked configuration: the store, the sinks, the delivery
/// workers and the ingest path.
public struct Relay: Sendable {
    public let configuration: ResolvedConfiguration
    public let store: QueueStore
    public let dispatcher: Dispatcher
    public let ingestor: Ingestor
    public let clock: @Sendable () -> Date

    /// - Parameter discardingIngest: benchmarks only: accepted webhooks are answered without being stored,
    ///   the ceiling against which the cost of durability is measured.
    public init(
        configuration: ResolvedConfiguration, logger: Logger, clock: @escaping @Sendable () -> Date = Date.init,
        discardingIngest: Bool = false
    ) throws {
        self.configuration = configuration
        self.clock = clock
        let storePath = configuration.dataDirectory.appendingPathComponent("queue.db").path
        try FileManager.default.createDirectory(
            at: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
        )
        store = try QueueStore(path: storePath)
        var transport: CurlHTTPTransport?
        var mail: CurlMailTransport?
        var outboxes: [String: JSONLinesOutbox] = [:]
        var routes: [SinkAddress: Dispatcher.Route] = [:]
        for receiver in configuration.receivers.values {
            for sink in receiver.sinks {
                let built: any Sink
                switch sink.kind {
                case .file(let path):
                    let outbox = try outboxes[path] ?? JSONLinesOutbox(path: path)
                    outboxes[path] = outbox
                    built = FileSink(outbox: outbox)
                case .webhook(let settings):
                    let shared = transport ?? CurlHTTPTransport()
                    transport = shared
                    built = WebhookSink(settings: settings, transport: shared, now: clock)
                case .slack(let settings):
                    let shared = transport ?? CurlHTTPTransport()
                    transport = shared
                    built = SlackSink(settings: settings, transport: shared, now: clock)
                case .email(let settings):
                    let shared = mail ?? CurlMailTransport()
                    mail = shared
                    built = EmailSink(settings: settings, transport: shared, now: clock)
                }
                routes[sink.address] = Dispatcher.Route(sink: built, limits: sink.limits, policy: receiver.retry)
            }
        }
        dispatcher = Dispatcher(queue: store, routes: routes, now: clock, logger: logger)
        let doorbell = dispatcher.doorbell
        let queue: any JobQueue = discardingIngest ? DiscardingQueue() : store
        ingestor = Ingestor(configuration: configuration, queue: queue, clock: clock, onEnqueued: { doorbell.ring() })
    }

    /// Why the service cannot take webhooks right now, or `nil` when it can.
    @Sendable public func unreadiness() async -> String? {
        do {
            try await store.checkWritable()
            return nil
        } catch {
            return "the queue cannot be written: \(error)"
        }
    }
}

/// Assembles the HTTP application.
public func buildApplication(relay: Relay, logger: Logger) -> some ApplicationProtocol {
    Application(
        router: buildRouter(relay: relay),
        server: .http1(configuration: .init(idleTimeout: .seconds(60))),
        configuration: .init(
            address: .hostname(relay.configuration.listenAddress.host, port: relay.configuration.listenAddress.port),
            serverName: "AlertRelay"
        ),
        logger: logger
    )
}

public func buildRouter(relay: Relay) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    HealthController(readiness: relay.unreadiness).register(on: router)
    WebhookController(ingestor: relay.ingestor).register(on: router)
    let admin = router.group("/api/v1").add(middleware: AdminAuthMiddleware(token: relay.configuration.adminToken))
    DeliveriesController(store: relay.store, doorbell: relay.dispatcher.doorbell, clock: relay.clock).register(on: admin)
    TestFireController(ingestor: relay.ingestor, store: relay.store).register(on: admin)
    RoutesController(routing: relay.configuration.routing, receivers: relay.configuration.receivers, clock: relay.clock).register(on: admin)
    return router
}

/// Runs the relay until SIGTERM or SIGINT, then shuts down gracefully: the HTTP server stops taking requests
/// first, then the delivery workers finish what they hold; everything else stays queued on disk.
/// - Parameters:
///   - discardingIngest: benchmarks only: nothing is stored (the ceiling).
///   - delivering: benchmarks only: `false` leaves the delivery workers off, to measure the commit alone.
public func serve(
    configuration: ResolvedConfiguration, logger: Logger, discardingIngest: Bool = false, delivering: Bool = true
) async throws {
    if discardingIngest {
        logger.critical("Benchmark mode: accepted webhooks are NOT stored and will never be delivered")
    }
    if !delivering {
        logger.critical("Benchmark mode: delivery workers are off; accepted webhooks stay queued")
    }
    let relay = try Relay(configuration: configuration, logger: logger, discardingIngest: discardingIngest)
    let application = buildApplication(relay: relay, logger: logger)
    let retention = configuration.configuration.storage.deliveredRetention.duration
    let serviceGroup = ServiceGroup(
        configuration: .init(
            services: (delivering ? [DeliveryService(dispatcher: relay.dispatcher)] : []) + [
                PruneService(store: relay.store, retention: retention, logger: logger),
                application,  // last: stopped first
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
    )
    try await serviceGroup.run()
}

/// The delivery workers as a service: on graceful shutdown they stop claiming and finish what they hold.
struct DeliveryService: Service {
    let dispatcher: Dispatcher

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await dispatcher.run()
        } onGracefulShutdown: {
            dispatcher.stop()
        }
    }
}

/// Deletes delivered jobs past their retention and expired dedup entries, hourly.
struct PruneService: Service {
    let store: QueueStore
    let retention: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let now = Date()
            do {
                let pruned = try await store.prune(deliveredBefore: now.addingTimeInterval(-retention.timeInterval), now: now)
                if pruned > 0 { logger.info("Pruned delivered jobs", metadata: ["jobs": "\(pruned)"]) }
            } catch {
                logger.error("Pruning failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}

/// Answers every enqueue as accepted and keeps nothing: the no-store ceiling for benchmarks.
struct DiscardingQueue: JobQueue {
    func enqueue(_ notification: AcceptedNotification) async throws -> EnqueueResult {
        .accepted(jobs: notification.jobs.count, duplicates: 0)
    }
}
