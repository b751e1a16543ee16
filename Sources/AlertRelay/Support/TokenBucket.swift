import Foundation
import Synchronization

/// A token bucket: `burst` tokens, refilled at `perSecond`. ``take(at:)`` spends one, or says how long until
/// one is there.
public final class TokenBucket: Sendable {
    let perSecond: Double
    let burst: Double
    private let state: Mutex<(tokens: Double, at: Date?)>

    public init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = Double(burst)
        state = Mutex((Double(burst), nil))
    }

    /// Gives back a token spent on a request that turned out to cost nothing (a duplicate).
    public func refund() {
        state.withLock { state in state.tokens = min(burst, state.tokens + 1) }
    }

    /// `nil` when a token was spent; otherwise the wait until the next one.
    public func take(at now: Date) -> Duration? {
        state.withLock { state in
            // Dates can arrive out of order (a request that arrived first may get here last): only time the
            // bucket has not seen yet refills it, so going back and forth never counts a stretch twice.
            if let last = state.at {
                state.tokens = min(burst, state.tokens + max(0, now.timeIntervalSince(last)) * perSecond)
            }
            state.at = max(state.at ?? now, now)
            guard state.tokens >= 1 else {
                // At most a day: a tiny rate must not overflow the conversion.
                return .milliseconds(Int64(min(((1 - state.tokens) / perSecond * 1000).rounded(.up), 86_400_000)))
            }
            state.tokens -= 1
            return nil
        }
    }
}
