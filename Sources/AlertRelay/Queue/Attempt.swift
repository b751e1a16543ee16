import Foundation

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
