import AlertRelay
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The delivery queue and the dedup log in PostgreSQL, shared by every replica that points at the same
/// database and schema: any replica takes webhooks, any delivers them, and the admin API of each sees the
/// whole queue.
///
/// - An enqueue answers only once its transaction is committed on the server (`synchronous_commit` as the
///   server sets it); concurrent enqueues share one transaction (``GroupCommit``), as on SQLite.
/// - A notification is a duplicate across replicas: the dedup key's row is taken with `INSERT ... ON CONFLICT`,
///   so two replicas that accept the same notification at once serialize on it, and one of them loses.
/// - Claims are leases: a job is taken with `FOR UPDATE SKIP LOCKED` and held until `lease_until`; a replica
///   that dies leaves its jobs to the others once their leases expire, without anyone's restart.
public final class PostgresQueueStore: RelayStore, Sendable {
    let database: Database
    var client: PostgresClient { database.client }
    let logger: Logger
    /// How long a claim holds a job; longer than any sink's timeout, so a live delivery is never taken twice.
    let lease: Duration
    public let doorbell: Doorbell
    private let enqueuer: GroupCommit<AcceptedNotification, EnqueueResult>
    /// Which sinks this replica delivers for; `nil`: every sink (one replica, or tests of the queue alone).
    private let ownership: SinkOwnership?
    /// The claim each job this replica holds was taken with: a finish for a job whose lease expired and was
    /// claimed again elsewhere changes nothing.
    private let claims = Mutex<[Int64: Int64]>([:])
    /// False from the moment the ownership connection is lost until it is made again: webhooks get 503 at once
    /// instead of waiting for a connection that is not coming.
    private let reachable = Reachable()

    final class Reachable: Sendable {
        let up = Atomic(true)
    }

    /// - Parameters:
    ///   - client: run beside the service (it is a `Service`); the store only borrows connections.
    ///   - ownership: when given, this replica claims only for the sinks it owns (one replica a sink), so each
    ///     sink's limits hold for the cluster.
    public init(
        client: PostgresClient, lease: Duration = .seconds(120), ownership settings: PostgresSettings? = nil, logger: Logger,
        doorbell: Doorbell = Doorbell()
    ) {
        let database = Database(client: client, logger: logger)
        self.database = database
        let reachable = self.reachable
        self.ownership = settings.map { SinkOwnership(settings: $0, logger: logger) { up in reachable.up.store(up, ordering: .relaxed) } }
        self.lease = lease
        self.logger = logger
        self.doorbell = doorbell
        enqueuer = GroupCommit { batch in
            // Two replicas committing batches with the same keys can deadlock in principle (the keys are taken
            // in key order, which makes it rare); the loser's transaction is simply run again.
            var attempt = 0
            while true {
                attempt += 1
                do {
                    let results = try await database.transaction { session in
                        try await Self.insert(batch, session)
                    }
                    return results.map { .success($0) }
                } catch where attempt < 4 && Self.isRetryable(error) {
                    continue
                } catch {
                    return Array(repeating: .failure(PostgresStoreError(operation: "enqueue", error)), count: batch.count)
                }
            }
        }
    }

    /// A deadlock or a serialization failure: nothing was written, running the transaction again is safe.
    static func isRetryable(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    /// Lets go of the sinks this replica delivers for, at once, for the other replicas to take. Call when the
    /// service stops.
    public func shutdown() async {
        await ownership?.close()
    }

    // MARK: Ingest

    /// How long an enqueue may wait for the database: past it the sender is answered 503 (it keeps the alert
    /// and retries) rather than held until the database comes back. A commit that still lands afterwards makes
    /// the retry a duplicate, never a loss.
    static let commitTimeout = Duration.seconds(2)

    public func enqueue(_ notification: AcceptedNotification) async throws -> EnqueueResult {
        try checkReachable("enqueue")
        let result = try await within(Self.commitTimeout, "enqueue") { try await self.enqueuer.submit(notification) }
        if case .accepted(let jobs, _) = result, jobs > 0 { doorbell.ring() }
        return result
    }

    /// A batch of accepted notifications in one transaction, in three statements whatever its size: the
    /// dedup keys taken (in key order, so replicas committing at once lock them in the same order), the
    /// holders of the keys that were taken already, and the jobs that are not duplicates.
    static func insert(_ batch: [AcceptedNotification], _ session: Session) async throws -> [EnqueueResult] {
        struct Entry {
            var item: Int
            var job: NewJob
        }
        let entries = batch.enumerated().flatMap { index, item in item.jobs.map { Entry(item: index, job: $0) } }
        // The first entry of each key in arrival order claims it; later ones of the same batch are duplicates.
        var claimants: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            if let key = entry.job.dedupKey, claimants[key] == nil { claimants[key] = index }
        }
        let keyed = claimants.sorted { $0.key < $1.key }
        var taken: Set<String> = []
        if !keyed.isEmpty {
            let now = keyed.map { millis(batch[entries[$0.value].item].receivedAt) }.min() ?? 0
            let keys = keyed.map(\.key)
            let ids = keyed.map { batch[entries[$0.value].item].id }
            let expires = keyed.map { millis(batch[entries[$0.value].item].receivedAt) + millis(batch[entries[$0.value].item].dedupWindow) }
            let receivers = keyed.map { entries[$0.value].job.address.receiver }
            let sinks = keyed.map { entries[$0.value].job.address.sink }
            // A key is taken unless another notification holds it within its window and its delivery to this
            // sink did not end dead (a re-send after a dead letter gets a new chance).
            for row in try await session.query(
                """
                INSERT INTO dedup (key, notification_id, expires_at, receiver, sink)
                SELECT * FROM unnest(\(keys)::text[], \(ids)::text[], \(expires)::bigint[], \(receivers)::text[], \(sinks)::text[]) ORDER BY 1
                ON CONFLICT (key) DO UPDATE SET notification_id = EXCLUDED.notification_id, expires_at = EXCLUDED.expires_at
                WHERE dedup.expires_at <= \(now) OR EXISTS (
                    SELECT 1 FROM jobs j WHERE j.notification_id = dedup.notification_id AND j.receiver = dedup.receiver
                    AND j.sink = dedup.sink AND j.state = 'dead')
                RETURNING key
                """
            ) {
                taken.insert(try row.decode(String.self))
            }
        }
        var holders: [String: String] = [:]
        let held = keyed.map(\.key).filter { !taken.contains($0) }
        if !held.isEmpty {
            for row in try await session.query("SELECT key, notification_id FROM dedup WHERE key = ANY(\(held))") {
                let (key, id) = try row.decode((String, String).self)
                holders[key] = id
            }
        }
        var results = batch.map { _ in (written: 0, duplicateOf: String?.none) }
        var writing: [Entry] = []
        for (index, entry) in entries.enumerated() {
            guard let key = entry.job.dedupKey else {
                writing.append(entry)
                continue
            }
            if claimants[key] == index, taken.contains(key) {
                writing.append(entry)
            } else {
                let holder = taken.contains(key) ? batch[entries[claimants[key] ?? index].item].id : holders[key]
                results[entry.item].duplicateOf = results[entry.item].duplicateOf ?? holder
            }
        }
        if !writing.isEmpty {
            let at = writing.map { millis(batch[$0.item].receivedAt) }
            try await session.query(
                """
                INSERT INTO jobs (notification_id, source, receiver, sink, state, created_at, next_attempt_at, updated_at, last_error, payload)
                SELECT n, s, r, k, st, c, c, c, NULLIF(e, ''), p FROM unnest(
                    \(writing.map { batch[$0.item].id })::text[], \(writing.map { batch[$0.item].source })::text[],
                    \(writing.map(\.job.address.receiver))::text[], \(writing.map(\.job.address.sink))::text[],
                    \(writing.map { $0.job.mutedBecause == nil ? JobState.pending.rawValue : JobState.muted.rawValue })::text[],
                    \(at)::bigint[], \(writing.map { $0.job.mutedBecause ?? "" })::text[],
                    \(writing.map { ByteBuffer(bytes: $0.job.encodedPayload ?? $0.job.payload.jsonBytes()) })::bytea[]
                ) AS t(n, s, r, k, st, c, e, p)
                """
            )
            for entry in writing { results[entry.item].written += 1 }
        }
        return batch.indices.map { index in
            let (written, duplicateOf) = results[index]
            if written == 0, let duplicateOf { return .duplicate(of: duplicateOf) }
            return .accepted(jobs: written, duplicates: batch[index].jobs.count - written)
        }
    }

    public func firstAcceptance(of jobs: [NewJob], at now: Date) async throws -> String? {
        guard !jobs.isEmpty, jobs.allSatisfy({ $0.dedupKey != nil }) else { return nil }
        var first: String?
        for job in jobs {
            guard let key = job.dedupKey else { return nil }
            let holder = try await perform("look up duplicates") {
                try await database.query(
                    """
                    SELECT d.notification_id FROM dedup d WHERE d.key = \(key) AND d.expires_at > \(millis(now)) AND NOT EXISTS (
                        SELECT 1 FROM jobs j WHERE j.notification_id = d.notification_id AND j.receiver = \(job.address.receiver)
                        AND j.sink = \(job.address.sink) AND j.state = 'dead')
                    """
                ).first?.decode(String.self)
            }
            guard let holder else { return nil }
            first = first ?? holder
        }
        return first
    }

    // MARK: Workers

    /// Nothing to do: a job another replica (or this one, before a crash) held comes back when its lease ends.
    public func recoverInterrupted(now: Date) async throws -> Int { 0 }

    /// Up to `allowances[sink]` due jobs of each sink, oldest due first, and jobs whose lease has expired; each
    /// claimed for ``lease``. `SKIP LOCKED`: replicas claiming at once take different jobs.
    private func claimDueUnbounded(now: Date, allowances: [SinkAddress: Int]) async throws -> [Job] {
        var wanted = allowances.filter { $0.value > 0 }
        if let ownership {
            // Asked at every claim, even for no sink: it keeps the connection that tells whether the database
            // can be reached.
            let owned = await ownership.owned(among: Set(wanted.keys))
            wanted = wanted.filter { owned.contains($0.key) }
        }
        guard !wanted.isEmpty else { return [] }
        let at = millis(now)
        let until = at + millis(lease)
        var claimed: [Job] = []
        var unreadable: [(id: Int64, reason: String)] = []
        for (address, limit) in wanted {
            let rows = try await perform("claim jobs") {
                try await database.query(
                    """
                    UPDATE jobs SET state = 'delivering', lease_until = \(until), claim = nextval('claims'), updated_at = \(at)
                    WHERE id IN (
                        SELECT id FROM jobs WHERE receiver = \(address.receiver) AND sink = \(address.sink)
                        AND ((state IN ('pending', 'retrying') AND next_attempt_at <= \(at)) OR (state = 'delivering' AND lease_until <= \(at)))
                        ORDER BY next_attempt_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                    RETURNING *
                    """
                )
            }
            for row in rows {
                let stored = try StoredRow(row)
                claims.withLock { $0[stored.id] = stored.claim ?? 0 }
                do {
                    claimed.append(try stored.job())
                } catch {
                    unreadable.append((stored.id, "the stored payload cannot be read back: \(error)"))
                }
            }
        }
        for (id, reason) in unreadable {
            try await perform("dead-letter an unreadable job") {
                try await database.query("UPDATE jobs SET state = 'dead', last_error = \(reason), updated_at = \(at) WHERE id = \(id)")
            }
        }
        return claimed.sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }
    }

    /// Records an attempt and moves the job on, if this replica still holds its claim.
    private func finishUnbounded(jobID: Int64, attempt: Attempt, transition: JobTransition) async throws {
        // Kept until the record is written: a call that timed out is retried with the same claim.
        let claim = claims.withLock { $0[jobID] } ?? 0
        let started = millis(attempt.startedAt)
        let now = started + millis(attempt.duration)
        try await perform("finish job \(jobID)") {
            try await database.transaction { session in
                let owned = try await session.query(
                    "SELECT 1 FROM jobs WHERE id = \(jobID) AND state = 'delivering' AND claim = \(claim) FOR UPDATE"
                )
                guard !owned.isEmpty else { return }
                try await session.query(
                    """
                    INSERT INTO attempts (job_id, number, started_at, duration_ms, outcome, reason, status, response)
                    VALUES (\(jobID), \(attempt.number), \(started), \(now - started), \(attempt.outcome.kind.rawValue), \(attempt.outcome.reason),
                            \(attempt.status), \(attempt.response))
                    ON CONFLICT (job_id, number) DO NOTHING
                    """
                )
                switch transition {
                case .delivered:
                    try await session.query(
                        "UPDATE jobs SET state = 'delivered', attempts = \(attempt.number), updated_at = \(now), last_error = NULL, lease_until = NULL WHERE id = \(jobID)",
                    )
                case .retry(let at, let error):
                    try await session.query(
                        """
                        UPDATE jobs SET state = 'retrying', attempts = \(attempt.number), next_attempt_at = \(millis(at)), updated_at = \(now),
                            last_error = \(error), lease_until = NULL WHERE id = \(jobID)
                        """
                    )
                case .dead(let error):
                    try await session.query(
                        "UPDATE jobs SET state = 'dead', attempts = \(attempt.number), updated_at = \(now), last_error = \(error), lease_until = NULL WHERE id = \(jobID)",
                    )
                }
            }
        }
        claims.withLock { $0[jobID] = nil }
    }

    private func releaseUnbounded(jobID: Int64, at: Date, reason: String) async throws {
        let claim = claims.withLock { $0.removeValue(forKey: jobID) } ?? 0
        try await perform("release job \(jobID)") {
            try await database.query(
                """
                UPDATE jobs SET state = 'retrying', next_attempt_at = \(millis(at)), updated_at = \(millis(at)), last_error = \(reason), lease_until = NULL
                WHERE id = \(jobID) AND state = 'delivering' AND claim = \(claim)
                """
            )
        }
    }

    /// The next time a job falls due: a waiting one's, or a lease's end.
    private func nextDueUnbounded() async throws -> Date? {
        try await perform("next due") {
            let rows = try await database.query(
                """
                SELECT LEAST((SELECT MIN(next_attempt_at) FROM jobs WHERE state IN ('pending', 'retrying')),
                             (SELECT MIN(lease_until) FROM jobs WHERE state = 'delivering'))
                """
            )
            return try rows.first?.decode(Int64?.self).map(date)
        }
    }

    /// The workers' calls, each bounded like an enqueue: a call that cannot get a connection (the database
    /// went away) fails and is retried by the workers, instead of holding a delivery slot, or a shutdown, until
    /// the database comes back.
    static let workerTimeout = Duration.seconds(10)

    public func claimDue(now: Date, allowances: [SinkAddress: Int]) async throws -> [Job] {
        try await within(Self.workerTimeout, "claim jobs") { try await self.claimDueUnbounded(now: now, allowances: allowances) }
    }

    public func finish(jobID: Int64, attempt: Attempt, transition: JobTransition) async throws {
        try await within(Self.workerTimeout, "finish job \(jobID)") { try await self.finishUnbounded(jobID: jobID, attempt: attempt, transition: transition) }
    }

    public func release(jobID: Int64, at: Date, reason: String) async throws {
        try await within(Self.workerTimeout, "release job \(jobID)") { try await self.releaseUnbounded(jobID: jobID, at: at, reason: reason) }
    }

    public func nextDue() async throws -> Date? {
        try await within(Self.workerTimeout, "next due") { try await self.nextDueUnbounded() }
    }

    // MARK: Operating

    public func oldestWaiting() async throws -> Date? {
        try await perform("oldest waiting") {
            try await database.query("SELECT MIN(created_at) FROM jobs WHERE state IN ('pending', 'retrying')")
                .first?.decode(Int64?.self).map(date)
        }
    }

    public func waitingBySink() async throws -> [SinkAddress: Int] {
        try await perform("count waiting jobs by sink") {
            var counts: [SinkAddress: Int] = [:]
            for row in try await database.query(
                "SELECT receiver, sink, COUNT(*) FROM jobs WHERE state IN ('pending', 'retrying') GROUP BY receiver, sink"
            ) {
                let (receiver, sink, count) = try row.decode((String, String, Int64).self)
                counts[SinkAddress(receiver: receiver, sink: sink)] = Int(count)
            }
            return counts
        }
    }

    public func counts() async throws -> [JobState: Int] {
        try await perform("count jobs") {
            var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
            for row in try await database.query("SELECT state, COUNT(*) FROM jobs GROUP BY state") {
                let (state, count) = try row.decode((String, Int64).self)
                if let state = JobState(rawValue: state) { counts[state] = Int(count) }
            }
            return counts
        }
    }

    public func jobs(state: JobState?, receiver: String?, notification: String?, limit: Int, before: Int64?) async throws -> [Job] {
        try await perform("list jobs") {
            let rows = try await database.query(
                """
                SELECT * FROM jobs WHERE (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue))
                AND (\(receiver)::text IS NULL OR receiver = \(receiver)) AND (\(notification)::text IS NULL OR notification_id = \(notification))
                AND (\(before)::bigint IS NULL OR id < \(before)) ORDER BY id DESC LIMIT \(limit)
                """
            )
            return try rows.map { try StoredRow($0).listed() }
        }
    }

    public func job(id: Int64) async throws -> (Job, [Attempt])? {
        try await perform("read job \(id)") { () -> (Job, [Attempt])? in
            guard let row = try await database.query("SELECT * FROM jobs WHERE id = \(id)").first else { return nil }
            var attempts: [Attempt] = []
            for row in try await database.query(
                "SELECT number, started_at, duration_ms, outcome, reason, status, response FROM attempts WHERE job_id = \(id) ORDER BY number",
            ) {
                let (number, started, duration, outcome, reason, status, response) = try row.decode(
                    (Int, Int64, Int64, String, String?, Int?, String).self
                )
                attempts.append(
                    Attempt(
                        number: number, startedAt: date(started), duration: .milliseconds(duration),
                        outcome: DeliveryOutcome(kind: DeliveryOutcome.Kind(rawValue: outcome) ?? .transient, reason: reason, status: status, response: response)
                    )
                )
            }
            return (try StoredRow(row).listed(), attempts)
        }
    }

    public func retry(id: Int64, now: Date) async throws -> Bool {
        defer { doorbell.ring() }
        return try await perform("retry job \(id)") {
            let rows = try await database.query(
                """
                UPDATE jobs SET state = 'pending', next_attempt_at = \(millis(now)), updated_at = \(millis(now)), lease_until = NULL
                WHERE id = \(id) AND state IN ('dead', 'muted', 'retrying', 'pending') RETURNING id
                """
            )
            return !rows.isEmpty
        }
    }

    public func retryAll(state: JobState, receiver: String?, now: Date) async throws -> Int {
        defer { doorbell.ring() }
        return try await perform("retry jobs") {
            try await database.query(
                """
                UPDATE jobs SET state = 'pending', next_attempt_at = \(millis(now)), updated_at = \(millis(now)), lease_until = NULL
                WHERE state = \(state.rawValue) AND (\(receiver)::text IS NULL OR receiver = \(receiver)) RETURNING id
                """
            ).count
        }
    }

    public func drop(id: Int64) async throws -> Bool {
        try await perform("drop job \(id)") {
            !(try await database.query("DELETE FROM jobs WHERE id = \(id) AND state <> 'delivering' RETURNING id").isEmpty)
        }
    }

    public func prune(deliveredBefore: Date, now: Date) async throws -> Int {
        try await perform("prune") {
            try await database.transaction { session in
                let pruned = try await session.query(
                    "DELETE FROM jobs WHERE state IN ('delivered', 'muted') AND updated_at < \(millis(deliveredBefore)) RETURNING id"
                ).count
                try await session.query("DELETE FROM dedup WHERE expires_at <= \(millis(now))")
                try await session.query("DELETE FROM replays WHERE expires_at <= \(millis(now))")
                return pruned
            }
        }
    }

    public func checkWritable() async throws {
        try checkReachable("check the store is writable")
        try await within(Self.commitTimeout, "check the store is writable") { try await self.probeWrite() }
    }

    private func probeWrite() async throws {
        try await perform("check the store is writable") {
            try await database.transaction { session in
                try await session.query("INSERT INTO dedup (key, notification_id, expires_at) VALUES ('', '', 0) ON CONFLICT (key) DO NOTHING")
                try await session.query("DELETE FROM dedup WHERE key = ''")
            }
        }
    }

    // MARK: Helpers

    private func checkReachable(_ operation: String) throws(PostgresStoreError) {
        guard reachable.up.load(ordering: .relaxed) else { throw PostgresStoreError(operation: operation, reason: "the database cannot be reached") }
    }

    /// `body`, or a store error once `timeout` has passed (the body is cancelled: a lease of a connection that
    /// is not coming ends).
    private func within<T: Sendable>(_ timeout: Duration, _ operation: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let result = try await withTimeout(timeout, body) else {
            throw PostgresStoreError(operation: operation, reason: "the database did not answer within \(timeout)")
        }
        return result
    }

    /// One store call, its failure named by `operation`.
    @discardableResult
    private func perform<T: Sendable>(_ operation: String, _ body: () async throws -> T) async throws(PostgresStoreError) -> T {
        do {
            return try await body()
        } catch {
            throw PostgresStoreError(operation: operation, error)
        }
    }
}

/// A store operation that failed, with the server's reason (unreachable, refused, a constraint).
public struct PostgresStoreError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var reason: String

    init(operation: String, reason: String) {
        self.operation = operation
        self.reason = reason
    }

    public init(operation: String, _ error: any Error) {
        self.operation = operation
        if let error = error as? TransactionNotStarted {
            self = PostgresStoreError(operation: operation, error.underlying)
        } else if let error = error as? PostgresStoreError {
            self.reason = error.reason
        } else if let error = error as? PSQLError {
            self.reason = error.serverInfo?[.message] ?? "\(error.code)"
        } else if error is CancellationError {
            // A group commit whose leader ran out of time: its whole batch is answered 503 together.
            self.reason = "given up waiting for the database"
        } else {
            self.reason = "\(error)"
        }
    }

    public var description: String { "\(operation): \(reason)" }
}

func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
func millis(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
}
func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

// MARK: Moving a queue in

extension PostgresQueueStore {
    /// Whether the shared queue holds no job yet (a copy goes only into an empty one, so it is never doubled).
    public func isEmpty() async throws -> Bool {
        try await database.query("SELECT 1 FROM jobs LIMIT 1").isEmpty
    }

    /// Writes a job from another store as it was (state, attempts, times, last error), with its attempts; a
    /// job that was being delivered when that store stopped comes in as due for a retry.
    public func importJob(_ job: Job, attempts: [Attempt]) async throws {
        let state = job.state == .delivering ? JobState.retrying : job.state
        let payload = ByteBuffer(bytes: job.payload.jsonBytes())
        try await database.transaction { session in
            let rows = try await session.query(
                """
                INSERT INTO jobs (notification_id, source, receiver, sink, state, attempts, created_at, next_attempt_at, updated_at, last_error, payload)
                VALUES (\(job.notificationID), \(job.source), \(job.address.receiver), \(job.address.sink), \(state.rawValue), \(job.attempts),
                        \(millis(job.createdAt)), \(millis(job.nextAttemptAt)), \(millis(job.updatedAt)), \(job.lastError), \(payload))
                RETURNING id
                """
            )
            guard let id = try rows.first?.decode(Int64.self) else { return }
            for attempt in attempts {
                let started = millis(attempt.startedAt)
                try await session.query(
                    """
                    INSERT INTO attempts (job_id, number, started_at, duration_ms, outcome, reason, status, response)
                    VALUES (\(id), \(attempt.number), \(started), \(millis(attempt.duration)), \(attempt.outcome.kind.rawValue), \(attempt.outcome.reason),
                            \(attempt.status), \(attempt.response))
                    """
                )
            }
        }
    }

    /// A dedup entry from another store, kept unless one with the same key is already here.
    public func importDedup(key: String, notificationID: String, expiresAt: Date) async throws {
        try await database.query(
            "INSERT INTO dedup (key, notification_id, expires_at) VALUES (\(key), \(notificationID), \(millis(expiresAt))) ON CONFLICT (key) DO NOTHING",
        )
    }
}
