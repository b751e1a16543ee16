import Foundation

/// Where the queue lives, resolved: SQLite in the data directory, or a PostgreSQL database the replicas share
/// (its secrets read, its values checked). The server builds the store from it.
public enum StoreLocation: Sendable, Equatable {
    case sqlite
    case postgres(PostgresLocation)
}

public struct PostgresLocation: Sendable, Equatable {
    /// `postgres://user[:password]@host[:port]/database`.
    public var url: Secret
    public var password: Secret?
    public var schema: String
    /// `disable`, `prefer` or `require`.
    public var tls: String
    public var poolSize: Int
    public var lease: Duration
}
