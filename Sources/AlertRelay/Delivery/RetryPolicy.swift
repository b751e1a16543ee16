import Foundation

/// When to try a failed delivery again, and when to give up on it.
///
/// Exponential backoff with full jitter on the upper half (the delay is drawn between half and all of the
/// exponential step), capped at `maxInterval`; a sink's `Retry-After` is honoured within
/// [`initialInterval`, `maxRetryAfter`]. A job older than `maxAge`, or past `maxAttempts` (0: no limit),
/// becomes a dead letter.
public struct RetryPolicy: Sendable, Equatable {
    public var initialInterval: Duration
    public var multiplier: Double
    public var maxInterval: Duration
    public var maxAge: Duration
    public var maxAttempts: Int
    public var maxRetryAfter: Duration

    public init(
        initialInterval: Duration = .seconds(1), multiplier: Double = 2, maxInterval: Duration = .seconds(300),
        maxAge: Duration = .seconds(86_400), maxAttempts: Int = 0, maxRetryAfter: Duration = .seconds(3600)
    ) {
        self.initialInterval = initialInterval
        self.multiplier = multiplier
        self.maxInterval = maxInterval
        self.maxAge = maxAge
        self.maxAttempts = maxAttempts
        self.maxRetryAfter = maxRetryAfter
    }

    public enum Decision: Sendable, Equatable {
        case retry(after: Duration)
        case giveUp(reason: String)
    }

    /// - Parameters:
    ///   - attempts: attempts made so far, including the one that just failed.
    ///   - age: time since the job was accepted.
    ///   - unit: a number in [0, 1) for the jitter; injected so tests are exact.
    public func next(attempts: Int, age: Duration, retryAfter: Duration?, unit: Double) -> Decision {
        if maxAttempts > 0, attempts >= maxAttempts {
            return .giveUp(reason: "gave up after \(attempts) attempts (max_attempts)")
        }
        var delay: Duration
        if let retryAfter {
            delay = min(max(retryAfter, initialInterval), maxRetryAfter)
        } else {
            let exponent = Double(max(0, attempts - 1))
            let step = min(initialInterval.timeInterval * pow(multiplier, exponent), maxInterval.timeInterval)
            delay = .milliseconds(Int64((step * (0.5 + 0.5 * unit)) * 1000))
        }
        if age + delay > maxAge {
            return .giveUp(reason: "gave up: the next attempt would be past max_age")
        }
        return .retry(after: delay)
    }
}
