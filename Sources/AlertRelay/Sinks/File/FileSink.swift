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

/// One accepted notification for one receiver, as the `file` sink writes it.
public struct OutboxRecord: Sendable, Codable, Equatable {
    public var id: String
    public var receivedAt: Date
    public var source: String
    public var receiver: String
    public var notification: AlertNotification

    enum CodingKeys: String, CodingKey {
        case id, receivedAt = "received_at", source, receiver, notification
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(Timestamp(receivedAt), forKey: .receivedAt)
        try c.encode(source, forKey: .source)
        try c.encode(receiver, forKey: .receiver)
        try c.encode(notification, forKey: .notification)
    }

    public init(id: String, receivedAt: Date, source: String, receiver: String, notification: AlertNotification) {
        self.id = id
        self.receivedAt = receivedAt
        self.source = source
        self.receiver = receiver
        self.notification = notification
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        receivedAt = try c.decode(Timestamp.self, forKey: .receivedAt).date
        source = try c.decode(String.self, forKey: .source)
        receiver = try c.decode(String.self, forKey: .receiver)
        notification = try c.decode(AlertNotification.self, forKey: .notification)
    }
}

