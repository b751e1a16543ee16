import Foundation

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
