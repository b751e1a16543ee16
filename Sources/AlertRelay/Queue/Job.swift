import Foundation

/// Where a delivery job stands. `delivering` only while a worker holds it; a job found `delivering` when the
/// service starts was held by a process that died, and is retried. `muted` jobs were routed during a mute
/// (or outside an active) time interval: recorded, never sent unless an operator retries them.
public enum JobState: String, Sendable, Codable, CaseIterable {
    case pending, retrying, delivering, delivered, dead, muted
}

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
    public var payload: Notification

    public init(
        id: Int64, notificationID: String, source: String, address: SinkAddress, state: JobState, attempts: Int,
        createdAt: Date, nextAttemptAt: Date, updatedAt: Date, lastError: String?, payload: Notification
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

/// The record of one delivery attempt.
public struct Attempt: Sendable, Equatable {
    public var number: Int
    public var startedAt: Date
    public var duration: Duration
    /// `delivered`, `transient` or `permanent`.
    public var outcome: String
    public var status: Int?
    /// The first bytes of the sink's answer, or the error.
    public var response: String

    public init(number: Int, startedAt: Date, duration: Duration, outcome: DeliveryOutcome) {
        self.number = number
        self.startedAt = startedAt
        self.duration = duration
        switch outcome {
        case .delivered: self.outcome = "delivered"
        case .transient(let reason, _, _, _): self.outcome = "transient: \(reason)"
        case .permanent(let reason, _, _): self.outcome = "permanent: \(reason)"
        }
        self.status = outcome.status
        self.response = outcome.response
    }

    public init(number: Int, startedAt: Date, duration: Duration, outcome: String, status: Int?, response: String) {
        self.number = number
        self.startedAt = startedAt
        self.duration = duration
        self.outcome = outcome
        self.status = status
        self.response = response
    }
}

/// What a worker decided after an attempt.
public enum JobTransition: Sendable, Equatable {
    case delivered
    case retry(at: Date, error: String)
    case dead(error: String)
}

/// A delivery job about to be written: the notification as this sink gets it.
public struct NewJob: Sendable {
    public var address: SinkAddress
    public var payload: Notification
    /// `nil` to bypass deduplication (a test-fire, a muted notification).
    public var dedupKey: String?
    /// The payload as JSON when it is already at hand: the body as received, when the sink gets every alert
    /// of it. It decodes to `payload` (unknown fields are ignored), and saves encoding it again on the
    /// ingest path.
    public var encodedPayload: [UInt8]?
    /// Set to record the job as muted, with why, instead of queueing it.
    public var mutedBecause: String?

    public init(
        address: SinkAddress, payload: Notification, dedupKey: String?, encodedPayload: [UInt8]? = nil, mutedBecause: String? = nil
    ) {
        self.address = address
        self.payload = payload
        self.dedupKey = dedupKey
        self.encodedPayload = encodedPayload
        self.mutedBecause = mutedBecause
    }
}

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

public enum EnqueueResult: Sendable, Equatable {
    /// Jobs were written; `duplicates` sinks had already received the same notification within the window.
    case accepted(jobs: Int, duplicates: Int)
    /// Every sink had already received it: nothing was written. The id is the first acceptance's.
    case duplicate(of: String)
}

/// The durable queue as the ingest path sees it.
public protocol JobQueue: Sendable {
    /// Returns once the jobs are committed durably, or throws: no 2xx without that commit.
    func enqueue(_ notification: AcceptedNotification) async throws -> EnqueueResult
    /// The id of the notification that every one of `jobs` duplicates within its dedup window, if all do:
    /// what ``enqueue(_:)`` would answer `.duplicate` for, found without writing.
    func firstAcceptance(of jobs: [NewJob], at now: Date) async throws -> String?
}

extension JobQueue {
    public func firstAcceptance(of jobs: [NewJob], at now: Date) async throws -> String? { nil }
}
