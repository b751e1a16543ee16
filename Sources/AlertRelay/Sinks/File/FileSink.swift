import Foundation

/// The `file` sink: appends each notification to a JSON Lines file, synced to disk. The zero-dependency
/// receiver, and a record of what was delivered.
public struct FileSink: Sink {
    public let outbox: JSONLinesOutbox
    public var kind: String { "file" }

    public init(outbox: JSONLinesOutbox) {
        self.outbox = outbox
    }

    public func deliver(_ delivery: Delivery) async -> DeliveryOutcome {
        let record = OutboxRecord(
            id: delivery.notificationID, receivedAt: delivery.acceptedAt, source: delivery.source,
            receiver: delivery.receiver, notification: delivery.notification
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line: Data
        do {
            line = try encoder.encode(record)
        } catch {
            return .permanent(reason: "cannot encode the notification: \(error)", status: nil, response: "")
        }
        do {
            try await outbox.append(Array(line))
            return .delivered(status: nil, response: "appended to \(outbox.path)")
        } catch {
            return .transient(reason: error.description, status: nil, response: "", retryAfter: nil)
        }
    }
}
