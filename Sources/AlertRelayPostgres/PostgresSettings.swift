import Foundation
import Logging
import PostgresNIO

/// Where the shared store lives and how to reach it: `storage: {type: postgres, url: ..., ...}`.
public struct PostgresSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// The PostgreSQL schema holding AlertRelay's tables; replicas that share it share the queue.
    public var schema: String
    /// `disable`, `prefer` (the default) or `require` (certificate verified).
    public var tls: TLSMode
    public var poolSize: Int
    /// How long a claim holds a job (longer than any sink's timeout).
    public var lease: Duration

    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        case disable, prefer, require
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads `postgres://user[:password]@host[:port]/database`; a password given apart (`password_file`)
    /// wins over one in the URL.
    public init(
        url: String, password: String? = nil, schema: String = "alertrelay", tls: TLSMode = .prefer, poolSize: Int = 10,
        lease: Duration = .seconds(120)
    ) throws(Invalid) {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme?.lowercased() ?? ""),
            let host = components.host, !host.isEmpty
        else {
            throw Invalid(description: "expected postgres://user@host:port/database")
        }
        guard let user = components.user, !user.isEmpty else { throw Invalid(description: "the URL names no user (postgres://user@host/database)") }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = password ?? components.password.map { $0.removingPercentEncoding ?? $0 }
        let path = components.path.drop { $0 == "/" }
        self.database = path.isEmpty ? self.username : String(path)
        guard !schema.isEmpty else { throw Invalid(description: "the schema must not be empty") }
        self.schema = schema
        self.tls = tls
        guard poolSize >= 1 else { throw Invalid(description: "pool_size must be at least 1") }
        self.poolSize = poolSize
        self.lease = lease
    }

    /// The server-side bounds of every store connection. A Swift task's cancellation does not reach a statement
    /// the server is running: a wait for a row lock held by a transaction whose client is gone (a database
    /// restart under load leaves such) would hold a delivery, and the shutdown, for ever. The server ends such
    /// waits itself: a lock wait after 10 s (the store's own bound on a call; a replica waiting for another's
    /// migration retries at its next start), any statement after 30 s, and a transaction left idle by its
    /// client after 30 s, which frees its locks.
    static let serverBounds = [
        ("lock_timeout", "10s"), ("statement_timeout", "30s"), ("idle_in_transaction_session_timeout", "30s"),
    ]

    /// The client's configuration: every connection works in ``schema``, within ``serverBounds``.
    public var clientConfiguration: PostgresClient.Configuration {
        let mode: PostgresClient.Configuration.TLS
        switch tls {
        case .disable: mode = .disable
        case .prefer: mode = .prefer(.makeClientConfiguration())
        case .require: mode = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: mode)
        configuration.options.maximumConnections = poolSize
        configuration.options.additionalStartupParameters =
            [("application_name", "alertrelay"), ("search_path", PostgresSchema.quoted(schema))] + Self.serverBounds
        return configuration
    }

    /// What the service shows of it (no password).
    public var description: String { "postgres://\(username)@\(host):\(port)/\(database) schema \(schema)" }
}
