import AlertRelay
import Foundation
import GRDB

extension QueueStore {
    public func enqueue(_ notification: AcceptedNotification) async throws -> EnqueueResult {
        let result = try await enqueuer.submit(notification)
        if case .accepted(let jobs, _) = result, jobs > 0 { doorbell.ring() }
        return result
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
    static func findDuplicate(_ db: Database) throws -> Statement {
        // Cached statements: the hot path parses its SQL once per connection, not once per webhook.
        try db.cachedStatement(
            sql: """
                SELECT d.notification_id FROM dedup d WHERE d.key = ? AND d.expires_at > ? AND NOT EXISTS (
                    SELECT 1 FROM jobs j INDEXED BY jobs_notification WHERE j.notification_id = d.notification_id AND j.receiver = ? AND j.sink = ? AND j.state = \(JobState.dead.sql))
                """
        )
    }

    static func insert(_ item: AcceptedNotification, _ db: Database) throws -> EnqueueResult {
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
}
