import Foundation

/// An accepted webhook and the jobs it becomes, written in one transaction.
public struct AcceptedNotification: Sendable {
    public var id: String
    public var receivedAt: Date
    public var source: String
    public var jobs: [NewJob]
    public var dedupWindow: Duration

    public init(id: String, receivedAt: Date, source: String, jobs: [NewJob], dedupWindow: Duration) {
        self.id = id
        self.receivedAt = receivedAt
        self.source = source
        self.jobs = jobs
        self.dedupWindow = dedupWindow
    }
}
