import AlertRelay
import Foundation
import Logging
import NIOPosix
import NIOSSL
import PostgresNIO

/// One replica at a time delivers for each sink, so what a sink may take (Slack's one message a second, a
/// sink's `max_concurrency` and `rate_limit`, its circuit breaker) holds for the whole set of replicas, not
/// for each. Ownership is a session-level advisory lock per sink, held on a connection of its own: when the
/// owning replica dies, the server drops its connection and its locks with it, and another replica takes the
/// sink at its next claim (about a second later). The jobs the dead replica held come back when their leases
/// end.
actor SinkOwnership {
    private let configuration: PostgresConnection.Configuration
    private let namespace: String
    private let logger: Logger
    private var connection: PostgresConnection?
    private var owned: Set<SinkAddress> = []
    /// When each sink not owned was last asked for; asked again at most once a second.
    private var lastTried: [SinkAddress: ContinuousClock.Instant] = [:]
    private var lastConnect: ContinuousClock.Instant?
    private var connectionID = 0
    /// Told whether the database can be reached, each time the connection is lost or made.
    private let reachability: @Sendable (Bool) -> Void

    init(settings: PostgresSettings, logger: Logger, reachability: @escaping @Sendable (Bool) -> Void = { _ in }) {
        self.reachability = reachability
        // The pool's TLS mode; a context that cannot be built (it does not happen with the defaults) means no TLS.
        let context = try? NIOSSLContext(configuration: .makeClientConfiguration())
        let tls: PostgresConnection.Configuration.TLS
        switch (settings.tls, context) {
        case (.require, let context?): tls = .require(context)
        case (.prefer, let context?): tls = .prefer(context)
        default: tls = .disable
        }
        var configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password, database: settings.database, tls: tls
        )
        configuration.options.additionalStartupParameters = [("application_name", "alertrelay sink ownership")]
        self.configuration = configuration
        self.namespace = settings.schema
        self.logger = logger
    }

    /// Gives up every sink (the connection and its locks). PostgresNIO requires a connection closed before it
    /// goes: the store calls this when the service stops.
    func close() async {
        try? await connection?.close()
        connection = nil
        owned = []
    }

    /// The sinks among `sinks` this replica delivers for now, taking those no replica holds.
    func owned(among sinks: Set<SinkAddress>) async -> Set<SinkAddress> {
        let clock = ContinuousClock()
        if connection?.isClosed ?? true {
            if !owned.isEmpty {
                logger.warning("Lost the connection that held this replica's sinks; other replicas take them over", metadata: ["sinks": "\(owned.count)"])
            }
            owned = []
            connection = nil
            reachability(false)
            if let lastConnect, clock.now - lastConnect < .seconds(1) { return [] }
            lastConnect = clock.now
            connectionID += 1
            do {
                connection = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: connectionID, logger: logger
                ).get()
                reachability(true)
            } catch {
                return []
            }
        }
        guard let connection else { return [] }
        for sink in sinks.subtracting(owned) {
            if let last = lastTried[sink], clock.now - last < .seconds(1) { continue }
            lastTried[sink] = clock.now
            do {
                let rows = try await Session(connection: connection, logger: logger).query("SELECT pg_try_advisory_lock(\(Self.key(sink, namespace: namespace)))")
                if try rows.first?.decode(Bool.self) == true {
                    owned.insert(sink)
                    logger.info("This replica delivers for the sink", metadata: ["sink": "\(sink)"])
                }
            } catch {
                try? await connection.close()
                self.connection = nil
                return []
            }
        }
        return owned.intersection(sinks)
    }

    /// The advisory lock of a sink in this schema: FNV-1a (64 bit) of schema, receiver and sink.
    static func key(_ sink: SinkAddress, namespace: String) -> Int64 {
        var hash = FNV1a()
        hash.add(Array(namespace.utf8) + [0] + Array(sink.receiver.utf8) + [0] + Array(sink.sink.utf8))
        return Int64(bitPattern: hash.value)
    }
}
