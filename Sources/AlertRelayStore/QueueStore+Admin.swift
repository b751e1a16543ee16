import AlertRelay
import Foundation
import GRDB

extension QueueStore {
    /// When the oldest job still waiting for delivery (pending or retrying) was accepted.
    public func oldestWaiting() async throws(StoreError) -> Date? {
        try await read("find the oldest waiting job") { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(created_at) FROM jobs INDEXED BY jobs_waiting_since WHERE state IN \(JobState.waiting.sql)").map(date)
        }
    }

    /// Jobs waiting for delivery, by sink.
    public func waitingBySink() async throws(StoreError) -> [SinkAddress: Int] {
        try await read("count waiting jobs by sink") { db in
            var counts: [SinkAddress: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT receiver, sink, COUNT(*) AS n FROM jobs INDEXED BY jobs_sink_state WHERE state IN \(JobState.waiting.sql) GROUP BY receiver, sink"
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
                    outcome: DeliveryOutcome(
                        kind: DeliveryOutcome.Kind(rawValue: row["outcome"]) ?? .transient, reason: row["reason"], status: row["status"],
                        response: row["response"]
                    )
                )
            }
            return (try Self.job(row), attempts)
        }
    }

    /// Puts a dead, muted or waiting job back in the queue, due now. A delivered job stays delivered.
    public func retry(id: Int64, now: Date) async throws(StoreError) -> Bool {
        defer { doorbell.ring() }
        return try await write("retry job \(id)") { db in
            try db.execute(
                sql: "UPDATE jobs SET state = \(JobState.pending.sql), next_attempt_at = ?, updated_at = ? WHERE id = ? AND state IN \([JobState.dead, .muted, .retrying, .pending].sql)",
                arguments: [millis(now), millis(now), id]
            )
            return db.changesCount > 0
        }
    }

    /// Replays every job in `state` (dead letters, typically), optionally for one receiver.
    public func retryAll(state: JobState, receiver: String?, now: Date) async throws(StoreError) -> Int {
        defer { doorbell.ring() }
        return try await write("retry jobs") { db in
            var sql = "UPDATE jobs SET state = \(JobState.pending.sql), next_attempt_at = ?, updated_at = ? WHERE state = ?"
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
            try db.execute(sql: "DELETE FROM jobs WHERE id = ? AND state != \(JobState.delivering.sql)", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// Deletes delivered and muted jobs older than `deliveredBefore`, and expired dedup entries.
    public func prune(deliveredBefore: Date, now: Date) async throws(StoreError) -> Int {
        try await write("prune") { db in
            try db.execute(
                sql: "DELETE FROM attempts WHERE job_id IN (SELECT id FROM jobs WHERE state IN \([JobState.delivered, .muted].sql) AND updated_at < ?)",
                arguments: [millis(deliveredBefore)]
            )
            try db.execute(sql: "DELETE FROM jobs WHERE state IN \([JobState.delivered, .muted].sql) AND updated_at < ?", arguments: [millis(deliveredBefore)])
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

    /// A job as the admin API lists it: one whose payload cannot be read back (a dead letter, see
    /// ``claimDue(now:allowances:)``) shows with no alerts rather than hiding the whole list.
    static func job(_ row: Row) throws -> Job {
        let stored = StoredJob(row)
        return (try? stored.decoded()) ?? stored.decoded(payload: AlertNotification(status: .firing, alerts: []))
    }
}

extension QueueStore {
    /// The dedup entries still in their window, to move the queue to another store.
    public func dedupEntries(now: Date) async throws(StoreError) -> [(key: String, notificationID: String, expiresAt: Date)] {
        try await read("read dedup entries") { db in
            try Row.fetchAll(db, sql: "SELECT key, notification_id, expires_at FROM dedup WHERE expires_at > ? AND key <> ''", arguments: [millis(now)])
                .map { (key: $0["key"], notificationID: $0["notification_id"], expiresAt: date($0["expires_at"])) }
        }
    }
}
