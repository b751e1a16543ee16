import AlertRelay
import Foundation
import GRDB

/// A job's row as read, its payload not decoded yet (so a transaction can hand it out cheaply).
struct StoredJob: Sendable {
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
        decoded(payload: try AlertNotification.decodeStored(Array(payload)))
    }

    func decoded(payload notification: AlertNotification) -> Job {
        Job(
            id: id, notificationID: notificationID, source: source, address: SinkAddress(receiver: receiver, sink: sink),
            state: JobState(rawValue: state) ?? .pending, attempts: attempts, createdAt: date(createdAt),
            nextAttemptAt: date(nextAttemptAt), updatedAt: date(updatedAt), lastError: lastError, payload: notification
        )
    }
}

func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

func millis(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
}
