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
    public let store: any RelayStore
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
        var configuration: RelayConfiguration
        var ingestor: Ingestor
    }

    private let live: Mutex<Live>
    /// One reload at a time (SIGHUP and `POST /-/reload` may race).
    private let reloading = Mutex(false)

    public var configuration: RelayConfiguration { live.withLock { $0.configuration } }
    public var ingestor: Ingestor { live.withLock { $0.ingestor } }

    /// - Parameters:
    ///   - store: the queue; by default SQLite in the data directory.
    ///   - replays: where replay keys are kept; by default in this process (one replica).
    ///   - discardingIngest: benchmarks only: accepted webhooks are answered without being stored, the ceiling
    ///     against which the cost of durability is measured.
    public init(
        configuration: RelayConfiguration, logger: Logger, clock: @escaping @Sendable () -> Date = Date.init, store: (any RelayStore)? = nil,
        replays: any ReplayLedger = ReplayGuard(),
        discardingIngest: Bool = false, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) throws {
        self.clock = clock
        self.registry = registry
        self.discardingIngest = discardingIngest
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = RelayMetrics.durationBuckets
        factory.durationHistogramBuckets = ["alertrelay_delivery_latency_seconds": RelayMetrics.latencyBuckets]
        factory.defaultValueHistogramBuckets = [1, 2, 3, 5, 10, 20, 50, 100, 500]
        metrics = RelayMetrics(factory: factory, clock: clock)
        metrics.buildInfo()
        try FileManager.default.createDirectory(
            at: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
        )
        self.store = try store ?? QueueStore(path: configuration.dataDirectory.appendingPathComponent("queue.db").path, metrics: metrics)
        let server = configuration.settings.server
        connections = ConnectionGate(limit: server.maxConnections, perClient: server.connectionsPerClient, listener: "main", metrics: metrics)
        metricsConnections = ConnectionGate(
            limit: server.maxConnections, perClient: server.connectionsPerClient, listener: "metrics", metrics: metrics
        )
        listenerTLS = try configuration.listenerTLS.map { files throws(ConfigError) in try ListenerTLS(files) }
        sinks = SinkFactory(clock: clock)
        dispatcher = Dispatcher(
            queue: self.store, routes: try sinks.routes(for: configuration), now: clock,
            drainTimeout: configuration.settings.server.shutdownTimeout.duration, logger: logger, metrics: metrics
        )
        let ingestor = Self.ingestor(configuration, store: self.store, clock: clock, discarding: discardingIngest, replayGuard: replays, metrics: metrics)
        live = Mutex(Live(configuration: configuration, ingestor: ingestor))
        metrics.reload(successful: true)
    }

    private static func ingestor(
        _ configuration: RelayConfiguration, store: any RelayStore, clock: @escaping @Sendable () -> Date, discarding: Bool,
        replayGuard: any ReplayLedger, metrics: RelayMetrics
    ) -> Ingestor {
        let queue: any JobQueue = discarding ? DiscardingQueue() : store
        return Ingestor(configuration: configuration, queue: queue, clock: clock, replayGuard: replayGuard, metrics: metrics)
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
            metrics.reload(successful: false)
            logger.error("Configuration reload failed; the previous configuration keeps serving", metadata: ["errors": "\(error.description)"])
            return .failure(error)
        case .success(let configuration):
            let routes: [SinkAddress: ConfiguredSink]
            do {
                routes = try sinks.routes(for: configuration)
            } catch {
                metrics.reload(successful: false)
                let failure = ConfigError(file: configuration.file, issues: [ConfigIssue(path: "(sinks)", message: "\(error)")])
                logger.error("Configuration reload failed; the previous configuration keeps serving", metadata: ["errors": "\(failure)"])
                return .failure(failure)
            }
            do {
                try reloadListener(current: current.configuration, next: configuration)
            } catch {
                metrics.reload(successful: false)
                logger.error("Configuration reload failed; the previous configuration keeps serving", metadata: ["errors": "\(error.description)"])
                return .failure(error)
            }
            let ingestor = Self.ingestor(
                configuration, store: store, clock: clock, discarding: discardingIngest, replayGuard: current.ingestor.replayGuard,
                metrics: metrics
            )
            for (address, kind) in dispatcher.replace(routes: routes) { metrics.forget(address, type: kind) }
            live.withLock { $0 = Live(configuration: configuration, ingestor: ingestor) }
            metrics.reload(successful: true)
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
    private func reloadListener(current: RelayConfiguration, next: RelayConfiguration) throws(ConfigError) {
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
        let server = next.settings.server
        connections.update(limit: server.maxConnections, perClient: server.connectionsPerClient)
        metricsConnections.update(limit: server.maxConnections, perClient: server.connectionsPerClient)
    }

    /// The config file read again and checked. The data directory holds the queue: a reload cannot move it.
    /// The listening socket stays where it is (as with `--web.listen-address`); a new one needs a restart.
    private static func prepare(reloading current: RelayConfiguration) async -> Result<RelayConfiguration, ConfigError> {
        var next: RelayConfiguration
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
