import Foundation

/// One notification for one sink of one receiver, as a worker hands it over.
public struct Delivery: Sendable {
    public var jobID: Int64
    public var notificationID: String
    public var source: String
    public var acceptedAt: Date
    public var receiver: String
    public var notification: AlertNotification
    /// 1 for the first attempt.
    public var attempt: Int

    public init(
        jobID: Int64, notificationID: String, source: String, acceptedAt: Date, receiver: String, notification: AlertNotification,
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
