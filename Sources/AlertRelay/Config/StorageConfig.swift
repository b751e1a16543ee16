import Foundation

/// `storage`: where the queue lives. `type: sqlite` (the default) keeps it in the data directory, for one
/// machine; `type: postgres` keeps it in a PostgreSQL database that several replicas share.
public struct StorageConfig: Sendable, Decodable {
    public enum Kind: String, Sendable, Decodable, CaseIterable {
        case sqlite, postgres
    }

    public var type = Kind.sqlite
    /// The data directory (the SQLite queue; file sinks' outboxes and the lock file with either store),
    /// relative to the config file's directory unless absolute.
    public var path = "data"
    /// How long delivered jobs (and their attempts) are kept before pruning; dead letters stay until replayed
    /// or dropped.
    public var deliveredRetention = ConfigDuration(.seconds(7 * 86_400))
    /// `type: postgres` only.
    public var postgres: PostgresStorageConfig?

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, path, deliveredRetention = "delivered_retention"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(.type, default: type)
        switch type {
        case .sqlite: try decoder.rejectUnknownKeys(CodingKeys.self)
        case .postgres:
            try decoder.rejectUnknownKeys(allowed: Set(CodingKeys.allCases.map(\.stringValue) + PostgresStorageConfig.CodingKeys.allCases.map(\.stringValue)))
            postgres = try PostgresStorageConfig(from: decoder)
        }
        path = try c.decode(.path, default: path)
        deliveredRetention = try c.decode(.deliveredRetention, default: deliveredRetention)
    }
}

/// `storage` with `type: postgres`: the database every replica shares.
public struct PostgresStorageConfig: Sendable, Decodable {
    /// `postgres://user[:password]@host[:port]/database`; a secret (it may hold the password): `url_file` or
    /// `{env: NAME}` keep it out of the file.
    public var url: SecretRef
    public var password: SecretRef?
    /// The PostgreSQL schema for AlertRelay's tables: replicas that name the same one share a queue.
    public var schema: String
    /// `disable`, `prefer` or `require` (a verified certificate).
    public var tls: String
    public var poolSize: Int
    /// How long a replica's claim holds a job: longer than every sink's timeout. A replica that dies leaves
    /// its jobs to the others after this long.
    public var lease: ConfigDuration

    enum CodingKeys: String, CodingKey, CaseIterable {
        case url, urlFile = "url_file", password, passwordFile = "password_file", schema, tls, poolSize = "pool_size", lease
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        url = try c.secret(.url, orFile: .urlFile)
        password = try c.secretIfPresent(.password, orFile: .passwordFile)
        schema = try c.decode(.schema, default: "alertrelay")
        tls = try c.decode(.tls, default: "prefer")
        poolSize = try c.decode(.poolSize, default: 10)
        lease = try c.decode(.lease, default: ConfigDuration(.seconds(120)))
        guard ["disable", "prefer", "require"].contains(tls) else { throw c.invalid(.tls, "expected disable, prefer or require") }
        guard !schema.isEmpty, schema.utf8.count <= 63 else { throw c.invalid(.schema, "must be 1 to 63 bytes (a PostgreSQL identifier)") }
        guard (1...200).contains(poolSize) else { throw c.invalid(.poolSize, "must be from 1 to 200") }
        guard lease.duration >= .seconds(5) else { throw c.invalid(.lease, "must be at least 5s") }
    }
}
