import Foundation

/// One notification for one sink of one receiver, as a worker hands it over.
public struct Delivery: Sendable {
    public var jobID: Int64
    public var notificationID: String
    public var source: String
    public var acceptedAt: Date
    public var receiver: String
    public var notification: Notification
    /// 1 for the first attempt.
    public var attempt: Int

    public init(
        jobID: Int64, notificationID: String, source: String, acceptedAt: Date, receiver: String, notification: Notification,
        attempt: Int
    ) {
        self.jobID = jobID
        self.notificationID = notificationID
        self.source = source
        self.acceptedAt = acceptedAt
        self.receiver = receiver
        self.notification = notification
        self.attempt = attempt
    }
}

/// An integration: its only jobs are to send and to say whether a failure is worth retrying
/// (Alertmanager's `notify.Notifier`). Retry, dedup and bookkeeping live in the queue, not here.
public protocol Sink: Sendable {
    /// `file`, `webhook`, `email`, `slack`.
    var kind: String { get }
    func deliver(_ delivery: Delivery) async -> DeliveryOutcome
}

/// Identifies a sink within the config: the receiver's name and the sink's key (`webhook_configs[0]`).
public struct SinkAddress: Sendable, Hashable, CustomStringConvertible {
    public var receiver: String
    public var sink: String

    public init(receiver: String, sink: String) {
        self.receiver = receiver
        self.sink = sink
    }

    public var description: String { "\(receiver)/\(sink)" }
}
