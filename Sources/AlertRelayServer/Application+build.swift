import AlertRelay
import AlertRelayCurl
import AlertRelayStore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Everything the service runs, wired from a checked configuration: the store, the sinks, the delivery
/// workers and the ingest path. ``reload(logger:)`` swaps in a new configuration atomically.
public final class Relay: Sendable {
    public let store: QueueStore
    public let dispatcher: Dispatcher
    public let metrics: RelayMetrics
    /// Where `/metrics` reads from.
    public let registry: PrometheusCollectorRegistry
    public let clock: @Sendable () -> Date
    let sinks: SinkFactory
    let discardingIngest: Bool
    /// The main listener's connection limits and, with `server.tls`, its certificates; both follow a reload.
    public let connections: ConnectionGate
    public let listenerTLS: ListenerTLS?
    /// The metrics listener's own connection limits (`server.metrics_listen_address`): the same values,
    /// counted apart, so scrapes and senders cannot starve each other.
    public let metricsConnections: ConnectionGate

    struct Live: Sendable {
        var configuration: ResolvedConfiguration
        var ingestor: Ingestor
    }

    private let live: Mutex<Live>
    /// One reload at a time (SIGHUP and `POST /-/reload` may race).
    private let reloading = Mutex(false)

    public var configuration: ResolvedConfiguration { live.withLock { $0.configuration } }
    public var ingestor: Ingestor { live.withLock { $0.ingestor } }

    /// - Parameter discardingIngest: benchmarks only: accepted webhooks are answered without being stored,
    ///   the ceiling against which the cost of durability is measured.
    public init(
        configuration: ResolvedConfiguration, logger: Logger, clock: @escaping @Sendable () -> Date = Date.init,
        discardingIngest: Bool = false, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) throws {
        self.clock = clock
        self.registry = registry
        self.discardingIngest = discardingIngest
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = RelayMetrics.durationBuckets
        factory.durationHistogramBuckets = ["alertrelay_delivery_latency_seconds": RelayMetrics.latencyBuckets]
        factory.defaultValueHistogramBuckets = [1, 2, 3, 5, 10, 20, 50, 100, 500]
        metrics = RelayMetrics(factory: factory)
        metrics.buildInfo()
        let storePath = configuration.dataDirectory.appendingPathComponent("queue.db").path
        try FileManager.default.createDirectory(
            at: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
        )
        store = try QueueStore(path: storePath, metrics: metrics)
        let server = configuration.configuration.server
        connections = ConnectionGate(limit: server.maxConnections, perClient: server.connectionsPerClient, listener: "main", metrics: metrics)
        metricsConnections = ConnectionGate(
            limit: server.maxConnections, perClient: server.connectionsPerClient, listener: "metrics", metrics: metrics
        )
        listenerTLS = try configuration.listenerTLS.map { files throws(ConfigError) in try ListenerTLS(files) }
        sinks = SinkFactory(clock: clock)
        dispatcher = Dispatcher(
            queue: store, routes: try sinks.routes(for: configuration), now: clock,
            drainTimeout: configuration.configuration.server.shutdownTimeout.duration, logger: logger, metrics: metrics
        )
        let ingestor = Self.ingestor(configuration, store: store, dispatcher: dispatcher, clock: clock, discarding: discardingIngest,
                                     replayGuard: ReplayGuard(), metrics: metrics)
        live = Mutex(Live(configuration: configuration, ingestor: ingestor))
        metrics.reload(successful: true, at: clock())
    }

    private static func ingestor(
        _ configuration: ResolvedConfiguration, store: QueueStore, dispatcher: Dispatcher, clock: @escaping @Sendable () -> Date,
        discarding: Bool, replayGuard: ReplayGuard, metrics: RelayMetrics
    ) -> Ingestor {
        let doorbell = dispatcher.doorbell
        let queue: any JobQueue = discarding ? DiscardingQueue() : store
        return Ingestor(
            configuration: configuration, queue: queue, clock: clock, replayGuard: replayGuard, metrics: metrics,
            onEnqueued: { doorbell.ring() }
        )
    }

    /// What a successful reload changed, for the log and the `/-/reload` answer.
    public struct ReloadReport: Sendable {
        public var receivers: Int
        /// Jobs still waiting for sinks the new config no longer has: kept, not delivered, until a config has
        /// them again or an operator drops them.
        public var orphaned: [SinkAddress: Int]
    }

    /// Reads the config file again and, if it is valid, switches to it at once: new webhooks are routed by it,
    /// the workers deliver through its sinks. An invalid file changes nothing; the error says why.
    public func reload(logger: Logger) async -> Result<ReloadReport, ConfigError> {
        let started = reloading.withLock { busy in
            defer { busy = true }
            return !busy
        }
        guard started else {
            return .failure(ConfigError(file: configuration.file, issues: [ConfigIssue(path: "(reload)", message: "a reload is already running")]))
        }
        defer { reloading.withLock { $0 = false } }
        let current = live.withLock { $0 }
        let result = await Self.prepare(reloading: current.configuration)
        switch result {
        case .failure(let error):
            metrics.reload(successful: false, at: clock())
            logger.error("Configuration reload failed; the previous configuration keeps serving", metadata: ["errors": "\(error.description)"])
            return .failure(error)
        case .success(let configuration):
            let routes: [SinkAddress: Dispatcher.Route]
            do {
                routes = try sinks.routes(for: configuration)
            } catch {
                metrics.reload(successful: false, at: clock())
                let failure = ConfigError(file: configuration.file, issues: [ConfigIssue(path: "(sinks)", message: "\(error)")])
                logger.error("Configuration reload failed; the previous configuration keeps serving", metadata: ["errors": "\(failure)"])
                return .failure(failure)
            }
            do {
                try reloadListener(current: current.configuration, next: configuration)
            } catch {
                metrics.reload(successful: false, at: clock())
                logger.error("Configuration reload failed; the previous configuration keeps serving", metadata: ["errors": "\(error.description)"])
                return .failure(error)
            }
            let ingestor = Self.ingestor(
                configuration, store: store, dispatcher: dispatcher, clock: clock, discarding: discardingIngest,
                replayGuard: current.ingestor.replayGuard, metrics: metrics
            )
            for (address, kind) in dispatcher.replace(routes: routes) { metrics.forget(address, type: kind) }
            live.withLock { $0 = Live(configuration: configuration, ingestor: ingestor) }
            metrics.reload(successful: true, at: clock())
            let orphaned = ((try? await store.waitingBySink()) ?? [:]).filter { routes[$0.key] == nil }
            metrics.orphaned(orphaned.values.reduce(0, +))
            logger.notice("Configuration reloaded", metadata: ["receivers": "\(configuration.receivers.count)"])
            for (address, count) in orphaned.sorted(by: { $0.key.description < $1.key.description }) {
                logger.warning(
                    "Jobs wait for a sink the configuration no longer has; kept until it is back or they are dropped",
                    metadata: ["sink": "\(address)", "jobs": "\(count)"]
                )
            }
            return .success(ReloadReport(receivers: configuration.receivers.count, orphaned: orphaned))
        }
    }

    /// The listener's part of a reload: the certificate files read again (a renewed certificate is served to
    /// new connections), and the connection limit. TLS cannot be turned on or off on an open socket.
    private func reloadListener(current: ResolvedConfiguration, next: ResolvedConfiguration) throws(ConfigError) {
        if (next.listenerTLS == nil) != (listenerTLS == nil) {
            let change = next.listenerTLS == nil ? "off" : "on"
            throw ConfigError(file: next.file, issues: [ConfigIssue(path: "server.tls", message: "turning TLS \(change) needs a restart")])
        }
        if let files = next.listenerTLS {
            do {
                try listenerTLS?.reload(files)
            } catch {
                throw ConfigError(file: next.file, issues: error.issues)
            }
        }
        let server = next.configuration.server
        connections.update(limit: server.maxConnections, perClient: server.connectionsPerClient)
        metricsConnections.update(limit: server.maxConnections, perClient: server.connectionsPerClient)
    }

    /// The config file read again and checked. The data directory holds the queue: a reload cannot move it.
    /// The listening socket stays where it is (as with `--web.listen-address`); a new one needs a restart.
    private static func prepare(reloading current: ResolvedConfiguration) async -> Result<ResolvedConfiguration, ConfigError> {
        var next: ResolvedConfiguration
        do {
            next = try ConfigLoader.load(file: current.file)
        } catch {
            return .failure(error)
        }
        if next.dataDirectory.standardizedFileURL.path != current.dataDirectory.standardizedFileURL.path {
            let issue = ConfigIssue(path: "storage.path", message: "cannot change without a restart (the queue is in \(current.dataDirectory.path))")
            return .failure(ConfigError(file: current.file, issues: [issue]))
        }
        next.listenAddress = current.listenAddress
        return .success(next)
    }

    /// Refreshes the queue gauges, then renders every metric in Prometheus' text format.
    public func scrape() async -> [UInt8] {
        if let counts = try? await store.counts() {
            let oldest = try? await store.oldestWaiting()
            metrics.queue(counts: counts, oldestWaiting: oldest.flatMap { $0 }.map { .seconds(max(0, clock().timeIntervalSince($0))) })
        }
        return registry.emitToBuffer()
    }

    /// Why the service cannot take webhooks right now, or `nil` when it can: the queue must take a write, and
    /// its file system must have room for the largest webhook a source may send, stored once per sink (a
    /// nearly full disk took small writes and refused every 20-60 KB webhook while `/-/ready` said 200).
    @Sendable public func unreadiness() async -> String? {
        do {
            try await store.checkWritable()
        } catch {
            return "the queue cannot be written: \(error)"
        }
        let configuration = self.configuration
        let largest = configuration.sources.values.map(\.maxBodySize).max() ?? 0
        let sinks = max(1, configuration.receivers.values.reduce(0) { $0 + $1.sinks.count })
        let needed = largest * sinks + (1 << 20)
        var space = statvfs()
        guard statvfs(configuration.dataDirectory.path, &space) == 0 else { return nil }
        let free = Int(space.f_bavail) * Int(space.f_frsize)
        guard free >= needed else {
            return "only \(free / 1024) KiB free for the queue; a webhook of max_body_size to every sink needs \(needed / 1024) KiB"
        }
        return nil
    }
}

/// Builds the sinks a configuration names, sharing what outlives a reload: the curl transports (and so their
/// connections) and the file outboxes (one open file each).
final class SinkFactory: Sendable {
    private struct Shared {
        var transport: CurlHTTPTransport?
        var mail: CurlMailTransport?
        var outboxes: [String: JSONLinesOutbox] = [:]
    }

    private let shared = Mutex(Shared())
    let clock: @Sendable () -> Date

    init(clock: @escaping @Sendable () -> Date) {
        self.clock = clock
    }

    func routes(for configuration: ResolvedConfiguration) throws -> [SinkAddress: Dispatcher.Route] {
        var routes: [SinkAddress: Dispatcher.Route] = [:]
        for receiver in configuration.receivers.values {
            for sink in receiver.sinks {
                routes[sink.address] = Dispatcher.Route(sink: try build(sink.kind), limits: sink.limits, policy: receiver.retry)
            }
        }
        return routes
    }

    private func build(_ kind: ReceiverSink.Kind) throws -> any Sink {
        let clock = self.clock
        return try shared.withLock { shared throws -> any Sink in
            switch kind {
            case .file(let path):
                let outbox = try shared.outboxes[path] ?? JSONLinesOutbox(path: path)
                shared.outboxes[path] = outbox
                return FileSink(outbox: outbox)
            case .webhook(let settings):
                let transport = shared.transport ?? CurlHTTPTransport()
                shared.transport = transport
                return WebhookSink(settings: settings, transport: transport, now: clock)
            case .slack(let settings):
                let transport = shared.transport ?? CurlHTTPTransport()
                shared.transport = transport
                return SlackSink(settings: settings, transport: transport, now: clock)
            case .email(let settings):
                let mail = shared.mail ?? CurlMailTransport()
                shared.mail = mail
                return EmailSink(settings: settings, transport: mail, now: clock)
            }
        }
    }
}

/// What every listener does to protect itself: the whole-request read deadline (slowloris), the idle
/// timeout, header limits, and its connection gate.
func protectedServer(relay: Relay, gate: ConnectionGate, tls: ListenerTLS?) -> HTTPServerBuilder {
    let server = relay.configuration.configuration.server
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
public func buildApplication(relay: Relay, logger: Logger) -> some ApplicationProtocol {
    Application(
        router: buildRouter(relay: relay),
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
    router.group("/-").add(middleware: AdminAuthMiddleware(token: adminToken)).post("/reload") { _, context in
        try await ReloadEndpoint.reload(relay, logger: context.logger)
    }
    router.get("/-/reload") { request, _ -> Response in throw APIError.methodNotAllowed(request.method, allowed: "POST") }
    let admin = router.group("/api/v1").add(middleware: AdminAuthMiddleware(token: adminToken))
    DeliveriesController(store: relay.store, doorbell: relay.dispatcher.doorbell, clock: relay.clock).register(on: admin)
    TestFireController(ingestor: { relay.ingestor }, store: relay.store).register(on: admin)
    RoutesController(configuration: { relay.configuration }, clock: relay.clock).register(on: admin)
    return router
}

/// `/metrics`, behind the admin token when `admin.protect_metrics` says so.
func registerMetrics(relay: Relay, on router: Router<RelayRequestContext>) {
    if relay.configuration.configuration.admin.protectMetrics {
        let group = router.group("/").add(middleware: AdminAuthMiddleware(token: { relay.configuration.adminToken }))
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
    var services: [any Service] = delivering ? [DeliveryService(dispatcher: relay.dispatcher)] : []
    services.append(PruneService(store: relay.store, retention: configuration.configuration.storage.deliveredRetention.duration, logger: logger))
    services.append(ReloadOnHangup(relay: relay, logger: logger))
    if let address = configuration.metricsListenAddress {
        services.append(Listening(address: address, application: buildOperationsApplication(relay: relay, address: address, logger: logger)))
    }
    services.append(Listening(address: configuration.listenAddress, application: application))  // last: stopped first
    var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    // The delivery workers cut off what is still in flight after `shutdown_timeout` (it stays queued); the
    // rest of the group gets a little more, and a service that ignores cancellation a last few seconds, so
    // the process is gone before systemd's or Kubernetes' SIGKILL.
    let shutdownTimeout = configuration.configuration.server.shutdownTimeout.duration
    group.maximumGracefulShutdownDuration = shutdownTimeout + .seconds(3)
    group.maximumCancellationDuration = .seconds(5)
    try await ServiceGroup(configuration: group).run()
}

/// A listener could not open its socket: the process ends with this one line instead of running without it.
public struct ListenError: Error, CustomStringConvertible {
    public var address: ListenAddress
    public var reason: String

    public var description: String { "cannot listen on \(address): \(reason)" }
}

/// A listener as a service, whose failure to open its socket says which address it was.
struct Listening<Application: Service>: Service {
    let address: ListenAddress
    let application: Application

    func run() async throws {
        do {
            try await application.run()
        } catch let error as IOError where [EADDRINUSE, EADDRNOTAVAIL, EACCES].contains(error.errnoCode) {
            throw ListenError(address: address, reason: String(cString: strerror(error.errnoCode)).lowercased())
        }
    }
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

/// SIGHUP reloads the configuration, as it does for Prometheus and Alertmanager.
struct ReloadOnHangup: Service {
    let relay: Relay
    let logger: Logger

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        try await cancelWhenGracefulShutdown {
            for await _ in hangups {
                logger.notice("SIGHUP: reloading the configuration")
                _ = await relay.reload(logger: logger)
            }
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
