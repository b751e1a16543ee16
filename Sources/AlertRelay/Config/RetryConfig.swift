import Foundation

/// Delivery retries: exponential backoff with jitter, then a dead letter.
public struct RetryConfig: Sendable, Decodable {
    public var initialInterval = ConfigDuration(.seconds(1))
    public var multiplier = 2.0
    public var maxInterval = ConfigDuration(.seconds(300))
    public var maxAge = ConfigDuration(.seconds(86_400))
    /// 0: no limit other than `max_age`.
    public var maxAttempts = 0

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case initialInterval = "initial_interval", multiplier, maxInterval = "max_interval", maxAge = "max_age"
        case maxAttempts = "max_attempts"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        initialInterval = try c.decode(.initialInterval, default: initialInterval)
        multiplier = try c.decode(.multiplier, default: multiplier)
        maxInterval = try c.decode(.maxInterval, default: maxInterval)
        maxAge = try c.decode(.maxAge, default: maxAge)
        maxAttempts = try c.decode(.maxAttempts, default: maxAttempts)
        guard multiplier >= 1 else { throw c.invalid(.multiplier, "must be at least 1") }
        guard maxAttempts >= 0 else { throw c.invalid(.maxAttempts, "must not be negative") }
        guard initialInterval.duration > .zero else { throw c.invalid(.initialInterval, "must be more than 0") }
        guard maxInterval >= initialInterval else { throw c.invalid(.maxInterval, "must be at least initial_interval") }
    }
}

extension RetryConfig {
    public var policy: RetryPolicy {
        RetryPolicy(
            initialInterval: initialInterval.duration, multiplier: multiplier, maxInterval: maxInterval.duration,
            maxAge: maxAge.duration, maxAttempts: maxAttempts
        )
    }

    func overridden(by override: RetryOverride) -> RetryConfig {
        var config = self
        if let value = override.initialInterval { config.initialInterval = value }
        if let value = override.multiplier { config.multiplier = value }
        if let value = override.maxInterval { config.maxInterval = value }
        if let value = override.maxAge { config.maxAge = value }
        if let value = override.maxAttempts { config.maxAttempts = value }
        return config
    }
}

/// A receiver's `retry`: only the keys it sets replace the global ones.
public struct RetryOverride: Sendable, Decodable {
    public var initialInterval: ConfigDuration?
    public var multiplier: Double?
    public var maxInterval: ConfigDuration?
    public var maxAge: ConfigDuration?
    public var maxAttempts: Int?

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(RetryConfig.CodingKeys.self)
        let c = try decoder.container(keyedBy: RetryConfig.CodingKeys.self)
        initialInterval = try c.decodeIfPresent(ConfigDuration.self, forKey: .initialInterval)
        multiplier = try c.decodeIfPresent(Double.self, forKey: .multiplier)
        maxInterval = try c.decodeIfPresent(ConfigDuration.self, forKey: .maxInterval)
        maxAge = try c.decodeIfPresent(ConfigDuration.self, forKey: .maxAge)
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts)
        if let multiplier, multiplier < 1 { throw c.invalid(.multiplier, "must be at least 1") }
        if let maxAttempts, maxAttempts < 0 { throw c.invalid(.maxAttempts, "must not be negative") }
    }
}
