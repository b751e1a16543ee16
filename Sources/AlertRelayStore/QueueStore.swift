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
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // SQLite checkpoints in the connection that commits, after its commit: the webhooks of that batch
                // wait for it. Small checkpoints, often, keep that wait short (scripts/bench/limits.md has the
                // measurements, and why a checkpointer of its own did worse).
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.checkpointPages)")
                try db.execute(sql: "PRAGMA journal_size_limit = \(Self.walSizeLimit)")
            }
            try Self.migrator.migrate(pool)
        } catch {
            throw StoreError(operation: "open \(path)", error)
        }
        let pool = self.pool
        enqueuer = GroupCommit { batch in
            let clock = ContinuousClock()
            let begin = clock.now
            let (results, cpu) = await Self.timedBatch(pool, durability: .full, count: batch.count) { db in
                batch.map { item in Result { try Self.insert(item, db) } }
            }
            metrics.commit(duration: clock.now - begin, cpu: cpu, webhooks: batch.count)
            return results
        }
        finisher = GroupCommit { batch in
            await Self.batch(pool, durability: .normal, count: batch.count) { db in batch.map { item in Result { try Self.apply(item, db) } } }
        }
    }

    /// WAL pages (4 KiB) past which a commit checkpoints: about 15 commits' worth under load, not SQLite's 1,000.
    static let checkpointPages = 200
    /// The WAL file is truncated back to this size after a checkpoint that emptied it.
    static let walSizeLimit = 16 * 1024 * 1024

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
        await timedBatch(pool, durability: durability, count: count, body).results
    }

    /// ``batch(_:durability:count:_:)``, and the writer thread's CPU time for it.
    static func timedBatch<T: Sendable>(
        _ pool: DatabasePool, durability: Durability, count: Int,
        _ body: @escaping @Sendable (Database) throws -> [Result<T, any Error>]
    ) async -> (results: [Result<T, any Error>], cpu: Duration) {
        do {
            let (results, cpu) = try await timedTransaction(pool, durability: durability, body)
            return (results, cpu)
        } catch {
            return (Array(repeating: .failure(StoreError(operation: "commit", error)), count: count), .zero)
        }
    }

    static func transaction<T: Sendable>(
        _ pool: DatabasePool, durability: Durability, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        try await timedTransaction(pool, durability: durability, body).value
    }

    /// `body` in one write transaction, committed with `durability`, and the writer thread's CPU time for the
    /// transaction and its commit: the writer's own cost, without its waits for the disk or for a core.
    static func timedTransaction<T: Sendable>(
        _ pool: DatabasePool, durability: Durability, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> (value: T, cpu: Duration) {
        try await pool.writeWithoutTransaction { db in
            let started = threadCPUTime()
            if durability == .normal { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            defer { if durability == .normal { try? db.execute(sql: "PRAGMA synchronous = FULL") } }
            var result: T?
            try db.inTransaction {
                result = try body(db)
                return .commit
            }
            guard let result else { throw StoreError(operation: "commit", GroupCommitMissing()) }
            return (result, threadCPUTime() - started)
        }
    }

    /// The calling thread's CPU time so far.
    static func threadCPUTime() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
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
