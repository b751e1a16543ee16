import AlertRelay
import Foundation
import GRDB

/// The delivery queue and the dedup log, in one SQLite database in WAL mode with `synchronous = FULL`: a
/// committed transaction survives a power loss, not just a crash of the process.
///
/// Enqueues and job updates go through ``GroupCommit``: whatever arrives while a transaction commits is
/// written by the next one, so concurrent requests share one fsync.
public final class QueueStore: RelayStore, Sendable {
    public let path: String
    let pool: DatabasePool
    let enqueuer: GroupCommit<AcceptedNotification, EnqueueResult>
    let finisher: GroupCommit<Finish, Void>

    struct Finish: Sendable {
        var jobID: Int64
        var attempt: Attempt
        var transition: JobTransition
    }

    /// Rung after every commit that makes a job due: the delivery workers wait on it.
    public let doorbell: Doorbell

    public init(path: String, metrics: RelayMetrics = RelayMetrics(), doorbell: Doorbell = Doorbell()) throws(StoreError) {
        self.path = path
        self.doorbell = doorbell
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB's pool sets `synchronous = NORMAL` on its writer once WAL is on, after prepareDatabase ran:
            // without this, no enqueue was fsynced (found by profiling with callgrind: 24 fdatasync for 613
            // commits, all of them checkpoints).
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrator.migrate(pool)
        } catch {
            throw StoreError(operation: "open \(path)", error)
        }
        let pool = self.pool
        enqueuer = GroupCommit { batch in
            let clock = ContinuousClock()
            let begin = clock.now
            let results = await Self.batch(pool, durability: .full, count: batch.count) { db in
                batch.map { item in Result { try Self.insert(item, db) } }
            }
            metrics.commit(duration: clock.now - begin, webhooks: batch.count)
            return results
        }
        finisher = GroupCommit { batch in
            await Self.batch(pool, durability: .normal, count: batch.count) { db in batch.map { item in Result { try Self.apply(item, db) } } }
        }
    }

    /// How hard a commit must reach the disk.
    enum Durability: String {
        /// fsync at commit: what an acknowledged webhook needs (survives power loss).
        case full = "FULL"
        /// No fsync of its own (WAL `synchronous = NORMAL`): survives a crash of the process, and reaches the
        /// disk with the next full commit. For bookkeeping whose loss costs at most a repeated delivery
        /// (claims, attempt records), never a lost one.
        case normal = "NORMAL"
    }

    /// Runs `body` in one write transaction; if the transaction itself fails, every item fails with it.
    static func batch<T: Sendable>(
        _ pool: DatabasePool, durability: Durability, count: Int,
        _ body: @escaping @Sendable (Database) throws -> [Result<T, any Error>]
    ) async -> [Result<T, any Error>] {
        do {
            return try await transaction(pool, durability: durability, body)
        } catch {
            return Array(repeating: .failure(StoreError(operation: "commit", error)), count: count)
        }
    }

    static func transaction<T: Sendable>(
        _ pool: DatabasePool, durability: Durability, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        guard durability == .normal else { return try await pool.write(body) }
        return try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            defer { try? db.execute(sql: "PRAGMA synchronous = FULL") }
            var result: T?
            try db.inTransaction {
                result = try body(db)
                return .commit
            }
            guard let result else { throw StoreError(operation: "commit", GroupCommitMissing()) }
            return result
        }
    }

    struct GroupCommitMissing: Error {}

    func write<T: Sendable>(
        _ operation: String, durability: Durability = .full, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(StoreError) -> T {
        do {
            return try await Self.transaction(pool, durability: durability, body)
        } catch {
            throw StoreError(operation: operation, error)
        }
    }

    func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw StoreError(operation: operation, error)
        }
    }
}
