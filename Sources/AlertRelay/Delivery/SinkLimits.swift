import Foundation
import Logging
import Synchronization

/// How hard one sink may be driven.
public struct SinkLimits: Sendable, Equatable {
    /// Deliveries in flight at once.
    public var concurrency: Int
    /// Deliveries started per second at most; `nil`: no limit. Slack incoming webhooks allow about one.
    public var ratePerSecond: Double?
    /// Consecutive transient failures after which the whole sink is backed off (circuit breaker).
    public var breakerThreshold: Int

    public init(concurrency: Int = 8, ratePerSecond: Double? = nil, breakerThreshold: Int = 5) {
        self.concurrency = concurrency
        self.ratePerSecond = ratePerSecond
        self.breakerThreshold = breakerThreshold
    }
}
