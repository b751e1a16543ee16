import AlertRelay
import Foundation
import GRDB

/// The delivery queue and the dedup log, in one SQLite database in WAL mode with `synchronous = FULL`: a
/// committed transaction survives a power loss, not just a crash of the process.
///
/// Enqueues and job updates go through ``GroupCommit``: whatever arrives while a transaction commits is
/// written by the next one, so concurrent requests share one fsync.
public final class QueueStore: DeliveryQueue, Sendable {
    public let path: String
    private let pool: DatabasePool
    private let enqueuer: GroupCommit<AcceptedNotification, EnqueueResult>
    private let finisher: GroupCommit<Finish, Void>

    struct Finish: Sendable {
        var jobID: Int64
        var attempt: Attempt
        var transition: JobTransition
    }

    public init(path: String, metrics: RelayMetrics = RelayMetrics()) throws(StoreError) {
        self.path = path
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
    private static func batch<T: Sendable>(
        _ pool: DatabasePool, durability: Durability, count: Int,
        _ body: @escaping @Sendable (Database) throws -> [Result<T, any Error>]
    ) async -> [Result<T, any Error>] {
        do {
            return try await transaction(pool, durability: durability, body)
        } catch {
            return Array(repeating: .failure(StoreError(operation: "commit", error)), count: count)
        }
    }

    private static func transaction<T: Sendable>(
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

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE jobs (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        notification_id TEXT NOT NULL,
                        source TEXT NOT NULL,
                        receiver TEXT NOT NULL,
                        sink TEXT NOT NULL,
                        state TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        next_attempt_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        last_error TEXT,
                        payload BLOB NOT NULL
                    );
                    CREATE INDEX jobs_due ON jobs (state, next_attempt_at);
                    CREATE INDEX jobs_receiver ON jobs (receiver, state);
                    CREATE TABLE attempts (
                        job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
                        number INTEGER NOT NULL,
                        started_at INTEGER NOT NULL,
                        duration_ms INTEGER NOT NULL,
                        outcome TEXT NOT NULL,
                        status INTEGER,
                        response TEXT NOT NULL,
                        PRIMARY KEY (job_id, number)
                    );
                    CREATE TABLE dedup (
                        key TEXT PRIMARY KEY,
                        notification_id TEXT NOT NULL,
                        expires_at INTEGER NOT NULL
                    );
                    CREATE INDEX dedup_expiry ON dedup (expires_at);
                    """
            )
        }
        migrator.registerMigration("v2: deliveries by notification") { db in
            try db.execute(sql: "CREATE INDEX jobs_notification ON jobs (notification_id)")
        }
        // Found by scripts/bench.sh with 1M jobs waiting: the oldest-waiting gauge read every row (1.2 s a
        // scrape) and the per-sink count on reload sorted them all (2 s). A partial index holds only the
        // waiting jobs; the per-sink count reads an index, not the table. The new per-sink index also serves
        // what (receiver, state) served, so that one goes: no more b-trees per insert than before.
        migrator.registerMigration("v3: backlog-sized indexes") { db in
            try db.execute(
                sql: """
                    CREATE INDEX jobs_waiting_since ON jobs (created_at) WHERE state IN ('pending', 'retrying');
                    CREATE INDEX jobs_sink_state ON jobs (receiver, sink, state);
                    DROP INDEX jobs_receiver;
                    """
            )
        }
        return migrator
    }

    // MARK: Ingest

    public func enqueue(_ notification: AcceptedNotification) async throws -> EnqueueResult {
        try await enqueuer.submit(notification)
    }

    public func firstAcceptance(of jobs: [NewJob], at now: Date) async throws -> String? {
        guard !jobs.isEmpty, jobs.allSatisfy({ $0.dedupKey != nil }) else { return nil }
        return try await read("look up duplicates") { db in
            let findDuplicate = try Self.findDuplicate(db)
            var first: String?
            for job in jobs {
                guard let key = job.dedupKey,
                    let id = try String.fetchOne(findDuplicate, arguments: [key, millis(now), job.address.receiver, job.address.sink])
                else { return nil }
                first = first ?? id
            }
            return first
        }
    }

    /// The notification a dedup key was first accepted as, while its window lasts. A notification whose
    /// earlier delivery to this sink ended dead is not a duplicate: the sender's re-send gets a new chance.
    private static func findDuplicate(_ db: Database) throws -> Statement {
        // Cached statements: the hot path parses its SQL once per connection, not once per webhook.
        try db.cachedStatement(
            sql: """
                SELECT d.notification_id FROM dedup d WHERE d.key = ? AND d.expires_at > ? AND NOT EXISTS (
                    SELECT 1 FROM jobs j INDEXED BY jobs_notification WHERE j.notification_id = d.notification_id AND j.receiver = ? AND j.sink = ? AND j.state = 'dead')
                """
        )
    }

    private static func insert(_ item: AcceptedNotification, _ db: Database) throws -> EnqueueResult {
        let now = millis(item.receivedAt)
        var written = 0
        var duplicateOf: String?
        let findDuplicate = try Self.findDuplicate(db)
        let remember = try db.cachedStatement(sql: "INSERT OR REPLACE INTO dedup (key, notification_id, expires_at) VALUES (?, ?, ?)")
        let insertJob = try db.cachedStatement(
            sql: """
                INSERT INTO jobs (notification_id, source, receiver, sink, state, created_at, next_attempt_at, updated_at, last_error, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        for job in item.jobs {
            if let key = job.dedupKey {
                if let first = try String.fetchOne(findDuplicate, arguments: [key, now, job.address.receiver, job.address.sink]) {
                    duplicateOf = duplicateOf ?? first
                    continue
                }
                try remember.execute(arguments: [key, item.id, now + millis(item.dedupWindow)])
            }
            try insertJob.execute(
                arguments: [
                    item.id, item.source, job.address.receiver, job.address.sink,
                    job.mutedBecause == nil ? JobState.pending.rawValue : JobState.muted.rawValue, now, now, now, job.mutedBecause,
                    Data(job.encodedPayload ?? job.payload.jsonBytes()),
                ]
            )
            written += 1
        }
        if written == 0, let duplicateOf { return .duplicate(of: duplicateOf) }
        return .accepted(jobs: written, duplicates: item.jobs.count - written)
    }

    // MARK: Workers

    /// Jobs a previous process held when it died go back to the queue, due now. Call once at start, before
    /// the workers run (the data directory lock guarantees no other process holds any).
    public func recoverInterrupted(now: Date) async throws -> Int {
        try await write("recover interrupted jobs") { db in
            try db.execute(
                sql: "UPDATE jobs SET state = 'retrying', next_attempt_at = ?, updated_at = ? WHERE state = 'delivering'",
                arguments: [millis(now), millis(now)]
            )
            return db.changesCount
        }
    }

    /// Takes up to `allowances[sink]` due jobs for each sink, oldest due first, and marks them `delivering`.
    /// The payloads are decoded after the transaction: the writer, which every enqueue waits for, is held for
    /// the rows only.
    public func claimDue(now: Date, allowances: [SinkAddress: Int]) async throws -> [Job] {
        let wanted = allowances.filter { $0.value > 0 }
        guard !wanted.isEmpty else { return [] }
        let rows = try await write("claim jobs", durability: .normal) { db in
            let select = try db.cachedStatement(
                sql: """
                    SELECT * FROM jobs WHERE receiver = ? AND sink = ? AND state IN ('pending', 'retrying') AND next_attempt_at <= ?
                    ORDER BY next_attempt_at, id LIMIT ?
                    """
            )
            let mark = try db.cachedStatement(sql: "UPDATE jobs SET state = 'delivering', updated_at = ? WHERE id = ?")
            var claimed: [StoredJob] = []
            for (address, limit) in wanted {
                for row in try Row.fetchAll(select, arguments: [address.receiver, address.sink, millis(now), limit]) {
                    var stored = StoredJob(row)
                    try mark.execute(arguments: [millis(now), stored.id])
                    stored.state = JobState.delivering.rawValue
                    claimed.append(stored)
                }
            }
            return claimed
        }
        // A payload that cannot be read back would be claimed and fail forever: it becomes a dead letter, for a
        // person to look at, and the rest of the claim goes on.
        var jobs: [Job] = []
        var unreadable: [(id: Int64, reason: String)] = []
        for row in rows {
            do {
                jobs.append(try row.decoded())
            } catch {
                unreadable.append((row.id, "the stored payload cannot be read back: \(error)"))
            }
        }
        if !unreadable.isEmpty {
            try await write("dead-letter unreadable jobs", durability: .normal) { [unreadable] db in
                for (id, reason) in unreadable {
                    try db.execute(
                        sql: "UPDATE jobs SET state = 'dead', last_error = ?, updated_at = ? WHERE id = ?", arguments: [reason, millis(now), id]
                    )
                }
            }
        }
        return jobs.sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }
    }

    /// Records an attempt and moves the job on; returns once durable.
    public func finish(jobID: Int64, attempt: Attempt, transition: JobTransition) async throws {
        do {
            try await finisher.submit(Finish(jobID: jobID, attempt: attempt, transition: transition))
        } catch {
            throw error as? StoreError ?? StoreError(operation: "finish job \(jobID)", error)
        }
    }

    private static func apply(_ finish: Finish, _ db: Database) throws {
        let attempt = finish.attempt
        let started = millis(attempt.startedAt)
        let now = started + millis(attempt.duration)
        try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO attempts (job_id, number, started_at, duration_ms, outcome, status, response) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [finish.jobID, attempt.number, started, now - started, attempt.outcome, attempt.status, attempt.response])
        switch finish.transition {
        case .delivered:
            try db.cachedStatement(sql: "UPDATE jobs SET state = 'delivered', attempts = ?, updated_at = ?, last_error = NULL WHERE id = ?")
                .execute(arguments: [attempt.number, now, finish.jobID])
        case .retry(let at, let error):
            try db.cachedStatement(
                sql: "UPDATE jobs SET state = 'retrying', attempts = ?, next_attempt_at = ?, updated_at = ?, last_error = ? WHERE id = ?"
            ).execute(arguments: [attempt.number, millis(at), now, error, finish.jobID])
        case .dead(let error):
            try db.cachedStatement(sql: "UPDATE jobs SET state = 'dead', attempts = ?, updated_at = ?, last_error = ? WHERE id = ?")
                .execute(arguments: [attempt.number, now, error, finish.jobID])
        }
    }

    public func release(jobID: Int64, at: Date, reason: String) async throws {
        try await write("release job \(jobID)", durability: .normal) { db in
            try db.execute(
                sql: "UPDATE jobs SET state = 'retrying', next_attempt_at = ?, updated_at = ?, last_error = ? WHERE id = ? AND state = 'delivering'",
                arguments: [millis(at), millis(at), reason, jobID]
            )
        }
    }

    /// When the next waiting job falls due, if any does.
    public func nextDue() async throws -> Date? {
        try await read("find the next due job") { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM jobs WHERE state IN ('pending', 'retrying')")
                .map(date)
        }
    }

    // MARK: Operating

    /// When the oldest job still waiting for delivery (pending or retrying) was accepted.
    public func oldestWaiting() async throws(StoreError) -> Date? {
        try await read("find the oldest waiting job") { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(created_at) FROM jobs INDEXED BY jobs_waiting_since WHERE state IN ('pending', 'retrying')").map(date)
        }
    }

    /// Jobs waiting for delivery, by sink.
    public func waitingBySink() async throws(StoreError) -> [SinkAddress: Int] {
        try await read("count waiting jobs by sink") { db in
            var counts: [SinkAddress: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT receiver, sink, COUNT(*) AS n FROM jobs INDEXED BY jobs_sink_state WHERE state IN ('pending', 'retrying') GROUP BY receiver, sink"
            ) {
                counts[SinkAddress(receiver: row["receiver"], sink: row["sink"])] = row["n"]
            }
            return counts
        }
    }

    public func counts() async throws(StoreError) -> [JobState: Int] {
        try await read("count jobs") { db in
            var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state") {
                if let state = JobState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    /// A page of jobs, newest first; `before` is the last id of the previous page.
    public func jobs(
        state: JobState?, receiver: String?, notification: String? = nil, limit: Int, before: Int64?
    ) async throws(StoreError) -> [Job] {
        try await read("list jobs") { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let state {
                conditions.append("state = ?")
                arguments += [state.rawValue]
            }
            if let receiver {
                conditions.append("receiver = ?")
                arguments += [receiver]
            }
            if let notification {
                conditions.append("notification_id = ?")
                arguments += [notification]
            }
            if let before {
                conditions.append("id < ?")
                arguments += [before]
            }
            arguments += [limit]
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM jobs \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments).map(Self.job)
        }
    }

    public func job(id: Int64) async throws(StoreError) -> (Job, [Attempt])? {
        try await read("read job \(id)") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]) else { return nil }
            let attempts = try Row.fetchAll(db, sql: "SELECT * FROM attempts WHERE job_id = ? ORDER BY number", arguments: [id]).map { row in
                Attempt(
                    number: row["number"], startedAt: date(row["started_at"]), duration: .milliseconds(row["duration_ms"] as Int64),
                    outcome: row["outcome"], status: row["status"], response: row["response"]
                )
            }
            return (try Self.job(row), attempts)
        }
    }

    /// Puts a dead, muted or waiting job back in the queue, due now. A delivered job stays delivered.
    public func retry(id: Int64, now: Date) async throws(StoreError) -> Bool {
        try await write("retry job \(id)") { db in
            try db.execute(
                sql: "UPDATE jobs SET state = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ? AND state IN ('dead', 'muted', 'retrying', 'pending')",
                arguments: [millis(now), millis(now), id]
            )
            return db.changesCount > 0
        }
    }

    /// Replays every job in `state` (dead letters, typically), optionally for one receiver.
    public func retryAll(state: JobState, receiver: String?, now: Date) async throws(StoreError) -> Int {
        try await write("retry jobs") { db in
            var sql = "UPDATE jobs SET state = 'pending', next_attempt_at = ?, updated_at = ? WHERE state = ?"
            var arguments: StatementArguments = [millis(now), millis(now), state.rawValue]
            if let receiver {
                sql += " AND receiver = ?"
                arguments += [receiver]
            }
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount
        }
    }

    /// Deletes a job that no worker holds.
    public func drop(id: Int64) async throws(StoreError) -> Bool {
        try await write("drop job \(id)") { db in
            try db.execute(sql: "DELETE FROM attempts WHERE job_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM jobs WHERE id = ? AND state != 'delivering'", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// Deletes delivered and muted jobs older than `deliveredBefore`, and expired dedup entries.
    public func prune(deliveredBefore: Date, now: Date) async throws(StoreError) -> Int {
        try await write("prune") { db in
            try db.execute(
                sql: "DELETE FROM attempts WHERE job_id IN (SELECT id FROM jobs WHERE state IN ('delivered', 'muted') AND updated_at < ?)",
                arguments: [millis(deliveredBefore)]
            )
            try db.execute(sql: "DELETE FROM jobs WHERE state IN ('delivered', 'muted') AND updated_at < ?", arguments: [millis(deliveredBefore)])
            let pruned = db.changesCount
            try db.execute(sql: "DELETE FROM dedup WHERE expires_at <= ?", arguments: [millis(now)])
            return pruned
        }
    }

    /// Fault injection: with `true`, every write fails as on a read-only disk, until set back.
    public func setReadOnly(_ readOnly: Bool) async throws(StoreError) {
        do {
            try await pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = \(readOnly ? 1 : 0)") }
        } catch {
            throw StoreError(operation: "set read-only", error)
        }
    }

    /// Whether a write can be committed right now (for `/-/ready`).
    /// The writer's `PRAGMA synchronous` (2 is FULL): what an enqueue's commit does.
    func writerSynchronous() async throws -> Int {
        try await pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    public func checkWritable() async throws(StoreError) {
        // A real write, committed like an enqueue: on a full disk it fails as an enqueue would. (A delete of
        // nothing writes no page and would pass.)
        try await write("check the store is writable") { db in
            try db.execute(sql: "INSERT OR REPLACE INTO dedup (key, notification_id, expires_at) VALUES ('', '', 0)")
            try db.execute(sql: "DELETE FROM dedup WHERE key = ''")
        }
    }

    // MARK: Helpers

    private func write<T: Sendable>(
        _ operation: String, durability: Durability = .full, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(StoreError) -> T {
        do {
            return try await Self.transaction(pool, durability: durability, body)
        } catch {
            throw StoreError(operation: operation, error)
        }
    }

    private func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw StoreError(operation: operation, error)
        }
    }

    /// A job as the admin API lists it: one whose payload cannot be read back (a dead letter, see
    /// ``claimDue(now:allowances:)``) shows with no alerts rather than hiding the whole list.
    private static func job(_ row: Row) throws -> Job {
        let stored = StoredJob(row)
        return (try? stored.decoded()) ?? stored.decoded(payload: AlertRelay.Notification(status: .firing, alerts: []))
    }
}

/// A job's row as read, its payload not decoded yet (so a transaction can hand it out cheaply).
private struct StoredJob: Sendable {
    var id: Int64
    var notificationID: String
    var source: String
    var receiver: String
    var sink: String
    var state: String
    var attempts: Int
    var createdAt: Int64
    var nextAttemptAt: Int64
    var updatedAt: Int64
    var lastError: String?
    var payload: Data

    init(_ row: Row) {
        id = row["id"]
        notificationID = row["notification_id"]
        source = row["source"]
        receiver = row["receiver"]
        sink = row["sink"]
        state = row["state"]
        attempts = row["attempts"]
        createdAt = row["created_at"]
        nextAttemptAt = row["next_attempt_at"]
        updatedAt = row["updated_at"]
        lastError = row["last_error"]
        payload = row["payload"]
    }

    func decoded() throws -> Job {
        decoded(payload: try AlertRelay.Notification.decodeStored(Array(payload)))
    }

    func decoded(payload notification: AlertRelay.Notification) -> Job {
        Job(
            id: id, notificationID: notificationID, source: source, address: SinkAddress(receiver: receiver, sink: sink),
            state: JobState(rawValue: state) ?? .pending, attempts: attempts, createdAt: date(createdAt),
            nextAttemptAt: date(nextAttemptAt), updatedAt: date(updatedAt), lastError: lastError, payload: notification
        )
    }
}

func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
func millis(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
}
func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

/// A store operation that failed, with SQLite's reason (disk full, read-only, corrupt).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var reason: String
    /// The file is damaged (not a database, or corrupt pages): never treated as an empty queue.
    public var isCorrupt: Bool

    init(operation: String, _ error: any Error) {
        self.operation = operation
        if let error = error as? DatabaseError {
            self.reason = "\(error.resultCode): \(error.message ?? "")"
            self.isCorrupt = error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
        } else {
            self.reason = "\(error)"
            self.isCorrupt = false
        }
    }

    public var description: String {
        guard isCorrupt else { return "\(operation): \(reason)" }
        return """
            \(operation): the queue database is damaged (\(reason)). AlertRelay will not start on it, so that no \
            queued alert is silently dropped. To recover: stop alertrelay; move queue.db, queue.db-wal and \
            queue.db-shm aside; salvage what can be read with `sqlite3 OLD/queue.db .recover | sqlite3 queue.db` \
            in the data directory (or start with an empty queue); start alertrelay again. See README, "Security".
            """
    }
}
