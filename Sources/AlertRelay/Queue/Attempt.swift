import Foundation

/// The record of one delivery attempt: when, how long, and what came of it, typed from the transport to the
/// store, the admin API and the metrics.
public struct Attempt: Sendable, Equatable {
    public var number: Int
    public var startedAt: Date
    public var duration: Duration
    public var outcome: DeliveryOutcome

    public init(number: Int, startedAt: Date, duration: Duration, outcome: DeliveryOutcome) {
        self.number = number
        self.startedAt = startedAt
        self.duration = duration
        self.outcome = outcome
    }

    public var status: Int? { outcome.status }
    /// The first bytes of the sink's answer, or the error.
    public var response: String { outcome.response }
}
