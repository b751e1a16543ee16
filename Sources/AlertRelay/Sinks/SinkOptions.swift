import Foundation

/// What every sink has, whatever its kind, read from the same mapping as the kind's own keys:
/// `send_resolved` (Alertmanager's), and AlertRelay's `timeout`, `max_concurrency` and `rate_limit`. Each kind
/// brings its defaults (Alertmanager's where it has them) and says which of the keys apply to it.
public struct SinkOptions: Sendable, Equatable {
    public var sendResolved: Bool
    public var timeout: ConfigDuration
    public var maxConcurrency: Int
    /// Deliveries started per second at most; 0: no limit.
    public var rateLimit: Double

    public enum Key: String, CodingKey, CaseIterable, Sendable {
        case sendResolved = "send_resolved", timeout, maxConcurrency = "max_concurrency", rateLimit = "rate_limit"
    }

    public init(sendResolved: Bool, timeout: Duration = .seconds(10), maxConcurrency: Int, rateLimit: Double = 0) {
        self.sendResolved = sendResolved
        self.timeout = ConfigDuration(timeout)
        self.maxConcurrency = maxConcurrency
        self.rateLimit = rateLimit
    }

    /// Reads the keys in `keys` over `defaults`, checked: a key outside `keys` is the kind's to refuse.
    init(from decoder: any Decoder, keys: Set<Key> = Set(Key.allCases), defaults: SinkOptions) throws {
        self = defaults
        let c = try decoder.container(keyedBy: Key.self)
        if keys.contains(.sendResolved) { sendResolved = try c.decode(.sendResolved, default: sendResolved) }
        if keys.contains(.timeout) { timeout = try c.decode(.timeout, default: timeout) }
        if keys.contains(.maxConcurrency) { maxConcurrency = try c.decode(.maxConcurrency, default: maxConcurrency) }
        if keys.contains(.rateLimit) { rateLimit = try c.decode(.rateLimit, default: rateLimit) }
        guard maxConcurrency >= 1 else { throw c.invalid(.maxConcurrency, "must be at least 1") }
        guard rateLimit >= 0, rateLimit <= 1_000_000 else { throw c.invalid(.rateLimit, "must be between 0 (no limit) and 1000000 per second") }
        guard timeout.duration > .zero else { throw c.invalid(.timeout, "must be more than 0") }
    }

    /// How hard the dispatcher may drive the sink.
    public var limits: SinkLimits {
        SinkLimits(concurrency: maxConcurrency, ratePerSecond: rateLimit > 0 ? rateLimit : nil)
    }
}
