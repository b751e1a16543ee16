import Foundation

/// What one delivery attempt came to, as the sink judged it.
public enum DeliveryOutcome: Sendable, Equatable {
    case delivered(status: Int?, response: String)
    /// Worth retrying: the sink was down, slow, overloaded or rate limiting. `retryAfter` is what the sink
    /// asked for (`Retry-After`), if anything.
    case transient(reason: String, status: Int?, response: String, retryAfter: Duration?)
    /// Retrying cannot help (a 4xx other than 408/425/429, a rejected address): straight to dead letters.
    case permanent(reason: String, status: Int?, response: String)

    public var status: Int? {
        switch self {
        case .delivered(let status, _), .transient(_, let status, _, _), .permanent(_, let status, _): status
        }
    }

    /// What became of an attempt, as the metrics label it and the store keeps it.
    public enum Kind: String, Sendable, CaseIterable {
        case delivered, transient, permanent
    }

    public var kind: Kind {
        switch self {
        case .delivered: .delivered
        case .transient: .transient
        case .permanent: .permanent
        }
    }

    public var isDelivered: Bool { kind == .delivered }

    /// Why it failed (`HTTP 503`, `SMTP 550`, `timed out: ...`); `nil` when delivered.
    public var reason: String? {
        switch self {
        case .delivered: nil
        case .transient(let reason, _, _, _), .permanent(let reason, _, _): reason
        }
    }

    /// An outcome as recorded (a `Retry-After` is not kept: it served its attempt).
    public init(kind: Kind, reason: String?, status: Int?, response: String) {
        switch kind {
        case .delivered: self = .delivered(status: status, response: response)
        case .transient: self = .transient(reason: reason ?? "", status: status, response: response, retryAfter: nil)
        case .permanent: self = .permanent(reason: reason ?? "", status: status, response: response)
        }
    }

    /// `delivered`, or the kind and its reason: `transient: HTTP 503`. For people (the admin API, the CLI).
    public var summary: String {
        reason.map { "\(kind.rawValue): \($0)" } ?? kind.rawValue
    }

    public var response: String {
        switch self {
        case .delivered(_, let response), .transient(_, _, let response, _), .permanent(_, _, let response): response
        }
    }

    /// The one rule every HTTP-speaking sink shares (Alertmanager's `notify/util.go` Retrier): 2xx success;
    /// 408, 425, 429 and 5xx transient; every other status permanent.
    public static func classify(httpStatus status: Int, response: String, retryAfter: Duration? = nil) -> DeliveryOutcome {
        switch status {
        case 200..<300:
            return .delivered(status: status, response: response)
        case 408, 425, 429, 500..<600:
            return .transient(reason: "HTTP \(status)", status: status, response: response, retryAfter: retryAfter)
        default:
            return .permanent(reason: "HTTP \(status)", status: status, response: response)
        }
    }

    /// The first bytes of a sink's answer, kept with each attempt.
    public static func snippet(_ bytes: some Collection<UInt8>, limit: Int = 512) -> String {
        String(decoding: bytes.prefix(limit), as: UTF8.self)
    }
}
