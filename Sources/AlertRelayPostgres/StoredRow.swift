import AlertRelay
import Foundation
import PostgresNIO

/// A `jobs` row as read, its payload not decoded yet.
struct StoredRow {
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
    var claim: Int64?
    var payload: ByteBuffer

    init(_ row: PostgresRow) throws {
        let columns = row.makeRandomAccess()
        id = try columns["id"].decode(Int64.self)
        notificationID = try columns["notification_id"].decode(String.self)
        source = try columns["source"].decode(String.self)
        receiver = try columns["receiver"].decode(String.self)
        sink = try columns["sink"].decode(String.self)
        state = try columns["state"].decode(String.self)
        attempts = try columns["attempts"].decode(Int.self)
        createdAt = try columns["created_at"].decode(Int64.self)
        nextAttemptAt = try columns["next_attempt_at"].decode(Int64.self)
        updatedAt = try columns["updated_at"].decode(Int64.self)
        lastError = try columns["last_error"].decode(String?.self)
        claim = try columns["claim"].decode(Int64?.self)
        payload = try columns["payload"].decode(ByteBuffer.self)
    }

    /// The job with its payload decoded; throws when the payload cannot be read back.
    func job() throws -> Job {
        job(payload: try AlertNotification.decodeStored(Array(buffer: payload)))
    }

    /// As the admin API lists it: an unreadable payload shows as no alerts rather than hiding the list.
    func listed() throws -> Job {
        (try? job()) ?? job(payload: AlertNotification(status: .firing, alerts: []))
    }

    private func job(payload: AlertNotification) -> Job {
        Job(
            id: id, notificationID: notificationID, source: source, address: SinkAddress(receiver: receiver, sink: sink),
            state: JobState(rawValue: state) ?? .pending, attempts: attempts, createdAt: date(createdAt), nextAttemptAt: date(nextAttemptAt),
            updatedAt: date(updatedAt), lastError: lastError, payload: payload
        )
    }
}
