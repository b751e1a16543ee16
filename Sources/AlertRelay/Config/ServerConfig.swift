import Foundation

public struct ServerConfig: Sendable, Decodable {
    /// `host:port`; `:port` listens on every interface.
    public var listenAddress = "127.0.0.1:9099"
    /// Largest webhook body accepted, enforced while the body is read.
    public var maxBodySize = ByteSize(bytes: 1 << 20)
    /// A request must arrive whole (headers and body) within this time of the connection opening or of the
    /// previous answer; a client that trickles bytes (slowloris) is cut off.
    public var readTimeout = ConfigDuration(.seconds(30))
    /// An idle keep-alive connection is closed after this long.
    public var idleTimeout = ConfigDuration(.seconds(60))
    /// When set, `/metrics`, `/-/healthy` and `/-/ready` are (also) served on this second address, and
    /// `/metrics` no longer on the main one: scrapes stay on a private network while senders reach the main one.
    public var metricsListenAddress: String?
    /// Connections open at once on the main listener; one more is closed as soon as it is accepted, so a
    /// flood of idle or slow connections cannot use up the file descriptors senders need.
    public var maxConnections = 512
    /// Connections open at once from one client address, on each listener; by default a quarter of
    /// `max_connections`, so one client cannot hold them all. Behind a proxy every sender shares its address:
    /// raise it (up to `max_connections`) there.
    public var maxConnectionsPerClient: Int?
    /// On SIGTERM, how long deliveries in flight may take to finish; past it they are cut off and stay
    /// queued. The process is gone within this plus a few seconds: keep it 10 s below the platform's grace
    /// (systemd's `TimeoutStopSec`, Kubernetes' `terminationGracePeriodSeconds`, both 30 s by default).
    public var shutdownTimeout = ConfigDuration(.seconds(15))
    /// HTTPS on the main listener; its files are read again on every reload (certificate rotation).
    public var tls: ListenerTLSConfig?

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case listenAddress = "listen_address", maxBodySize = "max_body_size", readTimeout = "read_timeout", idleTimeout = "idle_timeout"
        case metricsListenAddress = "metrics_listen_address", maxConnections = "max_connections", tls
        case maxConnectionsPerClient = "max_connections_per_client", shutdownTimeout = "shutdown_timeout"
    }

    /// `max_connections_per_client` as set, or its default.
    public var connectionsPerClient: Int { maxConnectionsPerClient ?? max(1, maxConnections / 4) }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        listenAddress = try c.decode(.listenAddress, default: listenAddress)
        maxBodySize = try c.decode(.maxBodySize, default: maxBodySize)
        readTimeout = try c.decode(.readTimeout, default: readTimeout)
        idleTimeout = try c.decode(.idleTimeout, default: idleTimeout)
        metricsListenAddress = try c.decodeIfPresent(String.self, forKey: .metricsListenAddress)
        maxConnections = try c.decode(.maxConnections, default: maxConnections)
        tls = try c.decodeIfPresent(ListenerTLSConfig.self, forKey: .tls)
        maxConnectionsPerClient = try c.decodeIfPresent(Int.self, forKey: .maxConnectionsPerClient)
        shutdownTimeout = try c.decode(.shutdownTimeout, default: shutdownTimeout)
        guard maxConnections > 0 else { throw c.invalid(.maxConnections, "must be at least 1") }
        if let perClient = maxConnectionsPerClient, !(1...maxConnections).contains(perClient) {
            throw c.invalid(.maxConnectionsPerClient, "must be from 1 to max_connections (\(maxConnections))")
        }
        guard shutdownTimeout.duration > .zero, shutdownTimeout.duration <= .seconds(600) else {
            throw c.invalid(.shutdownTimeout, "must be more than 0 and at most 10m")
        }
        guard readTimeout.duration > .zero else { throw c.invalid(.readTimeout, "must be more than 0") }
        guard idleTimeout.duration > .zero else { throw c.invalid(.idleTimeout, "must be more than 0") }
    }
}

/// `server.tls`: the listener's certificate chain and key (PEM), and optionally the CA that client
/// certificates are verified against (for sources with `client_certificate`).
public struct ListenerTLSConfig: Sendable, Decodable, Equatable {
    public var certFile: String
    public var keyFile: String
    public var clientCAFile: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case certFile = "cert_file", keyFile = "key_file", clientCAFile = "client_ca_file"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        certFile = try c.decode(String.self, forKey: .certFile)
        keyFile = try c.decode(String.self, forKey: .keyFile)
        clientCAFile = try c.decodeIfPresent(String.self, forKey: .clientCAFile)
    }
}
