import Foundation

/// One sink's admission: how many deliveries may start at a given time under its concurrency, its rate and
/// its circuit breaker, kept up to date as deliveries start and end. Pure: the time is passed in, so every
/// rule is tested without a clock or a sink (Tests/AlertRelayTests/Delivery/SinkGateTests.swift).
struct SinkGate: Sendable, Equatable {
    private(set) var inFlight = 0
    /// When the next start is due under the rate limit.
    private(set) var nextStart = Date.distantPast
    private(set) var consecutiveFailures = 0
    /// While open, nothing starts before this; then one probe at a time (half open).
    private(set) var openUntil = Date.distantPast

    /// What a finished delivery did to the breaker, for the metrics and the log.
    enum BreakerChange: Equatable {
        case opened(failures: Int)
        case closed
    }

    func isOpen(_ limits: SinkLimits) -> Bool { consecutiveFailures >= limits.breakerThreshold }

    /// How many deliveries may start at `time`.
    func allowance(_ limits: SinkLimits, at time: Date) -> Int {
        var allowance = limits.concurrency - inFlight
        if isOpen(limits) {
            // Open: nothing until the back-off ends, then one probe at a time (half open).
            allowance = time >= openUntil && inFlight == 0 ? 1 : 0
        }
        if let rate = limits.ratePerSecond, rate > 0 {
            // The starts owed since `nextStart` (one, once it has come, and one more per 1/rate since), at most
            // a burst: one claim takes several jobs at a high rate.
            let owed = min(time.timeIntervalSince(nextStart) * rate, Double(Self.burst(rate)))  // finite, even from distantPast
            allowance = time >= nextStart ? min(allowance, Int(owed) + 1, Self.burst(rate)) : 0
        }
        return max(0, allowance)
    }

    /// The starts a rate-limited sink may get at once: a tenth of a second's worth (1 for Slack's 1/s).
    static func burst(_ rate: Double) -> Int {
        max(1, Int(min(rate, 1_000_000) / 10))
    }

    mutating func started(_ limits: SinkLimits, at time: Date) {
        inFlight += 1
        if let rate = limits.ratePerSecond, rate > 0 {
            // Each start takes 1/rate of the timeline. Time left unused counts for at most a burst, so a sink
            // idle for an hour does not get an hour's worth at once; resetting to `now` instead lost the time a
            // claim takes, and halved a 1000/s sink's rate (scripts/bench.sh, recovery).
            let earliest = time.addingTimeInterval(-Double(Self.burst(rate) - 1) / rate)
            nextStart = max(earliest, nextStart).addingTimeInterval(1 / rate)
        }
    }

    /// - Parameter outcome: `nil` for a delivery cut off by a shutdown: it frees its slot and says nothing of
    ///   the sink. After `breakerThreshold` transient failures in a row the breaker opens for the policy's
    ///   backoff, growing with each further failure; a delivered or permanent outcome closes it.
    mutating func finished(_ outcome: DeliveryOutcome?, limits: SinkLimits, policy: RetryPolicy, at time: Date) -> BreakerChange? {
        inFlight -= 1
        let wasOpen = isOpen(limits)
        switch outcome?.kind {
        case nil:
            return nil
        case .transient:
            consecutiveFailures += 1
            guard isOpen(limits) else { return nil }
            let exponent = Double(consecutiveFailures - limits.breakerThreshold)
            let backoff = min(policy.initialInterval.timeInterval * pow(policy.multiplier, exponent), policy.maxInterval.timeInterval)
            openUntil = time.addingTimeInterval(backoff)
            return consecutiveFailures == limits.breakerThreshold ? .opened(failures: consecutiveFailures) : nil
        case .delivered, .permanent:
            consecutiveFailures = 0
            return wasOpen ? .closed : nil
        }
    }
}
