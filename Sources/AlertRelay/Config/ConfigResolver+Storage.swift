import Foundation

extension ConfigResolver {
    /// The store: its secrets read, and a PostgreSQL lease longer than every sink's timeout (a claim that ran
    /// out while its delivery still ran would let another replica deliver the same job at once).
    mutating func resolve(storage: StorageConfig, receivers: [ReceiverConfig]) -> StoreLocation {
        guard storage.type == .postgres, let postgres = storage.postgres else { return .sqlite }
        let url = secret(postgres.url, at: "storage.url") ?? Secret("")
        let text = String(decoding: url.bytes, as: UTF8.self)
        if text != Self.unresolved, !(text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")) {
            report("storage.url", "expected postgres://user@host:port/database")
        }
        let password = postgres.password.flatMap { secret($0, at: "storage.password") }
        let timeouts = receivers.flatMap { receiver in
            receiver.webhookConfigs.map(\.options.timeout) + receiver.slackConfigs.map(\.options.timeout) + receiver.emailConfigs.map(\.options.timeout)
        }
        if let longest = timeouts.max(), postgres.lease.duration <= longest.duration {
            report("storage.lease", "must be longer than the longest sink timeout (\(longest))")
        }
        return .postgres(
            PostgresLocation(
                url: url, password: password, schema: postgres.schema, tls: postgres.tls, poolSize: postgres.poolSize, lease: postgres.lease.duration
            )
        )
    }
}
