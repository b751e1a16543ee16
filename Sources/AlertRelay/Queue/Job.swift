import Foundation

/// One notification for one sink of one receiver, from acceptance until delivered or dead.
public struct Job: Sendable, Equatable {
    public var id: Int64
    public var notificationID: String
    public var source: String
    public var address: SinkAddress
    public var state: JobState
    public var attempts: Int
    public var createdAt: Date
    public var nextAttemptAt: Date
    public var updatedAt: Date
    public var lastError: String?
    public var payload: AlertNotification

    public init(
        id: Int64, notificationID: String, source: String, address: SinkAddress, state: JobState, attempts: Int,
        createdAt: Date, nextAttemptAt: Date, updatedAt: Date, lastError: String?, payload: AlertNotification
    ) {
        self.id = id
        self.notificationID = notificationID
        self.source = source
        self.address = address
        self.state = state
        self.attempts = attempts
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt
        self.updatedAt = updatedAt
        self.lastError = lastError
        self.payload = payload
    }
}
