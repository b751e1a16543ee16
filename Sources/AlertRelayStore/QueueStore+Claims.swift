import AlertRelay
import Foundation
import GRDB

extension QueueStore {
    /// Jobs a previous process held when it died go back to the queue, due now. Call once at start, before
    /// the workers run (the data directory lock guarantees no other process holds any).
    public func recoverInterrupted(now: Date) async throws -> Int {
        try await write("recover interrupted jobs") { db in
            try db.execute(
                sql: "UPDATE jobs SET state = \(JobState.retrying.sql), next_attempt_at = ?, updated_at = ? WHERE state = \(JobState.delivering.sql)",
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
                    SELECT * FROM jobs WHERE receiver = ? AND sink = ? AND state IN \(JobState.waiting.sql) AND next_attempt_at <= ?
                    ORDER BY next_attempt_at, id LIMIT ?
                    """
            )
            let mark = try db.cachedStatement(sql: "UPDATE jobs SET state = \(JobState.delivering.sql), updated_at = ? WHERE id = ?")
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
                        sql: "UPDATE jobs SET state = \(JobState.dead.sql), last_error = ?, updated_at = ? WHERE id = ?", arguments: [reason, millis(now), id]
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

    static func apply(_ finish: Finish, _ db: Database) throws {
        let attempt = finish.attempt
        let started = millis(attempt.startedAt)
        let now = started + millis(attempt.duration)
        try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO attempts (job_id, number, started_at, duration_ms, outcome, reason, status, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        ).execute(
            arguments: [
                finish.jobID, attempt.number, started, now - started, attempt.outcome.kind.rawValue, attempt.outcome.reason, attempt.status,
                attempt.response,
            ]
        )
        switch finish.transition {
        case .delivered:
            try db.cachedStatement(sql: "UPDATE jobs SET state = \(JobState.delivered.sql), attempts = ?, updated_at = ?, last_error = NULL WHERE id = ?")
                .execute(arguments: [attempt.number, now, finish.jobID])
        case .retry(let at, let error):
            try db.cachedStatement(
                sql: "UPDATE jobs SET state = \(JobState.retrying.sql), attempts = ?, next_attempt_at = ?, updated_at = ?, last_error = ? WHERE id = ?"
            ).execute(arguments: [attempt.number, millis(at), now, error, finish.jobID])
        case .dead(let error):
            try db.cachedStatement(sql: "UPDATE jobs SET state = \(JobState.dead.sql), attempts = ?, updated_at = ?, last_error = ? WHERE id = ?")
                .execute(arguments: [attempt.number, now, error, finish.jobID])
        }
    }

    public func release(jobID: Int64, at: Date, reason: String) async throws {
        try await write("release job \(jobID)", durability: .normal) { db in
            try db.execute(
                sql: "UPDATE jobs SET state = \(JobState.retrying.sql), next_attempt_at = ?, updated_at = ?, last_error = ? WHERE id = ? AND state = \(JobState.delivering.sql)",
                arguments: [millis(at), millis(at), reason, jobID]
            )
        }
    }

    /// When the next waiting job falls due, if any does.
    public func nextDue() async throws -> Date? {
        try await read("find the next due job") { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM jobs WHERE state IN \(JobState.waiting.sql)")
                .map(date)
        }
    }
}
